"""Replay of a historical 120 call log (``demand.source = "trace"``, ``run --calls``).

A call log is a CSV with one row per call (schema in docs/trace.md and
``docs/call_log.schema.json``). Replaying it replaces the generated arrivals: each call keeps
its time, place, category (mechanism), priority and, if given, its number of patients.
Everything the log does not say (case mix, caller delay, every service time) is still drawn
from the scenario's named streams, so replications of a replay differ only in those draws
and policy variants of a replay see identical calls and service times (common random
numbers).

Clock: ``t = 0`` is local midnight (China Standard Time, UTC+8) of the first call's day.
Times with a UTC offset are converted to UTC+8; times without one are taken as local.
The observed columns (``t_answer`` ... ``unit_id``) are not used by the replay; they are
what ``trauma-sim validate-against`` compares the simulation with.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import MECHANISM_CODE, MECHANISMS
from sim.core.errors import UserError
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.demand.generate import Demand, Places, generate_demand
from sim.demand.spec import DemandSpec
from sim.model.spec import CallSpec, DestinationSpec, FleetSpec, HospitalSpec
from sim.network.snapping import Snapper

#: Columns every call log must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("call_id", "t_call", "lon", "lat", "priority", "category")
#: What actually happened (optional; compared by ``validate-against``), in chain order.
OBSERVED_TIMES: tuple[str, ...] = (
    "t_answer",
    "t_dispatch",
    "t_on_scene",
    "t_depart_scene",
    "t_at_hospital",
)
#: Other optional columns.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "n_patients",
    *OBSERVED_TIMES,
    "hospital_id",
    "unit_id",
    "district",
)
#: Allowed ``category`` values: the model's mechanisms (trauma by mechanism, or non-trauma).
CATEGORIES: tuple[str, ...] = MECHANISMS
#: China Standard Time: the clock the log's local times are read in.
LOCAL_TZ = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True, eq=False)
class CallLog:
    """A parsed, checked call log (no network needed).

    Attributes
    ----------
    path
        File it was read from.
    origin
        Local (UTC+8, naive) midnight of the first call's day: simulation ``t = 0``.
    call_id
        Object array of the call ids (unique).
    t_call_min
        Minutes since ``origin``, ascending.
    lon, lat
        WGS-84 degrees.
    priority
        1 (most urgent) .. 3.
    mechanism
        Code of ``category`` (index into ``sim.core.entities.MECHANISMS``).
    n_patients
        Patients per call; -1 where the log leaves it blank (then drawn as generated).
    observed
        Minutes since ``origin`` of each observed time column present (NaN where blank).
    labels
        Optional text columns present (``hospital_id``, ``unit_id``, ``district``).
    sha256
        Hash of the file's bytes (recorded in the run manifest).
    """

    path: str
    origin: dt.datetime
    call_id: np.ndarray
    t_call_min: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    priority: np.ndarray
    mechanism: np.ndarray
    n_patients: np.ndarray
    observed: dict[str, np.ndarray] = field(default_factory=dict)
    labels: dict[str, np.ndarray] = field(default_factory=dict)
    sha256: str = ""

    @property
    def n_calls(self) -> int:
        """Number of calls."""
        return int(self.t_call_min.shape[0])

    @property
    def span_days(self) -> float:
        """Whole days from ``origin`` to the end of the last call's day (a run horizon)."""
        if not self.n_calls:
            return 1.0
        return float(math.floor(float(self.t_call_min[-1]) / MINUTES_PER_DAY) + 1)

    @property
    def start_weekday(self) -> int:
        """Weekday of ``origin`` (0 = Monday)."""
        return self.origin.weekday()


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of the CSV, skipping blank lines and leading ``#`` comments."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UserError(f"{path}: call log not found") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (save the call log as UTF-8)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the call log ({exc.strerror})") from None
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].startswith("#")):
        start += 1
    for i, cells in enumerate(csv.reader(lines[start:]), start=start + 1):
        if cells and any(c.strip() for c in cells):
            yield i, cells


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time as naive local time (UTC+8); raises ValueError if unparsable.

    Parameters
    ----------
    text
        e.g. ``2026-01-05T08:15:00``, ``2026-01-05 08:15:00.250`` or ``...+08:00`` / ``...Z``.

    Returns
    -------
    datetime.datetime
        Naive, in China Standard Time.
    """
    t = dt.datetime.fromisoformat(text.strip())
    if t.tzinfo is not None:
        t = t.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return t


def format_time(origin: dt.datetime, t_min: float) -> str:
    """ISO time (local, millisecond resolution) of simulation minute ``t_min``."""
    t = origin + dt.timedelta(milliseconds=round(t_min * 60_000.0))
    return t.isoformat(timespec="milliseconds")


def read_call_log(path: str | Path) -> CallLog:
    """Read and check a call log CSV; every problem is a one-line :class:`UserError`.

    Parameters
    ----------
    path
        The CSV (schema: docs/trace.md).

    Returns
    -------
    CallLog

    Raises
    ------
    UserError
        Missing columns, unparsable or unsorted times, bad coordinates, categories,
        priorities or patient counts, duplicate call ids, observed times out of order.
    """
    path = Path(path)
    rows = _rows(path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise UserError(f"{path}: call log is empty (needs a header row)") from None
    header = [h.strip() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise UserError(
            f"{path}: call log is missing column(s) {', '.join(missing)} "
            f"(required: {', '.join(REQUIRED_COLUMNS)}; found: {', '.join(header)})"
        )
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise UserError(
            f"{path}: unknown column(s) {', '.join(unknown)} "
            f"(allowed: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)})"
        )
    col = {c: header.index(c) for c in header}
    times_present = [c for c in OBSERVED_TIMES if c in col]
    label_cols = [c for c in ("hospital_id", "unit_id", "district") if c in col]
    ids: list[str] = []
    t_call: list[dt.datetime] = []
    lon: list[float] = []
    lat: list[float] = []
    prio: list[int] = []
    mech: list[int] = []
    n_pat: list[int] = []
    obs: dict[str, list[dt.datetime | None]] = {c: [] for c in times_present}
    labels: dict[str, list[str]] = {c: [] for c in label_cols}
    seen: dict[str, int] = {}
    prev: tuple[int, dt.datetime] | None = None
    for line, cells in rows:
        if len(cells) != len(header):
            raise UserError(
                f"{path}:{line}: {len(cells)} values, the header has {len(header)} columns"
            )

        def cell(name: str, _cells: list[str] = cells) -> str:
            return _cells[col[name]].strip()

        def where(name: str, _line: int = line) -> str:
            return f"{path}:{_line}: {name}"

        cid = cell("call_id")
        if not cid:
            raise UserError(f"{where('call_id')}: empty (every call needs an id)")
        if cid in seen:
            raise UserError(f"{where('call_id')}: '{cid}' repeats line {seen[cid]}")
        seen[cid] = line
        try:
            t = parse_time(cell("t_call"))
        except ValueError:
            raise UserError(
                f"{where('t_call')}: cannot read '{cell('t_call')}' as an ISO time "
                "(e.g. 2026-01-05T08:15:00 or 2026-01-05 08:15:00+08:00)"
            ) from None
        if prev is not None and t < prev[1]:
            raise UserError(
                f"{where('t_call')}: {t.isoformat()} is before line {prev[0]} "
                f"({prev[1].isoformat()}); calls must be sorted by t_call"
            )
        prev = (line, t)
        try:
            x, y = float(cell("lon")), float(cell("lat"))
        except ValueError:
            raise UserError(f"{where('lon/lat')}: must be numbers (WGS-84 degrees)") from None
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise UserError(
                f"{where('lon/lat')}: {x}, {y} is not a coordinate (lon -180..180, lat -90..90)"
            )
        p = cell("priority")
        if p not in ("1", "2", "3"):
            raise UserError(f"{where('priority')}: '{p}' (allowed: 1, 2, 3; 1 most urgent)")
        cat = cell("category")
        if cat not in MECHANISM_CODE:
            raise UserError(f"{where('category')}: '{cat}' (allowed: {', '.join(CATEGORIES)})")
        n = -1
        if "n_patients" in col and cell("n_patients"):
            try:
                n = int(cell("n_patients"))
            except ValueError:
                n = 0
            if n < 1:
                raise UserError(
                    f"{where('n_patients')}: '{cell('n_patients')}' (a whole number >= 1, or blank)"
                )
        last = ("t_call", t)
        for c in times_present:
            v = cell(c)
            if not v:
                obs[c].append(None)
                continue
            try:
                tv = parse_time(v)
            except ValueError:
                raise UserError(f"{where(c)}: cannot read '{v}' as an ISO time") from None
            if tv < last[1]:
                raise UserError(f"{where(c)}: {tv.isoformat()} is before {last[0]}")
            last = (c, tv)
            obs[c].append(tv)
        for c in label_cols:
            labels[c].append(cell(c))
        ids.append(cid)
        t_call.append(t)
        lon.append(x)
        lat.append(y)
        prio.append(int(p))
        mech.append(MECHANISM_CODE[cat])
        n_pat.append(n)
    if not ids:
        raise UserError(f"{path}: call log has no calls")
    origin = dt.datetime.combine(t_call[0].date(), dt.time())

    def minutes(ts: list[dt.datetime | None]) -> np.ndarray:
        return np.array(
            [math.nan if x is None else (x - origin).total_seconds() / 60.0 for x in ts]
        )

    return CallLog(
        path=str(path),
        origin=origin,
        call_id=np.array(ids, dtype=object),
        t_call_min=minutes(list(t_call)),
        lon=np.array(lon),
        lat=np.array(lat),
        priority=np.array(prio, np.int8),
        mechanism=np.array(mech, np.int8),
        n_patients=np.array(n_pat, np.int32),
        observed={c: minutes(v) for c, v in obs.items()},
        labels={c: np.array(v, dtype=object) for c, v in labels.items()},
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


@dataclass(frozen=True, eq=False)
class Trace:
    """A call log snapped to the network: what a replay needs besides random draws."""

    log: CallLog
    node: np.ndarray
    access_min: np.ndarray


def snap_trace(log: CallLog, snapper: Snapper) -> Trace:
    """Snap every call to its road node (calls beyond the snap limit are an error).

    Parameters
    ----------
    log
        From :func:`read_call_log`.
    snapper
        With the scenario's ``travel.snap_limit_m``.

    Returns
    -------
    Trace
    """
    labels = [f"{log.path}: call {c}" for c in log.call_id]
    try:
        node, _, access = snapper.snap_arrays(log.lon, log.lat, labels)
    except UserError as exc:
        raise UserError(f"{exc.message}; the call log must lie on the scenario's network") from None
    return Trace(log=log, node=node, access_min=access)


def _reorder(demand: Demand, order: np.ndarray) -> Demand:
    """The same demand with incidents in ``order`` (patients move with their incident)."""
    inc = {k: np.asarray(v)[order] for k, v in demand.incidents.items()}
    n_pat = np.asarray(inc["n_patients"])
    first_old = np.asarray(inc["first_patient"])
    first_new = np.concatenate([[0], np.cumsum(n_pat)[:-1]]).astype(np.int64)
    within = np.arange(int(n_pat.sum())) - np.repeat(first_new, n_pat)
    p_idx = np.repeat(first_old, n_pat) + within
    pat = {k: np.asarray(v)[p_idx] for k, v in demand.patients.items()}
    pat["incident"] = np.repeat(np.arange(order.shape[0]), n_pat)
    inc["first_patient"] = first_new
    return Demand(incidents=inc, patients=pat)


def trace_demand(
    trace: Trace,
    spec: DemandSpec,
    calls: CallSpec,
    fleet: FleetSpec,
    destination: DestinationSpec,
    hospital: HospitalSpec,
    mechanisms: MechanismsSpec,
    places: Places,
    snapper: Snapper,
    horizon_min: float,
    start_weekday: int,
    streams: RandomStreams,
) -> Demand:
    """One replication's demand from a call log (see the module docstring).

    Calls at or after ``horizon_min`` are left out. The injury happened the drawn caller
    delay before the logged call (never before ``t = 0``); the call then reaches 120 at the
    logged time, as the log says it did (the 110/122 hand-off is already in it, so no call
    is police-first), unless a mechanism (automatic crash notification) makes it earlier.

    Parameters
    ----------
    trace
        The snapped call log.
    spec, calls, fleet, destination, hospital, mechanisms, places, snapper
        As for :func:`sim.demand.generate.generate_demand`.
    horizon_min
        Simulated minutes.
    start_weekday
        Weekday of day 0.
    streams
        The replication's named random streams.

    Returns
    -------
    Demand
        With an extra incident column ``trace_row`` (row of the call in the log).
    """
    log = trace.log
    keep = np.flatnonzero(log.t_call_min < horizon_min)
    fixed: dict[str, np.ndarray] = {
        "t": log.t_call_min[keep],
        "mechanism": log.mechanism[keep],
        "node": trace.node[keep],
        "access_min": trace.access_min[keep],
        "lon": log.lon[keep],
        "lat": log.lat[keep],
        "n_patients": log.n_patients[keep],
    }
    d = generate_demand(
        spec,
        calls,
        fleet,
        destination,
        hospital,
        mechanisms,
        places,
        snapper,
        horizon_min,
        start_weekday,
        streams,
        fixed=fixed,
    )
    inc = dict(d.incidents)
    t_call = np.asarray(inc["t_injury"], float)  # the generator placed the calls here
    delay = np.minimum(np.asarray(inc["injury_to_call_min"], float), t_call)
    inc["injury_to_call_min"] = delay
    inc["t_injury"] = t_call - delay
    inc["police_first"] = np.zeros(t_call.shape[0], bool)
    inc["trace_row"] = keep.astype(np.int64)
    pat = dict(d.patients)
    # The logged priority is the call-taker's; every patient of the call carries it.
    pat["triage_priority"] = log.priority[keep][np.asarray(pat["incident"])].astype(np.int8)
    order = np.argsort(inc["t_injury"], kind="stable")
    return _reorder(Demand(incidents=inc, patients=pat), order)


def calls_from_incidents(incidents: Any, origin: dt.datetime) -> list[dict[str, str]]:
    """Call-log rows (one per call) from a run's ``incidents`` table of one replication.

    The first patient of each incident stands for the call (the first unit dispatched, its
    scene and hospital times), as a 120 call log records it.

    Parameters
    ----------
    incidents
        pandas DataFrame as in ``incidents.parquet`` (one replication).
    origin
        Local time of simulation minute 0.

    Returns
    -------
    list of dict
        Rows with the columns of the schema, ready for ``csv.DictWriter``.
    """
    first = incidents.sort_values("patient_id").drop_duplicates("incident_id")
    first = first.sort_values(["t_call", "incident_id"], kind="stable")
    rows: list[dict[str, str]] = []
    n_by_inc = incidents.groupby("incident_id")["patient_id"].count()
    for r in first.itertuples(index=False):
        if r.t_call != r.t_call:  # call not placed within the run
            continue

        def t(v: float) -> str:
            return "" if v != v else format_time(origin, float(v))

        rows.append(
            {
                "call_id": f"C{int(r.incident_id):06d}",
                "t_call": t(r.t_call),
                "lon": f"{r.lon:.6f}",
                "lat": f"{r.lat:.6f}",
                "priority": str(int(r.priority)),
                "category": str(r.mechanism),
                "n_patients": str(int(n_by_inc[r.incident_id])),
                "t_answer": t(r.t_call_answered),
                "t_dispatch": t(r.t_dispatch),
                "t_on_scene": t(r.t_on_scene),
                "t_depart_scene": t(r.t_left_scene),
                "t_at_hospital": t(r.t_at_hospital),
                "hospital_id": str(r.hospital_id),
                "unit_id": "" if int(r.unit) < 0 else f"{r.station_id}-{int(r.unit)}",
                "district": str(r.zone),
            }
        )
    return rows


def replay_overrides(path: str | Path, *, keep_horizon: bool = False) -> list[str]:
    """``--set`` overrides that make a scenario replay the call log at ``path``.

    Parameters
    ----------
    path
        The call log (checked here, so a bad log fails before anything runs).
    keep_horizon
        Keep the scenario's ``run.horizon_days`` (calls after it are left out); otherwise
        the horizon becomes the log's span in whole days.

    Returns
    -------
    list of str
        ``demand.source``, ``demand.calls_file`` (absolute), ``run.start_weekday`` and
        (unless ``keep_horizon``) ``run.horizon_days``.
    """
    log = read_call_log(path)
    out = [
        "demand.source='trace'",
        f"demand.calls_file='{Path(path).resolve().as_posix()}'",
        f"run.start_weekday={log.start_weekday}",
    ]
    if not keep_horizon:
        out.append(f"run.horizon_days={log.span_days:g}")
    return out


_ISO = "ISO 8601 local time (UTC+8 if no offset), e.g. 2026-01-05T08:15:00"
_TIME = {"type": "string", "format": "date-time"}
_OPT_TIME = {"type": ["string", "null"], "format": "date-time"}
_OPT_TEXT = {"type": ["string", "null"]}
_COLUMN_DOCS: dict[str, tuple[dict[str, Any], str]] = {
    "call_id": ({"type": "string", "minLength": 1}, "Unique id of the call."),
    "t_call": (_TIME, f"Call reached 120; {_ISO}. Rows are sorted by it."),
    "lon": ({"type": "number", "minimum": -180, "maximum": 180}, "WGS-84 longitude."),
    "lat": ({"type": "number", "minimum": -90, "maximum": 90}, "WGS-84 latitude."),
    "priority": ({"type": "integer", "enum": [1, 2, 3]}, "Call-taker's priority, 1 = most urgent."),
    "category": (
        {"type": "string", "enum": list(CATEGORIES)},
        "Trauma by mechanism (rtc = road traffic, fall, other injury) or non_trauma.",
    ),
    "n_patients": (
        {"type": ["integer", "null"], "minimum": 1},
        "Patients; blank: drawn as for generated demand.",
    ),
    "t_answer": (_OPT_TIME, "Call answered by a call-taker (observed)."),
    "t_dispatch": (_OPT_TIME, "First unit dispatched (observed)."),
    "t_on_scene": (_OPT_TIME, "First unit on scene (observed)."),
    "t_depart_scene": (_OPT_TIME, "Left the scene with the first patient (observed)."),
    "t_at_hospital": (_OPT_TIME, "Arrived at hospital (observed)."),
    "hospital_id": (_OPT_TEXT, "Receiving hospital id (observed)."),
    "unit_id": (_OPT_TEXT, "First unit dispatched (observed)."),
    "district": (_OPT_TEXT, "District or zone validate-against groups the calls by."),
}


def call_log_schema() -> dict[str, Any]:
    """JSON schema of one call-log row (docs/call_log.schema.json is this, written out).

    Returns
    -------
    dict
        Draft 2020-12 schema; blank CSV cells are ``null``.
    """
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/trauma-sim/trauma-sim/docs/call_log.schema.json",
        "title": "trauma-sim 120 call log row",
        "description": "One row per call of a CSV call log (UTF-8, header row, '#' comment "
        "lines allowed before it, sorted by t_call). Observed times must follow the chain "
        "order t_call <= t_answer <= t_dispatch <= t_on_scene <= t_depart_scene <= "
        "t_at_hospital. See docs/trace.md.",
        "type": "object",
        "required": list(REQUIRED_COLUMNS),
        "additionalProperties": False,
        "properties": {
            c: {**_COLUMN_DOCS[c][0], "description": _COLUMN_DOCS[c][1]}
            for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        },
    }
