"""Frequently asked questions: mostly public, for the help centre."""

from permissions.models import Confidentiality as C

FAQS = [
    {
        "category": "troubleshooting/alarm-codes",
        "slug": "hengtong-line-3-spare-drives",
        "title": "恒通 3 号焊装线的备用驱动器放在哪里？",
        "question": "恒通 3 号焊装线的备用驱动器放在哪里？",
        "alternatives": "3 号线备机位置\n焊装线备用伺服驱动器",
        "answer": "<p>按贵司与华辰签订的驻厂备件协议，2 台已预设参数的 HC-SD200 备机存放在"
        "3 号焊装线 B 区备件柜（柜门编号 HT-B07），钥匙由设备科保管。更换后请把故障机"
        "交驻厂工程师寄回返修。</p>",
        "products": "HC-SD200",
        "author": "zhangli",
        "confidentiality": C.CUSTOMERS,
        "allowed_customers": ["C0001"],
        "days_ago": 40,
    },
    {
        "category": "troubleshooting/alarm-codes",
        "slug": "what-is-e-203",
        "title": "驱动器显示 E-203 是什么意思？",
        "question": "驱动器显示 E-203 是什么意思？",
        "alternatives": "E-203 报警怎么处理\n伺服报 E203 编码器通讯异常\n驅動器顯示 E-203 怎麼辦\nencoder communication error E-203",
        "answer": "<p>E-203 表示<b>编码器通讯异常</b>：驱动器在规定时间内没有收到编码器的有效数据。</p>"
        "<ol><li>断电后重新插拔驱动器 CN2 和电机端编码器插头；</li>"
        "<li>检查编码器线缆有无压伤、断线，长度超过 20 m 时须使用双绞屏蔽线；</li>"
        "<li>确认编码器线与动力线分开走线，屏蔽层在驱动器侧接地。</li></ol>"
        "<p>以上处理后仍频繁报警，请联系客服热线 400-820-6688。</p>",
        "products": "HC-SD200, HC-SM80, HC-SM130",
        "author": "zhangli",
        "confidentiality": C.PUBLIC,
        "days_ago": 110,
    },
    {
        "category": "troubleshooting/alarm-codes",
        "slug": "e-204-battery",
        "title": "E-204 编码器电池电压低，需要更换什么电池？",
        "question": "E-204 编码器电池电压低，需要更换什么电池？",
        "alternatives": "多圈绝对值编码器电池型号\n伺服电池怎么换\n更换电池后原点丢失",
        "answer": "<p>使用 3.6 V 锂亚电池 ER14505（AA 尺寸），华辰备件号 HC-BAT-01。"
        "<b>请在驱动器控制电源通电的状态下更换</b>，否则多圈位置数据会丢失，需要重新回原点。</p>",
        "products": "HC-SD200",
        "author": "zhangli",
        "confidentiality": C.PUBLIC,
        "days_ago": 100,
    },
    {
        "category": "troubleshooting/alarm-codes",
        "slug": "e-410-undervoltage",
        "title": "伺服上电后报 E-410 主回路欠压怎么办？",
        "question": "伺服上电后报 E-410 主回路欠压怎么办？",
        "alternatives": "E-410 欠压\n驱动器一启动就欠压报警\n主回路电压低",
        "answer": "<p>请先用万用表测量 L1/L2/L3 输入电压（220 V 机型应在 AC 170–264 V 之间），"
        "并检查是否缺相、接触器是否吸合。若电网存在瞬时跌落，可将 P0-25 欠压检测延时"
        "由 20 ms 适当延长至 50 ms。</p>",
        "products": "HC-SD200",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 90,
    },
    {
        "category": "troubleshooting/alarm-codes",
        "slug": "robot-a07-battery",
        "title": "机器人示教器提示 A-07 本体电池电压低怎么办？",
        "question": "机器人示教器提示 A-07 本体电池电压低怎么办？",
        "alternatives": "HCR-6 A-07 报警\n机器人电池更换周期\n示教器提示电池电压低",
        "answer": "<p>A-07 表示机器人本体内保存各轴编码器数据的电池电量不足，请在 2 周内更换"
        "（备件号 HCR-BAT-6，一组 4 节）。更换时控制柜保持通电，打开底座后盖板即可更换。"
        "建议每 2 年定期更换一次。</p>",
        "products": "HCR-6-10",
        "author": "chenjing",
        "confidentiality": C.PUBLIC,
        "days_ago": 85,
    },
    {
        "category": "troubleshooting/communication",
        "slug": "modbus-read-speed",
        "title": "如何通过 Modbus RTU 读取驱动器的实时转速？",
        "question": "如何通过 Modbus RTU 读取驱动器的实时转速？",
        "alternatives": "Modbus 寄存器地址\nRS485 读取电机转速\nPLC 读取伺服速度",
        "answer": "<p>将 P3-00 站号、P3-01 波特率（默认 19200, 8N1）设置好后，"
        "用功能码 03 读取保持寄存器 0x0B00（电机转速，单位 r/min，有符号 16 位）。"
        "例如站号 1 的请求报文：<code>01 03 0B 00 00 01 87 EE</code>。</p>",
        "products": "HC-SD200（M 型）",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 80,
    },
    {
        "category": "product-manuals/servo-drives",
        "slug": "sd200-control-modes",
        "title": "HC-SD200 支持哪些控制模式？",
        "question": "HC-SD200 支持哪些控制模式？",
        "alternatives": "伺服位置模式速度模式转矩模式\nCSP CSV CST 支持吗\n驱动器控制方式",
        "answer": "<p>支持位置、速度、转矩三种基本模式及其切换（参数 P0-03）。"
        "EtherCAT 型号支持 CiA 402 的 CSP、CSV、CST、PP、PV、HM（回原点）模式。</p>",
        "products": "HC-SD200",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 170,
    },
    {
        "category": "product-manuals/industrial-robots",
        "slug": "hcr-6-10-payload-accuracy",
        "title": "HCR-6-10 的最大负载和重复定位精度是多少？",
        "question": "HCR-6-10 的最大负载和重复定位精度是多少？",
        "alternatives": "HCR-6-10 的最大負載是多少\n机器人臂展多长\n六轴机器人精度",
        "answer": "<p>额定负载 10 kg，最大臂展 1420 mm，重复定位精度 ±0.03 mm。"
        "负载重心偏离法兰中心较大时，允许负载会下降，请参考手册中的负载曲线图。</p>",
        "products": "HCR-6-10",
        "author": "chenjing",
        "confidentiality": C.PUBLIC,
        "days_ago": 175,
    },
    {
        "category": "product-manuals/vision-systems",
        "slug": "hcv-3000-camera-brands",
        "title": "HCV-3000 支持哪些工业相机品牌？",
        "question": "HCV-3000 支持哪些工业相机品牌？",
        "alternatives": "HCV-3000 支援哪些工業相機品牌\n可以用海康相机吗\nGigE Vision 相机兼容",
        "answer": "<p>HCVision 3.2 支持符合 GigE Vision 和 USB3 Vision 标准的相机，"
        "已验证海康机器人、大恒图像、Basler、Baumer 等品牌。第三方相机需安装对应的 GenTL 驱动。</p>",
        "products": "HCV-3000, HCVision 3.2",
        "author": "chenjing",
        "confidentiality": C.PUBLIC,
        "days_ago": 130,
    },
    {
        "category": "product-manuals/tightening-systems",
        "slug": "hct-800-nok-t14",
        "title": "HCT-800 拧紧结果 NOK（T-14 角度超差）如何判断原因？",
        "question": "HCT-800 拧紧结果 NOK（T-14 角度超差）如何判断原因？",
        "alternatives": "拧紧角度超差\nT-14 报警\n拧紧 NOK 率高\n螺栓拧紧不合格",
        "answer": "<p>角度偏小通常是螺纹有毛刺、异物或螺栓与螺孔不匹配；角度偏大通常是垫片缺失、"
        "零件变形或螺栓批次摩擦系数变化。请导出拧紧曲线，对比合格件与不合格件的贴合点扭矩，"
        "并检查套筒磨损情况。</p>",
        "products": "HCT-800",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 70,
    },
    {
        "category": "after-sales/warranty",
        "slug": "warranty-period",
        "title": "设备保修期是多久？从什么时候开始计算？",
        "question": "设备保修期是多久？从什么时候开始计算？",
        "alternatives": "保修几年\n质保期多长时间\n保修期从发货还是验收算起",
        "answer": "<p>驱动器、控制器、视觉系统自出厂起 18 个月或验收起 12 个月（以先到者为准）；"
        "电机和机器人本体 24 个月。保修起算日以出厂序列号记录为准。</p>",
        "products": "全部产品",
        "author": "sunhui",
        "confidentiality": C.PUBLIC,
        "days_ago": 290,
    },
    {
        "category": "after-sales/spare-parts",
        "slug": "out-of-warranty-repair-fee",
        "title": "保修期外维修如何收费？",
        "question": "保修期外维修如何收费？",
        "alternatives": "过保维修费用\n返修要多少钱\n上门服务收费标准",
        "answer": "<p>返厂维修收取检测费 300 元/台，维修费按更换的元器件另计，维修后保修 3 个月。"
        "上门服务按人天收费（含差旅），具体以客服报价单为准。</p>",
        "products": "全部产品",
        "author": "wangqiang",
        "confidentiality": C.PUBLIC,
        "days_ago": 250,
    },
    {
        "category": "after-sales/spare-parts",
        "slug": "spare-parts-lead-time",
        "title": "如何查询备件价格和供货周期？",
        "question": "如何查询备件价格和供货周期？",
        "alternatives": "备件报价\n配件多久能到货\n买电池风扇去哪里买",
        "answer": "<p>请提供设备序列号和备件号，通过帮助中心的“联系我们”或客户经理询价。"
        "常用备件（电池、风扇、编码器线）华东仓现货，一般 2 个工作日内发出。</p>",
        "products": "全部产品",
        "author": "wangqiang",
        "confidentiality": C.PUBLIC,
        "days_ago": 240,
    },
    {
        "category": "installation/tuning",
        "slug": "low-speed-jitter",
        "title": "伺服电机低速运行时抖动怎么调？",
        "question": "伺服电机低速运行时抖动怎么调？",
        "alternatives": "低速爬行\n电机低速不平稳\n伺服低速抖动 参数",
        "answer": "<p>先执行惯量识别（P2-10 = 1），确认惯量比正确；然后适当提高速度环增益 P1-01、"
        "减小速度环积分时间 P1-03。若机械有间隙或摩擦不均，可开启摩擦补偿 P2-30。</p>",
        "products": "HC-SD200",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 65,
    },
    {
        "category": "installation/site-installation",
        "slug": "drive-installation-environment",
        "title": "驱动器对安装环境（温度、湿度）有什么要求？",
        "question": "驱动器对安装环境（温度、湿度）有什么要求？",
        "alternatives": "驱动器工作温度\n电柜散热要求\n驱动器能装在潮湿环境吗",
        "answer": "<p>环境温度 0–55 °C（超过 45 °C 须降额使用），湿度 90% RH 以下且不结露，"
        "海拔 1000 m 以下。多台并排安装时左右间距不少于 10 mm，上下不少于 100 mm。</p>",
        "products": "HC-SD200",
        "author": "zhangli",
        "confidentiality": C.PUBLIC,
        "days_ago": 190,
    },
    {
        "category": "training/service-scripts",
        "slug": "onsite-dispatch-process",
        "title": "客户要求上门服务，派工流程是什么？",
        "question": "客户要求上门服务，派工流程是什么？",
        "alternatives": "怎么安排工程师上门\n现场服务派工\n上门服务审批",
        "answer": "<p>在工单中将类型改为“现场服务”，填写地址和联系人，由区域服务主管在 2 小时内指派工程师。"
        "过保客户须先确认报价；涉及停线的按“紧急”优先级处理并同时通知客户经理。</p>",
        "products": "",
        "author": "zhangli",
        "confidentiality": C.INTERNAL,
        "days_ago": 55,
    },
    {
        "category": "rnd-standards/design-standards",
        "slug": "drawing-version-naming",
        "title": "研发图纸的版本号如何命名？",
        "question": "研发图纸的版本号如何命名？",
        "alternatives": "图纸版本规则\nPDM 图号命名\n图纸升版",
        "answer": "<p>图号格式为“产品代号-部件号-流水号”，如 HCR620-J2-0031；"
        "版本号 A0 起，设计阶段按 A0、A1…递增，量产冻结后改为 B0，以此类推。"
        "升版须在 PDM 中走 ECN 流程。</p>",
        "products": "",
        "author": "chenjing",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd"],
        "days_ago": 350,
    },
]
