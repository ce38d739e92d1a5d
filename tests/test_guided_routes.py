"""Node-to-node drives guided by the facility tables (landmark bounds, tree routes, A*)
agree with a plain Dijkstra on the synthetic county, for random pairs and random limits."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from sim.network.core import RoadNetwork
from sim.network.synthetic import generate_county
from sim.network.travel import TravelEngine, TravelSpec, TravelTables

PEAK_HOUR = 8
NIGHT_HOUR = 3


@pytest.fixture(scope="module")
def county() -> tuple[RoadNetwork, TravelEngine, TravelTables]:
    network = generate_county(simplify=True)
    engine = TravelEngine(network, TravelSpec())
    rng = np.random.default_rng(7)
    facilities = rng.choice(network.n_nodes, size=12, replace=False).tolist()
    return network, engine, engine.build_tables(facilities)


def _exact_min(engine: TravelEngine, u: int, hour: int) -> np.ndarray:
    period = int(engine.period_of_hour[hour])
    graph = engine._forward[period]  # the engine's own graph: the reference search
    return np.asarray(dijkstra(graph, directed=True, indices=u), dtype=np.float64)


def _pairs(network: RoadNetwork, n: int, seed: int) -> list[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    return [(int(a), int(b)) for a, b in rng.integers(0, network.n_nodes, size=(n, 2))]


def test_landmark_bounds_enclose_the_exact_minutes(
    county: tuple[RoadNetwork, TravelEngine, TravelTables],
) -> None:
    network, engine, tables = county
    for (u, v), hour in itertools.product(_pairs(network, 40, 1), (NIGHT_HOUR, PEAK_HOUR)):
        exact = _exact_min(engine, u, hour)[v]
        bounds = tables.landmark_bounds_min(u, v, hour)
        assert bounds.lower_min < exact or exact == 0.0
        assert exact < bounds.upper_min
        assert 0 <= bounds.k_from < tables.n_facilities
        assert 0 <= bounds.k_to < tables.n_facilities


def test_tree_routes_are_fastest_routes(
    county: tuple[RoadNetwork, TravelEngine, TravelTables],
) -> None:
    network, engine, tables = county
    found = 0
    # Nodes on facility routes: pairs whose fastest route the trees contain.
    rng = np.random.default_rng(3)
    for _ in range(60):
        k = int(rng.integers(tables.n_facilities))
        far = int(rng.integers(network.n_nodes))
        route = tables.route_nodes(k, far, hour=PEAK_HOUR)
        if len(route) < 3:
            continue
        u = route[int(rng.integers(1, len(route) - 1))]
        for v in (far, int(rng.integers(network.n_nodes))):
            bounds = tables.landmark_bounds_min(u, v, PEAK_HOUR)
            tree = tables.tree_route(u, v, PEAK_HOUR, bounds)
            if tree is None:
                continue
            found += 1
            assert tree[0] == u
            assert tree[-1] == v
            # Summed in driving order, bit for bit what the search finds.
            assert engine.route_min(tree, PEAK_HOUR, 3) == _exact_min(engine, u, PEAK_HOUR)[v]
    assert found >= 40


def test_guided_min_equals_bounded_dijkstra(
    county: tuple[RoadNetwork, TravelEngine, TravelTables],
) -> None:
    network, engine, tables = county
    rng = np.random.default_rng(11)
    beyond = 0
    for (u, v), hour in itertools.product(_pairs(network, 60, 2), (NIGHT_HOUR, PEAK_HOUR)):
        exact = _exact_min(engine, u, hour)[v]
        limit = exact * float(rng.uniform(0.7, 2.0))
        for priority in (1, 3):
            got = engine.guided_min(u, v, hour, priority, limit_min=limit, tables=tables)
            plain = engine.node_to_node_min(u, v, hour, priority, limit_min=limit)
            if exact <= limit:
                assert got == pytest.approx(plain, rel=1e-9, abs=1e-6)
            else:
                beyond += 1
                assert math.isinf(got)
                # (a row cached from a wider search may still know the exact minutes)
                assert math.isinf(plain) or plain > limit * tables.emergency_factor[priority]
    assert beyond > 0


def test_route_min_rejects_a_route_that_is_not_connected(
    county: tuple[RoadNetwork, TravelEngine, TravelTables],
) -> None:
    network, engine, _ = county
    # Node 0 has no edge to itself: a route may not jump.
    row = set(network.indices[network.indptr[0] : network.indptr[1]].tolist())
    stranger = next(x for x in range(1, network.n_nodes) if x not in row)
    with pytest.raises(ValueError, match="no edge"):
        engine.route_min([0, stranger], NIGHT_HOUR)
    assert engine.route_min([5], NIGHT_HOUR) == 0.0
