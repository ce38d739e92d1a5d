"""Demand for one replication, generated ahead of its arrivals from named random streams.

Every random quantity an incident or patient may need during the run — arrival time, place,
case mix, caller behaviour, and every service duration (turnout, scene, handover, hospital
times) and the uniform draws any integration mechanism uses — is drawn here, each concern
from its own stream. Scenarios that differ only in fleet, policy or mechanisms therefore see
identical incidents and identical service times (common random numbers), and adding a new
stream never changes the draws of the existing ones.

The result is plain numpy arrays (struct of arrays); the SimPy model only reads them. It is
drawn in weekly chunks on a fixed calendar grid, each from streams of its own, and handed to
the model a window of whole weeks at a time (:func:`demand_windows`), so memory holds about
one window of future incidents, not the horizon's, and the window never changes the draws.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

from sim.config.facilities import Facilities
from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import (
    FALL,
    INJURY_CLASS_CODE,
    NON_DISPATCH_KINDS,
    NON_TRAUMA,
    OTHER_INJURY,
    RTC,
    TIERS,
)
from sim.core.errors import UserError
from sim.core.rng import RandomStreams
from sim.core.units import EARTH_RADIUS_M, MINUTES_PER_DAY
from sim.demand.mci import draw_mci_incidents, start_dispatch_needs, start_triage
from sim.demand.spec import DemandSpec, MechanismMix, NonDispatchCallsSpec
from sim.model.spec import CallSpec, DestinationSpec, FleetSpec, HospitalSpec
from sim.network.core import ROAD_CLASS_CODE, RoadNetwork
from sim.network.snapping import Snapper

MIN_PER_HOUR = 60.0

#: The fixed calendar grid of the demand draws: chunk ``c`` covers days ``[7c, 7c + 7)``
#: and draws from its own streams (:meth:`~sim.core.rng.RandomStreams.chunk`). A week keeps
#: each vectorised draw large (per-chunk numpy overheads are ~4 ms: daily chunks made a
#: Hangzhou year's demand ~6x slower to draw) and lines up with the weekday profile.
CHUNK_DAYS = 7
CHUNK_MIN = CHUNK_DAYS * MINUTES_PER_DAY

#: Calendar days of demand drawn at a time (:func:`demand_windows`, a multiple of
#: :data:`CHUNK_DAYS`): the model holds at most about this many days of incidents that have
#: not happened yet. Any value gives the same incidents.
DEFAULT_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Places:
    """Where incidents can happen: precomputed once per network and scenario."""

    edge_src: np.ndarray  # tail node of each candidate crash edge
    edge_travel_min: np.ndarray
    edge_cum_weight: np.ndarray  # cumulative crash weight over edges (normalised)
    grid_lon: np.ndarray | None
    grid_lat: np.ndarray | None
    grid_cum_weight: np.ndarray | None
    grid_half_m: float
    node_lon: np.ndarray
    node_lat: np.ndarray
    urban_centres: list[tuple[float, float, float]]
    centre_lon: np.ndarray
    centre_lat: np.ndarray
    edge_road_class: np.ndarray | None = None  # for MCIs placed by road class
    edge_len_m: np.ndarray | None = None


def prepare_places(
    spec: DemandSpec,
    network: RoadNetwork,
    facilities: Facilities,
    grid_rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> Places:
    """Precompute crash-edge weights and the population grid (no randomness).

    Parameters
    ----------
    spec
        The ``[demand]`` section.
    network
        The road network.
    facilities
        Facilities (the 120 centres define jurisdictions).
    grid_rows
        (lon, lat, weight) arrays of the population grid, or None for uniform over nodes.
    """
    cls_weight = np.zeros(len(ROAD_CLASS_CODE))
    for name, w in spec.rtc_road_weights.items():
        if name in ROAD_CLASS_CODE:
            cls_weight[ROAD_CLASS_CODE[name]] = w
    w_edge = network.length_m * cls_weight[network.road_class]
    edge_src = network.edge_sources()
    if grid_rows is not None and spec.crash_reach_km is not None:
        # Crashes stay inside the served area: roads near a populated grid cell.
        lat0 = float(np.mean(network.lat))
        gx, gy = _local_xy(grid_rows[0], grid_rows[1], lat0)
        nx, ny = _local_xy(network.lon, network.lat, lat0)
        dist_m, _ = cKDTree(np.column_stack([gx, gy])).query(np.column_stack([nx, ny]))
        w_edge = w_edge * (dist_m[edge_src] <= spec.crash_reach_km * 1000.0)
    if w_edge.sum() <= 0:
        raise UserError(
            "demand: no road can take a crash (rtc_road_weights are zero on every road class "
            "present, or demand.crash_reach_km leaves no road near the population grid)"
        )
    cum = np.cumsum(w_edge)
    cum /= cum[-1]
    glon: np.ndarray | None = None
    glat: np.ndarray | None = None
    gcum: np.ndarray | None = None
    if grid_rows is not None:
        glon, glat, gw = grid_rows
        gcum = np.cumsum(gw)
        gcum = gcum / gcum[-1]
    return Places(
        edge_src=edge_src,
        edge_travel_min=network.travel_min,
        edge_cum_weight=cum,
        grid_lon=glon,
        grid_lat=glat,
        grid_cum_weight=gcum,
        grid_half_m=250.0,
        node_lon=network.lon,
        node_lat=network.lat,
        urban_centres=list(spec.urban_centres),
        centre_lon=np.array([c.lon for c in facilities.centres]),
        centre_lat=np.array([c.lat for c in facilities.centres]),
        edge_road_class=network.road_class,
        edge_len_m=network.length_m,
    )


def read_grid(path: Path, lon_col: str, lat_col: str, w_col: str) -> tuple[np.ndarray, ...]:
    """Read a population grid CSV into (lon, lat, weight) arrays, with clear errors."""
    try:
        return _read_grid(path, lon_col, lat_col, w_col)
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None


def _read_grid(path: Path, lon_col: str, lat_col: str, w_col: str) -> tuple[np.ndarray, ...]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        for c in (lon_col, lat_col, w_col):
            if c not in cols:
                raise UserError(
                    f"{path}: demand.population_grid: missing column '{c}' "
                    f"(columns: {', '.join(cols)})"
                )
        lon, lat, w = [], [], []
        for i, row in enumerate(reader, start=2):  # line 1 is the header
            lon.append(_grid_value(path, i, row, lon_col, -180.0, 180.0))
            lat.append(_grid_value(path, i, row, lat_col, -90.0, 90.0))
            w.append(_grid_value(path, i, row, w_col, 0.0, math.inf))
    arr_w = np.asarray(w)
    if arr_w.size == 0 or arr_w.sum() <= 0:
        raise UserError(
            f"{path} demand.population_grid.{w_col}: needs at least one row with a weight > 0"
        )
    return np.asarray(lon), np.asarray(lat), arr_w


def _grid_value(
    path: Path, line: int, row: dict[str, str | None], col: str, lo: float, hi: float
) -> float:
    """One grid cell value, finite and within [lo, hi]; a clear line naming file:line column."""
    text = row.get(col)
    if text is None or not text.strip():
        raise UserError(f"{path}:{line} demand.population_grid.{col}: missing value")
    try:
        value = float(text)
    except ValueError:
        raise UserError(
            f"{path}:{line} demand.population_grid.{col}: not a number ({text!r})"
        ) from None
    if not math.isfinite(value) or not lo <= value <= hi:
        raise UserError(
            f"{path}:{line} demand.population_grid.{col}: must be a finite number in "
            f"[{lo:g}, {hi:g}] (got {text!r})"
        )
    return value


def arrival_times(
    rate_per_day: float,
    hour_w: np.ndarray,
    day_w: np.ndarray,
    horizon_min: float,
    start_weekday: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Non-homogeneous Poisson arrivals, piecewise constant by hour (exact, vectorised).

    The rate in hour ``h`` of weekday ``d`` is ``rate_per_day / 24 * hour_w[h] * day_w[d]``
    with both profiles normalised to mean 1.
    """
    if rate_per_day <= 0:
        return np.zeros(0)
    n_hours = math.ceil(horizon_min / MIN_PER_HOUR)
    hours = np.arange(n_hours)
    hw = hour_w / hour_w.mean()
    dw = day_w / day_w.mean()
    rate_per_hour = rate_per_day / 24.0 * hw[hours % 24] * dw[(hours // 24 + start_weekday) % 7]
    counts = rng.poisson(rate_per_hour)
    starts = np.repeat(hours * MIN_PER_HOUR, counts)
    t = starts + rng.random(starts.shape[0]) * MIN_PER_HOUR
    t = np.sort(t)
    return t[t < horizon_min]


def _local_xy(lon: np.ndarray, lat: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    k = math.pi / 180.0 * EARTH_RADIUS_M
    return lon * k * math.cos(math.radians(lat0)), lat * k


def _zone(
    lon: np.ndarray, lat: np.ndarray, centres: list[tuple[float, float, float]]
) -> np.ndarray:
    if not centres:
        return np.zeros(lon.shape[0], np.int8)
    urban = np.zeros(lon.shape[0], bool)
    x, y = _local_xy(lon, lat, float(np.mean(lat)) if lat.size else 30.0)
    for clon, clat, r_km in centres:
        cx, cy = _local_xy(np.array([clon]), np.array([clat]), float(np.mean(lat)))
        urban |= (x - cx[0]) ** 2 + (y - cy[0]) ** 2 <= (r_km * 1000.0) ** 2
    return (~urban).astype(np.int8)


def _draw(dist: object, rng: np.random.Generator, n: int) -> np.ndarray:
    return np.asarray(dist.sample(rng, n), dtype=float)  # type: ignore[attr-defined]


def _case_mix(
    mix: MechanismMix,
    severe_shares: dict[str, float],
    n: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Injury class, ISS, RTS, age and sex for ``n`` trauma patients of one mechanism."""
    u = rng.random((n, 6))
    classes = list(severe_shares)
    cum = np.cumsum([severe_shares[c] for c in classes])
    cum[-1] = 1.0
    sev_idx = np.searchsorted(cum, u[:, 1], side="right")
    sev_code = np.array([INJURY_CLASS_CODE[c] for c in classes])[
        np.minimum(sev_idx, len(classes) - 1)
    ]
    imm = u[:, 0] < mix.imm_share
    severe = (~imm) & (u[:, 0] < mix.imm_share + mix.severe_share)
    cls = np.full(n, INJURY_CLASS_CODE["MN"], np.int8)
    cls[severe] = sev_code[severe]
    cls[imm] = INJURY_CLASS_CODE["IMM"]
    # ISS: minor 1-15 skewed low; severe 16-75 (exponential tail, mean ~26) [U].
    iss = np.where(
        severe,
        np.minimum(75, 16 + np.floor(-np.log(1 - u[:, 2]) * 10)),
        np.minimum(15, 1 + np.floor(-np.log(1 - u[:, 2]) * 4)),
    )
    iss[imm] = 75
    # RTS (0-7.84): severe patients below normal, TBI with surgical lesion lowest [U].
    rts_sev = 2.5 + (7.8408 - 2.5) * np.sqrt(u[:, 3])
    rts_tbs = 2.0 + (7.8408 - 2.0) * u[:, 3]
    rts = np.where(severe, rts_sev, 7.8408 - 0.9 * u[:, 3] ** 3)
    rts = np.where(cls == INJURY_CLASS_CODE["TBS"], rts_tbs, rts)
    rts[imm] = 0.0
    age = np.clip(mix.age_mean_years + mix.age_sd_years * rng.standard_normal(n), 1, 95)
    male = u[:, 4] < mix.male_share
    return {
        "injury_class": cls,
        "iss": iss.astype(np.int16),
        "rts": rts,
        "age_years": age,
        "male": male,
    }


@dataclass(frozen=True)
class Demand:
    """One replication's incidents and patients as arrays (see module docstring).

    ``incidents`` columns (one row per incident, sorted by ``t_injury``): t_injury, node,
    access_min, lon, lat, zone, mechanism, n_patients, first_patient, centre, routed_centre,
    witnessed, police_first, acn_equipped, aml_covered, location_problem, video_first_aid
    and pre-drawn minutes: injury_to_call_min, acn_call_delay_min, handoff_min, ring_min,
    call_taking_min, location_problem_min, dispatch_decision_min, centre_transfer_min,
    aml_saving_min, video_first_aid_start_min, police_turnout_min, police_first_aid_start_min
    and uniforms u_police_first_aid, u_escort, u_prenotify_police.

    ``patients`` columns (one row per patient, grouped by incident): incident, injury_class,
    iss, rts, age_years, male, severe, true_priority, triage_priority, transport_needed,
    entrapped, turnout_min, on_scene_min, handover_min, definitive_min_<tier>,
    surgery_min, transfer_decision_min, u_undertriage, u_overtriage, consult_min,
    preactivation_saving_min, u_transfer_avoided, u_prenotify, prenotify_saving_min_<tier>;
    with ``[demand.mci]`` also start_tag, and mci_aid_activation_min with mutual aid.
    """

    incidents: dict[str, np.ndarray]
    patients: dict[str, np.ndarray]
    #: 120 calls that dispatch nothing, sorted by ``t_placed``: t_placed, centre, kind
    #: (index into NON_DISPATCH_KINDS), ring_min, seat_min (minutes held after pick-up).
    calls: dict[str, np.ndarray] = field(default_factory=lambda: _no_calls())

    @property
    def n_incidents(self) -> int:
        """Number of incidents."""
        return int(self.incidents["t_injury"].shape[0])

    @property
    def n_patients(self) -> int:
        """Number of patients."""
        return int(self.patients["incident"].shape[0])


def generate_demand(
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
    *,
    fixed: Mapping[str, np.ndarray] | None = None,
) -> Demand:
    """Draw all incidents and patients of one replication at once (all windows joined).

    The same demand as the windows of :func:`demand_windows` put together, whatever their
    size. The model reads the windows one at a time instead (sim/runs/replications.py).

    Parameters
    ----------
    spec, calls, fleet, destination, hospital, mechanisms, places, snapper, horizon_min,
    start_weekday, streams, fixed
        As for :func:`demand_windows`.

    Returns
    -------
    Demand
    """
    return join_demand(
        list(
            demand_windows(
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
        )
    )


def demand_windows(
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
    *,
    fixed: Mapping[str, np.ndarray] | None = None,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Iterator[Demand]:
    """The replication's demand, one window of ``window_days`` calendar days at a time.

    Every draw of chunk ``c`` (the week ``[c x CHUNK_MIN, (c + 1) x CHUNK_MIN)`` minutes)
    comes from that chunk's own streams (:meth:`~sim.core.rng.RandomStreams.chunk`), so the
    incidents do not depend on ``window_days``: the window only bounds how many
    not-yet-arrived incidents are held at once. Incident and patient indices run on across
    windows (window 2's first incident follows window 1's last). Each window holds the
    non-dispatch calls *placed* inside it: a duplicate call placed after its window ends
    moves on to the next one.

    Parameters
    ----------
    spec, calls, fleet, destination, hospital, mechanisms
        Scenario sections whose distributions are pre-drawn here.
    places
        From :func:`prepare_places`.
    snapper
        Snaps grid points to road nodes.
    horizon_min
        Simulated minutes.
    start_weekday
        Weekday of day 0 (0 = Monday).
    streams
        The replication's named random streams (day streams are derived from them; the
        rare mass-casualty incidents are drawn for the whole horizon from their own streams).
    fixed
        Incidents given instead of drawn (a replayed call log, sim/demand/trace.py): sorted
        arrays ``t``, ``mechanism``, ``node``, ``access_min``, ``lon``, ``lat`` and
        ``n_patients`` (-1 = draw). Every other draw is made as usual.
    window_days
        Calendar days per window, a multiple of :data:`CHUNK_DAYS`; default
        :data:`DEFAULT_WINDOW_DAYS`.

    Yields
    ------
    Demand
        One window's incidents (sorted by ``t_injury``), patients and calls.
    """
    if window_days < CHUNK_DAYS or window_days % CHUNK_DAYS:
        msg = f"window_days must be a positive multiple of {CHUNK_DAYS} (got {window_days})"
        raise ValueError(msg)
    n_chunks = max(1, math.ceil(horizon_min / CHUNK_MIN))
    per_window = window_days // CHUNK_DAYS
    mci = None if spec.mci is None else draw_mci_incidents(spec.mci, places, horizon_min, streams)
    if mci is not None:  # drawn kind by kind: in time order for the day slices
        order = np.argsort(mci["t"], kind="stable")
        mci = {k: v[order] for k, v in mci.items()}
    carry = _no_calls()  # duplicate calls placed after the window that drew them
    n_inc_total, n_pat_total = 0, 0
    for c0 in range(0, n_chunks, per_window):
        chunks = []
        for c in range(c0, min(c0 + per_window, n_chunks)):
            t0 = c * CHUNK_MIN
            chunks.append(
                _draw_chunk(
                    spec,
                    calls,
                    fleet,
                    destination,
                    hospital,
                    mechanisms,
                    places,
                    snapper,
                    horizon_min,
                    (start_weekday + c * CHUNK_DAYS) % 7,
                    t0,
                    streams.chunk(c),
                    fixed=_rows_in(fixed, "t", t0, t0 + CHUNK_MIN),
                    mci=_rows_in(mci, "t", t0, t0 + CHUNK_MIN),
                )
            )
        window = join_demand(chunks, renumber=True)
        n_inc_total += window.n_incidents
        if n_inc_total > spec.max_incidents_per_rep:
            raise UserError(
                f"demand: more than {spec.max_incidents_per_rep} incidents in one replication "
                f"exceed max_incidents_per_rep; shorten run.horizon_days"
            )
        last = c0 + per_window >= n_chunks
        w_end = math.inf if last else (c0 + per_window) * CHUNK_MIN
        pool = _join_calls([carry, window.calls])
        now = pool["t_placed"] < w_end
        carry = {k: v[~now] for k, v in pool.items()}
        yield _shift(
            Demand(window.incidents, window.patients, {k: v[now] for k, v in pool.items()}),
            n_inc_total - window.n_incidents,
            n_pat_total,
        )
        n_pat_total += window.n_patients


def join_demand(parts: list[Demand], *, renumber: bool = False) -> Demand:
    """Consecutive demand windows (or chunks) as one :class:`Demand`.

    Parameters
    ----------
    parts
        In time order.
    renumber
        True: each part's incident and patient indices start at 0 (chunks as drawn)
        and are moved on; False: they already run on (windows of :func:`demand_windows`).
    """
    if len(parts) == 1:
        return parts[0]
    if renumber:
        moved: list[Demand] = []
        n_i, n_p = 0, 0
        for part in parts:
            moved.append(_shift(part, n_i, n_p))
            n_i += part.n_incidents
            n_p += part.n_patients
        parts = moved
    inc = {k: np.concatenate([d.incidents[k] for d in parts]) for k in parts[0].incidents}
    pat = {k: np.concatenate([d.patients[k] for d in parts]) for k in parts[0].patients}
    return Demand(inc, pat, _join_calls([d.calls for d in parts]))


def _shift(d: Demand, n_inc: int, n_pat: int) -> Demand:
    """``d`` with incident indices moved up by ``n_inc`` and patient indices by ``n_pat``."""
    if not (n_inc or n_pat):
        return d
    inc = dict(d.incidents)
    inc["first_patient"] = inc["first_patient"] + n_pat
    pat = dict(d.patients)
    pat["incident"] = pat["incident"] + n_inc
    return Demand(inc, pat, d.calls)


def _join_calls(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Non-dispatch call tables joined and sorted by ``t_placed`` (stable)."""
    parts = [c for c in parts if c["t_placed"].shape[0]]
    if not parts:
        return _no_calls()
    joined = {k: np.concatenate([c[k] for c in parts]) for k in parts[0]}
    order = np.argsort(joined["t_placed"], kind="stable")
    return {k: v[order] for k, v in joined.items()}


def _rows_in(
    table: Mapping[str, np.ndarray] | None, col: str, lo: float, hi: float
) -> dict[str, np.ndarray] | None:
    """Rows of ``table`` (sorted by ``col``) with ``lo <= col < hi``; None stays None."""
    if table is None:
        return None
    a, b = np.searchsorted(table[col], [lo, hi], side="left")
    return {k: v[a:b] for k, v in table.items()}


def _draw_chunk(
    spec: DemandSpec,
    calls: CallSpec,
    fleet: FleetSpec,
    destination: DestinationSpec,
    hospital: HospitalSpec,
    mechanisms: MechanismsSpec,
    places: Places,
    snapper: Snapper,
    horizon_min: float,
    weekday: int,
    t0_min: float,
    streams: RandomStreams,
    *,
    fixed: Mapping[str, np.ndarray] | None,
    mci: Mapping[str, np.ndarray] | None,
) -> Demand:
    """One chunk's demand (:data:`CHUNK_DAYS` days from ``t0_min``, its own streams), from 0.

    The whole chunk's arrivals are drawn (then those at or after ``horizon_min`` dropped), so
    a shorter horizon sees a prefix of the same incidents.
    """
    hour_w = np.asarray(spec.hour_profile, float)
    day_w = np.asarray(spec.weekday_profile, float)
    rates = {
        RTC: spec.rtc_incidents_per_day,
        FALL: spec.fall_incidents_per_day,
        OTHER_INJURY: spec.other_injury_incidents_per_day,
        NON_TRAUMA: spec.non_trauma_incidents_per_day,
    }
    names = {RTC: "rtc", FALL: "fall", OTHER_INJURY: "other", NON_TRAUMA: "non_trauma"}
    t_parts, m_parts, node_parts, acc_parts, lon_parts, lat_parts = [], [], [], [], [], []
    for mech, rate in rates.items():
        t = t0_min + arrival_times(
            rate, hour_w, day_w, CHUNK_MIN, weekday, streams[f"arrivals_{names[mech]}"]
        )
        n = t.shape[0]
        if mech == RTC:
            rng = streams["crash_location"]
            e = np.searchsorted(places.edge_cum_weight, rng.random(n), side="right")
            e = np.minimum(e, places.edge_cum_weight.shape[0] - 1)
            frac = rng.random(n)
            node = places.edge_src[e]
            acc = frac * places.edge_travel_min[e]
            lon, lat = places.node_lon[node], places.node_lat[node]
        elif places.grid_cum_weight is not None:
            assert places.grid_lon is not None
            assert places.grid_lat is not None
            rng = streams[f"location_{names[mech]}"]
            c = np.searchsorted(places.grid_cum_weight, rng.random(n), side="right")
            c = np.minimum(c, places.grid_cum_weight.shape[0] - 1)
            dx, dy = (rng.random((2, n)) - 0.5) * 2 * places.grid_half_m
            k = 180.0 / math.pi / EARTH_RADIUS_M
            lat = places.grid_lat[c] + dy * k
            lon = places.grid_lon[c] + dx * k / np.cos(np.radians(places.grid_lat[c]))
            node, _, acc = snapper.snap_arrays(lon, lat, ["grid point"] * n)
        else:
            rng = streams[f"location_{names[mech]}"]
            node = rng.integers(0, places.node_lon.shape[0], n)
            acc = np.zeros(n)
            lon, lat = places.node_lon[node], places.node_lat[node]
        t_parts.append(t)
        m_parts.append(np.full(n, mech, np.int8))
        node_parts.append(np.asarray(node, np.int64))
        acc_parts.append(np.asarray(acc, float))
        lon_parts.append(np.asarray(lon, float))
        lat_parts.append(np.asarray(lat, float))
    if fixed is not None:  # the arrival streams were still drawn: other streams unchanged
        t_parts, m_parts = [fixed["t"]], [np.asarray(fixed["mechanism"], np.int8)]
        node_parts, acc_parts = [fixed["node"]], [fixed["access_min"]]
        lon_parts, lat_parts = [fixed["lon"]], [fixed["lat"]]
    # Mass-casualty crashes (sim/demand/mci.py), drawn for the horizon: this chunk's, if any.
    if mci is not None:
        n_ordinary = sum(p.shape[0] for p in t_parts)
        for col, parts in (("t", t_parts), ("node", node_parts), ("access_min", acc_parts)):
            parts.append(mci[col])
        lon_parts.append(mci["lon"])
        lat_parts.append(mci["lat"])
        m_parts.append(np.full(mci["t"].shape[0], RTC, np.int8))

    t_inj = np.concatenate(t_parts)
    order = np.argsort(t_inj, kind="stable")
    inc: dict[str, np.ndarray] = {
        "t_injury": t_inj[order],
        "mechanism": np.concatenate(m_parts)[order],
        "node": np.concatenate(node_parts)[order],
        "access_min": np.concatenate(acc_parts)[order],
        "lon": np.concatenate(lon_parts)[order],
        "lat": np.concatenate(lat_parts)[order],
    }
    n_inc = inc["t_injury"].shape[0]
    mech_of = inc["mechanism"]
    is_rtc = mech_of == RTC
    is_trauma = mech_of != NON_TRAUMA
    inc["zone"] = _zone(inc["lon"], inc["lat"], places.urban_centres)

    # Patients per incident (crashes may have several).
    counts = np.array([int(k) for k in spec.patients_per_crash], int)
    probs = np.array(list(spec.patients_per_crash.values()), float)
    n_pat = np.ones(n_inc, np.int32)
    rng = streams["patients_per_crash"]
    draw = counts[
        np.searchsorted(np.cumsum(probs) / probs.sum(), rng.random(n_inc), side="right").clip(
            0, counts.size - 1
        )
    ]
    n_pat[is_rtc] = draw[is_rtc]
    if fixed is not None:
        given = np.asarray(fixed["n_patients"], np.int32)[order]
        n_pat = np.where(given >= 1, given, n_pat).astype(np.int32)
    if mci is not None:
        kind = np.concatenate([np.full(n_ordinary, -1, np.int8), mci["kind"]])[order]
        size = np.concatenate([np.zeros(n_ordinary, np.int32), mci["n_patients"]])[order]
        inc["mci_kind"], n_pat = kind, np.where(kind >= 0, size, n_pat).astype(np.int32)
    inc["n_patients"] = n_pat
    inc["first_patient"] = (np.cumsum(n_pat) - n_pat).astype(np.int64)  # also for no incident

    # Jurisdiction: the nearest centre; a share of calls reaches the wrong one.
    x, y = _local_xy(inc["lon"], inc["lat"], float(np.mean(places.centre_lat)))
    cx, cy = _local_xy(places.centre_lon, places.centre_lat, float(np.mean(places.centre_lat)))
    d2 = (x[:, None] - cx[None, :]) ** 2 + (y[:, None] - cy[None, :]) ** 2
    home = np.argmin(d2, axis=1)
    rng = streams["centre_routing"]
    u_wrong, u_other = rng.random((2, n_inc))
    n_c = places.centre_lon.shape[0]
    routed = home.copy()
    if n_c > 1:
        wrong = u_wrong < calls.wrong_centre_share
        other = (home + 1 + np.floor(u_other * (n_c - 1)).astype(int)) % n_c
        routed[wrong] = other[wrong]
    inc["centre"] = home
    inc["routed_centre"] = routed
    inc["centre_transfer_min"] = _draw(calls.transfer_min, streams["centre_transfer_min"], n_inc)

    # Who calls, and when.
    cal = calls.caller
    rng = streams["caller"]
    u_witness, u_police = rng.random((2, n_inc))
    inc["witnessed"] = ~(is_trauma & (u_witness < cal.unwitnessed_share))
    inc["police_first"] = is_rtc & (u_police < cal.rtc_police_first_share)
    wit = _draw(cal.witnessed_delay_min, streams["injury_to_call_min"], n_inc)
    unwit = _draw(cal.unwitnessed_delay_min, streams["unwitnessed_delay_min"], n_inc)
    # Non-trauma calls start at the call (t_injury = onset of the emergency call).
    inc["injury_to_call_min"] = np.where(is_trauma, np.where(inc["witnessed"], wit, unwit), 0.0)
    inc["handoff_min"] = _draw(cal.police_handoff_min, streams["police_handoff_min"], n_inc)
    inc["ring_min"] = _draw(calls.ring_min, streams["ring_min"], n_inc)
    inc["call_taking_min"] = _draw(calls.call_taking_min, streams["call_taking_min"], n_inc)
    inc["location_problem"] = np.asarray(
        streams["location_problem"].random(n_inc) < calls.location_problem_share
    )
    inc["location_problem_min"] = _draw(
        calls.location_problem_min, streams["location_problem_min"], n_inc
    )
    inc["dispatch_decision_min"] = _draw(
        calls.dispatch_decision_min, streams["dispatch_decision_min"], n_inc
    )

    # Mechanism draws (made whether or not the mechanism is on: common random numbers).
    ip = mechanisms.internet_plus_120
    rng = streams["internet_plus_120"]
    u_acn, u_aml, u_aml_fix, u_video = rng.random((4, n_inc))
    inc["acn_equipped"] = is_rtc & (u_acn < ip.acn_equipped_share)
    inc["aml_covered"] = u_aml < ip.aml_coverage
    inc["aml_fixes_location"] = u_aml_fix < ip.aml_location_problem_removed
    inc["video_first_aid"] = is_trauma & (u_video < ip.video_first_aid_share)
    inc["acn_call_delay_min"] = _draw(ip.acn_call_delay_min, streams["acn_call_delay_min"], n_inc)
    inc["aml_saving_min"] = _draw(ip.aml_location_saving_min, streams["aml_saving_min"], n_inc)
    inc["video_first_aid_start_min"] = _draw(
        ip.video_first_aid_start_min, streams["video_first_aid_start_min"], n_inc
    )
    pl = mechanisms.police_linkage
    rng = streams["police_linkage"]
    u_pfa, u_esc, u_pn = rng.random((3, n_inc))
    inc["police_first_aid"] = u_pfa < pl.police_first_aid_share
    inc["escorted"] = u_esc < pl.escort_share
    inc["police_prenotify"] = u_pn < pl.prenotify_share
    inc["police_turnout_min"] = _draw(pl.police_turnout_min, streams["police_turnout_min"], n_inc)
    inc["police_scene_min"] = _draw(pl.police_scene_min, streams["police_scene_min"], n_inc)
    inc["police_first_aid_start_min"] = _draw(
        pl.police_first_aid_start_min, streams["police_first_aid_start_min"], n_inc
    )

    # Patients.
    n_p = int(n_pat.sum())
    p_inc = np.repeat(np.arange(n_inc), n_pat)
    p_mech = mech_of[p_inc]
    pat: dict[str, np.ndarray] = {"incident": p_inc}
    cls = np.full(n_p, INJURY_CLASS_CODE["none"], np.int8)
    iss = np.zeros(n_p, np.int16)
    rts = np.full(n_p, 7.8408)
    age = np.zeros(n_p)
    male = np.zeros(n_p, bool)
    mix_by = {RTC: spec.case_mix.rtc, FALL: spec.case_mix.fall, OTHER_INJURY: spec.case_mix.other}
    for m, mix in mix_by.items():
        sel = np.flatnonzero(p_mech == m)
        cm = _case_mix(
            mix, spec.case_mix.severe_class_shares, sel.size, streams[f"case_mix_{names[m]}"]
        )
        cls[sel], iss[sel], rts[sel] = cm["injury_class"], cm["iss"], cm["rts"]
        age[sel], male[sel] = cm["age_years"], cm["male"]
    nt = np.flatnonzero(p_mech == NON_TRAUMA)
    rng = streams["non_trauma_patients"]
    age[nt] = np.clip(65 + 18 * rng.standard_normal(nt.size), 1, 100)
    male[nt] = rng.random(nt.size) < 0.55
    pat.update(injury_class=cls, iss=iss, rts=rts, age_years=age, male=male)
    if spec.mci is not None:  # START colours replace the case mix of MCI patients
        sh = spec.case_mix.severe_class_shares
        pat["start_tag"] = start_triage(spec.mci, inc["mci_kind"], p_inc, pat, sh, streams)
    severe = iss >= 16
    imm = cls == INJURY_CLASS_CODE["IMM"]
    pat["severe"] = severe & ~imm

    # Priority: true from the case; the call-taker gets it right with triage_accuracy.
    true_p = np.where(severe | imm, 1, 2).astype(np.int8)
    rng = streams["non_trauma_priority"]
    cum = np.cumsum(spec.case_mix.non_trauma_priority_shares)
    true_p[nt] = (np.searchsorted(cum / cum[-1], rng.random(nt.size), side="right") + 1).clip(1, 3)
    rng = streams["triage"]
    u_ok, u_dir = rng.random((2, n_p))
    off = np.where(u_dir < 0.5, -1, 1)
    off = np.where(true_p == 1, 1, np.where(true_p == 3, -1, off))
    tri = np.where(u_ok < calls.triage_accuracy, true_p, true_p + off).astype(np.int8)
    # A crash's patients share one call: the call's priority is its most urgent patient's.
    inc_prio = np.full(n_inc, 3, np.int8)
    np.minimum.at(inc_prio, p_inc, tri)
    pat["true_priority"] = true_p
    pat["triage_priority"] = inc_prio[p_inc]

    rng = streams["transport_decision"]
    u_nt = rng.random(n_p)
    not_tx = np.where(
        p_mech == NON_TRAUMA,
        u_nt < fleet.not_transported_share_non_trauma,
        (~severe) & (u_nt < fleet.not_transported_share_minor),
    )
    pat["transport_needed"] = ~(not_tx | imm)
    if spec.mci is not None:
        tx, prio = pat["transport_needed"], pat["triage_priority"]
        start_dispatch_needs(spec.mci, pat["start_tag"], prio, tx, streams)
    pat["entrapped"] = (p_mech == RTC) & (
        streams["entrapment"].random(n_p) < fleet.entrapment_share_rtc
    )
    pat["turnout_min"] = _draw(fleet.turnout_min, streams["turnout_min"], n_p)
    scene = np.where(
        p_mech == NON_TRAUMA,
        _draw(fleet.non_trauma_on_scene_min, streams["non_trauma_on_scene_min"], n_p),
        _draw(fleet.on_scene_min, streams["on_scene_min"], n_p),
    )
    extra = _draw(fleet.entrapment_extra_min, streams["entrapment_extra_min"], n_p)
    pat["on_scene_min"] = scene + np.where(pat["entrapped"], extra, 0.0)
    pat["handover_min"] = _draw(fleet.handover_min, streams["handover_min"], n_p)
    for tier in TIERS:
        pat[f"definitive_min_{tier}"] = _draw(
            hospital.arrival_to_definitive_min[tier], streams[f"definitive_min_{tier}"], n_p
        )
    minor_def = _draw(
        hospital.minor_arrival_to_definitive_min, streams["minor_definitive_min"], n_p
    )
    for tier in TIERS:
        pat[f"definitive_min_{tier}"] = np.where(severe, pat[f"definitive_min_{tier}"], minor_def)
    pat["surgery_min"] = _draw(hospital.surgery_min, streams["surgery_min"], n_p)
    pat["transfer_decision_min"] = _draw(
        hospital.transfer_decision_min, streams["transfer_decision_min"], n_p
    )
    rng = streams["field_triage"]
    pat["u_undertriage"], pat["u_overtriage"] = rng.random((2, n_p))
    ec = mechanisms.expert_consultation
    pat["consult_min"] = _draw(ec.consult_min, streams["consult_min"], n_p)
    pat["preactivation_saving_min"] = _draw(
        ec.preactivation_saving_min, streams["preactivation_saving_min"], n_p
    )
    pat["u_transfer_avoided"] = streams["transfer_avoided"].random(n_p)
    if spec.mci is not None and spec.mci.mutual_aid is not None:
        # Minutes until a mutual-aid unit could leave for this patient (sim/model/mci.py).
        pat["mci_aid_activation_min"] = _draw(
            spec.mci.mutual_aid.activation_min, streams["mci_mutual_aid_min"], n_p
        )
    pn = mechanisms.prenotification
    pat["u_prenotify"] = streams["prenotify"].random(n_p)
    for tier in TIERS:
        pat[f"prenotify_saving_min_{tier}"] = _draw(
            pn.saving_min[tier], streams[f"prenotify_saving_min_{tier}"], n_p
        )
    _ = destination  # field-triage rates are applied in the model to these uniforms
    nd = non_dispatch_calls(
        spec.non_dispatch_calls,
        calls,
        inc,
        total_rate_per_day=sum(rates.values()),
        hour_w=hour_w,
        day_w=day_w,
        horizon_min=horizon_min,
        start_weekday=weekday,
        streams=streams,
        t0_min=t0_min,
    )
    # Every draw was made for the whole chunk; the incidents from the horizon on are dropped
    # now (their calls are placed after it), so a shorter horizon sees a prefix of these.
    keep = int(np.searchsorted(inc["t_injury"], horizon_min, side="left"))
    if keep < n_inc:
        n_keep = int(inc["first_patient"][keep])
        inc = {k: v[:keep] for k, v in inc.items()}
        pat = {k: v[:n_keep] for k, v in pat.items()}
    return Demand(incidents=inc, patients=pat, calls=nd)


def _no_calls() -> dict[str, np.ndarray]:
    return {
        "t_placed": np.zeros(0),
        "centre": np.zeros(0, np.int64),
        "kind": np.zeros(0, np.int64),
        "ring_min": np.zeros(0),
        "seat_min": np.zeros(0),
    }


def non_dispatch_calls(
    spec: NonDispatchCallsSpec,
    calls: CallSpec,
    inc: dict[str, np.ndarray],
    *,
    total_rate_per_day: float,
    hour_w: np.ndarray,
    day_w: np.ndarray,
    horizon_min: float,
    start_weekday: int,
    streams: RandomStreams,
    t0_min: float = 0.0,
) -> dict[str, np.ndarray]:
    """Draw the 120 calls that lead to no dispatch (they only hold a call-taker seat).

    Duplicates follow their incident: a Poisson number per incident, each placed a
    ``duplicate_delay_min`` draw after the incident's own call, at its centre. Advice, hang-ups and
    transfers are Poisson processes at ``rate x dispatch calls per day`` with the demand's
    hour and weekday profile; each goes to the centre of a random incident, so centres see
    them in proportion to their dispatch load.

    Parameters
    ----------
    spec
        ``[demand.non_dispatch_calls]``.
    calls
        ``[calls]`` (the ring time once a seat is free applies to these calls too).
    inc
        The replication's incident arrays (t_injury, injury_to_call_min, centre).
    total_rate_per_day
        Dispatch calls (incidents) per day over all mechanisms.
    hour_w, day_w, start_weekday
        As for :func:`arrival_times`; the Poisson calls are drawn for the demand chunk
        (:data:`CHUNK_DAYS` days) starting at ``t0_min`` (``start_weekday``: its first day's).
    horizon_min
        Calls placed at or after it are left out.
    streams
        The replication's named random streams (one per kind, so the dispatch draws are
        unchanged when these rates change).

    Returns
    -------
    dict of numpy arrays
        t_placed, centre, kind, ring_min, seat_min, sorted by t_placed, t_placed < horizon.
    """
    n_inc = int(inc["t_injury"].shape[0])
    rates = spec.per_dispatch_call()
    handling = spec.handling_min()
    t_parts, c_parts, k_parts = [], [], []
    for k, kind in enumerate(NON_DISPATCH_KINDS):
        rate = rates[kind]
        if rate <= 0 or n_inc == 0:
            continue
        rng = streams[f"non_dispatch_{kind}"]
        if kind == "duplicate":
            n_dup = rng.poisson(rate, n_inc)
            src = np.repeat(np.arange(n_inc), n_dup)
            delay = _draw(spec.duplicate_delay_min, streams["duplicate_delay_min"], src.size)
            t = inc["t_injury"][src] + inc["injury_to_call_min"][src] + delay
            centre = inc["centre"][src]
        else:
            t = t0_min + arrival_times(
                rate * total_rate_per_day, hour_w, day_w, CHUNK_MIN, start_weekday, rng
            )
            centre = inc["centre"][rng.integers(0, n_inc, t.size)]
        t_parts.append(t)
        c_parts.append(np.asarray(centre, np.int64))
        k_parts.append(np.full(t.size, k, np.int64))
    if not t_parts:
        return _no_calls()
    t_all = np.concatenate(t_parts)
    c_all = np.concatenate(c_parts)
    k_all = np.concatenate(k_parts)
    seat = np.zeros(t_all.size)
    for k, kind in enumerate(NON_DISPATCH_KINDS):
        sel = np.flatnonzero(k_all == k)
        if sel.size:
            seat[sel] = _draw(handling[kind], streams[f"non_dispatch_{kind}_min"], sel.size)
    ring = _draw(calls.ring_min, streams["non_dispatch_ring_min"], t_all.size)
    order = np.argsort(t_all, kind="stable")
    keep = order[t_all[order] < horizon_min]
    return {
        "t_placed": t_all[keep],
        "centre": c_all[keep],
        "kind": k_all[keep],
        "ring_min": ring[keep],
        "seat_min": seat[keep],
    }


DAY_MIN = MINUTES_PER_DAY
