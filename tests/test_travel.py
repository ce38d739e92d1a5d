"""Travel engine: hand-computed times on a tiny one-way graph, spec validation, and a
networkx cross-check on Hangzhou west."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from pydantic import ValidationError

from sim.network import datapath
from sim.network.core import ROAD_CLASS_CODE, RoadNetwork
from sim.network.travel import TravelEngine, TravelSpec, hour_of

# Tiny graph, minutes at free flow. One-way streets and asymmetric pairs (0->1 is 2 min,
# 1->0 is 5 min); node 5 is isolated so unreachable lookups can be checked.
#
#   0 --2 pri--> 1 --3 pri--> 2 --1 res--> 3 --4 svc--> 0
#   1 --5 res--> 0            2 <--2 svc--> 4
#   0 --7 svc--> 3  (direct, slower at free flow, faster in the 08:00 peak)
EDGES = [
    (0, 1, 2.0, "primary"),
    (1, 0, 5.0, "residential"),
    (1, 2, 3.0, "primary"),
    (2, 3, 1.0, "residential"),
    (3, 0, 4.0, "service"),
    (0, 3, 7.0, "service"),
    (2, 4, 2.0, "service"),
    (4, 2, 2.0, "service"),
]
N_NODES = 6


def make_network(
    edges: list[tuple[int, int, float, str]], n_nodes: int, name: str = "tiny"
) -> RoadNetwork:
    """Build RoadNetwork arrays (CSR by source) from an edge list."""
    order = sorted(range(len(edges)), key=lambda i: (edges[i][0], edges[i][1]))
    src = np.array([edges[i][0] for i in order], dtype=np.int64)
    dst = np.array([edges[i][1] for i in order], dtype=np.int32)
    minutes = np.array([edges[i][2] for i in order], dtype=np.float64)
    classes = np.array([ROAD_CLASS_CODE[edges[i][3]] for i in order], dtype=np.uint8)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.add.at(indptr, src + 1, 1)
    indptr = np.cumsum(indptr)
    speed_kph = np.full(len(edges), 30.0)
    return RoadNetwork(
        name=name,
        node_osmid=np.arange(n_nodes, dtype=np.int64),
        lon=120.1 + 0.001 * np.arange(n_nodes),
        lat=30.25 + 0.001 * np.arange(n_nodes),
        indptr=indptr,
        indices=dst,
        length_m=minutes * speed_kph * 1000 / 60,
        speed_kph=speed_kph,
        travel_min=minutes,
        road_class=classes,
    )


def flat(value: float) -> list[float]:
    return [value] * 24


def peaked(base: float, hours: dict[int, float]) -> list[float]:
    row = flat(base)
    for hour, value in hours.items():
        row[hour] = value
    return row


# primary x2 at 08:00; residential x1.5 at 08:00 and 17:00; everything else free flow.
SPEC = TravelSpec(
    congestion_profile={
        "primary": peaked(1.0, {8: 2.0}),
        "residential": peaked(1.0, {8: 1.5, 17: 1.5}),
        "default": flat(1.0),
    },
)


@pytest.fixture(scope="module")
def tiny() -> RoadNetwork:
    return make_network(EDGES, N_NODES)


@pytest.fixture(scope="module")
def engine(tiny: RoadNetwork) -> TravelEngine:
    return TravelEngine(tiny, SPEC)


def test_periods_are_deduplicated_and_period_zero_is_free_flow(engine: TravelEngine) -> None:
    assert engine.n_periods == 3
    assert engine.period_of_hour.shape == (24,)
    assert engine.period_of_hour[8] == 1
    assert engine.period_of_hour[17] == 2
    assert set(engine.period_of_hour.tolist()) == {0, 1, 2}
    assert np.all(engine.period_multipliers[0] == 1.0)
    np.testing.assert_allclose(engine.edge_weights(0), engine.network.travel_min)


def test_from_and_to_tables_match_hand_computed_minutes(engine: TravelEngine) -> None:
    tables = engine.build_tables([0])
    from_ff = [0.0, 2.0, 5.0, 6.0, 7.0]  # 0->3 goes 0-1-2-3 (6) rather than direct (7)
    to_ff = [0.0, 5.0, 5.0, 4.0, 7.0]  # 1->0 direct 5 (not 1-2-3-0 = 8)
    from_peak = [0.0, 4.0, 10.0, 7.0, 12.0]  # 08:00: direct 0->3 (7) beats 4+6+1.5
    to_peak = [0.0, 7.5, 5.5, 4.0, 7.5]
    from_pm = [0.0, 2.0, 5.0, 6.5, 7.0]  # 17:00: only residential slower
    for node in range(5):
        assert tables.from_facility_min(0, node, hour=3) == pytest.approx(from_ff[node])
        assert tables.to_facility_min(0, node, hour=3) == pytest.approx(to_ff[node])
        assert tables.from_facility_min(0, node, hour=8) == pytest.approx(from_peak[node])
        assert tables.to_facility_min(0, node, hour=8) == pytest.approx(to_peak[node])
        assert tables.from_facility_min(0, node, hour=17) == pytest.approx(from_pm[node])
    # hour is taken modulo 24 (day 2, 08:00)
    assert tables.from_facility_min(0, 2, hour=32) == pytest.approx(10.0)
    assert isinstance(tables.from_facility_min(0, 2, hour=8), float)


def test_emergency_factor_congestion_removed_and_route_factor(engine: TravelEngine) -> None:
    tables = engine.build_tables([0])
    assert tables.from_facility_min(0, 3, 8, priority=1) == pytest.approx(7.0 * 0.85)
    assert tables.from_facility_min(0, 3, 8, priority=2) == pytest.approx(7.0 * 0.9)
    assert tables.to_facility_min(0, 1, 8, priority=1) == pytest.approx(7.5 * 0.85)
    # half the congestion delay removed: 5 + (10 - 5) * 0.5 = 7.5, then the siren factor
    assert tables.from_facility_min(0, 2, 8, congestion_removed=0.5) == pytest.approx(7.5)
    assert tables.from_facility_min(0, 2, 8, 1, congestion_removed=0.5) == pytest.approx(7.5 * 0.85)
    assert tables.to_facility_min(0, 1, 8, congestion_removed=1.0) == pytest.approx(5.0)
    # congestion_removed changes nothing at free flow
    assert tables.from_facility_min(0, 2, 3, congestion_removed=0.7) == pytest.approx(5.0)
    assert tables.from_facility_min(0, 2, 8, route_factor=1.2) == pytest.approx(12.0)
    np.testing.assert_allclose(tables.from_facilities_min(2, 8, priority=1), [10.0 * 0.85])
    np.testing.assert_allclose(tables.to_facilities_min(1, 8), [7.5])


def test_route_nodes_follow_the_period(engine: TravelEngine) -> None:
    tables = engine.build_tables([0])
    assert tables.route_nodes(0, 3, hour=3) == [0, 1, 2, 3]
    assert tables.route_nodes(0, 3, hour=8) == [0, 3]
    assert tables.route_nodes(0, 4, hour=3, direction="to") == [4, 2, 3, 0]
    assert tables.route_nodes(0, 1, hour=8, direction="to") == [1, 0]
    assert tables.route_nodes(0, 0, hour=8) == [0]
    assert engine.route_nodes(4, 1, hour=3) == [4, 2, 3, 0, 1]
    with pytest.raises(ValueError, match="direction"):
        tables.route_nodes(0, 3, hour=3, direction="sideways")  # type: ignore[arg-type]


def test_duplicate_facilities_and_unreachable_nodes(engine: TravelEngine) -> None:
    tables = engine.build_tables([0, 4, 0])
    assert tables.n_facilities == 3
    assert tables.from_fac.shape == (3, 3, N_NODES)
    assert tables.from_fac.dtype == np.float32
    np.testing.assert_array_equal(tables.from_fac[:, 0], tables.from_fac[:, 2])
    assert tables.from_facility_min(1, 1, 3) == pytest.approx(2 + 1 + 4 + 2)
    assert math.isinf(tables.from_facility_min(0, 5, 8))
    assert math.isinf(tables.to_facility_min(1, 5, 8, priority=1))
    assert tables.route_nodes(0, 5, hour=8) == []
    assert not tables.from_fac.flags.writeable


def test_tables_without_routes_have_the_same_minutes(engine: TravelEngine) -> None:
    full = engine.build_tables([0, 4])
    lean = engine.build_tables([0, 4], with_routes=False)
    np.testing.assert_array_equal(full.from_fac, lean.from_fac)
    np.testing.assert_array_equal(full.to_fac, lean.to_fac)
    assert lean.nbytes == full.nbytes // 2
    assert full.has_routes
    assert not lean.has_routes
    with pytest.raises(RuntimeError, match="with_routes=False"):
        lean.route_nodes(0, 3, hour=3)


def test_node_to_node_on_demand(engine: TravelEngine) -> None:
    assert engine.node_to_node_min(4, 1, hour=3) == pytest.approx(2 + 1 + 4 + 2)
    assert engine.node_to_node_min(4, 1, hour=8) == pytest.approx(2 + 1.5 + 4 + 4)
    assert engine.node_to_node_min(4, 1, hour=8, priority=1) == pytest.approx(11.5 * 0.85)
    assert engine.node_to_node_min(4, 1, 8, congestion_removed=1.0) == pytest.approx(9.0)
    assert engine.node_to_node_min(1, 0, hour=8) == pytest.approx(7.5)  # asymmetric
    assert engine.node_to_node_min(0, 1, hour=8) == pytest.approx(4.0)
    assert math.isinf(engine.node_to_node_min(0, 5, hour=3))


def test_node_to_node_cache_is_bounded(tiny: RoadNetwork) -> None:
    eng = TravelEngine(tiny, SPEC, row_cache_size=2)
    for u in range(5):
        eng.node_to_node_min(u, 0, hour=3)
    assert len(eng._row_cache) == 2
    assert eng.node_to_node_min(0, 4, hour=3) == pytest.approx(7.0)


def test_hour_of() -> None:
    assert hour_of(0.0) == 0
    assert hour_of(59.99) == 0
    assert hour_of(60.0) == 1
    assert hour_of(1440.0 + 8 * 60 + 30) == 8
    assert hour_of(23 * 60 + 59.5) == 23


def test_default_spec_has_four_periods_and_night_is_free_flow(tiny: RoadNetwork) -> None:
    eng = TravelEngine(tiny)
    assert eng.n_periods == 4
    assert eng.period_of_hour[3] == 0
    assert eng.period_of_hour[8] == eng.period_of_hour[17] != 0
    multipliers = TravelSpec().class_multipliers()
    primary = multipliers[:, ROAD_CLASS_CODE["primary"]]
    assert 1.5 <= primary[8] <= 1.7
    assert primary[3] == 1.0
    assert np.all(multipliers >= 1.0)


def test_spec_accepts_string_priority_keys_as_in_toml() -> None:
    spec = TravelSpec.model_validate(
        {"emergency_factor_by_priority": {"1": 0.8, "2": 0.9, "3": 1.0}}
    )
    assert spec.emergency_factor_by_priority == {1: 0.8, 2: 0.9, 3: 1.0}


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"congestion_profile": {"highway": flat(1.0)}}, "allowed: motorway, trunk"),
        ({"congestion_profile": {"primary": [1.0] * 23}}, "24 hourly values"),
        ({"congestion_profile": {"primary": peaked(1.0, {3: 0.0})}}, "> 0"),
        ({"emergency_factor_by_priority": {1: 0.8, 2: 0.9}}, "each priority 1, 2, 3"),
        ({"emergency_factor_by_priority": {1: -1.0, 2: 0.9, 3: 1.0}}, "> 0"),
        ({"access_speed_kph": 0}, "greater than 0"),
        ({"snap_limit": 10}, "Extra inputs"),
    ],
)
def test_spec_rejects_bad_values(data: dict[str, object], needle: str) -> None:
    with pytest.raises(ValidationError, match=needle):
        TravelSpec.model_validate(data)


def test_unlisted_classes_use_default_row_or_free_flow() -> None:
    with_default = TravelSpec(
        congestion_profile={"primary": flat(2.0), "default": flat(1.25)}
    ).class_multipliers()
    assert with_default[5, ROAD_CLASS_CODE["service"]] == 1.25
    assert with_default[5, ROAD_CLASS_CODE["primary"]] == 2.0
    without = TravelSpec(congestion_profile={"primary": flat(2.0)}).class_multipliers()
    assert without[5, ROAD_CLASS_CODE["service"]] == 1.0


# --- Hangzhou west: engine vs networkx -------------------------------------------------


def _load_hangzhou(data_dir: Path, cache_dir: Path) -> RoadNetwork:
    network: RoadNetwork = datapath.load_network(
        "hangzhou_west", data_dir=data_dir, cache_dir=cache_dir
    )
    return network


@pytest.mark.slow
def test_engine_matches_networkx_on_hangzhou_west(shared_data_dir: Path, cache_dir: Path) -> None:
    if not (shared_data_dir / "hangzhou_west.osm.bz2").is_file():
        pytest.skip("hangzhou_west.osm.bz2 not in TRAUMA_SIM_DATA")
    network = _load_hangzhou(shared_data_dir, cache_dir)
    engine = TravelEngine(network)
    rng = np.random.default_rng(20240611)
    facilities = rng.choice(network.n_nodes, size=6, replace=False).tolist()
    tables = engine.build_tables(facilities)
    peak_hour = 8
    period = int(engine.period_of_hour[peak_hour])
    assert period != 0
    src = network.edge_sources()
    checked = 0
    for period_hour in (3, peak_hour):
        weights = engine.edge_weights(int(engine.period_of_hour[period_hour]))
        graph = nx.DiGraph()
        graph.add_weighted_edges_from(
            zip(src.tolist(), network.indices.tolist(), weights.tolist(), strict=True)
        )
        reverse = graph.reverse(copy=False)
        for k, facility in enumerate(facilities):
            out_min = nx.single_source_dijkstra_path_length(graph, facility)
            in_min = nx.single_source_dijkstra_path_length(reverse, facility)
            for node in rng.choice(network.n_nodes, size=17, replace=False).tolist():
                got_from = tables.from_facility_min(k, node, period_hour)
                got_to = tables.to_facility_min(k, node, period_hour)
                assert got_from == pytest.approx(float(out_min[node]), rel=1e-6, abs=1e-9)
                assert got_to == pytest.approx(float(in_min[node]), rel=1e-6, abs=1e-9)
                checked += 2
            # the stored route adds up to the table's minutes
            node = int(rng.integers(network.n_nodes))
            for direction, expected in (("from", out_min[node]), ("to", in_min[node])):
                path = tables.route_nodes(k, node, hour=period_hour, direction=direction)
                path_min = sum(graph[a][b]["weight"] for a, b in itertools.pairwise(path))
                assert path_min == pytest.approx(float(expected), rel=1e-9, abs=1e-9)
    assert checked >= 200
    # node-to-node on demand agrees with the tables
    assert engine.node_to_node_min(facilities[0], 123, peak_hour) == pytest.approx(
        tables.from_facility_min(0, 123, peak_hour), rel=1e-6
    )
