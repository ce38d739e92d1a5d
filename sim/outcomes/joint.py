"""Joint PSA draws that keep the calibration honest: refit per draw, then ABC rejection.

The outcome PSA (:func:`sim.outcomes.burden.psa_draws`) draws the outcome parameters from
their evidence distributions but holds the calibrated intercepts at their fitted values, so a
draw of, say, a steeper prehospital hazard no longer reproduces the mortalities and the death
split it was fitted to. Here each draw is recalibrated: the intercepts (``alpha_cal``,
``alpha_class`` of TBS, TBN and MN) are refitted to the mortality targets given the draw's
other values (:func:`refit_calibrated`), and the draw is kept only if the baseline then meets
*every* fit target within its tolerance (:data:`sim.outcomes.calibration.DEFAULT_TARGETS`):
the hazards, drawn from their evidence priors, must still give the before-rescuers share and
the survivor bands the disability shares. That second step is approximate Bayesian
computation by rejection with a uniform kernel of the targets' own tolerances (Pritchard et
al. 1999, Mol. Biol. Evol. 16:1791; Beaumont 2010, Annu. Rev. Ecol. Evol. Syst. 41:379): the
retained draws sample the priors restricted to the region consistent with the fit targets,
and every retained draw meets them by construction.

When the timelines themselves are drawn (mechanism and operational assumptions, one draw per
replication, :mod:`sim.runs.joint`), retained draw ``k`` is tied to replication
``reps[k % n]`` and takes that replication's burden averted, so one joint draw carries
outcome, calibrated and mechanism values together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.core.errors import UserError
from sim.outcomes.burden import METRICS, _check_scale, _rep_metrics, _rep_totals, pair_tables
from sim.outcomes.calibration import (
    DEFAULT_TARGETS,
    CalibrationData,
    CalibrationTarget,
    calibration_data,
    fit_mortality,
    statistics_of,
)
from sim.outcomes.models import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, evaluate
from sim.outcomes.params import (
    HAZARD_PRIORS,
    Z95,
    OutcomeSpec,
    UncertainParameter,
    apply_values,
    default_uncertain_parameters,
)

#: Names of the refitted intercepts in joint samples and the spec fields they set.
CALIBRATED: dict[str, str] = {
    "alpha_cal": "alpha_cal",
    "alpha_TBS": "alpha_class.TBS",
    "alpha_TBN": "alpha_class.TBN",
    "alpha_MN": "alpha_class.MN",
}


def calibrated_parameters(spec: OutcomeSpec) -> list[UncertainParameter]:
    """The refitted intercepts as named parameters (their values come from the refit).

    The distribution given (normal around the fitted value) is only a descriptor for the
    tables: joint draws never sample it, :func:`refit_calibrated` sets the values.

    Parameters
    ----------
    spec
        The fitted outcome spec.

    Returns
    -------
    list of UncertainParameter
    """
    current = {"alpha_cal": spec.alpha_cal} | {
        f"alpha_{c}": spec.alpha_class[c] for c in ("TBS", "TBN", "MN")
    }
    return [
        UncertainParameter(
            name=name,
            targets=[target],
            dist="normal",
            a=current[name],
            b=1.0,
            psa=False,
            source="refitted per draw to the mortality fit targets (sim.outcomes.joint)",
        )
        for name, target in CALIBRATED.items()
    ]


def joint_parameters(spec: OutcomeSpec) -> list[UncertainParameter]:
    """Outcome PSA parameters (those drawn) plus the calibrated intercepts."""
    return [p for p in default_uncertain_parameters(spec) if p.psa] + calibrated_parameters(spec)


def fit_targets(targets: Sequence[CalibrationTarget] = DEFAULT_TARGETS) -> list[CalibrationTarget]:
    """The targets a parameter is fitted to (``kind == "fit"``)."""
    return [t for t in targets if t.kind == "fit"]


def refit_calibrated(baseline: pd.DataFrame | CalibrationData, spec: OutcomeSpec) -> OutcomeSpec:
    """Refit the calibrated parameters of one PSA draw to the fit targets.

    The calibrated block of :func:`sim.outcomes.calibration.fit_calibration` (the same
    :func:`sim.outcomes.calibration.fit_mortality`), with the draw's other values held:
    ``alpha_cal`` (ISS>=16 in-hospital mortality), one common offset of ``alpha_class``
    TBS/TBN (severe-TBI in-hospital mortality), ``alpha_class.MN`` (ISS<=15 mortality), and
    one common shift ``d`` of the drawn prehospital hazards (crash deaths before rescuers
    arrive), ``hazard[c] = drawn[c] exp(sigma_c d)`` clipped to the class's 95 % evidence
    prior, so the draw keeps its between-class pattern and every class stays inside its
    prior. Two rounds of the two blocks.

    Parameters
    ----------
    baseline
        Per-patient baseline table (after the warm-up), or the same prepared once
        (:func:`sim.outcomes.calibration.calibration_data`; do that when refitting many draws).
    spec
        One PSA draw of the outcome parameters.

    Returns
    -------
    OutcomeSpec
    """
    data = baseline if isinstance(baseline, CalibrationData) else calibration_data(baseline)
    return fit_mortality(
        data,
        spec,
        hazard_start={c: spec.hazard_per_min[c] for c in HAZARD_PRIORS},
        z_bound=2 * Z95,
        rounds=2,
    )


def abc_draws(
    baseline: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    draws: int,
    rng: np.random.Generator,
    parameters: Sequence[UncertainParameter] | None = None,
    reps: Sequence[int] | None = None,
    targets: Sequence[CalibrationTarget] = DEFAULT_TARGETS,
    max_candidates: int | None = None,
    recentre_missed: bool = False,
) -> pd.DataFrame:
    """Joint draws, recalibrated, that each meet every fit target on the baseline.

    Each candidate draws the outcome parameters (:func:`sim.outcomes.params.
    default_uncertain_parameters`, hazards from their evidence priors), refits the
    calibrated parameters (intercepts, hazard level) (:func:`refit_calibrated`) and is kept only if
    *every* fit target then holds within its tolerance (ABC rejection: the hazard draws must
    still reproduce the before-rescuers share, the band draws the disability shares).

    Parameters
    ----------
    baseline
        Per-patient table of the baseline (after the warm-up; needs ``rep``, ``mechanism``,
        ``injury_class``, ``iss`` and the timeline columns).
    spec
        Fitted outcome spec (distribution centres).
    draws
        Draws to retain.
    rng
        Random generator (stream ``"joint_psa"``).
    parameters
        Outcome parameters drawn (default: the PSA ones of
        :func:`sim.outcomes.params.default_uncertain_parameters`).
    reps
        Replication labels: retained draw k is tied to ``reps[k % len(reps)]`` (its
        mechanism draw); None ties none (``rep = -1``). Targets are checked on the whole
        baseline: one short replication's death split is too noisy to hold to them.
    targets
        Targets; only ``kind == "fit"`` ones are checked.
    max_candidates
        Candidates tried before giving up (default ``20 * draws``).
    recentre_missed
        A fit target that the central spec, refitted on this baseline, itself misses cannot
        be met by draws from the same priors (Hangzhou: crash deaths before rescuers arrive,
        the documented miss of docs/validation.md). False: such a target still rejects
        every draw (and the call fails). True: the draws are held to the central fit's value
        of that target within the target's own half-width instead, so they are as consistent
        with it as the calibration itself is; the targets treated so are listed in
        ``attrs["recentred"]`` (metric -> accepted low, high) and must be reported.

    Returns
    -------
    pandas.DataFrame
        One row per retained draw: parameter values including the refitted ``alpha_*``
        (:func:`joint_parameters` names), ``rep``, the fit statistics it reached;
        ``attrs["candidates"]`` is the number of candidates tried, ``attrs["recentred"]`` as
        above (empty when every target is held to its published range).

    Raises
    ------
    UserError
        Fewer than ``draws`` candidates met the targets (the message gives the acceptance).
    """
    if draws < 1:
        raise UserError("joint psa: draws: must be >= 1")
    params = [p for p in (parameters or default_uncertain_parameters(spec)) if p.psa]
    fits = fit_targets(targets)
    limit = max_candidates or 20 * draws
    # Trauma rows and the model's columns only: each refit evaluates the table ~50 times.
    keep = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, "mechanism"]
    baseline = baseline.loc[
        baseline["kind"].to_numpy() == "trauma", [c for c in keep if c in baseline.columns]
    ]
    # Prepared once: every candidate's refit and check reuse the same arrays.
    data = calibration_data(baseline)
    windows = {t.metric: (t.low, t.high) for t in fits}
    recentred: dict[str, tuple[float, float]] = {}
    if recentre_missed:
        central = refit_calibrated(data, spec)
        at_centre = statistics_of(data, evaluate(data.patients, central), central)
        for t in fits:
            c = at_centre[t.metric]
            if np.isfinite(c) and not t.low <= c <= t.high:
                half = (t.high - t.low) / 2.0
                windows[t.metric] = recentred[t.metric] = (c - half, c + half)
    rows: list[dict[str, float]] = []
    tried = 0
    while len(rows) < draws and tried < limit:
        tried += 1
        values = {p.name: float(p.sample(rng, 1)[0]) for p in params}
        s = refit_calibrated(data, apply_values(spec, values, params))
        # The check uses the whole model (evaluate), not the fit's two-stage shortcut.
        st = statistics_of(data, evaluate(data.patients, s), s)
        # A NaN statistic fails the comparison, so it rejects the draw too.
        if all(lo <= st[m] <= hi for m, (lo, hi) in windows.items()):
            rep = -1 if reps is None else int(reps[len(rows) % len(reps)])
            fitted = {
                "alpha_cal": s.alpha_cal,
                **{f"alpha_{c}": s.alpha_class[c] for c in ("TBS", "TBN", "MN")},
                **{f"hazard_{c}": s.hazard_per_min[c] for c in HAZARD_PRIORS},
            }
            rows.append({**values, **fitted, "rep": rep, **{t.metric: st[t.metric] for t in fits}})
    if len(rows) < draws:
        raise UserError(
            f"joint psa: only {len(rows)} of {tried} recalibrated draws met every fit target "
            f"(needed {draws}); check the baseline with `trauma-sim calibration`"
        )
    out = pd.DataFrame(rows)
    out["rep"] = out["rep"].astype(int)
    out.attrs["candidates"] = tried
    out.attrs["recentred"] = recentred
    return out


def joint_psa_draws(
    base: pd.DataFrame,
    other: pd.DataFrame,
    spec: OutcomeSpec,
    draws: pd.DataFrame,
    *,
    horizon_years: float,
    population: float,
    parameters: Sequence[UncertainParameter] | None = None,
) -> pd.DataFrame:
    """Headline metrics of each retained joint draw.

    A draw tied to a replication (``rep >= 0``) takes that replication's value, so its
    mechanism and operational assumptions (drawn per replication) go with its outcome and
    calibrated ones; a pooled draw (``rep == -1``) takes the mean over replications.

    Parameters
    ----------
    base, other
        Per-patient tables of the two scenarios (same patients).
    spec
        Fitted outcome spec.
    draws
        Output of :func:`abc_draws`.
    horizon_years, population
        As in :func:`sim.outcomes.burden.burden_averted`.
    parameters
        The parameters ``draws`` holds values of (default :func:`joint_parameters`).

    Returns
    -------
    pandas.DataFrame
        ``draws`` with the :data:`sim.outcomes.burden.METRICS` columns added.
    """
    _check_scale(horizon_years, population)
    params = list(parameters or joint_parameters(spec))
    names = [p.name for p in params]
    pair = pair_tables(base, other)
    index = {int(r): i for i, r in enumerate(pair.reps)}
    rows = []
    for _, d in draws.iterrows():
        s = apply_values(spec, {n: float(d[n]) for n in names}, params)
        res = _rep_metrics(_rep_totals(pair, s), horizon_years, population)
        r = int(d["rep"])
        if r >= 0 and r not in index:
            raise UserError(f"joint psa: draw tied to replication {r}, which has no patients")
        rows.append({m: float(res[m][index[r]] if r >= 0 else res[m].mean()) for m in METRICS})
    return pd.concat([draws.reset_index(drop=True), pd.DataFrame(rows)], axis=1)
