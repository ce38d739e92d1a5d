"""Rich tables for the terminal from comparison results (formatting only, no metrics).

Labels, units, number formats, feasible ranges and the sign convention of every metric come
from :mod:`sim.metrics.registry`; the words around them from
:data:`sim.plotting.labels.CONSOLE`, in Chinese or English (``--lang``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.table import Table

from sim.metrics import registry
from sim.plotting import labels as lb

if TYPE_CHECKING:
    from sim.runs.study import Comparison


def _say(key: str, lang: str, **fields: object) -> str:
    return lb.pick(lb.CONSOLE[key], lang, **fields)


def _num(x: float, fmt: str = "+.2f") -> str:
    # Zero prints as 0, never -0.00; NaN as a dash.
    if x != x:
        return "–"
    shown = format(x, fmt)
    return "0" if float(shown) == 0 else shown


def _ci(lo: float, hi: float, lang: str = "en") -> str:
    return _say("no_ci", lang) if lo != lo or hi != hi else f"[{_num(lo)}, {_num(hi)}]"


def _metric_ci(
    metric: str, lo: float, hi: float, lang: str, *, like: float, signed: bool = False
) -> str:
    # Bounds take the decimals of the value they bracket: 17.6 [9.0, 26.1], not [9.01, 26.1].
    if lo != lo or hi != hi:
        return _say("no_ci", lang)
    low = registry.format_value(metric, lo, signed=signed, like=like)
    high = registry.format_value(metric, hi, signed=signed, like=like)
    return f"{low} – {high}" if not signed else f"[{low}, {high}]"


def kpi_table(kpis: pd.DataFrame, title: str, lang: str = "en") -> Table:
    """Run KPIs: mean and 95% CI clipped to the feasible range; a dash says why it is empty.

    Parameters
    ----------
    kpis
        ``metric, mean, ci_low, ci_high`` (a run's ``kpis.csv``).
    title
        Table title.
    lang
        ``"zh"`` or ``"en"``: labels of the metrics and columns.
    """
    lang = lb.check_lang(lang)
    table = Table(title=title)
    table.add_column(_say("col_metric", lang), justify="left")
    table.add_column(_say("col_mean", lang), justify="right")
    table.add_column(_say("col_ci", lang), justify="right")
    for _, r in kpis.iterrows():
        metric = str(r["metric"])
        shown = registry.label(metric, lang)
        if r["mean"] != r["mean"]:
            table.add_row(shown, "–", _say("no_mean", lang))
            continue
        # A normal-theory CI over few replications can pass the bounds (a utilisation of
        # −0.058): clip to what the metric can take so that no impossible value is printed.
        low = registry.feasible(metric, float(r["ci_low"]))
        high = registry.feasible(metric, float(r["ci_high"]))
        table.add_row(
            shown,
            registry.format_value(metric, float(r["mean"])),
            _metric_ci(metric, low, high, lang, like=float(r["mean"])),
        )
    return table


def _scenario_names(comp: Comparison, lang: str) -> dict[str, str]:
    """Display name of each scenario: its file's title in ``lang`` (code name without one)."""
    out = {}
    for name in comp.manifest["scenarios"]:
        run = comp.runs.get(name)
        title = "" if run is None else str(run.manifest.get("title", ""))
        out[name] = lb.scenario_title(title, name, lang)
    return out


def comparison_tables(comp: Comparison, lang: str = "en") -> list[Table]:
    """Stage table (minutes saved per stage) and headline table (improvement vs base).

    Every change is printed as an improvement, positive = better (the registry's sign
    convention): minutes saved for times, deaths averted for outcomes.
    """
    lang = lb.check_lang(lang)
    base = comp.manifest["base"]
    shown = _scenario_names(comp, lang)
    stage = Table(title=_say("stages_title", lang, base=shown[base]))
    stage.add_column(_say("col_stage", lang))
    names = list(comp.manifest["scenarios"])
    for n in names:
        stage.add_column(shown[n], justify="right")
    st = comp.stages
    for s in st["stage"].unique():
        row = [lb.lookup(lb.STAGES, str(s), lang)]
        for n in names:
            r = st[(st["stage"] == s) & (st["scenario"] == n)].iloc[0]
            cell = f"{r['mean_min']:.1f}"
            if n != base:
                # diff_vs_base is scenario − base; the saving is its negative, as in the brief.
                saved = _ci(-r["diff_ci_high"], -r["diff_ci_low"], lang)
                cell += f" ({_say('saved', lang)} {_num(-r['diff_vs_base'])} {saved})"
            row.append(cell)
        stage.add_row(*row)
    c = comp.comparison
    joint = "psa_all_low" in c.columns  # compare --joint-psa: every assumption drawn together
    keys = ["col_scenario", "col_metric", "col_improvement", "col_ci", "col_psa"]
    if joint:
        keys.append("col_psa_all")
    head = Table(title=_say("headline_title", lang))
    for key in keys:
        head.add_column(
            _say(key, lang), justify="left" if key in ("col_scenario", "col_metric") else "right"
        )
    keep = c[(c["scenario"] != base) & c["metric"].isin(registry.names(headline=True))]
    for _, r in keep.iterrows():
        metric = str(r["metric"])
        better = registry.improvement(metric, float(r["diff_vs_base"]))
        bounds = sorted(
            registry.improvement(metric, float(r[k])) for k in ("diff_ci_low", "diff_ci_high")
        )
        psa = (
            _say("no_psa", lang)
            if r["psa_low"] != r["psa_low"]
            else _metric_ci(
                metric, float(r["psa_low"]), float(r["psa_high"]), lang, like=better, signed=True
            )
        )
        cells = [
            shown.get(str(r["scenario"]), str(r["scenario"])),
            registry.label(metric, lang),
            registry.format_value(metric, better, signed=True),
            _metric_ci(metric, bounds[0], bounds[1], lang, like=better, signed=True),
            psa,
        ]
        if joint:  # outcome + calibrated (ABC) + mechanism/operational draws together
            lo, hi = float(r["psa_all_low"]), float(r["psa_all_high"])
            cells.append(
                "–" if lo != lo else _metric_ci(metric, lo, hi, lang, like=better, signed=True)
            )
        head.add_row(*cells)
    recentred = comp.manifest.get("joint_psa_recentred_targets") or {}
    missed = sorted({m for per in recentred.values() for m in per})
    if joint and missed:
        head.caption = lb.text("note_recentred", lang, targets=", ".join(missed))
    return [stage, head]
