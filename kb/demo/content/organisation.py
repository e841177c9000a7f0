"""The demo company, its departments and its people."""

from permissions.roles import Role

COMPANY = "华辰智能装备有限公司"
STAFF_MAIL_DOMAIN = "huachen.example.com"

DEPARTMENTS = [
    {"code": "rnd", "name": "研发中心"},
    {"code": "service", "name": "客户服务部"},
    {"code": "training", "name": "培训部"},
    {"code": "quality", "name": "质量管理部"},
    {"code": "sales", "name": "销售部"},
    {"code": "it", "name": "信息技术部"},
]

# "password": "admin" takes KB_ADMIN_PASSWORD, "demo" the shared KB_DEMO_PASSWORD.
USERS = [
    {
        "username": "admin",
        "role": Role.ADMINISTRATOR,
        "last_name": "周",
        "first_name": "建国",
        "departments": ["it"],
        "position": "系统管理员",
        "phone": "0512-6258 3001",
        "password": "admin",
    },
    {
        "username": "zhangli",
        "role": Role.SERVICE_AGENT,
        "last_name": "张",
        "first_name": "丽",
        "departments": ["service"],
        "position": "售后服务工程师",
        "phone": "0512-6258 3120",
        "password": "demo",
    },
    {
        "username": "wangqiang",
        "role": Role.SERVICE_AGENT,
        "last_name": "王",
        "first_name": "强",
        "departments": ["sales", "service"],
        "position": "华东区客户经理",
        "phone": "0512-6258 3215",
        "password": "demo",
    },
    {
        "username": "liuyang",
        "role": Role.RND_ENGINEER,
        "last_name": "刘",
        "first_name": "洋",
        "departments": ["rnd"],
        "position": "伺服驱动高级研发工程师",
        "phone": "0512-6258 3408",
        "password": "demo",
    },
    {
        "username": "chenjing",
        "role": Role.RND_ENGINEER,
        "last_name": "陈",
        "first_name": "静",
        "departments": ["rnd"],
        "position": "机器人应用工程师",
        "phone": "0512-6258 3412",
        "password": "demo",
    },
    {
        "username": "zhaomin",
        "role": Role.TRAINER,
        "last_name": "赵",
        "first_name": "敏",
        "departments": ["training"],
        "position": "技术培训讲师",
        "phone": "0512-6258 3506",
        "password": "demo",
    },
    {
        "username": "sunhui",
        "role": Role.KNOWLEDGE_MANAGER,
        "last_name": "孙",
        "first_name": "慧",
        "departments": ["quality"],
        "position": "知识管理专员",
        "phone": "0512-6258 3603",
        "password": "demo",
    },
    {
        "username": "wugang",
        "role": Role.CUSTOMER,
        "last_name": "吴",
        "first_name": "刚",
        "departments": [],
        "position": "设备科科长",
        "phone": "0512-5781 2266",
        "email": "wugang@hengtong-auto.example.cn",
        "customer": "C0001",
        "password": "demo",
    },
    {
        "username": "huanglei",
        "role": Role.CUSTOMER,
        "last_name": "黄",
        "first_name": "蕾",
        "departments": [],
        "position": "生产部主管",
        "phone": "0574-8690 5512",
        "email": "huanglei@mingyuan-jm.example.cn",
        "customer": "C0002",
        "password": "demo",
    },
]
