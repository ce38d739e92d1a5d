"""Calibration statistics of the outcome model and a check against published targets.

Statistics are computed from expected values (sums of per-patient probabilities, no sampling
noise) over the included trauma rows of an outcomes table
(:func:`sim.outcomes.models.expected_outcomes`), pooled over replications. Targets
(evidence §2, §6, §9):

* Split of road-crash (``mechanism == "rtc"``) deaths, 2020 MPS/NHC notice [S]: 20.8 % on the
  spot (IMM), 27.2 % before rescuers arrive (stage-1 deaths of other classes), 52 % despite
  treatment (stage-2 deaths).
* Severe-TBI (TBS + TBN) in-hospital mortality 0.20 (CENTER-TBI China, F3 [V]).
* ISS >= 16 in-hospital mortality 0.10-0.26 (McCoy 2013, Gabbe 2012, F4 [V]).
* ISS <= 15 in-hospital mortality 0.004 (McCoy 2013 [V]).
* ISS >= 16 survivors with any functional limitation (GOS-E < 8) 0.80 (Gabbe 2012, G1 [V]).
* Severe TBI, death or GOS-E <= 4 among patients reaching care 0.53 (Newgard 2015, G3 [V]).
* Held out: surgical-lesion TBI (TBS) in-hospital mortality 0.40 (Tien 2011 [V]); and, in
  :data:`SYSTEM_TARGETS`, road deaths per 100,000 a year (GBD 2019 Zhejiang 11.25 [V]) and
  the share of road deaths removed by automatic crash notification of every crash (Virtanen
  2009 3.6 %, Clark & Cushing 2002 1.5-6 % [V]).

"In-hospital" means after effective care began (the model's stage 2), among patients alive
at that point: sum(p_death_hospital) / sum(1 - p_death_prehospital).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit

from sim.core.errors import UserError
from sim.outcomes.models import (
    OUTCOME_COLUMNS,
    PatientArrays,
    evaluate,
    per_class,
    prehospital_death,
    prehospital_death_within,
    prepare_patients,
    stage2_terms,
)
from sim.outcomes.params import CLASS_CODE, HAZARD_PRIORS, Z95, OutcomeSpec, hazard_prior

SEVERE_TBI_CLASSES: tuple[str, ...] = ("TBS", "TBN")


@dataclass(frozen=True)
class CalibrationTarget:
    """A published figure the baseline should reproduce within a tolerance.

    ``kind`` is ``"fit"`` when a parameter named in ``parameters_tuned`` is chosen to meet it
    (:func:`fit_calibration`, the survivor bands), ``"holdout"`` when no parameter is: only a
    held-out target tests the model on data it was not fitted to.
    """

    metric: str
    target: float
    tolerance: float
    parameters_tuned: str
    source: str
    kind: Literal["fit", "holdout"] = "fit"
    #: A published range that is not symmetric about ``target`` (replaces the tolerance).
    bounds: tuple[float, float] | None = None

    @property
    def low(self) -> float:
        """Lower end of the accepted range."""
        if self.bounds is not None:
            return self.bounds[0]
        return max(self.target - self.tolerance, 0.0)

    @property
    def high(self) -> float:
        """Upper end of the accepted range."""
        if self.bounds is not None:
            return self.bounds[1]
        return self.target + self.tolerance


DEFAULT_TARGETS: tuple[CalibrationTarget, ...] = (
    CalibrationTarget(
        "rtc_death_share_before_rescuers",
        0.272,
        0.05,
        "hazard_per_min (HT, HL, AW, TBS, MS: one common z within the evidence priors)",
        "2020 MPS/NHC road-crash rescue notice, evidence §9 [S]",
    ),
    CalibrationTarget(
        "iss16_hospital_mortality",
        0.18,
        0.08,
        "alpha_cal",
        "McCoy 2013 26.1 %, Gabbe 2012 9.9-11.9 % (F4) [V]",
    ),
    CalibrationTarget(
        "severe_tbi_hospital_mortality",
        0.20,
        0.05,
        "alpha_class.TBS, alpha_class.TBN",
        "CENTER-TBI China, Gao 2020 (F3) [V]",
    ),
    CalibrationTarget(
        "iss15_hospital_mortality",
        0.004,
        0.004,
        "alpha_class.MN",
        "McCoy 2013 ISS<=15 0.4 % [V]",
    ),
    CalibrationTarget(
        "iss16_survivor_limitation_share",
        0.80,
        0.07,
        "survivor_bands, gr_lower_share",
        "Gabbe 2012 (G1) [V]",
    ),
    CalibrationTarget(
        "severe_tbi_death_or_gose4_share",
        0.53,
        0.07,
        "survivor_bands.TBS/TBN",
        "Newgard 2015 6-month GOS-E<=4 incl. death (G3) [V]",
    ),
    # Held out: no parameter is chosen to meet these; all four are shares of road-crash
    # deaths compared with road-crash deaths (two national, two Beijing series). The intercepts
    # are fitted to absolute hospital mortalities instead: fitting them to a share let least
    # squares lower hospital deaths just to raise the before-rescuers share.
    CalibrationTarget(
        "rtc_death_share_on_spot",
        0.208,
        0.05,
        "none (IMM share of the case mix, demand.case_mix)",
        "2020 MPS/NHC road-crash rescue notice, evidence §9 [S]",
        "holdout",
    ),
    CalibrationTarget(
        "rtc_death_share_within_10min",
        0.467,
        0.07,
        "none",
        "Beijing Red Cross EMS 2008-17 road deaths, 46.7 % <= 10 min (PMC6946352) [V]",
        "holdout",
    ),
    CalibrationTarget(
        "rtc_death_share_10_to_60min",
        0.090,
        0.05,
        "none",
        "Beijing Red Cross EMS 2008-17 road deaths, 9.0 % 10 min-1 h (PMC6946352) [V]",
        "holdout",
    ),
    CalibrationTarget(
        "rtc_death_share_despite_treatment",
        0.52,
        0.05,
        "none",
        "2020 MPS/NHC road-crash rescue notice, evidence §9 [S]",
        "holdout",
    ),
    # The fit pools TBS and TBN; the surgical-lesion class alone is not fitted.
    CalibrationTarget(
        "tbs_hospital_mortality",
        0.40,
        0.10,
        "none (the fit pools TBS with TBN)",
        "Tien 2011, Ann Surg 253:1178: acute subdural haematoma needing craniotomy, 60/149 "
        "died in hospital [V]",
        "holdout",
    ),
)

#: Held-out targets that need the whole run (population, horizon, a counterfactual run):
#: computed by :func:`sim.runs.study.calibration_report` and passed to
#: :func:`calibration_table` as ``extra_statistics``.
SYSTEM_TARGETS: tuple[CalibrationTarget, ...] = (
    CalibrationTarget(
        "rtc_deaths_per_100k_per_year",
        11.25,
        3.0,
        "none",
        "GBD 2019 Zhejiang road-injury mortality 11.25/100k, age-standardised "
        "(jbjc.org 10.3784/jbjc.202401020010) [V]; national crude 11.0 (Lancet Public Health "
        "2019) [V]; tolerance +/-3 for crude vs age-standardised [U]",
        "holdout",
    ),
    CalibrationTarget(
        "acn_rtc_death_reduction",
        0.036,
        0.0,
        "none (counterfactual run: every crash auto-notified 1 min after injury)",
        "Virtanen 2009 eCall 3.6 % of road deaths [V]; range Clark & Cushing 2002 ACN at "
        "1 min, 1.5-6 % [V]",
        "holdout",
        bounds=(0.015, 0.06),
    ),
)


def hazards_outside_priors(spec: OutcomeSpec) -> dict[str, float]:
    """Classes whose prehospital hazard lies outside its 95 % evidence prior.

    Parameters
    ----------
    spec
        Outcome spec to check.

    Returns
    -------
    dict of str to float
        Class -> hazard per minute, for every class outside ``HAZARD_PRIORS`` (empty if none).
    """
    return {
        c: spec.hazard_per_min[c]
        for c, (lo, hi) in HAZARD_PRIORS.items()
        if not lo <= spec.hazard_per_min[c] <= hi
    }


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


@dataclass(frozen=True)
class CalibrationData:
    """A baseline's patients prepared once for many evaluations (a fit, ABC candidates).

    ``patients`` are the model's arrays (:func:`sim.outcomes.models.prepare_patients`),
    ``rtc`` marks road-crash rows (``mechanism == "rtc"``), aligned with them.
    """

    patients: PatientArrays
    rtc: np.ndarray


def calibration_data(table: pd.DataFrame) -> CalibrationData:
    """Prepare a per-patient table (needs ``mechanism``) for :func:`statistics_of`.

    Parameters
    ----------
    table
        Per-patient table of the baseline (:data:`sim.outcomes.models.REQUIRED_COLUMNS` and
        ``mechanism``).

    Returns
    -------
    CalibrationData
    """
    if "mechanism" not in table.columns:
        raise UserError("patients table: missing columns ['mechanism']")
    return CalibrationData(prepare_patients(table), table["mechanism"].to_numpy() == "rtc")


@dataclass(frozen=True)
class _Groups:
    """Row masks of the calibration statistics, restricted to rows with an outcome."""

    rtc: np.ndarray
    rtc_imm: np.ndarray
    rtc_not_imm: np.ndarray
    tbi: np.ndarray
    tbs: np.ndarray
    major: np.ndarray
    minor: np.ndarray


def _groups(data: CalibrationData, inc: np.ndarray) -> _Groups:
    p = data.patients
    imm = p.cls == CLASS_CODE["IMM"]
    rtc = data.rtc & inc
    return _Groups(
        rtc=rtc,
        rtc_imm=rtc & imm,
        rtc_not_imm=rtc & ~imm,
        tbi=inc & np.isin(p.cls, [CLASS_CODE[c] for c in SEVERE_TBI_CLASSES]),
        tbs=inc & (p.cls == CLASS_CODE["TBS"]),
        major=inc & (p.iss >= 16) & ~imm,
        minor=inc & (p.iss <= 15),
    )


def _mortality_statistics(
    pre: np.ndarray, hosp: np.ndarray, death: np.ndarray, g: _Groups
) -> dict[str, float]:
    """The death-split and hospital-mortality statistics (the ones the intercepts meet)."""
    rtc_deaths = float(death[g.rtc].sum())
    alive_at_care = 1.0 - pre
    return {
        "rtc_deaths": rtc_deaths,
        "rtc_death_share_on_spot": _ratio(float(death[g.rtc_imm].sum()), rtc_deaths),
        "rtc_death_share_before_rescuers": _ratio(float(pre[g.rtc_not_imm].sum()), rtc_deaths),
        "rtc_death_share_despite_treatment": _ratio(float(hosp[g.rtc].sum()), rtc_deaths),
        "severe_tbi_hospital_mortality": _ratio(
            float(hosp[g.tbi].sum()), float(alive_at_care[g.tbi].sum())
        ),
        "tbs_hospital_mortality": _ratio(
            float(hosp[g.tbs].sum()), float(alive_at_care[g.tbs].sum())
        ),
        "iss16_hospital_mortality": _ratio(
            float(hosp[g.major].sum()), float(alive_at_care[g.major].sum())
        ),
        "iss15_hospital_mortality": _ratio(
            float(hosp[g.minor].sum()), float(alive_at_care[g.minor].sum())
        ),
    }


def statistics_of(
    data: CalibrationData, values: Mapping[str, np.ndarray], spec: OutcomeSpec
) -> dict[str, float]:
    """Calibration statistics from prepared patients and their expected outcomes.

    The array form of :func:`calibration_statistics` (same numbers): no table is copied or
    validated again, so ABC candidates (:func:`sim.outcomes.joint.abc_draws`) are cheap.

    Parameters
    ----------
    data
        From :func:`calibration_data`.
    values
        Output of :func:`sim.outcomes.models.evaluate` on ``data.patients``.
    spec
        The spec used (for ``gr_lower_share`` and the time-of-death profile).

    Returns
    -------
    dict of str to float
        As :func:`calibration_statistics`.
    """
    p = data.patients
    death = values["p_death"]
    g = _groups(data, np.isfinite(death))
    pre, hosp = values["p_death_prehospital"], values["p_death_hospital"]
    out = _mortality_statistics(pre, hosp, death, g)
    within_10 = prehospital_death_within(p, spec, 10.0)
    within_60 = prehospital_death_within(p, spec, 60.0)
    p_gr, p_md, p_sd, p_vs = (values[f"p_{b}"] for b in ("gr", "md", "sd", "vs"))
    limitation = p_md + p_sd + p_vs + spec.gr_lower_share * p_gr
    rtc_deaths = out["rtc_deaths"]
    out |= {
        "rtc_death_share_within_10min": _ratio(float(within_10[g.rtc].sum()), rtc_deaths),
        "rtc_death_share_10_to_60min": _ratio(
            float((within_60 - within_10)[g.rtc].sum()), rtc_deaths
        ),
        "iss16_survivor_limitation_share": _ratio(
            float(limitation[g.major].sum()), float((1.0 - death[g.major]).sum())
        ),
        "severe_tbi_death_or_gose4_share": _ratio(
            float((hosp + p_sd + p_vs)[g.tbi].sum()), float((1.0 - pre[g.tbi]).sum())
        ),
    }
    return out


def calibration_statistics(outcomes: pd.DataFrame, spec: OutcomeSpec) -> dict[str, float]:
    """Calibration statistics of an outcomes table.

    Parameters
    ----------
    outcomes
        Output of :func:`sim.outcomes.expected_outcomes` (needs ``mechanism``,
        ``injury_class``, ``iss`` and the outcome columns).
    spec
        The spec used (for ``gr_lower_share``).

    Returns
    -------
    dict of str to float
        The metrics named in :data:`DEFAULT_TARGETS` plus ``rtc_deaths`` (expected count).
    """
    needed = ["mechanism", "injury_class", "iss", *OUTCOME_COLUMNS]
    missing = [c for c in needed if c not in outcomes.columns]
    if missing:
        raise UserError(f"outcomes table: missing columns {missing} (run expected_outcomes)")
    inc = np.isfinite(outcomes["p_death"].to_numpy(dtype=float))
    df = outcomes.loc[inc]
    values = {c: df[c].to_numpy(dtype=float) for c in OUTCOME_COLUMNS}
    return statistics_of(calibration_data(df), values, spec)


def calibration_table(
    outcomes: pd.DataFrame,
    spec: OutcomeSpec,
    targets: tuple[CalibrationTarget, ...] = DEFAULT_TARGETS,
    extra_statistics: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Simulated calibration statistics next to their published values, fit and held out.

    Parameters
    ----------
    outcomes
        Output of :func:`sim.outcomes.expected_outcomes` for the baseline scenario.
    spec
        The outcome spec used.
    targets
        Targets to check (default :data:`DEFAULT_TARGETS`).
    extra_statistics
        Statistics computed outside the outcomes table (:data:`SYSTEM_TARGETS`), by metric.

    Returns
    -------
    pandas.DataFrame
        Columns ``target, kind, published, low, high, simulated, ok, parameters_tuned,
        source``; ``target`` is the metric name, ``kind`` ``fit`` or ``holdout`` and ``ok`` is
        ``low <= simulated <= high``.
    """
    stats = {**calibration_statistics(outcomes, spec), **(extra_statistics or {})}
    missing = [t.metric for t in targets if t.metric not in stats]
    if missing:
        raise UserError(f"calibration: no statistic for targets {missing}")
    rows = []
    for t in targets:
        sim_value = stats[t.metric]
        rows.append(
            {
                "target": t.metric,
                "kind": t.kind,
                "published": t.target,
                "low": t.low,
                "high": t.high,
                "simulated": sim_value,
                "ok": bool(np.isfinite(sim_value) and t.low <= sim_value <= t.high),
                "parameters_tuned": t.parameters_tuned,
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


#: The four fit targets the calibrated block meets (intercepts, hazard level) and the weight
#: of each residual: ISS<=15 mortality is ~0.004, so its residual is scaled up.
MORTALITY_FIT: tuple[tuple[str, float], ...] = (
    ("rtc_death_share_before_rescuers", 1.0),
    ("iss16_hospital_mortality", 1.0),
    ("severe_tbi_hospital_mortality", 1.0),
    ("iss15_hospital_mortality", 20.0),
)


def shifted_hazards(spec: OutcomeSpec, start: Mapping[str, float], z: float) -> dict[str, float]:
    """``spec``'s hazards with ``start[c] exp(sigma_c z)`` for the classes in ``start``.

    Each shifted class is clipped to its 95 % evidence prior (:data:`HAZARD_PRIORS`), so one
    common shift keeps the between-class pattern of ``start`` and every class inside its
    prior; the other classes keep their value.
    """
    lam = dict(spec.hazard_per_min)
    for c, value in start.items():
        lo, hi = HAZARD_PRIORS[c]
        lam[c] = float(np.clip(value * np.exp(hazard_prior(c)[1] * z), lo, hi))
    return lam


def fit_mortality(
    data: CalibrationData,
    spec: OutcomeSpec,
    *,
    hazard_start: Mapping[str, float],
    z_bound: float,
    rounds: int,
    targets: tuple[CalibrationTarget, ...] = DEFAULT_TARGETS,
) -> OutcomeSpec:
    """Fit the intercepts and one common hazard shift to the four mortality fit targets.

    Four unknowns for :data:`MORTALITY_FIT`: offsets of ``alpha_cal`` (ISS>=16 in-hospital
    mortality), of ``alpha_class`` TBS and TBN together (severe-TBI in-hospital mortality) and
    of ``alpha_class.MN`` (ISS<=15 mortality), and one common shift ``z`` of the hazards
    (:func:`shifted_hazards` of ``hazard_start``; crash deaths before rescuers arrive), with
    ``|z| <= z_bound``. Solved in ``rounds`` of two blocks in turn, so the intercepts answer
    only to the absolute mortalities and the hazard only to its share: one joint solve let
    the intercepts drop hospital deaths to raise the before-rescuers share when the prior
    bound held the hazard back. Used by :func:`fit_calibration` (start: the prior medians)
    and :func:`sim.outcomes.joint.refit_calibrated` (start: a PSA draw's hazards).

    Fast because nothing else moves: the residuals evaluate only the two death stages, with
    the parts of the logit that the intercepts do not change (:func:`sim.outcomes.models.
    stage2_terms`) computed once, on arrays prepared once; the numbers are those of
    :func:`sim.outcomes.models.evaluate` (tested).

    Parameters
    ----------
    data
        The baseline (:func:`calibration_data`).
    spec
        Starting spec; every other parameter is kept.
    hazard_start
        Class -> hazard per minute at ``z = 0`` (classes with a prior).
    z_bound
        Bound of the common shift (standard scores of the priors).
    rounds
        Rounds of the two blocks.
    targets
        Where the target values come from (matched by metric name).

    Returns
    -------
    OutcomeSpec
        Copy with the fitted intercepts and hazards (not validated again: the hazards stay
        inside their priors, the intercepts are free).
    """
    want = {t.metric: t.target for t in targets}
    keys = [k for k, _ in MORTALITY_FIT]
    weights = np.array([w for _, w in MORTALITY_FIT])
    unknown = [c for c in hazard_start if c not in HAZARD_PRIORS]
    if unknown:
        raise UserError(f"fit_calibration: hazard_classes: unknown classes {unknown}")
    p = data.patients

    def alpha_of(a_tbi: float, a_mn: float) -> dict[str, float]:
        alpha = dict(spec.alpha_class)
        alpha.update(
            TBS=spec.alpha_class["TBS"] + a_tbi,
            TBN=spec.alpha_class["TBN"] + a_tbi,
            MN=spec.alpha_class["MN"] + a_mn,
        )
        return alpha

    def make(x: np.ndarray) -> OutcomeSpec:
        a_cal, a_tbi, a_mn, z = (float(v) for v in x)
        return spec.model_copy(
            update={
                "alpha_cal": spec.alpha_cal + a_cal,
                "alpha_class": alpha_of(a_tbi, a_mn),
                "hazard_per_min": shifted_hazards(spec, hazard_start, z),
            }
        )

    # Constant over the fit: the logit's other terms (only a hazard of 0 changes the
    # interval-specific time term, and no shifted class reaches 0) and the rows with an outcome.
    start = make(np.zeros(4))
    neg_b, path_terms, _ = stage2_terms(p, start)
    groups = _groups(data, np.isfinite(evaluate(p, start)["p_death"]))

    def residuals(x: np.ndarray, which: slice) -> np.ndarray:
        a_cal, a_tbi, a_mn, z = (float(v) for v in x)
        lam = per_class(shifted_hazards(spec, hazard_start, z))[p.cls]
        pre = prehospital_death(p, start, lam)
        alpha = per_class(alpha_of(a_tbi, a_mn))[p.cls]
        logit = neg_b + (spec.alpha_cal + a_cal) + alpha + path_terms
        hosp = (1.0 - pre) * expit(logit)
        st = _mortality_statistics(pre, hosp, pre + hosp, groups)
        out: np.ndarray = (weights * np.array([st[k] - want[k] for k in keys]))[which]
        return out

    x = np.zeros(4)
    for _ in range(rounds):
        x[:3] = optimize.least_squares(
            lambda a: residuals(np.append(a, x[3]), slice(1, 4)), x[:3], bounds=(-4, 4)
        ).x
        x[3] = optimize.least_squares(
            lambda z: residuals(np.append(x[:3], z), slice(0, 1)),
            x[3:],
            bounds=(-z_bound, z_bound),
        ).x[0]
    return make(x)


def fit_calibration(
    baseline: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    hazard_classes: tuple[str, ...] = tuple(HAZARD_PRIORS),
    targets: tuple[CalibrationTarget, ...] = DEFAULT_TARGETS,
) -> OutcomeSpec:
    """Re-fit the calibrated parameters of ``spec`` on a baseline patient table.

    Solves four unknowns for four targets by least squares (:func:`fit_mortality`):
    ``alpha_cal`` (ISS>=16 in-hospital mortality), one common offset ``alpha_class`` of TBS
    and TBN (severe-TBI in-hospital mortality), ``alpha_class.MN`` (ISS<=15 mortality) and
    one common standard score ``z`` of the hazard priors, ``hazard_per_min[c] = median_c
    exp(sigma_c z)`` for ``hazard_classes`` (crash deaths before rescuers arrive), with
    ``|z| <= 1.96`` so every class stays inside its 95 % evidence interval
    (:data:`sim.outcomes.params.HAZARD_PRIORS`). The on-the-spot share then follows from the
    IMM share of the case mix, which is not an outcome parameter. Call
    :func:`sim.outcomes.with_reference_times` first so the time slopes are centred on the
    same baseline.

    Parameters
    ----------
    baseline
        Per-patient table of the baseline scenario (after warm-up trimming).
    spec
        Starting outcome spec; every other parameter is kept.
    hazard_classes
        Classes whose hazard is fitted (default: every class with a prior).
    targets
        Where the target values come from (matched by metric name).

    Returns
    -------
    OutcomeSpec
        Validated copy with the fitted values (rounded to 3 decimals / 4 significant digits).
    """
    unknown = [c for c in hazard_classes if c not in HAZARD_PRIORS]
    if unknown:
        raise UserError(f"fit_calibration: hazard_classes: unknown classes {unknown}")
    # Rounding below can push a bound value a hair outside its prior: stay just inside.
    fitted = fit_mortality(
        calibration_data(baseline),
        spec,
        hazard_start={c: hazard_prior(c)[0] for c in hazard_classes},
        z_bound=Z95 * (1 - 1e-3),
        rounds=3,
        targets=targets,
    )
    data = fitted.model_dump()
    data["alpha_cal"] = round(fitted.alpha_cal, 3)
    data["alpha_class"] = {c: round(v, 3) for c, v in fitted.alpha_class.items()}
    data["hazard_per_min"] = {c: float(f"{v:.4g}") for c, v in fitted.hazard_per_min.items()}
    return OutcomeSpec.model_validate(data)
