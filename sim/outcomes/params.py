"""Scenario section ``[outcomes]``: parameters of the outcome model and their uncertainty.

:class:`OutcomeSpec` holds every parameter of the death, disability and DALY models with its
published source (evidence §1, §2, §6, §7; labels [V] verified, [S] secondary, [D] derived,
[U] unverified/assumed). :class:`UncertainParameter` describes the distribution of one
uncertain parameter for probabilistic sensitivity analysis (PSA) and tornado tables;
:func:`default_uncertain_parameters` lists the defaults of evidence §6, centred on the
spec's own values. This module only describes parameters; the models live in
:mod:`sim.outcomes.models`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator
from scipy import optimize, stats

from sim.config.spec_base import Spec

#: Injury classes of evidence §7.1, in code order (IMM never survives; MN is ISS<16).
OUTCOME_CLASSES: tuple[str, ...] = ("IMM", "HT", "HL", "TBS", "TBN", "AW", "MS", "MN")
CLASS_CODE: dict[str, int] = {c: i for i, c in enumerate(OUTCOME_CLASSES)}
#: Survivor disability bands, best to worst (GOS-E 7-8, 5-6, 3-4, 2).
BANDS: tuple[str, ...] = ("GR", "MD", "SD", "VS")

_GAUSS_BETA = math.log(1.08) / 10.0  # E1: OR 1.08 per 10 min (Gauss 2019 [V]) -> 0.0077/min

#: Evidence priors of the prehospital hazard per class (per minute from injury until the
#: first EMS unit is on scene): lognormal, given by its 95 % interval (low, high); the median
#: is the geometric mean. Classes absent have no prehospital hazard (TBN, MN: §7.2; IMM dies
#: at once). Derivations in docs/outcomes.md §2 (evidence §1.2, §1.3 form 4, E7):
#:
#: * HT torso haemorrhage: 0.0035 = Clarke 2002, death risk +0.35 %/min in hypotensive
#:   abdominal bleeding [V]/[D]; 0.0090 = ln2/77, median survival of thoracic haemorrhage
#:   deaths (E7 [D]); the median 0.0056 is ln2/127, abdominal (E7 [D]).
#: * HL limb haemorrhage, AW airway/chest: no class-specific series [U]; from the slope implied
#:   by Gauss 2019 for all major trauma, beta p (1 - p) = 0.0077 x 0.19 x 0.81 = 0.0012 [D], to
#:   the thoracic haemorrhage rate 0.0090 [D].
#: * TBS surgical TBI, MS other multi-system: around the Gauss-implied 0.0012 [D]; down to
#:   0.0003 (Newgard 2010 TBI and PATOS response-time slopes ~null [V]), up to Clarke's 0.0035.
HAZARD_PRIORS: dict[str, tuple[float, float]] = {
    "HT": (0.0035, 0.0090),
    "HL": (0.0012, 0.0090),
    "AW": (0.0012, 0.0090),
    "TBS": (0.0003, 0.0035),
    "MS": (0.0005, 0.0035),
}
#: z of the 95 % interval of a normal (log-scale half width of the priors above).
Z95 = 1.959963984540054


def hazard_prior(cls: str) -> tuple[float, float]:
    """Median and log-scale sigma of the lognormal prior of ``cls``'s prehospital hazard.

    Parameters
    ----------
    cls
        An injury class with a prior (:data:`HAZARD_PRIORS`).

    Returns
    -------
    tuple of float
        ``(median_per_min, sigma)``.
    """
    lo, hi = HAZARD_PRIORS[cls]
    return math.sqrt(lo * hi), math.log(hi / lo) / (2 * Z95)


#: Defaults of the per-class maps; a scenario may override any subset of classes.
CLASS_MAP_DEFAULTS: dict[str, dict[str, float]] = {
    # Prehospital hazard until the first EMS unit is on scene, per minute (§1.3 form 4, E7):
    # the prior medians (HAZARD_PRIORS) times one common factor exp(sigma_c z), z fitted
    # within the priors on the shipped Hangzhou baseline (calibration.fit_calibration;
    # docs/calibration.md). The fit sits at the upper bound (z = 1.958): even there the
    # model puts fewer crash deaths before rescuers arrive than the MPS/NHC split (a
    # documented miss, docs/validation.md), rather than leaving the evidence.
    "hazard_per_min": {
        "IMM": 0.0,
        "HT": 0.008996,
        "HL": 0.008991,
        "TBS": 0.003496,
        "TBN": 0.0,
        "AW": 0.008991,
        "MS": 0.003497,
        "MN": 0.0,
    },
    # Multiplier of the hazard after bystander/dispatcher-guided/police first aid (E8, E9).
    "first_aid_hazard_factor": {
        "IMM": 1.0,
        "HT": 0.9,
        "HL": 0.1,
        "TBS": 0.9,
        "TBN": 1.0,
        "AW": 0.9,
        "MS": 0.9,
        "MN": 1.0,
    },
    # Logit slope of in-hospital death per minute of EMS on scene -> definitive care (E1-E4);
    # the minutes before EMS arrival are charged by the hazard only.
    "beta_per_min": {
        "IMM": 0.0,
        "HT": 0.0146,
        "HL": _GAUSS_BETA,
        "TBS": 0.005,
        "TBN": _GAUSS_BETA,
        "AW": _GAUSS_BETA,
        "MS": _GAUSS_BETA,
        "MN": 0.0,
    },
    # Reference EMS-on-scene->definitive-care time T_ref,c (baseline median), minutes: medians of
    # the shipped Hangzhou baseline; comparisons reset them from their own base run with
    # sim.outcomes.with_reference_times().
    "t_ref_min": {
        "IMM": 105.0,
        "HT": 65.75,
        "HL": 72.81,
        "TBS": 76.24,
        "TBN": 69.02,
        "AW": 64.3,
        "MS": 68.19,
        "MN": 84.81,
    },
    # Class offsets to the in-hospital logit (calibration, added to alpha_cal).
    "alpha_class": {
        "IMM": 0.0,
        "HT": 0.0,
        "HL": 0.0,
        "TBS": 0.013,
        "TBN": 0.013,
        "AW": 0.0,
        "MS": 0.0,
        "MN": -0.575,
    },
}

#: Survivor band shares (GR, MD, SD, VS) at the reference time per class (see OutcomeSpec).
DEFAULT_SURVIVOR_BANDS: dict[str, tuple[float, float, float, float]] = {
    "IMM": (1.0, 0.0, 0.0, 0.0),  # never survives; placeholder
    "HT": (0.55, 0.30, 0.14, 0.01),
    "HL": (0.55, 0.30, 0.14, 0.01),
    "TBS": (0.30, 0.28, 0.38, 0.04),
    "TBN": (0.30, 0.28, 0.39, 0.03),
    "AW": (0.55, 0.30, 0.14, 0.01),
    "MS": (0.55, 0.30, 0.14, 0.01),
    # Minor injuries (ISS<16): permanent disability is rare; most recover fully [U].
    "MN": (0.985, 0.012, 0.003, 0.0),
}


def logit_value(p: float) -> float:
    """The log-odds of a probability (for the defaults derived from published shares)."""
    return math.log(p / (1.0 - p))


def _merge_class_map(field: str, given: Any, default: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(given, dict):
        raise ValueError(f"{field}: needs a table keyed by injury class {list(OUTCOME_CLASSES)}")
    unknown = sorted(set(given) - set(OUTCOME_CLASSES))
    if unknown:
        raise ValueError(
            f"{field}: unknown injury classes {unknown}; allowed: {list(OUTCOME_CLASSES)}"
        )
    return {**default, **given}


class OutcomeSpec(Spec):
    """Outcome model: death before care, in-hospital death, disability and DALYs (``[outcomes]``).

    Per-class maps (``hazard_per_min``, ``beta_per_min``, ...) are tables keyed by injury class;
    a scenario may give only the classes it changes, the rest keep their defaults.
    """

    model: Literal["logit_linear", "interval_specific"] = Field(
        default="logit_linear",
        description="Time->in-hospital-death model (evidence §1.3): 'logit_linear' (form 1, "
        "slope beta_c on EMS-on-scene->definitive-care minutes) or 'interval_specific' (form 2: "
        "separate slopes on response, scene and transport minutes; never both).",
    )
    time_effects: bool = Field(
        default=True,
        description="false evaluates every time-dependent term (prehospital hazard exposure, "
        "first aid, time slopes, disability shift) at its reference time: the null model in "
        "which no timeline change can avert a death or disability.",
    )
    # ---------------------------------------------------------------- stage 1: before care
    hazard_per_min: dict[str, float] = Field(
        default_factory=lambda: dict(CLASS_MAP_DEFAULTS["hazard_per_min"]),
        description="Hazard of death per minute from injury until the first EMS unit is on "
        "scene, by class (§1.3 form 4). Each class with a hazard has an evidence prior "
        "(HAZARD_PRIORS, 95 % interval): HT 0.0035-0.0090 (Clarke 2002 +0.35 %/min [V]; E7 "
        "thoracic ln2/77 [D]), HL and AW 0.0012-0.0090 (Gauss 2019 OR 1.08/10 min implied "
        "slope [V]/[D] to E7), TBS 0.0003-0.0035 and MS 0.0005-0.0035 (Newgard 2010 / PATOS "
        "null response-time slopes [V] to Clarke 2002); defaults are the prior medians; "
        "calibration moves them only within the priors (docs/outcomes.md). 0 for TBN and MN "
        "(§7.2).",
    )
    bystander_first_aid_share: float = Field(
        default=0.50,
        ge=0,
        le=1,
        description="Share of non-immediate trauma patients given unguided bystander first aid "
        "from the moment of the call (t_call) in the baseline, before any mechanism: first aid "
        "attempted in 43-57 % of prehospital trauma deaths not found dead (British Red Cross "
        "2016, evidence §4.5 [S]); midpoint 0.50. Dispatcher video guidance and police "
        "first aid add to it (earlier or additional aid, t_first_aid); its effect is "
        "first_aid_hazard_factor [U] (unguided aid may be less effective).",
    )
    first_aid_hazard_factor: dict[str, float] = Field(
        default_factory=lambda: dict(CLASS_MAP_DEFAULTS["first_aid_hazard_factor"]),
        description="Multiplier (0-1) of the prehospital hazard after first aid (t_first_aid) by "
        "class. HL 0.1: tourniquet before shock, survival 0.96 vs 0.04 (Kragh, E8 [V], military; "
        "civilian effect smaller [U]). HT/AW/TBS/MS 0.9: 10 % of prehospital deaths preventable "
        "by first aid (E9 mode, range 3-30 %, Ashour 2007 [V] / BRC 2016 [S]).",
    )
    t_on_scene_ref_min: float = Field(
        default=13.63,  # shipped Hangzhou baseline median
        gt=0,
        description="Reference injury->EMS-on-scene minutes used for the prehospital hazard "
        "when time_effects is false (baseline median; PATOS RT median 20 [V], Chongqing "
        "response median 14.5 + call delay [V]).",
    )
    # ---------------------------------------------------------------- stage 2: in hospital
    triss_b0: float = Field(
        default=-0.4499, description="TRISS intercept, blunt (F1, MTOS, Boyd 1987 [V])."
    )
    triss_b1: float = Field(default=0.8085, description="TRISS RTS coefficient, blunt (F1 [V]).")
    triss_b2: float = Field(default=-0.0835, description="TRISS ISS coefficient, blunt (F1 [V]).")
    triss_b3: float = Field(default=-1.7430, description="TRISS age-index coefficient (F1 [V]).")
    age_index_years: float = Field(
        default=55.0, gt=0, description="Age index threshold of TRISS, years (age >= 55 -> 1)."
    )
    alpha_cal: float = Field(
        default=-0.633,
        description="Calibration intercept added to the TRISS logit of in-hospital death "
        "(logit units), fitted so ISS>=16 in-hospital mortality is 0.18 on the shipped "
        "Hangzhou baseline (McCoy 2013 0.26, Gabbe 2012 0.10-0.12, F4 [V]) [D]; the MPS/NHC "
        "road-death split is held out (docs/validation.md).",
    )
    alpha_class: dict[str, float] = Field(
        default_factory=lambda: dict(CLASS_MAP_DEFAULTS["alpha_class"]),
        description="Per-class calibration offsets added to alpha_cal (logit units): TBS/TBN "
        "0.013 to severe-TBI in-hospital mortality 0.20 (CENTER-TBI China, F3 [V]), MN -0.575 to "
        "ISS<=15 mortality 0.4 % (McCoy 2013 [V]); fitted on the shipped Hangzhou baseline [D].",
    )
    beta_per_min: dict[str, float] = Field(
        default_factory=lambda: dict(CLASS_MAP_DEFAULTS["beta_per_min"]),
        description="Logit slope of in-hospital death per minute of (T - t_ref_min), T = "
        "EMS on scene->definitive care (minutes before it are the hazard's), by class: major "
        "trauma ln(1.08)/10 = 0.0077 (Gauss 2019, E1 "
        "[V]/[D]); torso haemorrhage 0.0146 (Clarke 2002, E3 [D]); surgical TBI 0.005 (range "
        "0-0.0127, E4 [D]); MN 0 (Newgard 2010, PATOS, E2 [V]).",
    )
    t_ref_min: dict[str, float] = Field(
        default_factory=lambda: dict(CLASS_MAP_DEFAULTS["t_ref_min"]),
        description="Reference EMS-on-scene->definitive-care minutes per class (baseline median, "
        "§7.2): the slopes act only on differences from it. Set from the baseline run with "
        "sim.outcomes.reference_times().",
    )
    fallback_hospital_to_definitive_min: float = Field(
        default=60.0,
        ge=0,
        description="When t_definitive_care is missing but t_at_hospital is known (and the "
        "patient is not in progress), T = arrival + this many minutes (C5/C8: 40-90 min).",
    )
    rr_capable_care: float = Field(
        default=0.80,
        gt=0,
        le=1,
        description="In-hospital mortality RR, trauma centre vs not (MacKenzie 2006, D3: 0.80 "
        "(0.66-0.98) [V]); applied as an odds ratio to ISS>=16 patients whose definitive care "
        "was not at a capable hospital (capable_care false).",
    )
    p_ref_capable_care: float = Field(
        default=0.076,
        gt=0,
        lt=1,
        description="Risk at which the RR is converted to an OR: trauma-centre in-hospital "
        "mortality 7.6 % (MacKenzie 2006 [V]); OR = (p/RR)/(1-p/RR) / (p/(1-p)) = 1.28.",
    )
    capable_care_min_iss: int = Field(
        default=16, ge=1, le=75, description="The care-level effect applies from this ISS (D3)."
    )
    transfer_or: float = Field(
        default=1.0,
        gt=0,
        description="Extra odds ratio for an inter-facility transfer. Default 1: the simulation "
        "models the transfer delay explicitly, so D4 (OR 1.96, Sampalis 1997 [V]) would double "
        "count; set 1.96 only if transfer delays are not simulated.",
    )
    # -------------------------------------------------------- interval-specific alternative
    interval_classes: list[str] = Field(
        default=["HT", "HL", "TBS", "TBN", "AW", "MS"],
        description="Classes the interval slopes apply to in the 'interval_specific' model (MN "
        "excluded: null slope, E2).",
    )
    beta_response_per_min: float = Field(
        default=0.0,
        ge=0,
        description="interval_specific: logit slope per minute of call->on-scene (PATOS RT aOR "
        "0.99/10 min, Newgard 2010 OR 1.00 [V] -> 0). Applied only to classes without a "
        "prehospital hazard (the hazard already charges those minutes).",
    )
    beta_scene_per_min: float = Field(
        default=math.log(1.013),
        ge=0,
        description="interval_specific: log-RR per minute on scene (Waalwijk, E5: RR 1.013/min "
        "for 30-d mortality [V]), used as a logit slope.",
    )
    beta_transport_per_min: float = Field(
        default=math.log(1.08) / 10.0,
        ge=0,
        description="interval_specific: logit slope per minute of scene->hospital (PATOS SH aOR "
        "1.08 per 10 min, E6 [V]).",
    )
    response_ref_min: float = Field(
        default=10.37, ge=0, description="interval_specific: reference call->on-scene minutes."
    )
    scene_ref_min: float = Field(
        default=12.2, ge=0, description="interval_specific: reference on-scene minutes (C1)."
    )
    transport_ref_min: float = Field(
        default=9.37, ge=0, description="interval_specific: reference transport minutes (C2)."
    )
    hospital_ref_min: float = Field(
        default=59.0,
        ge=0,
        description="interval_specific: reference arrival->definitive-care minutes; this "
        "interval keeps the class slope beta_per_min (Clarke/Seelig are in-hospital delays).",
    )
    # ---------------------------------------------------------------------- disability
    kappa: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Time effect on disability relative to death, gamma_c = kappa * beta_c "
        "(G4: 0.5, range 0-1, assumption [U]), for the classes without a disability mechanism: "
        "surgical TBI, the SCI share of MS and the arterial share of HL have their own "
        "(tbi_*, sci_*, limb_*; sim.outcomes.disability).",
    )
    survivor_bands: dict[str, tuple[float, float, float, float]] = Field(
        default_factory=lambda: dict(DEFAULT_SURVIVOR_BANDS),
        description="Shares of survivors in GOS-E bands (GR 7-8, MD 5-6, SD 3-4, VS 2) at the "
        "reference time, by class (they set the proportional-odds thresholds theta). ISS>=16 "
        "non-TBI: 80 % with limitation incl. lower GR (Gabbe 2012, G1 [V]), upper GR 20-29 % "
        "(G1/G2 [V]); TBI: death or GOS-E<=4 = 53 % with 20 % in-hospital deaths (G3, F3 [V]) "
        "-> 41-42 % SD+VS among survivors [D]; MD/VS split and MN shares assumed [U].",
    )
    # ------------------------------------- time-dependent disability (sim.outcomes.disability)
    tbi_gamma_per_min: float = Field(
        default=0.005,
        ge=0,
        description="Surgical TBI (TBS): logit shift of the GOS-E bands per minute of injury -> "
        "evacuation (definitive care) beyond tbi_evacuation_ref_min; replaces kappa for TBS. "
        "Tri(0, 0.005, 0.0204) [D]: upper 0.0204 from Chia-Yi 2020 (BMC Neurol, injury -> "
        "surgery 145.5 +/- 27.0 min with functional recovery vs 181.9 +/- 54.5 min poor, a "
        "logistic slope of (mean difference)/(pooled variance) [V]/[D]); mode 0.005 as E4 "
        "(Seelig 1981 [V]); lower 0 (Tien 2011 time to craniotomy, Westmead, Newgard 2015 "
        "[V]).",
    )
    tbi_evacuation_ref_min: float = Field(
        default=85.26,
        gt=0,
        description="Reference injury -> evacuation minutes of TBS (shipped Hangzhou baseline "
        "median; sim.outcomes.with_reference_times resets it from the base run).",
    )
    sci_share_of_ms: float = Field(
        default=0.10,
        ge=0,
        le=1,
        description="Share of other multi-system (MS) patients with a spinal cord injury: ~3 % "
        "of ISS>=16 with MS 0.30 of them (A4) [U]; range 0.05-0.20.",
    )
    sci_deterioration_per_min: float = Field(
        default=0.0,
        ge=0,
        description="Hazard per minute of secondary cord injury before EMS immobilise the spine "
        "(injury -> EMS on scene); a deteriorated cord does not recover. Default 0: no "
        "controlled evidence that immobilisation prevents deterioration (Hauswald 1998, Acad "
        "Emerg Med 5:214, unimmobilised Malaysian patients did no worse [U]); Tri(0, 0, 0.002) "
        "up to Toscano 1988 (Paraplegia 26:143: ~26 % deteriorated before admission [U]).",
    )
    sci_recovery_slope_per_min: float = Field(
        default=math.log(2.83) / ((48.3 - 14.2) * 60.0),
        ge=0,
        description="Fall of the log-odds of >= 2-grade AIS recovery per minute to "
        "decompression: ln(OR 2.83) over the 34.1 h between the STASCIS group means (Fehlings "
        "2012, PLoS One 7:e32037: early < 24 h, mean 14.2 h, 19.8 % vs late 48.3 h, 8.8 %; "
        "adjusted OR 2.83 (1.10-7.28) [V]) = 0.00051/min [D]; lognormal sigma 0.48.",
    )
    sci_recovery_ref: float = Field(
        default=0.198,
        gt=0,
        lt=1,
        description="P(>= 2-grade AIS recovery) at sci_recovery_ref_min (STASCIS early group "
        "19.8 % [V]).",
    )
    sci_recovery_ref_min: float = Field(
        default=14.2 * 60.0,
        ge=0,
        description="Anchor of sci_recovery_ref: STASCIS early-group mean injury -> surgery, "
        "14.2 h [V].",
    )
    sci_decompression_ref_min: float = Field(
        default=87.2,
        gt=0,
        description="Reference injury -> decompression (definitive care) minutes of MS, used "
        "when time_effects is false (shipped Hangzhou baseline median).",
    )
    sci_tetraplegia_share: float = Field(
        default=0.59,
        ge=0,
        le=1,
        description="Share of permanent SCI that is tetraplegia (neck level), the rest "
        "paraplegia: NSCISC Facts and Figures (incomplete 47 % + complete 12 % tetraplegia) "
        "[U]; range 0.5-0.7.",
    )
    dw_paraplegia: float = Field(
        default=0.296,
        ge=0,
        le=1,
        description="DW of permanent paraplegia (GOS-E 5-6 band): GBD 2019 'spinal cord lesion "
        "below neck level, treated' 0.296 (0.198-0.414) (G8 [V]).",
    )
    dw_tetraplegia: float = Field(
        default=0.589,
        ge=0,
        le=1,
        description="DW of permanent tetraplegia (GOS-E 3-4 band): 'spinal cord lesion at neck "
        "level, treated' 0.589 (GBD 2013 [U]); up to 0.725 (GBD 1990, DCP2 [V]) (G9).",
    )
    dw_sci_recovered: float = Field(
        default=0.010,
        ge=0,
        le=1,
        description="DW after >= 2-grade AIS recovery (GR band): GBD 2019 'motor impairment, "
        "mild' 0.010 (0.005-0.019) [V].",
    )
    limb_vascular_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Share of limb haemorrhage (HL) patients with an arterial injury that needs "
        "revascularisation [U]; range 0.4-0.8.",
    )
    limb_amputation_slope_per_min: float = Field(
        default=(logit_value(0.27) - logit_value(0.13)) / ((7.6 - 3.8) * 60.0),
        ge=0,
        description="Rise of the log-odds of amputation per minute of warm ischaemia (injury -> "
        "revascularisation or shunt): Glass 2009 (JPRAS 62:571) amputation 13 % with shunts "
        "(mean ischaemia 3.8 h) vs 27 % with grafts (7.6 h) [V] -> 0.0040/min [D]; Tri(0, "
        "0.0040, 0.0063), upper from salvage 87 % < 6 h vs 61 % > 6 h over the same span [D], "
        "lower 0 (confounding by injury severity) [U].",
    )
    limb_amputation_ref: float = Field(
        default=0.13,
        gt=0,
        lt=1,
        description="P(amputation) at limb_amputation_ref_min (Glass 2009 shunt group 13 % [V]).",
    )
    limb_amputation_ref_min: float = Field(
        default=3.8 * 60.0,
        ge=0,
        description="Anchor of limb_amputation_ref: Glass 2009 shunt-group mean ischaemia "
        "3.8 h [V].",
    )
    limb_ischaemia_ref_min: float = Field(
        default=91.82,
        gt=0,
        description="Reference injury -> revascularisation (definitive care) minutes of HL, used "
        "when time_effects is false (shipped Hangzhou baseline median).",
    )
    dw_amputation: float = Field(
        default=0.165,
        ge=0,
        le=1,
        description="DW of a traumatic leg amputation (GOS-E 5-6 band): GBD 2019 "
        "'musculoskeletal problems, lower limbs, severe' 0.165 [V] as the proxy state [D]; "
        "Tri(0.079, 0.165, 0.300): GBD 2019 lower limbs moderate 0.079 [V] to GBD 1990 "
        "'amputation of leg' 0.300 (DCP2 [V]).",
    )
    # --------------------------------------------------------------------------- DALYs
    life_table: Literal["gbd_reference", "zhejiang"] = Field(
        default="gbd_reference",
        description="Remaining life expectancy for YLL/YLD (H1): 'gbd_reference' (GBD 2019 "
        "reference life table, e0 88.87 [S]) or 'zhejiang' (Gompertz-Makeham table with e0 81 "
        "[D]/[U]); see sim/outcomes/lifetable.py.",
    )
    discount_rate: float = Field(
        default=0.0,
        ge=0,
        le=0.1,
        description="Continuous discount rate per year for life-years (H2: none in GBD 2010+ "
        "[U]; 0.03 as sensitivity): L years count (1 - exp(-r L)) / r.",
    )
    dw_gr_lower: float = Field(
        default=0.031,
        ge=0,
        le=1,
        description="DW of lower good recovery (GOS-E 7): motor+cognitive mild 0.031 "
        "(0.018-0.050), GBD 2019 G7 [V]; upper good recovery (GOS-E 8) has DW 0.",
    )
    gr_lower_share: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Share of the GR band that is GOS-E 7 (has limitations): G1 80 % with "
        "limitation and G2 upper GR 20-29 % imply 0.5-0.65 [D].",
    )
    minor_gr_lower_share: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Share of the GR band with lasting limitations (GOS-E 7) after a minor "
        "injury (ISS<16) [U]: most minor injuries recover fully, so a lifelong disability "
        "weight applies to few; keeps YLD of the many minor patients from dominating DALYs "
        "(Zhejiang/China RTI DALYs are ~82 % YLL, evidence §2.2 [V]).",
    )
    dw_md: float = Field(
        default=0.203,
        ge=0,
        le=1,
        description="DW of moderate disability (GOS-E 5-6): motor+cognitive moderate 0.203 "
        "(0.134-0.290), GBD 2019 G6 [V].",
    )
    dw_sd: float = Field(
        default=0.542,
        ge=0,
        le=1,
        description="DW of severe disability (GOS-E 3-4): motor+cognitive severe 0.542 "
        "(0.374-0.702), GBD 2019 G5 [V].",
    )
    dw_vs: float = Field(
        default=0.542,
        ge=0,
        le=1,
        description="DW of vegetative state (GOS-E 2): no GBD state; 0.542 (as severe) with "
        "sensitivity up to 0.75 [D]/[U].",
    )
    disabled_le_factor: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="Remaining life expectancy of SD/VS survivors as a share of the life-table "
        "value (excess mortality; sensitivity 0.5-1.0, §7.4 [U]).",
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_maps(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, default in CLASS_MAP_DEFAULTS.items():
            if name in out:
                out[name] = _merge_class_map(name, out[name], default)
        if "survivor_bands" in out:
            out["survivor_bands"] = _merge_class_map(
                "survivor_bands", out["survivor_bands"], dict(DEFAULT_SURVIVOR_BANDS)
            )
        return out

    @model_validator(mode="after")
    def _check(self) -> OutcomeSpec:
        for name in ("hazard_per_min", "beta_per_min"):
            bad = [c for c, v in getattr(self, name).items() if not (v >= 0 and math.isfinite(v))]
            if bad:
                raise ValueError(f"{name}: must be finite and >= 0 (classes {bad})")
        bad = [c for c, v in self.first_aid_hazard_factor.items() if not 0 <= v <= 1]
        if bad:
            raise ValueError(f"first_aid_hazard_factor: must be in [0, 1] (classes {bad})")
        bad = [c for c, v in self.t_ref_min.items() if not (v >= 0 and math.isfinite(v))]
        if bad:
            raise ValueError(f"t_ref_min: must be finite and >= 0 (classes {bad})")
        bad = [c for c, v in self.alpha_class.items() if not math.isfinite(v)]
        if bad:
            raise ValueError(f"alpha_class: must be finite (classes {bad})")
        for c, shares in self.survivor_bands.items():
            if len(shares) != 4 or any(s < 0 for s in shares) or abs(sum(shares) - 1) > 1e-6:
                raise ValueError(
                    f"survivor_bands.{c}: needs 4 shares (GR, MD, SD, VS) >= 0 summing to 1"
                )
        unknown = sorted(set(self.interval_classes) - set(OUTCOME_CLASSES))
        if unknown:
            raise ValueError(f"interval_classes: unknown classes {unknown}")
        return self

    def care_level_or(self) -> float:
        """Odds ratio of in-hospital death when definitive care was not at a capable hospital.

        Converts ``rr_capable_care`` (capable vs not) at the reference risk
        ``p_ref_capable_care``: the non-capable risk is ``p / RR``.
        """
        p = self.p_ref_capable_care
        q = min(p / self.rr_capable_care, 0.999)
        return (q / (1 - q)) / (p / (1 - p))


# ------------------------------------------------------------------------- uncertainty


def beta_from_mean_ui(mean: float, low: float, high: float) -> tuple[float, float]:
    """Beta(a, b) with the given mean whose 2.5/97.5 % quantiles best match a 95 % UI.

    Parameters
    ----------
    mean, low, high
        Mean and 95 % uncertainty interval on (0, 1), e.g. a GBD disability weight.

    Returns
    -------
    tuple of float
        Shape parameters ``(a, b)``.
    """
    return _beta_fit(round(mean, 12), round(low, 12), round(high, 12))


@lru_cache(maxsize=64)
def _beta_fit(mean: float, low: float, high: float) -> tuple[float, float]:
    if not 0 < low < mean < high < 1:
        raise ValueError("beta fit needs 0 < low < mean < high < 1")

    def loss(log_s: float) -> float:
        s = math.exp(log_s)
        q = stats.beta.ppf([0.025, 0.975], mean * s, (1 - mean) * s)
        return float((q[0] - low) ** 2 + (q[1] - high) ** 2)

    res = optimize.minimize_scalar(loss, bounds=(0.0, 12.0), method="bounded")
    s = math.exp(float(res.x))
    return mean * s, (1 - mean) * s


class UncertainParameter(Spec):
    """One uncertain outcome parameter: its distribution and the spec fields it sets.

    ``targets`` are field names of :class:`OutcomeSpec` (``"kappa"``) or class entries of a
    per-class map (``"beta_per_min.HT"``); several targets move together (perfect correlation).
    """

    name: str = Field(description="Short name shown in PSA and tornado tables.")
    targets: list[str] = Field(min_length=1, description="OutcomeSpec fields set to the value.")
    dist: Literal["normal", "lognormal", "triangular", "uniform", "beta"] = Field(
        description="Distribution family."
    )
    a: float = Field(
        description="normal: mean; lognormal: median; triangular/uniform: low; beta: a."
    )
    b: float = Field(
        description="normal: sd; lognormal: sigma; triangular: mode; uniform: high; beta: b."
    )
    c: float = Field(default=0.0, description="triangular: high (unused otherwise).")
    lower: float = Field(default=-math.inf, description="Values are clipped at this bound.")
    upper: float = Field(default=math.inf, description="Values are clipped at this bound.")
    psa: bool = Field(
        default=True, description="Drawn in the PSA; false = tornado only (e.g. a null slope)."
    )
    source: str = Field(default="", description="Where the distribution comes from.")

    def ppf(self, q: np.ndarray | float) -> np.ndarray:
        """Quantile function (vectorised), clipped to ``[lower, upper]``."""
        qa = np.asarray(q, dtype=float)
        if self.dist == "normal":
            x = stats.norm.ppf(qa, loc=self.a, scale=self.b)
        elif self.dist == "lognormal":
            x = self.a * np.exp(self.b * stats.norm.ppf(qa))
        elif self.dist == "triangular":
            lo, mode, hi = self.a, self.b, self.c
            x = stats.triang.ppf(qa, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        elif self.dist == "uniform":
            x = self.a + (self.b - self.a) * qa
        else:
            x = stats.beta.ppf(qa, self.a, self.b)
        out: np.ndarray = np.clip(np.asarray(x, dtype=float), self.lower, self.upper)
        return out

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values by inversion (one uniform per draw)."""
        return self.ppf(rng.random(size))

    @model_validator(mode="after")
    def _valid(self) -> UncertainParameter:
        ok = {
            "normal": self.b > 0,
            "lognormal": self.a > 0 and self.b > 0,
            "triangular": self.a <= self.b <= self.c and self.a < self.c,
            "uniform": self.a < self.b,
            "beta": self.a > 0 and self.b > 0,
        }[self.dist]
        if not ok:
            raise ValueError(
                f"{self.name}: invalid {self.dist} parameters ({self.a}, {self.b}, {self.c})"
            )
        return self


def _tri_around(value: float, low: float, high: float) -> tuple[float, float, float]:
    # A triangular range from the evidence, widened if the scenario moved the mode outside it.
    lo, hi = min(low, value), max(high, value)
    return lo, value, hi if hi > lo else lo + 1e-9


def default_uncertain_parameters(spec: OutcomeSpec) -> list[UncertainParameter]:
    """The uncertain parameters of evidence §6, centred on ``spec``'s values.

    Parameters
    ----------
    spec
        The outcome spec whose values are the distributions' centres (median or mode).

    Returns
    -------
    list of UncertainParameter
        β's (E1-E4), κ (G4), λ's (evidence priors), first-aid factors and share (E8/E9,
        BRC 2016), the care-level RR (D3),
        disability weights (G5-G7, VS), and — tornado only — a non-zero MN slope (E2), plus
        the interval slopes (E5, E6) when ``spec.model`` is ``interval_specific``.
        ``beta_major_trauma`` sets HL, TBN, AW and MS together, centred on HL's slope.
    """
    b = spec.beta_per_min
    lam = spec.hazard_per_min
    fa = spec.first_aid_hazard_factor
    major = [c for c in ("HL", "TBN", "AW", "MS") if b[c] > 0]
    out: list[UncertainParameter] = []
    if major:
        out.append(
            UncertainParameter(
                name="beta_major_trauma",
                targets=[f"beta_per_min.{c}" for c in major],
                dist="normal",
                a=b[major[0]],
                b=0.03 / 10.0,
                lower=0.0,
                source="E1: OR/10 min lognormal, median 1.08, sigma 0.03 [U] (Gauss 2019)",
            )
        )
    ht = _tri_around(b["HT"], 0.007, 0.025)
    tbs = _tri_around(b["TBS"], 0.0, 0.0127)
    out += [
        UncertainParameter(
            name="beta_torso_haemorrhage",
            targets=["beta_per_min.HT"],
            dist="triangular",
            a=ht[0],
            b=ht[1],
            c=ht[2],
            source="E3: Tri(0.007, 0.0146, 0.025) [D] (Clarke 2002)",
        ),
        UncertainParameter(
            name="beta_surgical_tbi",
            targets=["beta_per_min.TBS"],
            dist="triangular",
            a=tbs[0],
            b=tbs[1],
            c=tbs[2],
            source="E4: Tri(0, 0.005, 0.0127) [D] (Seelig/Tokyo)",
        ),
        UncertainParameter(
            name="beta_minor",
            targets=["beta_per_min.MN"],
            dist="uniform",
            a=b["MN"],
            b=max(b["MN"], 0.0) + 0.003,
            psa=False,
            source="E2: point 0; sensitivity 0-0.003 (Newgard 2010, PATOS)",
        ),
        UncertainParameter(
            name="kappa",
            targets=["kappa"],
            dist="uniform",
            a=0.0,
            b=1.0,
            source="G4: U(0, 1) [U]",
        ),
        UncertainParameter(
            name="rr_capable_care",
            targets=["rr_capable_care"],
            dist="lognormal",
            a=spec.rr_capable_care,
            b=(math.log(0.98) - math.log(0.66)) / 3.92,
            upper=1.0,
            source="D3: RR 0.80 (0.66-0.98), MacKenzie 2006 [V]",
        ),
    ]
    for c, (lo, hi) in HAZARD_PRIORS.items():
        if lam[c] > 0:
            out.append(
                UncertainParameter(
                    name=f"hazard_{c}",
                    targets=[f"hazard_per_min.{c}"],
                    dist="lognormal",
                    a=lam[c],
                    b=hazard_prior(c)[1],
                    lower=lo,
                    upper=hi,
                    source=f"HAZARD_PRIORS: lognormal around the calibrated value with the "
                    f"prior's sigma, clipped to its 95 % interval {lo}-{hi}/min "
                    "(Clarke 2002, E7, Gauss 2019, Newgard 2010/PATOS) [V]/[D]",
                )
            )
    out.append(
        UncertainParameter(
            name="bystander_first_aid_share",
            targets=["bystander_first_aid_share"],
            dist="uniform",
            a=0.43,
            b=0.57,
            source="British Red Cross 2016: first aid attempted in 43-57 % (evidence §4.5) [S]",
        )
    )
    hl = _tri_around(fa["HL"], 0.04, 0.5)
    other = [c for c in ("HT", "TBS", "AW", "MS") if fa[c] < 1]
    out.append(
        UncertainParameter(
            name="first_aid_factor_limb",
            targets=["first_aid_hazard_factor.HL"],
            dist="triangular",
            a=hl[0],
            b=hl[1],
            c=min(hl[2], 1.0),
            source="E8: tourniquet before shock (Kragh, military) Tri(0.04, 0.1, 0.5) [U]",
        )
    )
    if other:
        mode = fa[other[0]]
        lo, md, hi = _tri_around(mode, 0.70, 0.97)
        out.append(
            UncertainParameter(
                name="first_aid_factor_other",
                targets=[f"first_aid_hazard_factor.{c}" for c in other],
                dist="triangular",
                a=lo,
                b=md,
                c=min(hi, 1.0),
                source="E9: 1 - preventable share Tri(0.03, 0.10, 0.30) [V]/[S]",
            )
        )
    for name, field, (lo, hi) in (
        ("dw_gr_lower", "dw_gr_lower", (0.018, 0.050)),
        ("dw_md", "dw_md", (0.134, 0.290)),
        ("dw_sd", "dw_sd", (0.374, 0.702)),
    ):
        mean = float(getattr(spec, field))
        if lo < mean < hi:
            a, bb = beta_from_mean_ui(mean, lo, hi)
            out.append(
                UncertainParameter(
                    name=name,
                    targets=[field],
                    dist="beta",
                    a=a,
                    b=bb,
                    source=f"GBD 2019 DW {mean} ({lo}-{hi}) [V], Beta fitted to the UI",
                )
            )
    out.append(
        UncertainParameter(
            name="dw_vs",
            targets=["dw_vs"],
            dist="uniform",
            a=spec.dw_vs,
            b=max(0.75, spec.dw_vs + 1e-6),
            source="GOS-E 2: 0.542-0.75 (no GBD state) [D]/[U]",
        )
    )
    out += disability_uncertain_parameters(spec)
    if spec.model == "interval_specific":
        out += [
            UncertainParameter(
                name="beta_scene",
                targets=["beta_scene_per_min"],
                dist="normal",
                a=spec.beta_scene_per_min,
                b=0.0023,
                lower=0.0,
                source="E5: ln RR per min N(ln 1.013, 0.0023) (Waalwijk) [V]",
            ),
            UncertainParameter(
                name="beta_transport",
                targets=["beta_transport_per_min"],
                dist="normal",
                a=spec.beta_transport_per_min,
                b=0.004,
                lower=0.0,
                source="E6: ln OR per 10 min sigma 0.04 (PATOS SH) [V]",
            ),
        ]
    return out


def disability_uncertain_parameters(spec: OutcomeSpec) -> list[UncertainParameter]:
    """Uncertain parameters of the time-dependent disability model, centred on ``spec``.

    Parameters
    ----------
    spec
        The outcome spec whose values are the distributions' centres (median or mode).

    Returns
    -------
    list of UncertainParameter
        TBI evacuation slope, SCI share, secondary-injury hazard, decompression slope and
        tetraplegia share, limb arterial share and ischaemia slope, and the SCI and
        amputation disability weights (sources in the OutcomeSpec field descriptions).
    """

    def tri(name: str, field: str, low: float, high: float, source: str) -> UncertainParameter:
        lo, mode, hi = _tri_around(float(getattr(spec, field)), low, high)
        return UncertainParameter(
            name=name, targets=[field], dist="triangular", a=lo, b=mode, c=hi, source=source
        )

    def uni(name: str, field: str, low: float, high: float, source: str) -> UncertainParameter:
        value = float(getattr(spec, field))
        lo, hi = min(low, value), max(high, value)
        return UncertainParameter(
            name=name, targets=[field], dist="uniform", a=lo, b=max(hi, lo + 1e-9), source=source
        )

    out = [
        tri("tbi_gamma", "tbi_gamma_per_min", 0.0, 0.0204,
            "Tri(0, 0.005, 0.0204): Seelig 1981, Chia-Yi 2020 [V]/[D]; Tien 2011 null [V]"),
        uni("sci_share_of_ms", "sci_share_of_ms", 0.05, 0.20, "U(0.05, 0.20) [U]"),
        tri("sci_deterioration", "sci_deterioration_per_min", 0.0, 0.002,
            "Tri(0, 0, 0.002)/min: Hauswald 1998 null, Toscano 1988 upper [U]"),
        UncertainParameter(
            name="sci_recovery_slope",
            targets=["sci_recovery_slope_per_min"],
            dist="lognormal",
            a=spec.sci_recovery_slope_per_min if spec.sci_recovery_slope_per_min > 0 else 1e-9,
            b=(math.log(7.28) - math.log(1.10)) / 3.92,
            source="STASCIS OR 2.83 (1.10-7.28) over 34.1 h, Fehlings 2012 [V]/[D]",
        ),
        uni("sci_tetraplegia_share", "sci_tetraplegia_share", 0.5, 0.7,
            "U(0.5, 0.7): NSCISC [U]"),
        uni("limb_vascular_share", "limb_vascular_share", 0.4, 0.8, "U(0.4, 0.8) [U]"),
        tri("limb_amputation_slope", "limb_amputation_slope_per_min", 0.0, 0.0063,
            "Tri(0, 0.0040, 0.0063)/min: Glass 2009 [V]/[D]"),
        uni("dw_tetraplegia", "dw_tetraplegia", 0.589, 0.725,
            "U(0.589, 0.725): GBD 2013 [U] to GBD 1990 [V] (G9)"),
        tri("dw_amputation", "dw_amputation", 0.079, 0.300,
            "Tri(0.079, 0.165, 0.300): GBD 2019 lower limbs [V], GBD 1990 leg amputation [V]"),
    ]  # fmt: skip
    for name, field, (lo, hi), state in (
        ("dw_paraplegia", "dw_paraplegia", (0.198, 0.414), "spinal cord lesion below neck"),
        ("dw_sci_recovered", "dw_sci_recovered", (0.005, 0.019), "motor impairment, mild"),
    ):
        mean = float(getattr(spec, field))
        if lo < mean < hi:
            a, bb = beta_from_mean_ui(mean, lo, hi)
            out.append(
                UncertainParameter(
                    name=name,
                    targets=[field],
                    dist="beta",
                    a=a,
                    b=bb,
                    source=f"GBD 2019 DW '{state}' {mean} ({lo}-{hi}) [V], Beta fitted to the UI",
                )
            )
    return out


def apply_values(
    spec: OutcomeSpec, values: dict[str, float], parameters: Sequence[UncertainParameter]
) -> OutcomeSpec:
    """A copy of ``spec`` with each named uncertain parameter set to a value.

    Parameters
    ----------
    spec
        The base spec.
    values
        Parameter name -> value (names of ``parameters``).
    parameters
        The uncertain parameters whose ``targets`` say which fields to set.

    Returns
    -------
    OutcomeSpec
        The updated copy (not re-validated: values come from the stated distributions).
    """
    by_name = {p.name: p for p in parameters}
    update: dict[str, Any] = {}
    for name, value in values.items():
        for target in by_name[name].targets:
            field, _, cls = target.partition(".")
            if cls:
                current = update.get(field, dict(getattr(spec, field)))
                current[cls] = float(value)
                update[field] = current
            else:
                update[field] = float(value)
    return spec.model_copy(update=update)
