"""The knowledge tree: top categories and their subcategories, keyed by slug paths."""

from permissions.models import Confidentiality as C

# Every category is published by the knowledge manager. Customer-facing branches are public so the
# help centre can list them; the policy does not inherit confidentiality from a parent.
CATEGORIES = [
    {
        "slug": "product-manuals",
        "title": "产品手册",
        "summary": "华辰各产品线的技术参数、选型说明与使用手册。",
        "confidentiality": C.PUBLIC,
        "children": [
            {
                "slug": "servo-drives",
                "title": "伺服驱动器",
                "summary": "HC-SD200 系列交流伺服驱动器及 HC-SM80 伺服电机。",
            },
            {
                "slug": "industrial-robots",
                "title": "工业机器人",
                "summary": "HCR-6 系列六轴工业机器人、HRC-3 控制柜与 HTP-10 示教器。",
            },
            {
                "slug": "vision-systems",
                "title": "视觉检测系统",
                "summary": "HCV-3000 机器视觉检测系统与 HCVision 软件。",
            },
            {
                "slug": "tightening-systems",
                "title": "伺服拧紧系统",
                "summary": "HCT-800 伺服拧紧轴与拧紧控制器，用于汽车零部件装配线。",
            },
        ],
    },
    {
        "slug": "troubleshooting",
        "title": "故障排除",
        "summary": "报警代码、通讯故障和机械问题的诊断与处理。",
        "confidentiality": C.PUBLIC,
        "children": [
            {
                "slug": "alarm-codes",
                "title": "报警代码",
                "summary": "驱动器、机器人、视觉与拧紧系统的报警代码说明。",
            },
            {
                "slug": "communication",
                "title": "通讯故障",
                "summary": "EtherCAT、Modbus RTU、Profinet 通讯问题排查。",
            },
            {
                "slug": "mechanical",
                "title": "机械与振动",
                "summary": "异响、振动、发热等机械类问题。",
            },
        ],
    },
    {
        "slug": "installation",
        "title": "安装与调试",
        "summary": "现场安装、接线、参数设置与调试方法。",
        "confidentiality": C.PUBLIC,
        "children": [
            {
                "slug": "site-installation",
                "title": "现场安装",
                "summary": "设备到货验收、安装环境、接线与接地。",
            },
            {"slug": "tuning", "title": "参数调试", "summary": "增益调整、惯量识别、振动抑制。"},
        ],
    },
    {
        "slug": "after-sales",
        "title": "售后政策",
        "summary": "保修、维修、备件与服务响应承诺。",
        "confidentiality": C.PUBLIC,
        "children": [
            {"slug": "warranty", "title": "保修条款", "summary": "保修范围、保修期限与免责条款。"},
            {
                "slug": "spare-parts",
                "title": "备件与维修",
                "summary": "备件查询、返修流程与收费标准。",
            },
        ],
    },
    {
        "slug": "rnd-standards",
        "title": "研发规范",
        "summary": "研发中心内部的设计、编码与测试规范。",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd"],
        "children": [
            {
                "slug": "design-standards",
                "title": "设计规范",
                "summary": "硬件、结构与嵌入式软件设计规范。",
            },
            {
                "slug": "test-standards",
                "title": "测试规范",
                "summary": "EMC、环境可靠性与耐久测试。",
            },
        ],
    },
    {
        "slug": "training",
        "title": "培训资料",
        "summary": "新员工培训、产品培训与客服话术。",
        "confidentiality": C.INTERNAL,
        "children": [
            {
                "slug": "onboarding",
                "title": "新员工培训",
                "summary": "公司介绍、产品线概览与制度。",
            },
            {
                "slug": "service-scripts",
                "title": "客服话术",
                "summary": "热线接听、投诉处理与派工流程。",
            },
        ],
    },
    {
        "slug": "customer-cases",
        "title": "客户案例",
        "summary": "典型客户问题的现象、原因与解决过程，供服务与研发复用。",
        "confidentiality": C.INTERNAL,
        "children": [
            {
                "slug": "automotive",
                "title": "汽车零部件行业",
                "summary": "拧紧、焊接、装配线相关案例。",
            },
            {
                "slug": "electronics",
                "title": "电子与新能源行业",
                "summary": "3C 电子、锂电池、家电行业案例。",
            },
        ],
    },
]
