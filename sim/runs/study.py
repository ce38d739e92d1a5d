"""Studies: run a scenario into tables, compare scenarios, and write both to disk.

This is the layer the CLI and notebooks call. The work is split by concern:
:mod:`sim.runs.tables` turns replications into tables, :mod:`sim.runs.compare` builds
comparisons under common random numbers, :mod:`sim.runs.tasks` runs any batch of
replications (serial, process pool or Dask, resumable via :mod:`sim.runs.checkpoint`).
This module keeps the names callers already use and does the writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd

from sim.config.scenario import Scenario
from sim.core.units import MINUTES_PER_DAY
from sim.io.mapdata import write_map_data
from sim.io.results import RunTables, atomic_dir, unique_suffix, write_json, write_run_files
from sim.outcomes import DEFAULT_TARGETS, calibration_table, expected_outcomes
from sim.outcomes.calibration import SYSTEM_TARGETS
from sim.runs.attach import outcome_summary, with_outcomes
from sim.runs.compare import (
    KPI_FOR_COMPARISON,
    Comparison,
    check_same_incidents,
    compare_scenarios,
    response_offsets,
    side_tables,
    stage_table,
)
from sim.runs.tables import assemble, package_versions, population_of, run_scenario_tables

# The name before the split (it did not say it returns tables); kept for older callers.
run_scenario = run_scenario_tables

__all__ = [
    "KPI_FOR_COMPARISON",
    "Comparison",
    "assemble",
    "calibration_report",
    "compare_scenarios",
    "outcome_summary",
    "package_versions",
    "population_of",
    "response_offsets",
    "run_id",
    "run_scenario",
    "run_scenario_tables",
    "save_comparison",
    "save_run",
    "side_tables",
    "stage_table",
    "with_outcomes",
]


#: Overrides of the counterfactual behind ``acn_rtc_death_reduction``: automatic crash
#: notification of every crash 1 minute after injury (Clark & Cushing 2002 set notification to
#: 1 min; eCall ~0-1 min), every other part of the front end off.
ACN_COUNTERFACTUAL: tuple[str, ...] = (
    "mechanisms.internet_plus_120.enabled=true",
    "mechanisms.internet_plus_120.acn_equipped_share=1.0",
    'mechanisms.internet_plus_120.acn_call_delay_min={dist = "fixed", value = 1.0}',
    "mechanisms.internet_plus_120.aml_coverage=0.0",
    "mechanisms.internet_plus_120.video_first_aid_share=0.0",
    "mechanisms.internet_plus_120.live_unit_positions=false",
    "mechanisms.internet_plus_120.one_network=false",
)


def _rtc_deaths(incidents: pd.DataFrame, scenario: Scenario) -> float:
    out = expected_outcomes(incidents, scenario.outcomes)
    rtc = (out["mechanism"] == "rtc").to_numpy() & out["p_death"].notna().to_numpy()
    return float(out.loc[rtc, "p_death"].sum())


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
    pooled over replications (:func:`sim.outcomes.calibration_table`). The system targets
    (:data:`sim.outcomes.calibration.SYSTEM_TARGETS`) add road deaths per 100,000 residents a
    year and the share of road deaths removed in a counterfactual run of the same incidents
    with every crash auto-notified (:data:`ACN_COUNTERFACTUAL`).

    Parameters
    ----------
    scenario
        Usually a shipped baseline (the targets are its region's published figures).
    replications, jobs, data_dir, cache_dir
        As for :func:`run_scenario_tables`.

    Returns
    -------
    pandas.DataFrame
        One row per target: ``target, kind, published, low, high, simulated, ok,
        parameters_tuned, source``.
    """
    runs = {}
    for name, sc in (
        ("base", scenario),
        ("acn", scenario.with_overrides(list(ACN_COUNTERFACTUAL))),
    ):
        tables = run_scenario_tables(
            sc, replications=replications, jobs=jobs, data_dir=data_dir, cache_dir=cache_dir
        )
        warm_min = scenario.run.warm_up_days * MINUTES_PER_DAY
        runs[name] = (tables, tables.incidents[tables.incidents["t_injury"] >= warm_min])
    base_tables, inc = runs["base"]
    check_same_incidents("the auto-notification counterfactual", inc, runs["acn"][1])
    years = (scenario.run.horizon_days - scenario.run.warm_up_days) / 365.0
    population = float(base_tables.manifest["population"])
    reps = int(base_tables.manifest["replications"])
    deaths = _rtc_deaths(inc, scenario)
    extra = {
        "rtc_deaths_per_100k_per_year": deaths / reps / years / population * 1e5,
        "acn_rtc_death_reduction": (deaths - _rtc_deaths(runs["acn"][1], scenario)) / deaths
        if deaths > 0
        else float("nan"),
    }
    return calibration_table(
        expected_outcomes(inc, scenario.outcomes),
        scenario.outcomes,
        (*DEFAULT_TARGETS, *SYSTEM_TARGETS),
        extra_statistics=extra,
    )


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
        if not comp.psa.empty:  # the CEAC is drawn from these (trauma-sim sweep-report)
            comp.psa.to_csv(tmp / "psa.csv", index=False)
        if not comp.joint_psa.empty:  # the joint sample, for EVPPI and cost acceptability
            comp.joint_psa.to_csv(tmp / "joint_psa.csv", index=False)
        if not comp.evppi.empty:
            comp.evppi.to_csv(tmp / "evppi.csv", index=False)
        write_json(tmp / "manifest.json", comp.manifest)
        for name, run in comp.runs.items():
            write_run_files(tmp / name, run)
        if comp.base_world is not None:
            warm = comp.manifest["warm_up_days"] * MINUTES_PER_DAY
            write_map_data(tmp, comp.base_world, response_offsets(comp.runs, warm))
    return staging.final
