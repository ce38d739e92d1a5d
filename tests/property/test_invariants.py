"""Invariants that hold for any small scenario (hypothesis): ordered timelines, no unit
serving two patients at once, and no patient lost.

Each example draws a fleet size, seats, demand, policies, mechanisms and a short horizon,
runs one replication, and checks the tables and the event log. To prove that a patient
still ``in_progress`` was only cut off by the horizon, the same replication (same demand) is
run on for many more days without new arrivals: every patient must then reach a final
status, and both runs must have recorded the same events before the horizon.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from helpers import ALL_STATUSES, FINAL_STATUSES, make_scenario, patient_table, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.scenario import Scenario
from sim.core.entities import STATUS_AFTER_EVENT, EventKind, UnitStatus
from sim.core.events import EventLog
from sim.core.rng import RandomStreams
from sim.metrics.compute import busy_unit_minutes, unit_status_table
from sim.model.system import build_system
from sim.runs.replications import RunResult, draw_demand
from sim.runs.world import World, fleet_allocation

E = EventKind
S = UnitStatus
EPS = 1e-9
RUN_ON_DAYS = 40.0

#: The patient's timeline, in the order it must happen (where present).
CHAIN = [
    "t_injury",
    "t_call",
    "t_call_answered",
    "t_dispatch_requested",
    "t_dispatch",
    "t_wheels_rolling",
    "t_on_scene",
    "t_left_scene",
    "t_at_hospital",
    "t_handover_start",
    "t_handed_over",
]
#: Stamps up to the scene happen in sequence: a later one implies every earlier one.
PREFIX_CLOSED = CHAIN[:7]

#: Allowed unit status transitions (the unit starts idle at its station).
TRANSITIONS = {
    S.IDLE_AT_STATION: {S.DISPATCHED},
    S.DISPATCHED: {S.EN_ROUTE_TO_SCENE},
    S.EN_ROUTE_TO_SCENE: {S.ON_SCENE},
    S.ON_SCENE: {S.TRANSPORTING, S.RETURNING},
    S.TRANSPORTING: {S.AT_HOSPITAL},
    S.AT_HOSPITAL: {S.RETURNING},
    S.RETURNING: {S.IDLE_AT_STATION, S.DISPATCHED},
}
UNIT_JOB_EVENTS = {
    E.WHEELS_ROLLING,
    E.AMBULANCE_ON_SCENE,
    E.SCENE_DEPARTED,
    E.HOSPITAL_ARRIVED,
    E.HANDOVER_STARTED,
}
FREE_EVENTS = {E.PATIENT_HANDED_OVER, E.PATIENT_NOT_TRANSPORTED}

MECHANISM_ON: dict[str, dict[str, Any]] = {
    "internet_plus_120": {"enabled": True},
    "police_linkage": {"enabled": True},
    "expert_consultation": {"enabled": True, "on_call_hours": [[8, 20]], "experts": 1},
    "prenotification": {"enabled": True},
}


@st.composite
def small_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments for :func:`helpers.make_scenario`."""
    rate = st.floats(min_value=0.0, max_value=12.0, allow_nan=False)
    mechanisms = draw(st.sets(st.sampled_from(sorted(MECHANISM_ON))))
    return {
        "ambulances": draw(st.integers(1, 6)),
        "seats": draw(st.integers(1, 3)),
        "horizon_days": draw(st.sampled_from([1.0, 1.5, 2.0, 3.0])),
        "seed": draw(st.integers(0, 2**31)),
        "rtc": draw(rate),
        "fall": draw(rate),
        "other": draw(st.floats(0.0, 4.0)),
        "non_trauma": draw(st.floats(0.0, 20.0)),
        "extra": {
            "fleet": {
                "dispatch_policy": draw(st.sampled_from(["nearest_available", "station_first_due"]))
            },
            "destination": {"policy": draw(st.sampled_from(["tiered", "nearest"]))},
            "mechanisms": {m: MECHANISM_ON[m] for m in mechanisms},
        },
    }


def run_on(scenario: Scenario, world: World, result: RunResult, minutes: float) -> RunResult:
    """The same replication (same demand) simulated until ``minutes``."""
    streams = RandomStreams(scenario.run.seed, result.replication)
    demand = draw_demand(scenario, world, streams)
    for table in ("incidents", "patients"):
        for col, values in getattr(result.demand, table).items():
            np.testing.assert_array_equal(getattr(demand, table)[col], values)
    log = EventLog()
    build_system(scenario, world, demand, log).run(minutes)
    return RunResult(result.replication, demand, log.to_arrays(), (), 0.0)


def check_timelines(df: pd.DataFrame) -> None:
    stamps = df[CHAIN].to_numpy()
    for row, pid in zip(stamps, df["patient_id"], strict=True):
        present = row[~np.isnan(row)]
        assert np.all(np.diff(present) >= -EPS), f"patient {pid}: timeline out of order {row}"
    for earlier, later in itertools.pairwise(PREFIX_CLOSED):
        missing = df[later].notna() & df[earlier].isna()
        assert not missing.any(), f"{later} without {earlier}"
    defin = df[df["t_definitive_care"].notna()]
    assert (defin["t_definitive_care"] >= defin["t_at_hospital"] - EPS).all()
    nt = df[df["t_not_transported"].notna()]
    assert (nt["t_not_transported"] >= nt["t_on_scene"] - EPS).all()
    assert nt["t_left_scene"].isna().all()
    assert nt["t_at_hospital"].isna().all()
    for later, earlier in (
        ("t_at_hospital", "t_left_scene"),
        ("t_handover_start", "t_at_hospital"),
        ("t_handed_over", "t_handover_start"),
    ):
        assert not (df[later].notna() & df[earlier].isna()).any(), f"{later} without {earlier}"


def check_units(events: dict[str, np.ndarray], n_units: int) -> None:
    """Replay the (time-sorted) log per unit: one patient at a time, legal status changes."""
    serving: dict[int, int] = {}
    status = dict.fromkeys(range(n_units), S.IDLE_AT_STATION)
    for t, k, p, u in zip(
        events["t"], events["kind"], events["patient"], events["unit"], strict=True
    ):
        kind, unit, patient = E(int(k)), int(u), int(p)
        if unit < 0:
            continue
        if kind == E.AMBULANCE_DISPATCHED:
            assert unit not in serving, (
                f"t={t}: unit {unit} dispatched while serving "
                f"patient {serving.get(unit)} (to patient {patient})"
            )
            serving[unit] = patient
        elif kind in UNIT_JOB_EVENTS:
            assert serving.get(unit) == patient, (
                f"t={t}: {kind.name} of unit {unit} for "
                f"patient {patient}, serving {serving.get(unit)}"
            )
        elif kind in FREE_EVENTS:
            assert serving.pop(unit, None) == patient, f"t={t}: unit {unit} freed from {patient}"
        if kind in STATUS_AFTER_EVENT:
            new = STATUS_AFTER_EVENT[kind]
            assert new in TRANSITIONS[status[unit]], (
                f"t={t}: unit {unit} {status[unit].name} -> {new.name}"
            )
            status[unit] = new


def check_patients(df: pd.DataFrame, n_patients: int) -> None:
    """Every generated patient appears exactly once with a consistent status."""
    assert len(df) == n_patients
    np.testing.assert_array_equal(df["patient_id"].to_numpy(), np.arange(n_patients))
    assert set(df["status"]) <= ALL_STATUSES
    st_ = df["status"]
    assert (df.loc[st_ == "dead_on_scene", "injury_class"] == "IMM").all()
    assert df.loc[st_.isin(["dead_on_scene", "not_transported"]), "t_on_scene"].notna().all()
    done = df[st_ == "completed"]
    trauma = done["kind"] == "trauma"
    assert done.loc[trauma, "t_definitive_care"].notna().all()
    assert done.loc[~trauma, "t_handed_over"].notna().all()
    assert df.loc[~df["transport_needed"], "t_at_hospital"].isna().all()


# Examples are random on every run (not derandomised): the count comes from the hypothesis
# profile (tests/conftest.py; HYPOTHESIS_PROFILE=thorough for a long search).
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=small_scenarios())
def test_invariants(params: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scenario = make_scenario(Path(tmp), name="prop", replications=1, **params)
        world, (result,) = run(scenario)
    horizon = scenario.run.horizon_days * 1440.0
    n_units = len(fleet_allocation(world.facilities, scenario.fleet.ambulances))
    assert n_units == params["ambulances"]
    df = patient_table(scenario, world, result)

    check_timelines(df)
    check_units(result.events, n_units)
    check_patients(df, result.demand.n_patients)
    units = unit_status_table(0, result.events, ["s"] * n_units)
    busy = busy_unit_minutes(units, 0.0, horizon) / (n_units * horizon)
    assert 0.0 <= busy <= 1.0 + EPS

    # Run the same replication on without new arrivals: nobody may stay stuck.
    longer = run_on(scenario, world, result, horizon + RUN_ON_DAYS * 1440.0)
    # Up to the horizon both runs recorded the same (records may be stamped with a known
    # future time, so only the part before the horizon is comparable).
    before, before_long = result.events["t"] < horizon, longer.events["t"] < horizon
    for col, values in result.events.items():
        np.testing.assert_array_equal(longer.events[col][before_long], values[before], col)
    df_long = patient_table(scenario, world, longer)
    stuck = df_long[~df_long["status"].isin(FINAL_STATUSES)]
    assert stuck.empty, f"never finished: {stuck[['patient_id', *CHAIN]].to_dict('records')}"
    check_timelines(df_long)
    check_units(longer.events, n_units)
    # A patient in progress at the horizon finished only after it (the horizon cut it).
    cut = df["status"] == "in_progress"
    finished = df_long[["t_definitive_care", "t_handed_over", "t_not_transported"]].max(axis=1)
    assert (finished[cut] >= horizon - EPS).all()
    assert (df.loc[~cut, "status"] == df_long.loc[~cut, "status"]).all()


def test_status_of_a_patient_still_on_scene_at_the_horizon(tmp_path: Path) -> None:
    """A crew still on scene when the run ends: the patient is in progress, not finished."""
    scenario = make_scenario(
        tmp_path,
        name="cut",
        horizon_days=1.0,
        replications=1,
        seed=3,
        rtc=0.0,
        fall=0.0,
        other=0.0,
        non_trauma=10.0,
        extra={"fleet": {"not_transported_share_non_trauma": 1.0}},
    )
    world, (result,) = run(scenario)
    ev = result.events
    done = np.flatnonzero(ev["kind"] == int(E.PATIENT_NOT_TRANSPORTED))
    assert done.size > 0
    p = int(ev["patient"][done[0]])
    on_scene = ev["t"][(ev["kind"] == int(E.AMBULANCE_ON_SCENE)) & (ev["patient"] == p)][0]
    t_cut = (on_scene + ev["t"][done[0]]) / 2  # the run "ends" while the crew is on scene
    keep = ev["t"] < t_cut
    cut = RunResult(0, result.demand, {k: v[keep] for k, v in ev.items()}, (), 0.0)
    row = patient_table(scenario, world, cut).set_index("patient_id").loc[p]
    assert np.isnan(row["t_not_transported"])
    assert row["status"] == "in_progress"
