"""Outcome models: spec, monotonicity, sampling, DALY arithmetic, life tables, speed."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st
from outcome_fixtures import make_patient_table
from pydantic import ValidationError
from scipy import stats

from sim.core.entities import INJURY_CLASSES
from sim.core.errors import UserError
from sim.outcomes import (
    OUTCOME_CLASSES,
    OUTCOME_COLUMNS,
    OutcomeSpec,
    compute_outcomes,
    expected_outcomes,
    sample_outcomes,
    with_reference_times,
)
from sim.outcomes.lifetable import (
    GOMPERTZ_MAKEHAM_ZHEJIANG,
    ZHEJIANG_EX_YEARS,
    discounted_years,
    gompertz_makeham_ex,
    remaining_life_expectancy,
)
from sim.outcomes.params import beta_from_mean_ui, default_uncertain_parameters


@pytest.fixture(scope="module")
def fixture_table() -> pd.DataFrame:
    return make_patient_table(reps=4, patients_per_rep=20000, seed=7)


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _one_patient(cls: str, on_scene: float, definitive: float, t_call: float = 2.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "rep": [0], "patient_id": [1], "kind": ["trauma"], "injury_class": [cls],
            "iss": [25.0], "rts": [6.0], "age_years": [30.0], "t_injury": [0.0],
            "t_call": [t_call], "t_first_aid": [math.nan], "t_on_scene": [on_scene],
            "t_at_hospital": [on_scene + 20.0], "t_definitive_care": [definitive],
            "capable_care": [True], "transferred": [False], "status": ["completed"],
        }
    )  # fmt: skip


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


@pytest.mark.parametrize("cls", ["HT", "HL", "TBS", "MS"])
def test_no_double_counting_of_prehospital_minutes(cls: str) -> None:
    # Hazard off: moving 10 minutes from before to after EMS arrival (same injury ->
    # definitive-care total) changes in-hospital death only through the slope on them.
    beta = 0.02
    off = OutcomeSpec(hazard_per_min={cls: 0.0}, beta_per_min={cls: beta}, t_ref_min={cls: 60.0})
    early = expected_outcomes(_one_patient(cls, on_scene=20.0, definitive=90.0), off)
    late = expected_outcomes(_one_patient(cls, on_scene=10.0, definitive=90.0), off)
    assert early["p_death_prehospital"][0] == 0.0 == late["p_death_prehospital"][0]
    diff = _logit(late["p_death_hospital"][0]) - _logit(early["p_death_hospital"][0])
    assert diff == pytest.approx(beta * 10.0, rel=1e-9)
    # Minutes before EMS arrival alone (later arrival, later definitive care by the same
    # amount) are not charged by the in-hospital slope at all: only the hazard charges them.
    later = expected_outcomes(_one_patient(cls, on_scene=30.0, definitive=100.0), off)
    assert later["p_death_hospital"][0] == pytest.approx(early["p_death_hospital"][0], rel=1e-12)
    on = off.model_copy(update={"hazard_per_min": {**off.hazard_per_min, cls: 0.005}})
    a = expected_outcomes(_one_patient(cls, on_scene=20.0, definitive=90.0), on)
    b = expected_outcomes(_one_patient(cls, on_scene=30.0, definitive=100.0), on)
    cond_a = a["p_death_hospital"][0] / (1 - a["p_death_prehospital"][0])
    cond_b = b["p_death_hospital"][0] / (1 - b["p_death_prehospital"][0])
    assert cond_b == pytest.approx(cond_a, rel=1e-12)
    assert b["p_death_prehospital"][0] > a["p_death_prehospital"][0]


def test_interval_model_does_not_charge_response_twice() -> None:
    # interval_specific with a response slope: a class with a hazard (HT) gets its response
    # minutes from the hazard only; a class without one (TBN) from the slope.
    spec = OutcomeSpec(model="interval_specific", beta_response_per_min=0.02)
    for cls, charged in (("HT", False), ("TBN", True)):
        a = expected_outcomes(_one_patient(cls, on_scene=12.0, definitive=90.0), spec)
        b = expected_outcomes(_one_patient(cls, on_scene=22.0, definitive=100.0), spec)
        cond_a = a["p_death_hospital"][0] / (1 - a["p_death_prehospital"][0])
        cond_b = b["p_death_hospital"][0] / (1 - b["p_death_prehospital"][0])
        diff = _logit(cond_b) - _logit(cond_a)
        assert diff == pytest.approx(0.2 if charged else 0.0, abs=1e-9), cls


def test_baseline_bystander_first_aid_by_hand() -> None:
    # HL: hazard 0.009/min, first aid factor 0.1; call at 2 min, EMS on scene at 15 min.
    spec = OutcomeSpec(
        hazard_per_min={"HL": 0.009},
        first_aid_hazard_factor={"HL": 0.1},
        bystander_first_aid_share=0.5,
    )
    out = expected_outcomes(_one_patient("HL", on_scene=15.0, definitive=90.0), spec)
    with_aid = 1 - math.exp(-0.009 * (2.0 + 0.1 * 13.0))
    without = 1 - math.exp(-0.009 * 15.0)
    assert out["p_death_prehospital"][0] == pytest.approx(0.5 * with_aid + 0.5 * without)
    # A mechanism's earlier (guided) aid lowers it further; no bystander aid raises it.
    guided = _one_patient("HL", on_scene=15.0, definitive=90.0).assign(t_first_aid=4.0)
    g = expected_outcomes(guided, spec)["p_death_prehospital"][0]
    both = 1 - math.exp(-0.009 * (4.0 + 0.1 * 11.0))
    assert g == pytest.approx(0.5 * with_aid + 0.5 * both)
    assert g < out["p_death_prehospital"][0]
    none = spec.model_copy(update={"bystander_first_aid_share": 0.0})
    n = expected_outcomes(_one_patient("HL", on_scene=15.0, definitive=90.0), none)
    assert n["p_death_prehospital"][0] == pytest.approx(without)


# ----------------------------------------------------------------------------- spec


def test_spec_defaults_and_partial_class_maps() -> None:
    spec = OutcomeSpec(beta_per_min={"HT": 0.02})
    assert spec.beta_per_min["HT"] == 0.02
    assert spec.beta_per_min["MS"] == pytest.approx(math.log(1.08) / 10)
    assert set(spec.hazard_per_min) == set(OUTCOME_CLASSES)
    assert spec.care_level_or() == pytest.approx((0.095 / 0.905) / (0.076 / 0.924))


def test_spec_rejects_bad_values() -> None:
    with pytest.raises(ValidationError, match="unknown injury classes"):
        OutcomeSpec(beta_per_min={"XX": 0.1})
    with pytest.raises(ValidationError, match=r"survivor_bands\.MN"):
        OutcomeSpec(survivor_bands={"MN": (0.5, 0.2, 0.2, 0.2)})
    with pytest.raises(ValidationError, match="hazard_per_min"):
        OutcomeSpec(hazard_per_min={"HT": -0.1})
    with pytest.raises(ValidationError):
        OutcomeSpec(kappa=1.5)
    with pytest.raises(ValidationError):
        OutcomeSpec(not_a_field=1)


def test_spec_toml_round_trip() -> None:
    spec = OutcomeSpec(kappa=0.3, alpha_class={"MN": -1.0}, model="interval_specific")
    text = tomli_w.dumps(spec.model_dump(mode="json"))
    again = OutcomeSpec.model_validate(tomllib.loads(text))
    assert again == spec


def test_classes_match_shared_vocabulary() -> None:
    assert set(OUTCOME_CLASSES) <= set(INJURY_CLASSES)


def test_beta_fit_matches_ui() -> None:
    a, b = beta_from_mean_ui(0.203, 0.134, 0.290)
    assert a / (a + b) == pytest.approx(0.203)
    lo, hi = stats.beta.ppf([0.025, 0.975], a, b)
    assert lo == pytest.approx(0.134, abs=0.01)
    assert hi == pytest.approx(0.290, abs=0.01)


def test_default_uncertain_parameters_are_centred_on_spec() -> None:
    spec = OutcomeSpec()
    params = {p.name: p for p in default_uncertain_parameters(spec)}
    assert params["kappa"].ppf(0.5)[()] == pytest.approx(0.5)
    assert params["hazard_HT"].ppf(0.5)[()] == pytest.approx(spec.hazard_per_min["HT"])
    assert params["rr_capable_care"].ppf(0.5)[()] == pytest.approx(0.80)
    assert not params["beta_minor"].psa


# ---------------------------------------------------------------------- basic checks


def test_probabilities_add_up_and_rows_are_handled(fixture_table: pd.DataFrame) -> None:
    out = expected_outcomes(fixture_table, OutcomeSpec())
    inc = out["kind"].eq("trauma") & out["status"].ne("in_progress")
    total = out.loc[inc, ["p_death", "p_gr", "p_md", "p_sd", "p_vs"]].sum(axis=1)
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    np.testing.assert_allclose(
        out.loc[inc, "p_death"],
        out.loc[inc, "p_death_prehospital"] + out.loc[inc, "p_death_hospital"],
        atol=1e-12,
    )
    assert out.loc[~inc, list(OUTCOME_COLUMNS)].isna().all().all()
    assert out.loc[
        out["status"].eq("in_progress") & out["kind"].eq("trauma"), "outcome_censored"
    ].all()
    imm = out["injury_class"].eq("IMM") & inc
    assert (out.loc[imm, "p_death"] == 1.0).all()
    for c in OUTCOME_COLUMNS:
        assert (out.loc[inc, c] >= -1e-15).all()


def test_bad_tables_raise_user_errors(fixture_table: pd.DataFrame) -> None:
    spec = OutcomeSpec()
    with pytest.raises(UserError, match="missing columns"):
        expected_outcomes(fixture_table.drop(columns=["rts"]), spec)
    bad = fixture_table.head(50).copy()
    bad.loc[bad["kind"].eq("trauma"), "injury_class"] = "XYZ"
    with pytest.raises(UserError, match="injury_class"):
        expected_outcomes(bad, spec)
    bad = fixture_table.head(200).copy()
    row = bad.index[bad["kind"].eq("trauma") & bad["t_on_scene"].notna()][0]
    bad.loc[row, "t_on_scene"] = bad.loc[row, "t_injury"] - 1.0
    with pytest.raises(UserError, match="t_on_scene: must not precede t_injury"):
        expected_outcomes(bad, spec)


def test_models_are_selectable_by_name(fixture_table: pd.DataFrame) -> None:
    a = expected_outcomes(fixture_table, OutcomeSpec())
    b = expected_outcomes(fixture_table, OutcomeSpec(model="interval_specific"))
    c = expected_outcomes(
        fixture_table.drop(columns=["t_left_scene"]), OutcomeSpec(model="interval_specific")
    )
    assert not np.allclose(a["p_death"], b["p_death"], equal_nan=True)
    assert np.isfinite(c["p_death"]).sum() == np.isfinite(b["p_death"]).sum()
    # Totals stay of the same order (both centred on baseline references).
    assert a["p_death"].sum() == pytest.approx(b["p_death"].sum(), rel=0.1)


def test_with_reference_times_sets_baseline_medians(fixture_table: pd.DataFrame) -> None:
    spec = with_reference_times(OutcomeSpec(), fixture_table)
    done = fixture_table[
        fixture_table["status"].eq("completed") & fixture_table["kind"].eq("trauma")
    ]
    ht = done[done["injury_class"].eq("HT")]
    expected = float(np.median(ht["t_definitive_care"] - ht["t_on_scene"]))  # after EMS
    assert spec.t_ref_min["HT"] == pytest.approx(expected, abs=0.01)
    assert spec.scene_ref_min == pytest.approx(12.0, rel=0.1)


def test_vectorised_over_100k_rows_equals_chunks() -> None:
    """One call over 100k rows gives each row what it gets in small chunks.

    The time per row is the benchmarks' concern (a wall-clock limit here failed on a loaded
    machine); what this pins is that the vectorised path mixes no row with another.
    """
    big = make_patient_table(reps=1, patients_per_rep=100_000, seed=3)
    spec = OutcomeSpec()
    whole = expected_outcomes(big, spec)
    for start in (0, 49_999, 99_000):
        part = big.iloc[start : start + 1000]
        chunk = expected_outcomes(part, spec)
        pd.testing.assert_frame_equal(
            chunk.reset_index(drop=True),
            whole.iloc[start : start + 1000].reset_index(drop=True),
        )


# ---------------------------------------------------------------------- monotonicity


def _random_patients(seed: int, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cls = rng.choice(np.array(OUTCOME_CLASSES[1:], dtype=object), n)
    iss = np.where(cls == "MN", rng.integers(1, 16, n), rng.integers(16, 76, n)).astype(float)
    t_injury = rng.uniform(0, 5000, n)
    t_call = t_injury + rng.exponential(3, n)
    t_on_scene = t_call + rng.exponential(15, n)
    has_fa = rng.random(n) < 0.5
    t_first_aid = np.where(has_fa, rng.uniform(t_injury, t_on_scene), np.nan)
    t_left = t_on_scene + rng.exponential(12, n)
    t_hosp = t_left + rng.exponential(20, n)
    t_def = t_hosp + rng.exponential(60, n)
    return pd.DataFrame(
        {
            "rep": 0,
            "patient_id": np.arange(n),
            "kind": "trauma",
            "injury_class": cls,
            "iss": iss,
            "rts": rng.uniform(0, 7.8408, n),
            "age_years": rng.uniform(16, 95, n),
            "t_injury": t_injury,
            "t_call": t_call,
            "t_first_aid": t_first_aid,
            "t_on_scene": t_on_scene,
            "t_left_scene": t_left,
            "t_at_hospital": t_hosp,
            "t_definitive_care": t_def,
            "capable_care": rng.random(n) < 0.8,
            "transferred": rng.random(n) < 0.1,
            "status": "completed",
        }
    )


_EVENTS = ["t_call", "t_on_scene", "t_left_scene", "t_at_hospital", "t_definitive_care"]


def _delay(df: pd.DataFrame, event: str, delay_min: np.ndarray) -> pd.DataFrame:
    out = df.copy()
    if event == "t_first_aid":
        out["t_first_aid"] = out["t_first_aid"] + delay_min
        return out
    for col in _EVENTS[_EVENTS.index(event) :]:
        out[col] = out[col] + delay_min
    if event == "t_call":  # dispatcher-guided first aid follows the call
        out["t_first_aid"] = out["t_first_aid"] + delay_min
    return out


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    event=st.sampled_from([*_EVENTS, "t_first_aid"]),
    delay=st.floats(0.0, 240.0),
    model=st.sampled_from(["logit_linear", "interval_specific"]),
    kappa=st.floats(0.0, 1.0),
)
def test_more_delay_never_lowers_death_or_disability(
    seed: int, event: str, delay: float, model: str, kappa: float
) -> None:
    df = _random_patients(seed)
    spec = OutcomeSpec(model=model, kappa=kappa)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed + 1)
    delays = delay * rng.random(len(df))
    a = expected_outcomes(df, spec)
    b = expected_outcomes(_delay(df, event, delays), spec)
    tol = 1e-12
    assert (b["p_death"] >= a["p_death"] - tol).all()
    assert (b["p_death_prehospital"] >= a["p_death_prehospital"] - tol).all()
    surv_a, surv_b = 1 - a["p_death"], 1 - b["p_death"]
    ok = (surv_a > 1e-9) & (surv_b > 1e-9)
    for tail in (["p_md", "p_sd", "p_vs"], ["p_sd", "p_vs"], ["p_vs"]):
        cond_a = a[tail].sum(axis=1) / surv_a
        cond_b = b[tail].sum(axis=1) / surv_b
        assert (cond_b[ok] >= cond_a[ok] - 1e-9).all()  # P(disability | survive)
        comp_a = a["p_death"] + a[tail].sum(axis=1)
        comp_b = b["p_death"] + b[tail].sum(axis=1)
        assert (comp_b >= comp_a - 1e-9).all()  # P(death or disability)


# ------------------------------------------------------------------------- sampling


def test_sampled_outcomes_match_expected_values(fixture_table: pd.DataFrame) -> None:
    out = expected_outcomes(fixture_table, OutcomeSpec())
    s = sample_outcomes(out, np.random.default_rng(11))
    inc = np.isfinite(out["p_death"])
    assert s.loc[~inc, "died"].isna().all()
    assert s.loc[~inc, "gose_band"].isna().all()
    checks = [
        (s.loc[inc, "died"].astype(bool), out.loc[inc, "p_death"]),
        (s.loc[inc, "died_prehospital"].astype(bool), out.loc[inc, "p_death_prehospital"]),
    ]
    for band, col in (("GR", "p_gr"), ("MD", "p_md"), ("SD", "p_sd"), ("VS", "p_vs")):
        checks.append((s.loc[inc, "gose_band"].eq(band), out.loc[inc, col]))
    for hits, p in checks:
        sd = math.sqrt(float((p * (1 - p)).sum()))
        assert abs(float(hits.sum()) - float(p.sum())) <= 4 * sd + 1


def test_sampling_uses_common_random_numbers(fixture_table: pd.DataFrame) -> None:
    out = expected_outcomes(fixture_table, OutcomeSpec())
    a = sample_outcomes(out, np.random.default_rng(5))
    shuffled = out.sample(frac=1.0, random_state=np.random.default_rng(1))
    b = sample_outcomes(shuffled, np.random.default_rng(5)).loc[a.index]
    pd.testing.assert_series_equal(a["gose_band"], b["gose_band"])
    c = compute_outcomes(fixture_table, OutcomeSpec(), np.random.default_rng(5))
    pd.testing.assert_series_equal(a["died"], c["died"])


# --------------------------------------------------------------------------- DALYs


def _three_patients() -> pd.DataFrame:
    nan = float("nan")
    return pd.DataFrame(
        {
            "rep": [0, 0, 0],
            "patient_id": [1, 2, 3],
            "kind": ["trauma"] * 3,
            "injury_class": ["IMM", "MN", "HT"],
            "iss": [75.0, 4.0, 25.0],
            "rts": [0.0, 7.8408, 6.0],
            "age_years": [40.0, 62.5, 30.0],
            "t_injury": [0.0, 0.0, 0.0],
            "t_call": [2.0, 3.0, 2.0],
            "t_first_aid": [nan, nan, nan],
            "t_on_scene": [15.0, 18.0, 20.0],
            "t_at_hospital": [nan, nan, 50.0],
            "t_definitive_care": [nan, nan, 105.0],  # 85 min after EMS = t_ref_min.HT (pinned)
            "capable_care": [False, False, True],
            "transferred": [False, False, False],
            "status": ["dead_on_scene", "not_transported", "completed"],
        }
    )


@pytest.mark.parametrize("rate", [0.0, 0.03])
def test_daly_arithmetic_by_hand(rate: float) -> None:
    # Calibrated values pinned so the hand arithmetic does not depend on re-tuned defaults.
    spec = OutcomeSpec(
        discount_rate=rate,
        alpha_cal=0.3,
        alpha_class={"MN": -1.5, "HT": 0.0},
        hazard_per_min={"HT": 0.009},
        t_ref_min={"HT": 85.0},  # EMS on scene (20) -> definitive care (105)
        bystander_first_aid_share=0.0,
    )
    out = expected_outcomes(_three_patients(), spec).set_index("patient_id")

    def years(le: float) -> float:  # continuous discounting
        return le if rate == 0 else (1 - math.exp(-rate * le)) / rate

    # Patient 1: IMM aged 40 dies; GBD reference e(40) = 49.32.
    assert out.loc[1, "p_death"] == 1.0
    assert out.loc[1, "yll"] == pytest.approx(years(49.32))
    assert out.loc[1, "yld"] == 0.0

    # Patient 2: minor, 62.5 y, not transported: baseline TRISS risk, no prehospital hazard.
    b = -0.4499 + 0.8085 * 7.8408 - 0.0835 * 4 - 1.7430
    p_h = _expit(-b + 0.3 - 1.5)
    le = (30.25 + 25.68) / 2  # e(60) and e(65) interpolated at 62.5
    dw = 0.985 * 0.05 * 0.031 + 0.012 * 0.203 + 0.003 * 0.542  # minor: few lasting limits
    assert out.loc[2, "p_death"] == pytest.approx(p_h)
    assert out.loc[2, "yll"] == pytest.approx(p_h * years(le))
    assert out.loc[2, "yld"] == pytest.approx((1 - p_h) * dw * years(le))

    # Patient 3: torso haemorrhage, 30 y, EMS on scene at 20 min, definitive care at T_ref.
    p_pre = 1 - math.exp(-0.009 * 20)
    b = -0.4499 + 0.8085 * 6.0 - 0.0835 * 25
    p_h = _expit(-b + 0.3)
    p_death = p_pre + (1 - p_pre) * p_h
    alive = 1 - p_death
    dw = 0.55 * 0.6 * 0.031 + 0.30 * 0.203 + 0.14 * 0.542 + 0.01 * 0.542
    assert out.loc[3, "p_death"] == pytest.approx(p_death)
    assert out.loc[3, "p_sd"] == pytest.approx(alive * 0.14)
    assert out.loc[3, "yll"] == pytest.approx(p_death * years(59.20))
    assert out.loc[3, "yld"] == pytest.approx(alive * dw * years(59.20))
    for i in (1, 2, 3):
        assert out.loc[i, "daly"] == pytest.approx(out.loc[i, "yll"] + out.loc[i, "yld"])


# ------------------------------------------------------------------------ life tables


def test_life_tables() -> None:
    assert remaining_life_expectancy(np.array([0.0]), "gbd_reference")[0] == pytest.approx(88.87)
    assert remaining_life_expectancy(np.array([42.5]), "gbd_reference")[0] == pytest.approx(
        (49.32 + 44.43) / 2
    )
    assert remaining_life_expectancy(np.array([120.0]), "zhejiang")[0] == pytest.approx(3.53)
    derived = gompertz_makeham_ex(**GOMPERTZ_MAKEHAM_ZHEJIANG)
    np.testing.assert_allclose(derived, ZHEJIANG_EX_YEARS, atol=0.02)
    assert discounted_years(np.array([10.0]), 0.03)[0] == pytest.approx((1 - math.exp(-0.3)) / 0.03)
    assert discounted_years(np.array([10.0]), 0.0)[0] == 10.0


def test_zhejiang_table_lowers_yll(fixture_table: pd.DataFrame) -> None:
    gbd = expected_outcomes(fixture_table, OutcomeSpec())
    zj = expected_outcomes(fixture_table, OutcomeSpec(life_table="zhejiang"))
    assert zj["yll"].sum() < gbd["yll"].sum()
    np.testing.assert_allclose(zj["p_death"], gbd["p_death"], equal_nan=True)
