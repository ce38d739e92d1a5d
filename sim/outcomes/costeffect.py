"""Cost-effectiveness arithmetic: cost per unit averted, net monetary benefit, CEAC, frontier.

Pure functions of incremental costs (yuan per year) and health effects averted (DALYs or
deaths per year); they know nothing about the simulation. Ratios with no effect are never a
division error: an intervention that costs more and averts nothing has an infinite cost per
DALY averted (``inf``), one that saves money and averts nothing ``-inf``, and one that
changes neither is undefined (``nan``).

Willingness-to-pay thresholds follow the WHO-CHOICE convention of 1x and 3x GDP per capita
(WHO Commission on Macroeconomics and Health, 2001), the thresholds used in Chinese
economic evaluations (China Guidelines for Pharmacoeconomic Evaluations, 2020 edition).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

#: China's GDP per capita in 2023, yuan (current prices): National Bureau of Statistics of
#: China, Statistical Communique on the 2023 National Economic and Social Development
#: (29 February 2024): 89,358 yuan.
CHINA_GDP_PER_CAPITA_YUAN = 89_358.0
CHINA_GDP_PER_CAPITA_YEAR = 2023
#: The 1x and 3x GDP per capita thresholds, yuan per DALY averted.
WTP_THRESHOLDS_YUAN = {
    "1x_gdp_per_capita": CHINA_GDP_PER_CAPITA_YUAN,
    "3x_gdp_per_capita": 3 * CHINA_GDP_PER_CAPITA_YUAN,
}


def cost_per_unit_averted(incremental_cost: float, averted: float) -> float:
    """Incremental cost divided by the effect averted, with the no-effect cases defined.

    Parameters
    ----------
    incremental_cost
        Cost of the intervention minus the base, yuan per year.
    averted
        DALYs (or deaths) averted per year (positive = fewer than the base).

    Returns
    -------
    float
        ``incremental_cost / averted``; when ``averted == 0``: ``inf`` if it costs more,
        ``-inf`` if it saves money, ``nan`` (undefined) if the cost is unchanged too.
    """
    if averted == 0 or not math.isfinite(averted):
        if incremental_cost > 0:
            return math.inf
        if incremental_cost < 0:
            return -math.inf
        return math.nan
    return incremental_cost / averted


def net_monetary_benefit(averted: float, incremental_cost: float, wtp_yuan: float) -> float:
    """Net monetary benefit in yuan per year: ``wtp * averted - incremental_cost``.

    Parameters
    ----------
    averted
        DALYs averted per year.
    incremental_cost
        Yuan per year.
    wtp_yuan
        Willingness to pay per DALY averted (e.g. :data:`WTP_THRESHOLDS_YUAN`).

    Returns
    -------
    float
    """
    return wtp_yuan * averted - incremental_cost


def ceac(
    draws: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    wtp_yuan: Sequence[float],
) -> pd.DataFrame:
    """Cost-effectiveness acceptability curve from PSA draws.

    For every willingness to pay, the share of draws in which each strategy has the highest
    net monetary benefit; the base (no change: zero cost, zero effect) is a strategy too.

    Parameters
    ----------
    draws
        Strategy name -> (incremental cost draws, DALYs averted draws), paired by draw.
    wtp_yuan
        Thresholds, yuan per DALY averted.

    Returns
    -------
    pandas.DataFrame
        ``wtp_yuan, strategy, p_cost_effective`` (``strategy`` "base" included); the
        probabilities at each threshold add up to 1.
    """
    names = list(draws)
    costs = np.array([np.asarray(draws[n][0], float) for n in names])
    effects = np.array([np.asarray(draws[n][1], float) for n in names])
    if costs.shape != effects.shape:
        raise ValueError("ceac: cost and effect draws must pair up")
    rows = []
    for wtp in wtp_yuan:
        nmb = np.vstack([np.zeros(costs.shape[1]), wtp * effects - costs])
        best = np.argmax(nmb, axis=0)  # ties go to the base: the first maximum
        for i, name in enumerate(["base", *names]):
            rows.append(
                {
                    "wtp_yuan": float(wtp),
                    "strategy": name,
                    "p_cost_effective": float(np.mean(best == i)),
                }
            )
    return pd.DataFrame(rows)


def efficiency_frontier(table: pd.DataFrame) -> pd.DataFrame:
    """Strategies on the cost-effectiveness frontier, with their incremental ratios.

    Removes strongly dominated strategies (another costs no more and averts at least as
    much) and extendedly dominated ones (a mix of two neighbours does better), then gives
    each remaining strategy its ICER against the previous one on the frontier.

    Parameters
    ----------
    table
        ``strategy, cost_yuan, dalys_averted`` (per year, against the same base); include the
        base itself (0, 0) to start the frontier from it.

    Returns
    -------
    pandas.DataFrame
        The frontier sorted by cost, with ``icer_yuan_per_daly`` (NaN for the first).
    """
    t = table.sort_values(["cost_yuan", "dalys_averted"], ascending=[True, False])
    kept: list[pd.Series] = []
    for _, row in t.iterrows():
        if kept and row["dalys_averted"] <= kept[-1]["dalys_averted"]:
            continue  # strongly dominated: costs at least as much, averts no more
        kept.append(row)
        # Extended dominance: drop the middle one while the ICERs are not increasing.
        while len(kept) >= 3:
            a, b, c = kept[-3], kept[-2], kept[-1]
            icer_ab = (b["cost_yuan"] - a["cost_yuan"]) / (b["dalys_averted"] - a["dalys_averted"])
            icer_bc = (c["cost_yuan"] - b["cost_yuan"]) / (c["dalys_averted"] - b["dalys_averted"])
            if icer_ab > icer_bc:
                del kept[-2]
            else:
                break
    out = pd.DataFrame(kept).reset_index(drop=True)
    icers = [math.nan]
    for prev, cur in itertools.pairwise(kept):
        icers.append(
            cost_per_unit_averted(
                cur["cost_yuan"] - prev["cost_yuan"], cur["dalys_averted"] - prev["dalys_averted"]
            )
        )
    out["icer_yuan_per_daly"] = icers
    return out


def best_within_budget(table: pd.DataFrame, budget_yuan: float) -> pd.Series | None:
    """The strategy averting the most DALYs at a cost within ``budget_yuan`` (None if none).

    Parameters
    ----------
    table
        ``strategy, cost_yuan, dalys_averted``.
    budget_yuan
        Yuan per year available.

    Returns
    -------
    pandas.Series or None
        Ties on DALYs go to the cheaper strategy.
    """
    ok = table[table["cost_yuan"] <= budget_yuan]
    if ok.empty:
        return None
    return ok.sort_values(["dalys_averted", "cost_yuan"], ascending=[False, True]).iloc[0]


#: Cost-effectiveness metrics in ``comparison.csv``, in report order (names kept stable:
#: the metric registry and the brief read them).
COST_METRICS: tuple[str, ...] = (
    "incremental_cost_yuan_per_year",
    "cost_per_daly_averted_yuan",
    "cost_per_death_averted_yuan",
    "nmb_1gdp_yuan",
    "nmb_3gdp_yuan",
)


def _t_interval(x: np.ndarray) -> tuple[float, float, float]:
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size == 1:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half


def _percentiles(x: np.ndarray) -> tuple[float, float]:
    """2.5 / 97.5 % of draws; infinite ratios count (sorted last), undefined ones do not."""
    x = x[~np.isnan(x)]
    if x.size == 0:
        return math.nan, math.nan
    # With infinite ratios, interpolating between neighbours could give inf - inf = nan:
    # take order statistics instead.
    if np.isfinite(x).all():
        return float(np.percentile(x, 2.5)), float(np.percentile(x, 97.5))
    lo = np.percentile(x, 2.5, method="inverted_cdf")
    hi = np.percentile(x, 97.5, method="inverted_cdf")
    return float(lo), float(hi)


def ratio(cost: np.ndarray, averted: np.ndarray) -> np.ndarray:
    """:func:`cost_per_unit_averted` element by element (inf, -inf or nan without effect)."""
    return np.array(
        [cost_per_unit_averted(float(c), float(a)) for c, a in zip(cost, averted, strict=True)],
        dtype=float,
    )


def cost_effect_table(
    incremental_cost_by_rep: np.ndarray,
    dalys_averted_by_rep: np.ndarray,
    deaths_averted_by_rep: np.ndarray,
    *,
    gdp_per_capita_yuan: float,
    cost_draws: np.ndarray | None = None,
    dalys_draws: np.ndarray | None = None,
    deaths_draws: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The :data:`COST_METRICS` of one scenario against the base, with CIs and PSA intervals.

    Parameters
    ----------
    incremental_cost_by_rep, dalys_averted_by_rep, deaths_averted_by_rep
        Per replication (paired): yuan per year more than the base; DALYs and deaths
        averted per year.
    gdp_per_capita_yuan
        For the 1x and 3x GDP per capita thresholds of the net monetary benefit.
    cost_draws, dalys_draws, deaths_draws
        PSA draws, paired by index (cost from the price ranges, effects from the outcome
        parameters); None: no PSA interval.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The table, index ``metric``, columns ``mean, ci_low, ci_high, psa_low, psa_high``;
        and the per-draw values of the metrics (empty without draws). Ratios are of the
        means (a ratio's replication CI is not reported: NaN); with no effect they are
        ``inf`` (costs more), ``-inf`` (saves money) or NaN (undefined), never an error.
    """
    cost = np.asarray(incremental_cost_by_rep, float)
    dalys = np.asarray(dalys_averted_by_rep, float)
    deaths = np.asarray(deaths_averted_by_rep, float)
    one, three = gdp_per_capita_yuan, 3 * gdp_per_capita_yuan
    c_m = _t_interval(cost)
    rows = {
        "incremental_cost_yuan_per_year": c_m,
        "cost_per_daly_averted_yuan": (
            cost_per_unit_averted(float(cost.mean()), float(dalys.mean())),
            math.nan,
            math.nan,
        ),
        "cost_per_death_averted_yuan": (
            cost_per_unit_averted(float(cost.mean()), float(deaths.mean())),
            math.nan,
            math.nan,
        ),
        "nmb_1gdp_yuan": _t_interval(one * dalys - cost),
        "nmb_3gdp_yuan": _t_interval(three * dalys - cost),
    }
    draws = pd.DataFrame()
    if cost_draws is not None and dalys_draws is not None and deaths_draws is not None:
        cd = np.asarray(cost_draws, float)
        yd = np.asarray(dalys_draws, float)
        dd = np.asarray(deaths_draws, float)
        draws = pd.DataFrame(
            {
                "incremental_cost_yuan_per_year": cd,
                "cost_per_daly_averted_yuan": ratio(cd, yd),
                "cost_per_death_averted_yuan": ratio(cd, dd),
                "nmb_1gdp_yuan": one * yd - cd,
                "nmb_3gdp_yuan": three * yd - cd,
            }
        )
    out = []
    for metric in COST_METRICS:
        mean, lo, hi = rows[metric]
        p_lo, p_hi = _percentiles(draws[metric].to_numpy()) if not draws.empty else (math.nan,) * 2
        out.append(
            {
                "metric": metric,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "psa_low": p_lo,
                "psa_high": p_hi,
            }
        )
    return pd.DataFrame(out).set_index("metric"), draws
