"""Calibration statistics and the default parameters against published targets."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from outcome_fixtures import make_patient_table

from sim.core.errors import UserError
from sim.outcomes import (
    DEFAULT_TARGETS,
    OutcomeSpec,
    calibration_statistics,
    calibration_table,
    default_uncertain_parameters,
    expected_outcomes,
    fit_calibration,
    hazards_outside_priors,
    with_reference_times,
)
from sim.outcomes.params import HAZARD_PRIORS, hazard_prior


@pytest.fixture(scope="module")
def outcomes() -> pd.DataFrame:
    return expected_outcomes(make_patient_table(reps=4, patients_per_rep=20000), OutcomeSpec())


def test_calibration_fits_the_fixture_within_priors(outcomes: pd.DataFrame) -> None:
    # The defaults are calibrated on the shipped Hangzhou baseline (see
    # test_calibration_baseline.py); on this national-like fixture (slower responses) the same
    # procedure meets every fit target except the MPS/NHC death split, which the evidence
    # priors cannot reach (docs/validation.md), and keeps every hazard inside its prior.
    fixture = make_patient_table(reps=4, patients_per_rep=20000)
    spec = fit_calibration(fixture, with_reference_times(OutcomeSpec(), fixture))
    assert hazards_outside_priors(spec) == {}
    table = calibration_table(expected_outcomes(fixture, spec), spec)
    assert list(table.columns) == [
        "target", "kind", "published", "low", "high", "simulated", "ok", "parameters_tuned",
        "source",
    ]  # fmt: skip
    assert len(table) == len(DEFAULT_TARGETS)
    fit = table[table["kind"] == "fit"].set_index("target")
    known_miss = {"rtc_death_share_before_rescuers"}  # priors bind (docs/validation.md)
    failing = fit.loc[~fit["ok"] & ~fit.index.isin(known_miss)]
    assert failing.empty, failing.to_string()


def test_targets_split_into_fit_and_holdout() -> None:
    kinds = {t.metric: t.kind for t in DEFAULT_TARGETS}
    assert sum(k == "holdout" for k in kinds.values()) >= 4
    assert len(kinds) == len(DEFAULT_TARGETS)  # one row per metric
    # Nothing held out names a tuned parameter.
    for t in DEFAULT_TARGETS:
        if t.kind == "holdout":
            assert t.parameters_tuned.startswith("none"), t.metric


def test_fitted_hazard_slopes_stay_within_priors() -> None:
    # Push the fit towards a steeper hazard (a fixture with many early road deaths wanted):
    # the slopes may reach the prior bounds but never leave them.
    fixture = make_patient_table(reps=1, patients_per_rep=20000, seed=3)
    steep = OutcomeSpec(hazard_per_min={"HL": 0.02, "AW": 0.02, "HT": 0.015})
    assert set(hazards_outside_priors(steep)) == {"HL", "AW", "HT"}
    fitted = fit_calibration(fixture, steep)
    assert hazards_outside_priors(fitted) == {}
    for c, (lo, hi) in HAZARD_PRIORS.items():
        assert lo <= fitted.hazard_per_min[c] <= hi
    # The shipped defaults are inside their priors too.
    assert hazards_outside_priors(OutcomeSpec()) == {}


def test_road_death_split_adds_up(outcomes: pd.DataFrame) -> None:
    s = calibration_statistics(outcomes, OutcomeSpec())
    total = (
        s["rtc_death_share_on_spot"]
        + s["rtc_death_share_before_rescuers"]
        + s["rtc_death_share_despite_treatment"]
    )
    assert total == pytest.approx(1.0)
    assert s["rtc_deaths"] > 0
    # Deaths by time since injury: IMM all within 10 min, prehospital deaths split by time.
    assert s["rtc_death_share_on_spot"] <= s["rtc_death_share_within_10min"]
    early = s["rtc_death_share_within_10min"] + s["rtc_death_share_10_to_60min"]
    assert early <= s["rtc_death_share_on_spot"] + s["rtc_death_share_before_rescuers"] + 1e-9


def test_targets_react_to_parameters(outcomes: pd.DataFrame) -> None:
    fixture = make_patient_table(reps=1, patients_per_rep=20000)
    worse = OutcomeSpec(alpha_cal=1.5)
    s = calibration_statistics(expected_outcomes(fixture, worse), worse)
    base = calibration_statistics(outcomes, OutcomeSpec())
    assert s["iss16_hospital_mortality"] > base["iss16_hospital_mortality"] + 0.05
    assert not calibration_table(expected_outcomes(fixture, worse), worse)["ok"].all()


def test_missing_outcome_columns() -> None:
    raw = make_patient_table(reps=1, patients_per_rep=200)
    with pytest.raises(UserError, match="expected_outcomes"):
        calibration_statistics(raw, OutcomeSpec())


def test_fit_calibration_recovers_targets() -> None:
    fixture = make_patient_table(reps=2, patients_per_rep=20000, seed=5)
    off = OutcomeSpec(alpha_cal=1.0, alpha_class={"MN": 0.0}, hazard_per_min={"HL": 0.02})
    fitted = fit_calibration(fixture, off)
    table = calibration_table(expected_outcomes(fixture, fitted), fitted).set_index("target")
    # The before-rescuers share cannot be reached inside the priors, so least squares trades
    # a little of the despite-treatment share against it: within tolerance, not exact.
    assert table.loc["rtc_death_share_despite_treatment", "ok"]
    assert table.loc["severe_tbi_hospital_mortality", "simulated"] == pytest.approx(0.20, abs=0.005)
    assert table.loc["iss15_hospital_mortality", "simulated"] == pytest.approx(0.004, abs=3e-4)
    # Only the calibrated parameters move; the hazards sit on one common z of their priors.
    assert fitted.beta_per_min == off.beta_per_min
    zs = set()
    for c in HAZARD_PRIORS:
        median, sigma = hazard_prior(c)
        zs.add(round(math.log(fitted.hazard_per_min[c] / median) / sigma, 2))
    assert len(zs) == 1


def test_psa_hazard_draws_stay_within_priors() -> None:
    params = {p.name: p for p in default_uncertain_parameters(OutcomeSpec())}
    q = np.linspace(0.0, 1.0, 101)
    for c, (lo, hi) in HAZARD_PRIORS.items():
        draws = params[f"hazard_{c}"].ppf(q)
        assert draws.min() >= lo
        assert draws.max() <= hi
    share = params["bystander_first_aid_share"].ppf(q)
    assert 0.43 <= share.min() < share.max() <= 0.57


def test_system_targets_need_their_statistics_and_use_published_ranges() -> None:
    from sim.outcomes.calibration import SYSTEM_TARGETS

    fixture = make_patient_table(reps=1, patients_per_rep=4000, seed=5)
    spec = OutcomeSpec()
    out = expected_outcomes(fixture, spec)
    targets = (*DEFAULT_TARGETS, *SYSTEM_TARGETS)
    with pytest.raises(UserError, match="no statistic"):
        calibration_table(out, spec, targets)
    extra = {"rtc_deaths_per_100k_per_year": 11.0, "acn_rtc_death_reduction": 0.07}
    table = calibration_table(out, spec, targets, extra_statistics=extra).set_index("target")
    assert (table["kind"] == "holdout").sum() >= 7
    acn = table.loc["acn_rtc_death_reduction"]
    # Clark & Cushing's 1.5-6 % is the accepted range; 7 % lies outside it.
    assert (acn["low"], acn["high"], acn["published"]) == (0.015, 0.06, 0.036)
    assert not acn["ok"]
    assert table.loc["rtc_deaths_per_100k_per_year", "ok"]
    # The surgical-TBI mortality is computed from its own class only.
    tbs = out["injury_class"].eq("TBS") & out["p_death"].notna()
    hosp = out.loc[tbs, "p_death_hospital"].sum()
    alive = (1 - out.loc[tbs, "p_death_prehospital"]).sum()
    assert table.loc["tbs_hospital_mortality", "simulated"] == pytest.approx(hosp / alive)
