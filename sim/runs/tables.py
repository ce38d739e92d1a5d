"""A scenario run as tables: per-replication tables from raw records, then the run's tables.

:func:`replication_tables` turns one replication's raw record (:class:`RunResult`) into its
tables (incidents, events, unit status, KPIs) where the record was made, so workers return
small frames instead of event arrays and a finished replication can be checkpointed on its
own (:mod:`sim.runs.checkpoint`). :func:`assemble_tables` joins replications, attaches
outcomes (:mod:`sim.runs.attach`) and writes the manifest; :func:`run_scenario_tables` does
it all for one scenario.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import math
import platform
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.core.entities import EventKind
from sim.core.units import MINUTES_PER_DAY
from sim.io.event_stream import EventStream
from sim.io.results import RunTables
from sim.metrics.compute import (
    backlog_table,
    incidents_table,
    kpis_for_rep,
    summarise,
    unit_status_table,
)
from sim.outcomes.params import OutcomeSpec
from sim.runs.attach import outcome_summary, with_outcomes
from sim.runs.replications import RunResult
from sim.runs.world import World, fleet_allocation

PACKAGES = (
    "simpy",
    "numpy",
    "scipy",
    "networkx",
    "osmnx",
    "pandas",
    "pyarrow",
    "pydantic",
    "matplotlib",
    "trauma-sim",
)


def package_versions() -> dict[str, str]:
    """Python, platform and the versions of the packages that shape results (manifests)."""
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


#: How ``area_km2`` in manifests is measured (:meth:`sim.network.core.RoadNetwork.extent_km2`).
AREA_BASIS = "convex hull of the road network's nodes"


@dataclass(frozen=True)
class WorldInfo:
    """What the run tables need to know about the world, without the world itself.

    Carried by every :class:`ReplicationTables`, so a run can be assembled (also from a
    checkpoint, or from a remote worker's results) without loading the network again.
    """

    network: str
    network_source: str
    network_hash: str
    synthetic: bool
    attribution: str
    population: float
    grid_cells_dropped: int
    units: int
    seats: int
    #: 120 centres (the platform costs are per centre).
    centres: int = 1
    #: Area the road data covers (convex hull of the network's nodes), km².
    area_km2: float = math.nan
    #: The replayed call log's manifest entries (``demand.source = "trace"``), else empty.
    calls: dict[str, Any] = field(default_factory=dict)


def world_info(scenario: Scenario, world: World) -> WorldInfo:
    """The :class:`WorldInfo` of ``scenario`` run on ``world``."""
    net = world.network
    return WorldInfo(
        network=net.name,
        network_source=net.source,
        network_hash=net.source_hash,
        synthetic=net.synthetic,
        attribution=net.attribution,
        population=world.population,
        grid_cells_dropped=world.grid_cells_dropped,
        units=len(fleet_allocation(world.facilities, scenario.fleet.ambulances)),
        seats=sum(c.seats for c in world.facilities.centres),
        centres=len(world.facilities.centres),
        area_km2=net.extent_km2(),
        calls=_calls_manifest(scenario, world),
    )


def _calls_manifest(scenario: Scenario, world: World) -> dict[str, Any]:
    """Which call log a trace replay read, and how much of it fell inside the horizon."""
    if world.trace is None:
        return {}
    log = world.trace.log
    horizon_min = scenario.run.horizon_days * MINUTES_PER_DAY
    return {
        "calls_file": log.path,
        "calls_sha256": log.sha256,
        "calls_origin": log.origin.isoformat(),
        "calls_replayed": int((log.t_call_min < horizon_min).sum()),
        "calls_beyond_horizon": int((log.t_call_min >= horizon_min).sum()),
    }


@dataclass(frozen=True)
class ReplicationTables:
    """One replication as tables (outcomes not yet attached: they need every replication)."""

    replication: int
    incidents: pd.DataFrame
    events: pd.DataFrame
    units: pd.DataFrame
    kpis: dict[str, float]
    streams: tuple[str, ...]
    wall_s: float
    info: WorldInfo
    #: Patients not yet reached at the end of each day (``rep, day, backlog_patients``).
    backlog_days: pd.DataFrame
    #: This replication's backlog totals (:func:`sim.metrics.compute.backlog_table`).
    backlog_totals: dict[str, float]
    #: The streamed event log (then ``events`` is empty: the rows are in this file).
    events_file: Path | None = None


def population_of(scenario: Scenario, info: WorldInfo | World) -> float:
    """Residents served: ``demand.population``, else the grid's population column, else NaN."""
    if scenario.demand.population is not None:
        return scenario.demand.population
    return info.population if info.population > 0 else math.nan


def _events_frame(rep: int, ev: dict[str, np.ndarray]) -> pd.DataFrame:
    names = {int(k): k.name for k in EventKind}
    df = pd.DataFrame({"rep": np.full(ev["t"].shape[0], rep, np.int32), **ev})
    df["kind"] = pd.Categorical(
        [names[int(k)] for k in ev["kind"]], categories=[k.name for k in EventKind]
    )
    return df


def replication_tables(scenario: Scenario, world: World, res: RunResult) -> ReplicationTables:
    """Tables of one replication's raw record: incidents, events, unit status and KPIs.

    Parameters
    ----------
    scenario
        The scenario the record was simulated from.
    world
        Its world.
    res
        The raw record (:func:`sim.runs.replications.replication_record`).

    Returns
    -------
    ReplicationTables
    """
    fac = world.facilities
    units = fleet_allocation(fac, scenario.fleet.ambulances)
    unit_station = [fac.stations[s].id for s, _, _ in units]
    info = world_info(scenario, world)
    inc = incidents_table(
        res.replication,
        res.demand.incidents,
        res.demand.patients,
        res.events,
        hospital_ids=[h.id for h in fac.hospitals],
        hospital_tiers=[h.tier for h in fac.hospitals],
        capable_tiers=scenario.hospital.capable_tiers,
        unit_station_ids=unit_station,
    )
    if world.trace is not None:  # replayed calls keep their id from the log
        rows = np.asarray(res.demand.incidents["trace_row"])[inc["incident_id"].to_numpy()]
        inc["call_id"] = world.trace.log.call_id[rows]
    un = unit_status_table(res.replication, res.events, unit_station)
    warm_min = scenario.run.warm_up_days * MINUTES_PER_DAY
    horizon_min = scenario.run.horizon_days * MINUTES_PER_DAY
    k = kpis_for_rep(
        inc,
        un,
        warm_up_min=warm_min,
        horizon_min=horizon_min,
        n_units=info.units,
        seats=info.seats,
        events=res.events,
    )
    days, totals = backlog_table(inc, warm_up_min=warm_min, horizon_min=horizon_min)
    return ReplicationTables(
        replication=res.replication,
        incidents=inc,
        # A streamed log is already on disk: an in-memory copy would undo the point of it.
        events=_events_frame(res.replication, res.events)
        if res.events_file is None
        else _events_frame(res.replication, {c: v[:0] for c, v in res.events.items()}),
        units=un,
        kpis=dict(k),
        streams=res.streams,
        wall_s=res.wall_s,
        info=info,
        backlog_days=days.assign(rep=res.replication)[["rep", "day", "backlog_patients"]],
        backlog_totals=dict(totals),
        events_file=res.events_file,
    )


def assemble_tables(
    scenario: Scenario,
    reps: Sequence[ReplicationTables],
    *,
    outcome_spec: OutcomeSpec | None = None,
    wall_s: float = 0.0,
    argv: Sequence[str] = (),
) -> RunTables:
    """Join replications (in replication order) into the run's tables and manifest.

    Parameters
    ----------
    scenario
        The scenario the replications were simulated from.
    reps
        Its replications, any order (sorted here, so results never depend on which
        worker finished first).
    outcome_spec
        Outcome parameters (default the scenario's own ``[outcomes]``).
    wall_s, argv
        Recorded in the manifest.

    Returns
    -------
    RunTables
    """
    reps = sorted(reps, key=lambda r: r.replication)
    streamed = [r.events_file is not None for r in reps]
    if any(streamed) and not all(streamed):
        msg = "replications with streamed and with in-memory event logs cannot be joined"
        raise ValueError(msg)
    info = reps[0].info
    horizon_min = scenario.run.horizon_days * MINUTES_PER_DAY
    warm_min = scenario.run.warm_up_days * MINUTES_PER_DAY
    incidents = pd.concat([r.incidents for r in reps], ignore_index=True)
    spec = outcome_spec or scenario.outcomes
    incidents = with_outcomes(incidents, spec, scenario.run.seed)
    population = population_of(scenario, info)
    outcomes = outcome_summary(
        incidents, spec, warm_up_min=warm_min, horizon_min=horizon_min, population=population
    )
    kpis_by_rep = pd.DataFrame([{"rep": r.replication, **r.kpis} for r in reps])
    manifest: dict[str, Any] = {
        "kind": "run",
        "scenario": scenario.name,
        "title": scenario.title,
        "scenario_file": scenario.source,
        "scenario_hash": scenario.content_hash(),
        "seed": scenario.run.seed,
        "replications": len(reps),
        "horizon_days": scenario.run.horizon_days,
        "warm_up_days": scenario.run.warm_up_days,
        "network": info.network,
        "network_source": info.network_source,
        "network_hash": info.network_hash,
        "synthetic": info.synthetic,
        "attribution": info.attribution,
        "population": population,
        # Per-year figures need their area too: the road data's extent, as the brief says.
        "area_km2": round(info.area_km2, 1),
        "area_basis": AREA_BASIS,
        "grid_cells_dropped": info.grid_cells_dropped,
        "units": info.units,
        "streams": sorted({s for r in reps for s in r.streams}),
        "versions": package_versions(),
        "argv": list(argv),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 3),
        "incidents": int(incidents["incident_id"].groupby(incidents["rep"]).nunique().sum()),
        "backlog": _backlog_summary([r.backlog_totals for r in reps]),
        **info.calls,
    }
    return RunTables(
        incidents=incidents,
        events=pd.concat([r.events for r in reps], ignore_index=True),
        units=pd.concat([r.units for r in reps], ignore_index=True),
        kpis_by_rep=kpis_by_rep,
        kpis=summarise(kpis_by_rep),
        outcomes=outcomes,
        manifest=manifest,
        scenario_toml=scenario.to_toml(),
        backlog=pd.concat([r.backlog_days for r in reps], ignore_index=True),
        event_files=[r.events_file for r in reps if r.events_file is not None],
    )


def _backlog_summary(rows: Sequence[dict[str, float]]) -> dict[str, Any]:
    """Patients not reached by the horizon over all replications (manifest ``backlog``)."""
    patients = sum(r["patients"] for r in rows)
    not_reached = sum(r["not_reached_by_horizon"] for r in rows)
    return {
        "patients": int(patients),
        "not_reached_by_horizon": int(not_reached),
        "not_reached_share": not_reached / patients if patients else None,
        "unfinished_by_horizon": int(sum(r["unfinished_by_horizon"] for r in rows)),
        "response_kpis_cover": "patients injured after the warm-up whom a unit reached "
        "before the horizon",
        "response_kpis_cover_share": (patients - not_reached) / patients if patients else None,
        "unbounded_in_reps": int(sum(r["backlog_unbounded"] for r in rows)),
    }


def assemble(
    scenario: Scenario,
    world: World,
    results: Sequence[RunResult],
    *,
    outcome_spec: OutcomeSpec | None = None,
    wall_s: float = 0.0,
    argv: Sequence[str] = (),
) -> RunTables:
    """The run's tables from raw replication records (see :func:`assemble_tables`)."""
    reps = [replication_tables(scenario, world, r) for r in results]
    return assemble_tables(scenario, reps, outcome_spec=outcome_spec, wall_s=wall_s, argv=argv)


def run_scenario_tables(
    scenario: Scenario,
    *,
    replications: int | None = None,
    jobs: int = 1,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    executor: Executor | None = None,
    world: World | None = None,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: Path | None = None,
    argv: Sequence[str] = (),
    stream: EventStream | None = None,
) -> RunTables:
    """Run a scenario's replications and return its tables (nothing written but checkpoints).

    Parameters
    ----------
    scenario
        Validated scenario.
    replications
        Number of replications (default ``scenario.run.replications``).
    jobs
        Local worker processes (1 = serial, in this process).
    data_dir, cache_dir
        Where network/data files and the network cache are.
    executor
        Any ``concurrent.futures.Executor`` (e.g. Dask ``client.get_executor()``).
    world
        A prepared world to reuse in serial runs.
    progress
        Called as ``progress(done, total)`` after each replication.
    checkpoint
        A folder where each replication is written as it finishes and read back instead
        of re-run (resume), see :mod:`sim.runs.checkpoint`.
    argv
        Recorded in the manifest.
    stream
        Stream the event logs to files (bounded memory for long horizons, same tables):
        ``events`` is then empty and ``event_files`` lists the files, which
        :func:`sim.io.results.write_run_files` joins into ``events.parquet``.

    Returns
    -------
    RunTables

    Examples
    --------
    >>> from sim import load_scenario
    >>> s = load_scenario("scenarios/county_baseline.toml", ["run.horizon_days=3"])
    >>> tables = run_scenario_tables(s, replications=2)
    >>> sorted(tables.incidents["rep"].unique().tolist())
    [0, 1]
    """
    from sim.runs.checkpoint import Checkpoint
    from sim.runs.tasks import Task, run_tasks

    t0 = time.perf_counter()
    n = replications or scenario.run.replications
    tasks = [Task(scenario, r) for r in range(n)]
    done = run_tasks(
        tasks,
        jobs=jobs,
        executor=executor,
        data_dir=data_dir,
        cache_dir=cache_dir,
        worlds=None if world is None else {_key(scenario): world},
        store=None if checkpoint is None else Checkpoint(checkpoint),
        progress=progress,
        stream=stream,
    )
    reps = [done[t.key] for t in tasks]
    return assemble_tables(scenario, reps, wall_s=time.perf_counter() - t0, argv=argv)


def _key(scenario: Scenario) -> str:
    from sim.runs.tasks import world_key

    return world_key(scenario)
