"""Precomputed facility tables: drive minutes from and to facility nodes, O(1) look-ups.

:class:`TravelTables` holds one-to-all (``from_fac``) and all-to-one (``to_fac``) Dijkstra
tables for a fixed list of facility nodes (stations, hospitals, police posts) and answers
lookups with plain Python floats: this is what the simulation's hot loop calls. It also gives
landmark bounds on any node-to-node drive and reads routes off the facilities'
shortest-path trees. Built by :meth:`sim.network.engine.TravelEngine.build_tables`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np

from sim.core.units import period_of

NO_PREDECESSOR = -9999  # scipy.sparse.csgraph's marker

Direction = Literal["from", "to"]


def path_from_predecessors(pred: np.ndarray, start: int, node: int) -> list[int]:
    """Walk a predecessor row back from ``node`` to ``start``; empty list if unreachable."""
    if node == start:
        return [start]
    # A memoryview yields Python ints ~3x faster than indexing the array.
    row = np.ascontiguousarray(pred).data
    path = [node]
    current = node
    while current != start:
        current = row[current]
        if current == NO_PREDECESSOR:
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

    Built by :meth:`sim.network.engine.TravelEngine.build_tables`; do not construct
    directly. Facility ``k`` is the ``k``-th entry of ``facility_nodes``. Lookups return
    plain Python floats in minutes; ``math.inf`` means unreachable (cannot happen within
    one strongly connected network).

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
        # (from, to) minutes per (period, node, facility), built on first landmark bound.
        self._node_rows: tuple[np.ndarray, np.ndarray] | None = None

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
            Hour of day of departure (taken modulo 24; see :func:`sim.core.units.hour_of`).
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
        period = period_of(hour, self._period_list)
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
        period = period_of(hour, self._period_list)
        minutes: float = self._to_mv[period, k, node]
        if congestion_removed:
            free_min: float = self._to_mv[0, k, node]
            minutes = free_min + (minutes - free_min) * (1.0 - congestion_removed)
        return minutes * self.emergency_factor[priority] * route_factor

    def from_facilities_min(self, node: int, hour: int, priority: int = 3) -> np.ndarray:
        """float64 array (facilities,): minutes from every facility to ``node`` at ``hour``."""
        period = period_of(hour, self._period_list)
        factor = self.emergency_factor[priority]
        return self.from_fac[period, :, node].astype(np.float64) * factor

    def to_facilities_min(self, node: int, hour: int, priority: int = 3) -> np.ndarray:
        """float64 array (facilities,): minutes from ``node`` to every facility at ``hour``."""
        period = period_of(hour, self._period_list)
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
        period = period_of(hour, self._period_list)
        # One node's minutes from and to all facilities, contiguous (a column of the tables
        # is strided): the same values, read ~1.5x faster.
        if self._node_rows is None:
            every = list(range(self.n_facilities))
            self._node_rows = (
                self._cached("from_rows", every, lambda k: self.from_fac[:, k].transpose(0, 2, 1)),
                self.to_facilities_rows(every),
            )
        from_rows, to_rows = self._node_rows[0][period], self._node_rows[1][period]
        to_u = to_rows[u].astype(np.float64)
        to_v = to_rows[v].astype(np.float64)
        from_u = from_rows[u].astype(np.float64)
        from_v = from_rows[v].astype(np.float64)
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
            :meth:`sim.network.engine.TravelEngine.node_to_node_min`). None also without
            predecessor tables.
        """
        if not self.has_routes or bounds.k_from < 0:
            return None
        period = period_of(hour, self._period_list)
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
        period = period_of(hour, self._period_list)
        facility = self.facility_nodes[k]
        if direction == "from":
            return path_from_predecessors(self._pred_from[period, k], facility, node)[::-1]
        # On the reversed graph the predecessor of v is the next node towards the facility.
        return path_from_predecessors(self._pred_to[period, k], facility, node)
