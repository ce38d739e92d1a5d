"""The lazy shortcuts change nothing: eager mode (every arrival home and end of handover a
real SimPy event) gives the identical event log on a congested run.

docs/performance.md claims crews freed while no call waits and units reaching their station
can be settled when the dispatcher next looks, without an event. This checks it bit for bit
on a run where every interaction the shortcut could disturb happens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import simpy
from congested import congested_scenario, events_digest

from sim.config.scenario import Scenario
from sim.core.entities import EventKind
from sim.core.events import EventLog
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.model.system import build_system
from sim.runs.replications import draw_demand, replication_record
from sim.runs.world import World, build_world


@pytest.fixture(scope="module")
def congested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, World]:
    scenario = congested_scenario(tmp_path_factory.mktemp("congested"))
    return scenario, build_world(scenario)


def _counted_run(scenario: Scenario, world: World, lazy: bool) -> tuple[int, int, EventLog]:
    """Run replication 0 counting scheduled SimPy events; also the lazy freeings used."""
    streams = RandomStreams(scenario.run.seed, 0)
    log = EventLog()
    system = build_system(
        scenario, world, draw_demand(scenario, world, streams), log, lazy_settle=lazy
    )
    env = system.env
    scheduled = [0]
    schedule = env.schedule

    def counting(event: simpy.Event, priority: Any = 1, delay: Any = 0) -> None:
        scheduled[0] += 1
        schedule(event, priority, delay)

    env.schedule = counting  # type: ignore[method-assign]
    system.run(scenario.run.horizon_days * MINUTES_PER_DAY)
    return scheduled[0], system.fleet._n_freeing, log


def test_congested_run_is_congested(congested: tuple[Scenario, World]) -> None:
    """The scenario really has queued calls, full bays, waiting consultations, transfers."""
    scenario, world = congested
    ev = replication_record(scenario, world, 0).events
    kind, value = ev["kind"], ev["value"]
    requested = {
        int(i): t
        for i, t, k in zip(ev["incident"], ev["t"], kind, strict=True)
        if k == EventKind.DISPATCH_REQUESTED
    }
    queued = sum(
        1
        for i, t, k in zip(ev["incident"], ev["t"], kind, strict=True)
        if k == EventKind.AMBULANCE_DISPATCHED and t > requested[int(i)]
    )
    assert queued >= 10, "calls must wait for a unit"
    assert np.sum((kind == EventKind.HANDOVER_STARTED) & (value > 0)) >= 3, "bays must be full"
    assert np.sum((kind == EventKind.CONSULT_STARTED) & (value > 0)) >= 3, "consults must wait"
    assert np.sum(kind == EventKind.TRANSFER_DEPARTED) >= 3, "transfers must happen"
    assert np.sum(kind == EventKind.UNIT_REDIRECTED) >= 10
    assert np.sum(kind == EventKind.UNIT_AT_STATION) >= 10


def test_eager_mode_gives_the_identical_event_log(congested: tuple[Scenario, World]) -> None:
    scenario, world = congested
    lazy = replication_record(scenario, world, 0, lazy_settle=True).events
    eager = replication_record(scenario, world, 0, lazy_settle=False).events
    assert lazy.keys() == eager.keys()
    for name in lazy:
        np.testing.assert_array_equal(lazy[name], eager[name], err_msg=name)
    assert events_digest(lazy) == events_digest(eager)


def test_eager_mode_really_schedules_the_settled_steps(congested: tuple[Scenario, World]) -> None:
    """Eager mode is not the lazy path under another name: it schedules more SimPy events
    and never defers a freeing crew, while the lazy run does defer some."""
    scenario, world = congested
    n_lazy, deferred_lazy, _ = _counted_run(scenario, world, lazy=True)
    n_eager, deferred_eager, _ = _counted_run(scenario, world, lazy=False)
    assert deferred_lazy > 0
    assert deferred_eager == 0
    assert n_eager > n_lazy


def test_eager_mode_on_the_golden_county_run(tmp_path: Path) -> None:
    """The uncongested shipped county baseline too (two days, two replications)."""
    from helpers import COUNTY_BASELINE

    from sim.config.scenario import load_scenario

    scenario = load_scenario(COUNTY_BASELINE, ["run.horizon_days=2", "run.seed=7"])
    world = build_world(scenario)
    for rep in (0, 1):
        a = replication_record(scenario, world, rep).events
        b = replication_record(scenario, world, rep, lazy_settle=False).events
        assert events_digest(a) == events_digest(b)
