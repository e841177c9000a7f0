"""Customer case histories (客户案例): symptom, cause, resolution, outcome."""

from permissions.models import Confidentiality as C

CASES = [
    {
        "category": "customer-cases/automotive",
        "slug": "hengtong-hct-800-nok-rate",
        "title": "恒通汽车零部件：HCT-800 拧紧 NOK 率突然升高",
        "summary": "轮毂轴承装配线 NOK 率由 0.2% 升至 3.2%，原因是套筒磨损叠加螺栓批次变化。",
        "customer": "C0001",
        "product": "HCT-800 伺服拧紧系统",
        "symptom": "<p>轮毂轴承单元装配线 3 号工位连续两天 NOK 率超过 3%，报警多为 T-14 角度超差，"
        "集中在夜班。</p>",
        "cause": "<p>套筒六角内孔磨损导致打滑；同时新批次螺栓表面处理由达克罗改为锌镍，"
        "摩擦系数下降，贴合后转角变大。</p>",
        "resolution": "<p>更换套筒并将套筒纳入每 5 万次点检；与客户工艺部门重新做扭矩-角度试验，"
        "角度窗口由 30°–60° 调整为 35°–70°。</p>",
        "outcome": "NOK 率由 3.2% 降至 0.15%，客户满意",
        "author": "zhangli",
        "confidentiality": C.INTERNAL,
        "days_ago": 40,
    },
    {
        "category": "customer-cases/automotive",
        "slug": "mingyuan-e203-wiring",
        "title": "明远精密：数控送料机频繁报 E-203",
        "summary": "编码器线与变频器动力线同槽走线，屏蔽层未接地，导致编码器通讯受干扰。",
        "customer": "C0002",
        "product": "HC-SD200-10A-M + HC-SM80-10",
        "symptom": "<p>冲压送料机每班报 E-203 编码器通讯异常 5～8 次，复位后可继续运行，"
        "冲床启动瞬间最容易出现。</p>",
        "cause": "<p>现场编码器线与冲床主电机变频器的动力线在同一线槽内并行约 12 m，"
        "且编码器线屏蔽层在驱动器侧悬空。</p>",
        "resolution": "<p>编码器线改走独立金属线槽，屏蔽层用接地夹 360° 接到电柜底板，"
        "变频器输出侧加装磁环。</p>",
        "outcome": "连续运行 30 天无 E-203",
        "author": "zhangli",
        "confidentiality": C.INTERNAL,
        "days_ago": 75,
    },
    {
        "category": "customer-cases/electronics",
        "slug": "xinda-hcv-3000-reflection",
        "title": "鑫达电子：HCV-3000 检测金属外壳划痕误判率高",
        "summary": "环形光源在高反光的阳极氧化外壳上形成光斑，改用同轴光 + 多次曝光合成后解决。",
        "customer": "C0003",
        "product": "HCV-3000 视觉检测系统",
        "symptom": "<p>笔记本电脑铝合金外壳划痕检测误判率（过杀）达 8%，产线需要人工复检。</p>",
        "cause": "<p>阳极氧化表面高反光，环形光源在弧面上形成亮斑，被算法识别为划痕。</p>",
        "resolution": "<p>改用同轴光源并增加一组低角度条形光，两次曝光合成（HDR），"
        "同时把缺陷面积阈值由 0.05 mm² 调整为 0.08 mm²。</p>",
        "outcome": "过杀率降至 0.6%，漏检为零，每条线节省 2 名复检人员",
        "author": "chenjing",
        "confidentiality": C.INTERNAL,
        "days_ago": 100,
    },
    {
        "category": "customer-cases/automotive",
        "slug": "changpeng-robot-a15-collision",
        "title": "长鹏汽车配件：焊接机器人 A-15 碰撞检测误报",
        "summary": "更换焊枪后未更新工具负载参数，机器人高速转向时误判为碰撞。",
        "customer": "C0004",
        "product": "HCR-6-10 + 弧焊工作站",
        "symptom": "<p>副车架焊接工作站在 J4/J6 快速转动时随机报 A-15 碰撞检测并急停，"
        "每天 3～4 次，影响节拍。</p>",
        "cause": "<p>客户将焊枪更换为水冷焊枪，重量由 3.2 kg 增加到 4.6 kg，"
        "但工具负载参数（质量、重心）未更新。</p>",
        "resolution": "<p>使用示教器的负载自动辨识功能重新识别工具负载，"
        "碰撞检测灵敏度由 80% 调为 90%，并为客户做了换枪后必须辨识负载的培训。</p>",
        "outcome": "误报消除，节拍恢复到 58 秒/件",
        "author": "chenjing",
        "confidentiality": C.INTERNAL,
        "days_ago": 120,
    },
    {
        "category": "customer-cases/electronics",
        "slug": "binhai-ethercat-e620",
        "title": "滨海新能源：叠片机 EtherCAT 同步丢失（E-620）",
        "summary": "32 轴叠片机随机报 E-620，定位为 DC 同步补偿算法缺陷，固件 V2.3.5 修复。",
        "customer": "C0005",
        "product": "HC-SD200-04A-E（32 轴）",
        "symptom": "<p>锂电池叠片机运行 4～10 小时后随机有一个轴报 E-620，主站报 WKC 错误，"
        "更换网线和驱动器后问题依旧。</p>",
        "cause": "<p>研发复现后确认：DC 周期为 500 µs 且从站数量超过 30 个时，"
        "固件 V2.3.2 的同步偏移补偿存在累积误差，超过阈值即报同步丢失。</p>",
        "resolution": "<p>研发发布固件 V2.3.5 修正补偿算法；现场升级全部 32 台驱动器，"
        "并将 DC 周期临时调整为 1 ms 作为过渡。</p>",
        "outcome": "升级后连续运行 45 天无 E-620；固件已纳入标准出货版本",
        "author": "liuyang",
        "confidentiality": C.DEPARTMENT,
        "owning_departments": ["rnd", "service"],
        "days_ago": 50,
    },
    {
        "category": "customer-cases/electronics",
        "slug": "ruifeng-motor-noise",
        "title": "瑞丰家电：输送线伺服电机异响、轴承过热",
        "summary": "电机与减速机之间膜片联轴器对中不良，导致轴承异常磨损。",
        "customer": "C0006",
        "product": "HC-SM130-15 + 行星减速机",
        "symptom": "<p>空调外机总装线输送电机运行中有周期性“咔咔”声，电机前端轴承处温度达 85 °C。</p>",
        "cause": "<p>电机安装板焊接变形，电机与减速机径向偏差约 0.3 mm，远超膜片联轴器允许值。</p>",
        "resolution": "<p>更换电机前轴承，重新加工安装板并用百分表对中至 0.03 mm 以内。</p>",
        "outcome": "异响消除，轴承温度降至 48 °C",
        "author": "wangqiang",
        "confidentiality": C.INTERNAL,
        "days_ago": 35,
    },
    {
        "category": "customer-cases/automotive",
        "slug": "yongsheng-e410-grid",
        "title": "臺灣永晟精密：驅動器 E-410 欠壓頻繁報警",
        "summary": "台中廠區電網電壓跌落導致 E-410，加裝穩壓電源並調整欠壓延時後解決。",
        "customer": "C0008",
        "product": "HC-SD200-15A",
        "symptom": "<p>CNC 上下料設備在廠內空壓機啟動時，驅動器頻繁報 E-410 主迴路欠壓，"
        "每日約 10 次。</p>",
        "cause": "<p>廠區變壓器容量不足，空壓機啟動瞬間電壓由 AC 220 V 跌至約 165 V，持續約 40 ms。</p>",
        "resolution": "<p>設備電源加裝 5 kVA 穩壓電源；P0-25 欠壓檢測延時由 20 ms 調整為 60 ms。"
        "同時建議客戶將空壓機改為軟啟動。</p>",
        "outcome": "報警消除，客户追加采购 12 台",
        "author": "wangqiang",
        "confidentiality": C.INTERNAL,
        "days_ago": 140,
    },
    {
        "category": "customer-cases/automotive",
        "slug": "changpeng-tightening-data-loss",
        "title": "长鹏汽车配件：拧紧数据丢失导致追溯风险（重大质量事件）",
        "summary": "控制器与 MES 断线期间的拧紧结果未缓存，约 1,200 件产品缺少追溯记录。",
        "customer": "C0004",
        "product": "HCT-800 拧紧控制器 固件 V1.8",
        "symptom": "<p>客户审核追溯记录时发现某日 14:00–17:30 约 1,200 件转向节缺少拧紧数据，"
        "主机厂要求 48 小时内给出处置方案，存在整批召回风险。</p>",
        "cause": "<p>交换机故障导致控制器与 MES 断线；固件 V1.8 的 Open Protocol 断线缓存仅 500 条，"
        "超出部分被覆盖。</p>",
        "resolution": "<p>从控制器本地日志恢复约 700 条曲线数据；其余产品由客户拆检复拧。"
        "固件 V1.9 将缓存扩大到 20,000 条并增加断线报警；我司承担复拧人工费用。</p>",
        "outcome": "未发生召回；赔偿 8.6 万元；8D 报告已关闭",
        "author": "sunhui",
        "confidentiality": C.CONFIDENTIAL,
        "allowed_groups": ["administrator"],
        "allowed_users": ["zhangli", "wangqiang", "sunhui"],
        "days_ago": 65,
    },
]
