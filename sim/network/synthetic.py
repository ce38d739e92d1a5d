"""A synthetic Zhejiang-style county road network, deterministic from a seed.

Used for tests, demos and what-if studies where no real extract is at hand. Every output
made on it must say "synthetic" (``RoadNetwork.synthetic`` is True and its attribution
says so). The layout, in local metres around the county seat (placed near 119.65°E,
29.10°N, a mountain county of west Zhejiang):

* county seat: a ~3 × 3 km street grid with 150-250 m blocks; the central avenues are
  primary, the outer ring and every fourth street secondary, the rest residential, about a
  quarter of the inner residential streets one-way; a service lane into the county
  hospital campus;
* 6-10 townships 8-25 km out, each a small grid (tertiary main streets, residential);
* provincial roads (primary for two or three townships, secondary for the rest) from the
  seat to every township, and secondary/tertiary roads between neighbouring townships;
* villages on unclassified spurs (some tied back by a tertiary road) off the rural roads;
* an expressway (motorway, separate one-way carriageways, 100 km/h default) from beyond
  the county past the seat to a prefecture city 40-60 km away, with motorway_link
  interchanges at its far end, near the seat, near one or two townships and at the city;
* the prefecture city: a ~5 × 5 km grid (trunk ring, primary avenues, secondary and
  residential streets) with a service lane into the city trauma-centre campus, reached by
  the expressway and by a primary provincial road from the seat.

Road classes present: motorway, trunk, primary, secondary, tertiary, unclassified,
residential, service (motorway_link ramps count as motorway). Speeds are the
:class:`~sim.network.speeds.SpeedSpec` class defaults. Randomness comes only from a local
``numpy.random.default_rng(seed)``.

The county is not simplified by default (unlike OSM files, see
:mod:`sim.network.build`): it is small (about 2,400 nodes, so routing tables are cheap)
and its rural roads are chains of nodes 250-500 m apart with few junctions. Simplified
(``generate_county(simplify=True)``: about 900 nodes), 60 % of the crash weight of the
demand model would sit on edges longer than 2 km, up to 30-50 km, and a crash placed along
such an edge is reached only from its tail (mean along-edge access 0.25 → 4.9 min), while
incidents drawn uniformly over nodes would move from rural roads to the towns.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from sim.core.units import EARTH_RADIUS_M
from sim.network.build import build_network, haversine_m
from sim.network.core import ROAD_CLASS_CODE, LoadReport, RoadNetwork
from sim.network.speeds import SpeedSpec, road_class_of

DEFAULT_SEED = 20240601
SEAT_LON, SEAT_LAT = 119.65, 29.10
#: Bump when the layout rules change (part of the synthetic source hash).
GENERATOR_VERSION = 1

_Point = tuple[float, float]


@dataclass
class _Builder:
    """Nodes in local metres and directed edges tagged with an OSM ``highway`` value."""

    xs: list[float] = field(default_factory=list)
    ys: list[float] = field(default_factory=list)
    u: list[int] = field(default_factory=list)
    v: list[int] = field(default_factory=list)
    highway: list[str] = field(default_factory=list)
    n_roads: int = 0

    def node(self, p: _Point) -> int:
        self.xs.append(float(p[0]))
        self.ys.append(float(p[1]))
        return len(self.xs) - 1

    def xy(self, i: int) -> _Point:
        return self.xs[i], self.ys[i]

    def road(self, nodes: list[int], highway: str, oneway: int = 0) -> None:
        """Edges between consecutive nodes; oneway 1 along the list, -1 against, 0 both."""
        self.n_roads += 1
        for a, b in itertools.pairwise(nodes):
            if oneway >= 0:
                self._edge(a, b, highway)
            if oneway <= 0:
                self._edge(b, a, highway)

    def _edge(self, a: int, b: int, highway: str) -> None:
        self.u.append(a)
        self.v.append(b)
        self.highway.append(highway)

    def path(
        self,
        start: int,
        end: int,
        highway: str,
        rng: np.random.Generator,
        *,
        spacing_m: float = 350.0,
        wiggle: float = 0.04,
        oneway: int = 0,
    ) -> list[int]:
        """A gently curving road from node ``start`` to node ``end``; returns its nodes."""
        inner = _curve(self.xy(start), self.xy(end), rng, spacing_m=spacing_m, wiggle=wiggle)
        nodes = [start, *(self.node(p) for p in inner), end]
        self.road(nodes, highway, oneway)
        return nodes

    def nearest(self, p: _Point, candidates: list[int]) -> int:
        xs = np.asarray([self.xs[i] for i in candidates])
        ys = np.asarray([self.ys[i] for i in candidates])
        return candidates[int(np.argmin((xs - p[0]) ** 2 + (ys - p[1]) ** 2))]


def _curve(
    p0: _Point, p1: _Point, rng: np.random.Generator, *, spacing_m: float, wiggle: float
) -> list[_Point]:
    """Interior points of a smooth random curve from p0 to p1 (sines vanish at both ends)."""
    dx, dy = p1[0] - p0[0], p1[1] - p0[1]
    length = math.hypot(dx, dy)
    n = max(1, round(length / spacing_m))
    t = np.linspace(0.0, 1.0, n + 1)[1:-1]
    amp = rng.normal(0.0, wiggle * length, size=3) / np.arange(1, 4)
    offset = sum(amp[m] * np.sin(np.pi * (m + 1) * t) for m in range(3))
    px, py = (-dy / length, dx / length) if length > 0 else (0.0, 0.0)
    return [
        (p0[0] + ti * dx + oi * px, p0[1] + ti * dy + oi * py)
        for ti, oi in zip(t, np.asarray(offset) * np.ones_like(t), strict=True)
    ]


def _lines(rng: np.random.Generator, width_m: float, lo: float, hi: float) -> np.ndarray:
    """Street positions across ``width_m`` (centred on 0) with blocks of lo-hi metres."""
    pos = [-width_m / 2]
    while pos[-1] < width_m / 2 - lo:
        pos.append(pos[-1] + float(rng.uniform(lo, hi)))
    return np.asarray(pos) - (pos[-1] + pos[0]) / 2


@dataclass
class _Grid:
    nodes: np.ndarray  # [i, j] node index at column i (x), row j (y)

    def boundary(self) -> list[int]:
        g = self.nodes
        return sorted({*g[0, :], *g[-1, :], *g[:, 0], *g[:, -1]})

    def all(self) -> list[int]:
        return [int(x) for x in self.nodes.ravel()]


def _grid(
    b: _Builder,
    rng: np.random.Generator,
    centre: _Point,
    width_m: float,
    *,
    block: tuple[float, float],
    kind: str,
) -> _Grid:
    """A street grid; ``kind`` is "seat", "township" or "city" and sets the road classes."""
    xl = _lines(rng, width_m, *block)
    yl = _lines(rng, width_m, *block)
    nodes = np.empty((xl.size, yl.size), dtype=np.int64)
    for i, x in enumerate(xl):
        for j, y in enumerate(yl):
            nodes[i, j] = b.node((centre[0] + x, centre[1] + y))
    for axis, count in ((0, xl.size), (1, yl.size)):
        mid = count // 2
        for k in range(count):
            line = [int(n) for n in (nodes[k, :] if axis == 0 else nodes[:, k])]
            edge = k in (0, count - 1)
            oneway = 0
            if kind == "seat":
                if k == mid:
                    hw = "primary"
                elif edge or k % 4 == 0:
                    hw = "secondary"
                else:
                    hw = "residential"
                    if rng.random() < 0.25:
                        oneway = 1 if k % 2 else -1
            elif kind == "city":
                if edge:
                    hw = "trunk"
                elif k % 5 == 0 or k == mid:
                    hw = "primary"
                elif k % 2 == 0:
                    hw = "secondary"
                else:
                    hw = "residential"
                    if rng.random() < 0.2:
                        oneway = 1 if k % 2 else -1
            else:
                hw = "tertiary" if k == mid else "residential"
            b.road(line, hw, oneway)
    return _Grid(nodes)


def _campus(b: _Builder, grid: _Grid, near: _Point) -> int:
    """A two-way service lane from the grid node nearest ``near`` into a block."""
    gate = b.nearest(near, grid.all())
    gx, gy = b.xy(gate)
    inner = b.node((gx + 45.0, gy + 35.0))
    door = b.node((gx + 80.0, gy + 70.0))
    b.road([gate, inner, door], "service")
    return door


@dataclass
class _Layout:
    builder: _Builder
    places: dict[str, int]  # name -> node index


def _interchange(b: _Builder, a_nodes: list[int], b_nodes: list[int], k: int, side: float) -> int:
    """Ramps between both carriageways at index ``k`` and a new local junction node."""
    ax, ay = b.xy(a_nodes[k])
    px, py = b.xy(a_nodes[k + 1])
    dx, dy = px - ax, py - ay
    norm = math.hypot(dx, dy)
    nx_, ny_ = -dy / norm * side, dx / norm * side
    junction = b.node((ax + 300.0 * nx_, ay + 300.0 * ny_))
    for ramp_from, ramp_to, t in (
        (a_nodes[k - 1], junction, -0.5),  # off A
        (junction, a_nodes[k + 1], 0.5),  # on A
        (b_nodes[k + 1], junction, 0.6),  # off B
        (junction, b_nodes[k - 1], -0.6),  # on B
    ):
        mid = b.node((ax + t * dx + 150.0 * nx_, ay + t * dy + 150.0 * ny_))
        b.road([ramp_from, mid, ramp_to], "motorway_link", oneway=1)
    return junction


def _layout(seed: int) -> _Layout:
    rng = np.random.default_rng(seed)
    b = _Builder()
    places: dict[str, int] = {}

    seat = _grid(b, rng, (0.0, 0.0), 3000.0, block=(150.0, 250.0), kind="seat")
    seat_centre = b.nearest((0.0, 0.0), seat.all())
    places["county_seat"] = seat_centre
    places["county_hospital"] = _campus(b, seat, (250.0, 200.0))
    seat_edge = seat.boundary()

    # Prefecture city 40-60 km out.
    city_bearing = float(rng.uniform(0.0, 2 * math.pi))
    city_dist = float(rng.uniform(45_000.0, 55_000.0))
    city_xy = (city_dist * math.cos(city_bearing), city_dist * math.sin(city_bearing))
    city = _grid(b, rng, city_xy, 5000.0, block=(200.0, 300.0), kind="city")
    places["city_centre"] = b.nearest(city_xy, city.all())
    places["city_hospital"] = _campus(b, city, (city_xy[0] - 400.0, city_xy[1] + 300.0))
    city_edge = city.boundary()

    # Townships, spread around the seat, not on the city's bearing (the expressway is there).
    n_town = int(rng.integers(6, 11))
    start = city_bearing + math.pi / n_town
    towns: list[_Grid] = []
    town_xy: list[_Point] = []
    rural: list[int] = []  # nodes of rural roads, where villages may join
    for k in range(n_town):
        ang = (
            start + 2 * math.pi * k / n_town + float(rng.uniform(-0.2, 0.2)) * 2 * math.pi / n_town
        )
        dist = float(rng.uniform(8_000.0, 25_000.0))
        xy = (dist * math.cos(ang), dist * math.sin(ang))
        width = float(rng.uniform(600.0, 1000.0))
        grid = _grid(b, rng, xy, width, block=(150.0, 250.0), kind="township")
        towns.append(grid)
        town_xy.append(xy)
        places[f"township_{k + 1}"] = b.nearest(xy, grid.all())

    # Provincial roads seat → township, primary for the two or three busiest.
    n_primary = int(rng.integers(2, 4))
    primary_towns = set(rng.choice(n_town, size=n_primary, replace=False).tolist())
    for k, (grid, xy) in enumerate(zip(towns, town_xy, strict=True)):
        s = b.nearest(xy, seat_edge)
        t = b.nearest(b.xy(s), grid.boundary())
        hw = "primary" if k in primary_towns else "secondary"
        rural += b.path(s, t, hw, rng, spacing_m=350.0)[1:-1]
    # Neighbouring townships (not across the expressway corridor).
    for k in range(n_town - 1):
        g0, g1 = towns[k], towns[k + 1]
        s = b.nearest(town_xy[k + 1], g0.boundary())
        t = b.nearest(b.xy(s), g1.boundary())
        hw = "secondary" if k % 2 == 0 else "tertiary"
        rural += b.path(s, t, hw, rng, spacing_m=350.0)[1:-1]

    # Provincial road seat → city.
    s = b.nearest(city_xy, seat_edge)
    t = b.nearest(b.xy(s), city_edge)
    rural += b.path(s, t, "primary", rng, spacing_m=400.0, wiggle=0.05)[1:-1]

    # Expressway: from 20-25 km beyond the seat, passing 2.5-4 km to one side of it, to the
    # city's edge, as two one-way carriageways 30 m apart.
    side = 1.0 if rng.random() < 0.5 else -1.0
    ux, uy = math.cos(city_bearing), math.sin(city_bearing)
    px, py = -uy * side, ux * side
    back = float(rng.uniform(20_000.0, 25_000.0))
    lateral = float(rng.uniform(2_500.0, 4_000.0))
    far = (-back * ux + lateral * px, -back * uy + lateral * py)
    city_gate = b.nearest((0.0, 0.0), city_edge)
    gx, gy = b.xy(city_gate)
    end = (gx - 1500.0 * ux + lateral * 0.3 * px, gy - 1500.0 * uy + lateral * 0.3 * py)
    centre_line = [far, *_curve(far, end, rng, spacing_m=500.0, wiggle=0.01), end]
    a_nodes: list[int] = []
    b_nodes: list[int] = []
    for i, (x, y) in enumerate(centre_line):
        j = min(i + 1, len(centre_line) - 1)
        h = max(i - 1, 0)
        dx = centre_line[j][0] - centre_line[h][0]
        dy = centre_line[j][1] - centre_line[h][1]
        norm = math.hypot(dx, dy)
        ox, oy = -dy / norm * 15.0, dx / norm * 15.0
        a_nodes.append(b.node((x + ox, y + oy)))
        b_nodes.append(b.node((x - ox, y - oy)))
    b.road(a_nodes, "motorway", oneway=1)  # towards the city
    b.road(b_nodes, "motorway", oneway=-1)  # towards the far end

    # Terminal interchanges at both ends join the carriageways through a local junction.
    far_j = b.node((far[0] - 300.0 * ux, far[1] - 300.0 * uy))
    b.road([b_nodes[0], far_j, a_nodes[0]], "motorway_link", oneway=1)
    city_j = b.node((end[0] + 300.0 * ux, end[1] + 300.0 * uy))
    b.road([a_nodes[-1], city_j, b_nodes[-1]], "motorway_link", oneway=1)
    b.path(city_j, city_gate, "trunk", rng, spacing_m=300.0, wiggle=0.0)
    places["interchange_city"] = city_j
    places["interchange_1"] = far_j
    # The far end links to the nearest township.
    town_far = int(np.argmin([math.dist(far, xy) for xy in town_xy]))
    t = b.nearest(far, towns[town_far].boundary())
    rural += b.path(far_j, t, "secondary", rng)[1:-1]

    # Interchange near the seat, then near one or two townships close to the expressway.
    n_mid = len(centre_line) - 2
    k_seat = int(np.argmin([math.dist(p, (0.0, 0.0)) for p in centre_line[1:-1]])) + 1
    j = _interchange(b, a_nodes, b_nodes, k_seat, -side)
    b.path(j, b.nearest(b.xy(j), seat_edge), "primary", rng, spacing_m=300.0)
    places["interchange_2"] = j
    used = {k_seat}
    town_gap = [min(math.dist(xy, p) for p in centre_line[1:-1]) for xy in town_xy]
    n_extra = int(rng.integers(1, 3))
    for town in np.argsort(town_gap):
        if town == town_far:
            continue
        xy = town_xy[int(town)]
        k = int(np.argmin([math.dist(p, xy) for p in centre_line[1:-1]])) + 1
        if any(abs(k - other) < 4 for other in used) or not 2 <= k <= n_mid - 1:
            continue
        used.add(k)
        to_town = (xy[0] - centre_line[k][0]) * px + (xy[1] - centre_line[k][1]) * py
        j = _interchange(b, a_nodes, b_nodes, k, 1.0 if to_town * side > 0 else -1.0)
        grid = towns[int(town)]
        rural += b.path(j, b.nearest(b.xy(j), grid.boundary()), "secondary", rng)[1:-1]
        places[f"interchange_{len(used) + 1}"] = j
        if len(used) >= 1 + n_extra:
            break

    # Villages: unclassified spurs off the rural roads; every third also tied back by a
    # tertiary road to a second road node, so not all are dead ends.
    n_villages = int(rng.integers(25, 36))
    for v in range(n_villages):
        ang = float(rng.uniform(0.0, 2 * math.pi))
        dist = float(rng.uniform(4_000.0, 26_000.0))
        xy = (dist * math.cos(ang), dist * math.sin(ang))
        near = sorted(rural, key=lambda n: math.dist(b.xy(n), xy))
        village = b.node(xy)
        b.path(near[0], village, "unclassified", rng, spacing_m=250.0, wiggle=0.08)
        if v % 3 == 0:
            other = next((n for n in near[1:] if math.dist(b.xy(n), b.xy(near[0])) > 2_000.0), None)
            if other is not None:
                b.path(village, other, "tertiary", rng, spacing_m=300.0, wiggle=0.08)
        places.setdefault("village_1", village)

    return _Layout(builder=b, places=places)


def _to_lonlat(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local metres east/north of the seat to WGS-84 degrees (equirectangular, fine at 60 km)."""
    lat = SEAT_LAT + np.degrees(ys / EARTH_RADIUS_M)
    lon = SEAT_LON + np.degrees(xs / (EARTH_RADIUS_M * math.cos(math.radians(SEAT_LAT))))
    return lon, lat


def generate_county(
    seed: int = DEFAULT_SEED, *, speeds: SpeedSpec | None = None, simplify: bool = False
) -> RoadNetwork:
    """Generate the synthetic county road network.

    Parameters
    ----------
    seed
        Layout seed: the same seed always gives identical arrays.
    speeds
        Speed rules (class defaults are used; default :class:`SpeedSpec`). Its
        ``simplify`` field is not used here: see ``simplify``.
    simplify
        Merge chains of interstitial nodes into single edges, as for OSM files (the named
        places of :func:`county_places` stay nodes). Off by default: the rural roads are
        laid out with a node every 250-500 m on purpose, and simplifying them would leave
        edges up to 30-50 km long with no node to snap or place a crash on (module
        docstring).

    Returns
    -------
    RoadNetwork
        Named ``"synthetic_county"``, ``synthetic=True``, one strongly connected component.
    """
    speeds = speeds or SpeedSpec()
    layout = _layout(seed)
    b = layout.builder
    lon, lat = _to_lonlat(np.asarray(b.xs), np.asarray(b.ys))
    speed_json = speeds.model_dump_json(exclude={"simplify"})  # not used here
    settings = f"synthetic_county|seed={seed}|v{GENERATOR_VERSION}|{speed_json}"
    if simplify:
        settings += "|simplified"
    return network_from_builder(
        b,
        lon,
        lat,
        name="synthetic_county",
        speeds=speeds,
        settings=settings,
        source=f"synthetic Zhejiang-style county generator v{GENERATOR_VERSION}, seed {seed}"
        + (", simplified" if simplify else ""),
        simplify=simplify,
        keep_nodes=np.asarray(sorted(set(layout.places.values())), dtype=np.int64),
    )


def network_from_builder(
    b: _Builder,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    name: str,
    speeds: SpeedSpec,
    settings: str,
    source: str,
    simplify: bool = False,
    keep_nodes: np.ndarray | None = None,
) -> RoadNetwork:
    """A generated road layout as a :class:`RoadNetwork` (the county's and the province's).

    Parameters
    ----------
    b
        The generator's roads (``u``, ``v``, ``highway``, ``n_roads``).
    lon, lat
        Node coordinates in degrees.
    name, source
        The network's name and provenance text.
    speeds
        Free-flow speed per road class.
    settings
        Everything that determines the network; its SHA-256 is the cache key.
    simplify, keep_nodes
        As for :func:`sim.network.build.build_network`.

    Returns
    -------
    RoadNetwork
    """
    u = np.asarray(b.u, dtype=np.int64)
    v = np.asarray(b.v, dtype=np.int64)
    kph = {hw: speeds.default_kph(hw) for hw in set(b.highway)}
    return build_network(
        name=name,
        node_osmid=np.arange(1, lon.size + 1, dtype=np.int64),
        lon=lon,
        lat=lat,
        u=u,
        v=v,
        length_m=haversine_m(lon[u], lat[u], lon[v], lat[v]),
        speed_kph=np.asarray([kph[hw] for hw in b.highway]),
        road_class=np.asarray(
            [ROAD_CLASS_CODE[road_class_of(hw)] for hw in b.highway], dtype=np.uint8
        ),
        maxspeed_tagged=np.zeros(u.size, dtype=bool),
        report=LoadReport(ways_total=b.n_roads, ways_drivable=b.n_roads),
        simplify=simplify,
        keep_nodes=keep_nodes,
        synthetic=True,
        source=source,
        source_hash=hashlib.sha256(settings.encode("utf-8")).hexdigest(),
    )


def county_places(seed: int = DEFAULT_SEED) -> dict[str, tuple[float, float]]:
    """Named places of the synthetic county as ``(lon, lat)`` in degrees.

    Parameters
    ----------
    seed
        The same seed as given to :func:`generate_county`.

    Returns
    -------
    dict of str to (lon, lat)
        ``"county_seat"``, ``"county_hospital"``, ``"township_1"``..``"township_N"``,
        ``"city_centre"``, ``"city_hospital"``, ``"interchange_1"``.. (1 is the far end,
        2 next to the seat), ``"interchange_city"`` and ``"village_1"``. Each is exactly at a
        network node (hospital points are the end of their campus service lane).
    """
    layout = _layout(seed)
    names = list(layout.places)
    xs = np.asarray([layout.builder.xs[layout.places[n]] for n in names])
    ys = np.asarray([layout.builder.ys[layout.places[n]] for n in names])
    lon, lat = _to_lonlat(xs, ys)
    return {n: (float(lon[i]), float(lat[i])) for i, n in enumerate(names)}
