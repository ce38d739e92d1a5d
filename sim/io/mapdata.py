"""Map data next to a comparison: road network, facilities and drive-time coverage as files.

The brief and notebooks draw maps from files only: they never load OSM or run Dijkstra.
:func:`write_map_data` stores, under ``<folder>/map/``:

* ``network.npz``: the compiled :class:`~sim.network.core.RoadNetwork` (the network cache
  format, :func:`sim.network.cache.save_cached`), so the map shows the exact network the
  simulation used, with its attribution;
* ``facilities.csv``: ``id, kind, name, lon, lat, tier, access_m, outside_roads`` (kind
  ``station|hospital|police|centre``; tier for hospitals only; ``access_m`` the straight
  distance to the road node the facility is snapped to, whose drive is charged as travel
  time; ``outside_roads`` true when the facility lies outside the convex hull of the road
  network's nodes, i.e. beyond the road data);
* ``coverage.parquet``: ``node, lon, lat, scenario, response_min``: expected response time
  at every node if the nearest station sent a free ambulance (no queueing), i.e. the
  scenario's mean call-processing + turn-out minutes plus the priority-1 drive from the
  nearest station at the given hour (including the station's off-road access minutes);
* ``map.json``: the hour and per-scenario offsets, so captions can state them.

:func:`read_map_data` reads them back (``None`` when a folder has no map data). This module
computes nothing about outcomes and draws nothing; it only tabulates travel tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.core.errors import UserError
from sim.core.units import period_of
from sim.network.build import haversine_m
from sim.network.cache import load_cached, save_cached
from sim.network.core import RoadNetwork, outside_hull

if TYPE_CHECKING:  # the brief imports this module; it must not pull in the model
    from sim.runs.world import World

MAP_FOLDER = "map"
FACILITY_COLUMNS = ("id", "kind", "name", "lon", "lat", "tier")
#: Written since the brief lists facilities beyond the road data; older folders lack them.
FACILITY_EXTRA_COLUMNS = ("access_m", "outside_roads")
COVERAGE_COLUMNS = ("node", "lon", "lat", "scenario", "response_min")
#: Dispatch priority whose emergency-driving factor the coverage uses (1 = most urgent).
COVERAGE_PRIORITY = 1


@dataclass(frozen=True, eq=False)
class MapData:
    """What ``<folder>/map/`` holds, as read by :func:`read_map_data`.

    Attributes
    ----------
    network
        The road network the comparison ran on.
    facilities
        Columns ``id, kind, name, lon, lat, tier, access_m, outside_roads``.
    coverage
        Columns ``node, lon, lat, scenario, response_min`` (one row per node and scenario).
    hour
        Hour of day of the coverage drive times.
    offsets_min
        Minutes added to the drive per scenario (mean call-processing + turn-out).
    """

    network: RoadNetwork
    facilities: pd.DataFrame
    coverage: pd.DataFrame
    hour: int = 10
    offsets_min: dict[str, float] = field(default_factory=dict)

    @property
    def scenarios(self) -> list[str]:
        """Scenario names of the coverage table, in file order."""
        return [str(s) for s in dict.fromkeys(self.coverage["scenario"].astype(str))]

    def minutes_by_node(self, scenario: str) -> np.ndarray:
        """Expected response minutes per node (index = node; NaN where absent) for a scenario."""
        rows = self.coverage[self.coverage["scenario"].astype(str) == scenario]
        if rows.empty:
            raise KeyError(f"no coverage for scenario {scenario!r}")
        out = np.full(self.network.n_nodes, np.nan)
        out[rows["node"].to_numpy(np.int64)] = rows["response_min"].to_numpy(float)
        return out


def facilities_frame(world: World) -> pd.DataFrame:
    """Facilities of ``world`` as the map table (stations, hospitals, police posts, centres)."""
    fac = world.facilities
    rows: list[dict[str, Any]] = []
    rows += [
        {"id": s.id, "kind": "station", "name": s.name, "lon": s.lon, "lat": s.lat, "tier": None}
        for s in fac.stations
    ]
    rows += [
        {"id": h.id, "kind": "hospital", "name": h.name, "lon": h.lon, "lat": h.lat, "tier": h.tier}
        for h in fac.hospitals
    ]
    rows += [
        {"id": p.id, "kind": "police", "name": p.name, "lon": p.lon, "lat": p.lat, "tier": None}
        for p in fac.police_posts
    ]
    rows += [
        {"id": c.id, "kind": "centre", "name": c.name, "lon": c.lon, "lat": c.lat, "tier": None}
        for c in fac.centres
    ]
    frame = pd.DataFrame(rows, columns=list(FACILITY_COLUMNS))
    net = world.network
    # Snapped node of each station, hospital and police post, in the rows' order (centres
    # take calls only: no road node).
    nodes = [*world.station_node, *world.hospital_node, *world.police_node]
    access = np.full(len(frame), np.nan)
    if nodes:
        idx = np.asarray(nodes, dtype=np.int64)
        n = len(nodes)
        access[:n] = haversine_m(
            frame["lon"].to_numpy(float)[:n],
            frame["lat"].to_numpy(float)[:n],
            net.lon[idx],
            net.lat[idx],
        )
    frame["access_m"] = np.round(access, 0)
    frame["outside_roads"] = outside_hull(
        frame["lon"].to_numpy(float), frame["lat"].to_numpy(float), net.lon, net.lat
    )
    return frame


def nearest_station_drive_min(world: World, hour: int) -> np.ndarray:
    """Priority-1 drive minutes from the nearest station to every node (access included).

    Vectorised form of ``min_k tables.from_facility_min(station_fac[k], node, hour, 1) +
    station_access_min[k]``; float64 array of length ``n_nodes`` (``inf`` = unreachable).
    """
    tables = world.tables
    period = period_of(hour, tables.period_of_hour)
    factor = float(tables.emergency_factor[COVERAGE_PRIORITY])
    fac = np.asarray(world.station_fac, dtype=np.int64)
    drive = tables.from_fac[period, fac, :].astype(np.float64) * factor
    drive += np.asarray(world.station_access_min, dtype=np.float64)[:, None]
    result: np.ndarray = drive.min(axis=0)
    return result


def coverage_frame(
    net: RoadNetwork, drive_min: np.ndarray, scenario_offsets_min: Mapping[str, float]
) -> pd.DataFrame:
    """Long table ``node, lon, lat, scenario, response_min`` = offset + drive, per scenario."""
    frames = []
    nodes = np.arange(net.n_nodes, dtype=np.int64)
    for scenario, offset in scenario_offsets_min.items():
        if not math.isfinite(float(offset)):
            raise ValueError(f"map data: offset of scenario {scenario!r} is not finite: {offset}")
        frames.append(
            pd.DataFrame(
                {
                    "node": nodes,
                    "lon": net.lon,
                    "lat": net.lat,
                    "scenario": str(scenario),
                    "response_min": drive_min + float(offset),
                }
            )
        )
    if not frames:
        raise ValueError("map data: scenario_offsets_min is empty")
    return pd.concat(frames, ignore_index=True)


def write_map_files(
    folder: Path,
    net: RoadNetwork,
    facilities: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    hour: int = 10,
    offsets_min: Mapping[str, float] | None = None,
) -> Path:
    """Write ready-made map tables under ``folder/map`` (used by :func:`write_map_data`).

    Returns
    -------
    Path
        The ``map`` folder.
    """
    out = Path(folder) / MAP_FOLDER
    out.mkdir(parents=True, exist_ok=True)
    save_cached(net, out / "network.npz")
    # The cache writer's temporary file is private (0600); a results file is for sharing.
    (out / "network.npz").chmod(0o644)
    columns = [*FACILITY_COLUMNS, *(c for c in FACILITY_EXTRA_COLUMNS if c in facilities)]
    facilities.loc[:, columns].to_csv(out / "facilities.csv", index=False, encoding="utf-8")
    coverage.loc[:, list(COVERAGE_COLUMNS)].to_parquet(out / "coverage.parquet", index=False)
    meta = {
        "hour": int(hour),
        "priority": COVERAGE_PRIORITY,
        "offsets_min": {str(k): float(v) for k, v in (offsets_min or {}).items()},
        "response_min": "offset (mean call-processing + turn-out) + drive from the nearest "
        "station at priority 1, assuming a free ambulance there",
    }
    (out / "map.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), "utf-8")
    return out


def write_map_data(
    folder: Path, world: World, scenario_offsets_min: dict[str, float], *, hour: int = 10
) -> None:
    """Write the network, facilities and coverage of ``world`` under ``folder/map``.

    Parameters
    ----------
    folder
        Result folder (a comparison's), created if needed.
    world
        The prepared world (base scenario) whose network and stations are mapped.
    scenario_offsets_min
        Scenario name -> minutes added to every drive: the scenario's mean
        call-processing + turn-out (answer to wheels rolling).
    hour
        Hour of day of departure for the drive times (selects the congestion period).
    """
    drive = nearest_station_drive_min(world, hour)
    write_map_files(
        folder,
        world.network,
        facilities_frame(world),
        coverage_frame(world.network, drive, scenario_offsets_min),
        hour=hour,
        offsets_min=scenario_offsets_min,
    )


def _need(frame: pd.DataFrame, path: Path, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)} (columns: {', '.join(frame.columns)})"
        )


def read_map_data(folder: Path) -> MapData | None:
    """Read ``folder/map``; ``None`` when the folder has no map data.

    Raises
    ------
    UserError
        A map file is missing, unreadable or lacks columns.
    """
    root = Path(folder) / MAP_FOLDER
    if not root.is_dir():
        return None
    net_path = root / "network.npz"
    net = load_cached(net_path)
    if net is None:
        raise UserError(f"{net_path}: missing or not a readable network file")
    fac_path, cov_path = root / "facilities.csv", root / "coverage.parquet"
    try:
        facilities = pd.read_csv(
            fac_path, encoding="utf-8-sig", dtype={"id": str, "name": str, "tier": str}
        )
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UserError(f"{fac_path}: missing or not a readable CSV ({exc})") from None
    _need(facilities, fac_path, FACILITY_COLUMNS)
    facilities["tier"] = facilities["tier"].astype(object).where(facilities["tier"].notna(), None)
    if "access_m" not in facilities.columns:  # map data written before the column existed
        facilities["access_m"] = math.nan
    if "outside_roads" not in facilities.columns:
        facilities["outside_roads"] = outside_hull(
            facilities["lon"].to_numpy(float), facilities["lat"].to_numpy(float), net.lon, net.lat
        )
    facilities["outside_roads"] = facilities["outside_roads"].astype(bool)
    try:
        coverage = pd.read_parquet(cov_path)
    except (OSError, ValueError) as exc:
        raise UserError(f"{cov_path}: missing or not a readable Parquet file ({exc})") from None
    _need(coverage, cov_path, COVERAGE_COLUMNS)
    nodes = coverage["node"].to_numpy()
    if len(nodes) and (nodes.min() < 0 or nodes.max() >= net.n_nodes):
        raise UserError(f"{cov_path}: node: must index the network's {net.n_nodes} nodes")
    hour, offsets = 10, {}
    meta_path = root / "map.json"
    if meta_path.is_file():
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            hour = int(meta.get("hour", hour))
            offsets = {str(k): float(v) for k, v in meta.get("offsets_min", {}).items()}
        except (json.JSONDecodeError, TypeError, ValueError, AttributeError) as exc:
            raise UserError(f"{meta_path}: not valid map metadata ({exc})") from None
    return MapData(net, facilities, coverage, hour=hour, offsets_min=offsets)
