"""Benchmarks behind ``trauma-sim bench``: measured figures as JSON-ready dicts.

Each benchmark returns a flat dict of rounded numbers and names; printing is the CLI's job.
Benchmarks read only local files (never the internet) and write only to temporary folders.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.core.units import EARTH_RADIUS_M
from sim.network.core import RoadNetwork

if TYPE_CHECKING:
    from sim.config.facilities import Centre
    from sim.config.scenario import Scenario
    from sim.runs.world import World

_HANGZHOU_FILE = "hangzhou_west.osm.bz2"
_DATA_ENV = "TRAUMA_SIM_DATA"
_N_FACILITIES = 50
_N_LOOKUPS = 200_000
_BENCH_SEED = 20240611


def _data_dir(data_dir: Path | None) -> Path | None:
    """The data folder from the argument, else ``$TRAUMA_SIM_DATA``, else None."""
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get(_DATA_ENV)
    return Path(env) if env else None


def _peak_memory_mb() -> float:
    """Peak resident set size of this process in MiB (NaN where unsupported)."""
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    peak = float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    return peak / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)


def _spread_nodes(network: RoadNetwork, count: int) -> list[int]:
    """``count`` nodes spread over the network by farthest-point sampling (deterministic)."""
    lat0 = np.radians(float(np.mean(network.lat)))
    x = EARTH_RADIUS_M * np.cos(lat0) * np.radians(network.lon)
    y = EARTH_RADIUS_M * np.radians(network.lat)
    start = int(np.argmin((x - x.mean()) ** 2 + (y - y.mean()) ** 2))
    chosen = [start]
    nearest_sq = (x - x[start]) ** 2 + (y - y[start]) ** 2
    for _ in range(min(count, network.n_nodes) - 1):
        nxt = int(np.argmax(nearest_sq))
        chosen.append(nxt)
        nearest_sq = np.minimum(nearest_sq, (x - x[nxt]) ** 2 + (y - y[nxt]) ** 2)
    return chosen


def network_benchmark(data_dir: Path | None = None) -> dict[str, object]:
    """Time network loading, caching, table precomputation and lookups.

    Runs on Hangzhou west when the data folder (``data_dir``, else ``$TRAUMA_SIM_DATA``)
    holds ``hangzhou_west.osm.bz2``, else on the synthetic county. Caches go to a fresh
    temporary folder that is removed afterwards.

    Parameters
    ----------
    data_dir
        Folder with the OSM extracts; None to use ``$TRAUMA_SIM_DATA``.

    Returns
    -------
    dict
        ``network``, ``synthetic``, ``nodes``, ``edges``, ``periods``, ``facilities``,
        ``xml_load_s`` (load from source into an empty cache), ``cache_load_s`` (second load
        from that cache), ``precompute_50_s`` (travel engine plus from/to tables for 50 spread
        facility nodes, all periods), ``lookups_per_s`` (mixed from/to facility lookups through
        :class:`~sim.network.travel.TravelTables`), ``lookups``, ``tables_mb`` and
        ``peak_memory_mb`` (process peak RSS).
    """
    from sim.network.datapath import load_network
    from sim.network.travel import TravelEngine

    folder = _data_dir(data_dir)
    has_hangzhou = folder is not None and (folder / _HANGZHOU_FILE).is_file()
    source = "hangzhou_west" if has_hangzhou else "synthetic_county"

    with tempfile.TemporaryDirectory(prefix="trauma-sim-bench-") as tmp:
        cache = Path(tmp)
        t0 = time.perf_counter()
        load_network(source, data_dir=folder, cache_dir=cache, use_cache=True)
        xml_load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        network = load_network(source, data_dir=folder, cache_dir=cache, use_cache=True)
        cache_load_s = time.perf_counter() - t0

    facilities = _spread_nodes(network, _N_FACILITIES)
    t0 = time.perf_counter()
    engine = TravelEngine(network)
    tables = engine.build_tables(facilities)
    precompute_s = time.perf_counter() - t0

    rng = np.random.default_rng(_BENCH_SEED)
    ks = rng.integers(0, len(facilities), _N_LOOKUPS).tolist()
    nodes = rng.integers(0, network.n_nodes, _N_LOOKUPS).tolist()
    hours = rng.integers(0, 24, _N_LOOKUPS).tolist()
    priorities = rng.integers(1, 4, _N_LOOKUPS).tolist()
    from_min, to_min = tables.from_facility_min, tables.to_facility_min
    half = _N_LOOKUPS // 2
    total = 0.0
    t0 = time.perf_counter()
    for k, node, hour, priority in zip(
        ks[:half], nodes[:half], hours[:half], priorities[:half], strict=True
    ):
        total += from_min(k, node, hour, priority)
    for k, node, hour, priority in zip(
        ks[half:], nodes[half:], hours[half:], priorities[half:], strict=True
    ):
        total += to_min(k, node, hour, priority)
    lookup_s = time.perf_counter() - t0

    return {
        "network": network.name,
        "synthetic": bool(network.synthetic),
        "nodes": network.n_nodes,
        "edges": network.n_edges,
        "periods": tables.n_periods,
        "facilities": tables.n_facilities,
        "xml_load_s": round(xml_load_s, 3),
        "cache_load_s": round(cache_load_s, 4),
        "precompute_50_s": round(precompute_s, 3),
        "lookups": _N_LOOKUPS,
        "lookups_per_s": round(_N_LOOKUPS / lookup_s),
        "tables_mb": round(tables.nbytes / 2**20, 1),
        "peak_memory_mb": round(_peak_memory_mb(), 1),
    }


def bare_simpy_benchmark(
    n_incidents: int = 50_000, n_units: int = 27, seed: int = _BENCH_SEED
) -> dict[str, float]:
    """The reference the model is compared with: a bare SimPy ambulance model.

    Poisson calls at 80 % utilisation of ``n_units`` ambulances (a ``simpy.Resource``), each
    call a process that requests a unit and holds it for an exponential job time. It has no
    travel, dispatch decisions or log, so its rate is what SimPy itself costs per incident on
    this machine right now: the model's ``incidents_per_s`` divided by it
    (``ratio_to_bare_simpy``) compares runs on a shared machine.

    Parameters
    ----------
    n_incidents
        Calls to simulate.
    n_units
        Ambulances (the Hangzhou extract's 27 by default).
    seed
        Seed of the local generator of the inter-arrival and job times.

    Returns
    -------
    dict
        ``bare_simpy_incidents_per_s`` and ``bare_simpy_run_s``.
    """
    import simpy

    rng = np.random.default_rng(seed)
    job_min = 60.0
    gaps = rng.exponential(job_min / (0.8 * n_units), n_incidents).tolist()
    jobs = rng.exponential(job_min, n_incidents).tolist()
    env = simpy.Environment()
    fleet = simpy.Resource(env, capacity=n_units)

    def call(job: float) -> simpy.events.ProcessGenerator:
        with fleet.request() as req:
            yield req
            yield env.timeout(job)

    def source() -> simpy.events.ProcessGenerator:
        for gap, job in zip(gaps, jobs, strict=True):
            yield env.timeout(gap)
            env.process(call(job))

    t0 = time.perf_counter()
    env.process(source())
    env.run()
    run_s = time.perf_counter() - t0
    return {
        "bare_simpy_incidents_per_s": round(n_incidents / run_s, 1),
        "bare_simpy_run_s": round(run_s, 3),
    }


def model_benchmark(
    data_dir: Path | None = None,
    scenario_file: Path | None = None,
    horizon_days: float = 365.0,
    repeat: int = 3,
    *,
    half_horizon: bool = True,
    stream_events: bool = False,
) -> dict[str, object]:
    """Time the simulation itself: one replication of a year (demand + SimPy run + log).

    Uses ``scenario_file`` if given, else scenarios/hangzhou_baseline.toml when the data
    folder holds the Hangzhou extract, else scenarios/county_baseline.toml. Building the world
    (network, travel tables) is timed separately and not counted in ``incidents_per_s``. The
    same replication runs ``repeat`` times; as with ``timeit``, the fastest run measures the
    code (slower ones measure what else the machine was doing) and the median is reported
    beside it. Runs over half the horizon show whether cost is linear in the horizon
    (``half_horizon=False`` skips them). After each full run the bare SimPy ambulance model
    (:func:`bare_simpy_benchmark`) runs once, so ``ratio_to_bare_simpy`` (fastest model rate
    over fastest bare rate) compares like with like on a shared machine. With
    ``stream_events`` the event log is streamed to a temporary Parquet file
    (:mod:`sim.io.event_stream`) and read back, as ``trauma-sim run --stream-events`` does.

    Returns
    -------
    dict
        ``scenario``, ``network``, ``horizon_days``, ``incidents``, ``patients``, ``events``,
        ``incidents_per_s`` (fastest run), ``incidents_per_s_median``,
        ``events_per_incident``, ``world_build_s``, ``run_s`` (fastest), ``run_s_median``,
        ``repeat``, ``half_horizon_run_s``, ``linearity`` (run_s / (2 x half-horizon
        run_s); 1 = linear; both None without half-horizon runs), ``cost_per_incident_us``,
        ``bare_simpy_incidents_per_s``, ``ratio_to_bare_simpy``, ``stream_events`` and
        ``peak_memory_mb`` (peak resident set size of the process: worlds, demand, event log
        and tables).
    """
    from sim.config.scenario import load_scenario
    from sim.io.event_stream import EventStream
    from sim.runs.replications import replication_record
    from sim.runs.world import build_world

    if repeat < 1:
        msg = f"repeat must be at least 1, got {repeat}"
        raise ValueError(msg)
    root = Path(__file__).resolve().parents[2] / "scenarios"
    folder = _data_dir(data_dir)
    if scenario_file is None:
        has_hz = folder is not None and (folder / _HANGZHOU_FILE).exists()
        scenario_file = root / ("hangzhou_baseline.toml" if has_hz else "county_baseline.toml")
    runs = {}
    bare: list[float] = []
    tmp = tempfile.TemporaryDirectory(prefix="trauma-sim-bench-events-")
    stream = EventStream(Path(tmp.name)) if stream_events else None
    for days in (horizon_days / 2, horizon_days) if half_horizon else (horizon_days,):
        scenario = load_scenario(scenario_file, [f"run.horizon_days={days}"])
        t0 = time.perf_counter()
        world = build_world(scenario, data_dir=folder)
        t_world = time.perf_counter() - t0
        times = []
        result = None
        for _ in range(repeat):
            result = None  # every run starts from the same memory state
            t0 = time.perf_counter()
            result = replication_record(scenario, world, 0, stream=stream)
            times.append(time.perf_counter() - t0)
            if days == horizon_days:
                # Interleaved with the model's runs, so both see the same machine load.
                n_bare = min(50_000, max(5_000, result.demand.n_incidents))
                bare.append(bare_simpy_benchmark(n_bare)["bare_simpy_incidents_per_s"])
        runs[days] = (sorted(times), t_world, scenario, result)
    tmp.cleanup()
    times, t_world, scenario, result = runs[horizon_days]
    assert result is not None
    half_s = runs[horizon_days / 2][0][0] if half_horizon else math.inf
    run_s, median_s = times[0], float(np.median(times))
    n_inc = result.demand.n_incidents
    n_ev = int(result.events["t"].shape[0])
    bare_rate = max(bare)
    return {
        "scenario": scenario.name,
        "network": world.network.name,
        "horizon_days": horizon_days,
        "incidents": n_inc,
        "patients": result.demand.n_patients,
        "events": n_ev,
        "incidents_per_s": round(n_inc / run_s, 1),
        "incidents_per_s_median": round(n_inc / median_s, 1),
        "events_per_incident": round(n_ev / max(n_inc, 1), 2),
        "world_build_s": round(t_world, 3),
        "run_s": round(run_s, 3),
        "run_s_median": round(median_s, 3),
        "repeat": repeat,
        "half_horizon_run_s": round(half_s, 3) if half_horizon else None,
        "linearity": round(run_s / (2 * half_s), 3) if half_horizon else None,
        "cost_per_incident_us": round(run_s / max(n_inc, 1) * 1e6, 2),
        "bare_simpy_incidents_per_s": bare_rate,
        "ratio_to_bare_simpy": round(n_inc / run_s / bare_rate, 3),
        "stream_events": stream_events,
        "peak_memory_mb": round(_peak_memory_mb(), 1),
    }


def sweep_benchmark(
    sweep_file: Path,
    workers: tuple[int, ...] = (1, 2),
    backends: tuple[str, ...] = ("process", "dask"),
    data_dir: Path | None = None,
) -> dict[str, object]:
    """Throughput of a sweep's replications with 1, 2, ... workers, per backend.

    Runs every (scenario, replication) of the sweep (base and points, as ``trauma-sim
    sweep``) with no checkpoint, once per backend and worker count: ``"process"`` is the
    local process pool (one worker: serial, in this process), ``"dask"`` a
    ``dask.distributed.LocalCluster`` of single-threaded worker processes. The time includes
    starting the workers and building each worker's world once (worlds are cached per
    process, never shipped per task), so the speed-up is what a user gets.

    Parameters
    ----------
    sweep_file
        A sweep file (``scenarios/sweeps/*.toml``).
    workers
        Worker counts to measure; the first is the reference of ``speedup``.
    backends
        ``"process"`` and/or ``"dask"``.
    data_dir
        Folder with network files (else ``$TRAUMA_SIM_DATA``).

    Returns
    -------
    dict
        ``sweep``, ``tasks``, ``cpu_count``, and per backend and worker count
        ``{backend}_{n}_s`` (wall seconds), ``{backend}_{n}_reps_per_s`` and
        ``{backend}_{n}_speedup`` (reference seconds over these).
    """
    from sim.runs.compare import align
    from sim.runs.sweep import load_sweep
    from sim.runs.tasks import Task, run_tasks

    unknown = sorted(set(backends) - {"process", "dask"})
    if unknown:
        msg = f"unknown backend(s) {unknown}: use 'process' and/or 'dask'"
        raise ValueError(msg)
    folder = _data_dir(data_dir)
    spec = load_sweep(sweep_file)
    scenarios = align([spec.base, *[p.scenario for p in spec.points]])
    tasks = [Task(s, r) for s in scenarios for r in range(spec.replications)]
    out: dict[str, object] = {
        "sweep": Path(sweep_file).stem,
        "tasks": len(tasks),
        "cpu_count": os.cpu_count(),
    }
    for backend in backends:
        ref_s = math.nan
        for n in workers:
            t0 = time.perf_counter()
            if backend == "process":
                run_tasks(tasks, jobs=n, data_dir=folder)
            else:
                from dask.distributed import Client, LocalCluster

                with (
                    LocalCluster(
                        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
                    ) as cluster,
                    Client(cluster) as client,
                ):
                    run_tasks(tasks, executor=client.get_executor(), data_dir=folder)
            wall_s = time.perf_counter() - t0
            if math.isnan(ref_s):
                ref_s = wall_s
            out[f"{backend}_{n}_s"] = round(wall_s, 3)
            out[f"{backend}_{n}_reps_per_s"] = round(len(tasks) / wall_s, 3)
            out[f"{backend}_{n}_speedup"] = round(ref_s / wall_s, 3)
    return out


#: Defaults of ``trauma-sim bench scaling``: short horizons, so the whole report takes minutes.
SCALING_HORIZONS_DAYS = (2.0, 4.0, 8.0, 16.0)
SCALING_FLEET_SHARES = (0.5, 1.0, 2.0)
SCALING_CENTRES = (1, 2, 4)
SCALING_DAYS = 7.0
_SCALING_BARE_INCIDENTS = 5_000


def _scaling_point(
    factor: str, level: float, scenario: Scenario, world: World, world_build_s: float, repeat: int
) -> dict[str, object]:
    """One row of the scaling report: the fastest of ``repeat`` runs of replication 0."""
    from sim.runs.replications import replication_record
    from sim.runs.world import fleet_allocation

    times = []
    bare = []
    result = None
    for _ in range(repeat):
        result = None  # every run starts from the same memory state
        t0 = time.perf_counter()
        result = replication_record(scenario, world, 0)
        times.append(time.perf_counter() - t0)
        # Right after the run, so both see the same machine load (see model_benchmark).
        bare.append(bare_simpy_benchmark(_SCALING_BARE_INCIDENTS)["bare_simpy_incidents_per_s"])
    assert result is not None
    run_s = min(times)
    n_inc = result.demand.n_incidents
    return {
        "factor": factor,
        "level": level,
        "scenario": scenario.name,
        "network": world.network.name,
        "nodes": world.network.n_nodes,
        "centres": len(world.facilities.centres),
        "ambulances": len(fleet_allocation(world.facilities, scenario.fleet.ambulances)),
        "horizon_days": scenario.run.horizon_days,
        "incidents": n_inc,
        "events": int(result.events["t"].shape[0]),
        "world_build_s": round(world_build_s, 3),
        "run_s": round(run_s, 3),
        "cost_per_incident_us": round(run_s / max(n_inc, 1) * 1e6, 2),
        "bare_simpy_incidents_per_s": max(bare),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "attribution": world.network.attribution,
    }


def _with_centres(scenario: Scenario, centres: list[Centre], n: int) -> Scenario:
    """The scenario with its first ``n`` 120 centres, sharing the same seats between them."""
    seats = sum(c.seats for c in centres)
    data = scenario.model_dump(mode="json")
    data["name"] = f"{scenario.name}_{n}_centres"
    data["facilities"]["centres"] = {
        "rows": [
            {"id": c.id, "name": c.name, "lon": c.lon, "lat": c.lat, "seats": seats // n}
            for c in centres[:n]
        ]
    }
    return scenario.with_data(data)


def scaling_benchmark(
    scenario_file: Path,
    network_files: tuple[Path, ...] = (),
    *,
    horizons_days: tuple[float, ...] = SCALING_HORIZONS_DAYS,
    fleet_shares: tuple[float, ...] = SCALING_FLEET_SHARES,
    centres: tuple[int, ...] = SCALING_CENTRES,
    days: float = SCALING_DAYS,
    repeat: int = 1,
    data_dir: Path | None = None,
) -> dict[str, object]:
    """How one replication's cost grows with horizon, fleet, network size and centres.

    Every point is measured in this one call, side by side on the same machine load: the
    base scenario over each horizon; over ``days`` with the fleet scaled by each share (the
    same incidents, more or fewer units: ``fleet.ambulances``); with its first ``n`` 120
    centres sharing its seats (fewer jurisdictions, fewer transfers; the world is rebuilt, as
    centres are part of it); and each of ``network_files`` (other regions, e.g. the synthetic
    county and Hangzhou west beside the province) over ``days``. A point's cost is the fastest
    of ``repeat`` runs of replication 0 (demand + SimPy run + log to arrays); world building
    is reported apart (``world_build_s``: network, snapping, travel tables). After each run
    the bare SimPy model (:func:`bare_simpy_benchmark`, 5,000 calls) runs once; a point's
    ``cost_per_incident_us_load_corrected`` is its cost times its fastest bare rate over the
    median bare rate of all points, which takes out most of a shared machine's changing load.

    Parameters
    ----------
    scenario_file
        The base scenario (e.g. scenarios/province_baseline.toml).
    network_files
        Scenarios on other networks for the network-size points (the base is one of them).
    horizons_days, fleet_shares, centres, days
        The levels of each factor; ``days`` is the horizon of the fleet, centre and
        network points. Centre counts above the base's are skipped.
    repeat
        Runs per point (the fastest counts).
    data_dir
        Folder with network files (else ``$TRAUMA_SIM_DATA``).

    Returns
    -------
    dict
        ``base``, ``cpu_count``, ``load_average_start``, ``load_average_end``, ``wall_s``,
        ``bare_simpy_incidents_per_s`` (the reference at the start, as in
        :func:`model_benchmark`), ``bare_simpy_median_incidents_per_s`` and ``points``: one
        dict per point with ``factor``
        (``horizon``, ``fleet``, ``centres`` or ``network``), ``level``, ``scenario``,
        ``network``, ``nodes``, ``centres``, ``ambulances``, ``horizon_days``, ``incidents``,
        ``events``, ``world_build_s``, ``run_s``, ``cost_per_incident_us``,
        ``bare_simpy_incidents_per_s``, ``cost_per_incident_us_load_corrected``,
        ``load_average_1min`` and ``attribution`` (the network's credit line).
    """
    from sim.config.scenario import load_scenario
    from sim.runs.world import build_world, fleet_allocation

    if repeat < 1:
        msg = f"repeat must be at least 1, got {repeat}"
        raise ValueError(msg)
    folder = _data_dir(data_dir)
    t_start = time.perf_counter()
    load_start = os.getloadavg()[0]
    bare = bare_simpy_benchmark(20_000)["bare_simpy_incidents_per_s"]

    def world_of(sc: Scenario) -> tuple[World, float]:
        t0 = time.perf_counter()
        w = build_world(sc, data_dir=folder)
        return w, time.perf_counter() - t0

    def short(h: float) -> list[str]:
        return [f"run.horizon_days={h}", f"run.warm_up_days={min(1.0, h / 2)}"]

    base = load_scenario(scenario_file, short(days))
    base_world, base_build_s = world_of(base)
    points: list[dict[str, object]] = []
    for h in horizons_days:
        sc = base.with_overrides(short(h))
        points.append(_scaling_point("horizon", h, sc, base_world, base_build_s, repeat))
    n_units = len(fleet_allocation(base_world.facilities, base.fleet.ambulances))
    for share in fleet_shares:
        sc = base.with_overrides([f"fleet.ambulances={max(1, round(n_units * share))}"])
        points.append(_scaling_point("fleet", share, sc, base_world, base_build_s, repeat))
    listed = list(base_world.facilities.centres)
    for n in centres:
        if n > len(listed):
            continue
        if n == len(listed):
            points.append(_scaling_point("centres", n, base, base_world, base_build_s, repeat))
            continue
        sc = _with_centres(base, listed, n)
        w, build_s = world_of(sc)
        points.append(_scaling_point("centres", n, sc, w, build_s, repeat))
        del w
    points.append(
        _scaling_point(
            "network", base_world.network.n_nodes, base, base_world, base_build_s, repeat
        )
    )
    del base_world
    for f in network_files:
        sc = load_scenario(f, short(days))
        w, build_s = world_of(sc)
        points.append(_scaling_point("network", w.network.n_nodes, sc, w, build_s, repeat))
        del w
    # A point measured while the machine was slower has a slower bare reference too:
    # scaling each cost by its reference over the median one takes that out.
    ref = float(np.median([float(str(p["bare_simpy_incidents_per_s"])) for p in points]))
    for p in points:
        cost = float(str(p["cost_per_incident_us"]))
        p["cost_per_incident_us_load_corrected"] = round(
            cost * float(str(p["bare_simpy_incidents_per_s"])) / ref, 2
        )
    return {
        "base": base.name,
        "cpu_count": os.cpu_count(),
        "load_average_start": round(load_start, 2),
        "load_average_end": round(os.getloadavg()[0], 2),
        "wall_s": round(time.perf_counter() - t_start, 1),
        "bare_simpy_incidents_per_s": bare,
        "bare_simpy_median_incidents_per_s": ref,
        "points": points,
    }
