"""The synthetic province (issue 16 item 3): its layout, shipped data and scenarios.

Fast: one generated network, a one-day horizon, one world shared by the two scenarios
(``world_key`` shows they need the same world).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from sim.config.scenario import load_scenario
from sim.core.entities import EventKind
from sim.core.errors import UserError
from sim.network.core import ROAD_CLASS_CODE, RoadNetwork
from sim.network.datapath import load_network, parse_synthetic_source
from sim.network.province import DEFAULT_PROVINCE_SEED, province_layout
from sim.runs.replications import replication_record
from sim.runs.world import World, build_world, world_key

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="module")
def province() -> RoadNetwork:
    return load_network("synthetic_province")


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_scenario(SCENARIOS / "province_baseline.toml"))


def test_source_names_and_seeds() -> None:
    assert parse_synthetic_source("synthetic_province") == (
        "synthetic_province",
        DEFAULT_PROVINCE_SEED,
    )
    assert parse_synthetic_source("synthetic_province:7") == ("synthetic_province", 7)
    with pytest.raises(UserError, match="must be an integer"):
        parse_synthetic_source("synthetic_province:x")


def test_layout_is_deterministic_and_seed_dependent() -> None:
    a, b = province_layout(), province_layout()
    assert a == b
    other = province_layout(DEFAULT_PROVINCE_SEED + 1)
    assert [s.lon for s in other.stations] != [s.lon for s in a.stations]


def test_province_is_a_zhejiang_like_region(province: RoadNetwork) -> None:
    layout = province_layout()
    tiers = [h.attrs["tier"] for h in layout.hospitals]
    assert tiers.count("county") >= 10  # one county hospital per county seat
    assert tiers.count("trauma_centre") >= 3  # cities with tertiary hospitals
    assert len(layout.centres) >= 3  # several 120 centres, hence jurisdictions
    assert layout.population >= 5e6
    assert province.synthetic
    assert (province.road_class == ROAD_CLASS_CODE["motorway"]).any()  # expressways
    n = province.n_nodes
    adj = sp.csr_matrix((np.ones(province.indices.size), province.indices, province.indptr), (n, n))
    assert connected_components(adj, directed=True, connection="strong")[0] == 1


def test_shipped_province_data_is_up_to_date(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "make_province_data", ROOT / "tools" / "make_province_data.py"
    )
    assert spec is not None
    assert spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    written = tool.write_province_data(tmp_path)
    for path in written.values():
        shipped = SCENARIOS / "data" / path.name
        assert path.read_bytes() == shipped.read_bytes(), (
            f"rerun tools/make_province_data.py: {shipped}"
        )


def test_province_scenarios_validate_and_are_large_enough(world: World) -> None:
    base = load_scenario(SCENARIOS / "province_baseline.toml")
    integrated = load_scenario(SCENARIOS / "province_integrated.toml")
    d = base.demand
    per_day = (
        d.rtc_incidents_per_day
        + d.fall_incidents_per_day
        + d.other_injury_incidents_per_day
        + d.non_trauma_incidents_per_day
    )
    assert per_day * 365 >= 250_000
    assert world.population >= 5e6
    assert world.grid_cells_dropped == 0
    assert integrated.mechanisms.internet_plus_120.one_network
    assert world_key(base) == world_key(integrated)


def test_inter_centre_transfers_occur_and_vanish_with_one_network(world: World) -> None:
    short = ["run.horizon_days=1", "run.warm_up_days=0"]
    base = load_scenario(SCENARIOS / "province_baseline.toml", short)
    integrated = load_scenario(SCENARIOS / "province_integrated.toml", short)
    r_base = replication_record(base, world, 0)
    r_int = replication_record(integrated, world, 0)
    assert r_base.demand.n_incidents > 500  # ~837 a day
    assert r_int.demand.n_incidents == r_base.demand.n_incidents  # common random numbers
    transferred = EventKind.CALL_TRANSFERRED
    assert int((r_base.events["kind"] == transferred).sum()) > 0
    assert int((r_int.events["kind"] == transferred).sum()) == 0
