"""Tables and KPIs derived from the event log. Reads results; never runs the model.

* :func:`incidents_table`: one row per patient, every ``t_*`` timestamp and interval.
* :func:`unit_status_table`: one row per ambulance status change.
* :func:`kpis_for_rep` / :func:`summarise`: KPIs per replication, then mean and 95 % CI
  across replications (t distribution). Each KPI's unit, labels and sign are in
  :mod:`sim.metrics.registry`. Warm-up is trimmed here (patients injured before
  ``warm_up_min`` are excluded), never in the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.entities import (
    INJURY_CLASSES,
    MECHANISMS,
    NON_TRAUMA,
    START_TAGS,
    STATUS_AFTER_EVENT,
    ZONES,
    EventKind,
    UnitStatus,
)
from sim.core.units import MINUTES_PER_DAY, hours_of
from sim.metrics.registry import check_registered

E = EventKind

#: The stages of the time-to-treatment chain, in order; they add up to injury -> definitive.
STAGES: tuple[str, ...] = (
    "injury_to_call",
    "call_to_answer",
    "answer_to_dispatch",
    "turnout",
    "drive_to_scene",
    "scene",
    "transport",
    "arrival_to_definitive",
)

#: Hangzhou 2027 response-time targets (minutes) by zone (evidence §3 [V]).
RESPONSE_TARGET_MIN = {"urban": 8.0, "rural": 12.0}

_INCIDENT_TIMES = {
    "t_call": E.CALL_PLACED,
    "t_call_answered": E.CALL_ANSWERED,
    "t_location_verified": E.LOCATION_VERIFIED,
    "t_dispatch_requested": E.DISPATCH_REQUESTED,
    "t_police_on_scene": E.POLICE_ON_SCENE,
}
_PATIENT_TIMES = {
    "t_dispatch": E.AMBULANCE_DISPATCHED,
    "t_wheels_rolling": E.WHEELS_ROLLING,
    "t_on_scene": E.AMBULANCE_ON_SCENE,
    "t_first_aid": E.FIRST_AID_STARTED,
    "t_left_scene": E.SCENE_DEPARTED,
    "t_not_transported": E.PATIENT_NOT_TRANSPORTED,
    "t_at_hospital": E.HOSPITAL_ARRIVED,
    "t_handover_start": E.HANDOVER_STARTED,
    "t_handed_over": E.PATIENT_HANDED_OVER,
    "t_transfer_depart": E.TRANSFER_DEPARTED,
    "t_transfer_arrive": E.TRANSFER_ARRIVED,
    "t_definitive_care": E.DEFINITIVE_CARE_STARTED,
    "t_consult_requested": E.CONSULT_REQUESTED,
    "t_consult_start": E.CONSULT_STARTED,
}
_INCIDENT_VALUES = {
    "handoff_min": E.CALL_HANDED_OFF,
    "handoff_removed_min": E.HANDOFF_REMOVED,
    "aml_saved_min": E.AML_LOCATED,
    "acn_saved_min": E.CRASH_AUTO_NOTIFIED,
}
_PATIENT_VALUES = {
    "escort_saved_min": E.ESCORT_APPLIED,
    "prenotify_saved_min": E.PRENOTIFIED,
    "preactivation_saved_min": E.TEAM_PREACTIVATED,
    "bay_wait_min": E.HANDOVER_STARTED,
    "theatre_wait_min": E.DEFINITIVE_CARE_STARTED,
    "consult_wait_min": E.CONSULT_STARTED,
    "first_aid_by": E.FIRST_AID_STARTED,
}


def _first(key: np.ndarray, kind: np.ndarray, col: np.ndarray, k: EventKind, n: int) -> np.ndarray:
    """Per index (patient or incident): ``col`` at the first event of kind ``k`` (NaN if none)."""
    out = np.full(n, np.nan)
    sel = np.flatnonzero((kind == int(k)) & (key >= 0))
    # Assign in reverse so the earliest record of each index wins.
    out[key[sel][::-1]] = col[sel][::-1]
    return out


def _last(key: np.ndarray, kind: np.ndarray, col: np.ndarray, k: EventKind, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    sel = np.flatnonzero((kind == int(k)) & (key >= 0))
    out[key[sel]] = col[sel]
    return out


def incidents_table(
    replication: int,
    demand_incidents: Mapping[str, np.ndarray],
    demand_patients: Mapping[str, np.ndarray],
    events: Mapping[str, np.ndarray],
    *,
    hospital_ids: Sequence[str],
    hospital_tiers: Sequence[str],
    capable_tiers: Mapping[str, Sequence[str]],
    unit_station_ids: Sequence[str],
) -> pd.DataFrame:
    """One row per patient of one replication, with every timestamp and interval.

    Parameters
    ----------
    replication
        Replication index (the ``rep`` column).
    demand_incidents, demand_patients
        The replication's demand arrays (see :class:`sim.demand.generate.Demand`).
    events
        The event log as arrays (:meth:`sim.core.events.EventLog.to_arrays`).
    hospital_ids, hospital_tiers
        Per hospital index.
    capable_tiers
        Tiers able to treat each injury class (``HospitalSpec.capable_tiers``).
    unit_station_ids
        Station id of each unit index.

    Returns
    -------
    pandas.DataFrame
        Columns described in docs/results.md.
    """
    inc, pat = demand_incidents, demand_patients
    n_p = int(pat["incident"].shape[0])
    n_i = int(inc["t_injury"].shape[0])
    p_inc = np.asarray(pat["incident"])
    kind, t = events["kind"], events["t"]
    ev_inc, ev_pat = events["incident"], events["patient"]
    cols: dict[str, Any] = {
        "rep": np.full(n_p, replication, np.int32),
        "patient_id": np.arange(n_p, dtype=np.int64),
        "incident_id": p_inc,
    }
    mech = np.asarray(inc["mechanism"])[p_inc]
    cols["kind"] = np.where(mech == NON_TRAUMA, "non_trauma", "trauma")
    cols["mechanism"] = np.asarray(MECHANISMS)[mech]
    cols["injury_class"] = np.asarray(INJURY_CLASSES)[pat["injury_class"]]
    cols["iss"] = pat["iss"]
    cols["rts"] = pat["rts"]
    cols["age_years"] = pat["age_years"]
    cols["sex"] = np.where(pat["male"], "m", "f")
    cols["severe"] = pat["severe"]
    cols["priority"] = pat["triage_priority"]
    cols["transport_needed"] = pat["transport_needed"]
    # Mass-casualty incidents (sim/demand/mci.py): whether, and the START colour given.
    mci_kind = inc.get("mci_kind")
    cols["mci"] = np.zeros(n_p, bool) if mci_kind is None else np.asarray(mci_kind)[p_inc] >= 0
    tag = pat.get("start_tag")
    tags = np.asarray([*START_TAGS, ""], dtype=object)
    cols["start_tag"] = np.full(n_p, "", object) if tag is None else tags[np.asarray(tag)]
    cols["zone"] = np.asarray(ZONES)[np.asarray(inc["zone"])[p_inc]]
    cols["lon"] = np.asarray(inc["lon"])[p_inc]
    cols["lat"] = np.asarray(inc["lat"])[p_inc]
    cols["node"] = np.asarray(inc["node"])[p_inc]
    cols["t_injury"] = np.asarray(inc["t_injury"])[p_inc]
    for name, k in _INCIDENT_TIMES.items():
        cols[name] = _first(ev_inc, kind, t, k, n_i)[p_inc]
    for name, k in _PATIENT_TIMES.items():
        cols[name] = _first(ev_pat, kind, t, k, n_p)
    for name, k in _INCIDENT_VALUES.items():
        v = _first(ev_inc, kind, events["value"], k, n_i)[p_inc]
        cols[name] = np.nan_to_num(v, nan=0.0)
    for name, k in _PATIENT_VALUES.items():
        cols[name] = _first(ev_pat, kind, events["value"], k, n_p)
    fa = cols.pop("first_aid_by")
    cols["first_aid_by"] = np.select(
        [fa == 1.0, fa == 2.0], ["bystander_video", "police"], default=""
    )
    for name in ("escort_saved_min", "prenotify_saved_min", "preactivation_saved_min"):
        cols[name] = np.nan_to_num(cols[name], nan=0.0)
    unit = _first(ev_pat, kind, events["unit"].astype(float), E.AMBULANCE_DISPATCHED, n_p)
    cols["unit"] = np.where(np.isnan(unit), -1, unit).astype(np.int32)
    # Units past the local fleet are lent by a neighbouring centre (sim/model/mci.py).
    n_local = len(unit_station_ids)
    st_ids = np.asarray([*unit_station_ids, "mutual_aid", ""], dtype=object)
    cols["station_id"] = st_ids[np.where(cols["unit"] < 0, -1, np.minimum(cols["unit"], n_local))]
    cols["redirected"] = ~np.isnan(_first(ev_pat, kind, t, E.UNIT_REDIRECTED, n_p))
    cols["mutual_aid"] = ~np.isnan(_first(ev_pat, kind, t, E.MUTUAL_AID_DISPATCHED, n_p))
    cols["diverted"] = ~np.isnan(_first(ev_pat, kind, t, E.PATIENT_DIVERTED, n_p))
    first_h = _first(ev_pat, kind, events["place"].astype(float), E.HOSPITAL_ARRIVED, n_p)
    final_h = _last(ev_pat, kind, events["place"].astype(float), E.DEFINITIVE_CARE_STARTED, n_p)
    final_h = np.where(np.isnan(final_h), first_h, final_h)
    h_ids = np.asarray([*hospital_ids, ""], dtype=object)
    h_tiers = np.asarray([*hospital_tiers, ""], dtype=object)
    fh = np.where(np.isnan(first_h), -1, first_h).astype(int)
    lh = np.where(np.isnan(final_h), -1, final_h).astype(int)
    cols["hospital_id"] = h_ids[fh]
    cols["final_hospital_id"] = h_ids[lh]
    cols["final_hospital_tier"] = h_tiers[lh]
    cols["transferred"] = ~np.isnan(cols["t_transfer_depart"])
    guided = ~np.isnan(_first(ev_pat, kind, t, E.TRANSFER_AVOIDED, n_p))
    cols["transfer_avoided"] = guided
    cls_names = cols["injury_class"]
    capable = (
        np.array(
            [
                tier in capable_tiers.get(c, (tier,))
                for c, tier in zip(cls_names, h_tiers[lh], strict=True)
            ]
        )
        if n_p
        else np.zeros(0, bool)
    )
    cols["capable_care"] = (capable & (lh >= 0)) | guided
    cols["escorted"] = np.asarray(cols["escort_saved_min"]) > 0
    cols["prenotified"] = np.asarray(cols["prenotify_saved_min"]) > 0
    cols["preactivated"] = np.asarray(cols["preactivation_saved_min"]) > 0
    df = pd.DataFrame(cols)

    # Status at the end of the run.
    non_tr = df["kind"].to_numpy() == "non_trauma"
    not_tx = ~df["transport_needed"].to_numpy() & df["t_not_transported"].notna().to_numpy()
    imm = df["injury_class"].to_numpy() == "IMM"
    done = np.where(non_tr, df["t_handed_over"].notna(), df["t_definitive_care"].notna())
    df["status"] = np.select(
        [not_tx & imm, not_tx, done],
        ["dead_on_scene", "not_transported", "completed"],
        default="in_progress",
    )
    # Intervals (minutes); they add up along the chain.
    answer_or_call = df["t_call_answered"]
    df["injury_to_call_min"] = df["t_call"] - df["t_injury"]
    df["call_to_answer_min"] = df["t_call_answered"] - df["t_call"]
    df["answer_to_dispatch_min"] = df["t_dispatch"] - answer_or_call
    df["call_to_dispatch_min"] = df["t_dispatch"] - df["t_call"]
    df["dispatch_queue_min"] = df["t_dispatch"] - df["t_dispatch_requested"]
    df["turnout_min"] = df["t_wheels_rolling"] - df["t_dispatch"]
    df["drive_to_scene_min"] = df["t_on_scene"] - df["t_wheels_rolling"]
    # Chinese definition: call-taking (受理) + relay + turnout + drive, i.e. from the call
    # being answered to arrival on scene (evidence §3).
    df["response_min"] = df["t_on_scene"] - df["t_call_answered"]
    df["injury_to_scene_min"] = df["t_on_scene"] - df["t_injury"]
    df["scene_min"] = df["t_left_scene"] - df["t_on_scene"]
    df["transport_min"] = df["t_at_hospital"] - df["t_left_scene"]
    df["handover_min"] = df["t_handed_over"] - df["t_at_hospital"]
    df["arrival_to_definitive_min"] = df["t_definitive_care"] - df["t_at_hospital"]
    df["injury_to_definitive_min"] = df["t_definitive_care"] - df["t_injury"]
    df["prehospital_min"] = df["t_at_hospital"] - df["t_on_scene"]
    return df


def unit_status_table(
    replication: int, events: Mapping[str, np.ndarray], unit_station_ids: Sequence[str]
) -> pd.DataFrame:
    """One row per ambulance status change (from the event log)."""
    kind = events["kind"]
    codes = {int(k): int(s) for k, s in STATUS_AFTER_EVENT.items()}
    # Only the local fleet: lent MCI units (indices past it) are not its utilisation.
    sel = np.isin(kind, list(codes)) & (events["unit"] >= 0)
    sel &= events["unit"] < len(unit_station_ids)
    status = np.array([codes[int(k)] for k in kind[sel]], dtype=np.int16)
    units = events["unit"][sel]
    names = np.array([s.name for s in UnitStatus], dtype=object)
    st_ids = np.asarray(list(unit_station_ids), dtype=object)
    return pd.DataFrame(
        {
            "rep": np.full(units.shape[0], replication, np.int32),
            "unit": units,
            "station_id": st_ids[units] if units.size else np.zeros(0, object),
            "t": events["t"][sel],
            "status": names[status] if status.size else np.zeros(0, object),
        }
    )


_BUSY = {"DISPATCHED", "EN_ROUTE_TO_SCENE", "ON_SCENE", "TRANSPORTING", "AT_HOSPITAL"}


def _level_by_hour(
    starts: np.ndarray, ends: np.ndarray, t_start: float, t_end: float
) -> np.ndarray:
    """Total overlap (minutes) of intervals [start, end) with each hour of day, in a window."""
    s = np.clip(starts, t_start, t_end)
    e = np.clip(ends, t_start, t_end)
    keep = e > s
    s, e = s[keep], e[keep]
    out = np.zeros(24)
    if s.size == 0:
        return out
    # Integrate the piecewise-constant "number of intervals open" over hour bins.
    edges = np.arange(math.floor(t_start / 60.0) * 60.0, t_end + 60.0, 60.0)
    pts = np.concatenate([s, e, edges])
    delta = np.concatenate([np.ones(s.size), -np.ones(e.size), np.zeros(edges.size)])
    order = np.argsort(pts, kind="stable")
    pts, level = pts[order], np.cumsum(delta[order])
    seg = np.diff(pts) * level[:-1]
    hour = hours_of(pts[:-1])
    np.add.at(out, hour, seg)
    return out


def busy_intervals(units: pd.DataFrame, t_end: float) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) arrays of the periods units were committed (dispatched until free)."""
    if units.empty:
        return np.zeros(0), np.zeros(0)
    u = units.sort_values(["unit", "t"], kind="stable")
    t = u["t"].to_numpy(dtype=float)
    unit = u["unit"].to_numpy()
    busy = np.isin(u["status"].to_numpy(), list(_BUSY))
    nxt = np.append(t[1:], t_end)
    last_of_unit = np.append(unit[1:] != unit[:-1], True)
    nxt[last_of_unit] = t_end
    return t[busy], nxt[busy]


def busy_unit_minutes(units: pd.DataFrame, t_start: float, t_end: float) -> float:
    """Unit-minutes spent committed to a call (dispatched until free) within [t_start, t_end)."""
    s, e = busy_intervals(units, t_end)
    return float(np.clip(np.minimum(e, t_end) - np.maximum(s, t_start), 0, None).sum())


def utilisation_by_hour(
    units: pd.DataFrame,
    incidents: pd.DataFrame,
    *,
    n_units: int,
    seats: int,
    t_start: float,
    t_end: float,
) -> pd.DataFrame:
    """Share of ambulances committed and of call-taker seats busy, by hour of day.

    Returns columns ``resource`` ("ambulance" | "call_taker"), ``hour``, ``utilisation``.
    """
    hours = np.arange(math.floor(t_start / 60.0) * 60.0, t_end, 60.0)
    exposure = np.zeros(24)
    np.add.at(
        exposure,
        hours_of(hours),
        np.minimum(hours + 60.0, t_end) - np.maximum(hours, t_start),
    )
    s, e = busy_intervals(units, t_end)
    amb = _level_by_hour(s, e, t_start, t_end)
    calls = incidents.drop_duplicates(["rep", "incident_id"]) if "rep" in incidents else incidents
    seat = _level_by_hour(
        calls["t_call_answered"].to_numpy(dtype=float),
        calls["t_dispatch_requested"].to_numpy(dtype=float),
        t_start,
        t_end,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        rows = [
            {"resource": "ambulance", "hour": h, "utilisation": amb[h] / (exposure[h] * n_units)}
            for h in range(24)
        ] + [
            {"resource": "call_taker", "hour": h, "utilisation": seat[h] / (exposure[h] * seats)}
            for h in range(24)
        ]
    return pd.DataFrame(rows)


def _share(x: pd.Series, cond: pd.Series) -> float:
    x = x.dropna()
    return float(cond.loc[x.index].mean()) if len(x) else math.nan


def kpis_for_rep(
    df: pd.DataFrame,
    units: pd.DataFrame,
    *,
    warm_up_min: float,
    horizon_min: float,
    n_units: int,
    seats: int,
    events: Mapping[str, np.ndarray] | None = None,
) -> dict[str, float]:
    """KPIs of one replication (patients injured after the warm-up).

    ``events`` (the replication's event arrays) adds the calls that dispatch nothing: their
    count, their answer times in the all-calls 10-second KPI and their seat minutes in the
    call-taker utilisation.
    """
    d = df[df["t_injury"] >= warm_up_min]
    days = max((horizon_min - warm_up_min) / 1440.0, 1e-9)
    tr = d[d["kind"] == "trauma"]
    sev = tr[tr["severe"]]
    out: dict[str, float] = {
        "patients_per_day": len(d) / days,
        "trauma_patients_per_day": len(tr) / days,
        "severe_patients_per_day": len(sev) / days,
        "calls_per_day": d["incident_id"].nunique() / days,
    }
    first = d.drop_duplicates("incident_id")
    out["call_to_answer_min_mean"] = float(first["call_to_answer_min"].mean())
    out["answer_within_10s_share"] = _share(
        first["call_to_answer_min"], first["call_to_answer_min"] <= 10 / 60
    )
    out["call_wait_share"] = _share(first["call_to_answer_min"], first["call_to_answer_min"] > 0.5)
    out["call_to_dispatch_min_mean"] = float(d["call_to_dispatch_min"].mean())
    out["call_to_dispatch_min_median"] = float(d["call_to_dispatch_min"].median())
    out["dispatch_queue_min_mean"] = float(d["dispatch_queue_min"].mean())
    out["departure_within_3min_share"] = _share(d["turnout_min"], d["turnout_min"] <= 3.0)
    r = d["response_min"].dropna()
    out["response_min_mean"] = float(r.mean())
    out["response_min_median"] = float(r.median())
    out["response_min_p90"] = float(r.quantile(0.9)) if len(r) else math.nan
    for zone, target in RESPONSE_TARGET_MIN.items():
        z = d[d["zone"] == zone]["response_min"].dropna()
        out[f"response_within_target_{zone}_share"] = (
            float((z <= target).mean()) if len(z) else math.nan
        )
    for col in (
        "injury_to_call_min",
        "answer_to_dispatch_min",
        "turnout_min",
        "drive_to_scene_min",
        "scene_min",
        "transport_min",
        "handover_min",
        "bay_wait_min",
        "arrival_to_definitive_min",
    ):
        out[f"{col}_mean"] = float(d[col].mean())
    # Time-to-treatment chain for severe trauma patients who reached definitive care.
    chain = sev[sev["t_definitive_care"].notna()]
    for stage in STAGES:
        out[f"severe_{stage}_min_mean"] = float(chain[f"{stage}_min"].mean())
    out["injury_to_definitive_care_min_mean"] = float(chain["injury_to_definitive_min"].mean())
    out["injury_to_definitive_care_min_median"] = float(chain["injury_to_definitive_min"].median())
    out["severe_transferred_share"] = float(sev["transferred"].mean()) if len(sev) else math.nan
    out["severe_capable_care_share"] = (
        float(sev.loc[sev["status"] == "completed", "capable_care"].mean())
        if len(sev)
        else math.nan
    )
    out["consult_wait_min_mean"] = float(d["consult_wait_min"].mean())
    out["consults_per_day"] = float(d["t_consult_start"].notna().sum()) / days
    busy = busy_unit_minutes(units, warm_up_min, horizon_min)
    out["ambulance_utilisation"] = busy / (n_units * (horizon_min - warm_up_min))
    hold = (first["t_dispatch_requested"] - first["t_call_answered"]).dropna()
    hold = hold + (first["t_call_answered"] - first["t_call"]).clip(upper=0.5).fillna(0)
    nd_wait = np.zeros(0)
    nd_hold = 0.0
    if events is not None:
        kind, t = events["kind"], events["t"]
        ans = (kind == int(E.NON_DISPATCH_CALL_ANSWERED)) & (t >= warm_up_min)
        nd_wait = np.asarray(events["value"][ans], float)
        end = (kind == int(E.NON_DISPATCH_CALL_ENDED)) & (t >= warm_up_min)
        nd_hold = float(np.asarray(events["value"][end], float).sum())
    out["non_dispatch_calls_per_day"] = nd_wait.size / days
    out["all_calls_per_day"] = out["calls_per_day"] + out["non_dispatch_calls_per_day"]
    waits = np.concatenate([first["call_to_answer_min"].dropna().to_numpy(float), nd_wait])
    out["all_calls_answer_within_10s_share"] = (
        float((waits <= 10 / 60).mean()) if waits.size else math.nan
    )
    out["dispatches_per_unit_per_day"] = float(d["t_dispatch"].notna().sum()) / days / n_units
    out["call_taker_utilisation"] = (float(hold.sum()) + nd_hold) / (
        seats * (horizon_min - warm_up_min)
    )
    # Labels, units and comparison of every KPI live in the registry: none may be missing.
    check_registered(out, "run")
    return out


def t_interval(
    values: Sequence[float] | np.ndarray, level: float = 0.95
) -> tuple[float, float, float]:
    """Mean and two-sided ``level`` t-interval of replication values (NaNs dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if x.size == 1:
        return m, math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, m - half, m + half


def summarise(per_rep: pd.DataFrame) -> pd.DataFrame:
    """Tidy KPI table: metric, mean, ci_low, ci_high, n_reps (from one row per replication)."""
    rows = []
    for metric in [c for c in per_rep.columns if c != "rep"]:
        m, lo, hi = t_interval(per_rep[metric].to_numpy())
        rows.append(
            {
                "metric": metric,
                "mean": m,
                "ci_low": lo,
                "ci_high": hi,
                "n_reps": int(per_rep[metric].notna().sum()),
            }
        )
    return pd.DataFrame(rows)


#: Backlog growth that counts as "without bound": over the second half of the horizon the
#: daily backlog of unreached patients rose on at least this share of days, ended at least
#: this many times its mid-horizon value (a queue growing linearly from zero doubles) and
#: by at least ``BACKLOG_MIN_GROWTH`` patients. A stable queue fluctuates instead.
BACKLOG_RISING_DAY_SHARE = 0.8
BACKLOG_GROWTH_FACTOR = 1.5
BACKLOG_MIN_GROWTH = 10


def backlog_table(
    df: pd.DataFrame, *, warm_up_min: float, horizon_min: float
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Patients not reached by a unit: backlog at the end of each day, and totals.

    Response KPIs (``response_min_*``) cover only patients a unit reached before the
    horizon; this table states how many were left out, so an overloaded system is visible
    instead of looking fast.

    Parameters
    ----------
    df
        One replication's incidents table (:func:`incidents_table`).
    warm_up_min, horizon_min
        The measured window, minutes.

    Returns
    -------
    tuple[pandas.DataFrame, dict[str, float]]
        Per day ``day, backlog_patients`` (injured, not yet reached, at the end of the day)
        and totals: ``patients``, ``not_reached_by_horizon``, ``not_reached_share``,
        ``unfinished_by_horizon`` (not completed), ``response_kpis_cover_share`` and
        ``backlog_unbounded`` (1.0 when the backlog kept growing, else 0.0).
    """
    d = df[df["t_injury"] >= warm_up_min]
    n = len(d)
    reached = d["t_on_scene"].to_numpy()
    injured = d["t_injury"].to_numpy()
    ends = np.arange(warm_up_min + MINUTES_PER_DAY, horizon_min + 1e-9, MINUTES_PER_DAY)
    if ends.size == 0 or ends[-1] < horizon_min:
        ends = np.append(ends, horizon_min)
    # Injured by the end of the day and not reached by then (NaN: never reached).
    backlog = [int(((injured <= e) & ~(reached <= e)).sum()) for e in ends]
    days = pd.DataFrame(
        {"day": (ends - warm_up_min) / MINUTES_PER_DAY, "backlog_patients": backlog}
    )
    not_reached = int(np.isnan(reached).sum())
    unfinished = int((d["status"] == "in_progress").sum())
    totals = {
        "patients": float(n),
        "not_reached_by_horizon": float(not_reached),
        "not_reached_share": not_reached / n if n else math.nan,
        "unfinished_by_horizon": float(unfinished),
        "response_kpis_cover_share": (n - not_reached) / n if n else math.nan,
        "backlog_unbounded": float(_unbounded(np.asarray(backlog, float))),
    }
    return days, totals


def _unbounded(backlog: np.ndarray) -> bool:
    """Whether the backlog kept rising through the second half of the run."""
    if backlog.size < 4:
        return False
    half = backlog[backlog.size // 2 - 1 :]
    rising = float((np.diff(half) > 0).mean())
    mid = max(half[0], 1.0)
    return bool(
        rising >= BACKLOG_RISING_DAY_SHARE
        and half[-1] >= BACKLOG_GROWTH_FACTOR * mid
        and half[-1] - half[0] >= BACKLOG_MIN_GROWTH
    )
