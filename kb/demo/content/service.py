"""The service desk: business hours, SLA policies, service groups, assignment rules, reply
templates drawn from FAQs, and help-centre contact attempts."""

from customers.models import CustomerGrade as G
from customers.tickets.models import ContactOutcome as O
from customers.tickets.models import TicketCategory as Cat
from customers.tickets.models import TicketPriority as P

# The 2026 public holidays and the weekend days worked instead (调休), as announced by the
# General Office of the State Council on 4 November 2025.
BUSINESS_HOURS = {
    "name": "工作日 9:00–18:00",
    "weekdays": [1, 2, 3, 4, 5],
    "start": "09:00",
    "end": "18:00",
    "holidays": [
        # 元旦
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
        # 春节
        "2026-02-15",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-02-21",
        "2026-02-22",
        "2026-02-23",
        # 清明节
        "2026-04-04",
        "2026-04-05",
        "2026-04-06",
        # 劳动节
        "2026-05-01",
        "2026-05-02",
        "2026-05-03",
        "2026-05-04",
        "2026-05-05",
        # 端午节
        "2026-06-19",
        "2026-06-20",
        "2026-06-21",
        # 中秋节
        "2026-09-25",
        "2026-09-26",
        "2026-09-27",
        # 国庆节
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-10-04",
        "2026-10-05",
        "2026-10-06",
        "2026-10-07",
    ],
    "extra_workdays": [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ],
}

# Targets in working minutes of BUSINESS_HOURS.
SLA_POLICIES = [
    {
        "priority": P.URGENT,
        "name": "紧急：1 小时响应，8 小时解决",
        "first_response_minutes": 60,
        "resolution_minutes": 8 * 60,
        "warn_before_minutes": 30,
    },
    {
        "priority": P.HIGH,
        "name": "高：4 小时响应，24 小时解决",
        "first_response_minutes": 4 * 60,
        "resolution_minutes": 24 * 60,
        "warn_before_minutes": 45,
    },
    {
        "priority": P.NORMAL,
        "name": "普通：12 小时响应，72 小时解决",
        "first_response_minutes": 12 * 60,
        "resolution_minutes": 72 * 60,
        "warn_before_minutes": 60,
    },
    {
        "priority": P.LOW,
        "name": "低：24 小时响应，120 小时解决",
        "first_response_minutes": 24 * 60,
        "resolution_minutes": 120 * 60,
        "warn_before_minutes": 60,
    },
]

# Leads and agents must be service staff (the round-robin and escalations skip anyone else).
AGENT_GROUPS = [
    {"name": "一线服务组", "lead": "wangqiang", "members": ["wangqiang", "zhangli"]},
    {"name": "技术支持组", "lead": "zhangli", "members": ["zhangli", "wangqiang"]},
]

# Tried in order; the first that matches a new ticket fires.
ASSIGNMENT_RULES = [
    {
        "name": "A 类客户故障 → 技术支持组",
        "order": 10,
        "category": Cat.FAULT,
        "customer_grade": G.A,
        "group": "技术支持组",
        "round_robin": True,
        "set_priority": "",
    },
    {
        "name": "投诉 → 一线服务组（高优先级）",
        "order": 20,
        "category": Cat.COMPLAINT,
        "customer_grade": "",
        "group": "一线服务组",
        "round_robin": True,
        "set_priority": P.HIGH,
    },
    {
        "name": "其余工单 → 一线服务组",
        "order": 100,
        "category": "",
        "customer_grade": "",
        "group": "一线服务组",
        "round_robin": False,  # waits in the queue until the lead hands it out
        "set_priority": "",
    },
]

# Reply templates (常用回复) drawn from FAQs: title and text come from the FAQ itself.
# usage_count includes uses from before the demo's tickets.
REPLY_TEMPLATES = [
    {
        "faq": "what-is-e-203",
        "keywords": "E-203, E203, 编码器通讯, 编码器异常, encoder",
        "category": Cat.FAULT,
        "usage_count": 23,
        "created_by": "zhangli",
        "days_ago": 100,
    },
    {
        "faq": "e-204-battery",
        "keywords": "E-204, 编码器电池, 电池电压低, 原点丢失, HC-BAT-01",
        "category": Cat.QUESTION,
        "usage_count": 17,
        "created_by": "zhangli",
        "days_ago": 95,
    },
    {
        "faq": "low-speed-jitter",
        "keywords": "低速抖动, 低速爬行, 惯量比, 增益",
        "category": Cat.QUESTION,
        "usage_count": 11,
        "created_by": "zhangli",
        "days_ago": 60,
    },
    {
        "faq": "robot-a07-battery",
        "keywords": "A-07, 机器人电池, 本体电池, HCR-BAT-6",
        "category": Cat.QUESTION,
        "usage_count": 8,
        "created_by": "zhangli",
        "days_ago": 80,
    },
    {
        "faq": "modbus-read-speed",
        "keywords": "Modbus, RS485, 0x0B00, 读取转速, 寄存器",
        "category": Cat.QUESTION,
        "usage_count": 6,
        "created_by": "wangqiang",
        "days_ago": 75,
    },
    {
        "faq": "spare-parts-lead-time",
        "keywords": "备件, 询价, 报价, 交期, 供货周期, 电池, 风扇",
        "category": Cat.REQUEST,
        "usage_count": 14,
        "created_by": "wangqiang",
        "days_ago": 200,
    },
]

# Help-centre contact form uses over the last 30 days. "answer" is the FAQ that answered a
# deflected one, "suggested" the FAQs shown; "ticket" names the demo ticket (by subject) a portal
# user opened, which also dates the attempt. A visitor's "ticket" without one was kept for a
# call back, with the contact details in the text.
CONTACT_ATTEMPTS = [
    # Answered by an FAQ
    {
        "days_ago": 29,
        "hour": 9,
        "text": "伺服驱动器报 E-203 怎么处理",
        "outcome": O.DEFLECTED,
        "answer": "what-is-e-203",
        "suggested": ["what-is-e-203", "e-204-battery"],
    },
    {
        "days_ago": 28,
        "hour": 14,
        "text": "编码器电池没电了要换什么型号",
        "outcome": O.DEFLECTED,
        "answer": "e-204-battery",
        "suggested": ["e-204-battery", "robot-a07-battery"],
    },
    {
        "days_ago": 27,
        "hour": 10,
        "text": "驱动器一启动就报欠压",
        "outcome": O.DEFLECTED,
        "answer": "e-410-undervoltage",
        "suggested": ["e-410-undervoltage"],
    },
    {
        "days_ago": 26,
        "hour": 16,
        "text": "保修期从发货还是验收开始算",
        "outcome": O.DEFLECTED,
        "answer": "warranty-period",
        "suggested": ["warranty-period", "out-of-warranty-repair-fee"],
    },
    {
        "days_ago": 24,
        "hour": 11,
        "text": "机器人示教器提示电池电压低",
        "outcome": O.DEFLECTED,
        "answer": "robot-a07-battery",
        "suggested": ["robot-a07-battery", "e-204-battery"],
        "user": "wugang",
    },
    {
        "days_ago": 23,
        "hour": 15,
        "text": "Modbus 怎么读电机转速",
        "outcome": O.DEFLECTED,
        "answer": "modbus-read-speed",
        "suggested": ["modbus-read-speed", "sd200-control-modes"],
    },
    {
        "days_ago": 21,
        "hour": 9,
        "text": "HC-SD200 支持 CSP 模式吗",
        "outcome": O.DEFLECTED,
        "answer": "sd200-control-modes",
        "suggested": ["sd200-control-modes"],
    },
    {
        "days_ago": 20,
        "hour": 13,
        "text": "HCR-6-10 最大负载多少公斤",
        "outcome": O.DEFLECTED,
        "answer": "hcr-6-10-payload-accuracy",
        "suggested": ["hcr-6-10-payload-accuracy"],
    },
    {
        "days_ago": 18,
        "hour": 10,
        "text": "视觉系统可以用海康的相机吗",
        "outcome": O.DEFLECTED,
        "answer": "hcv-3000-camera-brands",
        "suggested": ["hcv-3000-camera-brands"],
    },
    {
        "days_ago": 17,
        "hour": 14,
        "text": "拧紧角度超差 NOK 率高",
        "outcome": O.DEFLECTED,
        "answer": "hct-800-nok-t14",
        "suggested": ["hct-800-nok-t14"],
        "user": "wugang",
    },
    {
        "days_ago": 15,
        "hour": 11,
        "text": "过保维修怎么收费",
        "outcome": O.DEFLECTED,
        "answer": "out-of-warranty-repair-fee",
        "suggested": ["out-of-warranty-repair-fee", "warranty-period"],
    },
    {
        "days_ago": 14,
        "hour": 9,
        "text": "备件多久能到货",
        "outcome": O.DEFLECTED,
        "answer": "spare-parts-lead-time",
        "suggested": ["spare-parts-lead-time"],
        "user": "huanglei",
    },
    {
        "days_ago": 12,
        "hour": 15,
        "text": "电机低速运行不平稳",
        "outcome": O.DEFLECTED,
        "answer": "low-speed-jitter",
        "suggested": ["low-speed-jitter", "sd200-control-modes"],
    },
    {
        "days_ago": 11,
        "hour": 10,
        "text": "驱动器工作温度最高多少度",
        "outcome": O.DEFLECTED,
        "answer": "drive-installation-environment",
        "suggested": ["drive-installation-environment"],
    },
    {
        "days_ago": 10,
        "hour": 16,
        "text": "驅動器顯示 E-203 怎麼辦",
        "outcome": O.DEFLECTED,
        "answer": "what-is-e-203",
        "suggested": ["what-is-e-203"],
    },
    {
        "days_ago": 8,
        "hour": 9,
        "text": "更换电池后原点丢失",
        "outcome": O.DEFLECTED,
        "answer": "e-204-battery",
        "suggested": ["e-204-battery"],
        "user": "huanglei",
    },
    {
        "days_ago": 6,
        "hour": 13,
        "text": "主回路电压低报警",
        "outcome": O.DEFLECTED,
        "answer": "e-410-undervoltage",
        "suggested": ["e-410-undervoltage", "drive-installation-environment"],
    },
    {
        "days_ago": 4,
        "hour": 10,
        "text": "质保期多长时间",
        "outcome": O.DEFLECTED,
        "answer": "warranty-period",
        "suggested": ["warranty-period"],
    },
    {
        "days_ago": 2,
        "hour": 15,
        "text": "encoder communication error E-203",
        "outcome": O.DEFLECTED,
        "answer": "what-is-e-203",
        "suggested": ["what-is-e-203"],
    },
    {
        "days_ago": 1,
        "hour": 11,
        "text": "伺服低速爬行怎么调参数",
        "outcome": O.DEFLECTED,
        "answer": "low-speed-jitter",
        "suggested": ["low-speed-jitter"],
    },
    # Turned into a ticket
    {"ticket": "伺服低速运行抖动", "outcome": O.TICKET, "suggested": ["low-speed-jitter"]},
    {
        "ticket": "HCR-6-10 示教器提示 A-07 电池电压低",
        "outcome": O.TICKET,
        "user": "wugang",
        "suggested": ["robot-a07-battery"],
    },
    {
        "ticket": "投诉：编码器线发错型号",
        "outcome": O.TICKET,
        "user": "huanglei",
        "suggested": ["spare-parts-lead-time"],
    },
    {
        "ticket": "建议帮助中心增加拧紧曲线分析视频教程",
        "outcome": O.TICKET,
        "user": "wugang",
        "suggested": ["hct-800-nok-t14"],
    },
    {
        "ticket": "驱动器风扇噪音大",
        "outcome": O.TICKET,
        "user": "huanglei",
        "suggested": ["spare-parts-lead-time", "drive-installation-environment"],
    },
    {
        "days_ago": 25,
        "hour": 10,
        "outcome": O.TICKET,
        "suggested": [],
        "text": "我们想采购 20 台伺服驱动器做新设备，请销售联系我\n— 王先生 <wang.purchase@example.cn> 139 0000 1234",
    },
    {
        "days_ago": 16,
        "hour": 14,
        "outcome": O.TICKET,
        "suggested": ["out-of-warranty-repair-fee"],
        "text": "二手设备上的驱动器坏了，能修吗\n— 刘女士 <liu.maint@example.cn> 136 0000 5678",
    },
    {
        "days_ago": 7,
        "hour": 11,
        "outcome": O.TICKET,
        "suggested": ["sd200-control-modes"],
        "text": "想咨询 HC-SD200 能否配第三方电机\n— 赵工 <zhao.eng@example.cn> 135 0000 9012",
    },
    # Left without either
    {
        "days_ago": 22,
        "hour": 17,
        "text": "EtherCAT 主站偶尔断线",
        "outcome": O.ABANDONED,
        "suggested": ["sd200-control-modes"],
    },
    {
        "days_ago": 13,
        "hour": 9,
        "text": "培训课程怎么报名",
        "outcome": O.ABANDONED,
        "suggested": [],
    },
    {
        "days_ago": 9,
        "hour": 15,
        "text": "驱动器面板 LED 一直闪",
        "outcome": O.ABANDONED,
        "suggested": ["what-is-e-203", "e-410-undervoltage"],
    },
    {
        "days_ago": 3,
        "hour": 14,
        "text": "视觉软件授权怎么续期",
        "outcome": O.ABANDONED,
        "suggested": ["hcv-3000-camera-brands"],
    },
]
