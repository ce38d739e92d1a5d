"""Realistic 120 load (issue 11, item 1): every call holds a seat, and the shipped load.

Calls that dispatch nothing (advice, duplicates, hang-ups, transfers) queue for the same
call-taker seats as dispatch calls, so their handling times delay the dispatch calls' answers;
the shipped Hangzhou baseline keeps its ambulances 25-50 % committed; the December 2022 peak
variant makes dispatches wait for an ambulance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import REPO_ROOT, make_scenario, patient_table, run

import sim
from sim.core.entities import NON_DISPATCH_KINDS, EventKind
from sim.runs.study import run_scenario_tables

SCENARIOS = REPO_ROOT / "scenarios"


def _answer_min(folder: Path, extra: dict[str, object]) -> tuple[np.ndarray, np.ndarray]:
    """Dispatch calls' placed->answered minutes and the run's event kinds (1 seat, 1 day)."""
    s = make_scenario(folder, seats=1, horizon_days=1.0, replications=1, extra={"demand": extra})
    world, results = run(s)
    df = patient_table(s, world, results[0]).drop_duplicates("incident_id")
    return df["call_to_answer_min"].to_numpy(float), results[0].events["kind"]


def test_non_dispatch_calls_hold_seats_and_delay_answers(tmp_path: Path) -> None:
    # 3 advice calls per dispatch call, each holding the one seat for 30 min: with ~10
    # dispatch calls a day the seat is busy ~60 % of the time, so most dispatch calls wait.
    busy = {
        "non_dispatch_calls": {
            "advice_per_dispatch_call": 3.0,
            "advice_min": {"dist": "fixed", "value": 30.0},
        }
    }
    quiet, quiet_kinds = _answer_min(tmp_path / "quiet", {})
    loaded, kinds = _answer_min(tmp_path / "busy", busy)
    assert not np.isin(quiet_kinds, [EventKind.NON_DISPATCH_CALL_ANSWERED]).any()
    n_nd = int((kinds == EventKind.NON_DISPATCH_CALL_ANSWERED).sum())
    assert n_nd > 20
    assert int((kinds == EventKind.NON_DISPATCH_CALL_ENDED).sum()) >= n_nd - 1
    # Same incidents and pick-up draws (common random numbers): only the seat queue differs.
    assert quiet.shape == loaded.shape
    assert not np.isnan(quiet).any()
    # NaN: still waiting for the seat at the horizon, a longer wait than any answer.
    assert (np.isnan(loaded) | (loaded >= quiet - 1e-9)).all()
    assert np.nanmean(loaded) > quiet.mean() + 0.2
    assert (loaded > 10 / 60).mean() > (quiet > 10 / 60).mean()


def test_non_dispatch_draws_follow_the_rates(tmp_path: Path) -> None:
    rates = {"advice": 2.0, "duplicate": 0.5, "hang_up": 1.0, "transfer": 0.25}
    extra = {"non_dispatch_calls": {f"{k}_per_dispatch_call": v for k, v in rates.items()}}
    s = make_scenario(
        tmp_path,
        horizon_days=20.0,
        replications=1,
        rtc=4.0,
        non_trauma=16.0,
        extra={"demand": extra},
    )
    _, results = run(s)
    dem = results[0].demand
    n_inc = dem.n_incidents
    kind = dem.calls["kind"]
    assert np.all(np.diff(dem.calls["t_placed"]) >= 0)
    for k, name in enumerate(NON_DISPATCH_KINDS):
        expected = rates[name] * n_inc
        # Poisson counts: within 4 standard deviations of the rate x dispatch calls.
        assert abs((kind == k).sum() - expected) < 4 * np.sqrt(expected), name
    # Duplicates come after their incident's own call, never before the first incident.
    assert dem.calls["t_placed"][kind == 1].min() >= dem.incidents["t_injury"].min()


@pytest.mark.slow
def test_hangzhou_baseline_utilisation_within_25_to_50_percent(
    shared_data_dir: Path, cache_dir: Path
) -> None:
    s = sim.load_scenario(SCENARIOS / "hangzhou_baseline.toml", ["run.horizon_days=4"])
    k = run_scenario_tables(s, replications=1, data_dir=shared_data_dir).kpis.set_index("metric")
    util = float(k.loc["ambulance_utilisation", "mean"])
    assert 0.25 <= util <= 0.50, util
    # Non-dispatch calls reach the seats: ~3.3 calls per dispatch call in all.
    ratio = float(k.loc["all_calls_per_day", "mean"] / k.loc["calls_per_day", "mean"])
    assert 3.0 <= ratio <= 3.7, ratio


@pytest.mark.slow
def test_hangzhou_peak_makes_dispatches_wait(shared_data_dir: Path, cache_dir: Path) -> None:
    s = sim.load_scenario(SCENARIOS / "hangzhou_peak.toml", ["run.horizon_days=2"])
    k = run_scenario_tables(s, replications=1, data_dir=shared_data_dir).kpis.set_index("metric")
    assert float(k.loc["dispatch_queue_min_mean", "mean"]) > 1.0
    assert float(k.loc["call_wait_share", "mean"]) > 0.05
    assert float(k.loc["all_calls_answer_within_10s_share", "mean"]) < 0.9
