"""``trauma-sim site``: site stations on a scenario's road-minute tables, then check by simulation.

Steps: (1) a baseline run of the scenario gives the demand (calls per road node after
warm-up), the busy fraction MEXCLP needs (the run's ambulance utilisation) and the delay
before a unit drives (median response minus drive minutes), so a point counts as covered
when its priority-1 drive from the station fits its zone's response target minus that delay;
(2) candidates are the existing stations and hospitals plus the busiest demand nodes (the
demand-grid cells and crash roads the calls came from), or a CSV; (3) the model is solved
exactly (:mod:`sim.policies.siting`); (4) ``evaluate`` runs the sited and the current layout
with the same seed (common random numbers: the same calls) and compares response KPIs.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config.facilities import FacilityTable
from sim.config.scenario import Scenario
from sim.core.errors import UserError
from sim.metrics.compute import RESPONSE_TARGET_MIN
from sim.policies.siting import Method, Siting, greedy_mclp, solve_siting
from sim.runs.study import run_scenario_tables
from sim.runs.world import World, build_world, fleet_allocation


@dataclass(frozen=True)
class Candidates:
    """Candidate sites: id, name, WGS-84 position and road node."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    lon: np.ndarray
    lat: np.ndarray
    node: np.ndarray


@dataclass(frozen=True)
class SitingProblem:
    """The instance handed to the solver, with what it was built from."""

    candidates: Candidates
    demand_node: np.ndarray
    weight: np.ndarray  # calls per day at each demand node
    cover_min: np.ndarray  # drive-minute threshold of each demand node
    drive_min: np.ndarray  # (candidates, demand nodes), priority 1, hour-weighted mean
    busy_fraction: float
    pre_drive_min: float
    n_units: int
    n_als: int


def _read_candidates(path: Path) -> list[tuple[str, str, float, float]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise UserError(f"{path}: cannot read the candidates file ({exc.strerror})") from None
    if not rows or not {"id", "lon", "lat"} <= set(rows[0]):
        raise UserError(f"{path}: candidates need columns id, lon, lat (and optional name)")
    out = []
    for i, r in enumerate(rows, start=2):
        try:
            lon, lat = float(r["lon"]), float(r["lat"])
        except (TypeError, ValueError):
            raise UserError(f"{path}:{i} lon/lat: must be numbers (WGS-84 degrees)") from None
        out.append((r["id"], r.get("name") or r["id"], lon, lat))
    return out


def build_problem(
    scenario: Scenario,
    world: World,
    baseline: pd.DataFrame,
    utilisation: float,
    *,
    candidates_file: Path | None = None,
    max_candidates: int = 60,
) -> SitingProblem:
    """The siting instance from a baseline run's incidents (first patient of each call)."""
    warm = scenario.run.warm_up_days * 1440.0
    calls = baseline.sort_values("patient_id").drop_duplicates(["rep", "incident_id"])
    calls = calls[calls["t_call"] >= warm]
    if calls.empty:
        raise UserError(f"{scenario.source}: the baseline run has no calls after warm-up")
    days = (scenario.run.horizon_days - scenario.run.warm_up_days) * calls["rep"].nunique()
    by_node = calls.groupby("node").agg(n=("incident_id", "size"), zone=("zone", "first"))
    resp = calls.dropna(subset=["response_min", "drive_to_scene_min"])
    pre_drive = float(np.median(resp["response_min"] - resp["drive_to_scene_min"]))
    demand_node = by_node.index.to_numpy(np.int64)
    weight = by_node["n"].to_numpy(float) / days
    target = by_node["zone"].map(RESPONSE_TARGET_MIN).fillna(min(RESPONSE_TARGET_MIN.values()))
    cover_min = np.maximum(target.to_numpy(float) - pre_drive, 0.0)

    fac = world.facilities
    if candidates_file is not None:
        rows = _read_candidates(candidates_file)
        try:
            snaps = world.snapper.snap_many(
                [r[2] for r in rows], [r[3] for r in rows], [f"candidate {r[0]}" for r in rows]
            )
        except UserError as exc:
            raise UserError(f"{candidates_file}: {exc.message}") from None
        cands = Candidates(
            tuple(r[0] for r in rows), tuple(r[1] for r in rows),
            np.array([r[2] for r in rows]), np.array([r[3] for r in rows]),
            np.array([s.node for s in snaps], np.int64),
        )  # fmt: skip
    else:
        ids = [s.id for s in fac.stations] + [h.id for h in fac.hospitals]
        names = [s.name for s in fac.stations] + [h.name for h in fac.hospitals]
        nodes = list(world.station_node) + list(world.hospital_node)
        lon = [s.lon for s in fac.stations] + [h.lon for h in fac.hospitals]
        lat = [s.lat for s in fac.stations] + [h.lat for h in fac.hospitals]
        busiest = demand_node[np.argsort(-weight, kind="stable")]
        for nd in busiest:
            if len(ids) >= max_candidates:
                break
            if int(nd) in nodes:
                continue
            ids.append(f"N{int(nd)}")
            names.append(f"demand node {int(nd)}")
            nodes.append(int(nd))
            lon.append(float(world.places.node_lon[nd]))
            lat.append(float(world.places.node_lat[nd]))
        cands = Candidates(tuple(ids), tuple(names), np.array(lon), np.array(lat),
                           np.array(nodes, np.int64))  # fmt: skip
    tables = world.engine.build_tables(cands.node.tolist(), with_routes=False)
    # Hour-weighted mean over the day's congestion periods, at priority-1 (lights) speed.
    per_hour = tables.from_fac[tables.period_of_hour][:, :, demand_node]
    drive = per_hour.mean(axis=0).astype(float) * tables.emergency_factor[1]
    # The fleet the scenario runs (fleet.ambulances spreads a total over the stations), not
    # the stations file's own counts: the sited layout must carry the same units.
    fleet = fleet_allocation(fac, scenario.fleet.ambulances)
    return SitingProblem(
        candidates=cands,
        demand_node=demand_node,
        weight=weight,
        cover_min=cover_min,
        drive_min=drive,
        busy_fraction=float(min(max(utilisation, 0.0), 0.95)),
        pre_drive_min=pre_drive,
        n_units=len(fleet),
        n_als=sum(1 for _, kind, _ in fleet if kind == "ALS"),
    )


def station_rows(problem: SitingProblem, siting: Siting) -> list[dict[str, Any]]:
    """Station rows (``id, name, lon, lat, als, bls, shift``): ALS first to the biggest sites."""
    c = problem.candidates
    order = sorted(range(len(siting.sites)), key=lambda i: (-siting.units[i], i))
    als_left = problem.n_als
    rows: list[dict[str, Any]] = [{}] * len(siting.sites)
    for i in order:
        k, u = siting.sites[i], siting.units[i]
        als = min(u, als_left)
        als_left -= als
        rows[i] = {"id": c.ids[k], "name": c.names[k], "lon": round(float(c.lon[k]), 6),
                   "lat": round(float(c.lat[k]), 6), "als": als, "bls": u - als,
                   "shift": "24h"}  # fmt: skip
    return rows


def with_stations(scenario: Scenario, rows: list[dict[str, Any]]) -> Scenario:
    """A copy of ``scenario`` whose stations are ``rows`` (inline)."""
    fac = scenario.facilities.model_copy(update={"stations": FacilityTable(rows=rows)})
    return scenario.model_copy(update={"facilities": fac})


def coverage_kpis(incidents: pd.DataFrame, warm_up_min: float) -> dict[str, float]:
    """Response KPIs of a run: share within the zone target, median and p90 response."""
    calls = incidents.sort_values("patient_id").drop_duplicates(["rep", "incident_id"])
    calls = calls[calls["t_call"] >= warm_up_min]
    r = calls["response_min"].to_numpy(float)
    target = calls["zone"].map(RESPONSE_TARGET_MIN).to_numpy(float)
    ok = np.isfinite(r) & np.isfinite(target)
    out = {
        "calls": float(len(calls)),
        "within_target_share": float((r[ok] <= target[ok]).mean()) if ok.any() else math.nan,
        "response_median_min": float(np.median(r[ok])) if ok.any() else math.nan,
        "response_p90_min": float(np.quantile(r[ok], 0.9)) if ok.any() else math.nan,
    }
    for zone, t in RESPONSE_TARGET_MIN.items():
        z = r[ok & (calls["zone"].to_numpy() == zone)]
        out[f"within_target_{zone}_share"] = float((z <= t).mean()) if z.size else math.nan
    return out


@dataclass(frozen=True)
class SiteResult:
    """What ``trauma-sim site`` found."""

    problem: SitingProblem
    siting: Siting
    rows: list[dict[str, Any]]
    evaluation: pd.DataFrame | None  # rows: current, sited; columns: KPIs


def site(
    scenario: Scenario,
    n_stations: int,
    method: Method,
    *,
    candidates_file: Path | None = None,
    evaluate: bool = False,
    replications: int | None = None,
    greedy: bool = False,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> SiteResult:
    """Site ``n_stations`` stations for ``scenario`` and optionally evaluate them by simulation.

    Parameters
    ----------
    scenario
        The scenario whose demand, network and fleet are used.
    n_stations
        Stations to open (the fleet's units are spread over them).
    method
        ``"mexclp"``, ``"pmedian"`` or ``"mclp"``.
    candidates_file
        CSV of candidate sites (``id, lon, lat[, name]``); default: current stations,
        hospitals and the busiest demand nodes.
    evaluate
        Also run the sited and current layouts under common random numbers.
    replications
        Replications of each run (default the scenario's).
    greedy
        Use the greedy MCLP heuristic instead of the MILP (documented fallback).
    data_dir, cache_dir
        As for :func:`sim.runs.tables.run_scenario_tables`.

    Returns
    -------
    SiteResult
    """
    world = build_world(scenario, data_dir=data_dir, cache_dir=cache_dir)
    base = run_scenario_tables(scenario, replications=replications, world=world)
    util = float(base.kpis_by_rep["ambulance_utilisation"].mean())
    problem = build_problem(scenario, world, base.incidents, util, candidates_file=candidates_file)
    n_cand = len(problem.candidates.ids)
    if not 1 <= n_stations <= min(n_cand, problem.n_units):
        raise UserError(
            f"--stations: {n_stations} (allowed: 1..{min(n_cand, problem.n_units)}, at most the "
            f"{n_cand} candidates and the fleet's {problem.n_units} units)"
        )
    if greedy:
        siting = greedy_mclp(
            problem.drive_min, problem.weight, problem.cover_min, n_stations,
            n_units=problem.n_units,
        )  # fmt: skip
    else:
        siting = solve_siting(
            method, problem.drive_min, problem.weight, problem.cover_min, n_stations,
            n_units=problem.n_units, busy_fraction=problem.busy_fraction,
        )  # fmt: skip
    rows = station_rows(problem, siting)
    evaluation = None
    if evaluate:
        sited = run_scenario_tables(with_stations(scenario, rows), replications=replications,
                             data_dir=data_dir, cache_dir=cache_dir)  # fmt: skip
        warm = scenario.run.warm_up_days * 1440.0
        evaluation = pd.DataFrame(
            [coverage_kpis(base.incidents, warm), coverage_kpis(sited.incidents, warm)],
            index=pd.Index(["current", "sited"], name="layout"),
        )
    return SiteResult(problem, siting, rows, evaluation)


def write_stations(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write station rows as a facilities CSV (atomic)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise UserError(f"{path}: cannot write here ({exc.strerror})") from None
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "name", "lon", "lat", "als", "bls", "shift"])
        w.writeheader()
        w.writerows(rows)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)
