"""Every shipped scenario validates and runs a short horizon ("the code runs" smoke test).

Scenarios on real OpenStreetMap extracts need the shared data (``TRAUMA_SIM_DATA``) and are
skipped without it. Variants that only switch mechanisms share their base's world (network,
facilities, travel tables), which is built once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import ALL_STATUSES, SCENARIOS_DIR

from sim.cli import main
from sim.config.scenario import Scenario, load_scenario, validate_files
from sim.runs.study import run_scenario_tables
from sim.runs.world import World, build_world

SHIPPED = sorted(SCENARIOS_DIR.glob("*.toml"))
SHORT = ["run.horizon_days=1", "run.warm_up_days=0"]
_WORLDS: dict[str, World] = {}


def needs_shared_data(s: Scenario) -> bool:
    """True when the scenario reads a network or a file from the data path."""
    tables = [
        s.facilities.centres,
        s.facilities.stations,
        s.facilities.hospitals,
        s.facilities.police_posts,
    ]
    return (
        not s.network.source.startswith(("synthetic_county", "synthetic_province"))
        or (s.demand.population_grid is not None and s.demand.population_grid.on_data_path)
        or any(t is not None and t.on_data_path for t in tables)
    )


def world_key(s: Scenario) -> str:
    """What build_world reads: equal keys give equal worlds."""
    fac = {}
    for kind, table in s.facilities:
        if table is None:
            continue
        d = table.model_dump(mode="json")
        for field in ("file", "attributes"):
            if d.get(field) and not (field == "file" and table.on_data_path):
                d[field] = str((s.base_dir / d[field]).resolve())
        fac[kind] = d
    parts = {
        "network": s.network.model_dump(mode="json"),
        "travel": s.travel.model_dump(mode="json"),
        "demand": s.demand.model_dump(mode="json"),
        "facilities": fac,
    }
    return json.dumps(parts, sort_keys=True)


def test_there_are_shipped_scenarios() -> None:
    assert len(SHIPPED) >= 2
    assert any(not needs_shared_data(load_scenario(p)) for p in SHIPPED)


def test_every_shipped_scenario_validates() -> None:
    assert validate_files(SHIPPED) == []


def test_cli_validate_schema_of_all(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--schema-only", *map(str, SHIPPED)])
    assert exc.value.code in (0, None), capsys.readouterr().err


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_runs(path: Path, request: pytest.FixtureRequest, cache_dir: Path) -> None:
    scenario = load_scenario(path, SHORT)
    data_dir = None
    if needs_shared_data(scenario):
        data_dir = request.getfixturevalue("shared_data_dir")
    key = world_key(scenario)
    if key not in _WORLDS:
        _WORLDS[key] = build_world(scenario, data_dir=data_dir, cache_dir=cache_dir)
    tables = run_scenario_tables(
        scenario, replications=1, world=_WORLDS[key], data_dir=data_dir, cache_dir=cache_dir
    )
    inc = tables.incidents
    assert len(inc) > 0
    assert set(inc["status"]) <= ALL_STATUSES
    assert (inc["status"] != "in_progress").any()
    assert tables.manifest["scenario"] == scenario.name
    assert tables.manifest["replications"] == 1
    assert set(tables.kpis["metric"]) >= {"response_min_mean", "ambulance_utilisation"}
    util = tables.kpis.set_index("metric").loc["ambulance_utilisation", "mean"]
    assert 0 <= util <= 1
