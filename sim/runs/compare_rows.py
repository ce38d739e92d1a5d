"""The rows of comparison.csv: run KPIs, burden averted and cost-effectiveness, one tidy schema.

Every row has ``scenario, metric, mean, ci_low, ci_high, diff_vs_base, diff_ci_low,
diff_ci_high, psa_low, psa_high`` (and ``psa_all_low/high`` after a joint PSA); sweeps build
their rows through :func:`sim.runs.compare.compare_scenarios`, so with the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from sim.metrics import registry
from sim.metrics.compute import t_interval
from sim.runs.burden import Burden

#: Run KPIs compared against the base, in table order (the registry's ``compared`` entries).
KPI_FOR_COMPARISON: list[str] = list(registry.names(kind="run", compared=True))


def _paired(base: pd.DataFrame, other: pd.DataFrame, metric: str) -> tuple[float, float, float]:
    b = base.set_index("rep")[metric]
    o = other.set_index("rep")[metric]
    return t_interval((o - b).dropna().to_numpy())


def kpi_rows(
    name: str,
    kpis_by_rep: pd.DataFrame,
    base_kpis_by_rep: pd.DataFrame | None,
    metrics: Sequence[str] = tuple(KPI_FOR_COMPARISON),
) -> list[dict[str, Any]]:
    """Comparison rows of ``metrics`` (``base_kpis_by_rep`` None: the base)."""
    rows = []
    for metric in metrics:
        m, lo, hi = t_interval(kpis_by_rep[metric].to_numpy())
        if base_kpis_by_rep is None:
            dm, dlo, dhi = 0.0, 0.0, 0.0
        else:
            dm, dlo, dhi = _paired(base_kpis_by_rep, kpis_by_rep, metric)
        rows.append(
            {
                "scenario": name,
                "metric": metric,
                "mean": m,
                "ci_low": lo,
                "ci_high": hi,
                "diff_vs_base": dm,
                "diff_ci_low": dlo,
                "diff_ci_high": dhi,
                "psa_low": math.nan,
                "psa_high": math.nan,
            }
        )
    return rows


#: Interval over joint draws of every assumption (outcome, calibrated, mechanism and
#: operational), in comparison rows of a ``--joint-psa`` run.
JOINT_COLUMNS = ("psa_all_low", "psa_all_high")


def burden_rows(name: str, burden: Burden) -> list[dict[str, Any]]:
    """Comparison rows of the burden averted (the difference is the metric itself)."""
    rows = []
    for metric, b in burden.summary.iterrows():
        rows.append(
            {
                "scenario": name,
                "metric": metric,
                "mean": b["mean"],
                "ci_low": b["ci_low"],
                "ci_high": b["ci_high"],
                "diff_vs_base": b["mean"],
                "diff_ci_low": b["ci_low"],
                "diff_ci_high": b["ci_high"],
                "psa_low": b["psa_low"],
                "psa_high": b["psa_high"],
                **({k: b[k] for k in JOINT_COLUMNS} if JOINT_COLUMNS[0] in b else {}),
            }
        )
    return rows


def cost_rows(name: str, table: pd.DataFrame) -> list[dict[str, Any]]:
    """Comparison rows of the cost-effectiveness metrics (the metric is the difference)."""
    return [
        {
            "scenario": name,
            "metric": metric,
            "mean": r["mean"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "diff_vs_base": r["mean"],
            "diff_ci_low": r["ci_low"],
            "diff_ci_high": r["ci_high"],
            "psa_low": r["psa_low"],
            "psa_high": r["psa_high"],
            **({k: r[k] for k in JOINT_COLUMNS} if JOINT_COLUMNS[0] in r else {}),
        }
        for metric, r in table.iterrows()
    ]
