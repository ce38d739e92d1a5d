"""Time-dependent permanent disability (issue 11 item 3): surgical TBI, spinal cord, limb.

Monotonicity is a property test over random patients, delays and parameter values drawn
from the PSA ranges; each condition's numbers are checked against a hand calculation.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outcome_fixtures import make_patient_table, shift_timeline

from sim.outcomes import OutcomeSpec, burden_averted, expected_outcomes, with_reference_times
from sim.outcomes.burden import CONDITION_COUNTS, METRICS
from sim.outcomes.disability import (
    limb_amputation_probability,
    sci_permanent_probability,
    tbi_band_shift,
)
from sim.outcomes.params import default_uncertain_parameters

PERM = {"TBS": "p_perm_tbi", "MS": "p_perm_sci", "HL": "p_perm_limb"}


def _patients(cls: str, on_scene: np.ndarray, definitive: np.ndarray) -> pd.DataFrame:
    n = len(on_scene)
    return pd.DataFrame(
        {
            "rep": 0, "patient_id": np.arange(n), "kind": "trauma", "injury_class": cls,
            "iss": 25.0, "rts": 6.0, "age_years": 30.0, "t_injury": 0.0, "t_call": 2.0,
            "t_first_aid": math.nan, "t_on_scene": on_scene, "t_at_hospital": on_scene + 20.0,
            "t_definitive_care": definitive, "capable_care": True, "transferred": False,
            "status": "completed",
        }
    )  # fmt: skip


def _given_survival(out: pd.DataFrame, col: str) -> np.ndarray:
    alive = 1.0 - out["p_death"].to_numpy()
    values: np.ndarray = out[col].to_numpy() / alive
    return values


@settings(max_examples=60, deadline=None)
@given(
    cls=st.sampled_from(["TBS", "MS", "HL"]),
    seed=st.integers(0, 2**31 - 1),
    scene_delay=st.floats(0.0, 60.0),
    care_delay=st.floats(0.0, 600.0),
    gamma=st.floats(0.0, 0.0204),
    deterioration=st.floats(0.0, 0.002),
    sci_slope=st.floats(0.0, 0.003),
    limb_slope=st.floats(0.0, 0.0063),
    kappa=st.floats(0.0, 1.0),
)
def test_more_delay_never_lowers_permanent_disability_given_survival(
    cls: str,
    seed: int,
    scene_delay: float,
    care_delay: float,
    gamma: float,
    deterioration: float,
    sci_slope: float,
    limb_slope: float,
    kappa: float,
) -> None:
    rng = np.random.default_rng(seed)
    on_scene = 5.0 + rng.exponential(15.0, 50)
    definitive = on_scene + 20.0 + rng.exponential(60.0, 50)
    spec = OutcomeSpec(
        tbi_gamma_per_min=gamma,
        sci_deterioration_per_min=deterioration,
        sci_recovery_slope_per_min=sci_slope,
        limb_amputation_slope_per_min=limb_slope,
        kappa=kappa,
    )
    # EMS later (so every later event is later too) and, on top, definitive care later.
    a = expected_outcomes(_patients(cls, on_scene, definitive), spec)
    later_scene = on_scene + scene_delay * rng.random(50)
    later_care = definitive + (later_scene - on_scene) + care_delay * rng.random(50)
    b = expected_outcomes(_patients(cls, later_scene, later_care), spec)
    perm_a, perm_b = _given_survival(a, PERM[cls]), _given_survival(b, PERM[cls])
    assert (perm_b >= perm_a - 1e-12).all()
    # The pure functions agree on their own.
    t = np.sort(rng.uniform(0, 2000, 20))
    assert (np.diff(tbi_band_shift(t, 90.0, gamma)) >= 0).all()
    q_sci = sci_permanent_probability(
        t / 10, t, deterioration_per_min=deterioration, slope_per_min=sci_slope,
        ref_recovery=0.198, ref_min=852.0, unimmobilised_ref_min=13.6,
    )  # fmt: skip
    assert (np.diff(q_sci) >= -1e-15).all()
    assert (np.diff(limb_amputation_probability(t, limb_slope, 0.13, 228.0)) >= -1e-15).all()


def test_surgical_tbi_by_hand() -> None:
    """Evacuation at 150 min, reference 90 min, gamma 0.005/min: shift +0.3 on every threshold.

    Bands at the reference (0.30, 0.28, 0.38, 0.04): P(>=MD) 0.70, P(>=SD) 0.42, P(>=VS) 0.04.
    logit 0.8473 + 0.3 -> expit 0.7590; -0.3228 + 0.3 -> 0.4943; -3.1781 + 0.3 -> 0.0532.
    So among survivors: permanent (GOS-E <= 6) 0.7590, MD 0.2647, SD 0.4411, VS 0.0532.
    kappa plays no part for TBS.
    """
    spec = OutcomeSpec(tbi_evacuation_ref_min=90.0, tbi_gamma_per_min=0.005)
    df = _patients("TBS", np.array([20.0]), np.array([150.0]))
    for kappa in (0.0, 1.0):
        out = expected_outcomes(df, spec.model_copy(update={"kappa": kappa}))
        assert _given_survival(out, "p_perm_tbi")[0] == pytest.approx(0.7590, abs=1e-4)
        assert _given_survival(out, "p_md")[0] == pytest.approx(0.2647, abs=1e-4)
        assert _given_survival(out, "p_sd")[0] == pytest.approx(0.4411, abs=1e-4)
        assert _given_survival(out, "p_vs")[0] == pytest.approx(0.0532, abs=1e-4)
    # At the reference the bands are the spec's own.
    ref = expected_outcomes(_patients("TBS", np.array([20.0]), np.array([90.0])), spec)
    assert _given_survival(ref, "p_perm_tbi")[0] == pytest.approx(0.70)


def test_spinal_cord_injury_by_hand() -> None:
    """EMS on scene (immobilisation) at 20 min, decompression (definitive care) at 140 min.

    Recovery by >= 2 AIS grades: slope ln(2.83)/(34.1 h x 60) = 0.00050845/min (STASCIS),
    logit(0.198) - 0.00050845 x (140 - 852) = -1.39877 + 0.36202 = -1.03675 -> 0.26176.
    Secondary injury 0.001/min for 20 min: intact exp(-0.02) = 0.98020.
    Permanent = 1 - 0.98020 x 0.26176 = 0.74342; tetraplegia 0.59 of it (SD) = 0.43862,
    paraplegia (MD) = 0.30480, recovered (GR) = 0.25658 (with every MS patient an SCI).
    YLD per survivor, age 30 (e = 59.20 y): (0.25658 x 0.010 + 0.30480 x 0.296 + 0.43862 x
    0.589) = 0.0025658 + 0.0902208 + 0.2583472 = 0.351134, x 59.20 = 20.787 years.
    """
    spec = OutcomeSpec(sci_share_of_ms=1.0, sci_deterioration_per_min=0.001)
    out = expected_outcomes(_patients("MS", np.array([20.0]), np.array([140.0])), spec)
    assert _given_survival(out, "p_perm_sci")[0] == pytest.approx(0.74342, abs=1e-5)
    assert _given_survival(out, "p_sd")[0] == pytest.approx(0.43862, abs=1e-5)
    assert _given_survival(out, "p_md")[0] == pytest.approx(0.30480, abs=1e-5)
    assert _given_survival(out, "p_gr")[0] == pytest.approx(0.25658, abs=1e-5)
    assert _given_survival(out, "yld")[0] == pytest.approx(20.787, abs=2e-3)
    # The share mixes linearly: with 10 % SCI the permanent count is a tenth.
    tenth = expected_outcomes(
        _patients("MS", np.array([20.0]), np.array([140.0])),
        spec.model_copy(update={"sci_share_of_ms": 0.1}),
    )
    assert _given_survival(tenth, "p_perm_sci")[0] == pytest.approx(0.074342, abs=1e-6)


def test_limb_vascular_injury_by_hand() -> None:
    """Revascularisation (definitive care) 300 min after injury, every HL patient arterial.

    Slope (logit 0.27 - logit 0.13)/228 min = (-0.99462 + 1.90096)/228 = 0.0039752/min
    (Glass 2009); logit(0.13) + 0.0039752 x (300 - 228) = -1.61475 -> amputation 0.16594.
    HL reference bands (0.55, 0.30, 0.14, 0.01): amputees from GR move to MD, so among
    survivors GR 0.55 x 0.83406 = 0.45873, MD 0.30 + 0.55 x 0.16594 = 0.39127, SD 0.14, VS
    0.01. YLD per survivor, age 30 (e = 59.20): generic (0.55 x 0.6 x 0.031 + 0.30 x 0.203
    + 0.15 x 0.542) = 0.152430 plus 0.16594 x 0.55 x (0.165 - 0.6 x 0.031) = 0.013362, so
    0.165792 x 59.20 = 9.8149 years.
    """
    spec = OutcomeSpec(limb_vascular_share=1.0)
    out = expected_outcomes(_patients("HL", np.array([20.0]), np.array([300.0])), spec)
    assert _given_survival(out, "p_perm_limb")[0] == pytest.approx(0.16594, abs=1e-5)
    assert _given_survival(out, "p_gr")[0] == pytest.approx(0.45873, abs=1e-5)
    assert _given_survival(out, "p_md")[0] == pytest.approx(0.39127, abs=1e-5)
    assert _given_survival(out, "p_sd")[0] == pytest.approx(0.14, abs=1e-9)
    assert _given_survival(out, "yld")[0] == pytest.approx(9.8149, abs=2e-3)


def test_time_effects_off_puts_every_condition_at_its_reference() -> None:
    spec = OutcomeSpec(time_effects=False, sci_deterioration_per_min=0.001)
    for cls in PERM:
        fast = expected_outcomes(_patients(cls, np.array([10.0]), np.array([60.0])), spec)
        slow = expected_outcomes(_patients(cls, np.array([40.0]), np.array([400.0])), spec)
        assert fast[PERM[cls]].iloc[0] == pytest.approx(slow[PERM[cls]].iloc[0])
        assert fast[PERM[cls]].iloc[0] > 0


def test_faster_care_averts_permanent_disabilities_per_condition() -> None:
    # More survivors can mean more people living with a disability (death -> disability
    # shift), so the count averted may have either sign; the mechanism must add to it.
    base = make_patient_table(reps=3, patients_per_rep=6000, seed=11)
    faster = shift_timeline(base, response_min=5.0, hospital_min=10.0)
    spec = with_reference_times(OutcomeSpec(), base)
    null = spec.model_copy(
        update={
            "tbi_gamma_per_min": 0.0,
            "sci_recovery_slope_per_min": 0.0,
            "sci_deterioration_per_min": 0.0,
            "limb_amputation_slope_per_min": 0.0,
        }
    )
    kw = {"horizon_years": 14 / 365, "population": 1e6}
    res = burden_averted(base, faster, spec, **kw)
    res0 = burden_averted(base, faster, null, **kw)
    for name in CONDITION_COUNTS:
        metric = f"{name}_averted_per_year"
        assert metric in METRICS
        assert res.loc[metric, "mean"] > res0.loc[metric, "mean"], name
    # Without a mechanism the share of survivors disabled does not move (only survival does).
    a, b = expected_outcomes(base, null), expected_outcomes(faster, null)
    for cls, col in PERM.items():
        sel = (a["injury_class"] == cls).to_numpy() & a["p_death"].notna().to_numpy()
        sel &= b["p_death"].notna().to_numpy()
        assert sel.sum() > 0
        np.testing.assert_allclose(
            _given_survival(a[sel], col), _given_survival(b[sel], col), rtol=1e-9
        )


def test_new_parameters_join_the_joint_uncertain_set() -> None:
    spec = OutcomeSpec()
    params = {p.name: p for p in default_uncertain_parameters(spec)}
    expected = {
        "tbi_gamma": "tbi_gamma_per_min",
        "sci_share_of_ms": "sci_share_of_ms",
        "sci_deterioration": "sci_deterioration_per_min",
        "sci_recovery_slope": "sci_recovery_slope_per_min",
        "sci_tetraplegia_share": "sci_tetraplegia_share",
        "limb_vascular_share": "limb_vascular_share",
        "limb_amputation_slope": "limb_amputation_slope_per_min",
        "dw_tetraplegia": "dw_tetraplegia",
        "dw_paraplegia": "dw_paraplegia",
        "dw_sci_recovered": "dw_sci_recovered",
        "dw_amputation": "dw_amputation",
    }
    for name, field in expected.items():
        p = params[name]
        assert p.targets == [field]
        assert p.psa
        # The spec's value lies in the support (it may be an end: a null mode, a GBD value).
        lo, hi = (float(v) for v in p.ppf(np.array([1e-9, 1 - 1e-9])))
        value = float(getattr(spec, field))
        assert lo - 1e-9 <= value <= hi + 1e-9, name
        q = p.ppf(np.array([0.025, 0.975]))
        assert q[0] < q[1], name
