"""Time-of-day and priority-aware travel times on a :class:`~sim.network.core.RoadNetwork`.

This module turns free-flow edge minutes into the drive times the simulation uses:

* :class:`TravelSpec` is the scenario's ``[travel]`` section (congestion profile per road class
  and hour, emergency-driving factor per dispatch priority, off-network access speed, snap
  limit).
* :class:`TravelEngine` builds one edge-weight vector per *period* (hours with the same
  congestion multipliers share a period; period 0 is always free flow), answers rare
  node-to-node queries with a small LRU cache, and precomputes :class:`TravelTables`.
* :class:`TravelTables` holds one-to-all (``from_fac``) and all-to-one (``to_fac``) Dijkstra
  tables for a fixed list of facility nodes (stations, hospitals, police posts) and answers
  lookups in O(1) with plain Python floats: this is what the simulation's hot loop calls.

Clock convention: the simulation clock ``t`` is in minutes and ``t = 0`` is midnight at the
start of day 1, so the hour of day is ``int(t // 60) % 24`` (:func:`hour_of`). A trip takes the
period of the hour in which it *starts* for its whole length (no mid-trip period switch).

This module does no I/O, draws no random numbers and never changes the network.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from pydantic import Field, field_validator
from scipy.sparse.csgraph import dijkstra

from sim.config.spec_base import Spec
from sim.core.units import HOURS_PER_DAY, hour_of  # noqa: F401  (hour_of re-exported)
from sim.network.core import ROAD_CLASS_CODE, ROAD_CLASSES, RoadNetwork

PRIORITIES: tuple[int, ...] = (1, 2, 3)
DEFAULT_ROW = "default"
_NO_PREDECESSOR = -9999  # scipy.sparse.csgraph's marker

Direction = Literal["from", "to"]


def _hourly(night: float, shoulder: float, day: float, peak: float) -> tuple[float, ...]:
    """24 hourly multipliers from four levels (same hour pattern for every road class).

    Night 22:00-05:59, shoulder 06, 09, 16, 19-21, daytime 10:00-15:59, peaks 07-08 and 17-18.
    Sharing one hour pattern keeps the number of distinct periods (and table memory) at four.
    """
    level = {"n": night, "s": shoulder, "d": day, "p": peak}
    pattern = "nnnnnn" + "spps" + "dddddd" + "spps" + "ss" + "nn"
    return tuple(level[c] for c in pattern)


def default_congestion_profile() -> dict[str, tuple[float, ...]]:
    """Default weekday congestion multipliers per road class (an assumption, see TravelSpec)."""
    return {
        "motorway": _hourly(1.0, 1.15, 1.1, 1.35),
        "trunk": _hourly(1.0, 1.25, 1.15, 1.5),
        "primary": _hourly(1.0, 1.35, 1.25, 1.7),
        "secondary": _hourly(1.0, 1.35, 1.25, 1.65),
        "tertiary": _hourly(1.0, 1.3, 1.2, 1.55),
        "residential": _hourly(1.0, 1.15, 1.1, 1.3),
        "service": _hourly(1.0, 1.05, 1.05, 1.15),
        DEFAULT_ROW: _hourly(1.0, 1.15, 1.1, 1.3),
    }


def default_emergency_factors() -> dict[int, float]:
    """Default emergency-driving time multipliers per dispatch priority."""
    return {1: 0.85, 2: 0.9, 3: 1.0}


class TravelSpec(Spec):
    """The scenario's ``[travel]`` section: how free-flow minutes become drive minutes."""

    congestion_profile: dict[str, tuple[float, ...]] = Field(
        default_factory=default_congestion_profile,
        description=(
            "Hourly travel-time multipliers (dimensionless, 24 values for hours 0..23, "
            ">= 1.0 means slower than free flow) per road class; keys are road class names "
            f"({', '.join(ROAD_CLASSES)}) plus a 'default' row used for classes not listed "
            "(without a 'default' row, unlisted classes run at free flow). Hours with equal "
            "multipliers for every class share one routing period. The default is an "
            "ASSUMPTION for a Chinese-city weekday: peaks 07-08 and 17-18 at 1.55-1.7 on "
            "primary/secondary/tertiary, 1.5 trunk, 1.35 motorway, 1.3 residential, 1.15 "
            "service; daytime 1.1-1.25; shoulder hours 06, 09, 16, 19-21 at 1.05-1.35; night "
            "1.0. Scale from the AMap (Gaode) China Urban Traffic Report, which puts Hangzhou's "
            "peak congestion delay index (peak over free-flow travel time) at about 1.5-1.8 [S]. "
            "Replace with local floating-car data (per road class and hour) when available."
        ),
    )
    emergency_factor_by_priority: dict[int, float] = Field(
        default_factory=default_emergency_factors,
        description=(
            "Drive-time multiplier (dimensionless) per dispatch priority (1 = most urgent), "
            "applied to every response and transport leg of that priority; give all of 1, 2, "
            "3. Default {1: 0.85, 2: 0.9, 3: 1.0}: lights and sirens save about 10-30 % of "
            "urban response drive time (Ho 1998 Ann Emerg Med: 3.02 min, 38.5 %; Brown 2000 "
            "Prehosp Emerg Care: 1.76 min; evidence.md section 4.2), taken conservatively "
            "because the profile already sets peak-hour delays."
        ),
    )
    signal_delay_factor: float = Field(
        default=1.0,
        ge=1.0,
        le=3.0,
        description=(
            "Multiplier (dimensionless, every hour) on drive times of all road classes but "
            "motorways, for signal and intersection delays that routing-engine free-flow "
            "speeds leave out (the Hangzhou extracts' speeds are OSRM free flow without signal "
            "delays, ../shared/networks/README.md). Default 1.0 (none); the Hangzhou scenario "
            "calibrates it against published Chinese response times (docs/calibration.md). "
            "An escort's congestion_removed share also removes this delay (signal priority)."
        ),
    )
    access_speed_kph: float = Field(
        default=15.0,
        gt=0,
        description=(
            "Speed in km/h over the straight-line distance between a point (incident, "
            "facility) and its nearest road node. Default 15 km/h is an ASSUMPTION: walking "
            "or slow driving over the last metres through compounds and lanes not in the map."
        ),
    )
    snap_limit_m: float = Field(
        default=1000.0,
        gt=0,
        description=(
            "Largest allowed distance in metres from a point to its nearest road node; a "
            "farther point is rejected with an error rather than silently moved. Default "
            "1000 m (an assumption: the extract's edge is a few hundred metres from some "
            "hospitals)."
        ),
    )

    @field_validator("congestion_profile")
    @classmethod
    def _check_profile(cls, value: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
        allowed = (*ROAD_CLASSES, DEFAULT_ROW)
        for name, row in value.items():
            if name not in allowed:
                msg = f"unknown road class {name!r}; allowed: {', '.join(allowed)}"
                raise ValueError(msg)
            if len(row) != HOURS_PER_DAY:
                msg = f"row {name!r} needs 24 hourly values (hours 0..23), got {len(row)}"
                raise ValueError(msg)
            if not all(math.isfinite(x) and x > 0 for x in row):
                msg = f"row {name!r}: every multiplier must be finite and > 0"
                raise ValueError(msg)
        return value

    @field_validator("emergency_factor_by_priority")
    @classmethod
    def _check_emergency(cls, value: dict[int, float]) -> dict[int, float]:
        if set(value) != set(PRIORITIES):
            msg = (
                "give one factor for each priority "
                f"{', '.join(map(str, PRIORITIES))}; got keys {sorted(value)}"
            )
            raise ValueError(msg)
        if not all(math.isfinite(x) and x > 0 for x in value.values()):
            msg = "every factor must be finite and > 0"
            raise ValueError(msg)
        return value

    def class_multipliers(self) -> np.ndarray:
        """float64 array (24, len(ROAD_CLASSES)): the multiplier of each hour and road class."""
        base = self.congestion_profile.get(DEFAULT_ROW, (1.0,) * HOURS_PER_DAY)
        out = np.empty((HOURS_PER_DAY, len(ROAD_CLASSES)), dtype=np.float64)
        for name, code in ROAD_CLASS_CODE.items():
            out[:, code] = self.congestion_profile.get(name, base)
            if name != "motorway":
                out[:, code] *= self.signal_delay_factor
        return out


def _periods(
    hour_multipliers: np.ndarray, used_classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Group hours with identical multipliers (on the classes present) into periods.

    Returns ``(period_multipliers, period_of_hour)``; period 0 is free flow (all 1.0) whether
    or not an hour maps to it.
    """
    n_classes = hour_multipliers.shape[1]
    periods: list[np.ndarray] = [np.ones(n_classes)]
    keys: list[tuple[float, ...]] = [tuple(np.ones(int(used_classes.sum())).tolist())]
    period_of_hour = np.zeros(HOURS_PER_DAY, dtype=np.int64)
    for hour in range(HOURS_PER_DAY):
        row = hour_multipliers[hour]
        key = tuple(row[used_classes].tolist())
        if key in keys:
            period_of_hour[hour] = keys.index(key)
        else:
            keys.append(key)
            periods.append(row.copy())
            period_of_hour[hour] = len(periods) - 1
    return np.vstack(periods), period_of_hour


def _path_from_predecessors(pred: np.ndarray, start: int, node: int) -> list[int]:
    """Walk a predecessor row back from ``node`` to ``start``; empty list if unreachable."""
    if node == start:
        return [start]
    # A memoryview yields Python ints ~3x faster than indexing the array.
    row = np.ascontiguousarray(pred).data
    path = [node]
    current = node
    while current != start:
        current = row[current]
        if current == _NO_PREDECESSOR:
            return []
        path.append(current)
    return path


def _tree_walk(
    dist: memoryview, pred: memoryview, tree: tuple[int, int], start: int, stop: int
) -> list[int] | None:
    """Nodes from ``start`` up a shortest-path tree to ``stop`` (both included), if above it.

    ``tree`` is (period, facility) into the ``dist``/``pred`` views. Every node up the tree is
    nearer its root, so the walk gives up once it is nearer than ``stop`` (float32 rounding is
    monotone, so that test never cuts a walk that would have reached ``stop``).
    """
    period, k = tree
    d_stop = dist[period, k, stop]
    route = [start]
    x = start
    while x != stop and dist[period, k, x] >= d_stop:
        x = pred[period, k, x]
        if x < 0:
            return None
        route.append(x)
    return route if x == stop else None


class LandmarkBounds(NamedTuple):
    """Bounds on a node-to-node drive, from :meth:`TravelTables.landmark_bounds_min`.

    Attributes
    ----------
    lower_min, upper_min
        Congested minutes (no emergency factor) below and above the exact drive.
    k_from, k_to
        Facilities giving the lower bound through the tables from them and to them.
    """

    lower_min: float
    upper_min: float
    k_from: int
    k_to: int


@dataclass(eq=False)
class TravelTables:
    """Precomputed drive minutes between facility nodes and every network node.

    Built by :meth:`TravelEngine.build_tables`; do not construct directly. Facility ``k`` is
    the ``k``-th entry of ``facility_nodes``. Lookups return plain Python floats in minutes;
    ``math.inf`` means unreachable (cannot happen within one strongly connected network).

    Attributes
    ----------
    facility_nodes
        Node index of each facility, in the order given to ``build_tables``.
    period_of_hour
        int array (24,): routing period of each hour of day.
    from_fac, to_fac
        float32 arrays (periods, facilities, nodes): minutes from facility ``k`` to each node,
        and from each node to facility ``k``, at congested speed (no emergency factor).
    emergency_factor
        Time multiplier per dispatch priority.
    """

    facility_nodes: tuple[int, ...]
    period_of_hour: np.ndarray
    from_fac: np.ndarray
    to_fac: np.ndarray
    emergency_factor: dict[int, float]
    _pred_from: np.ndarray = field(repr=False)
    _pred_to: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        for arr in (self.from_fac, self.to_fac, self._pred_from, self._pred_to):
            arr.flags.writeable = False
        # memoryview indexing returns Python floats directly: ~40 ns against ~75 ns for
        # ndarray.item() or float(arr[...]) (measured), and this sits in the hot loop.
        self._from_mv = self.from_fac.data
        self._to_mv = self.to_fac.data
        self._pred_from_mv = self._pred_from.data
        self._pred_to_mv = self._pred_to.data
        self._period_list: list[int] = [int(p) for p in self.period_of_hour]
        self._cache: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}

    @property
    def from_view(self) -> memoryview:
        """Read-only memoryview of ``from_fac``: ``view[period, k, node]`` is a Python float.

        For hot loops; ``from_facility_min`` is this times the emergency factor.
        """
        return self._from_mv

    @property
    def n_facilities(self) -> int:
        """Number of facilities (rows of each table)."""
        return len(self.facility_nodes)

    @property
    def n_periods(self) -> int:
        """Number of routing periods (period 0 is free flow)."""
        return int(self.from_fac.shape[0])

    @property
    def has_routes(self) -> bool:
        """Whether predecessor arrays were kept (needed by :meth:`route_nodes`)."""
        return self._pred_from.size > 0 or self.from_fac.size == 0

    @property
    def nbytes(self) -> int:
        """Memory held by the distance and predecessor tables, in bytes."""
        return int(
            self.from_fac.nbytes
            + self.to_fac.nbytes
            + self._pred_from.nbytes
            + self._pred_to.nbytes
        )

    def from_facility_min(
        self,
        k: int,
        node: int,
        hour: int,
        priority: int = 3,
        *,
        congestion_removed: float = 0.0,
        route_factor: float = 1.0,
    ) -> float:
        """Drive minutes from facility ``k`` to ``node`` starting at ``hour``.

        Parameters
        ----------
        k
            Facility index (position in ``facility_nodes``).
        node
            Destination node index.
        hour
            Hour of day of departure (taken modulo 24; see :func:`hour_of`).
        priority
            Dispatch priority (1 = most urgent); selects the emergency-driving factor.
        congestion_removed
            Share (0..1) of the congestion delay removed on this trip, e.g. by a police escort
            or green wave: ``ff + (congested - ff) * (1 - congestion_removed)``.
        route_factor
            Extra time multiplier for this trip (1.0 = none).

        Returns
        -------
        float
            Minutes; ``math.inf`` if unreachable.
        """
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        minutes: float = self._from_mv[period, k, node]
        if congestion_removed:
            free_min: float = self._from_mv[0, k, node]
            minutes = free_min + (minutes - free_min) * (1.0 - congestion_removed)
        return minutes * self.emergency_factor[priority] * route_factor

    def to_facility_min(
        self,
        k: int,
        node: int,
        hour: int,
        priority: int = 3,
        *,
        congestion_removed: float = 0.0,
        route_factor: float = 1.0,
    ) -> float:
        """Drive minutes from ``node`` to facility ``k`` starting at ``hour``.

        Parameters are as in :meth:`from_facility_min` (``node`` is the origin here).
        """
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        minutes: float = self._to_mv[period, k, node]
        if congestion_removed:
            free_min: float = self._to_mv[0, k, node]
            minutes = free_min + (minutes - free_min) * (1.0 - congestion_removed)
        return minutes * self.emergency_factor[priority] * route_factor

    def from_facilities_min(self, node: int, hour: int, priority: int = 3) -> np.ndarray:
        """float64 array (facilities,): minutes from every facility to ``node`` at ``hour``."""
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        factor = self.emergency_factor[priority]
        return self.from_fac[period, :, node].astype(np.float64) * factor

    def to_facilities_min(self, node: int, hour: int, priority: int = 3) -> np.ndarray:
        """float64 array (facilities,): minutes from ``node`` to every facility at ``hour``."""
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        factor = self.emergency_factor[priority]
        return self.to_fac[period, :, node].astype(np.float64) * factor

    def nearest_order(self, ks: Sequence[int]) -> np.ndarray:
        """Facilities ``ks`` sorted by drive minutes to each node, per period (computed once).

        Parameters
        ----------
        ks
            Facility indices, e.g. the stations.

        Returns
        -------
        numpy.ndarray
            Read-only int array (periods, nodes, len(ks)): row ``[period, node]`` lists
            positions into ``ks``, nearest (``from_fac``) first; equal minutes keep the order of
            ``ks``, so element 0 is ``argmin``. Cached per ``ks`` on these (immutable) tables:
            replications sharing a world pay for the sort once.
        """

        def build(key: list[int]) -> np.ndarray:
            dtype = np.int16 if len(key) < np.iinfo(np.int16).max else np.int64
            minutes = self.from_fac[:, key, :]
            return np.argsort(minutes, axis=1, kind="stable").transpose(0, 2, 1).astype(dtype)

        return self._cached("nearest_order", ks, build)

    def to_facilities_rows(self, ks: Sequence[int]) -> np.ndarray:
        """Minutes from each node to facilities ``ks``, one row per (period, node) (cached).

        Parameters
        ----------
        ks
            Facility indices, e.g. the hospitals.

        Returns
        -------
        numpy.ndarray
            Read-only float32 array (periods, nodes, len(ks)): ``to_fac[:, ks, :]`` with the
            facilities last, so one node's minutes to all of them are contiguous (congested,
            no emergency factor). Cached per ``ks``, like :meth:`nearest_order`.
        """
        return self._cached("to_rows", ks, lambda key: self.to_fac[:, key, :].transpose(0, 2, 1))

    def _cached(
        self, what: str, ks: Sequence[int], build: Callable[[list[int]], np.ndarray]
    ) -> np.ndarray:
        """A read-only, contiguous per-facilities array, built once per (kind, facilities)."""
        key = (what, tuple(int(k) for k in ks))
        arr = self._cache.get(key)
        if arr is None:
            arr = np.ascontiguousarray(build(list(key[1])))
            arr.flags.writeable = False
            self._cache[key] = arr
        return arr

    def landmark_bounds_min(self, u: int, v: int, hour: int) -> LandmarkBounds:
        """Bounds on the congested minutes from node ``u`` to node ``v``, every facility a landmark.

        By the triangle inequality ``d(k, v) <= d(k, u) + d(u, v)`` and
        ``d(u, k) <= d(u, v) + d(v, k)`` for every facility ``k``; the upper bound is the best
        route through a facility. The tables are float32: margins of 1e-6 relative (far above
        float32 rounding and float64 summation error) keep each bound strictly on its side of
        the exact float64 minutes.

        Parameters
        ----------
        u, v
            Origin and destination node indices.
        hour
            Hour of day of departure (selects the period).

        Returns
        -------
        LandmarkBounds
            ``lower_min``, ``upper_min`` (no emergency factor) and the facilities giving the
            lower bound, for :meth:`tree_route` (0, inf and -1 without facilities).
        """
        if not self.facility_nodes:
            return LandmarkBounds(0.0, math.inf, -1, -1)
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        from_fac, to_fac = self.from_fac[period], self.to_fac[period]
        to_u = to_fac[:, u].astype(np.float64)
        to_v = to_fac[:, v].astype(np.float64)
        from_u = from_fac[:, u].astype(np.float64)
        from_v = from_fac[:, v].astype(np.float64)
        upper = float((to_u + from_v).min()) * (1.0 + 1e-6) + 1e-9
        via_from = from_v - from_u - 1e-6 * (from_v + from_u)
        via_to = to_u - to_v - 1e-6 * (to_u + to_v)
        k_from, k_to = int(via_from.argmax()), int(via_to.argmax())
        lower = max(0.0, float(via_from[k_from]), float(via_to[k_to]))
        return LandmarkBounds(lower, upper, k_from, k_to)

    def tree_route(self, u: int, v: int, hour: int, bounds: LandmarkBounds) -> list[int] | None:
        """The fastest route from ``u`` to ``v`` read off a facility's shortest-path tree.

        If ``u`` lies on the fastest route from facility ``k`` to ``v``, the rest of that route
        is a fastest route from ``u`` to ``v`` (a part of a shortest path is a shortest path);
        likewise if ``v`` lies on the fastest route from ``u`` to facility ``k``. The facilities
        tried are the two that give ``bounds.lower_min``: when that bound is tight, their
        routes pass through both nodes. Costs one step per node of the route, against a
        Dijkstra search of the whole neighbourhood.

        Parameters
        ----------
        u, v
            Origin and destination node indices.
        hour
            Hour of day of departure (selects the period).
        bounds
            From :meth:`landmark_bounds_min` for the same ``u``, ``v`` and ``hour``.

        Returns
        -------
        list[int] or None
            Node indices from ``u`` to ``v`` in driving order (``[u]`` if ``u == v``), or None
            if neither tree contains such a route (then search, e.g.
            :meth:`TravelEngine.node_to_node_min`). None also without predecessor tables.
        """
        if not self.has_routes or bounds.k_from < 0:
            return None
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        # Forward tree of k_from: walk back from v to u, then reverse.
        back = _tree_walk(self._from_mv, self._pred_from_mv, (period, bounds.k_from), v, u)
        if back is not None:
            back.reverse()
            return back
        # Reverse tree of k_to: its predecessor of a node is the next node towards k.
        return _tree_walk(self._to_mv, self._pred_to_mv, (period, bounds.k_to), u, v)

    def route_nodes(
        self, k: int, node: int, *, hour: int, direction: Direction = "from"
    ) -> list[int]:
        """Node path of the fastest route between facility ``k`` and ``node`` (for maps).

        Parameters
        ----------
        k
            Facility index.
        node
            The other end of the route.
        hour
            Hour of day; selects the period whose fastest route is returned.
        direction
            ``"from"``: facility → node; ``"to"``: node → facility.

        Returns
        -------
        list[int]
            Node indices in driving order, both ends included; empty if unreachable.
        """
        if direction not in ("from", "to"):
            msg = f"direction must be 'from' or 'to', got {direction!r}"
            raise ValueError(msg)
        if not self.has_routes:
            msg = "these tables were built with with_routes=False"
            raise RuntimeError(msg)
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        facility = self.facility_nodes[k]
        if direction == "from":
            return _path_from_predecessors(self._pred_from[period, k], facility, node)[::-1]
        # On the reversed graph the predecessor of v is the next node towards the facility.
        return _path_from_predecessors(self._pred_to[period, k], facility, node)


class TravelEngine:
    """Per-period edge weights, on-demand node-to-node times and facility tables.

    Parameters
    ----------
    network
        The road network (free-flow ``travel_min`` per edge).
    spec
        The ``[travel]`` section; defaults to :class:`TravelSpec` defaults.
    row_cache_size
        How many single-source rows :meth:`node_to_node_min` keeps (LRU, ~8 bytes per node
        each).

    Attributes
    ----------
    period_of_hour
        int array (24,): period index of each hour of day (0 = free flow).
    period_multipliers
        float64 array (periods, road classes): multiplier of each class in each period.
    """

    def __init__(
        self, network: RoadNetwork, spec: TravelSpec | None = None, *, row_cache_size: int = 64
    ) -> None:
        self.network = network
        self.spec = spec if spec is not None else TravelSpec()
        used = np.zeros(len(ROAD_CLASSES), dtype=bool)
        used[np.unique(network.road_class)] = True
        self.period_multipliers, self.period_of_hour = _periods(self.spec.class_multipliers(), used)
        self._period_list: list[int] = [int(p) for p in self.period_of_hour]
        travel_min = np.asarray(network.travel_min, dtype=np.float64)
        classes = np.asarray(network.road_class, dtype=np.intp)
        self._weights: list[np.ndarray] = [
            travel_min * row[classes] for row in self.period_multipliers
        ]
        self._forward = [network.csr(w) for w in self._weights]
        self._weight_mvs = [w.data for w in self._weights]
        self._csr_lists: tuple[list[int], list[int]] | None = None
        self._edge_ends: tuple[np.ndarray, np.ndarray] | None = None
        self._reduced = threading.local()  # per thread: {period: csr matrix of A* costs}
        self._row_lock = threading.Lock()
        self._reverse = [g.T.tocsr() for g in self._forward]
        self._emergency = dict(self.spec.emergency_factor_by_priority)
        self._row_cache: OrderedDict[tuple[int, int], tuple[float, memoryview]] = OrderedDict()
        self._row_cache_size = max(1, int(row_cache_size))

    @property
    def n_periods(self) -> int:
        """Number of routing periods (period 0 is free flow)."""
        return len(self._weights)

    def edge_weights(self, period: int) -> np.ndarray:
        """float64 array (edges,): edge minutes in ``period`` (before emergency factors)."""
        return self._weights[period]

    def build_tables(
        self, facility_nodes: Sequence[int], *, with_routes: bool = True
    ) -> TravelTables:
        """Run Dijkstra from and to every facility node in every period.

        Parameters
        ----------
        facility_nodes
            Node index of each facility (duplicates allowed: routed once, looked up by ``k``).
        with_routes
            Keep int32 predecessor arrays for :meth:`TravelTables.route_nodes` (doubles the
            memory); False when only minutes are needed.

        Returns
        -------
        TravelTables
            float32 minutes ``(periods, facilities, nodes)`` both ways (plus predecessors).
            Memory is ``8 * periods * facilities * nodes`` bytes, twice that with routes:
            Hangzhou west (13k nodes, simplified), 50 facilities, 4 periods is ~20 MB,
            ~40 MB with routes.
        """
        nodes = np.asarray(facility_nodes, dtype=np.int64).reshape(-1)
        n = self.network.n_nodes
        if nodes.size and (nodes.min() < 0 or nodes.max() >= n):
            msg = f"facility node indices must be in 0..{n - 1}"
            raise ValueError(msg)
        unique, inverse = np.unique(nodes, return_inverse=True)
        shape = (self.n_periods, nodes.size, n)
        from_fac = np.empty(shape, dtype=np.float32)
        to_fac = np.empty(shape, dtype=np.float32)
        pred_shape = shape if with_routes else (0, 0, 0)
        pred_from = np.empty(pred_shape, dtype=np.int32)
        pred_to = np.empty(pred_shape, dtype=np.int32)
        if unique.size:
            for p in range(self.n_periods):
                for graph, dist_out, pred_out in (
                    (self._forward[p], from_fac, pred_from),
                    (self._reverse[p], to_fac, pred_to),
                ):
                    if with_routes:
                        dist, pred = dijkstra(
                            graph, directed=True, indices=unique, return_predecessors=True
                        )
                        pred_out[p] = pred[inverse]
                    else:
                        dist = dijkstra(graph, directed=True, indices=unique)
                    dist_out[p] = dist[inverse]
        return TravelTables(
            facility_nodes=tuple(int(x) for x in nodes),
            period_of_hour=self.period_of_hour.copy(),
            from_fac=from_fac,
            to_fac=to_fac,
            emergency_factor=dict(self._emergency),
            _pred_from=pred_from,
            _pred_to=pred_to,
        )

    def _row(self, period: int, source: int, limit_min: float = math.inf) -> memoryview:
        """Single-source minutes from ``source`` in ``period`` (LRU cached).

        With ``limit_min`` the search stops there (nodes beyond read ``inf``): far cheaper
        for local queries. A cached row answers any query up to the limit it was built with.
        """
        key = (period, source)
        with self._row_lock:  # threads may share an engine (e.g. Dask threads, one world)
            hit = self._row_cache.get(key)
            if hit is not None and hit[0] >= limit_min:
                self._row_cache.move_to_end(key)
                return hit[1]
        dist = dijkstra(self._forward[period], directed=True, indices=source, limit=limit_min)
        row = np.ascontiguousarray(dist, dtype=np.float64).data
        with self._row_lock:
            self._row_cache[key] = (limit_min, row)
            self._row_cache.move_to_end(key)
            if len(self._row_cache) > self._row_cache_size:
                self._row_cache.popitem(last=False)
        return row

    def node_to_node_min(
        self,
        u: int,
        v: int,
        hour: int,
        priority: int = 3,
        *,
        congestion_removed: float = 0.0,
        route_factor: float = 1.0,
        limit_min: float = math.inf,
    ) -> float:
        """Drive minutes from node ``u`` to node ``v`` starting at ``hour``.

        Runs a single-source Dijkstra from ``u`` on first use per (period, ``u``) and caches
        the row; use it for rare queries (a unit away from its base), and
        :class:`TravelTables` for everything from or to facilities. Keywords as in
        :meth:`TravelTables.from_facility_min`; ``limit_min`` (congested minutes, before
        factors) bounds the search when the caller knows an upper bound: a result beyond it
        is ``inf`` (or its exact value, when a row cached from a wider search answers).
        """
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        minutes: float = self._row(period, u, limit_min)[v]
        if congestion_removed:
            free_min: float = self._row(0, u)[v]
            minutes = free_min + (minutes - free_min) * (1.0 - congestion_removed)
        return minutes * self._emergency[priority] * route_factor

    def guided_min(
        self,
        u: int,
        v: int,
        hour: int,
        priority: int = 3,
        *,
        limit_min: float,
        tables: TravelTables,
        bounds: LandmarkBounds | None = None,
    ) -> float:
        """:meth:`node_to_node_min` with a known bound, guided by facility tables (fast).

        For the one query a dispatch needs (a unit away from its base to a scene): the route
        is read off a facility's shortest-path tree when it lies on one
        (:meth:`TravelTables.tree_route`), else searched goal-directed (A*, lower bounds from
        the two facilities in ``bounds`` as potentials), which visits a corridor instead of a
        disc of radius ``limit_min``. Minutes are summed along the route in driving order
        (:meth:`route_min`): equal to the plain search's result when both find the same
        route; potentials are rounded down so float32 tables can only ever leave a route
        within ~1e-5 minutes of the fastest.

        Parameters
        ----------
        u, v
            Origin and destination node indices.
        hour
            Hour of day of departure.
        priority
            Dispatch priority (emergency-driving factor).
        limit_min
            Congested minutes (before factors) beyond which the drive does not matter: a
            longer result is ``inf``.
        tables
            Facility tables built by this engine (:meth:`build_tables`, with routes).
        bounds
            ``tables.landmark_bounds_min(u, v, hour)`` if already computed.

        Returns
        -------
        float
            Minutes with the emergency factor; ``math.inf`` beyond ``limit_min``.
        """
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        if bounds is None:
            bounds = tables.landmark_bounds_min(u, v, hour)
        route = tables.tree_route(u, v, hour, bounds)
        if route is None:
            if not (tables.has_routes and limit_min < math.inf and bounds.k_from >= 0):
                return self.node_to_node_min(u, v, hour, priority, limit_min=limit_min)
            route = self._astar_route(period, u, v, limit_min, tables, bounds)
            if route is None:
                return math.inf
        minutes = self._route_raw_min(period, route)
        return minutes * self._emergency[priority] if minutes <= limit_min else math.inf

    def _astar_route(
        self,
        period: int,
        u: int,
        v: int,
        limit_min: float,
        tables: TravelTables,
        bounds: LandmarkBounds,
    ) -> list[int] | None:
        """Fastest route u → v within ``limit_min`` by A* (a Dijkstra on reduced costs).

        Potential ``pi(x)``: the landmark lower bound on the minutes from x to v. On edge
        costs ``w(x, y) + pi(y) - pi(x)`` (never negative for consistent potentials) a
        Dijkstra from u settles only nodes with ``d(u, x) + pi(x) <= limit``. The potentials
        are scaled by 0.99 and the costs clipped at 0 so the float32 tables' rounding cannot
        produce a negative cost. None if v is beyond the limit.
        """
        from_row = tables.from_fac[period, bounds.k_from]
        to_row = tables.to_fac[period, bounds.k_to]
        # float32 like the tables: the 0.99 leaves room for their rounding (~1e-6 minutes).
        pi = np.maximum(from_row[v] - from_row, to_row - to_row[v])
        np.maximum(pi, 0.0, out=pi)
        pi *= 0.99
        if self._edge_ends is None:
            self._edge_ends = (
                np.asarray(self.network.edge_sources(), dtype=np.intp),
                np.asarray(self.network.indices, dtype=np.intp),
            )
        tails, heads = self._edge_ends
        cost = self._weights[period] + pi[heads]
        cost -= pi[tails]
        np.maximum(cost, 0.0, out=cost)
        # One reusable matrix per period and thread whose data is swapped (building one per
        # query costs as much as the search; threads may share an engine).
        reduced: dict[int, sp.csr_matrix] = self._reduced.__dict__.setdefault("graphs", {})
        graph = reduced.get(period)
        if graph is None:
            graph = reduced[period] = self._forward[period].copy()
        graph.data = cost
        pi_u = float(pi[u])
        # The search visits every node with d(u, x) + pi(x) <= limit, however near v is: try
        # a limit a little above the lower bound first (enough for most queries), then the
        # caller's. Either finds the same, fastest route.
        guess_min = max(bounds.lower_min * 1.2, bounds.lower_min + 1.0)
        for trial_min in (min(guess_min, limit_min), limit_min):
            reduced_limit = trial_min - pi_u + 1e-6 * (trial_min + 1.0)
            if reduced_limit < 0.0:
                continue  # the lower bound alone is beyond this limit
            dist, pred = dijkstra(
                graph, directed=True, indices=u, limit=reduced_limit, return_predecessors=True
            )
            if dist[v] < math.inf:
                route = _path_from_predecessors(pred, u, v)
                route.reverse()
                return route
            if trial_min >= limit_min:
                break
        return None

    def route_min(self, route: Sequence[int], hour: int, priority: int = 3) -> float:
        """Drive minutes along ``route`` (node indices in driving order) starting at ``hour``.

        Edge minutes are added in driving order from 0.0, as Dijkstra adds them, so on the
        route a search would find the result equals :meth:`node_to_node_min` to the last bit.
        Between two nodes joined by several edges the fastest counts.

        Raises
        ------
        ValueError
            If two consecutive nodes are not joined by an edge.
        """
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        return self._route_raw_min(period, route) * self._emergency[priority]

    def _route_raw_min(self, period: int, route: Sequence[int]) -> float:
        """Congested minutes along ``route`` in ``period`` (no emergency factor)."""
        if self._csr_lists is None:
            self._csr_lists = (self.network.indptr.tolist(), self.network.indices.tolist())
        indptr, indices = self._csr_lists
        weights = self._weight_mvs[period]
        minutes = 0.0
        for a, b in itertools.pairwise(route):
            edge_min = math.inf
            for e in range(indptr[a], indptr[a + 1]):
                if indices[e] == b and weights[e] < edge_min:
                    edge_min = weights[e]
            if edge_min == math.inf:
                msg = f"no edge from node {a} to node {b}"
                raise ValueError(msg)
            minutes += edge_min
        return minutes

    def route_nodes(self, u: int, v: int, *, hour: int) -> list[int]:
        """Node path of the fastest route from ``u`` to ``v`` at ``hour`` (not cached)."""
        period = self._period_list[int(hour) % HOURS_PER_DAY]
        _, pred = dijkstra(
            self._forward[period], directed=True, indices=u, return_predecessors=True
        )
        return _path_from_predecessors(pred, u, v)[::-1]
