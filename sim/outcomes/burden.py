"""Preventable burden between two scenarios, with replication CIs, PSA and tornado data.

Two per-patient tables of the same patients (common random numbers: same ``rep`` and
``patient_id``) are compared patient by patient. Per replication the expected deaths, severe
(SD + VS) and moderate (MD) permanent disabilities, DALYs and the permanent disabilities of
the three time-dependent conditions (surgical TBI, spinal cord injury, limb amputation) of
``base`` minus those of ``other`` are the burden averted by ``other``; disabilities averted
can be negative (a saved life may live with a disability). Replications give a 95 %
t-interval; parameter uncertainty is propagated by re-evaluating the outcome model on the
*same timelines* (no re-simulation) for K parameter draws (PSA) or one parameter at a time
(tornado).

A patient counts only if included in both tables (trauma, not censored in either): a patient
still in progress at the horizon in one scenario is dropped from both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.errors import UserError
from sim.metrics import registry
from sim.outcomes.models import PatientArrays, evaluate, prepare_patients
from sim.outcomes.params import (
    OutcomeSpec,
    UncertainParameter,
    apply_values,
    default_uncertain_parameters,
)

#: Headline metrics, in report order (labels and formats in :mod:`sim.metrics.registry`).
METRICS: tuple[str, ...] = registry.AVERTED + registry.AVERTED_PER_100K
#: Permanent disabilities with a time mechanism (sim.outcomes.disability), by condition:
#: surgical TBI alive with GOS-E <= 6, SCI alive with para-/tetraplegia, limb amputations.
CONDITION_COUNTS: dict[str, str] = {
    "tbi_permanent_disabilities": "p_perm_tbi",
    "sci_permanent_disabilities": "p_perm_sci",
    "limb_amputations": "p_perm_limb",
}
_COUNTS = {
    "deaths": ("p_death",),
    "severe_disabilities": ("p_sd", "p_vs"),
    "moderate_disabilities": ("p_md",),
    "dalys": ("daly",),
    **{name: (col,) for name, col in CONDITION_COUNTS.items()},
}


@dataclass(frozen=True)
class PairedTables:
    """Two prepared tables and the row indices of the patients compared."""

    base: PatientArrays
    other: PatientArrays
    base_rows: np.ndarray
    other_rows: np.ndarray
    rep_index: np.ndarray  # 0..n_reps-1 per compared patient
    reps: np.ndarray  # rep labels
    excluded_per_rep: np.ndarray  # trauma patients dropped (censored in either table)


def pair_tables(base: pd.DataFrame, other: pd.DataFrame) -> PairedTables:
    """Match the trauma patients of two scenario tables by ``(rep, patient_id)``.

    Raises
    ------
    UserError
        Duplicate keys, or trauma patients present in one table only or with different
        injury classes (the tables are not the same patients).
    """
    pb, po = prepare_patients(base), prepare_patients(other)
    keys = []
    for name, df in (("base", base), ("other", other)):
        trauma = df["kind"].to_numpy() == "trauma"
        k = pd.DataFrame(
            {
                "rep": df["rep"].to_numpy()[trauma],
                "patient_id": df["patient_id"].to_numpy()[trauma],
                "cls": df["injury_class"].to_numpy()[trauma],
                "row": np.flatnonzero(trauma),
            }
        )
        if k.duplicated(["rep", "patient_id"]).any():
            raise UserError(f"{name} patients table: (rep, patient_id) must be unique")
        keys.append(k)
    m = keys[0].merge(keys[1], on=["rep", "patient_id"], how="outer", suffixes=("_b", "_o"))
    unmatched = m["row_b"].isna() | m["row_o"].isna()
    if unmatched.any():
        raise UserError(
            f"patients tables: {int(unmatched.sum())} trauma patients appear in only one "
            "scenario; burden needs the same patients (same seed, common random numbers)"
        )
    if (m["cls_b"] != m["cls_o"]).any():
        raise UserError("patients tables: injury_class differs for the same (rep, patient_id)")
    rb = m["row_b"].to_numpy(dtype=np.int64)
    ro = m["row_o"].to_numpy(dtype=np.int64)
    reps, rep_all = np.unique(m["rep"].to_numpy(), return_inverse=True)
    use = pb.included[rb] & po.included[ro]
    excluded = np.bincount(rep_all[~use], minlength=len(reps))
    # Keep only the compared rows, so PSA and tornado evaluate nothing else.
    rows = np.arange(int(use.sum()))
    return PairedTables(
        _take(pb, rb[use]), _take(po, ro[use]), rows, rows, rep_all[use], reps, excluded
    )


def _take(p: PatientArrays, rows: np.ndarray) -> PatientArrays:
    arrays = {f.name: getattr(p, f.name)[rows] for f in fields(p) if f.name != "n"}
    return replace(p, n=len(rows), **arrays)


def _rep_totals(pair: PairedTables, spec: OutcomeSpec) -> dict[str, np.ndarray]:
    vb, vo = evaluate(pair.base, spec), evaluate(pair.other, spec)
    n = len(pair.reps)
    out: dict[str, np.ndarray] = {}
    for name, cols in _COUNTS.items():
        xb = sum(vb[c][pair.base_rows] for c in cols)
        xo = sum(vo[c][pair.other_rows] for c in cols)
        out[f"{name}_base"] = np.bincount(pair.rep_index, weights=xb, minlength=n)
        out[f"{name}_other"] = np.bincount(pair.rep_index, weights=xo, minlength=n)
    return out


def _check_scale(horizon_years: float, population: float) -> None:
    if not (horizon_years > 0 and np.isfinite(horizon_years)):
        raise UserError("burden: horizon_years: must be a finite number > 0")
    if not (population > 0 and np.isfinite(population)):
        raise UserError("burden: population: must be a finite number > 0")


def _rep_metrics(
    totals: dict[str, np.ndarray], horizon_years: float, population: float
) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name in _COUNTS:
        per_year = (totals[f"{name}_base"] - totals[f"{name}_other"]) / horizon_years
        out[f"{name}_averted_per_year"] = per_year
        out[f"{name}_averted_per_100k_per_year"] = per_year / population * 1e5
    return out


def burden_by_rep(
    base: pd.DataFrame,
    other: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    horizon_years: float,
    population: float,
) -> pd.DataFrame:
    """Burden averted by ``other`` relative to ``base``, one row per replication.

    Parameters
    ----------
    base, other
        Per-patient tables of the two scenarios (same patients; outcome columns, if any,
        are recomputed from ``spec``).
    spec
        Outcome parameters.
    horizon_years
        Length of the observation window the patients were injured in, years (e.g.
        (horizon - warm-up) minutes / 525,600).
    population
        Residents covered, for the per-100,000 rates.

    Returns
    -------
    pandas.DataFrame
        Index ``rep``; columns ``patients`` (compared), ``excluded`` (censored in either),
        expected totals ``deaths_base`` ... ``dalys_other`` over the window, and
        :data:`METRICS`.
    """
    _check_scale(horizon_years, population)
    pair = pair_tables(base, other)
    totals = _rep_totals(pair, spec)
    metrics = _rep_metrics(totals, horizon_years, population)
    return pd.DataFrame(
        {
            "patients": np.bincount(pair.rep_index, minlength=len(pair.reps)),
            "excluded": pair.excluded_per_rep,
            **totals,
            **{m: metrics[m] for m in METRICS},
        },
        index=pd.Index(pair.reps, name="rep"),
    )


def _summary(values: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for m in METRICS:
        x = values[m].to_numpy(dtype=float)
        n = len(x)
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else float("nan")
        half = float(stats.t.ppf(0.975, n - 1)) * sd / np.sqrt(n) if n > 1 else float("nan")
        rows.append(
            {
                "metric": m,
                "mean": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "sd": sd,
                "n_reps": n,
            }
        )
    return pd.DataFrame(rows).set_index("metric")


def burden_averted(
    base: pd.DataFrame,
    other: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    horizon_years: float,
    population: float,
) -> pd.DataFrame:
    """Burden averted by ``other`` with a 95 % CI across replications.

    Parameters
    ----------
    base, other
        Per-patient tables of the two scenarios (same patients, common random numbers).
    spec
        Outcome parameters.
    horizon_years
        Observation window of the patients, years.
    population
        Residents covered, for the per-100,000 rates.

    Returns
    -------
    pandas.DataFrame
        Index ``metric`` (:data:`METRICS`); columns ``mean`` (mean over replications),
        ``ci_low``, ``ci_high`` (t-distribution, n_reps - 1 df; NaN with one replication),
        ``sd``, ``n_reps``.
    """
    return _summary(
        burden_by_rep(base, other, spec, horizon_years=horizon_years, population=population)
    )


def psa_draws(
    base: pd.DataFrame,
    other: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    draws: int,
    rng: np.random.Generator,
    horizon_years: float,
    population: float,
    parameters: Sequence[UncertainParameter] | None = None,
) -> pd.DataFrame:
    """Headline metrics for ``draws`` joint draws of the uncertain parameters.

    Parameters
    ----------
    base, other
        Per-patient tables of the two scenarios (timelines reused for every draw).
    spec
        Base outcome parameters (distribution centres).
    draws
        Number of parameter sets K.
    rng
        Random generator (stream ``"psa"``).
    horizon_years, population
        As in :func:`burden_averted`.
    parameters
        Uncertain parameters (default :func:`default_uncertain_parameters`); those with
        ``psa = False`` are held at their spec value.

    Returns
    -------
    pandas.DataFrame
        One row per draw: the drawn parameter values and the replication means of
        :data:`METRICS`.
    """
    if draws < 1:
        raise UserError("psa: draws: must be >= 1")
    _check_scale(horizon_years, population)
    params = [p for p in (parameters or default_uncertain_parameters(spec)) if p.psa]
    pair = pair_tables(base, other)
    values = {p.name: p.sample(rng, draws) for p in params}
    rows = []
    for k in range(draws):
        spec_k = apply_values(spec, {name: float(v[k]) for name, v in values.items()}, params)
        metrics = _rep_metrics(_rep_totals(pair, spec_k), horizon_years, population)
        rows.append({m: float(metrics[m].mean()) for m in METRICS})
    return pd.concat([pd.DataFrame(values), pd.DataFrame(rows)], axis=1)


def psa(
    base: pd.DataFrame,
    other: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    draws: int,
    rng: np.random.Generator,
    horizon_years: float,
    population: float,
    parameters: Sequence[UncertainParameter] | None = None,
) -> pd.DataFrame:
    """:func:`burden_averted` plus the 2.5 / 97.5 % PSA interval of every metric.

    Returns
    -------
    pandas.DataFrame
        The :func:`burden_averted` table with extra columns ``psa_low`` and ``psa_high``
        (percentiles over the parameter draws of the replication mean) and ``psa_draws``.
    """
    summary = burden_averted(base, other, spec, horizon_years=horizon_years, population=population)
    d = psa_draws(
        base,
        other,
        spec,
        draws=draws,
        rng=rng,
        horizon_years=horizon_years,
        population=population,
        parameters=parameters,
    )
    summary["psa_low"] = [float(np.percentile(d[m], 2.5)) for m in summary.index]
    summary["psa_high"] = [float(np.percentile(d[m], 97.5)) for m in summary.index]
    summary["psa_draws"] = draws
    return summary


def tornado(
    base: pd.DataFrame,
    other: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    horizon_years: float,
    population: float,
    metrics: Sequence[str] = ("dalys_averted_per_year", "deaths_averted_per_year"),
    parameters: Sequence[UncertainParameter] | None = None,
    top: int = 10,
) -> pd.DataFrame:
    """One-way sensitivity (tornado) data: each parameter at its 2.5 % and 97.5 % quantile.

    Parameters
    ----------
    base, other
        Per-patient tables of the two scenarios.
    spec
        Base outcome parameters.
    horizon_years, population
        As in :func:`burden_averted`.
    metrics
        Metrics of :data:`METRICS` to report.
    parameters
        Uncertain parameters (default :func:`default_uncertain_parameters`, including the
        tornado-only ones).
    top
        Parameters kept per metric, ranked by swing ``|result_at_high - result_at_low|``.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, parameter, low_value, high_value, result_at_low, result_at_high,
        base_result, swing, source``; ``top`` rows per metric, largest swing first.
    """
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise UserError(f"tornado: metrics: unknown {unknown}; allowed {list(METRICS)}")
    _check_scale(horizon_years, population)
    params = list(parameters or default_uncertain_parameters(spec))
    pair = pair_tables(base, other)

    def run(s: OutcomeSpec) -> dict[str, float]:
        res = _rep_metrics(_rep_totals(pair, s), horizon_years, population)
        return {m: float(res[m].mean()) for m in metrics}

    base_res = run(spec)
    rows = []
    for p in params:
        lo, hi = (float(v) for v in p.ppf(np.array([0.025, 0.975])))
        r_lo = run(apply_values(spec, {p.name: lo}, params))
        r_hi = run(apply_values(spec, {p.name: hi}, params))
        for m in metrics:
            rows.append(
                {
                    "metric": m,
                    "parameter": p.name,
                    "low_value": lo,
                    "high_value": hi,
                    "result_at_low": r_lo[m],
                    "result_at_high": r_hi[m],
                    "base_result": base_res[m],
                    "swing": abs(r_hi[m] - r_lo[m]),
                    "source": p.source,
                }
            )
    df = pd.DataFrame(rows)
    df["_order"] = df["metric"].map({m: i for i, m in enumerate(metrics)})
    df = df.sort_values(["_order", "swing"], ascending=[True, False], kind="stable")
    df = df.groupby("metric", sort=False).head(top).drop(columns="_order")
    return df.reset_index(drop=True)
