"""Comparisons: scenarios under common random numbers, paired differences against the base.

Every scenario runs with the base's seed, horizon and replications, so each replication's
incidents are identical across scenarios (checked) and differences are paired by
replication; outcome differences are paired by patient, with a PSA interval from re-evaluating
the outcome model on the same timelines. Sweeps (:mod:`sim.runs.sweep`) build their rows with
the same functions, so a sweep point equals a comparison of that point with the base.

This module runs the comparison (:func:`compare_scenarios`); its parts live beside it:
:mod:`sim.runs.pairing` (clock, incidents, window, reference), :mod:`sim.runs.burden` (burden
averted, PSA, EVPPI), :mod:`sim.runs.compare_rows` (the rows of comparison.csv) and
:mod:`sim.runs.side_tables` (compliance, utilisation, waits, stages, coverage).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.scenario import Scenario
from sim.io.results import RunTables
from sim.outcomes import tornado
from sim.runs.burden import COST_COLUMN, Burden, burden_of, evppi_of
from sim.runs.checkpoint import Checkpoint
from sim.runs.compare_rows import (
    JOINT_COLUMNS,
    KPI_FOR_COMPARISON,
    burden_rows,
    cost_rows,
    kpi_rows,
)
from sim.runs.costing import cost_effect, quantities_by_rep
from sim.runs.joint import joint_scenario
from sim.runs.pairing import (
    Window,
    align,
    check_same_incidents,
    reattach,
    reference_spec,
    window_of,
)
from sim.runs.side_tables import (
    IDLE_COVERAGE_METRIC,
    idle_coverage_by_rep,
    response_offsets,
    side_tables,
    stage_table,
)
from sim.runs.tables import AREA_BASIS, assemble_tables, package_versions
from sim.runs.tasks import Task, run_tasks
from sim.runs.world import World, build_world, check_capabilities, world_key

# The helpers lived here before the split; their names stay importable from this module.
__all__ = [
    "COST_COLUMN",
    "IDLE_COVERAGE_METRIC",
    "JOINT_COLUMNS",
    "KPI_FOR_COMPARISON",
    "Burden",
    "Comparison",
    "Window",
    "align",
    "burden_of",
    "burden_rows",
    "check_same_incidents",
    "compare_scenarios",
    "cost_rows",
    "evppi_of",
    "idle_coverage_by_rep",
    "kpi_rows",
    "reattach",
    "reference_spec",
    "response_offsets",
    "side_tables",
    "stage_table",
    "window_of",
]


@dataclass
class Comparison:
    """A comparison's runs and its tables."""

    runs: dict[str, RunTables]
    comparison: pd.DataFrame
    stages: pd.DataFrame
    tornado: pd.DataFrame
    manifest: dict[str, Any]
    compliance: pd.DataFrame
    utilisation: pd.DataFrame
    consult_waits: pd.DataFrame
    base_world: World | None = field(default=None, repr=False)
    psa: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    joint_psa: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    evppi: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def compare_scenarios(
    scenarios: Sequence[Scenario],
    *,
    replications: int | None = None,
    jobs: int = 1,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    psa_draws: int = 200,
    executor: Executor | None = None,
    checkpoint: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    argv: Sequence[str] = (),
    with_map: bool = True,
    joint_psa: bool = False,
) -> Comparison:
    """Run scenarios under common random numbers and compare each with the first (base).

    Every scenario runs with the base's seed and replication count, so each replication's
    incidents are identical across scenarios (checked). Differences are paired by
    replication; outcome differences are paired by patient. Replications of every scenario
    run as one batch (one world per network-and-facilities key, in this process or on each
    worker).

    Parameters
    ----------
    scenarios
        Base first.
    replications
        Replications (default the base's).
    jobs, executor
        Local worker processes, or any ``concurrent.futures.Executor`` (Dask's
        ``client.get_executor()``); results are identical either way.
    data_dir, cache_dir
        Where network/data files and the network cache are.
    psa_draws
        Parameter draws of the probabilistic sensitivity analysis.
    checkpoint
        Folder where each replication is written as it finishes (and read back on resume).
    progress
        Called as ``progress(scenario_name, done, total)``.
    argv
        Recorded in the manifests.
    with_map
        Keep the base's world for the map data (``base_world``); sweeps, which write no
        maps, pass False so a world is not built again per point.
    joint_psa
        Draw every ranged [U] mechanism and operational field per replication (the same
        draw in every scenario: common random numbers) and add the interval over joint draws
        of all assumptions, ``psa_all_low``/``psa_all_high`` (see :func:`burden_of`).

    Returns
    -------
    Comparison
        ``comparison`` is tidy: ``scenario, metric, mean, ci_low, ci_high, diff_vs_base,
        diff_ci_low, diff_ci_high, psa_low, psa_high``.
    """
    t0 = time.perf_counter()
    aligned = align(scenarios)
    base = aligned[0]
    names = [s.name for s in aligned]
    n = replications or base.run.replications
    tasks = {
        s.name: [Task(joint_scenario(s, r) if joint_psa else s, r) for r in range(n)]
        for s in aligned
    }
    owner = {t.key: s.name for s in aligned for t in tasks[s.name]}
    done_by: dict[str, int] = dict.fromkeys(names, 0)
    store = None if checkpoint is None else Checkpoint(checkpoint)
    if store is not None:
        finished = set(store.keys())
        for key, name in owner.items():
            done_by[name] += key in finished
    if progress:  # resumed work only: a bar appears once there is something to show
        for name in names:
            if done_by[name]:
                progress(name, done_by[name], n)

    def on_done(t: Task, _rep: Any) -> None:
        done_by[owner[t.key]] += 1
        if progress:
            progress(owner[t.key], done_by[owner[t.key]], n)

    worlds: dict[str, World] = {}
    if with_map or (executor is None and jobs <= 1):
        # Every world first: a bad file of the last scenario fails before any replication
        # runs (the serial path and the map need these worlds anyway).
        for s in aligned:
            key = world_key(s)
            if key not in worlds:
                worlds[key] = build_world(s, data_dir=data_dir, cache_dir=cache_dir)
            check_capabilities(s, worlds[key].facilities)
    done = run_tasks(
        [t for s in aligned for t in tasks[s.name]],
        jobs=jobs,
        executor=executor,
        data_dir=data_dir,
        cache_dir=cache_dir,
        worlds=worlds,
        store=store,
        on_done=on_done,
    )
    wall = time.perf_counter() - t0
    runs = {
        s.name: assemble_tables(s, [done[t.key] for t in tasks[s.name]], wall_s=wall, argv=argv)
        for s in aligned
    }
    infos = {s.name: done[tasks[s.name][0].key].info for s in aligned}
    b_inc = runs[base.name].incidents
    for s in aligned[1:]:
        check_same_incidents(s.name, b_inc, runs[s.name].incidents)
    win = window_of(base, infos[base.name])
    # Outcomes in every scenario are measured against the base's reference times (taken
    # after the warm-up), and each run's outcomes.csv is rebuilt to match its tables.
    spec = reference_spec(base, b_inc, win)
    for s in aligned:
        reattach(runs[s.name], spec, base.run.seed, win)
    rows: list[dict[str, Any]] = []
    tornado_frames, psa_frames, joint_frames = [], [], []
    joint_candidates: dict[str, int] = {}
    joint_recentred: dict[str, dict[str, list[float]]] = {}
    evppi_frames: list[pd.DataFrame] = []
    b_kpi = runs[base.name].kpis_by_rep
    pop = win.population if win.population == win.population else 1e5
    quantities = {
        s.name: quantities_by_rep(
            s, infos[s.name], runs[s.name].incidents, warm_up_min=win.warm_up_min, years=win.years
        )
        for s in aligned
    }
    for s in aligned:
        rows += kpi_rows(s.name, runs[s.name].kpis_by_rep, None if s is base else b_kpi)
        if s is base:
            continue
        burden = burden_of(base, b_inc, runs[s.name].incidents, spec, win, psa_draws, joint_psa)
        rows += burden_rows(s.name, burden)
        ce = cost_effect(
            base,
            s,
            base_quantities=quantities[base.name],
            other_quantities=quantities[s.name],
            base_incidents=b_inc,
            other_incidents=runs[s.name].incidents,
            spec=spec,
            warm_up_min=win.warm_up_min,
            years=win.years,
            population=pop,
            burden_draws=burden.draws,
            joint_draws=burden.joint,
        )
        rows += cost_rows(s.name, ce.table)
        if not burden.draws.empty:
            draws = pd.concat([burden.draws, ce.draws], axis=1)
            psa_frames.append(draws.assign(scenario=s.name, draw=range(len(draws))))
        if not burden.joint.empty:
            # Each joint draw's incremental cost (its replication's quantities, a price
            # draw): the EVPPI's net benefit then carries the cost as well as the DALYs.
            burden.joint[COST_COLUMN] = ce.joint["incremental_cost_yuan_per_year"].to_numpy()
            joint_frames.append(burden.joint.assign(scenario=s.name, draw=range(len(burden.joint))))
            joint_candidates[s.name] = int(burden.joint.attrs.get("candidates", 0))
            joint_recentred[s.name] = {
                m: [float(lo), float(hi)]
                for m, (lo, hi) in burden.joint.attrs.get("recentred", {}).items()
            }
            evppi_frames.append(evppi_of(burden.joint, spec).assign(scenario=s.name))
        bi = b_inc[b_inc["t_injury"] >= win.warm_up_min]
        oi = runs[s.name].incidents
        oi = oi[oi["t_injury"] >= win.warm_up_min]
        tor = tornado(bi, oi, spec, horizon_years=win.years, population=pop)
        tor.insert(0, "scenario", s.name)
        tornado_frames.append(tor)
    if any(s.fleet.move_up != "none" for s in aligned):
        # Move-up is judged by coverage: each scenario on its own stations (world).
        cov = {}
        for s in aligned:
            key = world_key(s)
            if key not in worlds:
                worlds[key] = build_world(s, data_dir=data_dir, cache_dir=cache_dir)
            cov[s.name] = idle_coverage_by_rep(s, worlds[key], runs[s.name], win)
        for s in aligned:
            b_cov = None if s is base else cov[base.name]
            rows += kpi_rows(s.name, cov[s.name], b_cov, metrics=[IDLE_COVERAGE_METRIC])
    comparison = pd.DataFrame(rows)
    stages = stage_table(runs, base.name, win.warm_up_min)
    manifest: dict[str, Any] = {
        "kind": "comparison",
        "base": base.name,
        "scenarios": names,
        "reps": n,
        "seed": base.run.seed,
        "horizon_days": base.run.horizon_days,
        "warm_up_days": base.run.warm_up_days,
        "network": infos[base.name].network,
        "synthetic": infos[base.name].synthetic,
        "attribution": infos[base.name].attribution,
        "population": win.population,
        "area_km2": round(infos[base.name].area_km2, 1),
        "area_basis": AREA_BASIS,
        "psa_draws": psa_draws,
        "costs": {
            "price_year": base.costs.price_year,
            "gdp_per_capita_yuan": base.costs.gdp_per_capita_yuan,
            "gdp_year": base.costs.gdp_year,
        },
        "joint_psa": joint_psa,
        **({"joint_psa_candidates": joint_candidates} if joint_psa else {}),
        **({"joint_psa_recentred_targets": joint_recentred} if joint_psa else {}),
        "scenario_hashes": {s.name: s.content_hash() for s in aligned},
        "versions": package_versions(),
        "argv": list(argv),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    extras = side_tables(runs, aligned, infos, win.warm_up_min, win.horizon_min)
    # The map data needs the base's world: reuse the serial run's, else build it here.
    base_world = worlds.get(world_key(base))
    if base_world is None and with_map:
        base_world = build_world(base, data_dir=data_dir, cache_dir=cache_dir)
    return Comparison(
        runs,
        comparison,
        stages,
        pd.concat(tornado_frames, ignore_index=True) if tornado_frames else pd.DataFrame(),
        manifest,
        *extras,
        base_world=base_world,
        psa=pd.concat(psa_frames, ignore_index=True) if psa_frames else pd.DataFrame(),
        joint_psa=pd.concat(joint_frames, ignore_index=True) if joint_frames else pd.DataFrame(),
        evppi=pd.concat(evppi_frames, ignore_index=True) if evppi_frames else pd.DataFrame(),
    )
