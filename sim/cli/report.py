"""Rich tables for the terminal from comparison results (formatting only, no metrics)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from rich.table import Table

if TYPE_CHECKING:
    from sim.runs.study import Comparison


#: What the console prints for a missing number, followed by why it is missing.
NO_CI = "– (needs ≥ 2 replications)"


def _num(x: float, fmt: str = "+.2f") -> str:
    # Zero prints as 0, never -0.00; NaN as a dash.
    if x != x:
        return "–"
    shown = format(x, fmt)
    return "0" if float(shown) == 0 else shown


def _ci(lo: float, hi: float) -> str:
    return NO_CI if lo != lo or hi != hi else f"[{_num(lo)}, {_num(hi)}]"


def feasible_range(metric: str) -> tuple[float, float]:
    """The values a run KPI can take: shares and utilisations in [0, 1], all else ≥ 0.

    A normal-theory CI over few replications can reach past these bounds (a utilisation
    of −0.058); the console clips the bounds so that no impossible value is printed.
    """
    if metric.endswith("_share") or "utilisation" in metric:
        return 0.0, 1.0
    return 0.0, float("inf")


def kpi_table(kpis: pd.DataFrame, title: str) -> Table:
    """Run KPIs: mean and 95% CI clipped to the feasible range; a dash says why it is empty."""
    table = Table(title=title)
    for col in ("metric", "mean", "95% CI"):
        table.add_column(col, justify="right" if col != "metric" else "left")
    for _, r in kpis.iterrows():
        metric = str(r["metric"])
        if r["mean"] != r["mean"]:
            table.add_row(metric, "–", "– (no patient reached this step)")
            continue
        if r["ci_low"] != r["ci_low"] or r["ci_high"] != r["ci_high"]:
            ci = NO_CI
        else:
            lo, hi = feasible_range(metric)
            low = min(max(float(r["ci_low"]), lo), hi)
            high = min(max(float(r["ci_high"]), lo), hi)
            ci = f"{_num(low, '.3g')} – {_num(high, '.3g')}"
        table.add_row(metric, _num(float(r["mean"]), ".4g"), ci)
    return table


def comparison_tables(comp: Comparison) -> list[Table]:
    """Stage table (minutes saved per stage) and headline table (burden averted)."""
    base = comp.manifest["base"]
    stage = Table(
        title=f"Where the minutes go (severe trauma): mean min, and minutes saved vs {base} "
        "(positive = faster; 95% CI)"
    )
    stage.add_column("stage")
    names = list(comp.manifest["scenarios"])
    for n in names:
        stage.add_column(n, justify="right")
    st = comp.stages
    for s in st["stage"].unique():
        row = [s]
        for n in names:
            r = st[(st["stage"] == s) & (st["scenario"] == n)].iloc[0]
            cell = f"{r['mean_min']:.1f}"
            if n != base:
                # diff_vs_base is scenario − base; the saving is its negative, as in the brief.
                saved = _ci(-r["diff_ci_high"], -r["diff_ci_low"])
                cell += f" (saved {_num(-r['diff_vs_base'])} {saved})"
            row.append(cell)
        stage.add_row(*row)
    c = comp.comparison
    joint = "psa_all_low" in c.columns
    cols = ["scenario", "metric", "diff vs base", "95% CI", "PSA interval"]
    if joint:
        cols.append("all assumptions")
    head = Table(title="Headline: change vs base (95% replication CI; PSA 95% interval)")
    for col in cols:
        head.add_column(col, justify="left" if col in ("scenario", "metric") else "right")
    keep = c[
        (c["scenario"] != base)
        & c["metric"].isin(
            [
                "injury_to_definitive_care_min_mean",
                "response_min_median",
                "call_to_dispatch_min_mean",
                "deaths_averted_per_year",
                "severe_disabilities_averted_per_year",
                "moderate_disabilities_averted_per_year",
                "dalys_averted_per_year",
            ]
        )
    ]
    for _, r in keep.iterrows():
        psa = (
            "– (time metric: no PSA)"
            if r["psa_low"] != r["psa_low"]
            else f"[{_num(r['psa_low'], '.2f')}, {_num(r['psa_high'], '.2f')}]"
        )
        cells = [
            str(r["scenario"]),
            str(r["metric"]),
            _num(r["diff_vs_base"], "+.3f"),
            _ci(r["diff_ci_low"], r["diff_ci_high"]),
            psa,
        ]
        if joint:  # outcome + calibrated (ABC) + mechanism/operational draws together
            lo, hi = r["psa_all_low"], r["psa_all_high"]
            cells.append("–" if lo != lo else f"[{_num(lo, '.2f')}, {_num(hi, '.2f')}]")
        head.add_row(*cells)
    return [stage, head]
