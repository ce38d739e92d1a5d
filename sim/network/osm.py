"""Read road networks from OSM files (XML, XML.bz2/.gz, PBF) and GraphML.

OSM files are streamed with pyosmium; GraphML goes through ``osmnx.load_graphml``. Both end
in :func:`sim.network.build.build_network`. Nothing here caches, searches folders or
downloads, except :func:`fetch_graphml`, which the ``network fetch`` command uses online.

Drivable ways
-------------
Kept: ``highway`` = motorway, trunk, primary, secondary, tertiary (and their ``_link``),
unclassified, residential, living_street, service, road. Dropped: every other value
(footway, path, cycleway, steps, pedestrian, track, bridleway, busway, construction,
proposed, ...); ``area=yes``; ``service`` = parking_aisle, parking, driveway,
drive-through, emergency_access (bollard-closed or car-park lanes that would make false
shortcuts; as osmnx's "drive" filter); ways closed to cars by the most specific of
``motorcar``, ``motor_vehicle``, ``vehicle``, ``access`` being no, private, agricultural or
forestry. A way with any node missing from the extract is dropped whole and counted.

One-way
-------
``oneway`` yes/true/1 → forward only; -1/reverse → against the node order; no/false/0 →
both ways. Without a ``oneway`` tag, ``junction=roundabout``/``circular`` and
``highway=motorway`` are one-way (implied, OSM wiki "Key:oneway"). ``reversible`` and
``alternating`` are treated as two-way.

A node listed twice in a row in a way is read once (osmnx does the same), so it makes no
zero-length self-loop that would count as a junction when the graph is simplified.
"""

from __future__ import annotations

import ast
import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from sim.core.errors import UserError
from sim.network.build import build_network, haversine_m
from sim.network.core import ROAD_CLASS_CODE, LoadReport, RoadNetwork
from sim.network.speeds import SpeedSpec, road_class_of

DRIVABLE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "motorway_link",
        "trunk_link",
        "primary_link",
        "secondary_link",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)
EXCLUDED_SERVICE: frozenset[str] = frozenset(
    {"parking_aisle", "parking", "driveway", "drive-through", "emergency_access"}
)
_ACCESS_KEYS = ("motorcar", "motor_vehicle", "vehicle", "access")  # most specific first
_ACCESS_DENIED = frozenset({"no", "private", "agricultural", "forestry"})
_ONEWAY_FORWARD = frozenset({"yes", "true", "1"})
_ONEWAY_REVERSE = frozenset({"-1", "reverse"})
_ONEWAY_NO = frozenset({"no", "false", "0", "reversible", "alternating"})

OSM_SUFFIXES: tuple[str, ...] = (
    ".osm",
    ".osm.xml",
    ".xml",
    ".osm.bz2",
    ".osm.gz",
    ".xml.bz2",
    ".xml.gz",
    ".pbf",
    ".osm.pbf",
)
GRAPHML_SUFFIXES: tuple[str, ...] = (".graphml",)


def is_drivable(tags: Mapping[str, str]) -> bool:
    """Whether a way with these tags is kept as a car road (rules in the module docstring)."""
    if tags.get("highway") not in DRIVABLE_HIGHWAYS:
        return False
    if tags.get("area") == "yes" or tags.get("service") in EXCLUDED_SERVICE:
        return False
    for key in _ACCESS_KEYS:
        value = tags.get(key)
        if value is not None:
            return value not in _ACCESS_DENIED
    return True


def oneway_direction(tags: Mapping[str, str]) -> int:
    """1: only along the node order; -1: only against it; 0: both ways."""
    value = tags.get("oneway")
    if value is not None:
        value = value.strip().lower()
        if value in _ONEWAY_FORWARD:
            return 1
        if value in _ONEWAY_REVERSE:
            return -1
        if value in _ONEWAY_NO:
            return 0
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return 1
    return 0


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def network_name_of(path: Path) -> str:
    """Short network name from a file name: ``hangzhou_west.osm.bz2`` → ``hangzhou_west``."""
    name = path.name
    for suffix in sorted(OSM_SUFFIXES + GRAPHML_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def file_kind(path: Path) -> str:
    """``"osm"`` or ``"graphml"`` from the file name; UserError for anything else."""
    lower = path.name.lower()
    if lower.endswith(GRAPHML_SUFFIXES):
        return "graphml"
    if lower.endswith(OSM_SUFFIXES):
        return "osm"
    raise UserError(
        f"{path}: unsupported road-network file type; allowed: "
        f"{', '.join(OSM_SUFFIXES + GRAPHML_SUFFIXES)}"
    )


def read_osm(
    path: str | Path, speeds: SpeedSpec | None = None, *, name: str | None = None
) -> RoadNetwork:
    """Load a road network file without any cache.

    Parameters
    ----------
    path
        An OSM XML (``.osm``, ``.osm.bz2``, ``.osm.gz``), OSM PBF (``.pbf``) or GraphML
        (``.graphml``) file.
    speeds
        Speed rules (default :class:`SpeedSpec`).
    name
        Network name (default: the file name without its suffixes).

    Returns
    -------
    RoadNetwork
        Drivable roads, largest strongly connected component, simplified unless
        ``speeds.simplify`` is False.

    Raises
    ------
    UserError
        Missing file, unsupported type, not an OSM/GraphML file, or no drivable roads.
    """
    path = Path(path)
    speeds = speeds or SpeedSpec()
    if not path.is_file():
        raise UserError(f"{path}: road-network file not found")
    kind = file_kind(path)
    name = name or network_name_of(path)
    if kind == "graphml":
        return _read_graphml(path, speeds, name)
    return _read_osm_file(path, speeds, name)


def _read_osm_file(path: Path, speeds: SpeedSpec, name: str) -> RoadNetwork:
    import osmium
    from osmium.osm import NODE, WAY

    refs: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    way_len: list[int] = []
    way_dir: list[int] = []
    way_speed: list[float] = []
    way_class: list[int] = []
    way_tagged: list[bool] = []
    ways_total = ways_missing = 0
    processor = (
        osmium.FileProcessor(str(path), NODE | WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(WAY))
    )
    try:
        for way in processor:
            ways_total += 1
            tags = way.tags
            if not is_drivable(tags):
                continue
            way_refs: list[int] = []
            way_lons: list[float] = []
            way_lats: list[float] = []
            complete = True
            for nd in way.nodes:
                loc = nd.location
                if not loc.valid():
                    complete = False
                    break
                if way_refs and nd.ref == way_refs[-1]:
                    # A node repeated in a row is a digitising slip, not a loop (as osmnx).
                    continue
                way_refs.append(nd.ref)
                way_lons.append(loc.lon)
                way_lats.append(loc.lat)
            if not complete:
                ways_missing += 1
                continue
            if len(way_refs) < 2:
                continue
            highway = tags.get("highway", "road")
            kph, tagged = speeds.edge_speed_kph(highway, tags.get("maxspeed"))
            refs.extend(way_refs)
            lons.extend(way_lons)
            lats.extend(way_lats)
            way_len.append(len(way_refs))
            way_dir.append(oneway_direction(tags))
            way_speed.append(kph)
            way_class.append(ROAD_CLASS_CODE[road_class_of(highway)])
            way_tagged.append(tagged)
    except RuntimeError as exc:
        # osmium reports unreadable input (not XML/PBF, bad bz2) as RuntimeError.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path}: not a readable OSM file ({reason})") from None

    report = LoadReport(
        ways_total=ways_total,
        ways_drivable=len(way_len),
        ways_missing_nodes=ways_missing,
    )
    if ways_total == 0:
        raise UserError(f"{path}: no OSM ways in the file (empty, or not an OSM extract)")
    if not way_len:
        raise UserError(
            f"{path}: no drivable roads (none of its {ways_total} ways is a car-accessible "
            "OSM highway)"
        )

    ids = np.asarray(refs, dtype=np.int64)
    lon_all = np.asarray(lons, dtype=np.float64)
    lat_all = np.asarray(lats, dtype=np.float64)
    lens = np.asarray(way_len, dtype=np.int64)
    way_of = np.repeat(np.arange(lens.size), lens)
    a = np.nonzero(way_of[:-1] == way_of[1:])[0]  # consecutive nodes of the same way
    b = a + 1
    node_osmid, inv = np.unique(ids, return_inverse=True)
    node_lon = np.empty(node_osmid.size)
    node_lat = np.empty(node_osmid.size)
    node_lon[inv] = lon_all
    node_lat[inv] = lat_all

    seg_len = haversine_m(lon_all[a], lat_all[a], lon_all[b], lat_all[b])
    seg_way = way_of[a]
    direction = np.asarray(way_dir, dtype=np.int8)[seg_way]
    fwd = direction >= 0
    rev = direction <= 0
    speed = np.asarray(way_speed)[seg_way]
    cls = np.asarray(way_class, dtype=np.uint8)[seg_way]
    tag = np.asarray(way_tagged, dtype=bool)[seg_way]
    return build_network(
        name=name,
        node_osmid=node_osmid,
        lon=node_lon,
        lat=node_lat,
        u=np.concatenate([inv[a][fwd], inv[b][rev]]),
        v=np.concatenate([inv[b][fwd], inv[a][rev]]),
        length_m=np.concatenate([seg_len[fwd], seg_len[rev]]),
        speed_kph=np.concatenate([speed[fwd], speed[rev]]),
        road_class=np.concatenate([cls[fwd], cls[rev]]),
        maxspeed_tagged=np.concatenate([tag[fwd], tag[rev]]),
        report=report,
        simplify=speeds.simplify,
        source=str(path),
        source_hash=file_sha256(path),
    )


def _first_str(value: Any) -> str | None:
    """A GraphML attribute that may be a list (osmnx-simplified) or its string form."""
    if value is None:
        return None
    if isinstance(value, str) and value.startswith("["):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return str(value)
    if isinstance(value, list | tuple):
        return str(value[0]) if value else None
    return str(value)


def _maxspeed_str(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith("["):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return str(value)
    if isinstance(value, list | tuple):
        return ";".join(str(x) for x in value)
    return None if value is None else str(value)


def _read_graphml(path: Path, speeds: SpeedSpec, name: str) -> RoadNetwork:
    import networkx as nx
    import osmnx as ox

    try:
        try:
            graph = ox.load_graphml(path)
        except AttributeError:
            # osmnx expects its own all-string attributes; typed GraphML (e.g. written by
            # networkx) is read as is.
            graph = nx.read_graphml(path, force_multigraph=True)
    except (ET.ParseError, nx.NetworkXError, ValueError, KeyError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path}: not a readable GraphML road network ({reason})") from None

    nodes = list(graph.nodes)
    if not nodes:
        raise UserError(f"{path}: no drivable roads (the GraphML graph has no nodes)")
    try:
        node_osmid = np.asarray([int(n) for n in nodes], dtype=np.int64)
        lon = np.asarray([float(graph.nodes[n]["x"]) for n in nodes])
        lat = np.asarray([float(graph.nodes[n]["y"]) for n in nodes])
    except (KeyError, TypeError, ValueError):
        raise UserError(
            f"{path}: nodes: every node needs an integer id and WGS-84 'x' (lon), 'y' (lat)"
        ) from None
    index = {n: i for i, n in enumerate(nodes)}
    us: list[int] = []
    vs: list[int] = []
    length: list[float] = []
    speed: list[float] = []
    cls: list[int] = []
    tagged: list[bool] = []
    edges = list(graph.edges(data=True))
    pairs = [(a, b, d) for a, b, d in edges]
    if not graph.is_directed():
        pairs += [(b, a, d) for a, b, d in edges]
    for a, b, data in pairs:
        highway = _first_str(data.get("highway")) or "road"
        kph, tag = speeds.edge_speed_kph(highway, _maxspeed_str(data.get("maxspeed")))
        us.append(index[a])
        vs.append(index[b])
        length.append(float(data.get("length", np.nan)))
        speed.append(kph)
        cls.append(ROAD_CLASS_CODE[road_class_of(highway)])
        tagged.append(tag)
    u = np.asarray(us, dtype=np.int64)
    v = np.asarray(vs, dtype=np.int64)
    length_m = np.asarray(length, dtype=np.float64)
    missing = ~np.isfinite(length_m)  # no 'length' attribute: straight line between ends
    length_m[missing] = haversine_m(
        lon[u[missing]], lat[u[missing]], lon[v[missing]], lat[v[missing]]
    )
    return build_network(
        name=name,
        node_osmid=node_osmid,
        lon=lon,
        lat=lat,
        u=u,
        v=v,
        length_m=length_m,
        speed_kph=np.asarray(speed),
        road_class=np.asarray(cls, dtype=np.uint8),
        maxspeed_tagged=np.asarray(tagged, dtype=bool),
        report=LoadReport(),
        simplify=speeds.simplify,
        source=str(path),
        source_hash=file_sha256(path),
    )


def fetch_graphml(
    out: str | Path,
    *,
    place: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> Path:
    """Download a drivable road network with osmnx (online only) and save it as GraphML.

    Parameters
    ----------
    out
        Output ``.graphml`` path.
    place
        A place name osmnx can geocode (e.g. ``"Jiande, Zhejiang, China"``).
    bbox
        ``(west, south, east, north)`` in degrees. Exactly one of ``place``/``bbox``.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    UserError
        Bad arguments, or the download failed (no internet, nothing found).
    """
    out = Path(out)
    if (place is None) == (bbox is None):
        raise UserError("network fetch: give exactly one of --place or --bbox")
    if not out.name.lower().endswith(".graphml"):
        raise UserError(f"{out}: --out must end in .graphml")
    if bbox is not None:
        west, south, east, north = bbox
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise UserError("--bbox: expected W,S,E,N in degrees with W < E and S < N")
    import osmnx as ox
    import requests

    # osmnx waits a long default pause when Overpass is unreachable: fail fast instead.
    _check_reachable(ox.settings.overpass_url)
    if place is not None:
        _check_reachable(ox.settings.nominatim_url)
    try:
        if bbox is not None:
            graph = ox.graph_from_bbox(bbox, network_type="drive", simplify=False)
        else:
            graph = ox.graph_from_place(place, network_type="drive", simplify=False)
    except (requests.RequestException, ValueError, OSError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(
            f"network fetch: download failed ({reason}); this needs internet access to the "
            "OSM Overpass and Nominatim services"
        ) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(graph, out)
    return out


def _check_reachable(url: str, timeout_s: float = 10.0) -> None:
    """Raise UserError unless a TCP connection to ``url``'s host can be opened."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or url
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        raise UserError(
            f"network fetch: cannot reach {host} ({exc.strerror or exc}); downloading needs "
            "internet access to the OSM Overpass/Nominatim services; otherwise use a local "
            "extract with --data-dir or TRAUMA_SIM_DATA"
        ) from None
