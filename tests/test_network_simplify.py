"""Topological simplification: osmnx endpoint rules, exact merged edges, unchanged routes."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from sim.core.errors import UserError
from sim.network import ROAD_CLASSES, RoadNetwork, SpeedSpec, read_osm
from sim.network.build import build_network, endpoint_nodes, haversine_m
from sim.network.core import ROAD_CLASS_CODE, LoadReport

RAW = SpeedSpec(simplify=False)


def assert_same_shortest_times(
    raw: RoadNetwork,
    simple: RoadNetwork,
    *,
    n_sources: int | None = None,
    seed: int = 0,
    rtol: float = 1e-9,
) -> None:
    """Shortest free-flow minutes between nodes kept in both networks are the same."""
    raw_index = {int(o): i for i, o in enumerate(raw.node_osmid.tolist())}
    common = [i for i, o in enumerate(simple.node_osmid.tolist()) if int(o) in raw_index]
    assert common, "no node kept in both networks"
    rng = np.random.default_rng(seed)
    sources = (
        common
        if n_sources is None or n_sources >= len(common)
        else rng.choice(common, size=n_sources, replace=False).tolist()
    )
    in_raw = np.asarray([raw_index[int(simple.node_osmid[i])] for i in common])
    got = dijkstra(simple.csr(), directed=True, indices=sources)[:, common]
    want = dijkstra(
        raw.csr(), directed=True, indices=[raw_index[int(simple.node_osmid[s])] for s in sources]
    )[:, in_raw]
    np.testing.assert_array_equal(np.isinf(got), np.isinf(want))
    finite = np.isfinite(want)
    np.testing.assert_allclose(got[finite], want[finite], rtol=rtol, atol=0.0)


# --- a hand-made network, built straight from arrays -----------------------------------

#: Node positions in thousandths of a degree east/north of (120.0, 30.0).
POS: dict[str, tuple[float, float]] = {
    "A": (0.0, 0.0), "b1": (0.3, 0.1), "b2": (0.7, 0.1), "B": (1.0, 0.0),
    "d1": (1.3, 0.5), "d2": (1.3, 0.8), "C": (1.0, 1.0),
    "m": (-0.5, 0.5), "D": (-1.0, 1.0), "e1": (-1.0, 1.5), "E": (0.0, 2.0),
    "r1": (3.0, 3.0), "r2": (3.5, 3.0), "r3": (3.2, 3.5),
    "l1": (1.5, 1.3), "l2": (1.2, 1.5),
    "p1": (0.2, 1.2), "p2": (0.5, 1.5), "p3": (0.8, 1.3),
    "h1": (1.5, -0.3), "h2": (2.0, -0.5),
}  # fmt: skip
NAMES = list(POS)
OSMID = {name: 1000 + i for i, name in enumerate(NAMES)}
NAME_OF = {v: k for k, v in OSMID.items()}

#: (nodes, road class, speeds per segment in km/h, one-way)
Way = tuple[list[str], str, list[float], bool]
HAND_WAYS: list[Way] = [
    (["A", "b1", "b2", "B"], "residential", [20.0] * 3, False),  # a bent street
    (["B", "d1", "d2", "C"], "primary", [45.0] * 3, True),  # a one-way bend
    (["C", "A"], "residential", [20.0], False),  # straight, beats the detour below
    (["A", "m"], "residential", [20.0], False),  # m: residential meets secondary
    (["m", "D"], "secondary", [35.0], False),
    (["D", "e1", "E"], "residential", [20.0, 30.0], False),  # two speeds, one class
    (["E", "C"], "tertiary", [30.0], False),
    (["r1", "r2", "r3", "r1"], "service", [15.0] * 3, False),  # an isolated ring
    (["C", "l1", "l2", "C"], "residential", [20.0] * 3, True),  # a one-way loop off C
    (["A", "p1", "p2", "p3", "C"], "residential", [20.0] * 4, False),  # slower detour
    (["B", "h1", "h2"], "residential", [20.0] * 2, False),  # dead-end spur
]


def network_of(
    ways: list[Way],
    pos: dict[str, tuple[float, float]],
    *,
    simplify: bool,
    keep: list[str] | None = None,
) -> RoadNetwork:
    names = list(pos)
    index = {n: i for i, n in enumerate(names)}
    lon = 120.0 + np.asarray([pos[n][0] for n in names]) / 1000.0
    lat = 30.0 + np.asarray([pos[n][1] for n in names]) / 1000.0
    u: list[int] = []
    v: list[int] = []
    kph: list[float] = []
    cls: list[int] = []
    for nodes, road_class, speeds, oneway in ways:
        for (a, b), s in zip(itertools.pairwise(nodes), speeds, strict=True):
            pairs = [(a, b)] if oneway else [(a, b), (b, a)]
            for x, y in pairs:
                u.append(index[x])
                v.append(index[y])
                kph.append(s)
                cls.append(ROAD_CLASS_CODE[road_class])
    uu, vv = np.asarray(u), np.asarray(v)
    return build_network(
        name="hand",
        node_osmid=np.asarray([1000 + i for i in range(len(names))], dtype=np.int64),
        lon=lon,
        lat=lat,
        u=uu,
        v=vv,
        length_m=haversine_m(lon[uu], lat[uu], lon[vv], lat[vv]),
        speed_kph=np.asarray(kph),
        road_class=np.asarray(cls, dtype=np.uint8),
        maxspeed_tagged=np.asarray(kph) != 20.0,
        report=LoadReport(),
        simplify=simplify,
        keep_nodes=None if keep is None else np.asarray([index[k] for k in keep]),
    )


def named_edges(net: RoadNetwork) -> dict[tuple[str, str], int]:
    src = net.node_osmid[net.edge_sources()]
    dst = net.node_osmid[net.indices]
    return {
        (NAME_OF[int(a)], NAME_OF[int(b)]): i
        for i, (a, b) in enumerate(zip(src.tolist(), dst.tolist(), strict=True))
    }


def seg_m(a: str, b: str) -> float:
    lon = 120.0 + np.asarray([POS[a][0], POS[b][0]]) / 1000.0
    lat = 30.0 + np.asarray([POS[a][1], POS[b][1]]) / 1000.0
    return float(haversine_m(lon[0], lat[0], lon[1], lat[1]))


def test_hand_network_nodes_and_edges() -> None:
    net = network_of(HAND_WAYS, POS, simplify=True)
    assert {NAME_OF[int(o)] for o in net.node_osmid} == {"A", "B", "C", "D", "E", "m", "h2"}
    edges = named_edges(net)
    assert set(edges) == {
        ("A", "B"), ("B", "A"),  # through b1, b2
        ("B", "C"),  # one-way through d1, d2; no C -> B
        ("A", "C"), ("C", "A"),  # the direct street; the detour via p1-p3 was slower
        ("A", "m"), ("m", "A"), ("m", "D"), ("D", "m"),  # m kept: two classes meet
        ("D", "E"), ("E", "D"),  # through e1
        ("C", "E"), ("E", "C"),
        ("B", "h2"), ("h2", "B"),  # the spur's dead end stays, its bend goes
    }  # fmt: skip
    report = net.report
    # b1 b2 d1 d2 e1 p1 p2 p3 h1, the loop l1 l2 (now a self-loop at C) and the ring r1-r3
    assert report.nodes_simplified_away == 14
    assert report.nodes_before_scc == 7
    assert report.edges_before_scc == net.n_edges == 15
    assert report.parallel_edges_collapsed == 2  # the detour A-C, both ways
    # Tagged ("maxspeed", here: not 20 km/h) only where every merged segment was: B->C,
    # m<->D, E<->C; D<->E mixes a 20 and a 30 km/h segment.
    assert report.maxspeed_tagged_edges == 5


def test_hand_network_merged_edges_are_exact() -> None:
    net = network_of(HAND_WAYS, POS, simplify=True)
    edges = named_edges(net)
    ab = edges["A", "B"]
    length = seg_m("A", "b1") + seg_m("b1", "b2") + seg_m("b2", "B")
    assert net.length_m[ab] == pytest.approx(length, rel=1e-13)
    assert net.speed_kph[ab] == 20.0  # one speed along the chain: kept exactly
    assert net.travel_min[ab] == pytest.approx(length / (20_000 / 60), rel=1e-13)
    assert ROAD_CLASSES[int(net.road_class[ab])] == "residential"
    bc = edges["B", "C"]
    assert net.speed_kph[bc] == 45.0
    assert ROAD_CLASSES[int(net.road_class[bc])] == "primary"
    # Two speeds: times add up, and the speed is the chain's length over its time.
    de = edges["D", "E"]
    minutes = seg_m("D", "e1") / (20_000 / 60) + seg_m("e1", "E") / (30_000 / 60)
    assert net.travel_min[de] == pytest.approx(minutes, rel=1e-13)
    assert net.length_m[de] == pytest.approx(seg_m("D", "e1") + seg_m("e1", "E"), rel=1e-13)
    assert 20.0 < net.speed_kph[de] < 30.0
    assert net.speed_kph[de] == pytest.approx(net.length_m[de] / net.travel_min[de] * 0.06)
    np.testing.assert_allclose(net.travel_min, net.length_m / (net.speed_kph * 1000 / 60))


def test_hand_network_keeps_shortest_times() -> None:
    raw = network_of(HAND_WAYS, POS, simplify=False)
    simple = network_of(HAND_WAYS, POS, simplify=True)
    assert raw.n_nodes == 18  # the ring r1-r3 is its own component either way
    assert_same_shortest_times(raw, simple)


def test_keep_nodes_stay() -> None:
    net = network_of(HAND_WAYS, POS, simplify=True, keep=["b1", "e1"])
    names = {NAME_OF[int(o)] for o in net.node_osmid}
    assert {"b1", "e1"} <= names
    assert "b2" not in names
    edges = named_edges(net)
    assert {("A", "b1"), ("b1", "B"), ("D", "e1"), ("e1", "E")} <= set(edges)
    assert_same_shortest_times(network_of(HAND_WAYS, POS, simplify=False), net)


def test_only_rings_is_a_user_error() -> None:
    ring = [w for w in HAND_WAYS if w[0][0] == "r1"]
    assert network_of(ring, POS, simplify=False).n_nodes == 3
    with pytest.raises(UserError, match="isolated rings"):
        network_of(ring, POS, simplify=True)


def test_simplified_is_deterministic() -> None:
    a = network_of(HAND_WAYS, POS, simplify=True)
    b = network_of(list(reversed(HAND_WAYS)), POS, simplify=True)
    for key in ("node_osmid", "indptr", "indices", "length_m", "travel_min", "road_class"):
        np.testing.assert_allclose(getattr(a, key), getattr(b, key), rtol=1e-13, err_msg=key)


# --- endpoint rules against osmnx's own -------------------------------------------------


def test_endpoint_rules_match_osmnx_is_endpoint() -> None:
    simplification = pytest.importorskip("osmnx.simplification")
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(60):
        n = int(rng.integers(3, 12))
        m = int(rng.integers(2, 3 * n))
        u = rng.integers(0, n, m)
        v = np.where(rng.random(m) < 0.7, (u + rng.integers(1, 3, m)) % n, rng.integers(0, n, m))
        cls = rng.integers(0, 2, m) * rng.integers(0, 2)  # often a single class
        g = nx.MultiDiGraph()
        g.add_nodes_from(range(n))
        for a, b, c in zip(u.tolist(), v.tolist(), cls.tolist(), strict=True):
            g.add_edge(a, b, road_class=c)
        for attrs in (None, ["road_class"]):
            want = [simplification._is_endpoint(g, i, None, attrs) for i in range(n)]
            road_class = cls if attrs else np.zeros(m, dtype=np.uint8)
            got = endpoint_nodes(n, u, v, road_class)
            assert got.tolist() == want
            checked += n
    assert checked > 500


def test_self_loop_and_parallel_make_endpoints() -> None:
    # 0-1-2 a two-way street; 1 has 2 neighbours and degree 4: interstitial
    u, v = np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1])
    cls = np.zeros(4, dtype=np.uint8)
    assert endpoint_nodes(3, u, v, cls).tolist() == [True, False, True]
    # a self-loop at 1 (rule 1)
    ul, vl = np.append(u, 1), np.append(v, 1)
    assert endpoint_nodes(3, ul, vl, np.zeros(5, dtype=np.uint8)).tolist() == [True] * 3
    # a parallel edge 0 -> 1: degree 5 (rule 3)
    up, vp = np.append(u, 0), np.append(v, 1)
    assert endpoint_nodes(3, up, vp, np.zeros(5, dtype=np.uint8)).tolist() == [True] * 3
    # two classes meet at 1
    mixed = np.array([0, 0, 1, 1], dtype=np.uint8)
    assert endpoint_nodes(3, u, v, mixed).tolist() == [True] * 3
    # kept on request
    assert endpoint_nodes(3, u, v, cls, keep=np.array([1])).tolist() == [True] * 3


# --- random networks: shortest times never change ---------------------------------------


def random_ways(rng: np.random.Generator) -> tuple[list[Way], dict[str, tuple[float, float]]]:
    """Junctions on a two-way ring plus random ways with bends, one-ways, classes, rings."""
    n_junctions = int(rng.integers(4, 9))
    pos: dict[str, tuple[float, float]] = {}
    for j in range(n_junctions):
        ang = 2 * np.pi * j / n_junctions
        pos[f"J{j}"] = (5 * np.cos(ang), 5 * np.sin(ang))
    ways: list[Way] = []
    bend = itertools.count()

    def chain(a: str, b: str, k: int) -> list[str]:
        ax, ay = pos[a]
        bx, by = pos[b]
        inner = []
        for t in np.linspace(0, 1, k + 2)[1:-1]:
            name = f"x{next(bend)}"
            jitter = rng.normal(0, 0.3, 2)
            pos[name] = (ax + t * (bx - ax) + jitter[0], ay + t * (by - ay) + jitter[1])
            inner.append(name)
        return [a, *inner, b]

    classes = ["residential", "tertiary"]
    for j in range(n_junctions):
        a, b = f"J{j}", f"J{(j + 1) % n_junctions}"
        nodes = chain(a, b, int(rng.integers(0, 4)))
        ways.append((nodes, "residential", [20.0] * (len(nodes) - 1), False))
    for _ in range(int(rng.integers(3, 12))):
        a, b = (f"J{int(x)}" for x in rng.choice(n_junctions, 2, replace=False))
        nodes = chain(a, b, int(rng.integers(0, 5)))
        if rng.random() < 0.3:  # a class change part-way along the street
            cut = int(rng.integers(1, len(nodes)))
            for part in (nodes[: cut + 1], nodes[cut:]):
                cls = classes[int(rng.integers(2))]
                ways.append((part, cls, [30.0] * (len(part) - 1), bool(rng.random() < 0.3)))
        else:
            speeds = rng.choice([20.0, 25.0, 30.0], len(nodes) - 1).tolist()
            cls = classes[int(rng.integers(2))]
            ways.append((nodes, cls, speeds, bool(rng.random() < 0.4)))
    if rng.random() < 0.5:  # a dead-end spur with a bend
        a = f"J{int(rng.integers(n_junctions))}"
        pos["spur"] = (pos[a][0] * 1.5, pos[a][1] * 1.5)
        nodes = chain(a, "spur", 1)
        ways.append((nodes, "residential", [20.0] * (len(nodes) - 1), False))
    if rng.random() < 0.3:  # an isolated ring
        for k in range(4):
            pos[f"R{k}"] = (20 + np.cos(k), 20 + np.sin(k))
        ways.append((["R0", "R1", "R2", "R3", "R0"], "service", [15.0] * 4, False))
    return ways, pos


@pytest.mark.parametrize("seed", range(40))
def test_random_networks_keep_shortest_times(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ways, pos = random_ways(rng)
    raw = network_of(ways, pos, simplify=False)
    simple = network_of(ways, pos, simplify=True)
    assert simple.n_nodes <= raw.n_nodes
    assert set(simple.node_osmid.tolist()) <= set(raw.node_osmid.tolist())
    assert_same_shortest_times(raw, simple)
    assert simple.report.nodes_simplified_away + simple.report.nodes_before_scc == (
        raw.report.nodes_before_scc
    )
    # Every node simplification keeps in the SCC is a raw endpoint and vice versa.
    raw_ends = endpoint_nodes(raw.n_nodes, raw.edge_sources(), raw.indices, raw.road_class)
    if raw.n_nodes == len(pos):  # nothing cut by the SCC step, so both views agree
        assert set(simple.node_osmid.tolist()) == set(raw.node_osmid[raw_ends].tolist())


# --- through the OSM reader ---------------------------------------------------------------

REPEATED_NODE_XML = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="30.0000" lon="120.0000"/>
  <node id="2" lat="30.0002" lon="120.0010"/>
  <node id="3" lat="30.0000" lon="120.0020"/>
  <node id="4" lat="30.0010" lon="120.0030"/>
  <node id="5" lat="30.0010" lon="120.0000"/>
  <way id="1"><nd ref="1"/><nd ref="2"/><nd ref="2"/><nd ref="3"/>
    <tag k="highway" v="residential"/></way>
  <way id="2"><nd ref="3"/><nd ref="4"/><tag k="highway" v="residential"/></way>
  <way id="3"><nd ref="1"/><nd ref="5"/><tag k="highway" v="tertiary"/></way>
</osm>
"""


def test_repeated_way_node_is_not_a_junction(tmp_path: Path) -> None:
    path = tmp_path / "repeat.osm"
    path.write_text(REPEATED_NODE_XML)
    raw = read_osm(path, RAW)
    assert raw.n_nodes == 5
    assert raw.n_edges == 8  # no self-loop at node 2
    net = read_osm(path)
    # 2 (listed twice) and 3 are bends of one residential street: 1 stays (a tertiary
    # meets it), 4 and 5 are dead ends.
    assert set(net.node_osmid.tolist()) == {1, 4, 5}
    assert net.report.nodes_simplified_away == 2
    assert_same_shortest_times(raw, net)


def test_tiny_fixture_simplified() -> None:
    tiny = Path(__file__).parent / "data" / "tiny_oneway.osm.xml"
    raw, net = read_osm(tiny, RAW), read_osm(tiny)
    # Roundabout 7-8-9 is a one-way loop off 7 and motorway 3-11-12-3 a loop off 3: their
    # inner nodes merge into self-loops, which are dropped.
    assert set(net.node_osmid.tolist()) == {1, 2, 3, 4, 5, 6, 7, 13}
    assert net.report.nodes_simplified_away == 4  # 8, 9, 11, 12
    assert net.report.nodes_before_scc == 11  # + 14, 20, 21 cut by the SCC step
    assert net.n_edges == 14
    assert_same_shortest_times(raw, net)
