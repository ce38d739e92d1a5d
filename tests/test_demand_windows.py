"""Demand drawn window by window: same results for any window, bounded not-yet-arrived demand.

Every draw of demand chunk c (the week [7c, 7c + 7) days) comes from that chunk's streams
(sim/core/rng.py chunk streams), so the event log does not depend on how many weeks are drawn
at a time; the model loads the
next window when its arrivals run out, so incidents days away are not in memory.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

import numpy as np
import pytest
from congested import events_digest
from helpers import COUNTY_BASELINE

from sim.config.scenario import Scenario, load_scenario
from sim.core.events import EventLog
from sim.core.rng import RandomStreams
from sim.demand.generate import Demand, join_demand
from sim.model.system import build_system
from sim.runs.replications import demand_source, draw_demand, replication_record
from sim.runs.tables import replication_tables
from sim.runs.world import World, build_world

SCENARIOS = {
    "county_baseline": (COUNTY_BASELINE, []),
    "county_integrated": (COUNTY_BASELINE.with_name("county_integrated.toml"), []),
    "county_mci": (COUNTY_BASELINE.with_name("county_mci.toml"), []),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_window_size_does_not_change_event_log(name: str) -> None:
    path, sets = SCENARIOS[name]
    sc = load_scenario(path, ["run.horizon_days=15", "run.warm_up_days=0", *sets])
    world = build_world(sc)
    one_week = replication_record(sc, world, 1, demand_window_days=7)  # 3 windows
    two_weeks = replication_record(sc, world, 1, demand_window_days=14)  # 2 windows
    whole = replication_record(sc, world, 1, demand_window_days=21)  # 1 window
    assert one_week.demand.n_incidents > 20
    digest = events_digest(whole.events)
    assert events_digest(one_week.events) == digest
    assert events_digest(two_weeks.events) == digest
    for col, values in whole.demand.patients.items():
        np.testing.assert_array_equal(one_week.demand.patients[col], values, err_msg=col)


def _county(horizon_days: float, *sets: str) -> tuple[Scenario, World]:
    sc = load_scenario(COUNTY_BASELINE, [f"run.horizon_days={horizon_days}", *sets])
    return sc, build_world(sc)


def test_windows_cover_their_days_and_join_to_the_whole_demand() -> None:
    sc, world = _county(17)
    windows = list(demand_source(sc, world, RandomStreams(sc.run.seed, 0), window_days=7))
    assert len(windows) == 3  # days 0-6, 7-13, 14-16
    for k, w in enumerate(windows):
        t = w.incidents["t_injury"]
        assert t.size > 0
        assert np.all((t >= k * 7 * 1440.0) & (t < min(k * 7 + 7, 17) * 1440.0))
        placed = w.calls["t_placed"]
        assert np.all(placed >= k * 7 * 1440.0)
        if k < 2:  # a call placed after its window's end goes with the next window
            assert np.all(placed < (k * 7 + 7) * 1440.0)
    whole = draw_demand(sc, world, RandomStreams(sc.run.seed, 0))
    joined = join_demand(windows)
    for part in ("incidents", "patients", "calls"):
        a, b = getattr(joined, part), getattr(whole, part)
        assert a.keys() == b.keys()
        for col in a:
            np.testing.assert_array_equal(a[col], b[col], err_msg=f"{part}.{col}")
    # Indices run on: each patient's incident lists it among its patients.
    inc, pat = joined.incidents, joined.patients
    np.testing.assert_array_equal(
        pat["incident"], np.repeat(np.arange(joined.n_incidents), inc["n_patients"])
    )


def test_a_shorter_horizon_sees_a_prefix_of_the_same_incidents() -> None:
    sc5, world = _county(12)
    sc3, _ = _county(10)
    d5 = draw_demand(sc5, world, RandomStreams(1, 0))
    d3 = draw_demand(sc3, world, RandomStreams(1, 0))
    n = d3.n_incidents
    assert 0 < n < d5.n_incidents
    np.testing.assert_array_equal(d5.incidents["t_injury"][:n], d3.incidents["t_injury"])
    np.testing.assert_array_equal(d5.incidents["node"][:n], d3.incidents["node"])


def test_chunk_streams_differ_by_chunk_and_from_replication_streams() -> None:
    s = RandomStreams(7, 2)
    whole, c0, c1 = s["x"].random(), s.chunk(0)["x"].random(), s.chunk(1)["x"].random()
    assert len({whole, c0, c1}) == 3
    assert RandomStreams(7, 2).chunk(1)["x"].random() == c1
    assert RandomStreams(7, 3).chunk(1)["x"].random() != c1
    assert RandomStreams(8, 2).chunk(1)["x"].random() != c1
    assert s.names == ["x"]
    # One chunk at a time: a chunk's generator taken over by another chunk is refused.
    a = s.chunk(4)
    a["y"].random()
    s.chunk(5)["y"].random()
    with pytest.raises(RuntimeError, match="re-seeded by another chunk"):
        a["y"]


def test_window_must_be_whole_chunks() -> None:
    sc, world = _county(3)
    with pytest.raises(ValueError, match="multiple of 7"):
        next(demand_source(sc, world, RandomStreams(1, 0), window_days=3))


OVERLOAD = [
    "run.warm_up_days=0",
    "fleet.ambulances=1",
    "demand.rtc_incidents_per_day=40",
    "demand.fall_incidents_per_day=40",
    "demand.non_trauma_incidents_per_day=200",
]
HORIZON_DAYS = 35
WINDOW_DAYS = 7


def _peak_pending(sc: Scenario, world: World, demand: Demand | Iterable[Demand]) -> int:
    """Most loaded incidents not yet arrived, sampled every hour of the run."""
    system = build_system(sc, world, demand, EventLog())
    env, state = system.env, system.state
    peak = [0]

    def probe() -> Iterator[object]:
        while True:
            t_injury = state.inc["t_injury"]
            pending = len(t_injury) - bisect.bisect_right(t_injury, env.now)
            peak[0] = max(peak[0], pending)
            yield env.timeout(60.0)

    env.process(probe())
    system.run(HORIZON_DAYS * 1440.0)
    assert state.peak_pending_incidents >= peak[0]  # the state's own count (at each load)
    return peak[0]


def test_overload_backlog_grows_while_held_demand_stays_within_a_window() -> None:
    sc, world = _county(HORIZON_DAYS, *OVERLOAD)
    res = replication_record(sc, world, 0, demand_window_days=WINDOW_DAYS)
    n_total = res.demand.n_incidents
    per_day = n_total / HORIZON_DAYS
    assert per_day > 250  # ~280 a day for one ambulance
    # The backlog (the unserved-patient KPIs): most patients are never reached.
    tables = replication_tables(sc, world, res)
    days, totals = tables.backlog_days, tables.backlog_totals
    assert len(days) == HORIZON_DAYS
    assert days["backlog_patients"].is_monotonic_increasing
    assert totals["backlog_unbounded"]
    assert days["backlog_patients"].iloc[-1] > 0.8 * res.demand.n_patients
    # Windowed: never more than about one window (+ a day's slack) of future incidents.
    bound = (WINDOW_DAYS + 1) * per_day * 1.2
    windows = demand_source(sc, world, RandomStreams(sc.run.seed, 0), window_days=WINDOW_DAYS)
    windowed = _peak_pending(sc, world, windows)
    assert windowed < bound < 0.3 * n_total
    # Drawn up front (as before windows), the whole horizon is held from the start.
    whole = draw_demand(sc, world, RandomStreams(sc.run.seed, 0))
    upfront = build_system(sc, world, whole, EventLog()).state
    assert len(upfront.inc["t_injury"]) == n_total > bound
