"""The calibration refit on arrays gives the numbers of the whole model, and is reproducible.

The refit (:func:`sim.outcomes.calibration.fit_mortality`) evaluates only the two death
stages with the logit's constant terms computed once; here it is held to a reference that
evaluates the whole model through the outcomes table at every residual, as the refit did
before it was made fast (issue 11). Small fixtures only: seconds.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
import pytest
from outcome_fixtures import make_patient_table
from scipy import optimize

from sim.outcomes import OutcomeSpec, calibration_statistics, expected_outcomes
from sim.outcomes.calibration import (
    DEFAULT_TARGETS,
    MORTALITY_FIT,
    CalibrationTarget,
    calibration_data,
    statistics_of,
)
from sim.outcomes.joint import abc_draws, refit_calibrated
from sim.outcomes.models import evaluate, prepare_patients
from sim.outcomes.params import HAZARD_PRIORS, Z95, hazard_prior


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return make_patient_table(reps=2, patients_per_rep=3000, seed=11)


def reference_refit(table: pd.DataFrame, spec: OutcomeSpec) -> OutcomeSpec:
    """The refit through the outcomes table: every residual runs the whole model."""
    want = {t.metric: t.target for t in DEFAULT_TARGETS}
    p = prepare_patients(table)

    def make(x: np.ndarray) -> OutcomeSpec:
        a_cal, a_tbi, a_mn, d = (float(v) for v in x)
        alpha = dict(spec.alpha_class)
        alpha.update(
            TBS=spec.alpha_class["TBS"] + a_tbi,
            TBN=spec.alpha_class["TBN"] + a_tbi,
            MN=spec.alpha_class["MN"] + a_mn,
        )
        lam = dict(spec.hazard_per_min)
        for c, (lo, hi) in HAZARD_PRIORS.items():
            lam[c] = float(np.clip(lam[c] * np.exp(hazard_prior(c)[1] * d), lo, hi))
        return spec.model_copy(
            update={
                "alpha_cal": spec.alpha_cal + a_cal,
                "alpha_class": alpha,
                "hazard_per_min": lam,
            }
        )

    def residuals(x: np.ndarray, which: slice) -> np.ndarray:
        s = make(x)
        st = calibration_statistics(table.assign(**evaluate(p, s)), s)
        r = np.array([w * (st[k] - want[k]) for k, w in MORTALITY_FIT])
        out: np.ndarray = r[which]
        return out

    x = np.zeros(4)
    for _ in range(2):
        x[:3] = optimize.least_squares(
            lambda a: residuals(np.append(a, x[3]), slice(1, 4)), x[:3], bounds=(-4, 4)
        ).x
        x[3] = optimize.least_squares(
            lambda z: residuals(np.append(x[:3], z), slice(0, 1)), x[3:], bounds=(-2 * Z95, 2 * Z95)
        ).x[0]
    return make(x)


@pytest.mark.parametrize("model", ["logit_linear", "interval_specific"])
def test_fast_refit_equals_the_refit_through_the_whole_model(
    table: pd.DataFrame, model: Literal["logit_linear", "interval_specific"]
) -> None:
    # A draw away from the fit: steeper hazards, other intercepts, another bystander share.
    spec = OutcomeSpec(
        model=model,
        alpha_cal=0.4,
        alpha_class={"TBS": 0.3, "MN": -0.5},
        hazard_per_min={"HL": 0.006, "AW": 0.004, "HT": 0.005, "TBS": 0.001, "MS": 0.002},
        bystander_first_aid_share=0.3,
    )
    fast = refit_calibrated(table, spec)
    slow = reference_refit(table, spec)
    assert fast.alpha_cal == pytest.approx(slow.alpha_cal, abs=1e-9)
    for c in ("TBS", "TBN", "MN"):
        assert fast.alpha_class[c] == pytest.approx(slow.alpha_class[c], abs=1e-9)
    for c in HAZARD_PRIORS:
        assert fast.hazard_per_min[c] == pytest.approx(slow.hazard_per_min[c], rel=1e-9)
    # The refit moved something (otherwise the comparison proves nothing).
    assert abs(fast.alpha_cal - spec.alpha_cal) > 1e-3


def test_statistics_on_arrays_equal_those_of_the_table(table: pd.DataFrame) -> None:
    spec = OutcomeSpec()
    outcomes = expected_outcomes(table, spec)
    from_table = calibration_statistics(outcomes, spec)
    data = calibration_data(table)
    from_arrays = statistics_of(data, evaluate(data.patients, spec), spec)
    assert from_arrays.keys() == from_table.keys()
    for k, v in from_table.items():
        assert from_arrays[k] == pytest.approx(v, rel=1e-12, abs=1e-15), k


def test_same_seed_same_draws_and_another_seed_others(table: pd.DataFrame) -> None:
    spec = OutcomeSpec()
    targets = tuple(  # wide targets: this fixture is not the calibrated baseline
        CalibrationTarget(t.metric, t.target, 1.0, t.parameters_tuned, t.source, t.kind)
        for t in DEFAULT_TARGETS
    )

    def draws(seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        return abc_draws(table, spec, draws=3, rng=rng, reps=[0, 1], targets=targets)

    first, again, other = draws(7), draws(7), draws(8)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["alpha_cal"], other["alpha_cal"])
    assert list(first["rep"]) == [0, 1, 0]
