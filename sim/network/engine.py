"""The travel engine: per-period edge weights, node-to-node drives and facility tables.

:class:`TravelEngine` builds one edge-weight vector per routing period (hours with the same
congestion multipliers share a period; period 0 is free flow), answers rare node-to-node
queries with a small LRU cache of single-source rows, finds guided routes
(:mod:`sim.network.guided`) and precomputes :class:`~sim.network.tables.TravelTables`.

This module does no I/O, draws no random numbers and never changes the network.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from scipy.sparse.csgraph import dijkstra

from sim.core.units import period_of
from sim.network.core import ROAD_CLASSES, RoadNetwork
from sim.network.guided import GuidedRouter
from sim.network.tables import LandmarkBounds, TravelTables, path_from_predecessors
from sim.network.travel_spec import TravelSpec, periods


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
        self.period_multipliers, self.period_of_hour = periods(self.spec.class_multipliers(), used)
        self._period_list: list[int] = [int(p) for p in self.period_of_hour]
        travel_min = np.asarray(network.travel_min, dtype=np.float64)
        classes = np.asarray(network.road_class, dtype=np.intp)
        self._weights: list[np.ndarray] = [
            travel_min * row[classes] for row in self.period_multipliers
        ]
        self._forward = [network.csr(w) for w in self._weights]
        self._guided = GuidedRouter(network, self._weights, self._forward)
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
        period = period_of(hour, self._period_list)
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
        period = period_of(hour, self._period_list)
        if bounds is None:
            bounds = tables.landmark_bounds_min(u, v, hour)
        route = tables.tree_route(u, v, hour, bounds)
        if route is None:
            if not (tables.has_routes and limit_min < math.inf and bounds.k_from >= 0):
                return self.node_to_node_min(u, v, hour, priority, limit_min=limit_min)
            route = self._guided.astar_route(period, u, v, limit_min, tables, bounds)
            if route is None:
                return math.inf
        minutes = self._guided.route_raw_min(period, route)
        return minutes * self._emergency[priority] if minutes <= limit_min else math.inf

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
        period = period_of(hour, self._period_list)
        return self._guided.route_raw_min(period, route) * self._emergency[priority]

    def route_nodes(self, u: int, v: int, *, hour: int) -> list[int]:
        """Node path of the fastest route from ``u`` to ``v`` at ``hour`` (not cached)."""
        period = period_of(hour, self._period_list)
        _, pred = dijkstra(
            self._forward[period], directed=True, indices=u, return_predecessors=True
        )
        return path_from_predecessors(pred, u, v)[::-1]
