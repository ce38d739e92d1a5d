"""Rosters (issue 13, item 4): off-duty units are never dispatched, and a unit whose duty
ends on a job finishes it (the job's chain completes after the duty end)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import COUNTY_BASELINE

from sim.config.scenario import load_scenario
from sim.core.errors import UserError
from sim.runs.study import run_scenario_tables

# S1 (3 units): 1 at night, 3 by day with one on a meal break 12-13, 2 in the evening.
S1_HOURS = [1] * 8 + [3] * 12 + [2] * 4
S1_MEAL = (12.0, 13.0)
# S2 (1 unit): off 00-06.
S2_HOURS = [0] * 6 + [1] * 18


def _rosters() -> str:
    return (
        f"fleet.rosters=[{{station='S1', units_by_hour={S1_HOURS}, meal_breaks=[{list(S1_MEAL)}]}},"
        f" {{station='S2', units_by_hour={S2_HOURS}}}]"
    )


def _n_on(station: str, t_min: float) -> int:
    minute = t_min % 1440.0
    h = int(minute // 60)
    if station == "S1":
        return S1_HOURS[h] - int(S1_MEAL[0] * 60 <= minute < S1_MEAL[1] * 60)
    if station == "S2":
        return S2_HOURS[h]
    return 99


@pytest.fixture(scope="module")
def run() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    busy = ["run.horizon_days=7", "demand.non_trauma_incidents_per_day=25", _rosters()]
    r = run_scenario_tables(load_scenario(COUNTY_BASELINE, busy), replications=2)
    return r.incidents, r.events, r.units


def _rank(units: pd.DataFrame) -> dict[int, tuple[str, int]]:
    first = units.drop_duplicates("unit").sort_values("unit")
    out: dict[int, tuple[str, int]] = {}
    for st, g in first.groupby("station_id"):
        for rank, u in enumerate(sorted(g["unit"])):
            out[int(u)] = (str(st), rank)
    return out


def test_never_dispatched_off_duty(run: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]) -> None:
    _, events, units = run
    rank = _rank(units)
    disp = events[events["kind"].astype(str) == "AMBULANCE_DISPATCHED"]
    seen: dict[str, set[int]] = {"S1": set(), "S2": set()}
    for t, u in zip(disp["t"], disp["unit"], strict=True):
        st, r = rank[int(u)]
        assert r < _n_on(st, float(t)), f"unit {u} ({st} rank {r}) dispatched off duty at {t}"
        if st in seen:
            seen[st].add(int(t % 1440 // 60))
    # Not vacuous: S1 worked at night and by day, S2 never in 00-06.
    assert seen["S1"] & set(range(8))
    assert seen["S1"] & set(range(8, 20))
    assert not seen["S2"] & set(range(6))


def test_duty_end_waits_for_the_job(
    run: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame],
) -> None:
    inc, _, units = run
    rank = _rank(units)
    spanning = 0
    for rec in inc.dropna(subset=["t_dispatch"]).to_dict("records"):
        r: dict[str, Any] = {str(k): v for k, v in rec.items()}
        if int(r["unit"]) < 0 or r["station_id"] not in ("S1", "S2"):
            continue
        st, k = rank[int(r["unit"])]
        # Duty ends in the first minute after dispatch when the unit is off.
        t0 = float(r["t_dispatch"])
        end = next((m for m in np.arange(np.ceil(t0), t0 + 240.0) if k >= _n_on(st, m)), None)
        if end is None or not r["transport_needed"]:
            continue
        if float(r["t_left_scene"]) > end:  # still on the job at its duty end
            spanning += 1
            assert np.isfinite(r["t_at_hospital"]), "the job was dropped at the duty end"
            assert np.isfinite(r["t_handed_over"])
    assert spanning > 0, "no job spanned a duty end: the test needs one"


def test_bad_roster_station() -> None:
    sc = load_scenario(
        COUNTY_BASELINE,
        [
            "run.horizon_days=2",
            "fleet.rosters=[{station='NOPE', units_by_hour=" + str([1] * 24) + "}]",
        ],
    )
    with pytest.raises(UserError, match=r"fleet.rosters\[0\].station: 'NOPE' is not a station"):
        run_scenario_tables(sc, replications=1)


def test_changeover_delays_duty_start() -> None:
    hours = [0] * 8 + [1] * 16  # S2 on from 08:00, 20 min changeover
    ov = [
        "run.horizon_days=4",
        "demand.non_trauma_incidents_per_day=40",
        f"fleet.rosters=[{{station='S2', units_by_hour={hours}, changeover_min=20}}]",
    ]
    r = run_scenario_tables(load_scenario(COUNTY_BASELINE, ov), replications=1)
    rank = _rank(r.units)
    s2 = [u for u, (st, _) in rank.items() if st == "S2"]
    disp = r.events[(r.events["kind"].astype(str) == "AMBULANCE_DISPATCHED")]
    disp = disp[disp["unit"].isin(s2)]
    minute = disp["t"].to_numpy(float) % 1440.0
    assert len(minute) > 0
    assert not ((minute < 8 * 60 + 20) & (minute >= 0)).any()


def test_random_downtime_never_dispatched_while_out_of_service() -> None:
    ov = [
        "run.horizon_days=5",
        "demand.non_trauma_incidents_per_day=30",
        "fleet.downtime_per_unit_day=2.0",
        "fleet.downtime_mean_min=180",
    ]
    r = run_scenario_tables(load_scenario(COUNTY_BASELINE, ov), replications=1)
    ev = r.events
    kind = ev["kind"].astype(str)
    down = ev[kind == "UNIT_OUT_OF_SERVICE"]
    assert len(down) > 10
    disp = ev[kind == "AMBULANCE_DISPATCHED"]
    for u, g in down.groupby("unit"):
        t = disp.loc[disp["unit"] == u, "t"].to_numpy(float)
        for t0, dur in zip(g["t"].to_numpy(float), g["value"].to_numpy(float), strict=True):
            assert not ((t >= t0) & (t < t0 + dur)).any(), f"unit {u} dispatched while down"
    # All calls still served (the job in hand is finished, others wait or go elsewhere).
    assert r.incidents["t_dispatch"].notna().mean() > 0.95


def test_downtime_needs_its_mean() -> None:
    with pytest.raises(UserError, match="downtime_mean_min"):
        load_scenario(COUNTY_BASELINE, ["fleet.downtime_per_unit_day=1"])
