"""The ambulance fleet: explicit units, dispatch by a named policy, the job cycle, returns.

Units are explicit objects with a status (not a ``simpy.Resource``): dispatch must pick a
*specific* unit by travel time. Free units are those idle at their station and those
returning (free away from base). The dispatcher estimates each unit's time to scene — a
returning unit at its live position when the scenario has live positions, else as if at
its station — and a pure policy function chooses. Calls with no free unit wait in a
priority queue and are served as units free up.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.entities import NON_TRAUMA, EventKind, UnitStatus
from sim.events import EventLog
from sim.mechanisms import MechanismsSpec
from sim.model.spec import DestinationSpec, FleetSpec
from sim.model.state import PatientState
from sim.network.travel import HOURS_PER_DAY
from sim.policies.destination import DestinationPolicy, field_triage_severe
from sim.policies.dispatch import Candidate, DispatchPolicy
from sim.world import World

if TYPE_CHECKING:
    from sim.model.consultation import ExpertPool
    from sim.model.hospital import Hospitals

E = EventKind
S = UnitStatus
DAY_START_H, DAY_END_H = 8, 20


@dataclass
class Unit:
    """One ambulance and where it is."""

    index: int
    station: int
    kind: str
    shift: str
    status: UnitStatus = S.IDLE_AT_STATION
    # Where the current return started: a facility index (>= 0) or a node (fac = -1).
    origin_fac: int = -1
    origin_node: int = -1
    t_origin: float = 0.0
    trip: int = 0  # bumped on every dispatch: a pending arrival home of an older trip is void
    path: list[int] = field(default_factory=list)
    path_min: np.ndarray | None = None


class Fleet:
    """Ambulances, the dispatcher's unit choice, and the job process."""

    def __init__(
        self,
        env: simpy.Environment,
        log: EventLog,
        world: World,
        state: PatientState,
        *,
        units: list[tuple[int, str, str]],
        dispatch_policy: DispatchPolicy,
        destination_policy: DestinationPolicy,
        fleet_spec: FleetSpec,
        destination_spec: DestinationSpec,
        mechanisms: MechanismsSpec,
        hospitals: Hospitals,
        experts: ExpertPool | None,
    ) -> None:
        self.env, self.log, self.world, self.state = env, log, world, state
        self.tables, self.engine = world.tables, world.engine
        self.units = [Unit(i, s, k, sh) for i, (s, k, sh) in enumerate(units)]
        self.dispatch_policy = dispatch_policy
        self.destination_policy = destination_policy
        self.dest = destination_spec
        self.turnout_mean_min = fleet_spec.turnout_min.mean()
        self.mech = mechanisms
        self.live_positions = (
            mechanisms.internet_plus_120.enabled
            and mechanisms.internet_plus_120.live_unit_positions
        )
        self.hospitals = hospitals
        self.experts = experts
        self.pending: list[tuple[int, float, int]] = []  # (priority, t_request, patient)
        # Free units, kept up to date on every status change so dispatch never scans the fleet.
        self._idle: list[list[int]] = [[] for _ in world.facilities.stations]
        for u in self.units:
            self._idle[u.station].append(u.index)
        self._returning: dict[int, Unit] = {}
        self.hospital_tiers = [h.tier for h in world.facilities.hospitals]
        self.hospital_fac = list(world.hospital_fac)
        self.hospital_access = list(world.hospital_access_min)
        self._period_of_hour: list[int] = world.tables.period_of_hour.tolist()
        st_tables = world.tables.from_fac[:, list(world.station_fac), :]
        self._first_due_by_period = [row.tolist() for row in np.argmin(st_tables, axis=1)]

    # ----------------------------------------------------------------- where units are

    def _hour(self) -> int:
        return int(self.env.now // 60.0) % HOURS_PER_DAY

    def _on_shift(self, u: Unit) -> bool:
        return u.shift == "24h" or DAY_START_H <= self._hour() < DAY_END_H

    def _position(self, u: Unit) -> tuple[int, float]:
        """Node a returning unit has reached along its route, and minutes left to its station.

        Estimated from the elapsed time along the shortest route home (computed once per
        return, only when a dispatch decision needs it).
        """
        if u.path_min is None:
            t0h = int(u.t_origin // 60.0) % HOURS_PER_DAY
            station_node = self.world.station_node[u.station]
            if u.origin_fac >= 0:
                u.path = self.tables.route_nodes(u.origin_fac, station_node, hour=t0h)
                u.path_min = np.asarray(
                    [self.tables.from_facility_min(u.origin_fac, n, t0h) for n in u.path]
                )
            else:
                sk = self.world.station_fac[u.station]
                u.path = self.tables.route_nodes(sk, u.origin_node, hour=t0h, direction="to")
                left = self.tables.to_facility_min(sk, u.origin_node, t0h)
                u.path_min = np.asarray(
                    [left - self.tables.to_facility_min(sk, n, t0h) for n in u.path]
                )
        if not u.path:
            start = u.origin_node if u.origin_fac < 0 else self.world.station_node[u.station]
            return start, 0.0
        j = int(np.searchsorted(u.path_min, self.env.now - u.t_origin, side="right")) - 1
        j = max(0, min(j, len(u.path) - 1))
        return u.path[j], float(u.path_min[-1] - u.path_min[j])

    def _drive_min(self, u: Unit, node: int, priority: int) -> float:
        """Actual minutes for unit ``u`` to reach ``node`` now (emergency driving)."""
        hour = self._hour()
        tables = self.tables
        k = self.world.station_fac[u.station]
        if u.status == S.IDLE_AT_STATION:
            return tables.from_facility_min(k, node, hour, priority)
        if u.t_origin == self.env.now and u.origin_fac >= 0:
            return tables.from_facility_min(u.origin_fac, node, hour, priority)
        pos, left_min = self._position(u)
        # Going home first and out again is never faster than the best route, so it bounds
        # (and localises) the search from the unit's position.
        via_home = left_min + tables.from_facility_min(k, node, hour)
        direct = self.engine.node_to_node_min(pos, node, hour, priority, limit_min=via_home)
        return min(direct, via_home * tables.emergency_factor[priority])

    def _candidates(self, node: int, priority: int) -> list[Candidate]:
        """Free units with the dispatcher's estimated minutes to ``node``.

        Idle units at one station are interchangeable: only the lowest-numbered one is a
        candidate.
        """
        hour = self._hour()
        tables, world = self.tables, self.world
        out: list[Candidate] = []
        returning: list[tuple[float, Unit]] = []
        for station, idle in enumerate(self._idle):
            for idx in idle:  # lowest-numbered unit on shift
                if self.units[idx].shift == "24h" or self._on_shift(self.units[idx]):
                    k = world.station_fac[station]
                    eta = self.turnout_mean_min + tables.from_facility_min(k, node, hour, priority)
                    out.append(Candidate(idx, station, eta, True))
                    break
        for u in self._returning.values():
            if u.shift != "24h" and not self._on_shift(u):
                continue
            if not self.live_positions:
                # Without live positions the dispatcher assumes a free unit is at its station.
                k = world.station_fac[u.station]
                eta = self.turnout_mean_min + tables.from_facility_min(k, node, hour, priority)
                out.append(Candidate(u.index, u.station, eta, False))
                continue
            lb = 0.0
            if u.origin_fac >= 0:
                # Triangle inequality along the shortest route out of the origin facility.
                direct = tables.from_facility_min(u.origin_fac, node, hour, priority)
                factor = tables.emergency_factor[priority]
                lb = max(0.0, direct - factor * (self.env.now - u.t_origin))
            returning.append((lb, u))
        best = min((c.eta_min for c in out), default=math.inf)
        for lb, u in sorted(returning, key=lambda x: (x[0], x[1].index)):
            if lb >= best:
                break
            eta = self._drive_min(u, node, priority)
            out.append(Candidate(u.index, u.station, eta, False))
            best = min(best, eta)
        return out

    def _first_due(self, node: int) -> int:
        """Station with the shortest drive to ``node`` in the current period (precomputed)."""
        station: int = self._first_due_by_period[self._period_of_hour[self._hour()]][node]
        return station

    # ----------------------------------------------------------------- dispatching

    def request_unit(self, p: int) -> None:
        """A patient needs an ambulance now: dispatch one or queue the request."""
        st = self.state
        i = st.pat["incident"][p]
        node, prio = st.inc["node"][i], st.pat["triage_priority"][p]
        choice = self.dispatch_policy(self._candidates(node, prio), self._first_due(node))
        if choice is None:
            heapq.heappush(self.pending, (prio, self.env.now, p))
            return
        self._assign(self.units[choice.unit], p)

    def _assign(self, u: Unit, p: int) -> None:
        st, env = self.state, self.env
        i = st.pat["incident"][p]
        node, prio = st.inc["node"][i], st.pat["triage_priority"][p]
        at_station = u.status == S.IDLE_AT_STATION
        drive = self._drive_min(u, node, prio) + st.inc["access_min"][i]
        if at_station:
            self._idle[u.station].remove(u.index)
        else:
            del self._returning[u.index]
            self.log.append(env.now, E.UNIT_REDIRECTED, i, p, u.index)
        u.status = S.DISPATCHED
        u.trip += 1
        u.path, u.path_min = [], None
        self.log.append(env.now, E.AMBULANCE_DISPATCHED, i, p, u.index, u.station)
        env.process(self.job(u, p, drive, at_station))

    def _serve_waiting(self, u: Unit) -> bool:
        """Give a free unit the most urgent waiting call; True if it got one."""
        if not self.pending or not self._on_shift(u):
            return False
        _, _, p = heapq.heappop(self.pending)
        self._assign(u, p)
        return True

    def shift_changes(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: at each day-shift start, serve waiting calls with day units."""
        env = self.env
        while True:
            t_next = (env.now // 1440.0) * 1440.0 + DAY_START_H * 60.0
            if t_next <= env.now:
                t_next += 1440.0
            yield env.timeout(t_next - env.now)
            for u in list(self.units):
                if u.status in (S.IDLE_AT_STATION, S.RETURNING) and self.pending:
                    self._serve_waiting(u)

    # ----------------------------------------------------------------- the job

    def job(
        self, u: Unit, p: int, drive: float, at_station: bool
    ) -> Generator[simpy.Event, Any, None]:
        """SimPy process: one unit serving one patient until it is free again.

        Appends WHEELS_ROLLING, AMBULANCE_ON_SCENE, CONSULT_* (via the pool), ESCORT_APPLIED,
        SCENE_DEPARTED or PATIENT_NOT_TRANSPORTED, HOSPITAL_ARRIVED, HANDOVER_STARTED,
        PATIENT_HANDED_OVER, and later UNIT_AT_STATION.
        """
        env, log, st = self.env, self.log, self.state
        pat, inc = st.pat, st.inc
        i = pat["incident"][p]
        turnout = pat["turnout_min"][p] if at_station else 0.0
        # Nothing interrupts a turnout, so wheels-rolling is recorded now with its known time
        # (one timeout instead of two; tables sort records by time).
        log.append(env.now + turnout, E.WHEELS_ROLLING, i, p, u.index)
        u.status = S.EN_ROUTE_TO_SCENE
        yield env.timeout(turnout + drive)
        u.status = S.ON_SCENE
        st.t_on_scene[p] = env.now
        log.append(env.now, E.AMBULANCE_ON_SCENE, i, p, u.index)
        ec = self.mech.expert_consultation
        severe = pat["severe"][p]
        if (
            self.experts is not None
            and ec.en_route
            and pat["iss"][p] >= ec.trigger_min_iss
            and severe
        ):
            self.experts.request(p)
        yield env.timeout(pat["on_scene_min"][p])
        node = inc["node"][i]
        if not pat["transport_needed"][p]:
            log.append(env.now, E.PATIENT_NOT_TRANSPORTED, i, p, u.index)
            self._start_return(u, -1, node)
            return
        # Destination: field triage (helped by an expert consultation already under way).
        under = self.dest.undertriage
        if st.t_consult_start[p] <= env.now:
            under *= 1.0 - ec.undertriage_reduction
        judged = inc["mechanism"][i] != NON_TRAUMA and field_triage_severe(
            severe, pat["u_undertriage"][p], pat["u_overtriage"][p], under, self.dest.overtriage
        )
        hour = self._hour()
        prio = pat["triage_priority"][p]
        minutes = [self.tables.to_facility_min(k, node, hour, prio) for k in self.hospital_fac]
        h = self.destination_policy(minutes, self.hospital_tiers, judged, self.dest.severe_tiers)
        self._prenotify(p, i, judged)
        transport = minutes[h] + inc["access_min"][i] + self.hospital_access[h]
        pl = self.mech.police_linkage
        if (
            pl.enabled
            and inc["escorted"][i]
            and st.t_police_on_scene[i] <= env.now
            and pl.escort_congestion_removed > 0
        ):
            escorted = (
                self.tables.to_facility_min(
                    self.hospital_fac[h],
                    node,
                    hour,
                    prio,
                    congestion_removed=pl.escort_congestion_removed,
                )
                + inc["access_min"][i]
                + self.hospital_access[h]
            )
            log.append(env.now, E.ESCORT_APPLIED, i, p, u.index, h, transport - escorted)
            transport = escorted
        log.append(env.now, E.SCENE_DEPARTED, i, p, u.index, h)
        u.status = S.TRANSPORTING
        yield env.timeout(transport)
        u.status = S.AT_HOSPITAL
        log.append(env.now, E.HOSPITAL_ARRIVED, i, p, u.index, h)
        yield from self.hospitals.handover(p, h, u.index)
        self._start_return(u, self.hospital_fac[h], self.world.hospital_node[h])

    def _prenotify(self, p: int, i: int, judged_severe: bool) -> None:
        """Decide at scene departure whether the hospital is pre-notified (logged on arrival)."""
        st, mech = self.state, self.mech
        if not judged_severe:
            return
        pn = mech.prenotification
        pl = mech.police_linkage
        if (pn.enabled and st.pat["u_prenotify"][p] < pn.share) or (
            pl.enabled and st.t_police_on_scene[i] <= self.env.now and st.inc["police_prenotify"][i]
        ):
            st.prenotified[p] = True

    # ----------------------------------------------------------------- returning

    def _start_return(self, u: Unit, origin_fac: int, origin_node: int) -> None:
        u.status = S.RETURNING
        self._returning[u.index] = u
        u.origin_fac, u.origin_node, u.t_origin = origin_fac, origin_node, self.env.now
        u.path, u.path_min = [], None
        if self._serve_waiting(u):
            return
        hour = self._hour()
        k = self.world.station_fac[u.station]
        if origin_fac >= 0:
            back = self.tables.from_facility_min(
                origin_fac, self.world.station_node[u.station], hour
            )
        else:
            back = self.tables.to_facility_min(k, origin_node, hour)
        back += self.world.station_access_min[u.station]
        # A plain timeout with a callback, not a process: returns are the most frequent
        # activity and a redirected unit simply makes this arrival void.
        trip = u.trip
        arrival = self.env.timeout(back)
        arrival.callbacks.append(lambda _ev: self._arrived_home(u, trip))

    def _arrived_home(self, u: Unit, trip: int) -> None:
        """Callback: the unit reached its station (UNIT_AT_STATION), unless redirected since."""
        if u.trip != trip or u.status is not S.RETURNING:
            return
        u.status = S.IDLE_AT_STATION
        del self._returning[u.index]
        bisect.insort(self._idle[u.station], u.index)
        self.log.append(self.env.now, E.UNIT_AT_STATION, unit=u.index, place=u.station)
