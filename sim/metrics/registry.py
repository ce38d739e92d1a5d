"""The one table of metrics: name, unit, zh/en label, sign, aggregation, comparison, format.

Every KPI of a run (:func:`sim.metrics.compute.kpis_for_rep`) and every burden-averted row
of a comparison (:func:`sim.outcomes.burden.burden_averted`) has exactly one entry here.
Everything that shows or compares a metric reads it from this table and nowhere else:

* :mod:`sim.metrics.compute` checks that the KPIs it computes are the registered ones;
* :mod:`sim.runs.compare` compares the entries with ``compared=True`` (paired differences);
* the console (:mod:`sim.cli.report`) and the brief (:mod:`sim.plotting.brief`) take their
  labels, units, number formats, feasible ranges and sign convention from it;
* ``docs/metrics.md`` is generated from it (``trauma-sim metrics-docs``; a test checks the
  committed file is up to date).

Sign convention (stated once, used everywhere a comparison is shown): a change is printed
as an **improvement**, positive = better. For a metric where lower is better (minutes) the
improvement is ``base − scenario`` ("minutes saved"); where higher is better (shares within
target, deaths averted) it is ``scenario − base``. Metrics that are neither better nor worse
(demand counts, utilisation) print the plain difference ``scenario − base``.

Adding a metric
---------------
1. Compute it (a key of :func:`~sim.metrics.compute.kpis_for_rep`, or a row of the burden
   table) under a snake_case name with its unit in the name.
2. Add one line to :data:`_ENTRIES`, in the position the tables should show it::

       Metric("incremental_cost_yuan_per_year", "yuan/year", "每年增量成本（元）",
              "Incremental cost per year (yuan)", "lower", "comparison", "sum of ...",
              compared=False, headline=True, fmt=",.0f", low=-math.inf),

3. Run ``trauma-sim metrics-docs`` to refresh ``docs/metrics.md``.

Nothing else: comparison, console, brief and docs pick it up from the entry. A KPI computed
but not registered is an error (:func:`check_registered`), so no metric is shown unlabelled.
This module imports nothing from the project: every layer may read it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Better = Literal["lower", "higher", "neither"]
#: ``run``: a KPI of one scenario's run (``kpis.csv``); ``comparison``: a row that exists
#: only between two scenarios (burden averted, incremental cost), whose mean already is the
#: difference.
Kind = Literal["run", "comparison"]


@dataclass(frozen=True)
class Metric:
    """One metric and everything needed to show and compare it.

    Attributes
    ----------
    name
        The column / ``metric`` value in result files.
    unit
        Unit as shown in docs (``min``, ``share``, ``per day``, ``per year`` …).
    zh, en
        Display labels (the unit in brackets where it is not obvious).
    better
        ``"lower"``, ``"higher"`` or ``"neither"``: the sign convention of its comparison.
    kind
        ``"run"`` or ``"comparison"`` (see :data:`Kind`).
    aggregation
        How it is computed from patients and aggregated over replications (docs).
    compared
        A row of ``comparison.csv``: for a run KPI its paired difference against the base.
    headline
        Shown in the console's headline table of a comparison.
    fmt
        Number format: ``"auto"`` (2 decimals below 10, 1 below 100, else whole), ``"pct"``
        (share shown as a percentage) or a ``format`` spec such as ``",.0f"``.
    low, high
        The values the metric can take; confidence bounds are clipped to them.
    """

    name: str
    unit: str
    zh: str
    en: str
    better: Better
    kind: Kind
    aggregation: str
    compared: bool = True
    headline: bool = False
    fmt: str = "auto"
    low: float = 0.0
    high: float = math.inf

    def label(self, lang: str) -> str:
        """The ``zh`` or ``en`` label."""
        return self.zh if lang == "zh" else self.en

    @property
    def sign(self) -> int:
        """+1 or −1: improvement = sign × (scenario − base); +1 when neither is better."""
        return -1 if self.better == "lower" else 1


_PATIENTS = "over patients injured after the warm-up; mean of replications"
_SEVERE = (
    "severe trauma patients who reached definitive care (the stages add up to injury -> "
    "definitive care); mean of replications"
)
_RATE = "count after the warm-up / days measured; mean of replications"
_SHARE = "share of patients (or calls) after the warm-up; mean of replications"
_BURDEN = "expected base − scenario, paired by patient, scaled to a year; mean of replications"
_PER_100K = "the same per 100,000 population of the area (NaN when the population is unknown)"


def _stage(stage: str, zh: str, en: str) -> Metric:
    return Metric(
        f"severe_{stage}_min_mean", "min", f"重伤员{zh}（分钟）", f"Severe trauma: {en} (min)",
        "lower", "run", _SEVERE,
    )  # fmt: skip


def _burden(name: str, zh: str, en: str, *, headline: bool = True) -> tuple[Metric, Metric]:
    per_100k = name.replace("_per_year", "_per_100k_per_year")
    return (
        Metric(name, "per year", zh, en, "higher", "comparison", _BURDEN,
               headline=headline, low=-math.inf),
        Metric(per_100k, "per 100,000 per year", f"{zh}，每 10 万人口", f"{en}, per 100,000",
               "higher", "comparison", _PER_100K, low=-math.inf),
    )  # fmt: skip


# One line per metric, in the order tables show them (run KPIs in kpis.csv order).
# fmt: off
_ENTRIES: tuple[Metric, ...] = (
    Metric("patients_per_day", "per day", "每日伤病员（人）", "Patients per day", "neither", "run", _RATE, compared=False),  # noqa: E501
    Metric("trauma_patients_per_day", "per day", "每日创伤伤员（人）", "Trauma patients per day", "neither", "run", _RATE, compared=False),  # noqa: E501
    Metric("severe_patients_per_day", "per day", "每日重伤员（人）", "Severe trauma patients per day", "neither", "run", _RATE, compared=False),  # noqa: E501
    Metric("calls_per_day", "per day", "每日派车呼救（次）", "Dispatch calls per day", "neither", "run", _RATE, compared=False),  # noqa: E501
    Metric("call_to_answer_min_mean", "min", "呼叫至接听（分钟）", "Call to answer (min)", "lower", "run", "first patient of each call; " + _PATIENTS),  # noqa: E501
    Metric("answer_within_10s_share", "share", "10 秒内接听比例", "Calls answered within 10 s", "higher", "run", "dispatch calls; national target 95 %; " + _SHARE, fmt="pct", high=1.0),  # noqa: E501
    Metric("call_wait_share", "share", "接听等待超过 30 秒的比例", "Calls waiting over 30 s", "lower", "run", "> 30 s from reaching 120 to answer (seat queue, ring, inter-centre transfer); " + _SHARE, compared=False, fmt="pct", high=1.0),  # noqa: E501
    Metric("call_to_dispatch_min_mean", "min", "呼叫至派车（分钟）", "Call to dispatch (min)", "lower", "run", _PATIENTS, headline=True),  # noqa: E501
    Metric("call_to_dispatch_min_median", "min", "呼叫至派车中位数（分钟）", "Call to dispatch, median (min)", "lower", "run", "median " + _PATIENTS, compared=False),  # noqa: E501
    Metric("dispatch_queue_min_mean", "min", "等待空闲救护车（分钟）", "Wait for a free ambulance (min)", "lower", "run", _PATIENTS, compared=False),  # noqa: E501
    Metric("departure_within_3min_share", "share", "3 分钟内出车比例", "Departures within 3 min", "higher", "run", "dispatches; national target 95 %; a unit redirected while returning counts as 0; " + _SHARE, fmt="pct", high=1.0),  # noqa: E501
    Metric("response_min_mean", "min", "响应时间均值（分钟）", "Response time, mean (min)", "lower", "run", "call answered -> unit on scene; " + _PATIENTS),  # noqa: E501
    Metric("response_min_median", "min", "响应时间中位数（分钟）", "Response time, median (min)", "lower", "run", "median " + _PATIENTS, headline=True),  # noqa: E501
    Metric("response_min_p90", "min", "响应时间第 90 百分位（分钟）", "Response time, 90th percentile (min)", "lower", "run", "90th percentile " + _PATIENTS),  # noqa: E501
    Metric("response_within_target_urban_share", "share", "城区 8 分钟内到达比例", "Urban responses within 8 min", "higher", "run", "Hangzhou 2027 target; " + _SHARE, fmt="pct", high=1.0),  # noqa: E501
    Metric("response_within_target_rural_share", "share", "农村 12 分钟内到达比例", "Rural responses within 12 min", "higher", "run", "Hangzhou 2027 target; " + _SHARE, fmt="pct", high=1.0),  # noqa: E501
    Metric("injury_to_call_min_mean", "min", "受伤至呼救（分钟）", "Injury to call (min)", "lower", "run", _PATIENTS),  # noqa: E501
    Metric("answer_to_dispatch_min_mean", "min", "接听至派车（分钟）", "Answer to dispatch (min)", "lower", "run", _PATIENTS),  # noqa: E501
    Metric("turnout_min_mean", "min", "出车准备（分钟）", "Turn-out (min)", "lower", "run", _PATIENTS),  # noqa: E501
    Metric("drive_to_scene_min_mean", "min", "赶赴现场（分钟）", "Drive to scene (min)", "lower", "run", _PATIENTS),  # noqa: E501
    Metric("scene_min_mean", "min", "现场处置（分钟）", "On scene (min)", "lower", "run", _PATIENTS),  # noqa: E501
    Metric("transport_min_mean", "min", "转运途中（分钟）", "Transport (min)", "lower", "run", _PATIENTS),  # noqa: E501
    Metric("handover_min_mean", "min", "到院交接（分钟）", "Handover at hospital (min)", "lower", "run", _PATIENTS),  # noqa: E501
    Metric("bay_wait_min_mean", "min", "等待抢救床位（分钟）", "Wait for a resuscitation bay (min)", "lower", "run", _PATIENTS, compared=False),  # noqa: E501
    Metric("arrival_to_definitive_min_mean", "min", "到院至确定性救治（分钟）", "Arrival to definitive care (min)", "lower", "run", _PATIENTS),  # noqa: E501
    _stage("injury_to_call", "受伤至呼救", "injury to call"),
    _stage("call_to_answer", "呼叫至接听", "call to answer"),
    _stage("answer_to_dispatch", "接听至派车", "answer to dispatch"),
    _stage("turnout", "出车准备", "turn-out"),
    _stage("drive_to_scene", "赶赴现场", "drive to scene"),
    _stage("scene", "现场处置", "on scene"),
    _stage("transport", "转运途中", "transport"),
    _stage("arrival_to_definitive", "到院至确定性救治", "arrival to definitive care"),
    Metric("injury_to_definitive_care_min_mean", "min", "受伤至确定性救治（分钟）", "Injury to definitive care (min)", "lower", "run", _SEVERE, headline=True),  # noqa: E501
    Metric("injury_to_definitive_care_min_median", "min", "受伤至确定性救治中位数（分钟）", "Injury to definitive care, median (min)", "lower", "run", "median; " + _SEVERE),  # noqa: E501
    Metric("severe_transferred_share", "share", "重伤员转院比例", "Severe trauma transferred", "lower", "run", "severe trauma patients; " + _SHARE, fmt="pct", high=1.0),  # noqa: E501
    Metric("severe_capable_care_share", "share", "重伤员在有能力医院救治比例", "Severe trauma treated at a capable hospital", "higher", "run", "severe trauma patients completed; " + _SHARE, fmt="pct", high=1.0),  # noqa: E501
    Metric("consult_wait_min_mean", "min", "专家会诊等待（分钟）", "Wait for expert consultation (min)", "lower", "run", "patients who had a consultation; mean of replications"),  # noqa: E501
    Metric("consults_per_day", "per day", "每日专家会诊（次）", "Expert consultations per day", "neither", "run", _RATE, compared=False),  # noqa: E501
    Metric("ambulance_utilisation", "share", "救护车利用率", "Ambulance utilisation", "neither", "run", "time-weighted busy share, dispatched until free (return drive excluded); mean of replications", fmt="pct", high=1.0),  # noqa: E501
    Metric("non_dispatch_calls_per_day", "per day", "每日不派车来电（次）", "Calls without dispatch per day", "neither", "run", "advice, duplicates, hang-ups, transfers ([demand.non_dispatch_calls]); " + _RATE, compared=False),  # noqa: E501
    Metric("all_calls_per_day", "per day", "每日 120 来电（次）", "All 120 calls per day", "neither", "run", _RATE, compared=False),  # noqa: E501
    Metric("all_calls_answer_within_10s_share", "share", "全部来电 10 秒内接听比例", "All calls answered within 10 s", "higher", "run", "every 120 call; " + _SHARE, compared=False, fmt="pct", high=1.0),  # noqa: E501
    Metric("dispatches_per_unit_per_day", "per unit per day", "每车每日出车（次）", "Dispatches per ambulance per day", "neither", "run", "Yiwu 9.6 [S]; " + _RATE, compared=False),  # noqa: E501
    Metric("call_taker_utilisation", "share", "120 受理席位利用率", "Call-taker utilisation", "neither", "run", "time-weighted busy share of seats, non-dispatch calls included; mean of replications", fmt="pct", high=1.0),  # noqa: E501
    *_burden("deaths_averted_per_year", "每年避免死亡（人）", "Deaths averted per year"),
    *_burden("severe_disabilities_averted_per_year", "每年避免重度残疾（人）", "Severe disabilities averted per year"),  # noqa: E501
    *_burden("moderate_disabilities_averted_per_year", "每年避免中度残疾（人）", "Moderate disabilities averted per year"),  # noqa: E501
    *_burden("dalys_averted_per_year", "每年避免伤残调整生命年（DALY）", "DALYs averted per year"),
    # Permanent disabilities with a time mechanism (sim.outcomes.disability), by condition.
    *_burden("tbi_permanent_disabilities_averted_per_year", "每年避免颅脑损伤永久残疾（人）", "Permanent brain-injury disabilities averted per year"),  # noqa: E501
    *_burden("sci_permanent_disabilities_averted_per_year", "每年避免脊髓损伤瘫痪（人）", "Paraplegia/tetraplegia averted per year"),  # noqa: E501
    *_burden("limb_amputations_averted_per_year", "每年避免截肢（人）", "Limb amputations averted per year"),  # noqa: E501
    # Cost-effectiveness rows (sim.runs.costing; prices from [costs], docs/costs.md). The mean
    # already is scenario against base, so these pass through the sign convention unchanged.
    Metric("incremental_cost_yuan_per_year", "yuan per year", "每年增量成本（元）", "Incremental cost per year (yuan)", "lower", "comparison", "scenario − base cost of what differs ([costs]); mean of replications, PSA over prices × outcomes", compared=False, fmt=",.0f", low=-math.inf),  # noqa: E501
    Metric("cost_per_daly_averted_yuan", "yuan per DALY", "每避免 1 个 DALY 的成本（元）", "Cost per DALY averted (yuan)", "lower", "comparison", "ratio of the means (incremental cost / DALYs averted); ±inf or – when nothing is averted", compared=False, fmt=",.0f", low=-math.inf),  # noqa: E501
    Metric("cost_per_death_averted_yuan", "yuan per death", "每避免 1 例死亡的成本（元）", "Cost per death averted (yuan)", "lower", "comparison", "ratio of the means (incremental cost / deaths averted); ±inf or – when nothing is averted", compared=False, fmt=",.0f", low=-math.inf),  # noqa: E501
    Metric("nmb_1gdp_yuan", "yuan per year", "净货币效益，1 倍人均 GDP（元）", "Net monetary benefit at 1× GDP per capita (yuan)", "higher", "comparison", "DALYs averted × 1× GDP per capita − incremental cost; mean of replications", compared=False, fmt=",.0f", low=-math.inf),  # noqa: E501
    Metric("nmb_3gdp_yuan", "yuan per year", "净货币效益，3 倍人均 GDP（元）", "Net monetary benefit at 3× GDP per capita (yuan)", "higher", "comparison", "DALYs averted × 3× GDP per capita − incremental cost; mean of replications", compared=False, fmt=",.0f", low=-math.inf),  # noqa: E501
    # Move-up (sim.metrics.coverage): only in comparisons where a scenario relocates units.
    Metric("idle_coverage_share", "share", "空闲救护车覆盖需求比例", "Demand covered by an idle unit", "higher", "comparison", "time-averaged share of calls within the response standard of a station holding an idle unit; paired against the base", compared=False, fmt="pct", high=1.0),  # noqa: E501
)
# fmt: on

#: Every metric by name, in table order.
METRICS: dict[str, Metric] = {m.name: m for m in _ENTRIES}
if len(METRICS) != len(_ENTRIES):  # pragma: no cover - caught by the registry test
    raise ValueError("metric registry: a name is registered twice")


def get(name: str) -> Metric | None:
    """The registered metric ``name`` (None when it is not registered)."""
    return METRICS.get(name)


def names(
    *,
    kind: Kind | None = None,
    compared: bool | None = None,
    headline: bool | None = None,
) -> tuple[str, ...]:
    """Registered names in table order, filtered by kind, ``compared`` and ``headline``."""
    return tuple(
        m.name
        for m in _ENTRIES
        if (kind is None or m.kind == kind)
        and (compared is None or m.compared == compared)
        and (headline is None or m.headline == headline)
    )


#: Burden-averted rows of a comparison per year, and the same per 100,000 population.
AVERTED: tuple[str, ...] = tuple(
    n for n in names(kind="comparison") if "_averted_per_year" in n and "_per_100k_" not in n
)
AVERTED_PER_100K: tuple[str, ...] = tuple(
    n.replace("_per_year", "_per_100k_per_year") for n in AVERTED
)


def check_registered(computed: Iterable[str], kind: Kind) -> None:
    """Raise ``KeyError`` unless ``computed`` are exactly the registered ``kind`` metrics.

    Called where metrics are computed, so a new metric cannot reach a table unlabelled and a
    registered one cannot silently stop being computed.
    """
    got, want = list(computed), set(names(kind=kind))
    extra = [n for n in got if n not in want]
    missing = sorted(want - set(got))
    if extra or missing:
        raise KeyError(
            f"metric registry ({kind}): computed but not registered {extra}, registered but "
            f"not computed {missing}; add or remove the entry in sim/metrics/registry.py"
        )


def label(name: str, lang: str) -> str:
    """Display label of ``name`` in ``lang`` (its own name when it is not registered)."""
    m = METRICS.get(name)
    return name if m is None else m.label(lang)


def feasible(name: str, value: float) -> float:
    """``value`` clipped to the range the metric can take (unregistered: unchanged)."""
    m = METRICS.get(name)
    if m is None or value != value:
        return value
    return min(max(value, m.low), m.high)


def improvement(name: str, diff: float) -> float:
    """A ``scenario − base`` difference as an improvement (positive = better).

    Comparison rows (``kind="comparison"``) already are the averted amount and pass through.
    """
    m = METRICS.get(name)
    if m is None or m.kind == "comparison":
        return diff
    return m.sign * diff


def auto_decimals(value: float) -> int:
    """Decimals of the ``"auto"`` format: 2 below 10, 1 below 100, else 0."""
    return 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0


def auto_number(value: float, decimals: int | None = None) -> str:
    """2 decimals below 10, 1 below 100, else whole with thousands separators.

    ``decimals`` overrides the choice (the bounds of an interval take the mean's decimals).
    """
    places = auto_decimals(value) if decimals is None else decimals
    return f"{value:,.{places}f}"


def format_value(
    name: str, value: float, *, signed: bool = False, like: float | None = None
) -> str:
    """``value`` in the metric's number format; NaN as ``"–"``, a rounded zero as ``"0"``.

    Parameters
    ----------
    name
        Metric name (unregistered names use ``"auto"``).
    value
        The number.
    signed
        Print a ``+`` before positive numbers (differences).
    like
        For ``"auto"``: take the decimals ``like`` would get, so the bounds of an interval
        print as the mean does (``17.6 (9.0, 26.1)``, not ``17.6 (9.01, 26.1)``).
    """
    if value != value:
        return "–"
    m = METRICS.get(name)
    fmt = "auto" if m is None else m.fmt
    suffix = ""
    if fmt == "pct":
        shown = f"{value * 100:.1f}"
        suffix = "%"
    elif fmt == "auto":
        ref = like if like is not None and like == like else value
        shown = auto_number(value, auto_decimals(ref))
    else:
        shown = format(value, fmt)
    if float(shown.replace(",", "")) == 0:
        return "0"
    if signed and value > 0:
        shown = "+" + shown
    return shown + suffix


def markdown_table(metrics: Mapping[str, Metric] = METRICS) -> str:
    """``docs/metrics.md``: the registry as a Markdown table (generated, never hand-edited)."""
    lines = [
        "# Metrics",
        "",
        "Generated by `trauma-sim metrics-docs` from `sim/metrics/registry.py`; do not edit",
        "by hand. Comparisons print every change as an **improvement, positive = better**:",
        "minutes saved (base − scenario) for a metric where lower is better, scenario − base",
        "where higher is better; metrics that are neither (demand, utilisation) print",
        "scenario − base. `comparison.csv` itself keeps `diff_vs_base` = scenario − base.",
        "",
        "| metric | unit | 中文 | English | better | kind | compared | format | how |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in metrics.values():
        lines.append(
            f"| `{m.name}` | {m.unit} | {m.zh} | {m.en} | {m.better} | {m.kind} | "
            f"{'yes' if m.compared else 'no'} | {m.fmt} | {m.aggregation} |"
        )
    return "\n".join(lines) + "\n"
