"""Cost-effectiveness rows of a comparison: each scenario's annual cost against the base's.

Quantities come from the scenario (units, seats, platforms, on-call hours) and from its run
(escorted hours, pre-notified patients, per replication); unit prices from its ``[costs]``
(:mod:`sim.outcomes.costs`). The PSA pairs price draws (stream ``"psa_costs"``, the same
quantiles for every scenario) with the outcome draws of the same index, so the cost per DALY
averted carries both uncertainties; the arithmetic is :func:`sim.outcomes.costeffect.
cost_effect_table`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.core.rng import RandomStreams
from sim.outcomes.burden import burden_by_rep
from sim.outcomes.costeffect import cost_effect_table
from sim.outcomes.costs import COST_ITEMS, cost_draws, fixed_quantities, usage_by_rep
from sim.outcomes.params import OutcomeSpec
from sim.runs.tables import WorldInfo


@dataclass(frozen=True)
class CostEffect:
    """One scenario's cost rows against the base, and its PSA draws."""

    table: pd.DataFrame  # index metric: mean, ci_low, ci_high, psa_low, psa_high[, psa_all_*]
    draws: pd.DataFrame  # one row per PSA draw (empty without PSA)
    joint: pd.DataFrame = field(default_factory=pd.DataFrame)  # per joint draw (--joint-psa)


def quantities_by_rep(
    scenario: Scenario,
    info: WorldInfo,
    incidents: pd.DataFrame,
    *,
    warm_up_min: float,
    years: float,
) -> pd.DataFrame:
    """Every cost item's quantity per year, one row per replication (index ``rep``)."""
    usage = usage_by_rep(incidents, warm_up_min=warm_up_min, years=years)
    fixed = fixed_quantities(
        units=info.units,
        seats=info.seats,
        centres=info.centres,
        mechanisms=scenario.mechanisms,
    )
    for item, q in fixed.items():
        usage[item] = q
    return usage[list(COST_ITEMS)]


def annual_cost_by_rep(scenario: Scenario, quantities: pd.DataFrame) -> np.ndarray:
    """Yuan per year per replication at the scenario's central prices."""
    prices = np.array([getattr(scenario.costs, k).yuan for k in COST_ITEMS])
    return np.asarray(quantities.to_numpy(float) @ prices, dtype=float)


def cost_effect(
    base: Scenario,
    other: Scenario,
    *,
    base_quantities: pd.DataFrame,
    other_quantities: pd.DataFrame,
    base_incidents: pd.DataFrame,
    other_incidents: pd.DataFrame,
    spec: OutcomeSpec,
    warm_up_min: float,
    years: float,
    population: float,
    burden_draws: pd.DataFrame,
    joint_draws: pd.DataFrame | None = None,
) -> CostEffect:
    """Cost rows of ``other`` against ``base`` (paired by replication, PSA paired by draw).

    Parameters
    ----------
    base, other
        The scenarios (their ``[costs]`` price their own quantities).
    base_quantities, other_quantities
        From :func:`quantities_by_rep`.
    base_incidents, other_incidents
        Their per-patient tables (the DALYs and deaths averted per replication).
    spec, warm_up_min, years, population
        The comparison's outcome spec and window.
    burden_draws
        The outcome PSA draws of ``other`` (``dalys_averted_per_year``,
        ``deaths_averted_per_year`` per draw); empty: no PSA interval.
    joint_draws
        The joint draws of every assumption (:func:`sim.runs.compare.burden_of`, with
        ``rep``): each is priced at its own replication's quantities with one more price
        draw (stream ``"joint_psa_costs"``), which gives ``psa_all_low``/``psa_all_high``.

    Returns
    -------
    CostEffect
    """
    bi = base_incidents[base_incidents["t_injury"] >= warm_up_min]
    oi = other_incidents[other_incidents["t_injury"] >= warm_up_min]
    by_rep = burden_by_rep(bi, oi, spec, horizon_years=years, population=population)
    reps = by_rep.index
    incr = annual_cost_by_rep(other, other_quantities.reindex(reps)) - annual_cost_by_rep(
        base, base_quantities.reindex(reps)
    )
    kwargs: dict[str, np.ndarray] = {}
    if not burden_draws.empty:
        k = len(burden_draws)
        u = RandomStreams(base.run.seed, 0)["psa_costs"].random((k, len(COST_ITEMS)))
        q_o = {str(k): float(v) for k, v in other_quantities.mean().items()}
        q_b = {str(k): float(v) for k, v in base_quantities.mean().items()}
        kwargs = {
            "cost_draws": cost_draws(other.costs, q_o, u) - cost_draws(base.costs, q_b, u),
            "dalys_draws": burden_draws["dalys_averted_per_year"].to_numpy(float),
            "deaths_draws": burden_draws["deaths_averted_per_year"].to_numpy(float),
        }
    dalys_rep = by_rep["dalys_averted_per_year"].to_numpy(float)
    deaths_rep = by_rep["deaths_averted_per_year"].to_numpy(float)
    gdp = base.costs.gdp_per_capita_yuan
    table, draws = cost_effect_table(incr, dalys_rep, deaths_rep, gdp_per_capita_yuan=gdp, **kwargs)
    joint = pd.DataFrame()
    if joint_draws is not None and not joint_draws.empty:
        k = len(joint_draws)
        u = RandomStreams(base.run.seed, 0)["joint_psa_costs"].random((k, len(COST_ITEMS)))
        cost_k = np.empty(k)
        for i, r in enumerate(joint_draws["rep"].to_numpy(np.int64).tolist()):
            # A draw tied to a replication is priced at what that replication used.
            used_o, used_b = (
                q.loc[r] if r >= 0 else q.mean() for q in (other_quantities, base_quantities)
            )
            one = u[i : i + 1]
            cost_k[i] = float(
                cost_draws(other.costs, {str(a): float(v) for a, v in used_o.items()}, one)[0]
                - cost_draws(base.costs, {str(a): float(v) for a, v in used_b.items()}, one)[0]
            )
        all_table, joint = cost_effect_table(
            incr,
            dalys_rep,
            deaths_rep,
            gdp_per_capita_yuan=gdp,
            cost_draws=cost_k,
            dalys_draws=joint_draws["dalys_averted_per_year"].to_numpy(float),
            deaths_draws=joint_draws["deaths_averted_per_year"].to_numpy(float),
        )
        table["psa_all_low"] = all_table["psa_low"]
        table["psa_all_high"] = all_table["psa_high"]
    return CostEffect(table, draws, joint)
