"""Knowledge articles. Body items: ("heading", text), ("paragraph", html),
("callout", kind, html), ("code", language, code), ("document", document key)."""

from permissions.models import Confidentiality as C

ARTICLES = [
    {
        "category": "product-manuals/servo-drives",
        "slug": "hc-sd200-selection-guide",
        "title": "HC-SD200 系列交流伺服驱动器选型指南",
        "summary": "按功率、电压、通讯方式和编码器类型选择 HC-SD200 驱动器与 HC-SM80 电机的组合。",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 210,
        "body": [
            ("heading", "产品概述"),
            (
                "paragraph",
                "<p>HC-SD200 系列是华辰智能装备面向 3C 电子、锂电、包装和汽车零部件装配线推出的"
                "通用型交流伺服驱动器，功率范围 100 W～3 kW，支持 EtherCAT（CoE, CiA 402）、"
                "Modbus RTU（RS-485）和脉冲 + 方向三种指令方式，标配 23 位多圈绝对值编码器接口。</p>",
            ),
            ("heading", "型号命名规则"),
            (
                "paragraph",
                "<p>以 <b>HC-SD200-10A-E</b> 为例：</p><ul><li>HC-SD200：系列名称</li>"
                "<li>10：额定功率 1.0 kW（04 = 400 W，15 = 1.5 kW，30 = 3 kW）</li>"
                "<li>A：单相/三相 220 V 输入；B 为三相 380 V</li>"
                "<li>E：EtherCAT 总线型；M 为 Modbus/脉冲型</li></ul>",
            ),
            ("heading", "驱动器与电机匹配表"),
            (
                "paragraph",
                "<ul><li>HC-SD200-04A ↔ HC-SM60-04（60 法兰，400 W，1.27 N·m）</li>"
                "<li>HC-SD200-08A ↔ HC-SM80-08（80 法兰，750 W，2.39 N·m）</li>"
                "<li>HC-SD200-10A ↔ HC-SM80-10（80 法兰，1.0 kW，3.18 N·m）</li>"
                "<li>HC-SD200-15A ↔ HC-SM130-15（130 法兰，1.5 kW，7.16 N·m）</li></ul>",
            ),
            (
                "callout",
                "tip",
                "<p>选型时负载惯量比建议控制在 10 倍以内；高动态场合（如飞剪、贴标）建议不超过 5 倍，"
                "否则需要加减速机或选择中惯量电机。</p>",
            ),
            ("heading", "下载资料"),
            ("paragraph", "<p>完整的接线图、参数表和尺寸图见用户手册：</p>"),
            ("document", "sd200-manual"),
        ],
    },
    {
        "category": "product-manuals/industrial-robots",
        "slug": "hcr-6-10-introduction",
        "title": "HCR-6-10 六轴工业机器人产品介绍与技术参数",
        "summary": "HCR-6-10 的负载、臂展、重复定位精度、防护等级及典型应用。",
        "author": "chenjing",
        "confidentiality": C.PUBLIC,
        "days_ago": 180,
        "body": [
            ("heading", "主要参数"),
            (
                "paragraph",
                "<ul><li>额定负载：10 kg</li><li>最大臂展：1420 mm</li>"
                "<li>重复定位精度：±0.03 mm（ISO 9283）</li><li>本体重量：158 kg</li>"
                "<li>防护等级：本体 IP54，手腕 IP67</li><li>控制柜：HRC-3，示教器：HTP-10</li></ul>",
            ),
            ("heading", "典型应用"),
            (
                "paragraph",
                "<p>弧焊、上下料、码垛、打磨和视觉引导抓取。配合 HCV-3000 视觉系统可实现"
                "无序来料的 2D/3D 定位抓取（bin picking）。</p>",
            ),
            (
                "callout",
                "warning",
                "<p>机器人运行区域必须设置安全围栏和安全光栅，示教时须使用示教器上的三段式使能开关，"
                "并将速度限制在 250 mm/s 以内（T1 模式）。</p>",
            ),
        ],
    },
    {
        "category": "product-manuals/vision-systems",
        "slug": "hcv-3000-quick-start",
        "title": "HCV-3000 视觉检测系统快速入门",
        "summary": "从相机连接、光源选择到第一个检测方案（Recipe）的建立。",
        "author": "chenjing",
        "confidentiality": C.PUBLIC,
        "days_ago": 150,
        "body": [
            ("heading", "系统组成"),
            (
                "paragraph",
                "<p>HCV-3000 由工控机、HCVision 3.2 软件、GigE 工业相机（500 万像素标配）、"
                "镜头和光源控制器组成，支持同时接入 4 路相机。</p>",
            ),
            ("heading", "第一步：连接相机"),
            (
                "paragraph",
                "<p>将相机网口直连工控机的 PoE 网卡，网卡 IP 设为 192.168.10.1/24，"
                "巨帧（Jumbo Frame）设为 9014 字节。启动 HCVision 后在“设备管理”中点击“扫描”。</p>",
            ),
            ("heading", "第二步：导入检测方案"),
            ("paragraph", "<p>检测方案（Recipe）以 JSON 文件保存，可在产线之间复制：</p>"),
            (
                "code",
                "json",
                '{\n  "recipe": "连接器针脚检测-V2",\n  "camera": "CAM1",\n  "exposure_us": 1800,\n'
                '  "gain_db": 2.0,\n  "light": {"channel": 1, "type": "coaxial", "intensity": 180},\n'
                '  "tools": ["blob", "caliper", "ocr"]\n}',
            ),
            (
                "callout",
                "info",
                "<p>曝光时间过长会导致运动拖影；产线速度超过 1 m/s 时建议曝光不超过 200 µs，"
                "并配合频闪光源。</p>",
            ),
        ],
    },
    {
        "category": "troubleshooting/alarm-codes",
        "slug": "servo-alarm-codes",
        "title": "伺服驱动器报警代码一览及处理方法",
        "summary": "HC-SD200 常见报警（E-101 过电流、E-203 编码器通讯异常、E-305 过载等）的原因与对策。",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 120,
        "body": [
            (
                "callout",
                "warning",
                "<p>检查主回路端子前务必断电并等待至少 5 分钟，确认面板 CHARGE 指示灯熄灭后再操作，"
                "以免母线电容残余电压造成触电。</p>",
            ),
            ("heading", "E-101 过电流"),
            (
                "paragraph",
                "<p>原因：电机动力线 U/V/W 短路或对地短路、驱动器功率模块损坏、增益过高引起振荡。"
                "对策：断开电机线后复位，若仍报警则驱动器需返修；否则用兆欧表检查电机绝缘（≥ 10 MΩ）。</p>",
            ),
            ("heading", "E-203 编码器通讯异常"),
            (
                "paragraph",
                "<p>原因：编码器线缆断线、插头松动、屏蔽层未接地或与动力线并行走线受干扰。"
                "对策：检查 CN2 插头，确认屏蔽层在驱动器侧 360° 接地，编码器线与动力线分槽布线，"
                "间距不小于 30 cm。</p>",
            ),
            ("heading", "E-305 过载"),
            (
                "paragraph",
                "<p>原因：机械卡滞、抱闸未释放、加减速时间过短或选型功率不足。"
                "对策：用监视参数 d-08（负载率）确认平均负载，检查抱闸 24 V 供电。</p>",
            ),
            ("heading", "E-410 主回路欠压"),
            (
                "paragraph",
                "<p>原因：输入电压低于 AC 170 V、缺相或电网瞬时跌落。"
                "对策：测量 L1/L2/L3 电压，必要时调整参数 P0-25（欠压检测延时）。</p>",
            ),
            ("heading", "E-512 位置偏差过大"),
            (
                "paragraph",
                "<p>原因：负载过重、增益偏低或指令加速度过大。对策：适当提高 P1-02 位置环增益，"
                "或放宽 P0-31 位置偏差阈值。</p>",
            ),
            ("document", "alarm-table"),
        ],
    },
    {
        "category": "troubleshooting/communication",
        "slug": "ethercat-e620-troubleshooting",
        "title": "EtherCAT 通讯中断（E-620）排查步骤",
        "summary": "E-620 同步丢失的常见原因：网线、拓扑、DC 同步周期与主站配置。",
        "author": "zhangli",
        "confidentiality": C.PUBLIC,
        "days_ago": 95,
        "body": [
            ("heading", "现象"),
            (
                "paragraph",
                "<p>驱动器面板显示 E-620，主站报 “Slave not in OP state” 或 "
                "“WKC error”，设备随机停机，往往在大功率设备启动时出现。</p>",
            ),
            ("heading", "排查步骤"),
            (
                "paragraph",
                "<ol><li>确认使用带屏蔽的 CAT5e 及以上网线，两端水晶头金属壳接地。</li>"
                "<li>检查 IN/OUT 口是否接反（上游接 IN）。</li>"
                "<li>确认主站 DC 周期与驱动器参数 P3-05 一致（常用 1 ms 或 2 ms）。</li>"
                "<li>在主站上查看各从站的 CRC 错误计数，定位出错的网段。</li></ol>",
            ),
            ("paragraph", "<p>使用 IgH EtherCAT Master 的 Linux 主站可以这样查看从站状态：</p>"),
            (
                "code",
                "bash",
                "ethercat slaves\nethercat states OP\nethercat regs -p 2 0x0300 -t uint32",
            ),
            (
                "callout",
                "tip",
                "<p>CRC 错误集中在某一从站的 IN 口时，优先更换该段网线；错误随负载变化时，"
                "检查动力线与通讯线是否同槽。</p>",
            ),
        ],
    },
    {
        "category": "after-sales/warranty",
        "slug": "warranty-policy-2026",
        "title": "产品保修政策（2026 版）",
        "summary": "整机保修 18 个月、电机 24 个月，保修起算日、免责情形与服务响应时间。",
        "author": "sunhui",
        "confidentiality": C.PUBLIC,
        "days_ago": 300,
        "body": [
            ("heading", "保修期限"),
            (
                "paragraph",
                "<ul><li>伺服驱动器、控制器、视觉系统：自出厂之日起 18 个月或验收之日起 12 个月，以先到者为准。</li>"
                "<li>伺服电机、机器人本体：24 个月。</li><li>易损件（电池、保险丝、风扇、线缆）：3 个月。</li></ul>",
            ),
            ("heading", "不在保修范围内的情形"),
            (
                "paragraph",
                "<p>未按手册要求安装或接线；超出规格使用；自行拆机或改装；"
                "雷击、水浸、火灾等不可抗力；铭牌或序列号（S/N）缺失。</p>",
            ),
            ("heading", "服务响应"),
            (
                "paragraph",
                "<p>热线 400-820-6688 受理时间为工作日 8:30–17:30；"
                "长三角地区 24 小时内到场，其他地区 48 小时内到场。</p>",
            ),
            ("document", "warranty-md"),
        ],
    },
    {
        "category": "product-manuals/tightening-systems",
        "slug": "hct-800-tightening-strategies",
        "title": "HCT-800 伺服拧紧系统拧紧策略说明",
        "summary": "扭矩控制、扭矩 + 角度监控、屈服点控制三种策略的适用场合与参数设置。",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 140,
        "body": [
            ("heading", "扭矩控制法"),
            (
                "paragraph",
                "<p>最常用的策略，目标扭矩到达即停止，适用于一般连接。"
                "精度 ±3%（Cpk ≥ 1.67），但夹紧力受摩擦系数影响较大。</p>",
            ),
            ("heading", "扭矩 + 角度监控"),
            (
                "paragraph",
                "<p>在扭矩控制的基础上监控贴合点之后的转角，角度窗口外判 NOK（报警 T-14）。"
                "适用于缸盖、轮毂等关键连接。</p>",
            ),
            ("heading", "屈服点控制"),
            (
                "paragraph",
                "<p>通过扭矩-角度曲线的斜率变化识别屈服点，夹紧力离散度最小，"
                "需要螺栓供应商提供屈服强度数据。</p>",
            ),
            (
                "callout",
                "info",
                "<p>拧紧曲线和结果可通过 Open Protocol（MID 0061）实时上传到 MES。</p>",
            ),
        ],
    },
    {
        "category": "installation/site-installation",
        "slug": "hcr-6-site-installation",
        "title": "HCR-6 机器人现场安装作业指导",
        "summary": "到货验收、吊装、地脚固定、控制柜接线与首次上电的步骤和注意事项。",
        "author": "chenjing",
        "confidentiality": C.INTERNAL,
        "days_ago": 160,
        "body": [
            ("heading", "到货验收"),
            (
                "paragraph",
                "<p>核对装箱单、本体序列号与控制柜序列号是否一致；检查倾斜指示标签和防震标签；"
                "拍照留存外包装状态，发现破损须在签收单上注明。</p>",
            ),
            ("heading", "吊装"),
            (
                "callout",
                "warning",
                "<p>必须使用随机附带的吊装工装和 M16 吊环，机器人须处于运输姿态；"
                "严禁用叉车直接叉本体底座。</p>",
            ),
            ("heading", "地脚固定"),
            (
                "paragraph",
                "<p>混凝土地面厚度不少于 200 mm，使用 4 颗 M20 化学锚栓，拧紧扭矩 180 N·m；"
                "底座水平度不超过 0.5 mm/m。</p>",
            ),
            ("heading", "首次上电"),
            (
                "paragraph",
                "<p>确认控制柜输入为三相 AC 380 V ±10%，接地电阻小于 4 Ω，"
                "先合总闸再合控制柜空开，示教器启动后执行零点校验（Mastering）。</p>",
            ),
            ("document", "robot-install-docx"),
        ],
    },
    {
        "category": "installation/tuning",
        "slug": "servo-gain-tuning",
        "title": "伺服增益自整定与手动调整方法",
        "summary": "惯量识别、一键自整定（Auto-tuning）与手动调整速度环/位置环增益的步骤。",
        "author": "liuyang",
        "confidentiality": C.INTERNAL,
        "days_ago": 75,
        "body": [
            ("heading", "惯量识别"),
            (
                "paragraph",
                "<p>将 P2-10 设为 1 启动离线惯量识别，电机往复运行约 5 圈，"
                "识别结果写入 P2-11（负载惯量比，单位 %）。</p>",
            ),
            ("heading", "自整定"),
            (
                "paragraph",
                "<p>P2-01 刚性等级从 12 开始，每次加 1，直到出现轻微异响后回退 2 级。"
                "刚性等级越高，响应越快，但越容易振动。</p>",
            ),
            ("heading", "手动调整参考值"),
            (
                "code",
                "ini",
                "; HC-SD200-10A + 滚珠丝杠（导程 10 mm），惯量比约 300%\n"
                "P1-00 = 0      ; 关闭自整定\n"
                "P1-01 = 120    ; 速度环增益 (Hz)\n"
                "P1-02 = 45     ; 位置环增益 (1/s)\n"
                "P1-03 = 18.0   ; 速度环积分时间 (ms)\n"
                "P1-05 = 0.60   ; 转矩指令滤波 (ms)",
            ),
            (
                "callout",
                "tip",
                "<p>出现 200 Hz 以上的高频啸叫时，优先开启陷波滤波器 P2-20/P2-21，"
                "而不是降低全部增益。</p>",
            ),
        ],
    },
    {
        "category": "rnd-standards/design-standards",
        "slug": "drive-pcb-design-standard",
        "title": "伺服驱动器 PCB 设计规范（V3.1）",
        "summary": "功率板与控制板的分区、爬电距离、接地和散热设计要求。",
        "author": "liuyang",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd"],
        "days_ago": 400,
        "body": [
            ("heading", "分区"),
            (
                "paragraph",
                "<p>功率区（整流、母线电容、IGBT）与控制区（DSP、编码器接口、通讯）分板设计，"
                "板间采用光耦或数字隔离器（如 ISO7741）隔离，隔离带宽度不小于 8 mm。</p>",
            ),
            ("heading", "爬电距离与电气间隙"),
            (
                "paragraph",
                "<p>参照 GB/T 16935.1（IEC 60664-1），污染等级 2，AC 380 V 机型强电与弱电之间"
                "爬电距离不小于 6.4 mm，电气间隙不小于 5.5 mm。</p>",
            ),
            ("heading", "接地"),
            (
                "paragraph",
                "<p>控制地（GND）与保护地（PE）通过 1 nF/2 kV Y 电容单点连接；"
                "编码器屏蔽层经连接器外壳就近接 PE。</p>",
            ),
            (
                "callout",
                "warning",
                "<p>V3.1 起禁止在母线电容下方走控制信号线，此前版本的设计在改版时须整改。</p>",
            ),
        ],
    },
    {
        "category": "rnd-standards/design-standards",
        "slug": "embedded-c-coding-standard",
        "title": "嵌入式软件编码规范（C 语言）",
        "summary": "基于 MISRA C:2012 的裁剪版，含命名、中断、定点数运算与单元测试要求。",
        "author": "liuyang",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd"],
        "days_ago": 380,
        "body": [
            ("heading", "命名"),
            (
                "paragraph",
                "<p>模块前缀 + 小写下划线，例如 <code>enc_read_position()</code>、"
                "<code>cur_loop_update()</code>；全局变量以 <code>g_</code> 开头，静态变量以 "
                "<code>s_</code> 开头。</p>",
            ),
            ("heading", "中断服务程序"),
            (
                "paragraph",
                "<p>电流环中断（16 kHz）内禁止调用浮点库函数和任何可能阻塞的接口，"
                "执行时间不得超过 40 µs，须用 GPIO 翻转实测。</p>",
            ),
            (
                "code",
                "c",
                "/* 电流环：Q15 定点数 PI 调节 */\n"
                "static inline int16_t cur_pi_update(cur_pi_t *pi, int16_t err)\n"
                "{\n"
                "    int32_t acc = pi->integ + (int32_t)pi->ki * err;\n"
                "    acc = sat_i32(acc, pi->integ_min, pi->integ_max);\n"
                "    pi->integ = acc;\n"
                "    return sat_q15(((int32_t)pi->kp * err >> 15) + (acc >> 15));\n"
                "}",
            ),
            (
                "callout",
                "info",
                "<p>所有提交须通过 PC-lint Plus 和 Unity 单元测试，分支覆盖率不低于 80%。</p>",
            ),
        ],
    },
    {
        "category": "rnd-standards/test-standards",
        "slug": "emc-environment-test-standard",
        "title": "EMC 与环境可靠性测试规范",
        "summary": "新品设计验证（DV）阶段必须通过的 EMC、高低温、振动和盐雾试验项目。",
        "author": "chenjing",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd"],
        "days_ago": 330,
        "body": [
            ("heading", "EMC 试验"),
            (
                "paragraph",
                "<ul><li>静电放电：GB/T 17626.2，接触 ±6 kV，空气 ±8 kV</li>"
                "<li>电快速瞬变脉冲群（EFT）：GB/T 17626.4，电源端口 ±2 kV</li>"
                "<li>浪涌：GB/T 17626.5，线-地 ±2 kV</li>"
                "<li>传导与辐射骚扰：GB 4824，A 类</li></ul>",
            ),
            ("heading", "环境可靠性"),
            (
                "paragraph",
                "<p>高温运行 55 °C / 72 h，低温运行 −10 °C / 24 h，"
                "湿热 40 °C / 93% RH / 96 h，随机振动 5–500 Hz 1.5 Grms 每轴 2 h。</p>",
            ),
            (
                "callout",
                "warning",
                "<p>任何一项不通过都必须提交 8D 报告，整改后全项复测，不得只复测失败项。</p>",
            ),
            ("document", "tightening-test-pdf"),
        ],
    },
    {
        "category": "rnd-standards/design-standards",
        "slug": "hcr-6-20-project-review",
        "title": "HCR-6-20 新品立项评审纪要",
        "summary": "20 kg 负载机型的立项评审结论、目标成本、关键技术风险与里程碑。",
        "author": "chenjing",
        "confidentiality": C.CONFIDENTIAL,
        "allowed_groups": ["knowledge_manager"],
        "allowed_users": ["liuyang", "chenjing"],
        "days_ago": 45,
        "body": [
            ("heading", "评审结论"),
            (
                "paragraph",
                "<p>同意立项。目标上市时间 2027 年第二季度，目标 BOM 成本较竞品低 12%，"
                "首批 50 台面向汽车焊装线客户试点。</p>",
            ),
            ("heading", "关键技术风险"),
            (
                "paragraph",
                "<ol><li>J2/J3 轴减速机国产化替代的寿命验证（目标 20,000 h）。</li>"
                "<li>20 kg 负载下的轨迹精度，需要引入动力学前馈。</li>"
                "<li>控制柜散热：HRC-3 需升级为 HRC-3P。</li></ol>",
            ),
            ("heading", "里程碑"),
            (
                "paragraph",
                "<p>EVT 样机：2026 年 12 月；DVT：2027 年 2 月；PVT 与小批量：2027 年 4 月。</p>",
            ),
            ("callout", "warning", "<p>本纪要含未公开的成本与计划信息，禁止外发。</p>"),
        ],
    },
    {
        "category": "training/onboarding",
        "slug": "first-week-onboarding",
        "title": "新员工入职第一周：产品线与组织架构",
        "summary": "公司简介、四条产品线、各部门职责和常用系统账号的开通方式。",
        "author": "zhaomin",
        "confidentiality": C.INTERNAL,
        "days_ago": 260,
        "body": [
            ("heading", "公司简介"),
            (
                "paragraph",
                "<p>华辰智能装备有限公司成立于 2009 年，总部位于苏州工业园区，"
                "在苏州、重庆、东莞设有生产和服务基地，服务汽车零部件、3C 电子和新能源等行业客户。</p>",
            ),
            ("heading", "四条产品线"),
            (
                "paragraph",
                "<ul><li>运动控制：HC-SD200 伺服驱动器、HC-SM 系列伺服电机</li>"
                "<li>机器人：HCR-6 系列六轴机器人</li><li>视觉：HCV-3000 视觉检测系统</li>"
                "<li>装配：HCT-800 伺服拧紧系统</li></ul>",
            ),
            ("heading", "常用系统"),
            (
                "paragraph",
                "<p>入职当天由信息技术部开通企业邮箱、OA、知库（本系统）和 CRM 账号；"
                "忘记密码请拨打 IT 服务台分机 8000。</p>",
            ),
            ("document", "training-pptx"),
        ],
    },
    {
        "category": "training/service-scripts",
        "slug": "hotline-service-standard",
        "title": "客服热线接听规范与常用话术",
        "summary": "400 热线的接听流程、首问负责制、情绪安抚话术和工单记录要求。",
        "author": "zhaomin",
        "confidentiality": C.INTERNAL,
        "days_ago": 200,
        "body": [
            ("heading", "接听流程"),
            (
                "paragraph",
                "<ol><li>铃响三声内接听：“您好，华辰智能装备客服中心，工号 xxx 为您服务。”</li>"
                "<li>确认客户名称、设备型号和序列号（S/N）。</li>"
                "<li>先在知库中搜索报警代码或现象，能远程解决的当场解决。</li>"
                "<li>无法远程解决的，建工单并告知客户工单号和预计响应时间。</li></ol>",
            ),
            ("heading", "情绪安抚"),
            (
                "paragraph",
                "<p>“非常理解您现在着急的心情，产线停下来确实影响很大，我马上帮您处理。”"
                "避免使用“不可能”“这不归我们管”等说法。</p>",
            ),
            (
                "callout",
                "tip",
                "<p>首问负责制：谁接的电话谁跟进到底，转交他人时必须在工单中写明交接内容。</p>",
            ),
            ("document", "hotline-txt"),
        ],
    },
    {
        "category": "troubleshooting/mechanical",
        "slug": "servo-motor-noise-vibration",
        "title": "伺服电机异响与振动的常见原因",
        "summary": "从机械安装、联轴器对中、增益设置和共振四个方面排查电机异响。",
        "author": "zhangli",
        "confidentiality": C.INTERNAL,
        "days_ago": 60,
        "body": [
            ("heading", "先区分机械还是电气"),
            (
                "paragraph",
                "<p>将驱动器切换为伺服 OFF，用手盘动负载：如仍有异响，多为机械问题（轴承、联轴器、"
                "导轨）；伺服 ON 静止时有啸叫，多为增益过高或机械共振。</p>",
            ),
            ("heading", "联轴器对中"),
            (
                "paragraph",
                "<p>径向偏差不超过 0.05 mm，角度偏差不超过 0.05°。膜片联轴器对偏差最敏感，"
                "对中不良时常伴随电机轴承温升异常。</p>",
            ),
            ("heading", "机械共振"),
            (
                "paragraph",
                "<p>用 HCServo Studio 的 FFT 功能测量共振频率，在 P2-20 设置陷波频率、"
                "P2-21 设置陷波宽度。</p>",
            ),
        ],
    },
    {
        "category": "training/onboarding",
        "slug": "how-to-write-knowledge-articles",
        "title": "知库使用指南：如何写一篇好的知识文章",
        "summary": "标题怎么起、正文怎么组织、何时设为部门可见，以及审核发布流程。",
        "author": "sunhui",
        "confidentiality": C.INTERNAL,
        "days_ago": 30,
        "body": [
            ("heading", "标题"),
            (
                "paragraph",
                "<p>标题写出产品型号和问题本身，例如“HC-SD200 上电报 E-410”，"
                "而不是“一次现场问题的总结”。客户和同事都是按型号和报警代码搜索的。</p>",
            ),
            ("heading", "正文结构"),
            (
                "paragraph",
                "<p>建议按“现象 → 原因 → 处理方法 → 预防措施”组织；"
                "关键参数和命令用代码块，注意事项用提示框。</p>",
            ),
            ("heading", "可见范围"),
            (
                "paragraph",
                "<p>面向客户的内容设为“公开”；只供员工参考的设为“内部”；"
                "研发图纸和未发布产品信息设为“部门”或“机密”，并指定可查看的人员。</p>",
            ),
            (
                "callout",
                "info",
                "<p>每篇文章都会记录修订历史，可以随时比较和回退，不必担心改错。</p>",
            ),
        ],
    },
]
