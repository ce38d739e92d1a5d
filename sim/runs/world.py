"""The prepared world of a scenario: network, facilities on it, travel tables, demand places.

Building it is the expensive, deterministic part shared by every replication (load the
network, snap facilities, run Dijkstra from and to every facility). It depends only on the
scenario's network, travel, facilities and demand sections (:func:`world_key`), so every
variant of a sweep or comparison that shares those shares one world: :func:`cached_world`
keeps the few most recent worlds of a process (a pool or Dask worker) and builds each once.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config.facilities import Facilities, load_facilities
from sim.config.scenario import Scenario, locate
from sim.core.errors import UserError
from sim.demand.generate import Places, prepare_places, read_grid
from sim.demand.trace import Trace, read_call_log, snap_trace
from sim.network.core import RoadNetwork
from sim.network.datapath import find_data_file, load_network
from sim.network.snapping import Snapper
from sim.network.travel import TravelEngine, TravelTables


@dataclass(frozen=True, eq=False)
class World:
    """Everything a replication needs that does not depend on random numbers.

    Facility index ``k`` in ``tables`` runs over stations, then hospitals, then police posts
    (``station_fac``, ``hospital_fac``, ``police_fac`` give each one's ``k``).
    """

    network: RoadNetwork
    facilities: Facilities
    engine: TravelEngine
    tables: TravelTables
    snapper: Snapper  # for demand points (no distance limit: cells were checked)
    places: Places
    station_fac: tuple[int, ...]
    hospital_fac: tuple[int, ...]
    police_fac: tuple[int, ...]
    station_node: tuple[int, ...]
    hospital_node: tuple[int, ...]
    police_node: tuple[int, ...]
    hospital_access_min: tuple[float, ...]
    station_access_min: tuple[float, ...]
    police_access_min: tuple[float, ...]
    population: float
    grid_cells_dropped: int = 0
    trace: Trace | None = None  # the replayed call log (demand.source = "trace")


def _in_scenario(scenario: Scenario, dotted: str, message: str) -> str:
    """``file:line field: message`` for a problem with a value written in the scenario."""
    where = scenario.source or "<scenario>"
    try:
        line = locate(Path(scenario.source).read_text(encoding="utf-8"), tuple(dotted.split(".")))
    except OSError:
        line = None
    return f"{where}{f':{line}' if line else ''} {dotted}: {message}"


def build_world(
    scenario: Scenario, *, data_dir: Path | None = None, cache_dir: Path | None = None
) -> World:
    """Load and prepare the scenario's network, facilities and travel tables.

    Parameters
    ----------
    scenario
        A validated scenario.
    data_dir
        Data folder searched first (``--data-dir``), else ``$TRAUMA_SIM_DATA``.
    cache_dir
        Network cache folder.

    Returns
    -------
    World
    """
    # Facility files first: they are cheap to check, a network can take minutes to load.
    try:
        facilities = load_facilities(
            scenario.facilities, scenario.base_dir, lambda name: find_data_file(name, data_dir)
        )
    except UserError as exc:
        field, sep, rest = exc.message.partition(": ")
        if not (sep and field.startswith("facilities.")):
            raise  # already names the CSV file and row
        raise UserError(_in_scenario(scenario, field, rest)) from None
    check_capabilities(scenario, facilities)
    try:
        network = load_network(
            scenario.network.source,
            data_dir=data_dir,
            speeds=scenario.network.speeds,
            cache_dir=cache_dir,
        )
    except UserError as exc:
        if scenario.source and scenario.source in exc.message:
            raise
        raise UserError(f"{scenario.source} network.source: {exc.message}") from None
    snapper = Snapper(network, scenario.travel.access_speed_kph, scenario.travel.snap_limit_m)
    labelled = (
        [(f"station {s.id} ({s.name})", s.lon, s.lat) for s in facilities.stations]
        + [(f"hospital {h.id} ({h.name})", h.lon, h.lat) for h in facilities.hospitals]
        + [(f"police post {p.id} ({p.name})", p.lon, p.lat) for p in facilities.police_posts]
    )
    try:
        snaps = snapper.snap_many(
            [x[1] for x in labelled], [x[2] for x in labelled], [x[0] for x in labelled]
        )
    except UserError as exc:
        raise UserError(f"{scenario.source}: facilities: {exc.message}") from None
    n_s, n_h = len(facilities.stations), len(facilities.hospitals)
    nodes = [s.node for s in snaps]
    access = [s.access_min for s in snaps]
    engine = TravelEngine(network, scenario.travel)
    tables = engine.build_tables(nodes, with_routes=True)
    grid = scenario.demand.population_grid
    grid_rows = None
    population = 0.0
    cells_dropped = 0
    if grid is not None:
        path = (
            find_data_file(grid.file, data_dir)
            if grid.on_data_path
            else (scenario.base_dir / grid.file)
        )
        if not path.exists():
            raise UserError(
                _in_scenario(scenario, "demand.population_grid.file", f"file not found ({path})")
            )
        glon, glat, gw = read_grid(path, grid.lon_column, grid.lat_column, grid.weight_column)
        # Cells whose centre lies beyond the snap limit are outside the road data: dropped
        # (counted in the manifest), never silently moved onto a distant road.
        _, dist_m, _ = Snapper(network, 1.0, math.inf).snap_arrays(
            glon, glat, ["grid cell"] * glon.shape[0]
        )
        keep = dist_m <= scenario.travel.snap_limit_m
        cells_dropped = int((~keep).sum())
        grid_rows = (glon[keep], glat[keep], gw[keep])
        if grid.population_column:
            pop = read_grid(path, grid.lon_column, grid.lat_column, grid.population_column)[2]
            population = float(pop[keep].sum())
    places = prepare_places(scenario.demand, network, facilities, grid_rows)
    demand_snapper = Snapper(network, scenario.travel.access_speed_kph, math.inf)
    trace = None
    if scenario.demand.source == "trace" and scenario.demand.calls_file:
        calls = Path(scenario.demand.calls_file)
        log = read_call_log(calls if calls.is_absolute() else scenario.base_dir / calls)
        trace = snap_trace(log, snapper)  # the snap limit applies: calls off the network fail
    idx = list(range(len(nodes)))
    # The per-facility orderings every replication's dispatcher reads, built once here.
    tables.nearest_order(idx[:n_s])
    tables.to_facilities_rows(idx[n_s : n_s + n_h])
    return World(
        network=network,
        facilities=facilities,
        engine=engine,
        tables=tables,
        snapper=demand_snapper,
        places=places,
        grid_cells_dropped=cells_dropped,
        station_fac=tuple(idx[:n_s]),
        hospital_fac=tuple(idx[n_s : n_s + n_h]),
        police_fac=tuple(idx[n_s + n_h :]),
        station_node=tuple(nodes[:n_s]),
        hospital_node=tuple(nodes[n_s : n_s + n_h]),
        police_node=tuple(nodes[n_s + n_h :]),
        station_access_min=tuple(access[:n_s]),
        hospital_access_min=tuple(access[n_s : n_s + n_h]),
        police_access_min=tuple(access[n_s + n_h :]),
        population=population,
        trace=trace,
    )


def check_capabilities(scenario: Scenario, facilities: Facilities) -> None:
    """Every injury class needs a capable hospital, linkage police posts, mutual aid its base."""
    tiers = {h.tier for h in facilities.hospitals}
    for cls, capable in scenario.hospital.capable_tiers.items():
        if not tiers & set(capable):
            raise UserError(
                f"{scenario.source}: hospital.capable_tiers.{cls}: no hospital of the tiers "
                f"{capable} in the facilities (tiers present: {sorted(tiers)})"
            )
    aid = scenario.demand.mci.mutual_aid if scenario.demand.mci is not None else None
    ids = [h.id for h in facilities.hospitals]
    if aid is not None and aid.base_hospital not in ids:
        raise UserError(
            f"{scenario.source}: demand.mci.mutual_aid.base_hospital: '{aid.base_hospital}' is "
            f"not a hospital (allowed: {', '.join(ids)})"
        )
    pl = scenario.mechanisms.police_linkage
    if pl.enabled and pl.police_dispatch and not facilities.police_posts:
        raise UserError(
            f"{scenario.source}: mechanisms.police_linkage: police_dispatch needs "
            "[facilities.police_posts]"
        )


def fleet_allocation(facilities: Facilities, total: int | None) -> list[tuple[int, str, str]]:
    """Units as (station index, type "ALS"/"BLS", shift), spreading ``total`` if given.

    With ``total`` set, units are spread over stations in proportion to their listed
    counts (largest remainder), keeping each station's ALS share.
    """
    listed = np.array([s.als + s.bls for s in facilities.stations], float)
    if total is None:
        counts = listed.astype(int)
    else:
        raw = listed / listed.sum() * total
        counts = np.floor(raw).astype(int)
        for i in np.argsort(-(raw - counts), kind="stable")[: total - int(counts.sum())]:
            counts[i] += 1
    units: list[tuple[int, str, str]] = []
    for i, (s, n) in enumerate(zip(facilities.stations, counts, strict=True)):
        n_als = round(n * s.als / max(1, s.als + s.bls))
        units += [(i, "ALS", s.shift)] * n_als + [(i, "BLS", s.shift)] * (int(n) - n_als)
    return units


#: Sections a world is built from; the other sections (fleet, calls, mechanisms...) only
#: change what happens on it.
WORLD_SECTIONS = ("network", "travel", "facilities", "demand")

#: Demand subsections :func:`build_world` never reads (they shape draws, not places).
DEMAND_NOT_IN_WORLD = ("caller", "non_dispatch_calls", "case_mix")


def world_key(scenario: Scenario) -> str:
    """Hash of what :func:`build_world` reads: scenarios with equal keys share one world."""
    data = scenario.model_dump(mode="json", include=set(WORLD_SECTIONS))
    for sub in DEMAND_NOT_IN_WORLD:  # drawn per replication by joint PSA: same world
        data["demand"].pop(sub, None)
    data["base_dir"] = str(scenario.base_dir.resolve())  # relative facility files start here
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


# Per-process cache of prepared worlds (the pool's or a Dask worker's): a world is large and
# deterministic, so it is built once per process and never pickled per task. A lock makes
# threads of one Dask worker wait for a world being built instead of building it twice.
_WORLDS: OrderedDict[tuple[str, str, str], World] = OrderedDict()
_WORLDS_LOCK = threading.Lock()
_MAX_WORLDS = 4


def cached_world(
    scenario: Scenario, *, data_dir: Path | None = None, cache_dir: Path | None = None
) -> World:
    """The world of ``scenario`` from this process's cache, built on first use.

    Parameters
    ----------
    scenario
        A validated scenario; its hospital tiers and police linkage are checked against the
        world's facilities every time (they are not part of the key).
    data_dir, cache_dir
        As in :func:`build_world`.

    Returns
    -------
    World
    """
    key = (world_key(scenario), str(data_dir), str(cache_dir))
    with _WORLDS_LOCK:
        world = _WORLDS.get(key)
        if world is None:
            world = build_world(scenario, data_dir=data_dir, cache_dir=cache_dir)
            _WORLDS[key] = world
            while len(_WORLDS) > _MAX_WORLDS:
                _WORLDS.popitem(last=False)
        else:
            _WORLDS.move_to_end(key)
    check_capabilities(scenario, world.facilities)
    return world
