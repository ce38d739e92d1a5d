"""Preventable burden: CRN comparison, CIs, the null model, PSA and tornado data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from outcome_fixtures import make_patient_table, shift_timeline
from scipy import stats

from sim.core.errors import UserError
from sim.outcomes import (
    METRICS,
    OutcomeSpec,
    burden_averted,
    burden_by_rep,
    psa,
    psa_draws,
    tornado,
)

HORIZON_YEARS = 14 / 365.25
POPULATION = 2_000_000.0


@pytest.fixture(scope="module")
def base() -> pd.DataFrame:
    return make_patient_table(reps=4, patients_per_rep=6000, seed=21)


@pytest.fixture(scope="module")
def faster(base: pd.DataFrame) -> pd.DataFrame:
    return shift_timeline(base, call_min=1.0, response_min=3.0, hospital_min=10.0)


def _averted(base: pd.DataFrame, other: pd.DataFrame, spec: OutcomeSpec) -> pd.DataFrame:
    return burden_averted(base, other, spec, horizon_years=HORIZON_YEARS, population=POPULATION)


def test_faster_care_averts_deaths_and_dalys(base: pd.DataFrame, faster: pd.DataFrame) -> None:
    res = _averted(base, faster, OutcomeSpec())
    assert list(res.index) == list(METRICS)
    assert res.loc["deaths_averted_per_year", "ci_low"] > 0
    assert res.loc["dalys_averted_per_year", "ci_low"] > 0
    slower = _averted(base, shift_timeline(base, response_min=-5.0), OutcomeSpec())
    assert slower.loc["deaths_averted_per_year", "mean"] < 0
    same = _averted(base, base, OutcomeSpec())
    assert (same["mean"] == 0).all()


def test_ci_and_rates_by_hand(base: pd.DataFrame, faster: pd.DataFrame) -> None:
    spec = OutcomeSpec()
    per_rep = burden_by_rep(base, faster, spec, horizon_years=HORIZON_YEARS, population=POPULATION)
    assert len(per_rep) == 4
    x = per_rep["deaths_averted_per_year"].to_numpy()
    np.testing.assert_allclose(
        x, (per_rep["deaths_base"] - per_rep["deaths_other"]) / HORIZON_YEARS
    )
    np.testing.assert_allclose(
        per_rep["dalys_averted_per_100k_per_year"],
        per_rep["dalys_averted_per_year"] / POPULATION * 1e5,
    )
    res = _averted(base, faster, spec)
    half = stats.t.ppf(0.975, 3) * x.std(ddof=1) / math.sqrt(4)
    assert res.loc["deaths_averted_per_year", "mean"] == pytest.approx(x.mean())
    assert res.loc["deaths_averted_per_year", "ci_low"] == pytest.approx(x.mean() - half)
    assert res.loc["deaths_averted_per_year", "ci_high"] == pytest.approx(x.mean() + half)
    assert (per_rep["excluded"] > 0).any()  # patients in progress at the horizon are dropped


def test_disabilities_can_be_negative(base: pd.DataFrame) -> None:
    # Earlier EMS arrival saves lives, some of them with disability (death->disability shift).
    res = _averted(base, shift_timeline(base, response_min=8.0), OutcomeSpec(kappa=0.0))
    assert res.loc["deaths_averted_per_year", "mean"] > 0
    assert res.loc["severe_disabilities_averted_per_year", "mean"] < 0


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    savings=st.lists(st.floats(-30.0, 30.0), min_size=5, max_size=5),
    model=st.sampled_from(["logit_linear", "interval_specific"]),
)
def test_no_time_effects_means_nothing_averted(seed: int, savings: list[float], model: str) -> None:
    table = make_patient_table(reps=2, patients_per_rep=800, seed=seed)
    other = shift_timeline(
        table,
        call_min=savings[0],
        response_min=savings[1],
        scene_min=savings[2],
        transport_min=savings[3],
        hospital_min=savings[4],
    )
    # Also give first aid to everyone in the other scenario.
    fa = other["t_call"] + 1.0
    other["t_first_aid"] = fa.where(fa < other["t_on_scene"])
    spec = OutcomeSpec(model=model, time_effects=False)  # type: ignore[arg-type]
    res = _averted(table, other, spec)
    assert (res["mean"] == 0.0).all()
    # With time effects on, the same change does matter.
    if max(abs(s) for s in savings) > 1.0:
        on = _averted(table, other, OutcomeSpec(model=model))  # type: ignore[arg-type]
        assert (on["mean"] != 0.0).any()


def test_mismatched_tables_are_rejected(base: pd.DataFrame) -> None:
    first_trauma = base.index[base["kind"].eq("trauma")][0]
    fewer = base.drop(index=first_trauma)
    with pytest.raises(UserError, match="only one"):
        _averted(base, fewer, OutcomeSpec())
    with pytest.raises(UserError, match="horizon_years"):
        burden_averted(base, base, OutcomeSpec(), horizon_years=0, population=1)


def test_psa_shapes_and_intervals(base: pd.DataFrame, faster: pd.DataFrame) -> None:
    spec = OutcomeSpec()
    res = psa(
        base,
        faster,
        spec,
        draws=60,
        rng=np.random.default_rng(3),
        horizon_years=HORIZON_YEARS,
        population=POPULATION,
    )
    assert list(res.index) == list(METRICS)
    assert {"mean", "ci_low", "ci_high", "psa_low", "psa_high"} <= set(res.columns)
    assert (res["psa_low"] <= res["psa_high"]).all()
    for m in (
        "deaths_averted_per_year",
        "dalys_averted_per_year",
        "deaths_averted_per_100k_per_year",
        "dalys_averted_per_100k_per_year",
    ):
        assert res.loc[m, "psa_low"] <= res.loc[m, "mean"] <= res.loc[m, "psa_high"]
    again = psa(
        base,
        faster,
        spec,
        draws=60,
        rng=np.random.default_rng(3),
        horizon_years=HORIZON_YEARS,
        population=POPULATION,
    )
    pd.testing.assert_frame_equal(res, again)
    draws = psa_draws(
        base,
        faster,
        spec,
        draws=10,
        rng=np.random.default_rng(4),
        horizon_years=HORIZON_YEARS,
        population=POPULATION,
    )
    assert len(draws) == 10
    assert draws["kappa"].between(0, 1).all()
    assert "beta_minor" not in draws.columns  # tornado-only parameter
    assert set(METRICS) <= set(draws.columns)


def test_tornado_table(base: pd.DataFrame, faster: pd.DataFrame) -> None:
    spec = OutcomeSpec()
    t = tornado(base, faster, spec, horizon_years=HORIZON_YEARS, population=POPULATION)
    assert list(t.columns[:7]) == [
        "metric", "parameter", "low_value", "high_value",
        "result_at_low", "result_at_high", "base_result",
    ]  # fmt: skip
    assert set(t["metric"]) == {"dalys_averted_per_year", "deaths_averted_per_year"}
    res = _averted(base, faster, spec)
    for metric, group in t.groupby("metric"):
        assert len(group) == 10
        assert group["swing"].is_monotonic_decreasing
        assert group["base_result"].iloc[0] == pytest.approx(res.loc[metric, "mean"])
        assert (group["low_value"] <= group["high_value"]).all()
    kappa = t[(t["parameter"] == "kappa") & (t["metric"] == "dalys_averted_per_year")]
    if len(kappa):
        assert kappa["low_value"].iloc[0] == pytest.approx(0.025)
    with pytest.raises(UserError, match="metrics"):
        tornado(base, faster, spec, horizon_years=1, population=1, metrics=["nope"])
