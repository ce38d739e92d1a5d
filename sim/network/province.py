"""A synthetic Zhejiang-like province: many counties, several cities, one seed.

For performance and scale studies (a whole region in one run, inter-centre transfers, the
"one network" mechanism) where no real provincial extract exists. Like the synthetic county
(:mod:`sim.network.synthetic`) everything made on it must say "synthetic"
(``RoadNetwork.synthetic`` is True). The layout, in local metres around 120.20°E, 29.60°N,
over a region of about 300 × 220 km:

* 4 prefecture cities at least 70 km apart, each an ~8 × 8 km street grid (trunk ring, primary
  avenues, secondary and residential streets) with a tertiary (trauma-centre) hospital campus
  and a second city hospital campus, and a 120 dispatch centre: its jurisdiction is the area
  nearer to it than to any other centre;
* 14-18 county seats at least 24 km from each other and from the cities, each a ~3 × 3 km grid
  with a county hospital campus; 3-5 townships per county 7-16 km from the seat, each a small
  grid;
* expressways (motorway, two-way, nodes every 2 km) joining the cities along a minimum spanning
  tree plus each city's second-nearest neighbour, entered through motorway_link ramps at the
  cities and at county seats within 20 km of them;
* provincial roads: primary from every county seat to its nearest city, secondary to its two
  nearest county seats; secondary/tertiary county roads to the townships and between them;
  villages on unclassified spurs.

:func:`province_layout` also gives the facilities (stations, hospitals, centres, police posts)
and a population grid of about 8-9 million residents (ASSUMED: city districts 1.0-1.4 M each,
counties 0.2-0.3 M, a county split 45 % seat, 25 % townships, 30 % rural roads; Zhejiang has
65 M residents in 11 cities and about 90 counties, so this is a region of a few prefectures'
cores and their counties). At the repository's dispatch rate of 99 per million per day
(docs/validation.md "Load") that is about 300,000 incidents a year (scenarios/
province_baseline.toml). ``tools/make_province_data.py`` writes them to scenarios/data/.
Randomness comes only from a local ``numpy.random.default_rng(seed)``; not simplified (rural
nodes every 0.6-0.8 km so crashes have somewhere to be).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.core.units import EARTH_RADIUS_M
from sim.network.core import RoadNetwork
from sim.network.speeds import SpeedSpec
from sim.network.synthetic import _Builder, _campus, _Grid, _grid, network_from_builder

PROVINCE_NAME = "synthetic_province"
DEFAULT_PROVINCE_SEED = 20260401
ORIGIN_LON, ORIGIN_LAT = 120.20, 29.60
#: Bump when the layout rules change (part of the synthetic source hash).
PROVINCE_GENERATOR_VERSION = 1

_Point = tuple[float, float]
_HALF_W, _HALF_H = 150_000.0, 110_000.0  # region half-width and half-height in metres


@dataclass(frozen=True)
class Site:
    """A facility or population point of the synthetic province (WGS-84 degrees)."""

    id: str
    name: str
    lon: float
    lat: float
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProvinceLayout:
    """The province's facilities, population cells and urban centres.

    Attributes
    ----------
    centres, stations, hospitals, police
        Facility rows: ``attrs`` holds the CSV columns beyond id/name/lon/lat.
    cells
        Population points; ``attrs["population"]`` is the residents of the cell.
    urban_centres
        ``(lon, lat, radius_km)`` of every city and county seat (demand's urban zone).
    """

    centres: tuple[Site, ...]
    stations: tuple[Site, ...]
    hospitals: tuple[Site, ...]
    police: tuple[Site, ...]
    cells: tuple[Site, ...]
    urban_centres: tuple[tuple[float, float, float], ...]

    @property
    def population(self) -> float:
        """Residents over all cells."""
        return float(sum(float(c.attrs["population"]) for c in self.cells))


@dataclass
class _Draft:
    builder: _Builder
    cities: list[tuple[_Point, _Grid]]
    seats: list[tuple[_Point, _Grid]]
    towns: list[list[tuple[_Point, _Grid]]]  # per county
    rural: list[list[int]]  # per county: rural road nodes (population along roads)
    city_campus: list[tuple[int, int]]  # (trauma centre, city hospital) door nodes
    seat_campus: list[int]
    city_pop: list[float]
    county_pop: list[float]


def _place(
    rng: np.random.Generator, n: int, taken: list[_Point], min_gap_m: float, margin_m: float
) -> list[_Point]:
    """``n`` random points in the region at least ``min_gap_m`` from each other and ``taken``."""
    out: list[_Point] = []
    for _ in range(20_000):
        if len(out) == n:
            break
        p = (
            float(rng.uniform(-_HALF_W + margin_m, _HALF_W - margin_m)),
            float(rng.uniform(-_HALF_H + margin_m, _HALF_H - margin_m)),
        )
        if all(math.dist(p, q) >= min_gap_m for q in (*taken, *out)):
            out.append(p)
    if len(out) < n:  # cannot happen for the ranges used here; fail loudly if rules change
        msg = f"province layout: could not place {n} settlements {min_gap_m:.0f} m apart"
        raise RuntimeError(msg)
    return out


def _mst(points: list[_Point]) -> list[tuple[int, int]]:
    """Edges of the Euclidean minimum spanning tree (Prim; a handful of points)."""
    inside = {0}
    edges: list[tuple[int, int]] = []
    while len(inside) < len(points):
        a, b = min(
            ((i, j) for i in inside for j in range(len(points)) if j not in inside),
            key=lambda e: math.dist(points[e[0]], points[e[1]]),
        )
        inside.add(b)
        edges.append((a, b))
    return edges


def _draft(seed: int) -> _Draft:
    rng = np.random.default_rng(seed)
    b = _Builder()
    city_xy = _place(rng, 4, [], 70_000.0, 25_000.0)
    n_county = int(rng.integers(14, 19))
    seat_xy = _place(rng, n_county, city_xy, 24_000.0, 12_000.0)

    cities: list[tuple[_Point, _Grid]] = []
    city_campus: list[tuple[int, int]] = []
    for xy in city_xy:
        g = _grid(b, rng, xy, 8000.0, block=(400.0, 600.0), kind="city")
        cities.append((xy, g))
        tc = _campus(b, g, (xy[0] - 600.0, xy[1] + 500.0))
        ch = _campus(b, g, (xy[0] + 2200.0, xy[1] - 1800.0))
        city_campus.append((tc, ch))
    seats: list[tuple[_Point, _Grid]] = []
    seat_campus: list[int] = []
    for xy in seat_xy:
        g = _grid(b, rng, xy, 3000.0, block=(300.0, 450.0), kind="seat")
        seats.append((xy, g))
        seat_campus.append(_campus(b, g, (xy[0] + 250.0, xy[1] + 200.0)))

    rural: list[list[int]] = [[] for _ in seats]
    towns: list[list[tuple[_Point, _Grid]]] = []
    settled = [*city_xy, *seat_xy]
    for c, (sxy, sg) in enumerate(seats):
        mine: list[tuple[_Point, _Grid]] = []
        n_town = int(rng.integers(3, 6))
        for _ in range(200):
            if len(mine) == n_town:
                break
            ang = float(rng.uniform(0.0, 2 * math.pi))
            dist = float(rng.uniform(7_000.0, 16_000.0))
            xy = (sxy[0] + dist * math.cos(ang), sxy[1] + dist * math.sin(ang))
            if abs(xy[0]) > _HALF_W or abs(xy[1]) > _HALF_H:
                continue
            others = [q for q in settled if q != sxy] + [t for t, _ in mine]
            if any(math.dist(xy, q) < 6_000.0 for q in others):
                continue
            if any(math.dist(xy, q) < 12_000.0 for q in city_xy):
                continue
            g = _grid(
                b, rng, xy, float(rng.uniform(600.0, 900.0)), block=(200.0, 300.0), kind="township"
            )
            mine.append((xy, g))
        for k, (txy, tg) in enumerate(mine):
            s = b.nearest(txy, sg.boundary())
            t = b.nearest(b.xy(s), tg.boundary())
            hw = "secondary" if k % 2 == 0 else "tertiary"
            rural[c] += b.path(s, t, hw, rng, spacing_m=700.0, wiggle=0.06)[1:-1]
        for k in range(len(mine) - 1):
            (_, ag), (_, bg) = mine[k], mine[k + 1]
            s = b.nearest(b.xy(bg.all()[0]), ag.boundary())
            t = b.nearest(b.xy(s), bg.boundary())
            rural[c] += b.path(s, t, "tertiary", rng, spacing_m=700.0, wiggle=0.06)[1:-1]
        settled += [t for t, _ in mine]
        towns.append(mine)

    # Provincial roads: seat → nearest city (primary), seat → two nearest seats (secondary).
    def owner(p: _Point) -> int:
        return int(np.argmin([math.dist(p, s) for s in seat_xy]))

    def road(a_nodes: list[int], b_nodes: list[int], hw: str, spacing_m: float) -> None:
        s = b.nearest(b.xy(b_nodes[len(b_nodes) // 2]), a_nodes)
        t = b.nearest(b.xy(s), b_nodes)
        inner = b.path(s, t, hw, rng, spacing_m=spacing_m, wiggle=0.04)[1:-1]
        for n in inner:
            rural[owner(b.xy(n))].append(n)

    for sxy, sg in seats:
        j = int(np.argmin([math.dist(sxy, q) for q in city_xy]))
        road(sg.boundary(), cities[j][1].boundary(), "primary", 800.0)
    pairs: set[tuple[int, int]] = set()
    for c, (sxy, _) in enumerate(seats):
        order = np.argsort([math.dist(sxy, q) for q in seat_xy])
        for d in order[1:3]:
            pairs.add((min(c, int(d)), max(c, int(d))))
    for c, d in sorted(pairs):
        road(seats[c][1].boundary(), seats[d][1].boundary(), "secondary", 800.0)

    # Expressways between cities: MST plus each city's second-nearest neighbour.
    links = {tuple(sorted(e)) for e in _mst(city_xy)}
    for i, xy in enumerate(city_xy):
        order = np.argsort([math.dist(xy, q) for q in city_xy])
        links.add(tuple(sorted((i, int(order[2])))))
    motorway_nodes: list[int] = []
    for i, j in sorted(links):
        gi = b.nearest(city_xy[j], cities[i][1].boundary())
        gj = b.nearest(city_xy[i], cities[j][1].boundary())
        path = b.path(gi, gj, "motorway", rng, spacing_m=2000.0, wiggle=0.02)
        # The city gates are grid nodes: re-tag their first and last legs as ramps.
        for e in range(len(b.u) - 2 * (len(path) - 1), len(b.u)):
            if b.u[e] in (gi, gj) or b.v[e] in (gi, gj):
                b.highway[e] = "motorway_link"
        motorway_nodes += path[1:-1]
    # Interchanges: a seat within 20 km of an expressway gets a primary road to it.
    for c, (sxy, sg) in enumerate(seats):
        if not motorway_nodes:
            break
        m = b.nearest(sxy, motorway_nodes)
        if math.dist(b.xy(m), sxy) > 20_000.0:
            continue
        mx, my = b.xy(m)
        ramp = b.node((mx + 250.0, my + 250.0))
        b.road([m, ramp], "motorway_link")
        s = b.nearest(b.xy(ramp), sg.boundary())
        rural[c] += b.path(ramp, s, "primary", rng, spacing_m=800.0, wiggle=0.03)[:-1]

    # Villages on unclassified spurs off each county's rural roads.
    for nodes in rural:
        if not nodes:
            continue
        for _ in range(int(rng.integers(6, 11))):
            base = nodes[int(rng.integers(0, len(nodes)))]
            bx, by = b.xy(base)
            ang = float(rng.uniform(0.0, 2 * math.pi))
            dist = float(rng.uniform(1_500.0, 4_000.0))
            village = b.node((bx + dist * math.cos(ang), by + dist * math.sin(ang)))
            nodes += b.path(base, village, "unclassified", rng, spacing_m=600.0, wiggle=0.08)[1:]

    # Residents (ASSUMED, Zhejiang-like): city districts 1.0-1.4 M, counties 0.2-0.3 M.
    city_pop = [float(rng.uniform(1.0e6, 1.4e6)) for _ in cities]
    county_pop = [float(rng.uniform(0.2e6, 0.3e6)) for _ in seats]
    return _Draft(b, cities, seats, towns, rural, city_campus, seat_campus, city_pop, county_pop)


def _to_lonlat(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local metres to WGS-84 degrees (equirectangular; ~0.5 % scale error at ±110 km)."""
    lat = ORIGIN_LAT + np.degrees(ys / EARTH_RADIUS_M)
    lon = ORIGIN_LON + np.degrees(xs / (EARTH_RADIUS_M * math.cos(math.radians(ORIGIN_LAT))))
    return lon, lat


def generate_province(
    seed: int = DEFAULT_PROVINCE_SEED, *, speeds: SpeedSpec | None = None
) -> RoadNetwork:
    """Generate the synthetic province road network.

    Parameters
    ----------
    seed
        Layout seed: the same seed always gives identical arrays.
    speeds
        Speed rules (class defaults are used; default :class:`SpeedSpec`). Its ``simplify``
        field is not used: the province is never simplified (module docstring).

    Returns
    -------
    RoadNetwork
        Named ``"synthetic_province"``, ``synthetic=True``, one strongly connected component
        (about 8,800 nodes with the default seed).
    """
    speeds = speeds or SpeedSpec()
    b = _draft(seed).builder
    lon, lat = _to_lonlat(np.asarray(b.xs), np.asarray(b.ys))
    speed_json = speeds.model_dump_json(exclude={"simplify"})
    settings = f"{PROVINCE_NAME}|seed={seed}|v{PROVINCE_GENERATOR_VERSION}|{speed_json}"
    return network_from_builder(
        b,
        lon,
        lat,
        name=PROVINCE_NAME,
        speeds=speeds,
        settings=settings,
        source=(
            f"synthetic Zhejiang-like province generator v{PROVINCE_GENERATOR_VERSION}, seed {seed}"
        ),
    )


def province_layout(seed: int = DEFAULT_PROVINCE_SEED) -> ProvinceLayout:
    """Facilities, population cells and urban centres of the synthetic province.

    Parameters
    ----------
    seed
        The same seed as given to :func:`generate_province`.

    Returns
    -------
    ProvinceLayout
        Every site exactly at a network node (hospitals at the end of their campus lane).
        Per city: a 120 centre (8 seats), a trauma centre (8 resuscitation bays, 6 theatres)
        and a city hospital (4, 3), 8 stations (at the trauma centre, the city hospital and
        on a 3 × 3 lattice minus its middle: 3 ALS + 1 BLS each), 2 police posts (3 units).
        Per county: a county hospital (3, 2), a station at it (2 ALS + 1 BLS) and one in
        each of its first two townships (1 ALS), a police post (2 units). Unit counts are
        ASSUMPTIONS scaled from the Hangzhou scenario (about one ambulance per 42,000
        residents, below the national one per 30,000 target).
    """
    d = _draft(seed)
    b = d.builder

    def site(sid: str, name: str, node: int, **attrs: str) -> Site:
        lon, lat = _to_lonlat(np.asarray([b.xs[node]]), np.asarray([b.ys[node]]))
        return Site(sid, name, float(lon[0]), float(lat[0]), dict(attrs))

    centres: list[Site] = []
    stations: list[Site] = []
    hospitals: list[Site] = []
    police: list[Site] = []
    cells: list[Site] = []
    urban: list[tuple[float, float, float]] = []
    for i, ((xy, g), (tc, ch)) in enumerate(zip(d.cities, d.city_campus, strict=True), start=1):
        centre = b.nearest(xy, g.all())
        centres.append(
            site(f"C{i}", f"城市{i}急救指挥中心 (city {i} 120 centre)", centre, seats="8")
        )
        hospitals.append(
            site(
                f"T{i}",
                f"城市{i}创伤中心 (city {i} trauma centre)",
                tc,
                tier="trauma_centre",
                resus_bays="8",
                theatres="6",
            )
        )
        hospitals.append(
            site(
                f"H{i}",
                f"城市{i}人民医院 (city {i} hospital)",
                ch,
                tier="city",
                resus_bays="4",
                theatres="3",
            )
        )
        stations.append(
            site(
                f"S{i}_1",
                f"城市{i}急救站1 (at the trauma centre)",
                tc,
                als="3",
                bls="1",
                shift="24h",
            )
        )
        stations.append(
            site(
                f"S{i}_2",
                f"城市{i}急救站2 (at the city hospital)",
                ch,
                als="3",
                bls="1",
                shift="24h",
            )
        )
        k = 3
        for dx in (-2500.0, 0.0, 2500.0):
            for dy in (-2500.0, 0.0, 2500.0):
                if dx == dy == 0.0 or k > 8:
                    continue
                node = b.nearest((xy[0] + dx, xy[1] + dy), g.all())
                stations.append(
                    site(f"S{i}_{k}", f"城市{i}急救站{k}", node, als="3", bls="1", shift="24h")
                )
                k += 1
        for p, (dx, dy) in enumerate(((-1500.0, 1500.0), (1500.0, -1500.0)), start=1):
            node = b.nearest((xy[0] + dx, xy[1] + dy), g.all())
            police.append(site(f"P{i}_{p}", f"城市{i}交警支队{p}", node, units="3"))
        nodes = g.all()
        for n in nodes:
            cells.append(
                site(f"city{i}_{n}", "", n, population=f"{d.city_pop[i - 1] / len(nodes):.1f}")
            )
        clon, clat = _to_lonlat(np.asarray([xy[0]]), np.asarray([xy[1]]))
        urban.append((round(float(clon[0]), 5), round(float(clat[0]), 5), 5.0))

    for c, ((xy, g), door) in enumerate(zip(d.seats, d.seat_campus, strict=True), start=1):
        hospitals.append(
            site(
                f"CH{c}",
                f"县{c}人民医院 (county {c} hospital)",
                door,
                tier="county",
                resus_bays="3",
                theatres="2",
            )
        )
        stations.append(
            site(
                f"S{100 + c}",
                f"县{c}急救站 (at the county hospital)",
                door,
                als="2",
                bls="1",
                shift="24h",
            )
        )
        for t, (_, tg) in enumerate(d.towns[c - 1][:2], start=1):
            node = tg.all()[len(tg.all()) // 2]
            stations.append(
                site(f"S{100 + c}_{t}", f"县{c}乡镇站{t}", node, als="1", bls="0", shift="24h")
            )
        police.append(site(f"P{100 + c}", f"县{c}交警大队", b.nearest(xy, g.all()), units="2"))
        pop = d.county_pop[c - 1]
        parts = [(f"seat{c}", g.all(), 0.45)]
        towns = d.towns[c - 1]
        parts += [
            (f"town{c}_{t}", tg.all(), 0.25 / len(towns))
            for t, (_, tg) in enumerate(towns, start=1)
        ]
        parts.append((f"rural{c}", sorted(set(d.rural[c - 1])), 0.30 if towns else 0.55))
        for label, nodes, share in parts:
            for n in nodes:
                cells.append(
                    site(f"{label}_{n}", "", n, population=f"{pop * share / len(nodes):.1f}")
                )
        slon, slat = _to_lonlat(np.asarray([xy[0]]), np.asarray([xy[1]]))
        urban.append((round(float(slon[0]), 5), round(float(slat[0]), 5), 2.0))
    return ProvinceLayout(
        centres=tuple(centres),
        stations=tuple(stations),
        hospitals=tuple(hospitals),
        police=tuple(police),
        cells=tuple(cells),
        urban_centres=tuple(urban),
    )
