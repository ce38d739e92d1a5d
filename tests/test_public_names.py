"""Names that say what they return, the old names kept as aliases, one ``period_of``.

Issue 15 renamed the ``run_*`` functions and split ``sim/plotting/maps.py``; callers and
notebooks written against the old names must keep working, and the one routing-period
helper must agree with the travel tables' own look-ups.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
import sim.network as network
from sim.core.units import hour_of, period_of
from sim.runs import replications, study, tables
from sim.runs.world import World, build_world
from tests.helpers import COUNTY_BASELINE

#: The public names of ``sim/plotting/maps.py`` before it was split (notebooks use them).
MAPS_NAMES_BEFORE_SPLIT = tuple(
    """
    BAND_COLOURS DODGE_RADIUS DODGE_TOLERANCE FACILITY_KINDS FACILITY_STYLE FACILITY_ZORDER
    HOSPITAL_TIERS INTERACTIVE_SEGMENT_LIMIT MAJOR_CLASSES MAP_BOTTOM_STRIP MAP_PAD
    RIGHT_LEGEND_IN ROAD_GROUP_OF ROAD_STYLE TALL_ASPECT UNREACHABLE_COLOUR coverage_map
    dodge_positions draw_facilities draw_roads incident_map interactive_map road_map
    undirected_segments
    """.split()  # noqa: SIM905 - a frozen snapshot, easier to read as words
)


def test_public_api_keeps_old_run_names_as_aliases() -> None:
    assert sim.run_replication is sim.run_replication_tables
    assert sim.run_experiment is sim.run_experiment_tables
    for name in ("run_replication_tables", "run_experiment_tables"):
        assert name in sim.__all__
        assert getattr(sim, name).__annotations__["return"] == "RunTables"


def test_runs_layer_names_say_what_they_return() -> None:
    assert replications.run_replication is replications.replication_record
    assert replications.run_experiment is replications.replication_records
    assert study.run_scenario is tables.run_scenario_tables
    assert study.run_scenario_tables is tables.run_scenario_tables
    returns = replications.replication_record.__annotations__["return"]
    assert returns == "RunResult"
    assert tables.run_scenario_tables.__annotations__["return"] == "RunTables"


def test_maps_module_reexports_every_name_it_had() -> None:
    maps = importlib.import_module("sim.plotting.maps")
    missing = [n for n in MAPS_NAMES_BEFORE_SPLIT if not hasattr(maps, n)]
    assert not missing
    assert set(MAPS_NAMES_BEFORE_SPLIT) <= set(maps.__all__)
    # Each name is the split module's object, not a copy.
    from sim.plotting import interactive, map_axes, static_maps

    assert maps.road_map is static_maps.road_map
    assert maps.interactive_map is interactive.interactive_map
    assert maps.draw_roads is map_axes.draw_roads


def test_network_layer_no_longer_draws() -> None:
    assert not (Path(sim.__file__).parent / "network" / "plot.py").exists()
    assert not hasattr(network, "plot_network")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    scenario = sim.load_scenario(COUNTY_BASELINE)
    return build_world(scenario, cache_dir=tmp_path_factory.mktemp("cache"))


def test_period_of_agrees_with_the_travel_tables(world: World) -> None:
    t = world.tables
    assert t.n_periods > 1  # the county's congestion profile has several periods
    k, node = 0, world.network.n_nodes // 2
    for hour in range(48):
        p = period_of(hour, t.period_of_hour)
        assert p == period_of(hour, t.period_of_hour.tolist())
        want = t.from_facility_min(k, node, hour, 3)
        assert want == pytest.approx(float(t.from_fac[p, k, node]) * t.emergency_factor[3])
    # The hour of a clock time, then its period: what every actor does.
    t_min = np.array([0.0, 479.0, 480.0, 1440.0 + 1020.0])
    got = [period_of(hour_of(x), t.period_of_hour) for x in t_min]
    assert got == [int(t.period_of_hour[h]) for h in (0, 7, 8, 17)]


#: The module-level names of ``sim/runs/compare.py`` before it was split (study, sweep,
#: sensitivity and tests import them from there).
COMPARE_NAMES_BEFORE_SPLIT = tuple(
    """
    COST_COLUMN IDLE_COVERAGE_METRIC JOINT_COLUMNS KPI_FOR_COMPARISON Burden Comparison Window
    align burden_of burden_rows check_same_incidents compare_scenarios cost_rows evppi_of
    idle_coverage_by_rep kpi_rows reattach reference_spec response_offsets side_tables
    stage_table window_of
    """.split()  # noqa: SIM905 - a frozen snapshot, easier to read as words
)

#: ``trauma-sim --help`` lists commands in this order (and the groups after them).
COMMANDS_IN_HELP_ORDER = [
    "validate",
    "run",
    "calibration",
    "compare",
    "demo",
    "brief",
    "metrics-docs",
    "scenario-docs",
    "validate-against",
    "site",
    "sweep",
    "sweep-report",
    "sensitivity",
    "bench",
    "network",
]


def test_compare_module_keeps_every_name_it_had() -> None:
    compare = importlib.import_module("sim.runs.compare")
    assert [n for n in COMPARE_NAMES_BEFORE_SPLIT if not hasattr(compare, n)] == []
    assert set(COMPARE_NAMES_BEFORE_SPLIT) <= set(compare.__all__)


def test_cli_split_keeps_the_commands_and_their_order() -> None:
    # A fresh interpreter, as `trauma-sim` starts: other tests import command modules in
    # their own order, and a command registers when its module is first imported.
    code = (
        "import typer.main\n"
        "from sim.cli import _register, app\n"
        "_register()\n"
        "print(' '.join(typer.main.get_command(app).list_commands(None)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.split() == COMMANDS_IN_HELP_ORDER
