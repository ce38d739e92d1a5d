"""Every Chinese and English string that figures, maps and the brief show, in one place.

Plot, map and brief code never hard-codes display text: it asks :func:`text` (or one of the
helpers below) for a key in a language. Keeping all strings here lets a test check that the
bundled font has an outline for every character the Chinese text uses, and gives translators
one file to edit. Metric labels come from :mod:`sim.metrics.registry` (one entry per
metric); :data:`METRICS` joins them with the per-patient column labels.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

from sim.core.errors import UserError
from sim.metrics import registry
from sim.metrics.compute import STAGES as CHAIN_STAGES
from sim.network.core import OSM_ATTRIBUTION, SYNTHETIC_ATTRIBUTION

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class Text(NamedTuple):
    """One display string in both languages (may hold ``str.format`` fields)."""

    zh: str
    en: str


class Assumption(NamedTuple):
    """One main model assumption for the brief, with where its value comes from.

    The source is bilingual too: authors and journal titles stay as published, the rest of
    the citation is given in the reader's language.
    """

    what: Text
    source: Text


#: Stages of the time-to-treatment chain, in chain order (the ``stage`` column values).
STAGE_ORDER: tuple[str, ...] = CHAIN_STAGES

STAGES: dict[str, Text] = {
    "injury_to_call": Text("受伤至呼救", "Injury to call"),
    "call_to_answer": Text("呼叫至接听", "Call to answer"),
    "answer_to_dispatch": Text("接听至派车", "Answer to dispatch"),
    "turnout": Text("出车准备", "Turn-out"),
    "drive_to_scene": Text("赶赴现场", "Drive to scene"),
    "scene": Text("现场处置", "On scene"),
    "transport": Text("转运途中", "Transport"),
    "arrival_to_definitive": Text("到院至确定性救治", "Arrival to definitive care"),
    "total": Text("合计（受伤至确定性救治）", "Total (injury to definitive care)"),
}

#: Outcome metrics of ``comparison.csv`` drawn by ``averted_bars`` (the brief's second table).
AVERTED_METRICS: tuple[str, ...] = registry.AVERTED

#: The averted counts (same scale); DALYs are drawn on their own axes.
AVERTED_COUNT_METRICS: tuple[str, ...] = tuple(m for m in AVERTED_METRICS if "dalys" not in m)

#: Per-patient columns charts put on an axis (KPIs and comparison rows: the registry).
COLUMNS: dict[str, Text] = {
    "injury_to_definitive_min": Text(
        "受伤至确定性救治时间（分钟）", "Injury to definitive care (min)"
    ),
    "response_min": Text(
        "响应时间（分钟，接听至到达现场）", "Response time (min, answer to scene)"
    ),
    "consult_wait_min": Text("专家会诊等待时间（分钟）", "Wait for expert consultation (min)"),
    "minutes_saved": Text(
        "节省的受伤至确定性救治时间（分钟）", "Minutes saved, injury to definitive care"
    ),
}

#: Ranged [U] operational and mechanism fields (paths of sim.config.uncertain), as the
#: all-assumptions tornado and EVPPI tables show them.
OPERATIONAL_PARAMETERS: dict[str, Text] = {
    "calls.ring_min": Text("接听前振铃时间", "Ring time before pick-up"),
    "calls.call_taking_min": Text("接警及核实地址时间", "Call-taking and address check"),
    "calls.location_problem_share": Text("难以定位的呼救比例", "Share of calls hard to locate"),
    "calls.location_problem_min": Text("难以定位时的额外时间", "Extra minutes to locate a caller"),
    "calls.triage_accuracy": Text("电话分级准确率", "Call triage accuracy"),
    "calls.wrong_centre_share": Text("打到错误中心的比例", "Share of calls to the wrong centre"),
    "calls.transfer_min": Text("中心间转接时间", "Inter-centre call transfer"),
    "calls.caller.rtc_police_first_share": Text(
        "先报 110/122 的车祸比例", "Crashes first reported to 110/122"
    ),
    "calls.caller.police_handoff_min": Text(
        "110/122 转 120 的时间", "110/122 to 120 hand-off time"
    ),
    "fleet.turnout_min": Text("出车准备时间", "Ambulance turn-out time"),
    "fleet.on_scene_min": Text("创伤现场处置时间", "Scene time, trauma"),
    "fleet.non_trauma_on_scene_min": Text("非创伤现场处置时间", "Scene time, non-trauma"),
    "fleet.entrapment_share_rtc": Text("车祸被困比例", "Share of crash patients trapped"),
    "fleet.entrapment_extra_min": Text("解救被困者的额外时间", "Extra minutes for extrication"),
    "fleet.handover_min": Text("到院交接时间", "Handover at hospital"),
    "fleet.not_transported_share_minor": Text("轻伤不转运比例", "Minor trauma not transported"),
    "hospital.arrival_to_definitive_min": Text(
        "到院至确定性救治时间（各级医院）", "Arrival to definitive care (all tiers)"
    ),
    "hospital.minor_arrival_to_definitive_min": Text(
        "轻伤到院至救治时间", "Arrival to treatment, minor trauma"
    ),
    "hospital.surgery_min": Text("手术室占用时间", "Operating-theatre time"),
    "hospital.transfer_decision_min": Text("院间转运决定时间", "Inter-facility transfer decision"),
    "demand.non_dispatch_calls.advice_per_dispatch_call": Text(
        "咨询电话数（每次派车）", "Advice calls per dispatch"
    ),
    "demand.non_dispatch_calls.duplicate_per_dispatch_call": Text(
        "重复呼救数（每次派车）", "Duplicate calls per dispatch"
    ),
    "demand.non_dispatch_calls.hang_up_per_dispatch_call": Text(
        "挂断及无效电话数（每次派车）", "Hang-ups per dispatch"
    ),
    "demand.non_dispatch_calls.transfer_per_dispatch_call": Text(
        "转其他部门电话数（每次派车）", "Calls passed on per dispatch"
    ),
    "demand.non_dispatch_calls.advice_min": Text("咨询电话时长", "Advice call length"),
    "demand.non_dispatch_calls.duplicate_min": Text("重复呼救时长", "Duplicate call length"),
    "demand.non_dispatch_calls.hang_up_min": Text("挂断电话时长", "Hang-up call length"),
    "demand.non_dispatch_calls.transfer_min": Text("转接电话时长", "Passed-on call length"),
    "demand.non_dispatch_calls.duplicate_delay_min": Text(
        "重复呼救的间隔时间", "Delay to a duplicate call"
    ),
    "mechanisms.internet_plus_120.aml_coverage": Text(
        "手机自动定位覆盖率", "Handset location (AML) coverage"
    ),
    "mechanisms.internet_plus_120.aml_location_saving_min": Text(
        "自动定位节省的接警时间", "Call-taking time saved by AML"
    ),
    "mechanisms.internet_plus_120.aml_location_problem_removed": Text(
        "自动定位消除的定位困难比例", "Locating delays removed by AML"
    ),
    "mechanisms.internet_plus_120.acn_equipped_share": Text(
        "装有自动碰撞报警的车辆比例", "Vehicles with automatic crash notification"
    ),
    "mechanisms.internet_plus_120.acn_call_delay_min": Text(
        "自动碰撞报警的呼救时间", "Injury to call with automatic notification"
    ),
    "mechanisms.internet_plus_120.video_first_aid_share": Text(
        "视频指导急救比例", "Share given video-guided first aid"
    ),
    "mechanisms.internet_plus_120.video_first_aid_start_min": Text(
        "视频指导急救开始时间", "Start of video-guided first aid"
    ),
    "mechanisms.police_linkage.police_turnout_min": Text("交警出警准备时间", "Police turn-out"),
    "mechanisms.police_linkage.police_scene_min": Text("交警现场时间", "Police time on scene"),
    "mechanisms.police_linkage.police_first_aid_share": Text(
        "交警现场急救比例", "Share of crashes with police first aid"
    ),
    "mechanisms.police_linkage.police_first_aid_start_min": Text(
        "交警到达至急救开始时间", "Police arrival to first aid"
    ),
    "mechanisms.police_linkage.escort_share": Text("警车护送比例", "Share of transports escorted"),
    "mechanisms.police_linkage.escort_congestion_removed": Text(
        "护送消除的拥堵延误比例", "Congestion delay removed by escort"
    ),
    "mechanisms.police_linkage.prenotify_share": Text(
        "交警提前通知医院的比例", "Share pre-notified by police"
    ),
    "mechanisms.expert_consultation.consult_min": Text("专家会诊时长", "Consultation length"),
    "mechanisms.expert_consultation.undertriage_reduction": Text(
        "会诊减少的现场分级不足", "Under-triage reduction by consultation"
    ),
    "mechanisms.expert_consultation.preactivation_saving_min": Text(
        "创伤团队提前启动节省的时间", "Minutes saved by trauma-team pre-activation"
    ),
    "mechanisms.expert_consultation.transfer_avoided_share": Text(
        "会诊避免的转院比例", "Transfers avoided by consultation"
    ),
    "mechanisms.expert_consultation.transfer_decision_speedup": Text(
        "会诊加快的转院决定", "Transfer decision speed-up"
    ),
    "mechanisms.prenotification.share": Text("院前预警比例", "Share of patients pre-notified"),
    "mechanisms.prenotification.saving_min": Text(
        "院前预警节省的时间（各级医院）", "Minutes saved by pre-notification (all tiers)"
    ),
}

#: Scenario fields that sweeps commonly vary (axis labels of the response surface); a field
#: not listed is shown by its dotted name.
SWEEP_FIELDS: dict[str, Text] = {
    "fleet.ambulances": Text("救护车数量（辆）", "Ambulances"),
    "mechanisms.internet_plus_120.aml_coverage": Text(
        "来电手机定位覆盖率", "Share of callers located (AML)"
    ),
    "mechanisms.internet_plus_120.enabled": Text("互联网+120", "Internet + 120"),
    "mechanisms.police_linkage.enabled": Text("警医联动", "Police-medical linkage"),
    "mechanisms.expert_consultation.enabled": Text("专家组会诊", "Expert consultation"),
    "mechanisms.prenotification.enabled": Text("院前预通知", "Pre-notification"),
}

#: Every metric label: the registry's (:mod:`sim.metrics.registry`), then the columns.
METRICS: dict[str, Text] = {
    **{m.name: Text(m.zh, m.en) for m in registry.METRICS.values()},
    **COLUMNS,
}

#: Uncertain outcome parameters (``UncertainParameter.name`` in sim.outcomes.params), as
#: the tornado chart and PSA tables show them; sources are in evidence sections E, G, D.
PARAMETERS: dict[str, Text] = {
    "beta_major_trauma": Text(
        "重伤（ISS≥16）死亡风险随时间的斜率", "Death-risk slope per minute, ISS ≥ 16"
    ),
    "beta_torso_haemorrhage": Text(
        "躯干出血死亡风险随时间的斜率", "Death-risk slope per minute, torso haemorrhage"
    ),
    "beta_surgical_tbi": Text(
        "需手术颅脑损伤死亡风险随时间的斜率", "Death-risk slope per minute, surgical brain injury"
    ),
    "beta_minor": Text(
        "轻伤（ISS<16）死亡风险随时间的斜率", "Death-risk slope per minute, ISS < 16"
    ),
    "beta_scene": Text("现场每分钟的死亡风险", "Death risk per minute on scene"),
    "beta_transport": Text("转运每分钟的死亡风险", "Death risk per minute of transport"),
    "kappa": Text(
        "时间对残疾的影响（相对于对死亡的影响）", "Effect of time on disability vs on death"
    ),
    "rr_capable_care": Text(
        "创伤中心救治的院内死亡相对风险", "In-hospital death risk ratio, trauma centre care"
    ),
    "bystander_first_aid_share": Text(
        "基线旁观者急救比例（无视频指导）", "Baseline bystander first-aid share (unguided)"
    ),
    "hazard_HT": Text("院前死亡风险率：躯干出血", "Prehospital death hazard: torso haemorrhage"),
    "hazard_HL": Text("院前死亡风险率：肢体出血", "Prehospital death hazard: limb haemorrhage"),
    "hazard_TBS": Text(
        "院前死亡风险率：需手术颅脑损伤", "Prehospital death hazard: surgical brain injury"
    ),
    "hazard_AW": Text("院前死亡风险率：气道及胸部损伤", "Prehospital death hazard: airway/chest"),
    "hazard_MS": Text(
        "院前死亡风险率：其他多发伤", "Prehospital death hazard: other multiple injury"
    ),
    "first_aid_factor_limb": Text(
        "现场急救后肢体出血风险的保留比例", "Limb-bleeding hazard kept after bystander first aid"
    ),
    "first_aid_factor_other": Text(
        "现场急救后其他伤型风险的保留比例", "Other injuries' hazard kept after bystander first aid"
    ),
    "dw_gr_lower": Text("残疾权重：轻度功能受限", "Disability weight: mild limitation"),
    "dw_md": Text("残疾权重：中度残疾", "Disability weight: moderate disability"),
    "dw_sd": Text("残疾权重：重度残疾", "Disability weight: severe disability"),
    "dw_vs": Text("残疾权重：植物状态", "Disability weight: vegetative state"),
    "tbi_gamma": Text(
        "颅脑损伤清除血肿延迟对残疾的影响", "Disability shift per minute to brain-lesion evacuation"
    ),
    "sci_share_of_ms": Text("多发伤中脊髓损伤比例", "Spinal cord injury share of multiple injury"),
    "sci_deterioration": Text(
        "脊柱固定前脊髓继发损伤风险", "Secondary cord injury hazard before immobilisation"
    ),
    "sci_recovery_slope": Text(
        "减压延迟对脊髓功能恢复的影响", "Fall in cord recovery per minute to decompression"
    ),
    "sci_tetraplegia_share": Text("脊髓损伤中四肢瘫比例", "Tetraplegia share of cord injury"),
    "limb_vascular_share": Text("肢体出血中动脉损伤比例", "Arterial injury share of limb bleeding"),
    "limb_amputation_slope": Text(
        "肢体缺血时间对截肢风险的影响", "Amputation risk per minute of limb ischaemia"
    ),
    "dw_tetraplegia": Text("残疾权重：四肢瘫", "Disability weight: tetraplegia"),
    "dw_paraplegia": Text("残疾权重：截瘫", "Disability weight: paraplegia"),
    "dw_sci_recovered": Text(
        "残疾权重：脊髓损伤后功能恢复", "Disability weight: recovered cord injury"
    ),
    "dw_amputation": Text("残疾权重：下肢截肢", "Disability weight: leg amputation"),
    "alpha_cal": Text("院内死亡校准截距", "In-hospital death intercept (calibrated)"),
    "alpha_TBS": Text("校准截距：需手术颅脑损伤", "Calibrated intercept: surgical brain injury"),
    "alpha_TBN": Text(
        "校准截距：非手术颅脑损伤", "Calibrated intercept: non-surgical brain injury"
    ),
    "alpha_MN": Text("校准截距：轻伤", "Calibrated intercept: minor injury"),
    **OPERATIONAL_PARAMETERS,
}

#: Road networks by the name results carry (``network`` in manifests).
NETWORKS: dict[str, Text] = {
    "hangzhou_west": Text("杭州西部（OpenStreetMap 路网）", "Hangzhou west (OpenStreetMap)"),
    "synthetic_county": Text("合成县（合成路网）", "Synthetic county (generated roads)"),
    "synthetic_province": Text("合成省域（合成路网）", "Synthetic province (generated roads)"),
}


#: Credit lines of road data (``attribution`` in manifests). The OpenStreetMap line stays
#: as the licence requires it, with a Chinese gloss after it.
ATTRIBUTIONS: dict[str, Text] = {
    OSM_ATTRIBUTION: Text(
        f"{OSM_ATTRIBUTION}（OpenStreetMap 贡献者，开放数据库许可协议 1.0）", OSM_ATTRIBUTION
    ),
    SYNTHETIC_ATTRIBUTION: Text("合成路网（非真实数据）", SYNTHETIC_ATTRIBUTION),
}


def attribution_label(attribution: str, lang: str) -> str:
    """A manifest's credit line in ``lang`` (unknown lines are shown as they are)."""
    return lookup(ATTRIBUTIONS, attribution, lang)


def network_label(name: str, lang: str) -> str:
    """Display name of a road network (its own name if it is not listed)."""
    item = NETWORKS.get(name)
    return name if item is None else pick(item, lang)


RESOURCES: dict[str, Text] = {
    "ambulance": Text("救护车", "Ambulances"),
    "call_taker": Text("120 受理席位", "120 call-takers"),
    "expert": Text("会诊专家", "Consultation experts"),
}

ZONES: dict[str, Text] = {
    "urban": Text("城区（目标 ≤{target} 分钟）", "Urban (target ≤{target} min)"),
    "rural": Text("农村（目标 ≤{target} 分钟）", "Rural (target ≤{target} min)"),
}

FACILITY_KINDS: dict[str, Text] = {
    "station": Text("急救站", "Ambulance station"),
    "hospital": Text("医院", "Hospital"),
    "police": Text("公安交警", "Police"),
    "centre": Text("120 指挥中心", "120 dispatch centre"),
}

HOSPITAL_TIERS: dict[str, Text] = {
    "trauma_centre": Text("创伤中心", "Trauma centre"),
    "city": Text("市级医院", "City hospital"),
    "county": Text("县级医院", "County hospital"),
}

#: Road classes grouped for map legends (keys of :data:`sim.network.core.ROAD_CLASSES`).
ROAD_GROUPS: dict[str, Text] = {
    "motorway": Text("高速公路、快速路", "Motorway, trunk"),
    "primary": Text("主干道", "Primary"),
    "secondary": Text("次干道", "Secondary, tertiary"),
    "minor": Text("支路及其他", "Minor roads"),
}

UI: dict[str, Text] = {
    # charts
    "minutes": Text("分钟", "minutes"),
    "mean_minutes": Text("平均时间（分钟）", "Mean time (min)"),
    "scenario": Text("情景", "Scenario"),
    "stage": Text("环节", "Stage"),
    "cumulative_share": Text("累计比例", "Cumulative share"),
    "share_within_target": Text("达标比例（%）", "Share within target (%)"),
    "utilisation_pct": Text("利用率（%）", "Utilisation (%)"),
    "hour_of_day": Text("时段（时）", "Hour of day"),
    "averted": Text("每年避免数（相对基线）", "Averted per year (vs baseline)"),
    "ci95": Text("95% 置信区间", "95% CI"),
    "psa_interval": Text("概率敏感性分析区间", "PSA interval"),
    "target_line": Text("目标 {target} 分钟", "Target {target} min"),
    "tornado_low": Text("参数取低值", "Parameter at low value"),
    "tornado_high": Text("参数取高值", "Parameter at high value"),
    "base_value": Text("基准结果", "Base result"),
    "wtp_axis": Text("意愿支付阈值（元/伤残调整生命年）", "Willingness to pay (yuan per DALY)"),
    "p_cost_effective": Text("具有成本效果的概率", "Probability cost-effective"),
    "gdp_multiple": Text("{k}倍人均GDP", "{k}x GDP per capita"),
    "cost_axis_myuan": Text("每年增量成本（百万元）", "Incremental cost (million yuan per year)"),
    "frontier": Text("效率前沿", "Efficiency frontier"),
    "design_points": Text("设计点", "Design points"),
    "budget_line": Text("预算 {budget} 百万元", "Budget {budget} M yuan"),
    "best_in_budget": Text("预算内最优", "Best within budget"),
    "diff_vs_base_of": Text("相对基线的变化：{metric}", "Change vs base: {metric}"),
    "base_strategy": Text("基线（不变）", "Base (no change)"),
    "switch_on": Text("开启", "on"),
    "switch_off": Text("关闭", "off"),
    # maps
    "response_colorbar": Text("响应时间（分钟）", "Response time (min)"),
    "minutes_to_station": Text("距最近急救站车程（分钟）", "Drive from nearest station (min)"),
    "expected_response": Text("预计响应时间（分钟）", "Expected response time (min)"),
    "offset_item": Text("{scenario} {minutes:.1f} 分钟", "{scenario} {minutes:.1f} min"),
    "list_sep": Text("；", "; "),
    "band_within": Text("≤{hi:g} 分钟", "≤{hi:g} min"),
    "band_between": Text("{lo:g}–{hi:g} 分钟", "{lo:g}–{hi:g} min"),
    "band_beyond": Text(">{lo:g} 分钟", ">{lo:g} min"),
    "unreachable": Text("不可达", "Unreachable"),
    "not_reached": Text("未到达现场", "Not reached"),
    "incident_scale": Text(
        "事件颜色：响应时间 0–{top:.0f} 分钟", "Incident colour: response 0–{top:.0f} min"
    ),
    "synthetic_map_note": Text("合成路网，非真实数据", "synthetic network, not real data"),
    "baseline": Text("基线", "Baseline"),
    "integrated": Text("一体化", "Integrated"),
    "roads": Text("道路", "Roads"),
    "incidents": Text("事件", "Incidents"),
    "facilities": Text("设施", "Facilities"),
    "outside_roads": Text("路网数据范围以外的设施", "Facility outside the road data"),
    "longitude": Text("经度", "Longitude"),
    "latitude": Text("纬度", "Latitude"),
}

#: What the console (``sim.cli.report``) prints, for ``--lang zh`` and ``--lang en``.
CONSOLE: dict[str, Text] = {
    "col_metric": Text("指标", "metric"),
    "col_mean": Text("均值", "mean"),
    "col_ci": Text("95% 置信区间", "95% CI"),
    "col_scenario": Text("情景", "scenario"),
    "col_stage": Text("环节", "stage"),
    "col_improvement": Text("相对基线的改善", "improvement vs base"),
    "col_psa": Text("概率敏感性分析区间", "PSA interval"),
    "col_psa_all": Text("全部假设区间", "All assumptions"),
    "no_ci": Text("–（至少需要 2 次重复）", "– (needs ≥ 2 replications)"),
    "no_mean": Text("–（没有伤员经过这一环节）", "– (no patient reached this step)"),
    "no_psa": Text("–（时间指标，无概率敏感性分析）", "– (time metric: no PSA)"),
    "saved": Text("节省", "saved"),
    "kpis_title": Text("{scenario}：主要指标（{reps} 次重复）", "{scenario}: KPIs ({reps} reps)"),
    "stages_title": Text(
        "各环节时间（重伤员）：均值（分钟），以及相对{base}节省的分钟数"
        "（正值表示更快；95% 置信区间）",
        "Where the minutes go (severe trauma): mean min, and minutes saved vs {base} "
        "(positive = faster; 95% CI)",
    ),
    "demo_banner": Text(
        "合成县（非真实数据），{reps} 次重复 × {days:g} 天",
        "synthetic county (not real data), {reps} replications × {days:g} days",
    ),
    "backlog_note": Text(
        "注意：响应时间指标只覆盖 {share} 的伤员；{missed} / {patients} 名伤员在模拟结束前"
        "未被救护车到达（见 backlog.csv）",
        "note: response KPIs cover {share} of patients; {missed} of {patients} were not "
        "reached by a unit before the horizon (backlog.csv)",
    ),
    "backlog_warning": Text(
        "警告：{reps} 次重复中有 {unbounded} 次未到达伤员的积压持续增长：需求超过能力"
        "（见 backlog.csv）",
        "warning: the backlog of unreached patients grows without bound in {unbounded} of "
        "{reps} replications: demand exceeds capacity (backlog.csv)",
    ),
    "headline_title": Text(
        "主要结果：相对基线的改善（正值表示更好：节省的分钟、避免的死亡；"
        "95% 置信区间；概率敏感性分析区间）",
        "Headline: improvement vs base (positive = better: minutes saved, deaths averted; "
        "95% replication CI; PSA interval)",
    ),
}

BRIEF: dict[str, Text] = {
    "title": Text("创伤救治一体化模拟评估简报", "Integrated trauma response: simulation brief"),
    "subtitle": Text(
        "“互联网+120”接报转派 · 警医联动 · 危重伤员专家会诊",
        "Internet + 120 call handling · police–medical linkage · expert consultation",
    ),
    "question_h": Text("评估问题", "The question"),
    "question": Text(
        "将“互联网+120”接报转派平台、警医联动和危重伤员救治专家组会诊机制整合后，"
        "伤员从受伤到得到确定性救治的时间能缩短多少？每年能避免多少死亡、残疾和"
        "伤残调整生命年（DALY）？",
        "If the Internet + 120 call-to-dispatch platform, police–medical linkage for road "
        "crashes and the expert group for critically injured patients are integrated, how "
        "much sooner do injured people reach definitive care, and how many deaths, "
        "disabilities and DALYs are averted each year?",
    ),
    "scenarios_h": Text("比较的情景", "Scenarios compared"),
    "base_marker": Text("（基线）", " (base case)"),
    "col_scenario": Text("情景", "Scenario"),
    "col_days": Text("模拟天数", "Days simulated"),
    "col_reps": Text("重复次数", "Replications"),
    "col_network": Text("路网", "Road network"),
    "scenario_facts": Text(
        "每个情景模拟 {horizon_days:g} 天，重复 {reps} 次；各情景使用相同的伤员序列"
        "（共同随机数），以减少情景之间比较的随机波动；每年的数字由模拟天数按比例折算。",
        "Each scenario simulates {horizon_days:g} days, {reps} replications; all scenarios "
        "see the same injured people (common random numbers), which reduces the noise in "
        "the comparison; per-year figures are the simulated days scaled to a year.",
    ),
    "population_fact": Text(
        "每年的数字指路网覆盖区域内约 {population}人口（需求格网人口合计）；每 10 万人口的"
        "数字同样按此人口计算。",
        " Per-year figures refer to about {population} people living in the area the "
        "road network covers (sum of the demand grid); per-100,000 figures use the same "
        "population.",
    ),
    "area_fact": Text(
        "该区域面积约 {area} 平方公里（按路网节点的凸包计算）。",
        " That area is about {area} km² (the convex hull of the road network's nodes).",
    ),
    "conclusion_h": Text("结论", "Conclusion"),
    "conclusion_deaths": Text(
        "与{base}相比，{scenario}每年避免死亡 {mean} 人（95% 置信区间 {low} 至 {high}）。",
        "Compared with {base}, {scenario} averts {mean} deaths per year (95% CI {low} to {high}).",
    ),
    "conclusion_deaths_same": Text(
        "{scenario}每年避免死亡 {mean} 人（95% 置信区间 {low} 至 {high}）。",
        "It averts {mean} deaths per year (95% CI {low} to {high}).",
    ),
    "conclusion_minutes": Text(
        "与{base}相比，{scenario}使伤员从受伤到确定性救治平均快 {mean} 分钟"
        "（95% 置信区间 {low} 至 {high}）。",
        "Compared with {base}, {scenario} brings injured people to definitive care {mean} "
        "minutes sooner on average (95% CI {low} to {high}).",
    ),
    "ci_excludes_zero": Text(
        "置信区间不含 0，模拟随机波动不能解释这一差异。",
        "The interval excludes 0: simulation noise does not explain this difference.",
    ),
    "ci_includes_zero": Text(
        "置信区间包含 0，在本次模拟的精度下尚不能认为存在差异。",
        "The interval includes 0: at this run's precision no difference can be claimed.",
    ),
    "conclusion_psa": Text(
        "同时考虑结局模型各参数的不确定性时，区间为 [{low}, {high}]。",
        "Allowing for the uncertainty of the outcome-model parameters, the interval is "
        "[{low}, {high}].",
    ),
    "conclusion_psa_all": Text(
        "同时抽取全部假设（结局、校准、运行与机制参数）时，区间为 [{low}, {high}]。",
        "Drawing every assumption together (outcome, calibrated, operational and mechanism "
        "parameters), the interval is [{low}, {high}].",
    ),
    "all_assumptions_inline": Text("全部假设", "all assumptions"),
    "headline_h": Text("主要结果", "Headline results"),
    "stages_caption": Text(
        "各环节节省的时间（分钟，相对基线；正值表示更快；括号内为 95% 置信区间）",
        "Minutes saved per stage vs baseline (positive = faster; 95% CI in brackets)",
    ),
    "col_stage": Text("环节", "Stage"),
    "col_base_mean": Text("基线均值（分钟）", "Baseline mean (min)"),
    "col_saved": Text("{scenario}节省", "{scenario}: saved"),
    "averted_caption": Text(
        "每年避免的健康损失（相对基线；括号内为 95% 置信区间，方括号内为概率敏感性分析区间）",
        "Health loss averted per year vs baseline (95% CI in brackets; PSA interval in "
        "square brackets)",
    ),
    "averted_caption_joint": Text(
        "每年避免的健康损失（相对基线；括号内为 95% 置信区间，方括号内为结局参数的概率敏感性"
        "分析区间，“全部假设”后为结局、校准、运行与机制参数同时抽样的区间）",
        "Health loss averted per year vs baseline (95% CI in brackets; PSA interval of the "
        "outcome parameters in square brackets; after “all assumptions”, the interval with "
        "outcome, calibrated, operational and mechanism parameters drawn together)",
    ),
    "col_metric": Text("指标", "Measure"),
    "per_100k_row": Text("　每 10 万人口", "  per 100,000 population"),
    "col_averted": Text("{scenario}", "{scenario}"),
    "kpis_caption": Text(
        "{scenario}：主要指标（括号内为 95% 置信区间）", "{scenario}: key measures (95% CI)"
    ),
    "col_kpi": Text("指标", "Measure"),
    "col_value": Text("数值", "Value"),
    "no_comparison": Text(
        "未提供比较结果（compare 文件夹），以下仅列出单个情景的指标。",
        "No comparison folder was given; only single-scenario measures are listed.",
    ),
    "note_recentred": Text(
        "注：中心校准本身未达到的拟合目标（{targets}，已知偏差，见 docs/validation.md），"
        "全部假设区间的抽样以中心校准值 ± 该目标容差为准。",
        "Note: fit targets the central calibration itself misses ({targets}, a documented "
        "miss, docs/validation.md) hold the all-assumptions draws to the central fit's value "
        "± the target's tolerance instead.",
    ),
    "note_no_consult_wait": Text(
        "本次模拟中没有伤员等待专家会诊（等待时间均为 0），故不绘制等待时间图。",
        "No patient waited for an expert consultation in this run (all waits were 0), so "
        "no waiting-time chart is drawn.",
    ),
    "note_negative_disability": Text(
        "避免残疾数为负值表示残疾人数增加：更快的救治使部分原本会死亡的伤员存活，"
        "其中一些带着残疾存活，因此少死亡可能伴随多残疾。",
        "A negative number of disabilities averted means more disabled survivors: faster "
        "care keeps alive some who would have died, and some of them survive with a "
        "disability, so fewer deaths can come with more disability.",
    ),
    "note_longer_transport": Text(
        "“转运途中”节省为负值表示转运更长：更多重伤员被直接送往较远但有救治能力的医院，"
        "转运时间增加，而到院后等待确定性救治的时间随之缩短。",
        "A negative saving for transport means a longer transport: more severely injured "
        "patients go straight to a farther hospital able to treat them, so the ride is "
        "longer while the wait for definitive care after arrival is shorter.",
    ),
    "figures_h": Text("关键图表", "Key figures"),
    "fig_stages": Text(
        "各情景受伤至确定性救治各环节的平均时间", "Mean time per stage of the chain, by scenario"
    ),
    "fig_averted": Text(
        "每年避免的死亡、残疾和 DALY（误差线为 95% 置信区间）",
        "Deaths, disabilities and DALYs averted per year (bars: 95% CI)",
    ),
    "fig_compliance": Text(
        "响应时间达标比例（杭州目标：城区 ≤8 分钟，农村 ≤12 分钟）",
        "Share of responses within target (Hangzhou: urban ≤8 min, rural ≤12 min)",
    ),
    "fig_ecdf_response": Text("响应时间的累计分布", "Cumulative distribution of response time"),
    "fig_ecdf_definitive": Text(
        "受伤至确定性救治时间的累计分布",
        "Cumulative distribution of time from injury to definitive care",
    ),
    "fig_utilisation": Text("各时段资源利用率", "Resource utilisation by hour of day"),
    "fig_consult": Text("专家会诊等待时间", "Waiting time for expert consultation"),
    "fig_tornado": Text("单因素敏感性分析（龙卷风图）", "One-way sensitivity analysis (tornado)"),
    "fig_tornado_all": Text(
        "单因素敏感性分析：运行、机制与结局假设（龙卷风图）",
        "One-way sensitivity: operational, mechanism and outcome assumptions (tornado)",
    ),
    "fig_map_network": Text(
        "路网及急救站、医院（按救治等级）、交警站点和 120 指挥中心的位置",
        "Road network with ambulance stations, hospitals (by tier), police posts and the "
        "120 dispatch centre",
    ),
    "fig_map_incidents": Text(
        "{scenario}：各事件位置，颜色表示响应时间（接听至到达现场）",
        "{scenario}: incident locations coloured by response time (call answered to arrival "
        "on scene)",
    ),
    "fig_map_coverage": Text(
        "预计响应时间覆盖范围：道路按 ≤8、8–12、>12 分钟着色（杭州目标：城区 8 分钟，"
        "农村 12 分钟）。假定 {hour}:00 出发、最近急救站有空闲救护车（不计车辆繁忙和排队），"
        "响应时间 = 平均派车及出车准备时间 + 车程。",
        "Expected response coverage: roads coloured ≤8, 8–12 and >12 min (Hangzhou targets: "
        "urban 8, rural 12 min). Assumes departure at {hour}:00 with a free ambulance at the "
        "nearest station (busy units and queues ignored); response = mean dispatch and "
        "turn-out time + drive.",
    ),
    "fig_map_coverage_offsets": Text(
        "平均派车及出车准备时间：{offsets}。", " Mean dispatch and turn-out time: {offsets}."
    ),
    "map_link": Text(
        "打开交互式地图（可离线在浏览器中查看，可缩放，鼠标悬停显示设施名称）",
        "Open the interactive map (works offline in a browser; zoom in, hover for facility names)",
    ),
    "map_link_pdf": Text(
        "交互式地图见同一文件夹中的 {file}（可离线在浏览器中打开）。",
        "An interactive map is in {file} in the same folder (opens offline in a browser).",
    ),
    "figure_n": Text("图 {n}", "Figure {n}"),
    "assumptions_h": Text("主要假设及来源", "Main assumptions and sources"),
    "col_assumption": Text("假设", "Assumption"),
    "col_source": Text("来源", "Source"),
    "uncertainty_h": Text("不确定性", "Uncertainty"),
    "uncertainty_reps": Text(
        "括号内区间为 {reps} 次重复模拟的 95% 置信区间，只反映模拟中的随机波动。",
        "Intervals in round brackets are 95% confidence intervals over {reps} replications; "
        "they reflect simulation noise only.",
    ),
    "uncertainty_psa": Text(
        "方括号内区间来自概率敏感性分析（参数按其分布抽样），反映参数本身的不确定性。",
        "Square-bracket intervals come from probabilistic sensitivity analysis (parameters "
        "drawn from their distributions); they reflect parameter uncertainty.",
    ),
    "psa_wider": Text(
        "本次结果中方括号区间均比置信区间宽，解读时应同时参考两者。",
        "Here every square-bracket interval is wider than its confidence interval; read both.",
    ),
    "psa_narrower": Text(
        "本次结果中有 {n} 项的方括号区间比置信区间窄：它不包含模拟随机波动，"
        "不能单独用来判断差异是否确定；判断差异应看置信区间是否包含 0。",
        "Here {n} square-bracket interval(s) are narrower than the confidence interval: "
        "they leave out simulation noise and cannot on their own show that a difference "
        "is real; whether the confidence interval includes 0 decides that.",
    ),
    "uncertainty_tornado": Text(
        "龙卷风图列出对结果影响最大的参数；时间与死亡、残疾之间的关系多来自观察性研究，"
        "可能存在混杂。",
        "The tornado chart lists the parameters that move the result most; the time–death "
        "and time–disability relations mostly come from observational studies and may be "
        "confounded.",
    ),
    "uncertainty_general": Text(
        "中国尚缺少创伤时间—结局关系、现场及转运时间的本地队列数据，部分参数借用国外研究，"
        "警医联动的效果尚无定量评估。",
        "Local Chinese cohorts for time–outcome relations and for scene and transport "
        "times are lacking; several parameters are borrowed from other countries, and the "
        "effect of police–medical linkage has not been quantified.",
    ),
    "attribution_h": Text("数据来源与署名", "Data and attribution"),
    "attribution_network": Text(
        "路网：{network}。{attribution}", "Road network: {network}. {attribution}"
    ),
    "synthetic_warning": Text(
        "注意：本简报基于合成路网，数字仅用于演示方法，不代表任何真实地区。",
        "Warning: this brief uses a synthetic road network; the numbers only demonstrate "
        "the method and describe no real place.",
    ),
    "outside_caption": Text(
        "路网数据范围以外的设施（地图上以红圈标出）：按直线距离接入最近道路，接入时间计入行车时间",
        "Facilities outside the road data (ringed in red on the maps): each joins its "
        "nearest road in a straight line, and that access time is charged as travel time",
    ),
    "col_facility": Text("设施", "Facility"),
    "col_kind": Text("类型", "Type"),
    "col_access": Text("至最近道路（公里）", "To nearest road (km)"),
    "kind_tier": Text("{kind}（{tier}）", "{kind} ({tier})"),
    "software": Text(
        "由 trauma-sim {version} 生成（开源离散事件模拟）。图表字体：Trauma Sans SC"
        "（Noto Sans SC 子集，SIL OFL 1.1）。",
        "Made with trauma-sim {version} (open-source discrete-event simulation). Figure font: "
        "Trauma Sans SC (a subset of Noto Sans SC, SIL OFL 1.1).",
    ),
    "page": Text("第 {page} 页", "Page {page}"),
    "not_available": Text("无", "n/a"),
}

#: Main assumptions shown when the results do not list their own (manifest ``assumptions``).
#: Values and sources: the parameter table (docs/parameters.md) and docs/evidence.md.
DEFAULT_ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption(
        Text(
            "重伤员（ISS≥16）死亡风险随院前时间增加：每 10 分钟比值比约 1.08",
            "Death risk of major trauma (ISS≥16) rises with prehospital time: OR ≈1.08 per 10 min",
        ),
        Text("Gauss 等，2019 年，《JAMA Surgery》", "Gauss et al. 2019, JAMA Surgery"),
    ),
    Assumption(
        Text(
            "轻伤（ISS<16）结局与时间无关",
            "Outcome of minor injury (ISS<16) does not depend on time",
        ),
        Text(
            "Newgard 等，2010 年；泛亚复苏结局研究（PATOS）",
            "Newgard et al. 2010; Pan-Asian Trauma Outcomes Study (PATOS)",
        ),
    ),
    Assumption(
        Text(
            "时间对残疾的作用为对死亡作用的一半（κ=0.5，范围 0–1，未经验证）",
            "Time acts on disability at half its effect on death (κ = 0.5, range 0–1; unverified)",
        ),
        Text("模型假设，已做敏感性分析", "Assumption; tested in sensitivity analysis"),
    ),
    Assumption(
        Text(
            "残疾权重：重度 0.542、中度 0.203（运动+认知障碍）",
            "Disability weights: severe 0.542, moderate 0.203 (motor + cognitive impairment)",
        ),
        Text("全球疾病负担研究（GBD 2019）残疾权重", "GBD 2019 disability weights"),
    ),
    Assumption(
        Text(
            "现场与转运时间借用亚洲多国 PATOS 数据（中国暂无数据）",
            "Scene and transport times borrowed from the pan-Asian PATOS registry "
            "(no Chinese data)",
        ),
        Text("泛亚复苏结局研究（PATOS）", "Pan-Asian Trauma Outcomes Study (PATOS)"),
    ),
    Assumption(
        Text(
            "行车时间按 OpenStreetMap 道路自由流速度计算，并按时段和警灯警报修正",
            "Drive times from free-flow speeds on OpenStreetMap roads, adjusted by time of day "
            "and lights-and-siren factors",
        ),
        Text("OpenStreetMap 路网；情景文件", "OpenStreetMap; scenario file"),
    ),
    Assumption(
        Text(
            "无警医联动时，经 110/122 首接的呼救需转接 0.5–3 分钟",
            "Without linkage, calls first answered by 110/122 take 0.5–3 min to reach 120",
        ),
        Text("模型假设（无已发表的估计）", "Assumption (no published estimate)"),
    ),
    Assumption(
        Text(
            "响应时间目标：城区 ≤8 分钟，农村 ≤12 分钟",
            "Response-time targets: urban ≤8 min, rural ≤12 min",
        ),
        Text("杭州市院前急救规划（2027 年目标）", "Hangzhou municipal plan (2027 targets)"),
    ),
)


#: A scenario title as the scenario files write it: ``"中文 (English)"``.
_BILINGUAL_TITLE = re.compile(r"^(?P<zh>.*?)\s*\((?P<en>[^()]*)\)\s*$")


def scenario_title(title: str, name: str, lang: str) -> str:
    """The ``lang`` part of a scenario file's ``title``; its code ``name`` if it has none.

    Scenario files title themselves ``"中文 (English)"``; a title without the bracketed
    English part is shown as it is in both languages.

    Parameters
    ----------
    title
        The scenario's ``title`` field (may be empty).
    name
        The scenario's code name, shown only when there is no title.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The display name of the scenario.
    """
    title = title.strip()
    if not title:
        return name
    match = _BILINGUAL_TITLE.match(title)
    if match is None or not match["zh"].strip():
        return title
    return match["zh"].strip() if check_lang(lang) == "zh" else match["en"].strip()


def facility_name(name: str, lang: str) -> str:
    """A facility's name in ``lang`` when the file writes it ``"中文 (English)"``, else as is."""
    return scenario_title(name, name, lang)


def parameter_label(name: str, lang: str) -> str:
    """Display name of an uncertain parameter (its own name if it is not listed)."""
    item = PARAMETERS.get(name)
    return name if item is None else pick(item, lang)


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if it is ``"zh"`` or ``"en"``; raise :class:`UserError` otherwise."""
    if lang == "zh":
        return "zh"
    if lang == "en":
        return "en"
    raise UserError(f"lang: must be 'zh' or 'en' (got {lang!r})")


def pick(item: Text, lang: str, **fields: object) -> str:
    """The ``lang`` version of ``item``, with ``str.format`` ``fields`` filled in."""
    raw = item.zh if check_lang(lang) == "zh" else item.en
    return raw.format(**fields) if fields else raw


def text(key: str, lang: str, **fields: object) -> str:
    """A UI or brief string by key (looked up in :data:`UI`, then :data:`BRIEF`)."""
    item = UI.get(key) or BRIEF.get(key)
    if item is None:
        raise KeyError(f"no label {key!r}")
    return pick(item, lang, **fields)


def lookup(table: dict[str, Text], key: str, lang: str, **fields: object) -> str:
    """The label of a data value (stage, metric, resource …); unknown values pass through."""
    item = table.get(key)
    return key if item is None else pick(item, lang, **fields)


def all_strings(lang: Lang) -> list[str]:
    """Every display string of this module in ``lang`` (for the font-coverage test)."""
    tables: list[dict[str, Text]] = [
        STAGES,
        METRICS,
        SWEEP_FIELDS,
        PARAMETERS,
        NETWORKS,
        RESOURCES,
        ZONES,
        FACILITY_KINDS,
        HOSPITAL_TIERS,
        ROAD_GROUPS,
        UI,
        CONSOLE,
        BRIEF,
    ]
    out = [getattr(item, lang) for table in tables for item in table.values()]
    out += [getattr(a.what, lang) for a in DEFAULT_ASSUMPTIONS]
    out += [getattr(a.source, lang) for a in DEFAULT_ASSUMPTIONS]
    out += [getattr(t, lang) for t in ATTRIBUTIONS.values()]
    return out
