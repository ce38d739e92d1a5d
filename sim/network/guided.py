"""Goal-directed node-to-node routes: A* on landmark-reduced costs, and route sums.

A dispatch that sends a unit driving somewhere (not at a facility) needs one exact
node-to-node drive with a known bound. :class:`GuidedRouter` finds it by A*: a Dijkstra on
edge costs reduced by potentials taken from the facility tables (every facility a
landmark), which visits a corridor towards the goal instead of a disc of the bound's radius.
:meth:`GuidedRouter.route_raw_min` sums edge minutes along a route in driving order, as
Dijkstra adds them, so a route's minutes equal the plain search's to the last bit.

Used by :class:`sim.network.engine.TravelEngine`; no I/O, no random numbers.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from sim.network.core import RoadNetwork
from sim.network.tables import LandmarkBounds, TravelTables, path_from_predecessors


class GuidedRouter:
    """A* searches and route sums on one network's per-period edge weights.

    Parameters
    ----------
    network
        The road network.
    weights
        float64 edge minutes per period (the engine's, not copied).
    forward
        CSR matrices of the same weights per period (the engine's).
    """

    def __init__(
        self, network: RoadNetwork, weights: list[np.ndarray], forward: list[sp.csr_matrix]
    ) -> None:
        self._network = network
        self._weights = weights
        self._forward = forward
        # Per period: the fastest edge's minutes between two joined nodes, keyed a * n + b
        # (built on first use; a dict lookup per step instead of scanning a node's edges).
        self._edge_min: dict[int, dict[int, float]] = {}
        self._edge_ends: tuple[np.ndarray, np.ndarray] | None = None
        self._reduced = threading.local()  # per thread: {period: csr matrix of A* costs}

    def astar_route(
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
        produce a negative cost.

        Parameters
        ----------
        period
            Routing period.
        u, v
            Origin and destination node indices.
        limit_min
            Congested minutes beyond which the route does not matter.
        tables
            Facility tables of the same engine (with routes).
        bounds
            ``tables.landmark_bounds_min(u, v, hour)``.

        Returns
        -------
        list[int] or None
            Node indices from u to v in driving order; None if v is beyond the limit.
        """
        from_row = tables.from_fac[period, bounds.k_from]
        to_row = tables.to_fac[period, bounds.k_to]
        # float32 like the tables: the 0.99 leaves room for their rounding (~1e-6 minutes).
        pi = np.maximum(from_row[v] - from_row, to_row - to_row[v])
        np.maximum(pi, 0.0, out=pi)
        pi *= 0.99
        if self._edge_ends is None:
            self._edge_ends = (
                np.asarray(self._network.edge_sources(), dtype=np.intp),
                np.asarray(self._network.indices, dtype=np.intp),
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
                route = path_from_predecessors(pred, u, v)
                route.reverse()
                return route
            if trial_min >= limit_min:
                break
        return None

    def route_raw_min(self, period: int, route: Sequence[int]) -> float:
        """Congested minutes along ``route`` in ``period`` (no emergency factor).

        Edge minutes are added in driving order from 0.0, as Dijkstra adds them; between two
        nodes joined by several edges the fastest counts.

        Raises
        ------
        ValueError
            If two consecutive nodes are not joined by an edge.
        """
        edge_min = self._edge_min.get(period)
        if edge_min is None:
            edge_min = self._edge_min[period] = self._fastest_edges(period)
        n = self._network.n_nodes
        minutes = 0.0
        for a, b in itertools.pairwise(route):
            m = edge_min.get(a * n + b)
            if m is None:
                msg = f"no edge from node {a} to node {b}"
                raise ValueError(msg)
            minutes += m
        return minutes

    def _fastest_edges(self, period: int) -> dict[int, float]:
        """``{a * n + b: minutes}`` of the fastest edge from a to b in ``period``."""
        net = self._network
        keys = net.edge_sources().astype(np.int64) * net.n_nodes + net.indices
        weights = self._weights[period]
        # Slowest first, so the fastest of parallel edges is the one the dict keeps.
        order = np.argsort(-weights, kind="stable")
        return dict(zip(keys[order].tolist(), weights[order].tolist(), strict=True))
