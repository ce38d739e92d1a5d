"""The synthetic Zhejiang-style county: deterministic, connected, plausible geography."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components, dijkstra

from sim.network import ROAD_CLASSES, county_places, generate_county, load_network
from sim.network.build import haversine_m, network_summary
from sim.network.core import ROAD_CLASS_CODE
from sim.network.speeds import DEFAULT_SPEED_KPH_BY_CLASS, SpeedSpec
from sim.network.synthetic import DEFAULT_SEED, SEAT_LAT, SEAT_LON

ARRAYS = ("node_osmid", "lon", "lat", "indptr", "indices", "length_m", "speed_kph", "road_class")
CLAIMED_CLASSES = {
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "service",
}
SEEDS = (DEFAULT_SEED, 1, 2, 7, 99)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    metres = haversine_m(np.array(a[0]), np.array(a[1]), np.array(b[0]), np.array(b[1]))
    return float(metres) / 1000.0


def node_at(net_lon: np.ndarray, net_lat: np.ndarray, place: tuple[float, float]) -> int:
    same = np.isclose(net_lon, place[0], atol=1e-9) & np.isclose(net_lat, place[1], atol=1e-9)
    hits = np.nonzero(same)[0]
    assert hits.size == 1, place
    return int(hits[0])


def test_same_seed_same_arrays() -> None:
    a, b = generate_county(5), generate_county(5)
    for key in ARRAYS:
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key), err_msg=key)
    assert a.source_hash == b.source_hash
    assert county_places(5) == county_places(5)


def test_different_seed_different_network() -> None:
    a, b = generate_county(5), generate_county(6)
    assert a.source_hash != b.source_hash
    assert a.n_nodes != b.n_nodes or not np.array_equal(a.lon, b.lon)
    assert county_places(5) != county_places(6)


@pytest.mark.parametrize("seed", SEEDS)
def test_strongly_connected_and_sized(seed: int) -> None:
    net = generate_county(seed)
    n_comp, _ = connected_components(net.csr(), directed=True, connection="strong")
    assert n_comp == 1
    assert net.report.nodes_before_scc == net.n_nodes  # nothing had to be dropped
    assert 2_000 <= net.n_nodes <= 6_000
    assert net.synthetic
    assert net.name == "synthetic_county"
    assert "synthetic" in net.attribution
    classes = {ROAD_CLASSES[c] for c in np.unique(net.road_class)}
    assert classes >= CLAIMED_CLASSES


@pytest.mark.parametrize("seed", SEEDS)
def test_places_geography(seed: int) -> None:
    places = county_places(seed)
    seat = places["county_seat"]
    assert km(seat, (SEAT_LON, SEAT_LAT)) < 1.0
    assert 40.0 <= km(seat, places["city_centre"]) <= 60.0
    towns = [name for name in places if name.startswith("township_")]
    assert 6 <= len(towns) <= 10
    for name in towns:
        assert 7.5 <= km(seat, places[name]) <= 25.5, name
    interchanges = [n for n in places if n.startswith("interchange_") and n != "interchange_city"]
    assert 3 <= len(interchanges) <= 4
    assert "interchange_city" in places
    assert km(seat, places["county_hospital"]) < 1.0
    assert km(places["city_centre"], places["city_hospital"]) < 1.5
    for lon, lat in places.values():  # Zhejiang
        assert 118.0 < lon < 123.0
        assert 27.0 < lat < 31.5


def test_places_are_network_nodes() -> None:
    net = generate_county()
    for name, place in county_places().items():
        assert 0 <= node_at(net.lon, net.lat, place) < net.n_nodes, name


def test_speeds_and_one_way_streets() -> None:
    net = generate_county()
    motorway = net.road_class == ROAD_CLASS_CODE["motorway"]
    assert net.speed_kph[motorway].max() == DEFAULT_SPEED_KPH_BY_CLASS["motorway"] == 100.0
    assert np.any(net.speed_kph[motorway] == DEFAULT_SPEED_KPH_BY_CLASS["motorway_link"])
    # some residential streets and the expressway carriageways are one-way
    src, dst = net.edge_sources(), net.indices
    pairs = set(zip(src.tolist(), dst.tolist(), strict=True))
    one_way = np.array([(b, a) not in pairs for a, b in zip(src, dst, strict=True)])
    assert one_way[net.road_class == ROAD_CLASS_CODE["residential"]].any()
    assert one_way[motorway].mean() > 0.9
    # lengths are haversine between nodes, travel_min consistent
    expected = net.length_m / (net.speed_kph * 1000.0 / 60.0)
    np.testing.assert_allclose(net.travel_min, expected)
    assert net.length_m.min() > 1.0


def test_seat_to_city_uses_the_expressway() -> None:
    net = generate_county()
    places = county_places()
    seat = node_at(net.lon, net.lat, places["county_seat"])
    city = node_at(net.lon, net.lat, places["city_centre"])
    minutes = dijkstra(net.csr(), directed=True, indices=[seat])[0]
    assert 25.0 < minutes[city] < 60.0
    # every township is within reach of the county seat in well under two hours
    for name, place in places.items():
        if name.startswith("township_"):
            assert minutes[node_at(net.lon, net.lat, place)] < 90.0, name


def test_summary_and_load_by_name() -> None:
    net = load_network("synthetic_county:7")
    ref = generate_county(7)
    np.testing.assert_array_equal(net.travel_min, ref.travel_min)
    summary = network_summary(net)
    assert summary["synthetic"] is True
    assert summary["scc_share"] == 1.0
    assert summary["attribution"].startswith("synthetic")
    assert set(summary["road_km_by_class"]) >= CLAIMED_CLASSES
    default = load_network("synthetic_county")
    assert default.source_hash == generate_county(DEFAULT_SEED).source_hash


# --- simplified on request --------------------------------------------------------------


@pytest.mark.parametrize("seed", [DEFAULT_SEED, 7])
def test_simplified_county_keeps_places_and_shortest_times(seed: int) -> None:
    raw = generate_county(seed)
    net = generate_county(seed, simplify=True)
    again = generate_county(seed, simplify=True)
    for key in ARRAYS:
        np.testing.assert_array_equal(getattr(net, key), getattr(again, key), err_msg=key)
    assert net.source_hash != raw.source_hash
    assert "simplified" in net.source
    # Rural roads are long chains of bends: most nodes go.
    assert 700 <= net.n_nodes <= 1_200
    assert net.report.nodes_simplified_away == raw.n_nodes - net.n_nodes
    n_comp, _ = connected_components(net.csr(), directed=True, connection="strong")
    assert n_comp == 1
    assert {ROAD_CLASSES[c] for c in np.unique(net.road_class)} >= CLAIMED_CLASSES
    for name, place in county_places(seed).items():  # kept as nodes on purpose
        assert 0 <= node_at(net.lon, net.lat, place) < net.n_nodes, name
    # Same drive times from every place to every node kept.
    places = county_places(seed)
    src_raw = [node_at(raw.lon, raw.lat, p) for p in places.values()]
    src_net = [node_at(net.lon, net.lat, p) for p in places.values()]
    index = {int(o): i for i, o in enumerate(raw.node_osmid.tolist())}
    kept = np.asarray([index[int(o)] for o in net.node_osmid.tolist()])
    want = dijkstra(raw.csr(), directed=True, indices=src_raw)[:, kept]
    got = dijkstra(net.csr(), directed=True, indices=src_net)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=0.0)


def test_default_county_is_not_simplified() -> None:
    net = generate_county()
    assert net.report.nodes_simplified_away == 0
    # The loader's simplify setting does not apply to the county (its docstring says why).
    same = load_network("synthetic_county", speeds=SpeedSpec(simplify=True))
    np.testing.assert_array_equal(net.node_osmid, same.node_osmid)
