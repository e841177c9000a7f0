"""Documents, described format-neutrally; kb/demo/generators.py renders each to its file format.

Text documents (pdf, docx, txt, md, html) have "sections" of heading, paragraphs and an optional
table; spreadsheets (xlsx, csv) have "sheets" of rows; presentations (pptx) have "slides".
"""

from permissions.models import Confidentiality as C

DOCUMENTS = [
    {
        "key": "sd200-manual",
        "title": "HC-SD200 系列交流伺服驱动器用户手册 V2.3",
        "filename": "HC-SD200用户手册_V2.3.pdf",
        "format": "pdf",
        "category": "product-manuals/servo-drives",
        "description": "安装、接线、参数一览、报警处理与外形尺寸，适用于固件 V2.3 及以上版本。",
        "author": "华辰智能装备有限公司 研发中心",
        "uploaded_by": "liuyang",
        "confidentiality": C.PUBLIC,
        "sections": [
            {
                "heading": "1 安全注意事项",
                "paragraphs": [
                    "本手册适用于 HC-SD200 系列交流伺服驱动器（以下简称驱动器）。安装、接线、运行和维护前"
                    "请仔细阅读本手册，并由具备电气资格的人员操作。",
                    "断电后母线电容仍有高压，请等待至少 5 分钟、确认 CHARGE 指示灯熄灭后再进行接线或检查。",
                ],
            },
            {
                "heading": "2 规格",
                "paragraphs": ["主要规格如下表所示。"],
                "table": [
                    ["型号", "额定功率", "输入电源", "额定电流", "适配电机"],
                    ["HC-SD200-04A", "400 W", "单相/三相 AC 220 V", "2.8 A", "HC-SM60-04"],
                    ["HC-SD200-08A", "750 W", "单相/三相 AC 220 V", "5.5 A", "HC-SM80-08"],
                    ["HC-SD200-10A", "1.0 kW", "三相 AC 220 V", "7.6 A", "HC-SM80-10"],
                    ["HC-SD200-15A", "1.5 kW", "三相 AC 220 V", "10.1 A", "HC-SM130-15"],
                ],
            },
            {
                "heading": "3 接线",
                "paragraphs": [
                    "主回路端子 L1/L2/L3 接电源，U/V/W 接电机动力线，PE 必须可靠接地，接地电阻小于 4 Ω。",
                    "CN1 为控制信号端子，CN2 为编码器接口，CN3/CN4 为 EtherCAT IN/OUT 或 RS-485 接口。"
                    "编码器线请使用双绞屏蔽线，并与动力线分开布线。",
                ],
            },
            {
                "heading": "4 常用参数",
                "paragraphs": [
                    "P0-03 控制模式：0 位置，1 速度，2 转矩；P1-01 速度环增益；P1-02 位置环增益；"
                    "P2-10 惯量识别；P3-05 EtherCAT DC 同步周期。",
                ],
            },
            {
                "heading": "5 报警处理",
                "paragraphs": [
                    "E-101 过电流，E-203 编码器通讯异常，E-204 编码器电池电压低，E-305 过载，"
                    "E-410 主回路欠压，E-512 位置偏差过大，E-620 EtherCAT 同步丢失。"
                    "详细原因与对策见《伺服驱动器报警代码速查表》。",
                ],
            },
        ],
    },
    {
        "key": "alarm-table",
        "title": "报警代码速查表（驱动器、机器人、视觉、拧紧）",
        "filename": "报警代码速查表_2026.xlsx",
        "format": "xlsx",
        "category": "troubleshooting/alarm-codes",
        "description": "全部产品线报警代码的名称、可能原因和处理方法，按产品分工作表。",
        "author": "刘洋",
        "uploaded_by": "liuyang",
        "confidentiality": C.PUBLIC,
        "sheets": [
            {
                "name": "伺服驱动器",
                "rows": [
                    ["代码", "名称", "可能原因", "处理方法"],
                    ["E-101", "过电流", "动力线短路、功率模块损坏", "检查电机绝缘，断开电机线复位"],
                    [
                        "E-203",
                        "编码器通讯异常",
                        "编码器线断线、干扰",
                        "检查 CN2，屏蔽层接地，分槽走线",
                    ],
                    ["E-204", "编码器电池电压低", "电池寿命到期", "通电状态下更换 ER14505 电池"],
                    ["E-305", "过载", "机械卡滞、抱闸未松开", "检查负载率 d-08 和抱闸电源"],
                    ["E-410", "主回路欠压", "输入电压低、缺相", "测量输入电压，调整 P0-25"],
                    ["E-512", "位置偏差过大", "增益低、负载重", "提高 P1-02 或放宽 P0-31"],
                    [
                        "E-620",
                        "EtherCAT 同步丢失",
                        "网线、DC 周期不一致",
                        "检查网线与 P3-05，升级固件 V2.3.5",
                    ],
                ],
            },
            {
                "name": "机器人",
                "rows": [
                    ["代码", "名称", "可能原因", "处理方法"],
                    ["A-07", "本体电池电压低", "电池电量不足", "两周内更换 HCR-BAT-6"],
                    ["A-15", "碰撞检测", "实际碰撞或负载参数错误", "重新辨识工具负载"],
                    ["A-22", "软限位超限", "程序点位超出软限位", "修改点位或软限位设置"],
                ],
            },
            {
                "name": "视觉与拧紧",
                "rows": [
                    ["代码", "名称", "可能原因", "处理方法"],
                    ["V-021", "相机连接断开", "网线松动、PoE 供电不足", "检查网口与 PoE 交换机"],
                    ["V-034", "图像采集超时", "触发信号丢失", "检查触发线与触发模式"],
                    ["T-11", "扭矩超上限", "螺纹卡滞、异物", "检查螺纹与零件"],
                    ["T-14", "角度超差", "垫片缺失、摩擦系数变化", "对比拧紧曲线，检查套筒"],
                ],
            },
        ],
    },
    {
        "key": "robot-install-docx",
        "title": "HCR-6 机器人现场安装与首次上电检查表",
        "filename": "HCR-6现场安装检查表.docx",
        "format": "docx",
        "category": "installation/site-installation",
        "description": "服务工程师现场安装时逐项确认的检查表，完成后拍照上传到工单。",
        "author": "陈静",
        "uploaded_by": "chenjing",
        "confidentiality": C.INTERNAL,
        "sections": [
            {
                "heading": "一、到货验收",
                "paragraphs": ["核对装箱单与序列号，检查倾斜和防震标签，外包装拍照留存。"],
                "table": [
                    ["序号", "检查项", "标准", "结果"],
                    ["1", "本体序列号", "与装箱单一致", "□ 合格 □ 不合格"],
                    ["2", "防震标签", "未变色", "□ 合格 □ 不合格"],
                    ["3", "示教器 HTP-10", "外观完好、线缆无破损", "□ 合格 □ 不合格"],
                ],
            },
            {
                "heading": "二、安装",
                "paragraphs": [
                    "地面厚度不少于 200 mm；M20 化学锚栓 4 颗，拧紧扭矩 180 N·m；底座水平度不超过 0.5 mm/m。",
                ],
            },
            {
                "heading": "三、首次上电",
                "paragraphs": [
                    "确认输入电压三相 AC 380 V ±10%，接地电阻小于 4 Ω；启动后执行零点校验并记录各轴零点值。",
                ],
            },
        ],
    },
    {
        "key": "training-pptx",
        "title": "2026 年新员工产品培训",
        "filename": "2026新员工产品培训.pptx",
        "format": "pptx",
        "category": "training/onboarding",
        "description": "培训部新员工入职培训第二天使用的课件：四条产品线与典型应用。",
        "author": "赵敏",
        "uploaded_by": "zhaomin",
        "confidentiality": C.INTERNAL,
        "slides": [
            {"title": "华辰智能装备：新员工产品培训", "bullets": ["培训部 赵敏", "2026 年版"]},
            {
                "title": "我们的四条产品线",
                "bullets": [
                    "运动控制：HC-SD200 伺服驱动器、HC-SM 伺服电机",
                    "机器人：HCR-6 系列六轴机器人",
                    "视觉：HCV-3000 视觉检测系统",
                    "装配：HCT-800 伺服拧紧系统",
                ],
            },
            {
                "title": "典型客户与应用",
                "bullets": [
                    "汽车零部件：轮毂轴承拧紧、副车架焊接",
                    "3C 电子：外观缺陷检测、精密装配",
                    "新能源：锂电池叠片、模组装配",
                ],
            },
            {
                "title": "遇到问题先查知库",
                "bullets": ["按型号或报警代码搜索，如 E-203、A-07", "找不到答案就提问，专家会回答"],
            },
        ],
    },
    {
        "key": "emc-design-docx",
        "title": "伺服驱动器 EMC 设计指南",
        "filename": "伺服驱动器EMC设计指南_V1.4.docx",
        "format": "docx",
        "category": "rnd-standards/design-standards",
        "description": "研发中心内部设计指南：滤波、接地、屏蔽和布局，含历次 EMC 整改经验。",
        "author": "刘洋",
        "uploaded_by": "liuyang",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd"],
        "sections": [
            {
                "heading": "1 输入滤波",
                "paragraphs": [
                    "输入端采用两级共模扼流圈加 X/Y 电容，Y 电容总容量不超过 4.7 nF 以控制漏电流（< 3.5 mA）。",
                ],
            },
            {
                "heading": "2 功率回路布局",
                "paragraphs": [
                    "IGBT 开关回路面积尽量小，母线电容靠近功率模块；驱动信号采用差分走线并做包地处理。",
                ],
            },
            {
                "heading": "3 整改经验",
                "paragraphs": ["以下为近年 EMC 测试中出现的问题及整改措施。"],
                "table": [
                    ["项目", "问题", "整改措施"],
                    [
                        "HC-SD200-15A",
                        "辐射骚扰 30–60 MHz 超标 4 dB",
                        "风扇电源线加磁环，散热器接 PE",
                    ],
                    ["HC-SD200-04A", "EFT ±2 kV 时编码器报错", "编码器接口增加 TVS 与共模电感"],
                ],
            },
        ],
    },
    {
        "key": "tightening-test-pdf",
        "title": "HCT-800 拧紧轴耐久测试报告（200 万次）",
        "filename": "HCT-800_durability_test_report.pdf",
        "format": "pdf",
        "category": "rnd-standards/test-standards",
        "description": "HCT-800 拧紧轴 200 万次耐久试验的方法、数据和结论（报告编号 TR-2026-037）。",
        "author": "陈静",
        "uploaded_by": "chenjing",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd"],
        "sections": [
            {
                "heading": "1 试验目的",
                "paragraphs": [
                    "验证 HCT-800-60 拧紧轴在额定扭矩 60 N·m 下连续 200 万次拧紧后的精度保持能力。"
                ],
            },
            {
                "heading": "2 试验结果",
                "paragraphs": ["每 50 万次抽检 100 次拧紧，扭矩精度与 Cpk 如下。"],
                "table": [
                    ["累计次数", "平均扭矩 (N·m)", "标准差", "Cpk"],
                    ["0", "60.02", "0.31", "2.15"],
                    ["500,000", "59.97", "0.33", "2.02"],
                    ["1,000,000", "60.05", "0.36", "1.86"],
                    ["2,000,000", "59.91", "0.41", "1.63"],
                ],
            },
            {
                "heading": "3 结论",
                "paragraphs": [
                    "200 万次后 Cpk 为 1.63，略低于 1.67 的目标值，建议将减速机润滑脂更换周期由 150 万次缩短到 100 万次。",
                ],
            },
        ],
    },
    {
        "key": "hotline-txt",
        "title": "客服热线常用话术（纯文本版）",
        "filename": "客服热线常用话术.txt",
        "format": "txt",
        "category": "training/service-scripts",
        "description": "供呼叫中心坐席软件导入的纯文本话术，GBK 编码。",
        "author": "赵敏",
        "uploaded_by": "zhaomin",
        "confidentiality": C.INTERNAL,
        "sections": [
            {
                "heading": "开场白",
                "paragraphs": [
                    "您好，华辰智能装备客服中心，工号 1024 为您服务，请问有什么可以帮您？"
                ],
            },
            {
                "heading": "确认信息",
                "paragraphs": [
                    "请问您的公司名称和设备型号是？麻烦您报一下设备铭牌上的序列号，以 HC 开头。"
                ],
            },
            {
                "heading": "安抚客户",
                "paragraphs": [
                    "非常理解您现在着急的心情，产线停下来确实影响很大，我马上帮您处理。",
                    "这个问题我需要请研发同事一起确认，我会在 2 小时内给您回电，工单号是 T 开头的这个号码。",
                ],
            },
            {
                "heading": "结束语",
                "paragraphs": ["感谢您的来电，稍后会有满意度短信，请您给我们打个分。再见！"],
            },
        ],
    },
    {
        "key": "price-csv",
        "title": "2026 年备件价格表（含渠道折扣）",
        "filename": "spare_parts_price_2026.csv",
        "format": "csv",
        "category": "after-sales/spare-parts",
        "description": "销售部内部价格表，含经销商与直销客户折扣，仅限授权人员查看。",
        "author": "王强",
        "uploaded_by": "wangqiang",
        "confidentiality": C.CONFIDENTIAL,
        "allowed_groups": ["knowledge_manager"],
        "allowed_users": ["wangqiang"],
        "sheets": [
            {
                "name": "价格表",
                "rows": [
                    [
                        "备件号",
                        "名称",
                        "适用型号",
                        "目录价（元）",
                        "经销商折扣",
                        "直销折扣",
                        "华东仓库存",
                    ],
                    ["HC-BAT-01", "编码器电池 ER14505", "HC-SD200", "45", "0.70", "0.85", "1200"],
                    ["HC-FAN-02", "驱动器散热风扇", "HC-SD200-15A", "160", "0.70", "0.85", "300"],
                    ["HC-CBL-E05", "编码器线 5 m", "HC-SM80", "280", "0.65", "0.80", "450"],
                    ["HCR-BAT-6", "机器人本体电池组", "HCR-6-10", "680", "0.75", "0.88", "80"],
                    ["HCT-SKT-13", "拧紧套筒 13 mm", "HCT-800", "420", "0.70", "0.85", "60"],
                    ["HCV-LGT-R70", "环形光源 70 mm", "HCV-3000", "1350", "0.72", "0.86", "25"],
                ],
            }
        ],
    },
    {
        "key": "warranty-md",
        "title": "产品保修政策说明",
        "filename": "warranty-policy-2026.md",
        "format": "md",
        "category": "after-sales/warranty",
        "description": "面向客户的保修政策说明，Markdown 格式，帮助中心同步使用。",
        "author": "孙慧",
        "uploaded_by": "sunhui",
        "confidentiality": C.PUBLIC,
        "sections": [
            {
                "heading": "保修期限",
                "paragraphs": [
                    "驱动器、控制器与视觉系统保修 18 个月；电机与机器人本体保修 24 个月；易损件保修 3 个月。"
                ],
                "table": [
                    ["产品", "保修期", "起算日"],
                    ["HC-SD200 驱动器", "18 个月", "出厂日"],
                    ["HC-SM 伺服电机", "24 个月", "出厂日"],
                    ["HCR-6 机器人本体", "24 个月", "验收日"],
                ],
            },
            {
                "heading": "如何申请保修",
                "paragraphs": [
                    "拨打 400-820-6688 或在帮助中心提交工单，提供设备序列号（S/N）、故障现象和照片。"
                ],
            },
        ],
    },
    {
        "key": "hcv-quickstart-html",
        "title": "HCVision 3.2 常用快捷键与操作说明",
        "filename": "hcvision-3.2-shortcuts.html",
        "format": "html",
        "category": "product-manuals/vision-systems",
        "description": "HCVision 软件常用快捷键和检测方案（Recipe）管理的网页版说明。",
        "author": "陈静",
        "uploaded_by": "chenjing",
        "confidentiality": C.PUBLIC,
        "sections": [
            {
                "heading": "常用快捷键",
                "paragraphs": ["以下快捷键在“方案编辑”界面有效。"],
                "table": [
                    ["快捷键", "功能"],
                    ["F5", "单次采集并执行检测"],
                    ["F6", "连续采集"],
                    ["Ctrl+S", "保存检测方案"],
                    ["Ctrl+Shift+E", "导出方案为 JSON"],
                ],
            },
            {
                "heading": "方案管理",
                "paragraphs": [
                    "检测方案保存在 D:\\HCVision\\Recipes 目录下，可按产品型号建立子目录，便于换型时快速切换。"
                ],
            },
        ],
    },
    {
        "key": "complaints-xlsx",
        "title": "2026 年第三季度客户投诉与质量问题汇总",
        "filename": "2026Q3客户投诉汇总.xlsx",
        "format": "xlsx",
        "category": "customer-cases",
        "description": "质量管理部每季度汇总的客户投诉、原因分类和整改状态，提交研发中心复盘。",
        "author": "孙慧",
        "uploaded_by": "sunhui",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["quality", "rnd"],
        "sheets": [
            {
                "name": "投诉明细",
                "rows": [
                    ["日期", "客户", "产品", "问题描述", "原因分类", "责任部门", "状态"],
                    [
                        "2026-07-08",
                        "苏州恒通",
                        "HCT-800",
                        "NOK 率升高",
                        "现场工艺",
                        "客户服务部",
                        "已关闭",
                    ],
                    [
                        "2026-08-02",
                        "滨海新能源",
                        "HC-SD200-04A-E",
                        "E-620 同步丢失",
                        "固件缺陷",
                        "研发中心",
                        "已关闭",
                    ],
                    [
                        "2026-08-19",
                        "重庆长鹏",
                        "HCT-800",
                        "拧紧数据丢失",
                        "固件缺陷",
                        "研发中心",
                        "已关闭",
                    ],
                    [
                        "2026-09-05",
                        "合肥瑞丰",
                        "HC-SM130-15",
                        "电机异响",
                        "安装问题",
                        "客户服务部",
                        "已关闭",
                    ],
                    [
                        "2026-09-21",
                        "东莞鑫达",
                        "HCV-3000",
                        "过杀率高",
                        "方案设计",
                        "研发中心",
                        "跟踪中",
                    ],
                ],
            },
            {
                "name": "分类统计",
                "rows": [
                    ["原因分类", "件数", "占比"],
                    ["固件缺陷", "2", "40%"],
                    ["现场工艺", "1", "20%"],
                    ["安装问题", "1", "20%"],
                    ["方案设计", "1", "20%"],
                ],
            },
        ],
    },
    {
        "key": "hcr620-pptx",
        "title": "HCR-6-20 立项评审汇报",
        "filename": "HCR-6-20立项评审汇报.pptx",
        "format": "pptx",
        "category": "rnd-standards/design-standards",
        "description": "20 kg 负载新机型的市场分析、目标成本和开发计划，立项评审会使用。",
        "author": "陈静",
        "uploaded_by": "chenjing",
        "confidentiality": C.CONFIDENTIAL,
        "allowed_groups": ["administrator"],
        "allowed_users": ["liuyang", "chenjing"],
        "slides": [
            {"title": "HCR-6-20 立项评审", "bullets": ["研发中心 机器人组", "机密：禁止外发"]},
            {
                "title": "市场机会",
                "bullets": ["汽车焊装线 20 kg 级需求年增长 18%", "国产替代窗口期 2–3 年"],
            },
            {
                "title": "目标与成本",
                "bullets": [
                    "负载 20 kg，臂展 1720 mm，重复定位精度 ±0.05 mm",
                    "BOM 成本较竞品低 12%",
                ],
            },
            {
                "title": "开发计划",
                "bullets": [
                    "EVT：2026 年 12 月",
                    "DVT：2027 年 2 月",
                    "PVT 与小批量：2027 年 4 月",
                ],
            },
        ],
    },
]
