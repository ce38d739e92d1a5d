"""Outcomes attached to a run's patients: per-patient expected and sampled outcomes, summaries.

The simulation produces timelines; these functions evaluate the outcome model on them
(:mod:`sim.outcomes`) and summarise deaths, disabilities and DALYs per replication. A
comparison re-attaches outcomes of every scenario against the base's reference times.
"""

from __future__ import annotations

import pandas as pd

from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.metrics.compute import summarise
from sim.outcomes import calibration_statistics, expected_outcomes, sample_outcomes
from sim.outcomes.burden import CONDITION_COUNTS
from sim.outcomes.params import OutcomeSpec

_OUTCOME_OUTPUTS = ("outcome_censored", "died", "died_prehospital", "gose_band")


def with_outcomes(incidents: pd.DataFrame, spec: OutcomeSpec, seed: int) -> pd.DataFrame:
    """Per-patient expected outcomes plus one sampled outcome per patient.

    Expected values are what the burden estimates use (low variance); the sampled columns
    (``died``, ``died_prehospital``, ``gose_band``) give realised counts. They come from the
    ``outcome`` stream in (rep, patient) order, so the same patient draws the same uniform in
    every scenario of a comparison.
    """
    stale = [
        c
        for c in incidents.columns
        if c in _OUTCOME_OUTPUTS
        or c.startswith(("p_death", "p_gr", "p_md", "p_sd", "p_vs", "p_perm_"))
        or c in ("yll", "yld", "daly")
    ]
    expected = expected_outcomes(incidents.drop(columns=stale), spec)
    return sample_outcomes(expected, RandomStreams(seed, 0)["outcome"])


def outcome_summary(
    incidents: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    warm_up_min: float,
    horizon_min: float,
    population: float,
) -> pd.DataFrame:
    """Per-replication expected deaths, disabilities and DALYs per year, plus calibration.

    Returns a tidy table ``metric, mean, ci_low, ci_high, n_reps``.
    """
    return summarise(
        outcomes_by_rep(
            incidents, spec, warm_up_min=warm_up_min, horizon_min=horizon_min, population=population
        )
    )


def outcomes_by_rep(
    incidents: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    warm_up_min: float,
    horizon_min: float,
    population: float,
) -> pd.DataFrame:
    """One row per replication: the metrics :func:`outcome_summary` summarises."""
    years = (horizon_min - warm_up_min) / MINUTES_PER_DAY / 365.0
    d = incidents[(incidents["t_injury"] >= warm_up_min) & incidents["p_death"].notna()]
    rows = []
    for rep, g in d.groupby("rep"):
        r: dict[str, float] = {"rep": float(str(rep))}
        r["deaths_per_year"] = g["p_death"].sum() / years
        r["prehospital_deaths_per_year"] = g["p_death_prehospital"].sum() / years
        r["severe_disabilities_per_year"] = (g["p_sd"] + g["p_vs"]).sum() / years
        r["moderate_disabilities_per_year"] = g["p_md"].sum() / years
        r["dalys_per_year"] = g["daly"].sum() / years
        for name, col in CONDITION_COUNTS.items():
            r[f"{name}_per_year"] = g[col].sum() / years
        r["sampled_deaths_per_year"] = float(g["died"].sum()) / years
        r["sampled_severe_disabilities_per_year"] = (
            float(g["gose_band"].isin(["SD", "VS"]).sum()) / years
        )
        r["yll_per_year"] = g["yll"].sum() / years
        r["yld_per_year"] = g["yld"].sum() / years
        if population == population:  # not NaN
            r["deaths_per_100k_per_year"] = r["deaths_per_year"] / population * 1e5
            r["dalys_per_100k_per_year"] = r["dalys_per_year"] / population * 1e5
        r.update(calibration_statistics(g, spec))
        rows.append(r)
    return pd.DataFrame(rows)
