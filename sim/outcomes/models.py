"""Outcome models: per-patient probabilities of death and disability, and DALYs.

Pure, vectorised functions over a per-patient table (one row per patient, times in sim
minutes, NaN when not reached). Nothing here runs or imports the simulation; nothing draws
random numbers except :func:`sample_outcomes`, which takes a Generator (stream ``"outcome"``).

Model (evidence §1.3, §7.2-7.4), for trauma patients of class c:

* Stage 1, death before effective care: hazard ``lambda_c`` per minute from injury to the first
  EMS unit on scene, multiplied by ``first_aid_hazard_factor_c`` after first aid;
  ``p_pre = 1 - exp(-H)``. IMM patients and rows with status ``dead_on_scene`` die
  (``p_pre = 1``); IMM deaths are never preventable because they do not depend on time.
* Stage 2, death after care began: ``logit p = -b_TRISS + alpha_cal + alpha_c + tau
  + ln(OR_care) [ISS >= 16 and not capable_care] + ln(transfer_or) [transferred]``, where the
  time term ``tau`` comes from the model chosen by name (:data:`TIME_TERMS`):
  ``logit_linear``: ``beta_c (T - T_ref,c)``, T = EMS on scene -> definitive care (the
  minutes before it belong to the prehospital hazard alone: no double counting);
  ``interval_specific``: slopes on response, scene and transport minutes plus ``beta_c`` on
  arrival -> definitive care.
* Disability among survivors (GOS-E bands GR > MD > SD > VS), proportional odds:
  ``logit P(Y >= k | survive) = theta_{c,k} + kappa tau``, theta set from ``survivor_bands``;
  where evidence links time to a permanent state (:mod:`sim.outcomes.disability`) it replaces
  the generic kappa: surgical TBI shifts the bands by injury -> evacuation minutes, the spinal
  cord injury share of MS is para-/tetraplegic unless it recovers (decompression time,
  immobilisation), the arterial share of HL is amputated by ischaemia time. ``p_perm_tbi``,
  ``p_perm_sci`` and ``p_perm_limb`` are the unconditional probabilities of those permanent
  states (alive and disabled).
* DALY = YLL + YLD with remaining life expectancy from the chosen life table.

Returned probabilities are unconditional and add up: ``p_death = p_death_prehospital +
p_death_hospital`` and ``p_death + p_gr + p_md + p_sd + p_vs = 1``.

Row handling: non-trauma rows get NaN outcomes. Rows with status ``in_progress`` at the horizon
are **censored** (NaN outcomes, ``outcome_censored`` true) and excluded from all burden
figures: their final times are unknown and imputing them would mix in horizon artefacts. A
non-IMM trauma row without any EMS or hospital arrival time is censored too. Rows with status
``not_transported`` keep stage 1 and get the stage-2 baseline risk without time or care-level
terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit

from sim.core.errors import UserError
from sim.outcomes.disability import (
    limb_amputation_probability,
    sci_permanent_probability,
    tbi_band_shift,
)
from sim.outcomes.lifetable import discounted_years, remaining_life_expectancy
from sim.outcomes.params import BANDS, CLASS_CODE, OUTCOME_CLASSES, OutcomeSpec

TABLE = "patients table"

REQUIRED_COLUMNS: tuple[str, ...] = (
    "rep", "patient_id", "kind", "injury_class", "iss", "rts", "age_years",
    "t_injury", "t_call", "t_first_aid", "t_on_scene", "t_at_hospital", "t_definitive_care",
    "capable_care", "transferred", "status",
)  # fmt: skip
#: Optional column: ``t_left_scene`` (scene departure), used by ``interval_specific``.
OPTIONAL_COLUMNS: tuple[str, ...] = ("t_left_scene",)
OUTCOME_COLUMNS: tuple[str, ...] = (
    "p_death_prehospital", "p_death_hospital", "p_death",
    "p_gr", "p_md", "p_sd", "p_vs", "yll", "yld", "daly",
    "p_perm_tbi", "p_perm_sci", "p_perm_limb",
)  # fmt: skip
STATUSES: tuple[str, ...] = ("completed", "dead_on_scene", "not_transported", "in_progress")
GOSE_LABELS: tuple[str, ...] = ("dead", "VS", "SD", "MD", "GR")

_IMM = CLASS_CODE["IMM"]


@dataclass(frozen=True)
class PatientArrays:
    """Spec-independent numpy view of a patient table (built once, evaluated many times).

    All durations are minutes; NaN means "not available" and makes the term take its
    reference value.
    """

    n: int
    rep: np.ndarray
    patient_id: np.ndarray
    included: np.ndarray  # trauma and not censored
    censored: np.ndarray
    cls: np.ndarray  # class code (OUTCOME_CLASSES), 0 for non-trauma rows
    iss: np.ndarray
    rts: np.ndarray
    age_years: np.ndarray
    dead_on_scene: np.ndarray
    hospital_path: np.ndarray  # taken to hospital (completed)
    exposure_min: np.ndarray  # injury -> EMS on scene (fallback: hospital arrival)
    before_aid_min: np.ndarray  # part of exposure before first aid
    before_call_min: np.ndarray  # part of exposure before the call (unguided bystander aid)
    injury_to_definitive_min: np.ndarray  # NaN if no definitive-care time
    injury_to_hospital_min: np.ndarray
    response_min: np.ndarray
    scene_min: np.ndarray  # NaN when t_left_scene is not given
    transport_min: np.ndarray
    scene_transport_min: np.ndarray
    hospital_min: np.ndarray
    not_capable: np.ndarray
    transferred: np.ndarray


def _bool_column(df: pd.DataFrame, name: str) -> np.ndarray:
    col = df[name]
    if col.dtype == bool:
        return col.to_numpy()
    try:
        values: np.ndarray = col.astype("boolean").fillna(False).to_numpy(dtype=bool)
        return values
    except (TypeError, ValueError):
        raise UserError(f"{TABLE}: {name}: must be true/false") from None


def _float(df: pd.DataFrame, name: str) -> np.ndarray:
    try:
        return pd.to_numeric(df[name], errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise UserError(f"{TABLE}: {name}: must be numeric (minutes or values)") from None


def _check_order(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray, mask: np.ndarray) -> None:
    bad = mask & np.isfinite(a) & np.isfinite(b) & (b < a - 1e-9)
    if bad.any():
        raise UserError(f"{TABLE}: {name_b}: must not precede {name_a} ({int(bad.sum())} rows)")


def prepare_patients(table: pd.DataFrame) -> PatientArrays:
    """Validate a per-patient table and extract the arrays the models need.

    Parameters
    ----------
    table
        One row per patient with :data:`REQUIRED_COLUMNS` (``t_left_scene`` optional).

    Returns
    -------
    PatientArrays
        Arrays aligned with ``table``'s rows.

    Raises
    ------
    UserError
        Missing columns, unknown classes or statuses, or times out of order.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        raise UserError(f"{TABLE}: missing columns {missing}")
    n = len(table)
    kind = table["kind"].to_numpy()
    trauma = kind == "trauma"
    bad_kind = ~trauma & (kind != "non_trauma")
    if bad_kind.any():
        raise UserError(f"{TABLE}: kind: must be 'trauma' or 'non_trauma'")
    status = table["status"].to_numpy()
    bad_status = ~np.isin(status, STATUSES) & trauma
    if bad_status.any():
        raise UserError(f"{TABLE}: status: must be one of {list(STATUSES)}")
    cls_series = table["injury_class"].where(trauma, "IMM")
    cls_codes = cls_series.map(CLASS_CODE)
    if cls_codes.isna().any():
        bad = sorted(set(cls_series[cls_codes.isna()].astype(str)))
        raise UserError(
            f"{TABLE}: injury_class: unknown {bad} for trauma rows; allowed {list(OUTCOME_CLASSES)}"
        )
    cls = cls_codes.to_numpy(dtype=np.int64)
    t_inj = _float(table, "t_injury")
    t_call = _float(table, "t_call")
    t_fa = _float(table, "t_first_aid")
    t_scene = _float(table, "t_on_scene")
    t_hosp = _float(table, "t_at_hospital")
    t_def = _float(table, "t_definitive_care")
    t_left = _float(table, "t_left_scene") if "t_left_scene" in table.columns else None
    if (trauma & ~np.isfinite(t_inj)).any():
        raise UserError(f"{TABLE}: t_injury: missing for trauma rows")
    for a_name, a, b_name, b in (
        ("t_injury", t_inj, "t_call", t_call),
        ("t_injury", t_inj, "t_first_aid", t_fa),
        ("t_injury", t_inj, "t_on_scene", t_scene),
        ("t_on_scene", t_scene, "t_at_hospital", t_hosp),
        ("t_at_hospital", t_hosp, "t_definitive_care", t_def),
    ):
        _check_order(a_name, a, b_name, b, trauma)
    if t_left is not None:
        _check_order("t_on_scene", t_scene, "t_left_scene", t_left, trauma)
        _check_order("t_left_scene", t_left, "t_at_hospital", t_hosp, trauma)

    is_imm = cls == _IMM
    dead_on_scene = trauma & (status == "dead_on_scene")
    t_eff = np.where(np.isfinite(t_scene), t_scene, t_hosp)
    exposure = t_eff - t_inj
    no_times = trauma & ~is_imm & ~dead_on_scene & ~np.isfinite(exposure)
    censored = trauma & ((status == "in_progress") | no_times)
    included = trauma & ~censored
    exposure = np.where(np.isfinite(exposure), exposure, 0.0)
    before_aid = np.where(np.isfinite(t_fa), np.clip(t_fa - t_inj, 0.0, exposure), exposure)
    # A bystander who calls is present: unguided aid (if any) starts at the call.
    before_call = np.where(np.isfinite(t_call), np.clip(t_call - t_inj, 0.0, exposure), exposure)

    hospital_path = included & (status == "completed") & ~dead_on_scene & ~is_imm
    scene_min = (t_left - t_scene) if t_left is not None else np.full(n, np.nan)
    transport_min = (t_hosp - t_left) if t_left is not None else np.full(n, np.nan)
    return PatientArrays(
        n=n,
        rep=table["rep"].to_numpy(),
        patient_id=table["patient_id"].to_numpy(),
        included=included,
        censored=censored,
        cls=np.where(trauma, cls, 0),
        iss=_float(table, "iss"),
        rts=_float(table, "rts"),
        age_years=_float(table, "age_years"),
        dead_on_scene=dead_on_scene,
        hospital_path=hospital_path,
        exposure_min=exposure,
        before_aid_min=before_aid,
        before_call_min=before_call,
        injury_to_definitive_min=t_def - t_inj,
        injury_to_hospital_min=t_hosp - t_inj,
        response_min=t_scene - t_call,
        scene_min=scene_min,
        transport_min=transport_min,
        scene_transport_min=t_hosp - t_scene,
        hospital_min=t_def - t_hosp,
        not_capable=~_bool_column(table, "capable_care"),
        transferred=_bool_column(table, "transferred"),
    )


def per_class(mapping: dict[str, float]) -> np.ndarray:
    """A per-class map as a vector indexed by class code (:data:`OUTCOME_CLASSES` order)."""
    return np.array([mapping[c] for c in OUTCOME_CLASSES], dtype=float)


def _delta(x: np.ndarray, ref: float | np.ndarray) -> np.ndarray:
    # Missing interval -> reference value -> no time effect.
    return np.where(np.isfinite(x), x - ref, 0.0)


def _time_to_definitive(p: PatientArrays, spec: OutcomeSpec) -> np.ndarray:
    """Minutes the in-hospital slope charges: EMS on scene -> definitive care.

    The minutes from injury to the first EMS unit on scene (``exposure_min``) are charged by
    the prehospital hazard alone, so the slope must not count them again (issue 11).
    """
    fallback = p.injury_to_hospital_min + spec.fallback_hospital_to_definitive_min
    total = np.where(np.isfinite(p.injury_to_definitive_min), p.injury_to_definitive_min, fallback)
    post: np.ndarray = total - p.exposure_min
    return post


def time_term_logit_linear(p: PatientArrays, spec: OutcomeSpec) -> np.ndarray:
    """Logit-linear time term ``beta_c (T - T_ref,c)`` (evidence §1.3 form 1).

    ``T`` is EMS on scene -> definitive care (or hospital arrival + the fallback minutes): the
    minutes before EMS arrival belong to the prehospital hazard (no double counting).
    """
    beta = per_class(spec.beta_per_min)[p.cls]
    t_ref = per_class(spec.t_ref_min)[p.cls]
    term: np.ndarray = beta * _delta(_time_to_definitive(p, spec), t_ref)
    return term


def time_term_interval_specific(p: PatientArrays, spec: OutcomeSpec) -> np.ndarray:
    """Interval-specific time term (evidence §1.3 form 2).

    ``beta_response (R - R_ref) + beta_scene (S - S_ref) + beta_transport (Tr - Tr_ref)`` for
    ``interval_classes`` (the response term only where the class has no prehospital hazard,
    which already charges those minutes), plus ``beta_c (H - H_ref)`` on arrival -> definitive
    care for every class. Without ``t_left_scene`` the scene + transport minutes are charged
    at the transport slope against ``scene_ref_min + transport_ref_min``.
    """
    applies = np.isin(p.cls, [CLASS_CODE[c] for c in spec.interval_classes])
    # Response minutes lie inside the hazard's window: charge them here only where the class
    # has no prehospital hazard, never twice.
    no_hazard = per_class(spec.hazard_per_min)[p.cls] == 0.0
    pre = np.where(
        no_hazard, spec.beta_response_per_min * _delta(p.response_min, spec.response_ref_min), 0.0
    )
    has_split = np.isfinite(p.scene_min) & np.isfinite(p.transport_min)
    split = spec.beta_scene_per_min * _delta(p.scene_min, spec.scene_ref_min) + (
        spec.beta_transport_per_min * _delta(p.transport_min, spec.transport_ref_min)
    )
    joint = spec.beta_transport_per_min * _delta(
        p.scene_transport_min, spec.scene_ref_min + spec.transport_ref_min
    )
    pre = pre + np.where(has_split, split, joint)
    hosp = np.where(
        np.isfinite(p.hospital_min),
        p.hospital_min,
        spec.fallback_hospital_to_definitive_min,
    )
    beta = per_class(spec.beta_per_min)[p.cls]
    term: np.ndarray = np.where(applies, pre, 0.0) + beta * (hosp - spec.hospital_ref_min)
    return term


#: Time terms of the in-hospital logit, chosen by ``OutcomeSpec.model``.
TIME_TERMS: dict[str, Callable[[PatientArrays, OutcomeSpec], np.ndarray]] = {
    "logit_linear": time_term_logit_linear,
    "interval_specific": time_term_interval_specific,
}


def _thresholds(spec: OutcomeSpec) -> np.ndarray:
    """theta[class, k] = logit P(Y >= k) at the reference time, k = MD, SD, VS."""
    shares = np.array([spec.survivor_bands[c] for c in OUTCOME_CLASSES], dtype=float)
    tail = np.cumsum(shares[:, ::-1], axis=1)[:, ::-1][:, 1:]  # P(>=MD), P(>=SD), P(>=VS)
    tail = np.clip(tail, 0.0, 1.0)
    with np.errstate(divide="ignore"):
        theta: np.ndarray = np.log(tail) - np.log1p(-tail)
    return theta


@dataclass(frozen=True)
class SurvivorBands:
    """Band shares among survivors (columns GR, MD, SD, VS), generic and with conditions.

    ``generic`` carries the time shift (kappa, or the TBI evacuation shift for TBS),
    ``reference`` none; ``cond`` mixes in the spinal cord injury share of MS (``w_sci``,
    permanent with probability ``q_sci``) and the arterial share of HL (``w_limb``, at the
    reference bands, amputated with probability ``q_amp``: GR -> MD).
    """

    generic: np.ndarray
    reference: np.ndarray
    cond: np.ndarray
    w_sci: np.ndarray
    w_limb: np.ndarray
    q_sci: np.ndarray
    q_amp: np.ndarray


def _bands_from(theta: np.ndarray, shift: np.ndarray) -> np.ndarray:
    ge = expit(theta + shift[:, None])  # P(>=MD), P(>=SD), P(>=VS) | survive
    return np.column_stack([1.0 - ge[:, 0], ge[:, 0] - ge[:, 1], ge[:, 1] - ge[:, 2], ge[:, 2]])


def disability_times(p: PatientArrays, spec: OutcomeSpec) -> tuple[np.ndarray, np.ndarray]:
    """Minutes the disability mechanisms use: injury -> definitive care and -> EMS on scene.

    NaN (so the reference time applies) for patients not taken to hospital and for every
    patient when ``time_effects`` is false. Definitive care stands for evacuation of the
    lesion (TBS), decompression (SCI) and revascularisation (limb).
    """
    if not spec.time_effects:
        nan = np.full(p.n, np.nan)
        return nan, nan.copy()
    fallback = p.injury_to_hospital_min + spec.fallback_hospital_to_definitive_min
    total = np.where(np.isfinite(p.injury_to_definitive_min), p.injury_to_definitive_min, fallback)
    t_def = np.where(p.hospital_path, total, np.nan)
    t_scene = np.where(p.included, p.exposure_min, np.nan)
    return t_def, t_scene


def _survivor_bands(
    p: PatientArrays, spec: OutcomeSpec, tau: np.ndarray
) -> tuple[SurvivorBands, dict[str, np.ndarray]]:
    cls = p.cls
    theta = _thresholds(spec)[cls]  # (n, 3)
    t_def, t_scene = disability_times(p, spec)
    tbs = cls == CLASS_CODE["TBS"]
    shift = np.where(
        tbs,
        tbi_band_shift(t_def, spec.tbi_evacuation_ref_min, spec.tbi_gamma_per_min),
        spec.kappa * np.where(p.hospital_path, tau, 0.0),
    )
    generic = _bands_from(theta, shift)
    reference = _bands_from(theta, np.zeros(p.n))
    # Missing times (no hospital path, or time effects off) take each condition's reference.
    q_sci = sci_permanent_probability(
        np.where(np.isfinite(t_scene), t_scene, spec.t_on_scene_ref_min),
        np.where(np.isfinite(t_def), t_def, spec.sci_decompression_ref_min),
        deterioration_per_min=spec.sci_deterioration_per_min,
        slope_per_min=spec.sci_recovery_slope_per_min,
        ref_recovery=spec.sci_recovery_ref,
        ref_min=spec.sci_recovery_ref_min,
        unimmobilised_ref_min=spec.t_on_scene_ref_min,
    )
    q_amp = limb_amputation_probability(
        np.where(np.isfinite(t_def), t_def, spec.limb_ischaemia_ref_min),
        spec.limb_amputation_slope_per_min,
        spec.limb_amputation_ref,
        spec.limb_amputation_ref_min,
    )
    w_sci = np.where(cls == CLASS_CODE["MS"], spec.sci_share_of_ms, 0.0)
    w_limb = np.where(cls == CLASS_CODE["HL"], spec.limb_vascular_share, 0.0)
    tetra = spec.sci_tetraplegia_share
    # Para- and tetraplegia take the GOS-E 5-6 and 3-4 bands, recovery GR. An amputation
    # moves a survivor who would otherwise recover well (GR) to GOS-E 5-6; one already in a
    # worse band from the other injuries stays there (the worse state dominates).
    sci = np.column_stack([1.0 - q_sci, q_sci * (1.0 - tetra), q_sci * tetra, np.zeros(p.n)])
    limb = reference.copy()
    limb[:, 0] = (1.0 - q_amp) * reference[:, 0]
    limb[:, 1] = reference[:, 1] + q_amp * reference[:, 0]
    w_gen = (1.0 - w_sci - w_limb)[:, None]
    cond = w_gen * generic + w_sci[:, None] * sci + w_limb[:, None] * limb
    perm = {
        "tbi": np.where(tbs, cond[:, 1:].sum(axis=1), 0.0),
        "sci": w_sci * q_sci,
        "limb": w_limb * q_amp,
    }
    return SurvivorBands(generic, reference, cond, w_sci, w_limb, q_sci, q_amp), perm


def prehospital_death_within(p: PatientArrays, spec: OutcomeSpec, minutes: float) -> np.ndarray:
    """Probability of dying before care within ``minutes`` of injury (unconditional).

    The prehospital hazard of :func:`evaluate` integrated from injury to the earlier of
    ``minutes`` and the first EMS unit on scene, with the same first-aid mixture; IMM deaths
    count at minute 0. Used for the time-of-death validation targets (Beijing 2008-17).

    Parameters
    ----------
    p
        Arrays from :func:`prepare_patients`.
    spec
        Outcome parameters (``time_effects`` must be true for a time profile).
    minutes
        Minutes after injury.

    Returns
    -------
    numpy.ndarray
        Per-patient probability (NaN for rows not included).
    """
    lam = per_class(spec.hazard_per_min)[p.cls]
    fa = per_class(spec.first_aid_hazard_factor)[p.cls]
    stop = np.minimum(p.exposure_min, minutes)

    def cum(before: np.ndarray) -> np.ndarray:
        b = np.minimum(before, stop)
        out: np.ndarray = lam * (b + fa * (stop - b))
        return out

    first = np.minimum(p.before_aid_min, p.before_call_min)
    s = spec.bystander_first_aid_share
    prob = s * -np.expm1(-cum(first)) + (1.0 - s) * -np.expm1(-cum(p.before_aid_min))
    prob = np.where((p.cls == _IMM) | p.dead_on_scene, 1.0, prob)
    result: np.ndarray = np.where(p.included, prob, np.nan)
    return result


def prehospital_death(p: PatientArrays, spec: OutcomeSpec, lam: np.ndarray) -> np.ndarray:
    """Stage 1: probability of death before effective care, per patient (unconditional).

    Parameters
    ----------
    p
        Arrays from :func:`prepare_patients`.
    spec
        Outcome parameters (first aid, bystander share, ``time_effects``; the hazard comes
        from ``lam``).
    lam
        Prehospital hazard per minute of each patient (its class's ``hazard_per_min``);
        passed in so a calibration can vary it without copying the spec.

    Returns
    -------
    numpy.ndarray
        1 for IMM and dead-on-scene rows; not yet NaN for rows not included.
    """
    if spec.time_effects:
        fa = per_class(spec.first_aid_hazard_factor)[p.cls]
        aided = p.exposure_min - p.before_aid_min
        cum_hazard = lam * (p.before_aid_min + fa * aided)
        # Unguided bystander aid from the call, in a share of patients (expected value over
        # the mixture, so no random draw): aid starts at the earlier of the call and t_first_aid.
        first = np.minimum(p.before_aid_min, p.before_call_min)
        cum_bystander = lam * (first + fa * (p.exposure_min - first))
        s = spec.bystander_first_aid_share
        p_pre = s * -np.expm1(-cum_bystander) + (1.0 - s) * -np.expm1(-cum_hazard)
    else:
        p_pre = -np.expm1(-lam * spec.t_on_scene_ref_min)
    out: np.ndarray = np.where((p.cls == _IMM) | p.dead_on_scene, 1.0, p_pre)
    return out


def stage2_terms(p: PatientArrays, spec: OutcomeSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The parts of the stage-2 logit that do not depend on the intercepts.

    ``logit = neg_b + alpha_cal + alpha_class[c] + path_terms``: a calibration that moves only
    the intercepts computes these once (:func:`sim.outcomes.calibration.fit_mortality`).

    Parameters
    ----------
    p
        Arrays from :func:`prepare_patients`.
    spec
        Outcome parameters.

    Returns
    -------
    tuple of numpy.ndarray
        ``(neg_b, path_terms, tau)``: minus the TRISS linear predictor, the time and care
        terms of patients taken to hospital (0 otherwise) and the time term itself.
    """
    tau = TIME_TERMS[spec.model](p, spec) if spec.time_effects else np.zeros(p.n)
    age_index = (p.age_years >= spec.age_index_years).astype(float)
    b = spec.triss_b0 + spec.triss_b1 * p.rts + spec.triss_b2 * p.iss + spec.triss_b3 * age_index
    care = (p.not_capable & (p.iss >= spec.capable_care_min_iss)) * np.log(
        spec.care_level_or()
    ) + p.transferred * np.log(spec.transfer_or)
    path_terms: np.ndarray = np.where(p.hospital_path, tau + care, 0.0)
    return -b, path_terms, tau


def evaluate(p: PatientArrays, spec: OutcomeSpec) -> dict[str, np.ndarray]:
    """Expected outcomes for prepared patients under one parameter set.

    Parameters
    ----------
    p
        Arrays from :func:`prepare_patients`.
    spec
        Outcome parameters.

    Returns
    -------
    dict of numpy.ndarray
        :data:`OUTCOME_COLUMNS` (NaN for rows not included).
    """
    cls = p.cls
    p_pre = prehospital_death(p, spec, per_class(spec.hazard_per_min)[cls])
    neg_b, path_terms, tau = stage2_terms(p, spec)
    p_hosp_cond = expit(neg_b + spec.alpha_cal + per_class(spec.alpha_class)[cls] + path_terms)
    p_death_hospital = (1.0 - p_pre) * p_hosp_cond
    p_death = p_pre + p_death_hospital
    alive = 1.0 - p_death

    bands, perm = _survivor_bands(p, spec, tau)
    p_gr, p_md, p_sd, p_vs = (alive * bands.cond[:, k] for k in range(4))

    le = remaining_life_expectancy(p.age_years, spec.life_table)
    years = discounted_years(le, spec.discount_rate)
    years_disabled = discounted_years(le * spec.disabled_le_factor, spec.discount_rate)
    yll = p_death * years
    gr_lower = np.where(cls == CLASS_CODE["MN"], spec.minor_gr_lower_share, spec.gr_lower_share)

    def generic_yld(b: np.ndarray) -> np.ndarray:
        out: np.ndarray = (b[:, 0] * gr_lower * spec.dw_gr_lower + b[:, 1] * spec.dw_md) * years + (
            b[:, 2] * spec.dw_sd + b[:, 3] * spec.dw_vs
        ) * years_disabled
        return out

    # The condition shares carry their own health states (GBD 2019 weights, see OutcomeSpec).
    q_sci, q_amp, tetra = bands.q_sci, bands.q_amp, spec.sci_tetraplegia_share
    sci_yld = (1.0 - q_sci) * spec.dw_sci_recovered * years + q_sci * (
        (1.0 - tetra) * spec.dw_paraplegia + tetra * spec.dw_tetraplegia
    ) * years_disabled
    # Amputees from the GR band carry the amputation weight instead of GR's mild limitation.
    ref_gr = bands.reference[:, 0]
    limb_yld = (
        generic_yld(bands.reference)
        + q_amp * ref_gr * (spec.dw_amputation - gr_lower * spec.dw_gr_lower) * years
    )
    w_sci, w_limb = bands.w_sci, bands.w_limb
    yld = alive * (
        (1.0 - w_sci - w_limb) * generic_yld(bands.generic) + w_sci * sci_yld + w_limb * limb_yld
    )
    out = {
        "p_death_prehospital": p_pre,
        "p_death_hospital": p_death_hospital,
        "p_death": p_death,
        "p_gr": p_gr,
        "p_md": p_md,
        "p_sd": p_sd,
        "p_vs": p_vs,
        "yll": yll,
        "yld": yld,
        "daly": yll + yld,
        "p_perm_tbi": alive * perm["tbi"],
        "p_perm_sci": alive * perm["sci"],
        "p_perm_limb": alive * perm["limb"],
    }
    nan = ~p.included
    for v in out.values():
        v[nan] = np.nan
    return out


def expected_outcomes(table: pd.DataFrame, spec: OutcomeSpec) -> pd.DataFrame:
    """Per-patient expected outcomes as new columns of a copy of ``table``.

    Parameters
    ----------
    table
        Per-patient table (:data:`REQUIRED_COLUMNS`).
    spec
        Outcome parameters.

    Returns
    -------
    pandas.DataFrame
        ``table`` plus :data:`OUTCOME_COLUMNS` and ``outcome_censored`` (bool). Outcome
        columns are NaN for non-trauma and censored rows.
    """
    p = prepare_patients(table)
    values = evaluate(p, spec)
    out = table.copy()
    for name in OUTCOME_COLUMNS:
        out[name] = values[name]
    out["outcome_censored"] = p.censored
    return out


def sample_outcomes(outcomes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Sample realised outcomes from expected ones (pass the ``"outcome"`` stream).

    One uniform per patient, drawn in ``(rep, patient_id)`` order, is compared with the
    cumulative probabilities ordered death (prehospital first), VS, SD, MD, GR. With the
    same generator seed, a patient therefore gets the same uniform in every scenario whose
    table has the same patients (common random numbers), so scenario differences in sampled
    outcomes come from the probabilities, not from fresh noise.

    Parameters
    ----------
    outcomes
        Output of :func:`expected_outcomes`.
    rng
        Random generator (stream ``"outcome"``).

    Returns
    -------
    pandas.DataFrame
        Copy with ``died``, ``died_prehospital`` (nullable booleans, NA when not included)
        and ``gose_band`` (``"dead"``, ``"VS"``, ``"SD"``, ``"MD"``, ``"GR"`` or None).
    """
    missing = [c for c in ("rep", "patient_id", *OUTCOME_COLUMNS) if c not in outcomes.columns]
    if missing:
        raise UserError(f"{TABLE}: missing outcome columns {missing} (run expected_outcomes)")
    n = len(outcomes)
    order = np.lexsort((outcomes["patient_id"].to_numpy(), outcomes["rep"].to_numpy()))
    u = np.empty(n)
    u[order] = rng.random(n)
    p_pre = outcomes["p_death_prehospital"].to_numpy(dtype=float)
    p_death = outcomes["p_death"].to_numpy(dtype=float)
    cum = np.column_stack(
        [p_death] + [outcomes[f"p_{b.lower()}"].to_numpy(dtype=float) for b in BANDS[::-1]]
    )
    cum = np.cumsum(cum, axis=1)
    included = np.isfinite(p_death)
    idx = np.minimum((u[:, None] >= cum).sum(axis=1), len(GOSE_LABELS) - 1)
    bands = np.array(GOSE_LABELS, dtype=object)[idx]
    bands[~included] = None
    res = outcomes.copy()
    res["died"] = pd.array(np.where(included, u < p_death, False), dtype="boolean")
    res["died_prehospital"] = pd.array(np.where(included, u < p_pre, False), dtype="boolean")
    res.loc[~included, ["died", "died_prehospital"]] = pd.NA
    res["gose_band"] = bands
    return res


def compute_outcomes(
    table: pd.DataFrame, spec: OutcomeSpec, rng: np.random.Generator | None = None
) -> pd.DataFrame:
    """:func:`expected_outcomes`, then :func:`sample_outcomes` when ``rng`` is given."""
    out = expected_outcomes(table, spec)
    return out if rng is None else sample_outcomes(out, rng)


def with_reference_times(spec: OutcomeSpec, baseline: pd.DataFrame) -> OutcomeSpec:
    """A copy of ``spec`` whose reference times are the baseline run's medians.

    Sets ``t_ref_min`` per class (median EMS on scene -> definitive care of completed patients of
    that class; classes absent keep their value), ``t_on_scene_ref_min``, the disability
    references (median injury -> definitive care of TBS, MS and HL) and the
    ``interval_specific`` references (response, scene, transport, arrival -> definitive care).

    Parameters
    ----------
    spec
        The outcome spec to update.
    baseline
        Per-patient table of the baseline scenario.

    Returns
    -------
    OutcomeSpec
        Validated copy.
    """
    p = prepare_patients(baseline)
    t = _time_to_definitive(p, spec)
    use = p.hospital_path & np.isfinite(t)
    t_ref = dict(spec.t_ref_min)
    for c, code in CLASS_CODE.items():
        sel = use & (p.cls == code)
        if sel.any():
            t_ref[c] = round(float(np.median(t[sel])), 2)

    def med(x: np.ndarray, default: float) -> float:
        sel = use & np.isfinite(x)
        return round(float(np.median(x[sel])), 2) if sel.any() else default

    t_def, _ = disability_times(p, spec.model_copy(update={"time_effects": True}))

    def med_class(c: str, default: float) -> float:
        sel = use & (p.cls == CLASS_CODE[c]) & np.isfinite(t_def)
        return round(float(np.median(t_def[sel])), 2) if sel.any() else default

    data = spec.model_dump()
    data.update(
        tbi_evacuation_ref_min=med_class("TBS", spec.tbi_evacuation_ref_min),
        sci_decompression_ref_min=med_class("MS", spec.sci_decompression_ref_min),
        limb_ischaemia_ref_min=med_class("HL", spec.limb_ischaemia_ref_min),
        t_ref_min=t_ref,
        t_on_scene_ref_min=max(med(p.exposure_min, spec.t_on_scene_ref_min), 1e-6),
        response_ref_min=med(p.response_min, spec.response_ref_min),
        scene_ref_min=med(p.scene_min, spec.scene_ref_min),
        transport_ref_min=med(p.transport_min, spec.transport_ref_min),
        hospital_ref_min=med(p.hospital_min, spec.hospital_ref_min),
    )
    return OutcomeSpec.model_validate(data)
