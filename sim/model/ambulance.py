"""The ambulance fleet: explicit units, dispatch by a named policy, the job cycle, returns.

Units are explicit objects with a status (not a ``simpy.Resource``): dispatch must pick a
*specific* unit by travel time. Free units are those idle at their station and those
returning (free away from base). The dispatcher estimates each unit's time to scene — a
returning unit at its live position when the scenario has live positions, else as if at
its station — and a pure policy function chooses. Calls with no free unit wait in a
priority queue and are served as units free up.

Performance: a dispatch walks the stations nearest first (a per-world sorted table) and
builds only the candidates that can win; the job is a chain of timed callbacks (see
sim/model/clock.py) with one SimPy event per decision point, not a generator process; a
crew freed while no call waits and a unit reaching its station need no event at all: both
are settled when the dispatcher next looks at the fleet (:meth:`Fleet._settle`). With
``lazy_settle=False`` (eager mode) every arrival home and every end of a handover is its own
SimPy event instead; tests/test_eager_mode.py checks the event log is identical both ways.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import simpy

from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import NON_TRAUMA, EventKind, UnitStatus, member_lookup
from sim.core.errors import UserError
from sim.core.events import EventLog
from sim.core.units import hour_of, hours_of, period_of
from sim.model.clock import Soon, after, after_steps, at_time
from sim.model.spec import DestinationSpec, FleetSpec
from sim.model.state import PatientState
from sim.network.tables import LandmarkBounds
from sim.policies.destination import DestinationPolicy
from sim.policies.dispatch import NEAREST_CANDIDATES_SUFFICE, Candidate, DispatchPolicy
from sim.policies.diversion import open_destination
from sim.policies.move_up import (
    MOVE_UP_COVER_MIN,
    MoveUpPolicy,
    compliance_table_move,
    dmexclp_move,
    nested_compliance_table,
)
from sim.policies.scene import escort_applies, judged_severe, prenotifies
from sim.runs.world import World

if TYPE_CHECKING:
    from sim.model.consultation import ExpertPool
    from sim.model.hospital import Hospitals
    from sim.model.mci import MassCasualty

E = member_lookup(EventKind)  # fast member reads in the hot loop
S = member_lookup(UnitStatus)
DAY_START_H, DAY_END_H = 8, 20

#: The ambulance job as one state-transition table: (status before, status after) -> the
#: step that makes it (see docs/architecture.md). ON_SCENE is recorded in the log ahead of
#: time and never held as a status; AT_HOSPITAL only while a severe patient waits for a bay.
#: With ``check_transitions`` the fleet checks every status change against this table.
JOB_TRANSITIONS: dict[tuple[UnitStatus, UnitStatus], str] = {
    (UnitStatus.IDLE_AT_STATION, UnitStatus.DISPATCHED): "dispatched from station (_assign)",
    (UnitStatus.RETURNING, UnitStatus.DISPATCHED): "redirected while returning (_assign)",
    (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE_TO_SCENE): "wheels rolling (_roll)",
    (UnitStatus.EN_ROUTE_TO_SCENE, UnitStatus.TRANSPORTING): "scene departure (_leave_scene)",
    (UnitStatus.EN_ROUTE_TO_SCENE, UnitStatus.RETURNING): "not transported (_leave_scene)",
    (UnitStatus.TRANSPORTING, UnitStatus.AT_HOSPITAL): "arrival, needs a bay (_at_hospital)",
    (UnitStatus.TRANSPORTING, UnitStatus.RETURNING): "handover ended (_start_return)",
    (UnitStatus.AT_HOSPITAL, UnitStatus.RETURNING): "handover ended (_start_return)",
    (UnitStatus.RETURNING, UnitStatus.IDLE_AT_STATION): "back at station (_arrived_home)",
}


class JobTransitionError(RuntimeError):
    """A unit changed status along a transition the job table does not allow (a model bug)."""


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
    # Minutes along ``path`` from the return's start (shared between units: never mutated).
    path_min: list[float] | None = None


class _ReturnBound(NamedTuple):
    """What the dispatcher knows of a returning unit before any route search.

    ``eta_min`` bounds the unit's minutes to the scene from below (exact when ``exact``);
    ``pos``, ``via_home_min`` (no emergency factor) and ``bounds`` feed the search.
    """

    eta_min: float
    exact: bool
    pos: int
    via_home_min: float
    bounds: LandmarkBounds | None


class Fleet:
    """Ambulances, the dispatcher's unit choice, and the job (dispatch to back at base)."""

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
        lazy_settle: bool = True,
        check_transitions: bool = False,
        start_weekday: int = 0,
    ) -> None:
        self.env, self.log, self.world, self.state = env, log, world, state
        # False: no shortcut, every arrival home and end of handover is a real event (the
        # reference the lazy path must reproduce exactly, see tests/test_eager_mode.py).
        self.lazy_settle = lazy_settle
        # Debug mode: every status change checked against JOB_TRANSITIONS (one test per change).
        self.check_transitions = check_transitions
        self.transitions_seen: set[tuple[UnitStatus, UnitStatus]] = set()
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
        # (t_home, unit, trip) of the units driving home and (t_free, order, unit, hospital,
        # patient, t_arrival) of crews handing over, settled lazily (_settle).
        self._homecoming: list[tuple[float, int, int]] = []
        self._freeing: list[tuple[float, int, int, int, int, float]] = []
        self._n_freeing = 0
        self._is_24h = [u.shift == "24h" for u in self.units]
        self._station_fac = list(world.station_fac)
        self.hospital_tiers = [h.tier for h in world.facilities.hospitals]
        self.hospital_fac = list(world.hospital_fac)
        self.hospital_access = list(world.hospital_access_min)
        self._period_of_hour: list[int] = world.tables.period_of_hour.tolist()
        # Stations nearest first, per period and node (sorted once per world, shared by
        # replications): a dispatch reads one row instead of looking up every station.
        self._near = world.tables.nearest_order(world.station_fac)
        # Minutes from every node to each hospital, one row per (period, node): the
        # destination choice reads one row instead of one table lookup per hospital.
        self._hospital_rows = world.tables.to_facilities_rows(world.hospital_fac)
        # Routes home out of a facility, by (facility, station node, period): see _position.
        self._return_routes: dict[tuple[int, int, int], tuple[list[int], list[float]]] = {}
        self._nearest_suffice = dispatch_policy in NEAREST_CANDIDATES_SUFFICE
        # Mechanism settings read at every scene departure, looked up once.
        ec, pl, pn = (
            mechanisms.expert_consultation,
            mechanisms.police_linkage,
            mechanisms.prenotification,
        )
        self._consult_en_route = experts is not None and ec.en_route
        self._undertriage_left = 1.0 - ec.undertriage_reduction
        self._escort_removed = (
            pl.escort_congestion_removed if pl.enabled and pl.escort_congestion_removed > 0 else 0.0
        )
        self._prenotify_share = pn.share if pn.enabled else -math.inf
        self._police_prenotify = pl.enabled
        # Hot-loop handles bound once: the demand columns and table views the dispatcher
        # reads for every patient (each saves a lookup or a call per read, same values).
        self._p_incident: list[int] = state.pat["incident"]
        self._p_priority: list[int] = state.pat["triage_priority"]
        self._i_node: list[int] = state.inc["node"]
        self._from_view = world.tables.from_view
        self._factor = dict(world.tables.emergency_factor)
        self._move_up = self._bind_move_up(fleet_spec)
        self._start_min = start_weekday * 1440.0  # week minute of t = 0
        self._duty = self._build_duty(fleet_spec) if fleet_spec.rosters else None
        self._down: list[tuple[list[float], list[float]]] | None = None
        self.mci: MassCasualty | None = None  # set by build_system with [demand.mci]

    def set_downtime(
        self, rng: np.random.Generator, per_unit_day: float, mean_min: float, horizon_min: float
    ) -> None:
        """Draw each unit's out-of-service windows (Poisson starts, exponential lengths).

        Logged ahead as UNIT_OUT_OF_SERVICE; when a window ends the unit takes a waiting call.
        """
        self._down = []
        for u in self.units:
            starts: list[float] = []
            ends: list[float] = []
            t = 0.0
            while True:
                t += float(rng.exponential(1440.0 / per_unit_day))
                if t >= horizon_min:
                    break
                dur = float(rng.exponential(mean_min))
                starts.append(t)
                ends.append(t + dur)
                self.log.append(t, E.UNIT_OUT_OF_SERVICE, unit=u.index, value=dur)
                if t + dur < horizon_min:
                    at_time(self.env, t + dur, functools.partial(self._back_in_service, u))
                t += dur
            self._down.append((starts, ends))

    def _back_in_service(self, u: Unit) -> None:
        self._settle(self.env.now)
        if u.status in (S.IDLE_AT_STATION, S.RETURNING) and self.pending:
            self._serve_waiting(u)

    def _build_duty(self, spec: FleetSpec) -> list[np.ndarray]:
        """Per unit, on duty (bool) in each minute of the week (Monday 00:00 first)."""
        stations = self.world.facilities.stations
        index = {s.id: i for i, s in enumerate(stations)}
        minute = np.arange(1440)
        hour = hours_of(minute)
        day_shift = (hour >= DAY_START_H) & (hour < DAY_END_H)
        # Start from each unit's file shift; rosters replace it on their weekdays.
        duty = [
            np.ones(7 * 1440, bool) if u.shift == "24h" else np.tile(day_shift, 7)
            for u in self.units
        ]
        ranked: dict[int, list[int]] = {}
        for u in self.units:
            ranked.setdefault(u.station, []).append(u.index)
        seen: set[tuple[int, int]] = set()
        for i, r in enumerate(spec.rosters):
            where = f"fleet.rosters[{i}]"
            if r.station not in index:
                raise UserError(
                    f"{where}.station: '{r.station}' is not a station (allowed: {', '.join(index)})"
                )
            st = index[r.station]
            units = ranked.get(st, [])
            if max(r.units_by_hour) > len(units):
                raise UserError(
                    f"{where}.units_by_hour: up to {max(r.units_by_hour)} units, but station "
                    f"{r.station} has {len(units)}"
                )
            n_on = np.asarray(r.units_by_hour, int)[hour]
            for a, b in r.meal_breaks:
                n_on = n_on - ((minute >= a * 60) & (minute < b * 60))
            n_on = np.maximum(n_on, 0)
            for d in r.weekdays:
                if (st, d) in seen:
                    raise UserError(f"{where}.weekdays: station {r.station} weekday {d} twice")
                seen.add((st, d))
                for rank, idx in enumerate(units):
                    duty[idx][d * 1440 : (d + 1) * 1440] = rank < n_on
            if r.changeover_min > 0:
                # The incoming crew checks the vehicle first: each duty start moves later.
                c = math.ceil(r.changeover_min)
                for idx in units:
                    d_u = duty[idx]
                    for m in np.flatnonzero(d_u & ~np.roll(d_u, 1)):
                        d_u[np.arange(m, m + c) % d_u.size] = False
        return duty

    def roster_changes(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: whenever a unit comes on duty, it serves waiting calls."""
        assert self._duty is not None
        on = np.zeros(7 * 1440, bool)
        for d in self._duty:
            on |= d & ~np.roll(d, 1)  # off in the minute before, on in this one
        starts = np.flatnonzero(on).astype(float)
        if starts.size == 0:
            return
        env = self.env
        while True:
            week_min = (self._start_min + env.now) % (7 * 1440.0)
            j = int(np.searchsorted(starts, week_min, side="right"))
            nxt = starts[j] if j < starts.size else starts[0] + 7 * 1440.0
            yield env.timeout(nxt - week_min)
            self._settle(env.now)
            for u in list(self.units):
                if u.status in (S.IDLE_AT_STATION, S.RETURNING) and self.pending:
                    self._serve_waiting(u)

    def _bind_move_up(self, spec: FleetSpec) -> MoveUpPolicy | None:
        """The scenario's move-up policy with its coverage model bound (None for 'none')."""
        if spec.move_up == "none":
            return None
        tables, sf = self.tables, self._station_fac
        period = period_of(12, self._period_of_hour)  # daytime drive minutes
        sn = list(self.world.station_node)
        drive = tables.from_fac[period][np.ix_(sf, sn)].astype(float) * self._factor[1]
        cover = drive <= MOVE_UP_COVER_MIN
        # Area weights: the replication's calls by nearest station (a proxy of the demand
        # rates the planner knows; only the share per area is used, not times).
        nodes = np.asarray(self._i_node, np.int64)
        near = np.argmin(tables.from_fac[period][sf][:, nodes], axis=0) if nodes.size else []
        weight = np.bincount(np.asarray(near, np.int64), minlength=len(sf)).astype(float)
        q = spec.move_up_busy_fraction
        if spec.move_up == "dmexclp":
            return lambda free, movable: dmexclp_move(free, movable, cover, weight, q)
        table = nested_compliance_table(cover, weight, q, len(self.units))
        return lambda free, movable: compliance_table_move(free, movable, table, drive)

    def _move_up_now(self, hour: int) -> None:
        """Ask the move-up policy for one move of an idle unit on shift and start it."""
        assert self._move_up is not None
        on, units = self._on_shift, self.units
        free = [0] * len(self._idle)
        movable = [0] * len(self._idle)
        for s, idle in enumerate(self._idle):
            n = sum(1 for idx in idle if on(units[idx]))
            free[s] = movable[s] = n
        for r in self._returning.values():
            if on(r):
                free[r.station] += 1
        move = self._move_up(free, movable)
        if move is None:
            return
        a, b = move
        idx = next(i for i in self._idle[a] if on(units[i]))
        u, now = self.units[idx], self.env.now
        self._idle[a].remove(idx)
        u.station = b
        u.trip += 1
        u.status = S.RETURNING
        self._returning[idx] = u
        u.origin_fac, u.origin_node, u.t_origin = self._station_fac[a], -1, now
        u.path, u.path_min = [], None
        back = self.tables.from_facility_min(self._station_fac[a], self.world.station_node[b], hour)
        back += self.world.station_access_min[b]
        heapq.heappush(self._homecoming, (now + back, idx, u.trip))
        self.log.append(now, E.UNIT_RELOCATED, unit=idx, place=b)

    # ----------------------------------------------------------------- where units are

    def _hour(self) -> int:
        return hour_of(self.env.now)

    def _on_shift(self, u: Unit) -> bool:
        if self._down is not None:
            starts, ends = self._down[u.index]
            j = bisect.bisect_right(starts, self.env.now) - 1
            if j >= 0 and self.env.now < ends[j]:
                return False
        if self._duty is not None:
            week_min = int((self._start_min + self.env.now) % (7 * 1440.0))
            return bool(self._duty[u.index][week_min])
        return u.shift == "24h" or DAY_START_H <= self._hour() < DAY_END_H

    def _position(self, u: Unit) -> tuple[int, float]:
        """Node a returning unit has reached along its route, and minutes left to its station.

        Estimated from the elapsed time along the shortest route home (computed once per
        return, only when a dispatch decision needs it; a route out of a facility once per
        facility, station and period, as many returns share it).
        """
        if u.path_min is None:
            t0h = hour_of(u.t_origin)
            station_node = self.world.station_node[u.station]
            # Minutes along the route as from/to_facility_min give them (priority 3).
            tables = self.tables
            period, factor = period_of(t0h, self._period_of_hour), tables.emergency_factor[3]
            if u.origin_fac >= 0:
                key = (u.origin_fac, station_node, period)
                hit = self._return_routes.get(key)
                if hit is None:
                    path = tables.route_nodes(u.origin_fac, station_node, hour=t0h)
                    along = tables.from_fac[period, u.origin_fac, path].astype(np.float64)
                    along *= factor
                    hit = self._return_routes[key] = (path, along.tolist())
                u.path, u.path_min = hit
            else:
                sk = self.world.station_fac[u.station]
                u.path = tables.route_nodes(sk, u.origin_node, hour=t0h, direction="to")
                left = tables.to_facility_min(sk, u.origin_node, t0h)
                along = left - tables.to_fac[period, sk, u.path].astype(np.float64) * factor
                u.path_min = along.tolist()
        path, path_min = u.path, u.path_min
        if not path:
            start = u.origin_node if u.origin_fac < 0 else self.world.station_node[u.station]
            return start, 0.0
        j = bisect.bisect_right(path_min, self.env.now - u.t_origin) - 1
        j = max(0, min(j, len(path) - 1))
        return path[j], path_min[-1] - path_min[j]

    def _drive_min(
        self, u: Unit, node: int, priority: int, hour: int, beat: float = math.inf
    ) -> float:
        """Actual minutes for unit ``u`` to reach ``node`` now (emergency driving).

        With ``beat``, the result is exact only if it is at most ``beat``: otherwise it is
        some value above ``beat`` (a returning unit that cannot win a dispatch need not be
        searched to the end).
        """
        tables = self.tables
        if u.status == S.IDLE_AT_STATION:
            return tables.from_facility_min(self._station_fac[u.station], node, hour, priority)
        bound = self._returning_bound(u, node, priority, hour)
        if bound.exact:
            return bound.eta_min
        if beat < math.inf and bound.eta_min > beat * (1.0 + 1e-9):
            return bound.via_home_min * tables.emergency_factor[priority]
        return self._search_drive(bound, node, priority, hour, beat)

    def _returning_bound(self, u: Unit, node: int, priority: int, hour: int) -> _ReturnBound:
        """A lower bound on a returning unit's minutes to ``node``, from its live position.

        Exact (no search needed) when the unit has just left a facility. Costs the unit's
        position and a landmark bound (table reads), never a route search.
        """
        tables = self.tables
        factor = tables.emergency_factor[priority]
        if u.t_origin == self.env.now and u.origin_fac >= 0:
            eta = tables.from_facility_min(u.origin_fac, node, hour, priority)
            return _ReturnBound(eta, True, -1, 0.0, None)
        pos, left_min = self._position(u)
        # Going home first and out again is never faster than the best route, so it bounds
        # (and localises) the search from the unit's position.
        via_home = left_min + tables.from_facility_min(self._station_fac[u.station], node, hour)
        bounds = tables.landmark_bounds_min(pos, node, hour)
        return _ReturnBound(min(bounds.lower_min, via_home) * factor, False, pos, via_home, bounds)

    def _search_drive(
        self, bound: _ReturnBound, node: int, priority: int, hour: int, beat: float
    ) -> float:
        """The exact drive from the unit's position (a guided search), as ``_drive_min``.

        The result is min(direct, via_home) whatever the search limit, so a tighter limit (a
        route through any facility, strictly above the direct minutes) only makes the search
        cheaper; with ``beat`` the search may stop there: beyond it the unit gets via_home
        minutes, then above ``beat`` as well (the margins cover the rounding of the factor).
        """
        tables = self.tables
        factor = tables.emergency_factor[priority]
        bounds = bound.bounds
        assert bounds is not None
        limit = min(bound.via_home_min, bounds.upper_min, beat / factor * (1.0 + 1e-9))
        direct = self.engine.guided_min(
            bound.pos, node, hour, priority, limit_min=limit, tables=tables, bounds=bounds
        )
        return min(direct, bound.via_home_min * factor)

    def _candidates(
        self, node: int, priority: int, hour: int, nearest: list[int]
    ) -> list[Candidate]:
        """Free units with the dispatcher's estimated minutes to ``node``.

        Idle units at one station are interchangeable: only the lowest-numbered one on shift
        is a candidate. For the policies in ``NEAREST_CANDIDATES_SUFFICE`` only the idle
        candidates that can win are built: ``nearest`` lists the stations nearest first (its
        first is the first-due station), and the walk stops at the first station with a
        candidate slower than the best one (the estimate grows with the drive minutes, so
        ties are all kept).
        """
        if not self._nearest_suffice or self._duty is not None or self._down is not None:
            return self._all_candidates(node, priority, hour)
        day = DAY_START_H <= hour < DAY_END_H
        # from_facility_min(k, node, hour, priority), inlined: the view times the factor.
        from_view, period, factor = (
            self._from_view,
            period_of(hour, self._period_of_hour),
            self._factor[priority],
        )
        station_fac, idle_at, is_24h = self._station_fac, self._idle, self._is_24h
        turnout = self.turnout_mean_min
        out: list[Candidate] = []
        best = math.inf
        for station in nearest:
            for idx in idle_at[station]:  # lowest-numbered unit on shift
                if day or is_24h[idx]:
                    break
            else:
                continue  # no idle unit on shift here
            eta = turnout + from_view[period, station_fac[station], node] * factor
            if eta > best:
                break
            out.append(Candidate(idx, station, eta, True))
            best = eta
        return self._add_returning(out, node, priority, hour)

    def _all_candidates(self, node: int, priority: int, hour: int) -> list[Candidate]:
        """Every free unit as a candidate (one per station with idle units on shift)."""
        tables, world = self.tables, self.world
        out: list[Candidate] = []
        for station, idle in enumerate(self._idle):
            for idx in idle:  # lowest-numbered unit on shift
                if self._on_shift(self.units[idx]):
                    k = world.station_fac[station]
                    eta = self.turnout_mean_min + tables.from_facility_min(k, node, hour, priority)
                    out.append(Candidate(idx, station, eta, True))
                    break
        return self._add_returning(out, node, priority, hour)

    def _add_returning(
        self, out: list[Candidate], node: int, priority: int, hour: int
    ) -> list[Candidate]:
        """Append the returning units to the idle candidates ``out``.

        With live positions a returning unit's time to scene costs a search from its
        position, so a unit is skipped when a lower bound on its time cannot beat the best
        candidate so far.
        """
        if not self._returning:
            return out
        if not self.live_positions and self._nearest_suffice:
            return self._add_returning_at_station(out, node, priority, hour)
        tables, world = self.tables, self.world
        returning: list[tuple[float, Unit]] = []
        for u in self._returning.values():
            if not self._on_shift(u):
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
        if not returning:
            return out
        best = min((c.eta_min for c in out), default=math.inf)
        if not self._nearest_suffice:
            for lb, u in sorted(returning, key=lambda x: (x[0], x[1].index)):
                if lb >= best:
                    break
                eta = self._drive_min(u, node, priority, hour)
                out.append(Candidate(u.index, u.station, eta, False))
                best = min(best, eta)
            return out
        # Cheapest bounds first: a unit's table bound (no position), then its landmark bound
        # from its position, and a route search only for a unit whose bound can still beat
        # the best exact time so far. Units come off the heap by bound, so the search goes
        # first to the unit most likely to win, and its time prunes the others. The choice is
        # the one over every unit's exact time: a unit is dropped only when a bound shows it
        # slower than the best (ties are searched, and lower unit numbers win them).
        heap: list[tuple[float, int, int, _ReturnBound | None]] = [
            (lb, u.index, 0, None) for lb, u in returning
        ]
        heapq.heapify(heap)
        units = self.units
        while heap:
            key, index, _, bound = heapq.heappop(heap)
            if key > best * (1.0 + 1e-9):
                break  # every bound left is above the best: none of them can win
            u = units[index]
            if bound is None:
                if key >= best:
                    continue
                bound = self._returning_bound(u, node, priority, hour)
                if bound.exact:
                    out.append(Candidate(index, u.station, bound.eta_min, False))
                    best = min(best, bound.eta_min)
                else:
                    heapq.heappush(heap, (max(key, bound.eta_min), index, 1, bound))
                continue
            if bound.eta_min > best * (1.0 + 1e-9):
                continue
            eta = self._search_drive(bound, node, priority, hour, best)
            out.append(Candidate(index, u.station, eta, False))
            best = min(best, eta)
        return out

    def _add_returning_at_station(
        self, out: list[Candidate], node: int, priority: int, hour: int
    ) -> list[Candidate]:
        """Returning units as if at their station, only those that can win (no live positions).

        For the policies in ``NEAREST_CANDIDATES_SUFFICE`` a unit slower than the best so far
        cannot be chosen, so it is left out before its shift is checked; each station's time
        is read once (the same float ``from_facility_min`` gives).
        """
        from_view, period, factor = (
            self._from_view,
            period_of(hour, self._period_of_hour),
            self._factor[priority],
        )
        station_fac, turnout, on_shift = self._station_fac, self.turnout_mean_min, self._on_shift
        best = min((c.eta_min for c in out), default=math.inf)
        eta_at: dict[int, float] = {}
        for u in self._returning.values():
            station = u.station
            eta = eta_at.get(station)
            if eta is None:
                eta = eta_at[station] = (
                    turnout + from_view[period, station_fac[station], node] * factor
                )
            if eta > best or not on_shift(u):
                continue
            out.append(Candidate(u.index, station, eta, False))
            best = eta
        return out

    def _nearest_stations(self, node: int, hour: int) -> list[int]:
        """Stations by drive minutes to ``node`` in the current period, first-due first."""
        nearest: list[int] = self._near[period_of(hour, self._period_of_hour), node].tolist()
        return nearest

    def _check(self, u: Unit, new: UnitStatus) -> None:
        """Debug mode: raise unless ``u.status -> new`` is in :data:`JOB_TRANSITIONS`."""
        step = (u.status, new)
        if step not in JOB_TRANSITIONS:
            msg = (
                f"unit {u.index} at t={self.env.now:.6f} min: {u.status.name} -> {new.name} "
                "is not a transition of the ambulance job (JOB_TRANSITIONS)"
            )
            raise JobTransitionError(msg)
        self.transitions_seen.add(step)

    # ----------------------------------------------------------------- dispatching

    def request_unit(self, p: int) -> None:
        """A patient needs an ambulance now: dispatch one or queue the request."""
        now = self.env.now
        if (self._freeing and self._freeing[0][0] <= now) or (
            self._homecoming and self._homecoming[0][0] <= now
        ):
            self._settle(now)
        node, prio = self._i_node[self._p_incident[p]], self._p_priority[p]
        hour = hour_of(now)
        nearest = self._nearest_stations(node, hour)
        choice = self.dispatch_policy(self._candidates(node, prio, hour, nearest), nearest[0])
        if choice is None:
            if self.mci is not None and self.mci.mutual_aid(p):
                return  # local units exhausted: a neighbour's unit goes (sim/model/mci.py)
            heapq.heappush(self.pending, (prio, now, p))
            if self._freeing:
                self._wake_freeing()
            return
        # With live positions a returning winner's estimate is its exact drive (see
        # _add_returning): no second search.
        known = choice.eta_min if self.live_positions and not choice.at_station else None
        self._assign(self.units[choice.unit], p, hour, known)
        if self._move_up is not None:
            self._move_up_now(hour)

    def _assign(self, u: Unit, p: int, hour: int, drive_min: float | None = None) -> None:
        st, env, log = self.state, self.env, self.log
        now = env.now
        i = st.pat["incident"][p]
        node, prio = st.inc["node"][i], st.pat["triage_priority"][p]
        at_station = u.status == S.IDLE_AT_STATION
        if drive_min is None:
            drive_min = self._drive_min(u, node, prio, hour)
        drive = drive_min + st.inc["access_min"][i]
        if at_station:
            self._idle[u.station].remove(u.index)
        else:
            del self._returning[u.index]
            log.append(now, E.UNIT_REDIRECTED, i, p, u.index)
        if self.check_transitions:
            self._check(u, S.DISPATCHED)
        u.status = S.DISPATCHED
        u.trip += 1
        u.path, u.path_min = [], None
        log.append(now, E.AMBULANCE_DISPATCHED, i, p, u.index, u.station)
        turnout = st.pat["turnout_min"][p] if at_station else 0.0
        if turnout > 0:
            self._roll(u, p, turnout, drive)
        else:
            # Wheels roll now: recorded after everything else decided at this instant (e.g.
            # the other patients of the call), where a new process would record it.
            Soon(env, lambda: self._roll(u, p, turnout, drive))

    def _serve_waiting(self, u: Unit) -> bool:
        """Give a free unit the most urgent waiting call; True if it got one."""
        if not self.pending or not self._on_shift(u):
            return False
        _, _, p = heapq.heappop(self.pending)
        self._assign(u, p, self._hour())
        return True

    def shift_changes(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: at each day-shift start, serve waiting calls with day units."""
        env = self.env
        while True:
            t_next = (env.now // 1440.0) * 1440.0 + DAY_START_H * 60.0
            if t_next <= env.now:
                t_next += 1440.0
            yield env.timeout(t_next - env.now)
            self._settle(env.now)
            for u in list(self.units):
                if u.status in (S.IDLE_AT_STATION, S.RETURNING) and self.pending:
                    self._serve_waiting(u)

    # ----------------------------------------------------------------- the job
    # One unit serving one patient until it is free again, as a chain of timed steps (see
    # sim/model/clock.py): turnout and drive, scene, transport, handover, return. Only the
    # scene departure, the end of the handover while a call waits (and, for a patient who
    # needs a resuscitation bay, the hospital arrival) decide anything, so only they are
    # events; the other steps are recorded ahead at their known times. Only IDLE_AT_STATION
    # and RETURNING matter to dispatch, so the status is not updated between those events.

    def _roll(self, u: Unit, p: int, turnout: float, drive: float) -> None:
        """Wheels rolling (WHEELS_ROLLING at its known time); nothing interrupts the drive."""
        env = self.env
        now = env.now
        self.log.append(now + turnout, E.WHEELS_ROLLING, self.state.pat["incident"][p], p, u.index)
        if self.check_transitions:
            self._check(u, S.EN_ROUTE_TO_SCENE)
        u.status = S.EN_ROUTE_TO_SCENE
        if now + (turnout + drive) > now:
            self._on_scene(u, p, turnout + drive)
        else:
            after(env, turnout + drive, lambda: self._on_scene(u, p, 0.0))

    def _on_scene(self, u: Unit, p: int, delay: float) -> None:
        """AMBULANCE_ON_SCENE in ``delay`` minutes (recorded ahead if > 0).

        The scene departure is the next event (the scene arrival too, when an expert
        consultation starts en route).
        """
        env, st = self.env, self.state
        pat = st.pat
        t_scene = env.now + delay  # where a timeout(delay) lands
        st.t_on_scene[p] = t_scene  # read as "on scene by now": t_on_scene <= now
        self.log.append(t_scene, E.AMBULANCE_ON_SCENE, pat["incident"][p], p, u.index)
        if self.mci is not None and self.mci.is_mci(pat["incident"][p]):
            self.mci.on_scene(pat["incident"][p], t_scene)
        experts = self.experts
        if (
            self._consult_en_route
            and experts is not None
            and pat["iss"][p] >= self.mech.expert_consultation.trigger_min_iss
            and pat["severe"][p]
        ):
            if delay:
                after(env, delay, lambda: experts.request(p))
            else:
                experts.request(p)
        after_steps(env, (delay, pat["on_scene_min"][p]), lambda: self._leave_scene(u, p))

    def _leave_scene(self, u: Unit, p: int) -> None:
        """Scene time over: PATIENT_NOT_TRANSPORTED, or the destination and SCENE_DEPARTED.

        A transport may be escorted (ESCORT_APPLIED). The hospital arrival and, when no
        resuscitation bay is needed, the whole handover are recorded ahead.
        """
        env, log, st = self.env, self.log, self.state
        now = env.now
        pat, inc = st.pat, st.inc
        i = pat["incident"][p]
        node = inc["node"][i]
        if not pat["transport_needed"][p]:
            log.append(now, E.PATIENT_NOT_TRANSPORTED, i, p, u.index)
            self._start_return(u, -1, node)
            return
        # The decisions are pure functions (sim/policies/): this reads the state they need
        # and records what they decide.
        dest = self.dest
        severe = pat["severe"][p]
        police_there = st.t_police_on_scene[i] <= now
        judged = judged_severe(
            trauma=inc["mechanism"][i] != NON_TRAUMA,
            severe=severe,
            u_under=pat["u_undertriage"][p],
            u_over=pat["u_overtriage"][p],
            undertriage=dest.undertriage,
            overtriage=dest.overtriage,
            consult_started=st.t_consult_start[p] <= now,
            undertriage_left=self._undertriage_left,
        )
        hour = self._hour()
        prio = pat["triage_priority"][p]
        minutes = self._to_hospitals_min(node, hour, prio)
        h = self.destination_policy(minutes, self.hospital_tiers, judged, dest.severe_tiers)
        if self.hospitals.diverting:
            h = self.divert(i, p, u.index, minutes, judged, h)
        if prenotifies(
            judged_severe=judged,
            u_prenotify=pat["u_prenotify"][p],
            prenotify_share=self._prenotify_share,
            police_relay=self._police_prenotify and police_there and inc["police_prenotify"][i],
        ):
            st.prenotified[p] = True  # decided now, recorded on arrival
        access = inc["access_min"][i]
        transport = minutes[h] + access + self.hospital_access[h]
        if escort_applies(
            congestion_removed=self._escort_removed,
            escorted=inc["escorted"][i],
            police_on_scene=police_there,
        ):
            escorted = (
                self.tables.to_facility_min(
                    self.hospital_fac[h],
                    node,
                    hour,
                    prio,
                    congestion_removed=self._escort_removed,
                )
                + access
                + self.hospital_access[h]
            )
            log.append(now, E.ESCORT_APPLIED, i, p, u.index, h, transport - escorted)
            transport = escorted
        log.append(now, E.SCENE_DEPARTED, i, p, u.index, h)
        if self.check_transitions:
            self._check(u, S.TRANSPORTING)
        u.status = S.TRANSPORTING
        if severe or not now + transport > now:
            # A severe patient needs a resuscitation bay: the handover depends on the bays at
            # arrival, an event.
            after(env, transport, lambda: self._at_hospital(u, p, h))
            return
        log.append(now + transport, E.HOSPITAL_ARRIVED, i, p, u.index, h)
        # With no call waiting, the end of the handover is settled lazily, like an arrival
        # home (_settle): nothing decides anything then. A call queued later wakes the crew
        # (_wake_freeing).
        t_free = self.hospitals.handover(
            p,
            h,
            u.index,
            transport,
            lambda: self._handed_over(u, h),
            lazy=self.lazy_settle and not self.pending,
        )
        if t_free is not None:
            entry = (t_free, self._n_freeing, u.index, h, p, now + transport)
            heapq.heappush(self._freeing, entry)
            self._n_freeing += 1

    def divert(self, i: int, p: int, unit: int, minutes: list[float], judged: bool, h: int) -> int:
        """The destination ``h`` unless it is on diversion: then the next capable open one.

        Appends PATIENT_DIVERTED (place = the closed hospital, value = extra minutes).
        """
        closed = self.hospitals.closed
        if not closed[h]:
            return h
        h2 = open_destination(
            minutes,
            self.hospital_tiers,
            judged,
            self.dest.severe_tiers,
            closed,
            self.destination_policy,
        )
        if h2 != h:
            extra_min = minutes[h2] - minutes[h]
            self.log.append(self.env.now, E.PATIENT_DIVERTED, i, p, unit, h, extra_min)
        return h2

    def hospital_minutes(self, node: int, hour: int, priority: int) -> list[float]:
        """Drive minutes from ``node`` to every hospital (as ``to_facility_min`` gives them)."""
        return self._to_hospitals_min(node, hour, priority)

    def _to_hospitals_min(self, node: int, hour: int, priority: int) -> list[float]:
        """Drive minutes from ``node`` to every hospital (as ``to_facility_min`` gives them)."""
        factor = self.tables.emergency_factor[priority]
        row: list[float] = self._hospital_rows[period_of(hour, self._period_of_hour), node].tolist()
        return [m * factor for m in row]

    def _at_hospital(self, u: Unit, p: int, h: int) -> None:
        """HOSPITAL_ARRIVED with a patient who needs a bay; the handover waits for one."""
        env = self.env
        if self.check_transitions:
            self._check(u, S.AT_HOSPITAL)
        u.status = S.AT_HOSPITAL
        self.log.append(env.now, E.HOSPITAL_ARRIVED, self.state.pat["incident"][p], p, u.index, h)
        self.hospitals.handover(p, h, u.index, 0.0, lambda: self._handed_over(u, h))

    def _handed_over(self, u: Unit, h: int) -> None:
        """The crew is free at hospital ``h``: it returns (or takes a waiting call)."""
        self._start_return(u, self.hospital_fac[h], self.world.hospital_node[h])

    # ----------------------------------------------------------------- returning

    def _start_return(
        self, u: Unit, origin_fac: int, origin_node: int, t_free: float | None = None
    ) -> None:
        """The crew is free (now, or at ``t_free`` when settled lazily): it heads home.

        A waiting call takes it at once instead (never when settled lazily: then no call was
        waiting, see :meth:`_wake_freeing`).
        """
        now = self.env.now if t_free is None else t_free
        if self.check_transitions:
            self._check(u, S.RETURNING)
        u.status = S.RETURNING
        self._returning[u.index] = u
        u.origin_fac, u.origin_node, u.t_origin = origin_fac, origin_node, now
        u.path, u.path_min = [], None
        if t_free is None and self.pending and self._serve_waiting(u):
            return
        hour = hour_of(now)
        if origin_fac >= 0:
            back = self.tables.from_facility_min(
                origin_fac, self.world.station_node[u.station], hour
            )
        else:
            back = self.tables.to_facility_min(self._station_fac[u.station], origin_node, hour)
        back += self.world.station_access_min[u.station]
        t_home = now + back  # where a timeout(back) would land
        if t_home > now and not self.lazy_settle:  # eager: the arrival is its own event
            trip = u.trip
            at_time(self.env, t_home, lambda: self._arrived_home(u, trip, t_home))
        elif t_home > now:
            # No event: nothing happens on arrival but the status change, which only the
            # dispatcher reads, so it is settled when the dispatcher next looks
            # (:meth:`_settle`). A redirect makes the entry void.
            heapq.heappush(self._homecoming, (t_home, u.index, u.trip))
        elif t_free is not None:  # settled late: home at once, at t_free
            self._arrived_home(u, u.trip, t_home)
        else:  # home at once: after the current step, as a zero-delay timeout would
            trip = u.trip
            after(self.env, back, lambda: self._arrived_home(u, trip, self.env.now))

    def _settle(self, until: float) -> None:
        """Apply what happened by ``until`` without an event, in time order per kind.

        Crews free at a hospital start home (:meth:`_start_return` at their time), then units
        whose drive home ended are idle at their station. The dispatcher calls this before it
        looks at the fleet; the order between the two kinds only changes the order in which
        records of different times are appended (the log is sorted by time).
        """
        freeing = self._freeing
        while freeing and freeing[0][0] <= until:
            t_free, _, index, h, p, t_arrival = heapq.heappop(freeing)
            self._free_late(t_free, self.units[index], h, p, t_arrival)
        heap = self._homecoming
        while heap and heap[0][0] <= until:
            t_home, index, trip = heapq.heappop(heap)
            self._arrived_home(self.units[index], trip, t_home)

    def _free_late(self, t_free: float, u: Unit, h: int, p: int, t_arrival: float) -> None:
        """The handover ended at ``t_free`` (before now) with no call waiting: crew heads home."""
        fac, node = self.hospital_fac[h], self.world.hospital_node[h]
        self.hospitals.handover_ended(
            p, h, t_arrival, lambda: self._start_return(u, fac, node, t_free), at=t_free
        )

    def _wake_freeing(self) -> None:
        """A call is waiting: crews still at a hospital get their event, to take it when free."""
        for t_free, _, index, h, p, t_arrival in sorted(self._freeing):
            self._free_at(t_free, self.units[index], h, p, t_arrival)
        self._freeing.clear()

    def _free_at(self, t_free: float, u: Unit, h: int, p: int, t_arrival: float) -> None:
        """The handover's own event, at exactly ``t_free``, as if it had never been lazy."""
        hospitals = self.hospitals
        at_time(
            self.env,
            t_free,
            lambda: hospitals.handover_ended(p, h, t_arrival, lambda: self._handed_over(u, h)),
        )

    def _arrived_home(self, u: Unit, trip: int, t_home: float) -> None:
        """The unit reached its station at ``t_home`` (UNIT_AT_STATION), unless redirected."""
        if u.trip != trip or u.status is not S.RETURNING:
            return
        if self.check_transitions:
            self._check(u, S.IDLE_AT_STATION)
        u.status = S.IDLE_AT_STATION
        del self._returning[u.index]
        bisect.insort(self._idle[u.station], u.index)
        self.log.append(t_home, E.UNIT_AT_STATION, unit=u.index, place=u.station)

    def finish(self, horizon_min: float) -> None:
        """End of the run: settle the crews freed and the arrivals home before ``horizon_min``.

        An event due exactly at the horizon never runs, so neither does what is settled at it.
        """
        self._settle(math.nextafter(horizon_min, -math.inf))
