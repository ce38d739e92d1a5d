"""Calibration statistics of the outcome model and a check against published targets.

Statistics are computed from expected values (sums of per-patient probabilities, no sampling
noise) over the included trauma rows of an outcomes table (:func:`expected_outcomes`), pooled
over replications. Targets (evidence.md §2, §6, §9):

* Split of road-crash (``mechanism == "rtc"``) deaths, 2020 MPS/NHC notice [S]: 20.8 % on the
  spot (IMM), 27.2 % before rescuers arrive (stage-1 deaths of other classes), 52 % despite
  treatment (stage-2 deaths).
* Severe-TBI (TBS + TBN) in-hospital mortality 0.20 (CENTER-TBI China, F3 [V]).
* ISS >= 16 in-hospital mortality 0.10-0.26 (McCoy 2013, Gabbe 2012, F4 [V]).
* ISS <= 15 in-hospital mortality 0.004 (McCoy 2013 [V]).
* ISS >= 16 survivors with any functional limitation (GOS-E < 8) 0.80 (Gabbe 2012, G1 [V]).
* Severe TBI, death or GOS-E <= 4 among patients reaching care 0.53 (Newgard 2015, G3 [V]).

"In-hospital" means after effective care began (the model's stage 2), among patients alive
at that point: sum(p_death_hospital) / sum(1 - p_death_prehospital).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from sim.core.errors import UserError
from sim.outcomes.models import OUTCOME_COLUMNS, evaluate, prepare_patients
from sim.outcomes.params import OutcomeSpec

SEVERE_TBI_CLASSES: tuple[str, ...] = ("TBS", "TBN")


@dataclass(frozen=True)
class CalibrationTarget:
    """A published figure the baseline should reproduce within a tolerance."""

    metric: str
    target: float
    tolerance: float
    parameters_tuned: str
    source: str


DEFAULT_TARGETS: tuple[CalibrationTarget, ...] = (
    CalibrationTarget(
        "rtc_death_share_on_spot",
        0.208,
        0.05,
        "IMM share of crash patients (demand.case_mix.rtc.imm_share)",
        "2020 MPS/NHC road-crash rescue notice, evidence.md §9 [S]",
    ),
    CalibrationTarget(
        "rtc_death_share_before_rescuers",
        0.272,
        0.05,
        "hazard_per_min (HL, AW, TBS, MS; HT fixed at E7)",
        "2020 MPS/NHC road-crash rescue notice, evidence.md §9 [S]",
    ),
    CalibrationTarget(
        "rtc_death_share_despite_treatment",
        0.52,
        0.05,
        "alpha_cal, alpha_class (with the two rows above)",
        "2020 MPS/NHC road-crash rescue notice, evidence.md §9 [S]",
    ),
    CalibrationTarget(
        "severe_tbi_hospital_mortality",
        0.20,
        0.05,
        "alpha_class.TBS, alpha_class.TBN",
        "CENTER-TBI China, Gao 2020 (F3) [V]",
    ),
    CalibrationTarget(
        "iss16_hospital_mortality",
        0.18,
        0.08,
        "alpha_cal",
        "McCoy 2013 26.1 %, Gabbe 2012 9.9-11.9 % (F4) [V]",
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
)


def _ratio(num: float, den: float) -> float:
    return num / den if den > 0 else float("nan")


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
    cls = df["injury_class"].to_numpy()
    iss = df["iss"].to_numpy(dtype=float)
    pre = df["p_death_prehospital"].to_numpy(dtype=float)
    hosp = df["p_death_hospital"].to_numpy(dtype=float)
    death = df["p_death"].to_numpy(dtype=float)
    p_gr, p_md, p_sd, p_vs = (df[f"p_{b}"].to_numpy(dtype=float) for b in ("gr", "md", "sd", "vs"))
    alive_at_care = 1.0 - pre

    rtc = df["mechanism"].to_numpy() == "rtc"
    imm = cls == "IMM"
    rtc_deaths = float(death[rtc].sum())
    tbi = np.isin(cls, SEVERE_TBI_CLASSES)
    major = (iss >= 16) & ~imm
    minor = iss <= 15
    limitation = p_md + p_sd + p_vs + spec.gr_lower_share * p_gr
    return {
        "rtc_deaths": rtc_deaths,
        "rtc_death_share_on_spot": _ratio(float(death[rtc & imm].sum()), rtc_deaths),
        "rtc_death_share_before_rescuers": _ratio(float(pre[rtc & ~imm].sum()), rtc_deaths),
        "rtc_death_share_despite_treatment": _ratio(float(hosp[rtc].sum()), rtc_deaths),
        "severe_tbi_hospital_mortality": _ratio(
            float(hosp[tbi].sum()), float(alive_at_care[tbi].sum())
        ),
        "iss16_hospital_mortality": _ratio(
            float(hosp[major].sum()), float(alive_at_care[major].sum())
        ),
        "iss15_hospital_mortality": _ratio(
            float(hosp[minor].sum()), float(alive_at_care[minor].sum())
        ),
        "iss16_survivor_limitation_share": _ratio(
            float(limitation[major].sum()), float((1.0 - death[major]).sum())
        ),
        "severe_tbi_death_or_gose4_share": _ratio(
            float((hosp + p_sd + p_vs)[tbi].sum()), float(alive_at_care[tbi].sum())
        ),
    }


def calibration_table(
    outcomes: pd.DataFrame,
    spec: OutcomeSpec,
    targets: tuple[CalibrationTarget, ...] = DEFAULT_TARGETS,
) -> pd.DataFrame:
    """Simulated calibration statistics next to their targets.

    Parameters
    ----------
    outcomes
        Output of :func:`sim.outcomes.expected_outcomes` for the baseline scenario.
    spec
        The outcome spec used.
    targets
        Targets to check (default :data:`DEFAULT_TARGETS`).

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, target, simulated, tolerance, ok, parameters_tuned, source``;
        ``ok`` is ``|simulated - target| <= tolerance``.
    """
    stats = calibration_statistics(outcomes, spec)
    rows = []
    for t in targets:
        sim_value = stats[t.metric]
        rows.append(
            {
                "metric": t.metric,
                "target": t.target,
                "simulated": sim_value,
                "tolerance": t.tolerance,
                "ok": bool(np.isfinite(sim_value) and abs(sim_value - t.target) <= t.tolerance),
                "parameters_tuned": t.parameters_tuned,
                "source": t.source,
            }
        )
    return pd.DataFrame(rows)


def fit_calibration(
    baseline: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    hazard_classes: tuple[str, ...] = ("HL", "AW", "TBS", "MS"),
    targets: tuple[CalibrationTarget, ...] = DEFAULT_TARGETS,
) -> OutcomeSpec:
    """Re-fit the calibrated parameters of ``spec`` on a baseline patient table.

    Solves four unknowns for four targets by least squares: ``alpha_cal`` (crash deaths
    despite treatment), one common offset ``alpha_class`` of TBS and TBN (severe-TBI in-hospital
    mortality), ``alpha_class.MN`` (ISS<=15 mortality) and one multiplier of
    ``hazard_per_min`` for ``hazard_classes`` (crash deaths before rescuers arrive). The
    on-the-spot share then follows from the IMM share of the case mix, which is not an outcome
    parameter. Call :func:`sim.outcomes.with_reference_times` first so the time slopes are
    centred on the same baseline.

    Parameters
    ----------
    baseline
        Per-patient table of the baseline scenario (after warm-up trimming).
    spec
        Starting outcome spec; every other parameter is kept.
    hazard_classes
        Classes whose hazard is scaled (HT keeps its E7 value by default).
    targets
        Where the target values come from (matched by metric name).

    Returns
    -------
    OutcomeSpec
        Validated copy with the fitted values (rounded to 3 decimals / 4 significant digits).
    """
    want = {t.metric: t.target for t in targets}
    keys = (
        "rtc_death_share_before_rescuers",
        "rtc_death_share_despite_treatment",
        "severe_tbi_hospital_mortality",
        "iss15_hospital_mortality",
    )
    weights = (1.0, 1.0, 1.0, 20.0)  # ISS<=15 mortality is ~0.004: scale its residual up
    p = prepare_patients(baseline)
    cols = baseline[["mechanism", "injury_class", "iss"]].copy()
    unknown = [c for c in hazard_classes if c not in spec.hazard_per_min]
    if unknown:
        raise UserError(f"fit_calibration: hazard_classes: unknown classes {unknown}")

    def make(x: np.ndarray) -> OutcomeSpec:
        a_cal, a_tbi, a_mn, log_m = (float(v) for v in x)
        lam = dict(spec.hazard_per_min)
        for c in hazard_classes:
            lam[c] = spec.hazard_per_min[c] * float(np.exp(log_m))
        alpha = dict(spec.alpha_class)
        alpha.update(
            TBS=spec.alpha_class["TBS"] + a_tbi,
            TBN=spec.alpha_class["TBN"] + a_tbi,
            MN=spec.alpha_class["MN"] + a_mn,
        )
        return spec.model_copy(
            update={
                "alpha_cal": spec.alpha_cal + a_cal,
                "alpha_class": alpha,
                "hazard_per_min": lam,
            }
        )

    def residuals(x: np.ndarray) -> np.ndarray:
        s = make(x)
        frame = cols.assign(**evaluate(p, s))
        st = calibration_statistics(frame, s)
        return np.array([w * (st[k] - want[k]) for k, w in zip(keys, weights, strict=True)])

    res = optimize.least_squares(residuals, np.zeros(4), bounds=([-4, -4, -4, -2], [4, 4, 4, 2]))
    fitted = make(res.x)
    data = fitted.model_dump()
    data["alpha_cal"] = round(fitted.alpha_cal, 3)
    data["alpha_class"] = {c: round(v, 3) for c, v in fitted.alpha_class.items()}
    data["hazard_per_min"] = {c: float(f"{v:.4g}") for c, v in fitted.hazard_per_min.items()}
    return OutcomeSpec.model_validate(data)
