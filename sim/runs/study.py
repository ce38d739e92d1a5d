"""Studies: run a scenario into tables, and compare scenarios under common random numbers.

This is the layer the CLI and notebooks call. It runs replications (``sim.runs.replications``),
turns the raw records into tables (``sim.metrics.compute``), adds outcomes (``sim.outcomes``) and
hands the tables to ``sim.io.results`` for writing. Comparisons run every scenario with the
same seed and replications, so the incidents are identical and differences are paired.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
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
from sim.core.errors import UserError
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.io.mapdata import write_map_data
from sim.io.results import RunTables, atomic_dir, unique_suffix, write_json, write_run_files
from sim.metrics.compute import (
    RESPONSE_TARGET_MIN,
    STAGES,
    backlog_table,
    incidents_table,
    kpis_for_rep,
    summarise,
    t_interval,
    unit_status_table,
    utilisation_by_hour,
)
from sim.outcomes import (
    calibration_statistics,
    calibration_table,
    expected_outcomes,
    psa,
    sample_outcomes,
    tornado,
    with_reference_times,
)
from sim.outcomes.params import OutcomeSpec
from sim.runs.replications import RunResult, run_experiment
from sim.runs.world import World, build_world, fleet_allocation

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


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def population_of(scenario: Scenario, world: World) -> float:
    """Residents served: ``demand.population``, else the grid's population column, else NaN."""
    if scenario.demand.population is not None:
        return scenario.demand.population
    return world.population if world.population > 0 else math.nan


def _events_frame(rep: int, ev: dict[str, np.ndarray]) -> pd.DataFrame:
    names = {int(k): k.name for k in EventKind}
    df = pd.DataFrame({"rep": np.full(ev["t"].shape[0], rep, np.int32), **ev})
    df["kind"] = pd.Categorical(
        [names[int(k)] for k in ev["kind"]], categories=[k.name for k in EventKind]
    )
    return df


_OUTCOME_OUTPUTS = ("outcome_censored", "died", "died_prehospital", "gose_band")


def with_outcomes(incidents: pd.DataFrame, spec: OutcomeSpec, seed: int) -> pd.DataFrame:
    """Per-patient expected outcomes plus one sampled outcome per patient.

    Expected values are what the burden estimates use (low variance); the sampled columns
    (``died``, ``died_prehospital``, ``gose_band``) give realised counts. They come from the
    ``outcome`` stream in (rep, patient) order, so the same patient draws the same uniform in
    every scenario of a comparison.
    """
    stale = [
        c
        for c in incidents.columns
        if c in _OUTCOME_OUTPUTS
        or c.startswith(("p_death", "p_gr", "p_md", "p_sd", "p_vs"))
        or c in ("yll", "yld", "daly")
    ]
    expected = expected_outcomes(incidents.drop(columns=stale), spec)
    return sample_outcomes(expected, RandomStreams(seed, 0)["outcome"])


def outcome_summary(
    incidents: pd.DataFrame,
    spec: OutcomeSpec,
    *,
    warm_up_min: float,
    horizon_min: float,
    population: float,
) -> pd.DataFrame:
    """Per-replication expected deaths, disabilities and DALYs per year, plus calibration.

    Returns a tidy table ``metric, mean, ci_low, ci_high, n_reps``.
    """
    years = (horizon_min - warm_up_min) / MINUTES_PER_DAY / 365.0
    d = incidents[(incidents["t_injury"] >= warm_up_min) & incidents["p_death"].notna()]
    rows = []
    for rep, g in d.groupby("rep"):
        r: dict[str, float] = {"rep": float(str(rep))}
        r["deaths_per_year"] = g["p_death"].sum() / years
        r["prehospital_deaths_per_year"] = g["p_death_prehospital"].sum() / years
        r["severe_disabilities_per_year"] = (g["p_sd"] + g["p_vs"]).sum() / years
        r["moderate_disabilities_per_year"] = g["p_md"].sum() / years
        r["dalys_per_year"] = g["daly"].sum() / years
        r["sampled_deaths_per_year"] = float(g["died"].sum()) / years
        r["sampled_severe_disabilities_per_year"] = (
            float(g["gose_band"].isin(["SD", "VS"]).sum()) / years
        )
        r["yll_per_year"] = g["yll"].sum() / years
        r["yld_per_year"] = g["yld"].sum() / years
        if population == population:  # not NaN
            r["deaths_per_100k_per_year"] = r["deaths_per_year"] / population * 1e5
            r["dalys_per_100k_per_year"] = r["dalys_per_year"] / population * 1e5
        r.update(calibration_statistics(g, spec))
        rows.append(r)
    return summarise(pd.DataFrame(rows))


def assemble(
    scenario: Scenario,
    world: World,
    results: Sequence[RunResult],
    *,
    outcome_spec: OutcomeSpec | None = None,
    wall_s: float = 0.0,
    argv: Sequence[str] = (),
) -> RunTables:
    """Turn raw replication records into the run's tables (incidents, events, KPIs...)."""
    fac = world.facilities
    units = fleet_allocation(fac, scenario.fleet.ambulances)
    unit_station = [fac.stations[s].id for s, _, _ in units]
    horizon_min = scenario.run.horizon_days * MINUTES_PER_DAY
    warm_min = scenario.run.warm_up_days * MINUTES_PER_DAY
    seats = sum(c.seats for c in fac.centres)
    inc_frames, ev_frames, unit_frames, kpi_rows = [], [], [], []
    backlog_frames, backlog_rows = [], []
    for res in results:
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
        k = kpis_for_rep(
            inc,
            un,
            warm_up_min=warm_min,
            horizon_min=horizon_min,
            n_units=len(units),
            seats=seats,
            events=res.events,
        )
        kpi_rows.append({"rep": res.replication, **k})
        days, totals = backlog_table(inc, warm_up_min=warm_min, horizon_min=horizon_min)
        backlog_frames.append(days.assign(rep=res.replication))
        backlog_rows.append(totals)
        inc_frames.append(inc)
        ev_frames.append(_events_frame(res.replication, res.events))
        unit_frames.append(un)
    incidents = pd.concat(inc_frames, ignore_index=True)
    spec = outcome_spec or scenario.outcomes
    incidents = with_outcomes(incidents, spec, scenario.run.seed)
    population = population_of(scenario, world)
    outcomes = outcome_summary(
        incidents, spec, warm_up_min=warm_min, horizon_min=horizon_min, population=population
    )
    kpis_by_rep = pd.DataFrame(kpi_rows)
    net = world.network
    manifest: dict[str, Any] = {
        "kind": "run",
        "scenario": scenario.name,
        "title": scenario.title,
        "scenario_file": scenario.source,
        "scenario_hash": scenario.content_hash(),
        "seed": scenario.run.seed,
        "replications": len(results),
        "horizon_days": scenario.run.horizon_days,
        "warm_up_days": scenario.run.warm_up_days,
        "network": net.name,
        "network_source": net.source,
        "network_hash": net.source_hash,
        "synthetic": net.synthetic,
        "attribution": net.attribution,
        "population": population,
        "grid_cells_dropped": world.grid_cells_dropped,
        "units": len(units),
        "streams": sorted({s for r in results for s in r.streams}),
        "versions": _versions(),
        "argv": list(argv),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 3),
        "incidents": int(incidents["incident_id"].groupby(incidents["rep"]).nunique().sum()),
        "backlog": _backlog_summary(backlog_rows),
    }
    if world.trace is not None:
        log = world.trace.log
        manifest["calls_file"] = log.path
        manifest["calls_sha256"] = log.sha256
        manifest["calls_origin"] = log.origin.isoformat()
        manifest["calls_replayed"] = int((log.t_call_min < horizon_min).sum())
        manifest["calls_beyond_horizon"] = int((log.t_call_min >= horizon_min).sum())
    return RunTables(
        incidents=incidents,
        events=pd.concat(ev_frames, ignore_index=True),
        units=pd.concat(unit_frames, ignore_index=True),
        kpis_by_rep=kpis_by_rep,
        kpis=summarise(kpis_by_rep),
        outcomes=outcomes,
        manifest=manifest,
        scenario_toml=scenario.to_toml(),
        backlog=pd.concat(backlog_frames, ignore_index=True)[["rep", "day", "backlog_patients"]]
        if backlog_frames
        else pd.DataFrame(),
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


def run_scenario(
    scenario: Scenario,
    *,
    replications: int | None = None,
    jobs: int = 1,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    executor: Executor | None = None,
    world: World | None = None,
    progress: Callable[[int, int], None] | None = None,
    argv: Sequence[str] = (),
) -> RunTables:
    """Run a scenario's replications and return its tables (nothing written).

    Examples
    --------
    >>> from sim import load_scenario
    >>> from sim.runs.study import run_scenario
    >>> s = load_scenario("scenarios/county_baseline.toml", ["run.horizon_days=3"])
    >>> tables = run_scenario(s, replications=2)
    >>> sorted(tables.incidents["rep"].unique().tolist())
    [0, 1]
    """
    t0 = time.perf_counter()
    world = world or build_world(scenario, data_dir=data_dir, cache_dir=cache_dir)
    results = run_experiment(
        scenario,
        replications=replications,
        jobs=jobs,
        world=world,
        data_dir=data_dir,
        cache_dir=cache_dir,
        executor=executor,
        progress=progress,
    )
    return assemble(scenario, world, results, wall_s=time.perf_counter() - t0, argv=argv)


def calibration_report(
    scenario: Scenario,
    *,
    replications: int | None = None,
    jobs: int = 1,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> pd.DataFrame:
    """Run a scenario and compare its outcomes with the fit and held-out targets.

    Patients injured during the warm-up are dropped; expected values (no sampling noise) are
    pooled over replications (:func:`sim.outcomes.calibration_table`).

    Parameters
    ----------
    scenario
        Usually a shipped baseline (the targets are its region's published figures).
    replications, jobs, data_dir, cache_dir
        As for :func:`run_scenario`.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``target, kind, published, low, high, simulated, ok,
        parameters_tuned, source``.
    """
    tables = run_scenario(
        scenario, replications=replications, jobs=jobs, data_dir=data_dir, cache_dir=cache_dir
    )
    inc = tables.incidents
    inc = inc[inc["t_injury"] >= scenario.run.warm_up_days * MINUTES_PER_DAY]
    return calibration_table(expected_outcomes(inc, scenario.outcomes), scenario.outcomes)


def run_id(scenario: Scenario) -> str:
    """``YYYYmmdd-HHMMSS-<hash8>-<random6>`` for a results folder.

    The random part keeps two runs of one scenario started in the same second apart.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"{stamp}-{scenario.content_hash()[:8]}-{unique_suffix()}"


def save_run(tables: RunTables, out_root: Path, scenario: Scenario) -> Path:
    """Write ``out_root/<scenario>/<run-id>/`` atomically and return it.

    A name collision never discards the results: they get another unique name.
    """
    staging = atomic_dir(out_root / scenario.name / run_id(scenario), unique=True)
    with staging as tmp:
        write_run_files(tmp, tables)
    return staging.final


# ------------------------------------------------------------------------ comparisons

KPI_FOR_COMPARISON = [f"severe_{s}_min_mean" for s in STAGES] + [
    "injury_to_call_min_mean",
    "call_to_answer_min_mean",
    "answer_to_dispatch_min_mean",
    "turnout_min_mean",
    "drive_to_scene_min_mean",
    "scene_min_mean",
    "transport_min_mean",
    "handover_min_mean",
    "arrival_to_definitive_min_mean",
    "injury_to_definitive_care_min_mean",
    "injury_to_definitive_care_min_median",
    "call_to_dispatch_min_mean",
    "response_min_mean",
    "response_min_median",
    "response_min_p90",
    "response_within_target_urban_share",
    "response_within_target_rural_share",
    "answer_within_10s_share",
    "departure_within_3min_share",
    "ambulance_utilisation",
    "call_taker_utilisation",
    "severe_transferred_share",
    "severe_capable_care_share",
    "consult_wait_min_mean",
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


def _paired(base: pd.DataFrame, other: pd.DataFrame, metric: str) -> tuple[float, float, float]:
    b = base.set_index("rep")[metric]
    o = other.set_index("rep")[metric]
    return t_interval((o - b).dropna().to_numpy())


def compare_scenarios(
    scenarios: Sequence[Scenario],
    *,
    replications: int | None = None,
    jobs: int = 1,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    psa_draws: int = 200,
    progress: Callable[[str, int, int], None] | None = None,
    argv: Sequence[str] = (),
) -> Comparison:
    """Run scenarios under common random numbers and compare each with the first (base).

    Every scenario runs with the base's seed and replication count, so each replication's
    incidents are identical across scenarios (checked). Differences are paired by
    replication; outcome differences are paired by patient.

    Returns
    -------
    Comparison
        ``comparison`` is tidy: ``scenario, metric, mean, ci_low, ci_high, diff_vs_base,
        diff_ci_low, diff_ci_high, psa_low, psa_high``.
    """
    if len(scenarios) < 2:
        raise UserError("compare needs a base scenario and at least one other")
    base = scenarios[0]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise UserError(f"compare: scenario names must differ (got {names})")
    n = replications or base.run.replications
    # Every scenario runs on the base's clock and seed: same incidents, same warm-up trimming.
    # (Outcomes of every scenario are also evaluated with the base's [outcomes].)
    clock = [
        f"run.seed={base.run.seed}",
        f"run.horizon_days={base.run.horizon_days}",
        f"run.warm_up_days={base.run.warm_up_days}",
        f"run.start_weekday={base.run.start_weekday}",
    ]
    aligned = [s if s is base else s.with_overrides(clock) for s in scenarios]
    runs: dict[str, RunTables] = {}
    worlds: dict[str, World] = {}
    # Every world first: a bad file of the last scenario fails before any replication runs.
    for s in aligned:
        worlds[s.name] = build_world(s, data_dir=data_dir, cache_dir=cache_dir)
    for s in aligned:
        cb = (lambda done, total, _n=s.name: progress(_n, done, total)) if progress else None
        runs[s.name] = run_scenario(
            s,
            replications=n,
            jobs=jobs,
            world=worlds[s.name],
            data_dir=data_dir,
            cache_dir=cache_dir,
            progress=cb,
            argv=argv,
        )
    b_inc = runs[base.name].incidents
    for s in aligned[1:]:
        o_inc = runs[s.name].incidents
        same = len(o_inc) == len(b_inc) and np.array_equal(
            o_inc["t_injury"].to_numpy(), b_inc["t_injury"].to_numpy()
        )
        if not same:
            raise UserError(
                f"compare: {s.name} does not see the base's incidents (demand, network or "
                "run settings differ); only scenarios that share demand can be compared"
            )
    warm = base.run.warm_up_days * MINUTES_PER_DAY
    horizon = base.run.horizon_days * MINUTES_PER_DAY
    years = (horizon - warm) / MINUTES_PER_DAY / 365.0
    population = population_of(base, worlds[base.name])
    # Outcomes in every scenario are measured against the base's reference times (taken
    # after the warm-up), and each run's outcomes.csv is rebuilt to match its tables.
    spec = with_reference_times(base.outcomes, b_inc[b_inc["t_injury"] >= warm])
    for s in aligned:
        r = runs[s.name]
        r.incidents = with_outcomes(r.incidents, spec, base.run.seed)
        r.outcomes = outcome_summary(
            r.incidents, spec, warm_up_min=warm, horizon_min=horizon, population=population
        )
    rows: list[dict[str, Any]] = []
    tornado_frames = []
    b_kpi = runs[base.name].kpis_by_rep
    for s in aligned:
        kp = runs[s.name].kpis_by_rep
        for metric in KPI_FOR_COMPARISON:
            m, lo, hi = t_interval(kp[metric].to_numpy())
            dm, dlo, dhi = _paired(b_kpi, kp, metric) if s is not base else (0.0, 0.0, 0.0)
            rows.append(
                {
                    "scenario": s.name,
                    "metric": metric,
                    "mean": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "diff_vs_base": dm,
                    "diff_ci_low": dlo,
                    "diff_ci_high": dhi,
                    "psa_low": math.nan,
                    "psa_high": math.nan,
                }
            )
        if s is base:
            continue
        bi = b_inc[b_inc["t_injury"] >= warm]
        oi = runs[s.name].incidents
        oi = oi[oi["t_injury"] >= warm]
        rng = RandomStreams(base.run.seed, 0)["psa"]
        # Without a known population the per-100,000 rates are reported as NaN.
        pop = population if population == population else 1e5
        burden = psa(
            bi, oi, spec, draws=psa_draws, rng=rng, horizon_years=years, population=pop
        ).reset_index()
        if population != population:
            per_capita = burden["metric"].str.contains("_per_100k_")
            burden.loc[per_capita, burden.columns.drop("metric")] = math.nan
        for _, b in burden.iterrows():
            rows.append(
                {
                    "scenario": s.name,
                    "metric": b["metric"],
                    "mean": b["mean"],
                    "ci_low": b["ci_low"],
                    "ci_high": b["ci_high"],
                    "diff_vs_base": b["mean"],
                    "diff_ci_low": b["ci_low"],
                    "diff_ci_high": b["ci_high"],
                    "psa_low": b["psa_low"],
                    "psa_high": b["psa_high"],
                }
            )
        tor = tornado(bi, oi, spec, horizon_years=years, population=pop)
        tor.insert(0, "scenario", s.name)
        tornado_frames.append(tor)
    comparison = pd.DataFrame(rows)
    stages = stage_table(runs, base.name, warm)
    manifest: dict[str, Any] = {
        "kind": "comparison",
        "base": base.name,
        "scenarios": names,
        "reps": n,
        "seed": base.run.seed,
        "horizon_days": base.run.horizon_days,
        "warm_up_days": base.run.warm_up_days,
        "network": worlds[base.name].network.name,
        "synthetic": worlds[base.name].network.synthetic,
        "attribution": worlds[base.name].network.attribution,
        "population": population,
        "psa_draws": psa_draws,
        "scenario_hashes": {s.name: s.content_hash() for s in aligned},
        "versions": _versions(),
        "argv": list(argv),
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    extras = side_tables(runs, aligned, worlds, warm, horizon)
    return Comparison(
        runs,
        comparison,
        stages,
        pd.concat(tornado_frames, ignore_index=True) if tornado_frames else pd.DataFrame(),
        manifest,
        *extras,
        base_world=worlds[base.name],
    )


def side_tables(
    runs: dict[str, RunTables],
    scenarios: Sequence[Scenario],
    worlds: dict[str, World],
    warm_up_min: float,
    horizon_min: float,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Compliance with the response targets, utilisation by hour and consultation waits."""
    comp_rows, util_frames, waits = [], [], []
    for s in scenarios:
        run = runs[s.name]
        kp = run.kpis_by_rep
        for zone, target in RESPONSE_TARGET_MIN.items():
            m, lo, hi = t_interval(kp[f"response_within_target_{zone}_share"].to_numpy())
            if m == m:
                comp_rows.append(
                    {
                        "scenario": s.name,
                        "zone": zone,
                        "target_min": target,
                        "share_within": m,
                        "ci_low": lo,
                        "ci_high": hi,
                    }
                )
        fac = worlds[s.name].facilities
        n_units = len(fleet_allocation(fac, s.fleet.ambulances))
        seats = sum(c.seats for c in fac.centres)
        per_rep = [
            utilisation_by_hour(
                run.units[run.units["rep"] == r],
                run.incidents[run.incidents["rep"] == r],
                n_units=n_units,
                seats=seats,
                t_start=warm_up_min,
                t_end=horizon_min,
            )
            for r in sorted(run.incidents["rep"].unique())
        ]
        grouped = pd.concat(per_rep).groupby(["resource", "hour"], as_index=False)
        util = grouped.agg(utilisation=("utilisation", "mean"))
        util.insert(0, "scenario", s.name)
        util_frames.append(util)
        w = run.incidents.loc[run.incidents["t_injury"] >= warm_up_min, "consult_wait_min"]
        waits.append(pd.DataFrame({"scenario": s.name, "consult_wait_min": w.dropna()}))
    return (
        pd.DataFrame(comp_rows),
        pd.concat(util_frames, ignore_index=True),
        pd.concat(waits, ignore_index=True),
    )


def response_offsets(runs: dict[str, RunTables], warm_up_min: float) -> dict[str, float]:
    """Mean call-processing + turnout minutes per scenario: response time minus the drive.

    Maps add it to each node's drive from the nearest station to show expected response.
    """
    out = {}
    for name, run in runs.items():
        inc = run.incidents[run.incidents["t_injury"] >= warm_up_min]
        steps = inc[["answer_to_dispatch_min", "turnout_min"]].sum(axis=1, min_count=2)
        if steps.notna().any():
            out[name] = float(steps.mean())
    return out


def stage_table(runs: dict[str, RunTables], base: str, warm_up_min: float) -> pd.DataFrame:
    """Where the minutes go: stage means over the same patients in every scenario.

    Uses severe trauma patients who reached definitive care in *every* scenario (matched by
    replication and patient id), so the stage differences add up exactly to the difference
    in injury -> definitive care (the ``total`` row).
    """
    keys = None
    for r in runs.values():
        d = r.incidents
        ok = d[(d["t_injury"] >= warm_up_min) & d["severe"] & d["t_definitive_care"].notna()]
        k = set(zip(ok["rep"], ok["patient_id"], strict=True))
        keys = k if keys is None else keys & k
    keys = keys or set()
    per_rep: dict[str, pd.DataFrame] = {}
    for name, r in runs.items():
        d = r.incidents
        sel = [(a, b) in keys for a, b in zip(d["rep"], d["patient_id"], strict=True)]
        cols = [f"{s}_min" for s in STAGES] + ["injury_to_definitive_min"]
        per_rep[name] = d.loc[sel].groupby("rep")[cols].mean()
    rows = []
    for name, pr in per_rep.items():
        for stage in [*STAGES, "total"]:
            col = "injury_to_definitive_min" if stage == "total" else f"{stage}_min"
            m, lo, hi = t_interval(pr[col].to_numpy())
            if name == base:
                dm = dlo = dhi = 0.0
            else:
                dm, dlo, dhi = t_interval((pr[col] - per_rep[base][col]).dropna().to_numpy())
            rows.append(
                {
                    "scenario": name,
                    "stage": stage,
                    "mean_min": m,
                    "ci_low": lo,
                    "ci_high": hi,
                    "diff_vs_base": dm,
                    "diff_ci_low": dlo,
                    "diff_ci_high": dhi,
                    "patients": len(keys),
                }
            )
    return pd.DataFrame(rows)


def save_comparison(comp: Comparison, out_root: Path) -> Path:
    """Write ``out_root/compare/<base>-vs-<others>/<run-id>/`` atomically and return it."""
    names = comp.manifest["scenarios"]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    digest = hashlib.sha256(
        json.dumps(comp.manifest["scenario_hashes"], sort_keys=True).encode()
    ).hexdigest()[:8]
    run_name = f"{stamp}-{digest}-r{comp.manifest['reps']}-{unique_suffix()}"
    folder = out_root / "compare" / f"{names[0]}-vs-{'-'.join(names[1:])}"[:120] / run_name
    staging = atomic_dir(folder, unique=True)
    with staging as tmp:
        comp.comparison.to_csv(tmp / "comparison.csv", index=False)
        comp.stages.to_csv(tmp / "stages.csv", index=False)
        comp.tornado.to_csv(tmp / "tornado.csv", index=False)
        comp.compliance.to_csv(tmp / "compliance.csv", index=False)
        comp.utilisation.to_csv(tmp / "utilisation.csv", index=False)
        comp.consult_waits.to_csv(tmp / "consult_waits.csv", index=False)
        write_json(tmp / "manifest.json", comp.manifest)
        for name, run in comp.runs.items():
            write_run_files(tmp / name, run)
        if comp.base_world is not None:
            warm = comp.manifest["warm_up_days"] * MINUTES_PER_DAY
            write_map_data(tmp, comp.base_world, response_offsets(comp.runs, warm))
    return staging.final
