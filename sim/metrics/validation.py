"""Simulated against observed: interval distributions of a run compared with a call log.

``trauma-sim validate-against RESULTS_DIR CALLS.csv`` calls :func:`validate_against`. Per
stage of the call (answer, dispatch, reach the scene, response, scene, transport) it compares
the observed intervals of the log with the simulated ones, overall, per hour of day and per
district or zone: medians, 90th percentiles, the two-sample Kolmogorov-Smirnov distance and
its p-value, and the response-time compliance by zone. A stage *passes* when the KS test
does not reject equal distributions at ``alpha`` (1 % by default) over all calls.

A call is its first patient on both sides: the first unit dispatched, its arrival, scene
departure and hospital arrival, as a 120 dispatch log records them. Calls placed before the
run's warm-up end are left out on both sides (the simulation starts empty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.units import MINUTES_PER_DAY, hours_of
from sim.metrics.compute import RESPONSE_TARGET_MIN

#: Stage -> ((observed start, end), (simulated start, end)) columns, in chain order.
VALIDATION_STAGES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "call_to_answer": (("t_call", "t_answer"), ("t_call", "t_call_answered")),
    "answer_to_dispatch": (("t_answer", "t_dispatch"), ("t_call_answered", "t_dispatch")),
    "dispatch_to_scene": (("t_dispatch", "t_on_scene"), ("t_dispatch", "t_on_scene")),
    "response": (("t_answer", "t_on_scene"), ("t_call_answered", "t_on_scene")),
    "scene": (("t_on_scene", "t_depart_scene"), ("t_on_scene", "t_left_scene")),
    "transport": (("t_depart_scene", "t_at_hospital"), ("t_left_scene", "t_at_hospital")),
}
#: Fewest calls on each side for a KS test to count towards pass/fail.
MIN_CALLS_FOR_TEST = 20


@dataclass
class Validation:
    """The comparison's tables.

    Attributes
    ----------
    intervals
        Tidy: ``source`` (observed | simulated), ``rep`` (-1 observed), ``call_id``, ``hour``,
        ``zone``, ``district``, ``stage``, ``minutes``.
    summary
        ``by`` (all | hour | zone | district), ``group``, ``stage``, ``n_obs``, ``n_sim``,
        ``median_obs``, ``median_sim``, ``p90_obs``, ``p90_sim``, ``ks_distance``, ``ks_p``,
        ``tested``, ``passed``.
    compliance
        ``zone``, ``target_min``, ``n_obs``, ``n_sim``, ``share_obs``, ``share_sim``.
    manifest
        ``passed``, ``alpha``, failing stages, the files compared.
    """

    intervals: pd.DataFrame
    summary: pd.DataFrame
    compliance: pd.DataFrame
    manifest: dict[str, Any]


class ObservedLog(Protocol):
    """What the comparison reads of a call log (:class:`sim.demand.trace.CallLog` has it).

    A protocol, not an import: metrics sit below the demand layer that parses logs.
    """

    @property
    def path(self) -> str:
        """File the log was read from."""

    @property
    def sha256(self) -> str:
        """Hash of the file's bytes."""

    @property
    def call_id(self) -> np.ndarray:
        """Call ids."""

    @property
    def t_call_min(self) -> np.ndarray:
        """Call times, minutes since the log's origin."""

    @property
    def observed(self) -> dict[str, np.ndarray]:
        """Observed time columns, minutes since the origin."""

    @property
    def labels(self) -> dict[str, np.ndarray]:
        """Optional text columns (``district``...)."""


def observed_calls(log: ObservedLog) -> pd.DataFrame:
    """One row per logged call: ``call_id``, ``t_call`` and the observed times (minutes)."""
    df = pd.DataFrame({"call_id": log.call_id, "t_call": log.t_call_min})
    for c, v in log.observed.items():
        df[c] = v
    df["district"] = log.labels.get("district", "")
    return df


def simulated_calls(incidents: pd.DataFrame) -> pd.DataFrame:
    """One row per simulated call (first patient of each incident and replication)."""
    first = incidents.sort_values(["rep", "patient_id"]).drop_duplicates(["rep", "incident_id"])
    return first[first["t_call"].notna()].reset_index(drop=True)


def _tidy(
    calls: pd.DataFrame, source: str, cols: int, zone: pd.Series, district: pd.Series
) -> pd.DataFrame:
    frames = []
    hour = hours_of(calls["t_call"].to_numpy(float))
    rep = calls["rep"].to_numpy() if "rep" in calls else np.full(len(calls), -1)
    for stage, pair in VALIDATION_STAGES.items():
        a, b = pair[cols]
        if a not in calls or b not in calls:
            continue
        minutes = (calls[b] - calls[a]).to_numpy(float)
        ok = np.isfinite(minutes)
        frames.append(
            pd.DataFrame(
                {
                    "source": source,
                    "rep": rep[ok],
                    "call_id": calls["call_id"].to_numpy()[ok],
                    "hour": hour[ok],
                    "zone": zone.to_numpy()[ok],
                    "district": district.to_numpy()[ok],
                    "stage": stage,
                    "minutes": minutes[ok],
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _compare(obs: np.ndarray, sim: np.ndarray, alpha: float) -> dict[str, Any]:
    def q(x: np.ndarray, p: float) -> float:
        return float(np.quantile(x, p)) if x.size else math.nan

    row: dict[str, Any] = {
        "n_obs": int(obs.size),
        "n_sim": int(sim.size),
        "median_obs": q(obs, 0.5),
        "median_sim": q(sim, 0.5),
        "p90_obs": q(obs, 0.9),
        "p90_sim": q(sim, 0.9),
        "ks_distance": math.nan,
        "ks_p": math.nan,
    }
    if obs.size and sim.size:
        res = stats.ks_2samp(obs, sim)
        row["ks_distance"], row["ks_p"] = float(res.statistic), float(res.pvalue)
    row["tested"] = bool(min(obs.size, sim.size) >= MIN_CALLS_FOR_TEST)
    row["passed"] = bool(row["tested"] and row["ks_p"] >= alpha)
    return row


def validate_against(
    incidents: pd.DataFrame,
    log: ObservedLog,
    *,
    warm_up_days: float,
    alpha: float = 0.01,
    run_manifest: dict[str, Any] | None = None,
) -> Validation:
    """Compare a run's simulated calls with an observed call log.

    Parameters
    ----------
    incidents
        The run's ``incidents`` table (all replications).
    log
        The observed call log (:func:`sim.demand.trace.read_call_log`).
    warm_up_days
        Calls before this (on both clocks) are left out.
    alpha
        KS significance level; a stage passes when ``ks_p >= alpha``.
    run_manifest
        The run's manifest (recorded; tells whether the run replayed this very log).

    Returns
    -------
    Validation
    """
    warm_min = warm_up_days * MINUTES_PER_DAY
    obs = observed_calls(log)
    obs = obs[obs["t_call"] >= warm_min].reset_index(drop=True)
    sim = simulated_calls(incidents)
    sim = sim[sim["t_call"] >= warm_min].reset_index(drop=True)
    if "call_id" not in sim:
        sim["call_id"] = ""
    # Zones (urban/rural targets) are the model's; a replay carries them to the logged calls.
    zone_of = sim.drop_duplicates("call_id").set_index("call_id")["zone"]
    replay = bool((sim["call_id"] != "").any())
    obs_zone = obs["call_id"].map(zone_of) if replay else pd.Series([""] * len(obs))
    obs_zone = obs_zone.fillna("")
    dist_of = obs.set_index("call_id")["district"]
    sim_district = sim["call_id"].map(dist_of).fillna("") if replay else pd.Series([""] * len(sim))
    intervals = pd.concat(
        [
            _tidy(obs, "observed", 0, obs_zone, obs["district"]),
            _tidy(sim, "simulated", 1, sim["zone"], sim_district),
        ],
        ignore_index=True,
    )
    rows = []
    groupings: list[tuple[str, str | None]] = [("all", None), ("hour", "hour"), ("zone", "zone")]
    if (obs["district"] != "").any():
        groupings.append(("district", "district"))
    for by, column in groupings:
        for stage in VALIDATION_STAGES:
            st = intervals[intervals["stage"] == stage]
            if st.empty:
                continue
            keys = [None] if column is None else sorted(set(st[column]) - {""})
            for key in keys:
                g = st if column is None else st[st[column] == key]
                o = g.loc[g["source"] == "observed", "minutes"].to_numpy(float)
                s = g.loc[g["source"] == "simulated", "minutes"].to_numpy(float)
                rows.append(
                    {"by": by, "group": "all" if key is None else str(key), "stage": stage}
                    | _compare(o, s, alpha)
                )
    summary = pd.DataFrame(rows)
    comp_rows = []
    resp = intervals[intervals["stage"] == "response"]
    for zone, target in RESPONSE_TARGET_MIN.items():
        zo = resp[(resp["source"] == "observed") & (resp["zone"] == zone)]["minutes"]
        zs = resp[(resp["source"] == "simulated") & (resp["zone"] == zone)]["minutes"]
        comp_rows.append(
            {
                "zone": zone,
                "target_min": target,
                "n_obs": len(zo),
                "n_sim": len(zs),
                "share_obs": float((zo <= target).mean()) if len(zo) else math.nan,
                "share_sim": float((zs <= target).mean()) if len(zs) else math.nan,
            }
        )
    overall = summary[summary["by"] == "all"] if not summary.empty else summary
    tested = overall[overall["tested"]] if not overall.empty else overall
    failing = sorted(tested.loc[~tested["passed"], "stage"]) if not tested.empty else []
    manifest: dict[str, Any] = {
        "kind": "validation",
        "calls_file": log.path,
        "calls_sha256": log.sha256,
        "alpha": alpha,
        "warm_up_days": warm_up_days,
        "observed_calls": len(obs),
        "simulated_calls": len(sim),
        "stages_tested": sorted(tested["stage"]) if not tested.empty else [],
        "stages_failing": failing,
        "passed": bool(len(tested)) and not failing,
        "replay_of_this_log": bool(
            run_manifest is not None and run_manifest.get("calls_sha256") == log.sha256
        ),
        "run": {k: (run_manifest or {}).get(k) for k in ("scenario", "scenario_hash", "seed")},
    }
    return Validation(intervals, summary, pd.DataFrame(comp_rows), manifest)
