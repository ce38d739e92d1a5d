"""Shared helpers for model tests: small scenarios on the synthetic county, written as TOML.

Test scenarios are plain dictionaries (the shape of a scenario file) built by
:func:`scenario_data`, adjusted with :func:`deep_merge` or ``--set``-style overrides, and
written into a temporary folder by :func:`write_scenario`, so every test goes through the
same loading and validation path a planner's file does. Facilities are inline ``rows``
(coordinates copied from scenarios/data/county_*.csv), so a test scenario needs no other file.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
from scipy import stats

from sim.config.scenario import Scenario, load_scenario
from sim.core.entities import TIERS
from sim.metrics.compute import incidents_table
from sim.model.state import PatientState
from sim.runs.replications import RunResult, replication_records
from sim.runs.world import World, build_world, fleet_allocation

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS_DIR = REPO_ROOT / "scenarios"
COUNTY_BASELINE = SCENARIOS_DIR / "county_baseline.toml"

#: One 120 centre at the county seat (seats set per scenario).
COUNTY_CENTRE = {"id": "C1", "name": "county 120", "lon": 119.64982, "lat": 29.10082}

#: Five of the county's stations, one unit each unless the fleet size spreads them.
COUNTY_STATIONS: list[dict[str, Any]] = [
    {"id": "S1", "lon": 119.65274, "lat": 29.10283, "als": 2, "bls": 1, "shift": "24h"},
    {"id": "S2", "lon": 119.64439, "lat": 28.91421, "als": 1, "bls": 0, "shift": "24h"},
    {"id": "S3", "lon": 119.84962, "lat": 29.06863, "als": 1, "bls": 0, "shift": "24h"},
    {"id": "S4", "lon": 119.74853, "lat": 29.30599, "als": 1, "bls": 0, "shift": "24h"},
    {"id": "S5", "lon": 119.42892, "lat": 29.05537, "als": 1, "bls": 0, "shift": "24h"},
]

#: The county general hospital (no neurosurgery) and the city trauma centre.
COUNTY_HOSPITALS: list[dict[str, Any]] = [
    {
        "id": "CH",
        "lon": 119.65274,
        "lat": 29.10283,
        "tier": "county",
        "resus_bays": 3,
        "theatres": 2,
    },
    {
        "id": "TC",
        "lon": 119.44045,
        "lat": 28.67406,
        "tier": "trauma_centre",
        "resus_bays": 6,
        "theatres": 4,
    },
]

COUNTY_POLICE: list[dict[str, Any]] = [
    {"id": "P1", "lon": 119.64982, "lat": 29.10082, "units": 2},
    {"id": "P2", "lon": 119.68073, "lat": 29.09007, "units": 1},
]

#: Facility CSVs of the bad-input cases: name beside the scenario -> file in scenarios/data.
BAD_CASE_FILES = {
    "centres.csv": "county_centres.csv",
    "stations.csv": "county_stations.csv",
    "hospitals.csv": "county_hospitals.csv",
    "police.csv": "county_police.csv",
    "grid.csv": "county_population_grid.csv",
}


def bad_case_base(name: str, *, police: bool = False, population_grid: bool = False) -> str:
    """The tiny valid scenario (county, two days, one replication) a bad-input case breaks.

    Its facility files sit beside it under the names of :data:`BAD_CASE_FILES`; with
    ``police`` and ``population_grid`` it also reads ``police.csv`` and ``grid.csv``.
    """
    police_line = 'police_posts = { file = "police.csv" }\n' if police else ""
    grid = (
        "\n[demand.population_grid]\n"
        'file = "grid.csv"\n'
        "on_data_path = false\n"
        'lon_column = "lon"\n'
        'lat_column = "lat"\n'
        'weight_column = "weight"\n'
    )
    return (
        f'name = "{name}"\n\n'
        '[network]\nsource = "synthetic_county"\n\n'
        "[run]\nhorizon_days = 2\nwarm_up_days = 0\nreplications = 1\n\n"
        "[facilities]\n"
        'centres = { file = "centres.csv" }\n'
        'stations = { file = "stations.csv" }\n'
        'hospitals = { file = "hospitals.csv" }\n'
        f"{police_line}\n"
        "[demand]\n"
        "rtc_incidents_per_day = 1.0\n"
        "fall_incidents_per_day = 1.0\n"
        "other_injury_incidents_per_day = 0.5\n"
        "non_trauma_incidents_per_day = 3.0\n"
        f"{grid if population_grid else ''}"
    )


def hand_built_state(
    inc: dict[str, list[Any]],
    pat: dict[str, list[Any]],
    *,
    definitive_min: Sequence[float] | None = None,
    prenotify_saving_min: float = 0.0,
) -> PatientState:
    """Run state for hand-written demand columns: one patient per incident, nothing yet done.

    For the per-actor tests (tests/test_actor_*.py): ``inc`` and ``pat`` hold only the
    columns the actor under test reads; definitive-care minutes (per patient, the same at
    every tier) default to NaN, and pre-notification saves ``prenotify_saving_min``.
    """
    n = len(next(iter(pat.values())))
    nan = [math.nan] * n
    definitive = list(definitive_min) if definitive_min is not None else nan
    return PatientState(
        inc={"first_patient": list(range(n)), "n_patients": [1] * n, **inc},
        pat=pat,
        n_incidents=n,
        n_patients=n,
        t_on_scene=list(nan),
        t_first_aid=list(nan),
        t_consult_start=list(nan),
        prenotified=[False] * n,
        capable_by_guidance=[False] * n,
        t_police_on_scene=list(nan),
        definitive_by_tier={t: list(definitive) for t in TIERS},
        prenotify_by_tier={t: [prenotify_saving_min] * n for t in TIERS},
    )


FLAT_HOURS = [1.0] * 24
FLAT_WEEKDAYS = [1.0] * 7

#: Statuses a patient may end a run in.
FINAL_STATUSES = {"completed", "dead_on_scene", "not_transported"}
ALL_STATUSES = FINAL_STATUSES | {"in_progress"}


def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``over`` merged in: tables recursively, other values replaced."""
    out = copy.deepcopy(dict(base))
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict) and "dist" not in v:
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def scenario_data(
    name: str = "test",
    *,
    horizon_days: float = 2.0,
    warm_up_days: float = 0.0,
    replications: int = 2,
    seed: int = 12345,
    seats: int = 2,
    ambulances: int | None = None,
    rtc: float = 2.0,
    fall: float = 1.0,
    other: float = 0.7,
    non_trauma: float = 6.0,
    stations: Sequence[Mapping[str, Any]] = COUNTY_STATIONS,
    police: bool = True,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A complete small scenario on the synthetic county, as a TOML-shaped dict.

    Parameters
    ----------
    name
        Scenario name.
    horizon_days, warm_up_days, replications, seed
        The ``[run]`` section.
    seats
        Call-taker seats at the one 120 centre.
    ambulances
        ``fleet.ambulances`` (None: the stations' own counts, 6 units).
    rtc, fall, other, non_trauma
        Incidents per day by mechanism.
    stations
        Station rows.
    police
        Include the police posts (needed by the linkage mechanism).
    extra
        Further sections merged over the result (see :func:`deep_merge`).
    """
    data: dict[str, Any] = {
        "name": name,
        "network": {"source": "synthetic_county"},
        "run": {
            "horizon_days": horizon_days,
            "warm_up_days": warm_up_days,
            "replications": replications,
            "seed": seed,
        },
        "facilities": {
            "centres": {"rows": [{**COUNTY_CENTRE, "seats": seats}]},
            "stations": {"rows": [dict(s) for s in stations]},
            "hospitals": {"rows": [dict(h) for h in COUNTY_HOSPITALS]},
        },
        "demand": {
            "rtc_incidents_per_day": rtc,
            "fall_incidents_per_day": fall,
            "other_injury_incidents_per_day": other,
            "non_trauma_incidents_per_day": non_trauma,
        },
    }
    if police:
        data["facilities"]["police_posts"] = {"rows": [dict(p) for p in COUNTY_POLICE]}
    if ambulances is not None:
        data["fleet"] = {"ambulances": ambulances}
    if extra:
        data = deep_merge(data, extra)
    return data


def write_scenario(folder: Path, data: Mapping[str, Any], filename: str | None = None) -> Path:
    """Write ``data`` as a TOML scenario file into ``folder`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (filename or f"{data.get('name', 'test')}.toml")
    path.write_text(tomli_w.dumps(dict(data)), encoding="utf-8")
    return path


def make_scenario(
    folder: Path, overrides: Sequence[str] = (), filename: str | None = None, **kwargs: Any
) -> Scenario:
    """Write :func:`scenario_data` ``(**kwargs)`` into ``folder`` and load it (with overrides)."""
    path = write_scenario(folder, scenario_data(**kwargs), filename)
    return load_scenario(path, list(overrides))


def run(
    scenario: Scenario, replications: int | None = None, world: World | None = None
) -> tuple[World, list[RunResult]]:
    """Build the world (unless given) and run replications serially."""
    world = world or build_world(scenario)
    return world, replication_records(scenario, replications=replications, world=world)


def patient_table(scenario: Scenario, world: World, result: RunResult) -> pd.DataFrame:
    """The incidents table (one row per patient) of one replication."""
    fac = world.facilities
    units = fleet_allocation(fac, scenario.fleet.ambulances)
    return incidents_table(
        result.replication,
        result.demand.incidents,
        result.demand.patients,
        result.events,
        hospital_ids=[h.id for h in fac.hospitals],
        hospital_tiers=[h.tier for h in fac.hospitals],
        capable_tiers=scenario.hospital.capable_tiers,
        unit_station_ids=[fac.stations[s].id for s, _, _ in units],
    )


def t_half_width(values: Sequence[float] | np.ndarray, level: float) -> tuple[float, float]:
    """Mean and half-width of the two-sided ``level`` t-interval of replication values."""
    x = np.asarray(values, dtype=float)
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return float(x.mean()), half


def erlang_c(servers: int, offered_erlangs: float) -> float:
    """Erlang C: probability an arriving call waits in an M/M/c queue."""
    c, a = servers, offered_erlangs
    if a >= c:
        raise ValueError("unstable queue: offered load must be below the number of servers")
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
