"""Structured knowledge (结构化知识): a fault-code template and items filled in from it.

Document links name a document of documents.py by its "key"; the loader stores its pk.
"""

from permissions.models import Confidentiality as C

TEMPLATES = [
    {
        "name": "故障代码",
        "description": "各产品线报警/故障代码的统一记录：严重程度、受影响产品线、首次出现时间、"
        "平均修复时长与对应手册，便于客服和现场工程师按条件筛选。",
        "fields": [
            {
                "label": "故障代码",
                "key": "code",
                "kind": "text",
                "required": True,
                "help_text": "设备面板或示教器上显示的代码，如 E-203。",
            },
            {
                "label": "严重程度",
                "key": "severity",
                "kind": "choice",
                "required": True,
                "choices": "提示\n一般\n严重\n停机",
            },
            {"label": "受影响产品线", "key": "product_line", "kind": "text"},
            {"label": "首次出现", "key": "first_seen", "kind": "date"},
            {
                "label": "平均修复时长（小时）",
                "key": "mttr_hours",
                "kind": "number",
                "help_text": "从报修到恢复生产的平均小时数。",
            },
            {"label": "相关手册", "key": "manual", "kind": "document", "filterable": False},
        ],
    },
]

STRUCTURED_ITEMS = [
    {
        "template": "故障代码",
        "category": "troubleshooting/alarm-codes",
        "slug": "fault-e-101",
        "title": "E-101 过电流",
        "summary": "驱动器输出电流超过允许值，多由动力线短路或电机绝缘下降引起。",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 120,
        "data": {
            "code": "E-101",
            "severity": "停机",
            "product_line": "伺服驱动器",
            "first_seen": "2023-04-18",
            "mttr_hours": 3,
            "manual": "sd200-manual",
        },
    },
    {
        "template": "故障代码",
        "category": "troubleshooting/alarm-codes",
        "slug": "fault-e-203",
        "title": "E-203 编码器通讯异常",
        "summary": "编码器线受干扰或屏蔽层未接地，冲床等大功率设备启动瞬间最常见。",
        "author": "liuyang",
        "confidentiality": C.PUBLIC,
        "days_ago": 75,
        "data": {
            "code": "E-203",
            "severity": "严重",
            "product_line": "伺服驱动器",
            "first_seen": "2024-09-02",
            "mttr_hours": 1.5,
            "manual": "sd200-manual",
        },
    },
    {
        "template": "故障代码",
        "category": "troubleshooting/alarm-codes",
        "slug": "fault-e-512",
        "title": "E-512 位置偏差过大",
        "summary": "位置环跟随误差超过 P2-35 设定，检查负载惯量、增益与机械卡滞。",
        "author": "chenjing",
        "confidentiality": C.PUBLIC,
        "days_ago": 40,
        "data": {
            "code": "E-512",
            "severity": "一般",
            "product_line": "伺服驱动器",
            "first_seen": "2024-02-27",
            "mttr_hours": 0.5,
            "manual": "alarm-table",
        },
    },
    {
        "template": "故障代码",
        "category": "troubleshooting/alarm-codes",
        "slug": "fault-a-15",
        "title": "A-15 机器人碰撞检测",
        "summary": "关节力矩超过碰撞检测阈值，机器人急停；确认工装干涉后再复位。",
        "author": "chenjing",
        "confidentiality": C.PUBLIC,
        "days_ago": 20,
        "data": {
            "code": "A-15",
            "severity": "停机",
            "product_line": "工业机器人",
            "first_seen": "2025-06-11",
            "mttr_hours": 4,
            "manual": "alarm-table",
        },
    },
    {
        "template": "故障代码",
        "category": "troubleshooting/alarm-codes",
        "slug": "fault-t-14",
        "title": "T-14 拧紧角度超差",
        "summary": "最终角度超出窗口，常见原因是套筒磨损或螺栓表面处理变化（内部分析）。",
        "author": "liuyang",
        "confidentiality": C.INTERNAL,
        "days_ago": 35,
        "data": {
            "code": "T-14",
            "severity": "一般",
            "product_line": "伺服拧紧系统",
            "first_seen": "2025-03-05",
            "mttr_hours": 6.5,
            "manual": "tightening-test-pdf",
        },
    },
]
