"""Turn a directed edge list into a :class:`~sim.network.core.RoadNetwork`.

Every loader (OSM XML/PBF, GraphML, the synthetic county) ends here, so the clean-up rules
live in one place, applied in this order:

1. self-loops are dropped and parallel edges collapsed to the fastest;
2. topological simplification (on by default, ``SpeedSpec.simplify``): chains of
   interstitial way nodes are merged into one edge each, following osmnx 2.x
   ``simplify_graph`` (see :func:`endpoint_nodes` and :func:`merge_chains`);
3. self-loops and parallel edges made by the merge are dropped/collapsed again;
4. only the largest strongly connected component is kept (an ambulance must be able to
   get from any node to any other and back), and edges are sorted into CSR order.

Simplifying before the strongly-connected cut is osmnx's order (the shared README's
13,087 nodes are the largest SCC of the simplified graph). Shortest-path travel times
between the nodes that remain are unchanged by simplification: a merged edge's length and
travel time are the exact sums over its chain. This module reads no files.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from sim.core.errors import UserError
from sim.core.units import EARTH_RADIUS_M, kph_to_m_per_min
from sim.network.core import ROAD_CLASSES, LoadReport, RoadNetwork


def haversine_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Great-circle distance in metres between WGS-84 points (arrays broadcast)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


@dataclass(frozen=True)
class EdgeList:
    """Directed edges as parallel arrays (node ids are indices into the node arrays).

    Attributes
    ----------
    u, v
        int64 tail and head per edge.
    length_m, travel_min, speed_kph
        float64 length in metres, free-flow minutes and free-flow km/h per edge.
    road_class
        uint8 code into :data:`~sim.network.core.ROAD_CLASSES`.
    tagged
        bool, True when the speed came from a ``maxspeed`` tag.
    """

    u: np.ndarray
    v: np.ndarray
    length_m: np.ndarray
    travel_min: np.ndarray
    speed_kph: np.ndarray
    road_class: np.ndarray
    tagged: np.ndarray

    @property
    def size(self) -> int:
        """Number of edges."""
        return int(self.u.shape[0])

    def take(self, index: np.ndarray) -> EdgeList:
        """The edges selected by an index or boolean mask, in that order."""
        return EdgeList(
            u=self.u[index],
            v=self.v[index],
            length_m=self.length_m[index],
            travel_min=self.travel_min[index],
            speed_kph=self.speed_kph[index],
            road_class=self.road_class[index],
            tagged=self.tagged[index],
        )

    def used_nodes(self) -> np.ndarray:
        """Sorted unique node indices touched by an edge."""
        return np.unique(np.concatenate([self.u, self.v]))


def collapse_parallel(edges: EdgeList) -> tuple[EdgeList, int]:
    """Keep only the fastest edge of each ``(u, v)`` pair (ties: the shorter, then first).

    Parameters
    ----------
    edges
        Any edges (self-loops allowed but normally dropped before).

    Returns
    -------
    tuple of (EdgeList, int)
        The edges sorted by ``(u, v)`` with one edge per pair, and how many were dropped.
    """
    order = np.lexsort((edges.length_m, edges.travel_min, edges.v, edges.u))
    u, v = edges.u[order], edges.v[order]
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return edges.take(order[first]), int(u.size - int(first.sum()))


def endpoint_nodes(
    n_nodes: int,
    u: np.ndarray,
    v: np.ndarray,
    road_class: np.ndarray,
    keep: np.ndarray | None = None,
) -> np.ndarray:
    """Which nodes must stay nodes when the graph is simplified (osmnx 2.x rules + classes).

    A node is an endpoint when (osmnx ``_is_endpoint``, counted on the raw directed
    multigraph, self-loops and parallel edges included):

    1. it has a self-loop; or
    2. it has no incoming or no outgoing edge (dead ends, one-way sources and sinks); or
    3. it does not have exactly two distinct neighbours with a degree (in + out) of 2 or 4
       (intersections, dead ends, one-way/two-way changes, parallel edges).

    Deviation from osmnx's default (its ``edge_attrs_differ=["road_class"]`` option): a
    node is also an endpoint when its incident edges have different road classes, so that
    every merged edge has exactly one road class and the travel engine's per-class
    congestion multipliers stay exact. ``*_link`` edges carry their parent's class, so a
    ramp may merge into its motorway chain. Nodes in ``keep`` (e.g. named places of the
    synthetic county) are always endpoints.

    Parameters
    ----------
    n_nodes
        Number of candidate nodes (node indices are ``0..n_nodes-1``).
    u, v
        Tail and head per directed edge (raw: before dropping self-loops/parallels).
    road_class
        Road-class code per edge.
    keep
        Node indices that must stay (optional).

    Returns
    -------
    numpy.ndarray
        bool per node, True for endpoints. Nodes with no edge are endpoints (rule 2).
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    cls = np.asarray(road_class, dtype=np.int64)
    out_deg = np.bincount(u, minlength=n_nodes)
    in_deg = np.bincount(v, minlength=n_nodes)
    loop = u == v
    self_loop = np.zeros(n_nodes, dtype=bool)
    self_loop[u[loop]] = True
    # Distinct neighbours: unordered pairs of distinct nodes, counted once per node.
    a, b = np.minimum(u[~loop], v[~loop]), np.maximum(u[~loop], v[~loop])
    pairs = np.unique(a * n_nodes + b)
    n_neigh = np.bincount(pairs // n_nodes, minlength=n_nodes) + np.bincount(
        pairs % n_nodes, minlength=n_nodes
    )
    degree = in_deg + out_deg
    through = (n_neigh == 2) & ((degree == 2) | (degree == 4))
    # Road classes met at each node: an interstitial node sees exactly one.
    cls_min = np.full(n_nodes, np.iinfo(np.int64).max, dtype=np.int64)
    cls_max = np.full(n_nodes, -1, dtype=np.int64)
    for ends in (u, v):
        np.minimum.at(cls_min, ends, cls)
        np.maximum.at(cls_max, ends, cls)
    mixed = (cls_max >= 0) & (cls_min != cls_max)
    endpoint = self_loop | (in_deg == 0) | (out_deg == 0) | ~through | mixed
    if keep is not None:
        endpoint[np.asarray(keep, dtype=np.int64)] = True
    return np.asarray(endpoint)


def merge_chains(n_nodes: int, endpoint: np.ndarray, edges: EdgeList) -> EdgeList:
    """Replace every chain of interstitial nodes by one edge between its endpoints.

    Parameters
    ----------
    n_nodes
        Number of candidate nodes.
    endpoint
        bool per node from :func:`endpoint_nodes`. A node it calls interstitial whose
        edges, once parallels are collapsed, are neither one-way through (one in-neighbour,
        the other neighbour out) nor two-way through (both neighbours in and out) is
        treated as an endpoint too: only parallel ways can cause this (osmnx walks such
        nodes with a warning), and keeping them keeps every chain a plain path.
    edges
        Self-loop-free edges with one edge per ``(u, v)`` pair, sorted by ``(u, v)`` (as
        returned by :func:`collapse_parallel`).

    Returns
    -------
    EdgeList
        Edges between endpoints: ``length_m`` and ``travel_min`` are the exact sums over the
        chain, ``speed_kph`` is the chain's speed where all its edges share one (else
        length / time), ``road_class`` the chain's (single) class, and ``tagged`` true when
        every edge of the chain was tagged. A chain that returns to its start becomes a
        self-loop (the caller drops it). An isolated ring of interstitial nodes has no
        endpoint: as osmnx 2.x (``remove_rings``), it disappears — picking one of its nodes
        as endpoint would leave only a self-loop, which is dropped all the same.
    """
    u, v = edges.u, edges.v
    in_deg = np.bincount(v, minlength=n_nodes)
    out_deg = np.bincount(u, minlength=n_nodes)
    # Self-loop-free with 2 neighbours: through nodes have (1 in, 1 out) or (2 in, 2 out).
    endpoint = np.asarray(endpoint, dtype=bool) | (in_deg != out_deg)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(out_deg, out=indptr[1:])

    # The next edge of a chain: out of the interstitial head, not back to where it came from.
    nxt = np.full(edges.size, -1, dtype=np.int64)
    into = np.nonzero(~endpoint[v])[0]
    head = v[into]
    first = indptr[head]
    back = (out_deg[head] == 2) & (v[first] == u[into])
    nxt[into] = first + back

    starts = np.nonzero(endpoint[u])[0]
    cur = starts.copy()
    length_m = edges.length_m[starts].copy()
    travel_min = edges.travel_min[starts].copy()
    kph_min = edges.speed_kph[starts].copy()
    kph_max = kph_min.copy()
    tagged = edges.tagged[starts].copy()
    active = np.nonzero(nxt[cur] >= 0)[0]
    # Walk every chain one edge per step; each step is vectorised over the open chains.
    # ``nxt`` is injective, so a walk from an endpoint cannot cycle and ends at an endpoint.
    for _ in range(edges.size):
        if active.size == 0:
            break
        step = nxt[cur[active]]
        cur[active] = step
        length_m[active] += edges.length_m[step]
        travel_min[active] += edges.travel_min[step]
        kph_min[active] = np.minimum(kph_min[active], edges.speed_kph[step])
        kph_max[active] = np.maximum(kph_max[active], edges.speed_kph[step])
        tagged[active] &= edges.tagged[step]
        active = active[nxt[step] >= 0]
    speed_kph = np.where(kph_min == kph_max, kph_min, length_m / travel_min / kph_to_m_per_min(1.0))
    return EdgeList(
        u=u[starts],
        v=v[cur],
        length_m=length_m,
        travel_min=travel_min,
        speed_kph=speed_kph,
        road_class=edges.road_class[starts],
        tagged=tagged,
    )


def build_network(
    *,
    name: str,
    node_osmid: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    length_m: np.ndarray,
    speed_kph: np.ndarray,
    road_class: np.ndarray,
    maxspeed_tagged: np.ndarray,
    report: LoadReport,
    simplify: bool = True,
    keep_nodes: np.ndarray | None = None,
    synthetic: bool = False,
    source: str = "",
    source_hash: str = "",
) -> RoadNetwork:
    """Clean a directed edge list and pack it into CSR arrays.

    Parameters
    ----------
    name, synthetic, source, source_hash
        Copied to the :class:`RoadNetwork`.
    node_osmid, lon, lat
        Per candidate node: id and WGS-84 coordinates in degrees.
    u, v
        Per directed edge: tail and head as indices into the node arrays.
    length_m, speed_kph
        Per edge: length in metres and free-flow speed in km/h (> 0).
    road_class
        Per edge: code into :data:`~sim.network.core.ROAD_CLASSES`.
    maxspeed_tagged
        Per edge: True when the speed came from a ``maxspeed`` tag.
    report
        The loader's counts so far; graph counts are filled in here.
    simplify
        Merge chains of interstitial nodes into single edges (module docstring).
    keep_nodes
        Node indices that simplification must keep as nodes (they are still dropped if
        outside the largest strongly connected component).

    Returns
    -------
    RoadNetwork
        The largest strongly connected component, parallel edges collapsed to the fastest.

    Raises
    ------
    UserError
        When no edge is left (``"<source>: no drivable roads ..."``).
    """
    n_all = int(node_osmid.shape[0])
    edges = EdgeList(
        u=np.asarray(u, dtype=np.int64),
        v=np.asarray(v, dtype=np.int64),
        length_m=np.asarray(length_m, dtype=np.float64),
        travel_min=np.zeros(np.shape(u)),
        speed_kph=np.asarray(speed_kph, dtype=np.float64),
        road_class=np.asarray(road_class, dtype=np.uint8),
        tagged=np.asarray(maxspeed_tagged, dtype=bool),
    )
    # Endpoints are judged on the raw multigraph, as osmnx does (self-loops and parallel
    # edges make a node an endpoint).
    endpoint = (
        endpoint_nodes(n_all, edges.u, edges.v, edges.road_class, keep_nodes) if simplify else None
    )
    edges = edges.take(edges.u != edges.v)  # self-loops never help a route
    if edges.size == 0:
        raise UserError(
            f"{source or name}: no drivable roads (no car-accessible OSM highway ways left "
            "after filtering)"
        )
    edges = replace(edges, travel_min=edges.length_m / kph_to_m_per_min(1.0) / edges.speed_kph)
    edges, n_parallel = collapse_parallel(edges)

    n_simplified = 0
    if endpoint is not None:
        n_used = int(edges.used_nodes().size)
        merged = merge_chains(n_all, endpoint, edges)
        merged, n_merged_parallel = collapse_parallel(merged.take(merged.u != merged.v))
        if merged.size == 0:
            raise UserError(
                f"{source or name}: no drivable roads left after simplification (the roads "
                "form only isolated rings); load it with simplify = false"
            )
        edges = merged
        n_parallel += n_merged_parallel
        n_simplified = n_used - int(edges.used_nodes().size)

    # Only nodes touched by an edge count as graph nodes.
    used = edges.used_nodes()
    n_before = int(used.size)
    e_before = edges.size
    remap = np.full(n_all, -1, dtype=np.int64)
    remap[used] = np.arange(n_before)
    u, v = remap[edges.u], remap[edges.v]
    adj = sp.csr_matrix((np.ones(u.size), (u, v)), shape=(n_before, n_before))
    _, labels = connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels)
    # Ties: the component holding the lowest node index wins (deterministic).
    big = int(np.argmax(sizes))
    in_big = labels == big
    kept_nodes = used[in_big]
    remap2 = np.full(n_before, -1, dtype=np.int64)
    remap2[in_big] = np.arange(int(in_big.sum()))
    e_keep = in_big[u] & in_big[v]
    u, v = remap2[u[e_keep]], remap2[v[e_keep]]
    edges = edges.take(e_keep)

    # Already sorted by (u, v), and remapping preserves order, so CSR is a bincount away.
    n = int(kept_nodes.size)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(u, minlength=n), out=indptr[1:])

    full_report = replace(
        report,
        nodes_before_scc=n_before,
        edges_before_scc=e_before,
        maxspeed_tagged_edges=int(edges.tagged.sum()),
        parallel_edges_collapsed=n_parallel,
        nodes_simplified_away=n_simplified,
    )
    return RoadNetwork(
        name=name,
        node_osmid=np.ascontiguousarray(node_osmid[kept_nodes], dtype=np.int64),
        lon=np.ascontiguousarray(lon[kept_nodes], dtype=np.float64),
        lat=np.ascontiguousarray(lat[kept_nodes], dtype=np.float64),
        indptr=indptr,
        indices=np.ascontiguousarray(v, dtype=np.int32),
        length_m=np.ascontiguousarray(edges.length_m),
        speed_kph=np.ascontiguousarray(edges.speed_kph),
        travel_min=np.ascontiguousarray(edges.travel_min),
        road_class=np.ascontiguousarray(edges.road_class, dtype=np.uint8),
        synthetic=synthetic,
        source=source,
        source_hash=source_hash,
        report=full_report,
    )


def network_summary(net: RoadNetwork) -> dict[str, Any]:
    """Plain-JSON description of a network (for ``network info`` and run manifests).

    Parameters
    ----------
    net
        The network.

    Returns
    -------
    dict
        Keys: ``name``, ``nodes``, ``edges``, ``road_km`` (directed edge km, total),
        ``road_km_by_class``, ``bbox`` (west, south, east, north), ``scc_share`` (nodes
        kept / nodes before keeping the largest strongly connected component),
        ``speed_kph`` (min, median, mean length-weighted, max), ``maxspeed_share`` (edges
        whose speed came from a maxspeed tag), ``report`` (the LoadReport counts),
        ``synthetic``, ``source``, ``source_hash``, ``attribution``.
    """
    km = net.length_m / 1000.0
    by_class = np.bincount(net.road_class, weights=km, minlength=len(ROAD_CLASSES))
    report = asdict(net.report)
    before = net.report.nodes_before_scc or net.n_nodes
    speed = net.speed_kph
    return {
        "name": net.name,
        "nodes": net.n_nodes,
        "edges": net.n_edges,
        "road_km": round(float(km.sum()), 3),
        "road_km_by_class": {
            cls: round(float(by_class[i]), 3) for i, cls in enumerate(ROAD_CLASSES) if by_class[i]
        },
        "bbox": [round(x, 6) for x in net.bbox()],
        "scc_share": round(net.n_nodes / before, 4),
        "speed_kph": {
            "min": round(float(speed.min()), 2),
            "median": round(float(np.median(speed)), 2),
            "mean_by_length": round(float(np.average(speed, weights=net.length_m)), 2),
            "max": round(float(speed.max()), 2),
        },
        "maxspeed_share": round(net.report.maxspeed_tagged_edges / max(net.n_edges, 1), 4),
        "report": report,
        "synthetic": net.synthetic,
        "source": net.source,
        "source_hash": net.source_hash,
        "attribution": net.attribution,
    }
