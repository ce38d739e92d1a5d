"""Rich tables for the terminal from comparison results (formatting only, no metrics)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:
    from sim.runs.study import Comparison


def _ci(lo: float, hi: float) -> str:
    return "" if lo != lo else f"[{lo:+.2f}, {hi:+.2f}]"


def comparison_tables(comp: Comparison) -> list[Table]:
    """Stage table (minutes saved per stage) and headline table (burden averted)."""
    base = comp.manifest["base"]
    stage = Table(title=f"Where the minutes go (severe trauma, vs {base}; 95% CI)")
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
                cell += f" ({r['diff_vs_base']:+.2f} {_ci(r['diff_ci_low'], r['diff_ci_high'])})"
            row.append(cell)
        stage.add_row(*row)
    head = Table(title="Headline: change vs base (95% replication CI; PSA 95% interval)")
    for col in ("scenario", "metric", "diff vs base", "95% CI", "PSA interval"):
        head.add_column(col, justify="left" if col in ("scenario", "metric") else "right")
    c = comp.comparison
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
        psa = "" if r["psa_low"] != r["psa_low"] else f"[{r['psa_low']:.2f}, {r['psa_high']:.2f}]"
        head.add_row(
            str(r["scenario"]),
            str(r["metric"]),
            f"{r['diff_vs_base']:+.3f}",
            _ci(r["diff_ci_low"], r["diff_ci_high"]),
            psa,
        )
    return [stage, head]
