"""The comparison's descriptive tables beside comparison.csv.

Compliance with the response targets, utilisation by hour, consultation waits
(:func:`side_tables`), where the minutes go (:func:`stage_table`), idle coverage under move-up
(:func:`idle_coverage_by_rep`) and the response offset the maps add to drive times
(:func:`response_offsets`). They describe runs; nothing here pairs outcomes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.config.scenario import Scenario
from sim.core.entities import EventKind
from sim.core.units import period_of
from sim.io.results import RunTables
from sim.metrics.compute import RESPONSE_TARGET_MIN, STAGES, t_interval, utilisation_by_hour
from sim.metrics.coverage import idle_coverage_share
from sim.runs.pairing import Window
from sim.runs.tables import WorldInfo
from sim.runs.world import World, fleet_allocation

IDLE_COVERAGE_METRIC = "idle_coverage_share"


def idle_coverage_by_rep(s: Scenario, world: World, run: RunTables, win: Window) -> pd.DataFrame:
    """Per replication, the time-averaged share of calls an idle unit could reach in time.

    The calls after the warm-up are the demand (one weight each); a station reaches a call
    when turnout (mean) plus the daytime emergency drive to its road node (priority 1) is
    within the zone's response target (:data:`RESPONSE_TARGET_MIN`). See
    :func:`sim.metrics.coverage.idle_coverage_share`.
    """
    tables, sf = world.tables, world.station_fac
    period = period_of(12, tables.period_of_hour)  # daytime, as the move-up policies bind
    units = fleet_allocation(world.facilities, s.fleet.ambulances)
    turnout = s.fleet.turnout_min.mean()
    out = []
    inc, ev = run.incidents, run.events
    names = {k.name: int(k) for k in EventKind}
    window = inc[inc["t_injury"] >= win.warm_up_min]
    for rep in np.unique(window["rep"].to_numpy(np.int64)).tolist():
        first = window[window["rep"] == rep].drop_duplicates("incident_id")
        nodes = first["node"].to_numpy(np.int64)
        drive = tables.from_fac[period][np.ix_(np.asarray(sf, np.int64), nodes)].astype(float)
        drive = drive * tables.emergency_factor[1] + turnout
        target = first["zone"].map(RESPONSE_TARGET_MIN).to_numpy(float)
        covers = drive <= target[None, :]
        e = ev[ev["rep"] == rep]
        arrays = {
            "t": e["t"].to_numpy(float),
            "kind": np.asarray([names[str(k)] for k in e["kind"]], np.int64),
            "unit": e["unit"].to_numpy(np.int64),
            "place": e["place"].to_numpy(np.int64),
            "value": e["value"].to_numpy(float),
        }
        share = idle_coverage_share(
            arrays,
            [st for st, _, _ in units],
            covers,
            np.ones(nodes.size),
            win.warm_up_min,
            win.horizon_min,
        )
        out.append({"rep": rep, IDLE_COVERAGE_METRIC: share})
    return pd.DataFrame(out, columns=["rep", IDLE_COVERAGE_METRIC])


def side_tables(
    runs: dict[str, RunTables],
    scenarios: Sequence[Scenario],
    infos: dict[str, WorldInfo],
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
        n_units, seats = infos[s.name].units, infos[s.name].seats
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
