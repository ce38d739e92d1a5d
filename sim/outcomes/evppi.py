"""Expected value of partial perfect information (EVPPI) from a PSA sample.

For a decision between the base and one alternative, the incremental net monetary benefit of
draw k is ``INB_k = wtp * DALYs_averted_k - incremental_cost_k`` (yuan per year). The value
of learning parameter theta exactly before deciding is

    EVPPI(theta) = E_theta[ max(0, E[INB | theta]) ] - max(0, E[INB]),

and the value of learning everything (EVPI) is ``E[max(0, INB)] - max(0, E[INB])``.
``E[INB | theta]`` is estimated non-parametrically from the sample itself: draws are sorted by
theta and averaged within bins of equal size, the single-parameter method of Strong & Oakley
(2013), "An efficient method for computing single-parameter partial expected value of
perfect information", Medical Decision Making 33(6):755-766 (their recommended bin count is
about sqrt(K) for K draws). No re-simulation is needed: any PSA sample with the parameter
values as columns will do (``joint_psa.csv`` of ``compare --joint-psa``).

Without a costs section the willingness to pay is one GDP per capita per DALY averted,
China 2023, 89,358 yuan (National Bureau of Statistics, Statistical Communique on 2023
National Economic and Social Development, 29 February 2024), and the incremental cost is 0:
the EVPPI is then the value of the health at stake in the decision, an upper bound on what a
measurement is worth.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.errors import UserError
from sim.outcomes.costeffect import CHINA_GDP_PER_CAPITA_YEAR, CHINA_GDP_PER_CAPITA_YUAN

#: Default willingness to pay, yuan per DALY averted, and where it comes from.
DEFAULT_WTP_YUAN = CHINA_GDP_PER_CAPITA_YUAN
DEFAULT_WTP_SOURCE = (
    f"1x GDP per capita, China {CHINA_GDP_PER_CAPITA_YEAR} "
    "(NBS Statistical Communique, 29 Feb 2024)"
)


def partial_evpi_binned(theta: np.ndarray, inb: np.ndarray, bins: int | None = None) -> float:
    """EVPPI of one parameter for a two-option decision (Strong & Oakley 2013 binning).

    Parameters
    ----------
    theta
        Sampled values of the parameter, one per PSA draw.
    inb
        Incremental net benefit of the alternative over the base in the same draws.
    bins
        Number of bins of (near) equal size; default ``round(sqrt(K))``.

    Returns
    -------
    float
        EVPPI in the unit of ``inb`` (>= 0 up to sampling noise; clipped at 0).
    """
    t = np.asarray(theta, dtype=float)
    y = np.asarray(inb, dtype=float)
    if t.shape != y.shape or t.ndim != 1 or len(t) < 2:
        raise UserError("evppi: theta and inb must be 1-d arrays of the same length >= 2")
    if not (np.isfinite(t).all() and np.isfinite(y).all()):
        raise UserError("evppi: theta and inb must be finite")
    k = len(t)
    b = bins or max(1, round(math.sqrt(k)))
    order = np.argsort(t, kind="stable")
    groups = np.array_split(y[order], min(b, k))
    # E_theta[max(0, E[INB|theta])]: bins weighted by their size.
    inner = sum(len(g) * max(0.0, float(g.mean())) for g in groups) / k
    return max(0.0, inner - max(0.0, float(y.mean())))


def evpi(inb: np.ndarray) -> float:
    """Expected value of perfect information of a two-option decision."""
    y = np.asarray(inb, dtype=float)
    return float(np.maximum(y, 0.0).mean() - max(0.0, float(y.mean())))


def evppi_table(
    sample: pd.DataFrame,
    parameters: Sequence[str],
    *,
    wtp_yuan: float = DEFAULT_WTP_YUAN,
    wtp_source: str = DEFAULT_WTP_SOURCE,
    effect: str = "dalys_averted_per_year",
    cost: str | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """EVPPI of each parameter of a PSA sample, largest first.

    Parameters
    ----------
    sample
        One row per PSA draw: parameter values and ``effect`` (and ``cost``) columns.
    parameters
        Columns to evaluate (constant columns get EVPPI 0).
    wtp_yuan, wtp_source
        Willingness to pay per unit of ``effect`` and its source.
    effect
        Health effect averted per year.
    cost
        Column of the incremental cost, yuan per year (None: 0).
    top
        Keep only this many parameters.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter, evppi_yuan_per_year, evpi_yuan_per_year, share_of_evpi,
        wtp_yuan, wtp_source, effect, draws, bins``.
    """
    missing = [c for c in [*parameters, effect, *([cost] if cost else [])] if c not in sample]
    if missing:
        raise UserError(f"evppi: the PSA sample has no columns {missing}")
    if not (wtp_yuan > 0 and math.isfinite(wtp_yuan)):
        raise UserError("evppi: wtp_yuan: must be a finite number > 0")
    inb = wtp_yuan * sample[effect].to_numpy(dtype=float)
    if cost:
        inb = inb - sample[cost].to_numpy(dtype=float)
    total = evpi(inb)
    k = len(sample)
    bins = max(1, round(math.sqrt(k)))
    rows = []
    for p in parameters:
        theta = sample[p].to_numpy(dtype=float)
        value = 0.0 if np.ptp(theta) == 0 else partial_evpi_binned(theta, inb, bins)
        rows.append(
            {
                "parameter": p,
                "evppi_yuan_per_year": value,
                "evpi_yuan_per_year": total,
                "share_of_evpi": value / total if total > 0 else math.nan,
                "wtp_yuan": wtp_yuan,
                "wtp_source": wtp_source,
                "effect": effect,
                "draws": k,
                "bins": bins,
            }
        )
    out = pd.DataFrame(rows).sort_values("evppi_yuan_per_year", ascending=False, kind="stable")
    return (out.head(top) if top else out).reset_index(drop=True)
