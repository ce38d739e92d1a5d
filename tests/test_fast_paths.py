"""Fast paths of the hot loop give exactly what the plain versions give.

* The dispatcher builds only the candidates that can win (``Fleet._candidates``) and does not
  search to the end for returning units that cannot win; on every dispatch of busy runs (day
  shifts, returning units, live positions or not, both policies) it must choose the same
  unit, with the same estimate, as the policy over every free unit with exact times.
* Merged timed steps (``sim.model.clock.after_steps``) land on the very float a chain of
  SimPy timeouts reaches, also early in a run where ``now + (t - now) != t``; ``at_time``
  lands on the time it is given.
* The packed event log keeps every field, grows, and sorts stably by time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import simpy
from helpers import COUNTY_STATIONS, make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.entities import EventKind
from sim.core.events import EventLog
from sim.core.rng import RandomStreams
from sim.model.clock import after_steps, at_time, delay_to
from sim.model.system import build_system
from sim.runs.replications import draw_demand
from sim.runs.world import build_world

#: Every other station staffed by day only, plus a second station at S2's site (equal drive
#: minutes: candidates tie and the unit index decides).
STATIONS = [dict(s, shift="day") if i % 2 else dict(s) for i, s in enumerate(COUNTY_STATIONS)] + [
    dict(COUNTY_STATIONS[1], id="S2b", als=1, bls=0, shift="24h")
]


@pytest.mark.parametrize("live", [True, False])
@pytest.mark.parametrize("policy", ["nearest_available", "station_first_due"])
def test_pruned_candidates_choose_like_all_candidates(
    tmp_path: Path, policy: str, live: bool
) -> None:
    scenario = make_scenario(
        tmp_path,
        stations=STATIONS,
        ambulances=7,
        horizon_days=4.0,
        rtc=10.0,
        fall=6.0,
        non_trauma=30.0,
        seed=11,
        extra={
            "fleet": {"dispatch_policy": policy},
            "mechanisms": {
                "internet_plus_120": {"enabled": True, "live_unit_positions": live},
            },
        },
    )
    world = build_world(scenario)
    demand = draw_demand(scenario, world, RandomStreams(scenario.run.seed, 0))
    system = build_system(scenario, world, demand, EventLog())
    fleet, state = system.fleet, system.state
    station_fac = list(world.station_fac)
    request_unit = fleet.request_unit
    checked = {"dispatches": 0, "returning": 0, "several": 0, "ties": 0}

    def compare_then_request(p: int) -> None:
        i = state.pat["incident"][p]
        node, prio = state.inc["node"][i], state.pat["triage_priority"][p]
        hour = fleet._hour()
        period = fleet._period_of_hour[hour]
        first_due = int(np.argmin(world.tables.from_fac[period, station_fac, node]))
        nearest = fleet._nearest_stations(node, hour)
        assert nearest[0] == first_due
        fast = fleet._candidates(node, prio, hour, nearest)
        # Every free unit with its exact time, as a policy outside NEAREST_CANDIDATES_SUFFICE
        # sees them (no pruning, no search stopped early).
        fleet._nearest_suffice = False
        full = fleet._all_candidates(node, prio, hour)
        fleet._nearest_suffice = True
        choice = fleet.dispatch_policy(full, first_due)
        assert fleet.dispatch_policy(fast, first_due) == choice
        if choice is not None and not choice.at_station and live:
            # The winner's time is its exact drive (reused by the assignment).
            unit = fleet.units[choice.unit]
            assert choice.eta_min == fleet._drive_min(unit, node, prio, hour)
        # Pruned lists hold a subset of the units; a unit's time may differ only where it
        # cannot win (above the winner's).
        exact = {c.unit: c for c in full}
        for c in fast:
            assert c.unit in exact
            same = c.eta_min == exact[c.unit].eta_min
            assert same or (
                choice is not None and min(c.eta_min, exact[c.unit].eta_min) > choice.eta_min
            )
        checked["dispatches"] += 1
        checked["returning"] += any(not c.at_station for c in full)
        checked["several"] += len(full) > 1
        etas = [c.eta_min for c in full]
        checked["ties"] += len(set(etas)) < len(etas)
        request_unit(p)

    fleet.request_unit = compare_then_request  # type: ignore[method-assign]
    system.run(scenario.run.horizon_days * 1440.0)
    # The runs exercise what the pruning must get right.
    assert checked["dispatches"] > 100
    assert checked["returning"] > 10
    assert checked["several"] > 50
    assert checked["ties"] > 5


def test_station_order_and_hospital_rows_follow_the_tables(tmp_path: Path) -> None:
    world = build_world(make_scenario(tmp_path, stations=STATIONS))
    tables, stations = world.tables, list(world.station_fac)
    order = tables.nearest_order(stations)
    assert tables.nearest_order(stations) is order  # computed once
    minutes = tables.from_fac[:, stations, :].transpose(0, 2, 1)  # (periods, nodes, stations)
    sorted_min = np.take_along_axis(minutes, order.astype(np.intp), axis=2)
    assert np.all(np.diff(sorted_min, axis=2) >= 0)
    assert np.array_equal(order[:, :, 0], np.argmin(minutes, axis=2))
    rows = tables.to_facilities_rows(world.hospital_fac)
    assert np.array_equal(rows, tables.to_fac[:, list(world.hospital_fac), :].transpose(0, 2, 1))


def _chain_time(now: float, delays: tuple[float, ...]) -> float:
    """Where consecutive SimPy timeouts of ``delays`` from ``now`` land."""
    env = simpy.Environment(initial_time=now)

    def chain() -> simpy.events.ProcessGenerator:
        for d in delays:
            yield env.timeout(d)

    env.process(chain())
    env.run()
    return float(env.now)


def _merged_time(now: float, delays: tuple[float, ...]) -> float:
    env = simpy.Environment(initial_time=now)
    landed: list[float] = []
    after_steps(env, delays, lambda: landed.append(env.now))
    env.run()
    assert len(landed) == 1
    return landed[0]


minutes = st.floats(min_value=0.0, max_value=2000.0, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(now=minutes, delays=st.lists(minutes, min_size=1, max_size=4).map(tuple))
def test_merged_steps_land_where_a_chain_of_timeouts_lands(
    now: float, delays: tuple[float, ...]
) -> None:
    assert _merged_time(now, delays) == _chain_time(now, delays)


def test_merged_steps_fall_back_where_no_single_delay_lands() -> None:
    now, first, second = 11.8, 7.3, 38.82709111542917
    t = (now + first) + second
    assert delay_to(now, t) is None  # no float d has now + d == t
    assert _merged_time(now, (first, second)) == t == _chain_time(now, (first, second))


@settings(max_examples=300, deadline=None)
@given(now=minutes, ahead=minutes)
def test_at_time_lands_on_the_exact_time(now: float, ahead: float) -> None:
    t = now + ahead
    env = simpy.Environment(initial_time=now)
    landed: list[float] = []
    at_time(env, t, lambda: landed.append(env.now))
    env.run()
    assert landed == [t]


def test_at_time_reaches_a_time_no_single_delay_reaches() -> None:
    now, t = 25.3, 60.02163525632023
    assert delay_to(now, t) is None
    env = simpy.Environment(initial_time=now)
    landed: list[float] = []
    at_time(env, t, lambda: landed.append(env.now))
    env.run()
    assert landed == [t]


def test_event_log_names_a_malformed_record() -> None:
    log = EventLog()
    with pytest.raises(TypeError, match="int32 indices"):
        log.append(1.0, EventKind.CALL_PLACED, 2.5)  # type: ignore[arg-type]
    log.append(1.0, EventKind.CALL_PLACED, 3)
    assert len(log) == 1
    assert log.to_arrays()["incident"].tolist() == [3]


def test_event_log_grows_and_sorts_by_time_keeping_append_order() -> None:
    log = EventLog()
    times = [float(k % 7) for k in range(10_000)]  # beyond the initial buffer
    for k, t in enumerate(times):
        log.append(t, EventKind.CALL_PLACED, k)
    cols = log.to_arrays(until=5.0)
    expected = sorted((t, k) for k, t in enumerate(times) if t <= 5.0)
    assert cols["t"].tolist() == [t for t, _ in expected]
    assert cols["incident"].tolist() == [k for _, k in expected]
    assert cols["kind"].dtype == np.int16
    assert cols["unit"].dtype == np.int32
