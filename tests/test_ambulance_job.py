"""The ambulance job's state-transition table (sim.model.ambulance.JOB_TRANSITIONS), asserted.

In debug mode (``check_transitions=True``) every status change is checked against the table;
on the congested run every transition of the table occurs, none outside it, and the event
log is the same as without the checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from congested import congested_scenario, events_digest

from sim.core.entities import UnitStatus
from sim.core.events import EventLog
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.model.ambulance import JOB_TRANSITIONS, JobTransitionError
from sim.model.system import build_system
from sim.runs.replications import draw_demand, replication_record
from sim.runs.world import build_world


@pytest.mark.parametrize("lazy", [True, False])
def test_every_job_transition_occurs_and_none_other(tmp_path: Path, lazy: bool) -> None:
    scenario = congested_scenario(tmp_path)
    world = build_world(scenario)
    streams = RandomStreams(scenario.run.seed, 0)
    log = EventLog()
    system = build_system(
        scenario,
        world,
        draw_demand(scenario, world, streams),
        log,
        lazy_settle=lazy,
        check_transitions=True,
    )
    horizon = scenario.run.horizon_days * MINUTES_PER_DAY
    system.run(horizon)  # raises JobTransitionError on a step outside the table
    assert system.fleet.transitions_seen == set(JOB_TRANSITIONS)
    checked = log.to_arrays(until=horizon)
    plain = replication_record(scenario, world, 0).events
    assert events_digest(checked) == events_digest(plain)


def test_a_step_outside_the_table_raises(tmp_path: Path) -> None:
    scenario = congested_scenario(tmp_path)
    world = build_world(scenario)
    streams = RandomStreams(scenario.run.seed, 0)
    system = build_system(
        scenario, world, draw_demand(scenario, world, streams), EventLog(), check_transitions=True
    )
    fleet = system.fleet
    unit = fleet.units[0]
    assert unit.status is UnitStatus.IDLE_AT_STATION
    with pytest.raises(JobTransitionError, match=r"unit 0 .*IDLE_AT_STATION -> TRANSPORTING"):
        fleet._check(unit, UnitStatus.TRANSPORTING)
    fleet._check(unit, UnitStatus.DISPATCHED)  # allowed: no error, and remembered
    assert fleet.transitions_seen == {(UnitStatus.IDLE_AT_STATION, UnitStatus.DISPATCHED)}
