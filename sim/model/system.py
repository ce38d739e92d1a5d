"""Composition root: the only place that wires entities, resources, policies and processes.

:func:`build_system` takes the validated scenario sections, the prepared world, the
replication's pre-generated demand and an empty event log, and returns a
:class:`TraumaSystem` ready to :meth:`~TraumaSystem.run`. It does no I/O and no plotting.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import simpy

from sim.config.scenario import Scenario
from sim.core.events import EventLog
from sim.core.rng import RandomStreams
from sim.demand.generate import Demand
from sim.model.ambulance import Fleet
from sim.model.consultation import ExpertPool
from sim.model.dispatch_centre import DispatchCentres
from sim.model.hospital import Hospitals
from sim.model.mci import MassCasualty
from sim.model.police import Police
from sim.model.state import PatientState
from sim.policies.destination import DESTINATION_POLICIES
from sim.policies.dispatch import DISPATCH_POLICIES
from sim.runs.world import World, fleet_allocation


@dataclass
class TraumaSystem:
    """A wired replication: the SimPy environment and its actors."""

    env: simpy.Environment
    log: EventLog
    state: PatientState
    centres: DispatchCentres
    fleet: Fleet
    hospitals: Hospitals
    police: Police
    experts: ExpertPool | None

    def run(self, horizon_min: float) -> None:
        """Simulate until ``horizon_min`` (incidents in progress then stay in progress)."""
        self.env.run(until=horizon_min)
        self.fleet.finish(horizon_min)
        self.state.drain()  # windows not reached (none, bar rounding at the horizon)

    def low_water_min(self) -> float:
        """The earliest time an event record can still be appended at, sim minutes.

        Records are appended at the clock or ahead of it, except what the fleet settles
        lazily (crews freed at a hospital, arrivals home): those come later at their own
        times, the earliest of which heads the fleet's two heaps. A streamed log writes the
        records before this time (:class:`sim.io.event_stream.StreamedEventLog`).
        """
        t: float = self.env.now
        # The fleet's pending settlements (sim/model/ambulance.py keeps them as heaps).
        for heap in (self.fleet._freeing, self.fleet._homecoming):
            if heap:
                t = min(t, heap[0][0])
        return t


def build_system(
    scenario: Scenario,
    world: World,
    demand: Demand | Iterable[Demand],
    log: EventLog,
    *,
    lazy_settle: bool = True,
    check_transitions: bool = False,
    streams: RandomStreams | None = None,
) -> TraumaSystem:
    """Wire one replication.

    Parameters
    ----------
    scenario
        The validated scenario (only its sections are handed on).
    world
        Network, facilities and travel tables (shared by replications).
    demand
        This replication's incidents and patients: all of them (drawn up front), or
        its demand windows in time order (:func:`sim.demand.generate.demand_windows`), the
        first loaded now and each next one when the arrivals reach it.
    log
        An empty event log the processes append to.
    lazy_settle
        True (default): crews freed while no call waits and units reaching their station
        are settled when the dispatcher next looks, without an event. False (eager mode):
        each is a real SimPy event; slower, same event log (tests/test_eager_mode.py).
    check_transitions
        Debug mode: every ambulance status change is checked against the job's
        state-transition table (:data:`sim.model.ambulance.JOB_TRANSITIONS`); a change not
        in it raises :class:`~sim.model.ambulance.JobTransitionError`.
    streams
        The replication's named streams (needed only for random downtime).

    Returns
    -------
    TraumaSystem
    """
    env = simpy.Environment()
    mech = scenario.mechanisms
    state = (
        PatientState.from_demand(demand)
        if isinstance(demand, Demand)
        else PatientState.from_windows(demand)
    )
    experts = (
        ExpertPool(env, log, mech.expert_consultation, state)
        if mech.expert_consultation.enabled
        else None
    )
    hospitals = Hospitals(env, log, world, scenario.hospital, mech, state, experts)
    fleet = Fleet(
        env,
        log,
        world,
        state,
        units=fleet_allocation(world.facilities, scenario.fleet.ambulances),
        dispatch_policy=DISPATCH_POLICIES[scenario.fleet.dispatch_policy],
        destination_policy=DESTINATION_POLICIES[scenario.destination.policy],
        fleet_spec=scenario.fleet,
        destination_spec=scenario.destination,
        mechanisms=mech,
        hospitals=hospitals,
        experts=experts,
        lazy_settle=lazy_settle,
        check_transitions=check_transitions,
        start_weekday=scenario.run.start_weekday,
    )
    if scenario.fleet.downtime_per_unit_day > 0:
        if streams is None:
            msg = "random downtime needs the replication's streams"
            raise ValueError(msg)
        fleet.set_downtime(
            streams["unit_downtime"],
            scenario.fleet.downtime_per_unit_day,
            float(scenario.fleet.downtime_mean_min or 0.0),
            scenario.run.horizon_days * 1440.0,
        )
    if scenario.demand.mci is not None:
        fleet.mci = MassCasualty(env, log, state, scenario.demand.mci, fleet, hospitals)
    police = Police(env, log, world, mech.police_linkage, state)
    nd_rates = scenario.demand.non_dispatch_calls.per_dispatch_call()
    centres = DispatchCentres(
        env,
        log,
        world,
        scenario.calls,
        mech,
        state,
        fleet,
        police,
        mci=fleet.mci,
        calls_expected=any(r > 0 for r in nd_rates.values()),
    )
    centres.start()
    if any(s.shift == "day" for s in world.facilities.stations):
        env.process(fleet.shift_changes())
    if scenario.fleet.rosters:
        env.process(fleet.roster_changes())
    return TraumaSystem(env, log, state, centres, fleet, hospitals, police, experts)
