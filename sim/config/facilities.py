"""Facilities from the scenario: 120 centres, ambulance stations, hospitals, police posts.

Each kind comes from a CSV file (scenario folder, or the data path for shared files such as
``hangzhou_hospitals.csv``) or from inline TOML rows, with WGS-84 ``lon``/``lat``. An optional
``attributes`` CSV in the scenario folder is joined on ``id``: it adds scenario assumptions
(e.g. a hospital's trauma tier) to a shared coordinate file and selects which rows are used.
Errors name the file, row and column.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from sim.config.spec_base import Spec
from sim.core.entities import TIERS
from sim.core.errors import UserError


class FacilityTable(Spec):
    """Where one kind of facility comes from: a CSV ``file`` or inline ``rows``."""

    file: str | None = Field(default=None, description="CSV file of facilities.")
    on_data_path: bool = Field(
        default=False,
        description="Look the file up on the data path (--data-dir, $TRAUMA_SIM_DATA) instead "
        "of the scenario folder.",
    )
    id_column: str = Field(default="id", description="Column holding the facility id.")
    name_column: str = Field(default="name", description="Column holding the name.")
    lon_column: str = Field(default="lon", description="Column holding WGS-84 longitude.")
    lat_column: str = Field(default="lat", description="Column holding WGS-84 latitude.")
    attributes: str | None = Field(
        default=None,
        description="CSV in the scenario folder joined on id: adds columns and keeps only its ids.",
    )
    rows: list[dict[str, Any]] | None = Field(
        default=None, description="Inline facilities (instead of a file)."
    )

    @model_validator(mode="after")
    def _one_source(self) -> FacilityTable:
        if (self.file is None) == (self.rows is None):
            raise ValueError("give exactly one of 'file' or 'rows'")
        return self


class FacilitiesSpec(Spec):
    """All facilities of the scenario (``[facilities]``)."""

    centres: FacilityTable = Field(description="120 dispatch centres: seats (call-takers).")
    stations: FacilityTable = Field(description="Ambulance stations: als, bls, optional shift.")
    hospitals: FacilityTable = Field(
        description="Hospitals: tier (trauma_centre|city|county), resus_bays, theatres."
    )
    police_posts: FacilityTable | None = Field(
        default=None, description="Police posts: units (used by the police-medical linkage)."
    )


@dataclass(frozen=True)
class Centre:
    """A 120 dispatch centre."""

    id: str
    name: str
    lon: float
    lat: float
    seats: int


@dataclass(frozen=True)
class Station:
    """An ambulance station."""

    id: str
    name: str
    lon: float
    lat: float
    als: int
    bls: int
    shift: str  # "24h" or "day" (08-20)


@dataclass(frozen=True)
class Hospital:
    """A receiving hospital."""

    id: str
    name: str
    lon: float
    lat: float
    tier: str
    resus_bays: int
    theatres: int


@dataclass(frozen=True)
class PolicePost:
    """A traffic-police post."""

    id: str
    name: str
    lon: float
    lat: float
    units: int


@dataclass(frozen=True)
class Facilities:
    """Validated facilities of a scenario."""

    centres: tuple[Centre, ...]
    stations: tuple[Station, ...]
    hospitals: tuple[Hospital, ...]
    police_posts: tuple[PolicePost, ...]


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None


def _rows(
    table: FacilityTable, kind: str, base_dir: Path, find: Callable[[str], Path]
) -> tuple[str, list[dict[str, Any]]]:
    """Rows of one facility table with canonical keys id/name/lon/lat + the rest."""
    if table.rows is not None:
        origin = f"[facilities.{kind}] rows"
        raw: list[dict[str, Any]] = [dict(r) for r in table.rows]
        columns = sorted({k for r in raw for k in r})
    else:
        assert table.file is not None
        path = find(table.file) if table.on_data_path else (base_dir / table.file)
        if not path.exists():
            raise UserError(f"facilities.{kind}.file: file not found ({path})")
        origin = str(path)
        columns, raw = _read_csv(path)
    for col in (table.id_column, table.lon_column, table.lat_column):
        if col not in columns:
            raise UserError(
                f"{origin}: missing column '{col}' for {kind} (columns: {', '.join(columns)})"
            )
    out = []
    for r in raw:
        row = dict(r)
        row["id"] = str(r[table.id_column]).strip()
        row["name"] = str(r.get(table.name_column, row["id"]) or row["id"])
        row["lon"] = r[table.lon_column]
        row["lat"] = r[table.lat_column]
        out.append(row)
    if table.attributes is not None:
        apath = base_dir / table.attributes
        if not apath.exists():
            raise UserError(f"facilities.{kind}.attributes: file not found ({apath})")
        acols, arows = _read_csv(apath)
        if "id" not in acols:
            raise UserError(f"{apath}: missing column 'id' (columns: {', '.join(acols)})")
        by_id = {row["id"]: row for row in out}
        joined = []
        for i, a in enumerate(arows, start=2):
            if a["id"] not in by_id:
                raise UserError(f"{apath}:{i} id: '{a['id']}' is not in {origin}")
            merged = dict(by_id[a["id"]])
            merged.update({k: v for k, v in a.items() if k != "id" and v not in ("", None)})
            joined.append(merged)
        out, origin = joined, f"{origin} + {apath}"
    if not out:
        raise UserError(f"{origin}: no {kind} listed")
    return origin, out


#: Upper bound of any per-facility count (units, seats, bays): 10x Shanghai's 175 stations'
#: whole fleet of 980 ambulances (evidence §3) would fit in one row; larger is a typo.
MAX_COUNT_PER_FACILITY = 10_000


def _at(origin: str, i: int) -> str:
    """Where data row ``i`` (1-based) is: ``file.csv:line``, else ``<origin> row i``.

    Line 1 of a CSV is its header; inline rows and joined attribute files have no line.
    """
    if origin.startswith("[") or " + " in origin:
        return f"{origin} row {i}"
    return f"{origin}:{i + 1}"


def _num(origin: str, i: int, row: dict[str, Any], col: str, kind: type, *, lo: float) -> Any:
    if col not in row or row[col] in ("", None):
        raise UserError(f"{_at(origin, i)} {col}: missing (required for this facility kind)")
    if isinstance(row[col], bool):  # inline rows: TOML true/false is not a number
        raise UserError(f"{_at(origin, i)} {col}: not a number ({row[col]!r})")
    try:
        as_float = float(row[col])
        value = int(as_float) if kind is int else as_float
    except (TypeError, ValueError, OverflowError):
        raise UserError(f"{_at(origin, i)} {col}: not a number ({row[col]!r})") from None
    hi = MAX_COUNT_PER_FACILITY if kind is int else math.inf
    if not math.isfinite(value) or not lo <= value <= hi or (kind is int and as_float != value):
        allowed = f"a whole number from {lo:g} to {hi:,}" if kind is int else f"a number >= {lo:g}"
        raise UserError(f"{_at(origin, i)} {col}: must be {allowed} (got {row[col]!r})")
    return value


def _coords(origin: str, i: int, row: dict[str, Any]) -> tuple[float, float]:
    lon = _num(origin, i, row, "lon", float, lo=-180)
    lat = _num(origin, i, row, "lat", float, lo=-90)
    if lon > 180:
        raise UserError(f"{_at(origin, i)} lon: must be from -180 to 180 (got {lon:g})")
    if lat > 90:
        raise UserError(f"{_at(origin, i)} lat: must be from -90 to 90 (got {lat:g})")
    return lon, lat


def load_facilities(
    spec: FacilitiesSpec, base_dir: Path, find_data_file: Callable[[str], Path]
) -> Facilities:
    """Read and validate every facility table of a scenario.

    Parameters
    ----------
    spec
        The ``[facilities]`` section.
    base_dir
        Folder of the scenario file (relative paths start here).
    find_data_file
        Resolves a file name on the data path (for ``on_data_path = true``).

    Returns
    -------
    Facilities
    """
    origin, rows = _rows(spec.centres, "centres", base_dir, find_data_file)
    origins = {"centres": origin}
    centres = []
    for i, r in enumerate(rows, start=1):
        lon, lat = _coords(origin, i, r)
        centres.append(Centre(r["id"], r["name"], lon, lat, _num(origin, i, r, "seats", int, lo=1)))

    origin, rows = _rows(spec.stations, "stations", base_dir, find_data_file)
    origins["stations"] = origin
    stations = []
    for i, r in enumerate(rows, start=1):
        lon, lat = _coords(origin, i, r)
        als = _num(origin, i, r, "als", int, lo=0) if r.get("als") not in (None, "") else 0
        bls = _num(origin, i, r, "bls", int, lo=0) if r.get("bls") not in (None, "") else 0
        shift = str(r.get("shift") or "24h")
        if shift not in ("24h", "day"):
            raise UserError(f"{_at(origin, i)} shift: must be '24h' or 'day' (got {shift!r})")
        stations.append(Station(r["id"], r["name"], lon, lat, als, bls, shift))
    if sum(s.als + s.bls for s in stations) == 0:
        raise UserError(f"{origin}: stations hold no ambulances (als + bls = 0)")

    origin, rows = _rows(spec.hospitals, "hospitals", base_dir, find_data_file)
    origins["hospitals"] = origin
    hospitals = []
    for i, r in enumerate(rows, start=1):
        lon, lat = _coords(origin, i, r)
        tier = str(r.get("tier", "")).strip()
        if tier not in TIERS:
            raise UserError(
                f"{_at(origin, i)} tier: must be one of {', '.join(TIERS)} (got {tier!r})"
            )
        hospitals.append(
            Hospital(
                r["id"],
                r["name"],
                lon,
                lat,
                tier,
                _num(origin, i, r, "resus_bays", int, lo=1),
                _num(origin, i, r, "theatres", int, lo=1),
            )
        )

    police: list[PolicePost] = []
    if spec.police_posts is not None:
        origin, rows = _rows(spec.police_posts, "police_posts", base_dir, find_data_file)
        origins["police_posts"] = origin
        for i, r in enumerate(rows, start=1):
            lon, lat = _coords(origin, i, r)
            police.append(
                PolicePost(r["id"], r["name"], lon, lat, _num(origin, i, r, "units", int, lo=1))
            )
    for kind, items in (
        ("centres", centres),
        ("stations", stations),
        ("hospitals", hospitals),
        ("police_posts", police),
    ):
        ids = [x.id for x in items]
        dup = sorted({x for x in ids if ids.count(x) > 1})
        if dup:
            where = origins.get(kind, f"[facilities.{kind}]")
            rows_of = [i for i, x in enumerate(ids, start=1) if x == dup[0]]
            raise UserError(
                f"{where} id: duplicate ids {dup} (rows {', '.join(map(str, rows_of))}); "
                "each facility needs its own id"
            )
    return Facilities(tuple(centres), tuple(stations), tuple(hospitals), tuple(police))
