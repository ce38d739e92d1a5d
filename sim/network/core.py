"""The compiled road network: plain arrays that every other part of ``sim`` reads.

A :class:`RoadNetwork` is what the loaders produce (from OSM XML/PBF, GraphML or the
synthetic county) and what the cache stores. It holds no networkx graph: routing runs on
its CSR arrays with scipy. Edge travel time is in minutes at free-flow speed; congestion
and emergency factors are applied by the travel engine, never stored here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from sim.core.units import EARTH_RADIUS_M

#: Road classes, in the order used by the ``road_class`` code arrays. ``*_link`` ways take
#: the class of their parent road; anything else drivable is ``"other"``.
ROAD_CLASSES: tuple[str, ...] = (
    "motorway",
    "trunk",
    "primary",
    "secondary",
    "tertiary",
    "unclassified",
    "residential",
    "living_street",
    "service",
    "other",
)
ROAD_CLASS_CODE: dict[str, int] = {name: i for i, name in enumerate(ROAD_CLASSES)}

OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0"
SYNTHETIC_ATTRIBUTION = "synthetic road network (not real data)"


@dataclass(frozen=True)
class LoadReport:
    """What the loader kept and dropped, for ``network info`` and logs.

    Attributes
    ----------
    ways_total, ways_drivable, ways_missing_nodes
        OSM ways read, kept as drivable, dropped for referencing absent nodes.
    nodes_before_scc, edges_before_scc
        Graph size before keeping the largest strongly connected component (after
        simplification, when it is on).
    maxspeed_tagged_edges
        Edges (kept in the final network) whose speed came from a parseable ``maxspeed`` tag.
    parallel_edges_collapsed
        Directed edges dropped because a faster edge joins the same two nodes (counted
        before and after simplification merges chains into edges).
    nodes_simplified_away
        Way nodes removed by topological simplification (interstitial nodes merged into
        their edge, and isolated rings); 0 when simplification is off.
    """

    ways_total: int = 0
    ways_drivable: int = 0
    ways_missing_nodes: int = 0
    nodes_before_scc: int = 0
    edges_before_scc: int = 0
    maxspeed_tagged_edges: int = 0
    parallel_edges_collapsed: int = 0
    nodes_simplified_away: int = 0


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road graph as arrays (nodes indexed ``0..n-1``).

    Attributes
    ----------
    name
        Short name (manifest name, file stem, or ``"synthetic_county"``).
    node_osmid
        int64, OSM node id (or synthetic id) per node.
    lon, lat
        float64, WGS-84 coordinates per node.
    indptr, indices
        CSR adjacency by source node: edges of node ``u`` are ``indptr[u]:indptr[u+1]``,
        their heads ``indices[...]``. Parallel edges are collapsed to the fastest.
    length_m, speed_kph, travel_min
        float64 per edge: length, free-flow speed and free-flow travel minutes.
    road_class
        uint8 per edge, an index into :data:`ROAD_CLASSES`.
    synthetic
        True for the generated county: every output made on it must say "synthetic".
    source
        Where it came from (file path or generator description).
    source_hash
        sha256 of the source file (or of the generator settings).
    report
        The loader's :class:`LoadReport`.
    """

    name: str
    node_osmid: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    length_m: np.ndarray
    speed_kph: np.ndarray
    travel_min: np.ndarray
    road_class: np.ndarray
    synthetic: bool = False
    source: str = ""
    source_hash: str = ""
    report: LoadReport = field(default_factory=LoadReport)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.node_osmid.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.indices.shape[0])

    @property
    def attribution(self) -> str:
        """The credit line every plot, map or report of this network must carry."""
        return SYNTHETIC_ATTRIBUTION if self.synthetic else OSM_ATTRIBUTION

    def edge_sources(self) -> np.ndarray:
        """Return the tail node of every edge (int array expanded from ``indptr``)."""
        return np.repeat(np.arange(self.n_nodes), np.diff(self.indptr))

    def csr(self, weights: np.ndarray | None = None) -> sp.csr_matrix:
        """Sparse adjacency matrix weighted by ``weights`` (default: free-flow minutes)."""
        w = self.travel_min if weights is None else weights
        return sp.csr_matrix((w, self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes))

    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        return (
            float(self.lon.min()),
            float(self.lat.min()),
            float(self.lon.max()),
            float(self.lat.max()),
        )

    def extent_km2(self) -> float:
        """Area of the convex hull of the nodes, km² (the area the road data covers).

        Computed on a local equirectangular projection at the mean latitude (error well
        below 1 % for an extract of a few tens of km). Fewer than three distinct nodes: 0.
        """
        return hull_area_km2(self.lon, self.lat)


#: Mean Earth radius, km, for the local projection of :func:`hull_area_km2`.
EARTH_RADIUS_KM = EARTH_RADIUS_M / 1000.0


def _local_km(
    lon: np.ndarray, lat: np.ndarray, lon0: float, lat0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular x, y (km) around (lon0, lat0): exact enough over tens of km."""
    k = np.pi / 180.0 * EARTH_RADIUS_KM
    return (lon - lon0) * k * np.cos(np.deg2rad(lat0)), (lat - lat0) * k


def _cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _hull(x: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """Convex hull, counter-clockwise (Andrew's monotone chain); fewer than 3 points: as is."""
    pts = sorted(set(zip(x.tolist(), y.tolist(), strict=True)))
    if len(pts) < 3:
        return pts
    hull: list[tuple[float, float]] = []
    for seq in (pts, pts[::-1]):  # lower hull, then upper hull
        start = len(hull)
        for p in seq:
            while len(hull) - start >= 2 and _cross(hull[-2], hull[-1], p) <= 0:
                hull.pop()
            hull.append(p)
        hull.pop()  # the last point starts the other half
    return hull


def hull_area_km2(lon: np.ndarray, lat: np.ndarray) -> float:
    """Area (km²) of the convex hull of WGS-84 points, on a local equirectangular projection.

    Andrew's monotone chain gives the hull; the shoelace formula its area.
    """
    if lon.size < 3:
        return 0.0
    hull = _hull(*_local_km(lon, lat, float(lon.mean()), float(lat.mean())))
    if len(hull) < 3:
        return 0.0
    hx = np.array([p[0] for p in hull])
    hy = np.array([p[1] for p in hull])
    return float(abs(np.dot(hx, np.roll(hy, -1)) - np.dot(hy, np.roll(hx, -1))) / 2.0)


def outside_hull(
    lon: np.ndarray, lat: np.ndarray, hull_lon: np.ndarray, hull_lat: np.ndarray
) -> np.ndarray:
    """Whether each point (``lon``, ``lat``) lies outside the convex hull of the hull points.

    Points on the boundary count as inside (to 1 m). Fewer than three hull points cover no
    area: every point is outside.
    """
    lon0, lat0 = float(hull_lon.mean()), float(hull_lat.mean())
    hull = _hull(*_local_km(hull_lon, hull_lat, lon0, lat0))
    px, py = _local_km(np.asarray(lon, float), np.asarray(lat, float), lon0, lat0)
    if len(hull) < 3:
        return np.ones(px.shape, bool)
    out = np.zeros(px.shape, bool)
    for a, b in zip(hull, [*hull[1:], hull[0]], strict=True):
        ex, ey = b[0] - a[0], b[1] - a[1]
        length = float(np.hypot(ex, ey))
        # Signed distance (km) to the left of edge a -> b; a counter-clockwise hull has the
        # inside on the left.
        side = (ex * (py - a[1]) - ey * (px - a[0])) / length
        out |= side < -1e-3
    return out
