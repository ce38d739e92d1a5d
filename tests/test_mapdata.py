"""Map data next to a comparison: write on the county world, read back, check the minutes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.core.errors import UserError
from sim.io.mapdata import (
    COVERAGE_COLUMNS,
    FACILITY_COLUMNS,
    FACILITY_EXTRA_COLUMNS,
    facilities_frame,
    read_map_data,
    write_map_data,
)
from sim.network.core import SYNTHETIC_ATTRIBUTION
from sim.runs.world import World, build_world

REPO_ROOT = Path(__file__).resolve().parents[1]
OFFSETS = {"county_baseline": 4.8, "county_integrated": 4.1}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    scenario = sim.load_scenario(
        REPO_ROOT / "scenarios" / "county_baseline.toml", ["run.horizon_days=3"]
    )
    return build_world(scenario, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def folder(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("compare")
    write_map_data(out, world, OFFSETS)
    return out


def _direct_min(world: World, node: int, hour: int, offset: float) -> float:
    """The brief's definition, one lookup at a time (no vectorising)."""
    return offset + min(
        world.tables.from_facility_min(k, node, hour, priority=1) + access
        for k, access in zip(world.station_fac, world.station_access_min, strict=True)
    )


def test_round_trip_network_facilities_coverage(world: World, folder: Path) -> None:
    assert sorted(p.name for p in (folder / "map").iterdir()) == [
        "coverage.parquet",
        "facilities.csv",
        "map.json",
        "network.npz",
    ]
    data = read_map_data(folder)
    assert data is not None
    net = data.network
    for name in ("lon", "lat", "indptr", "indices", "road_class", "travel_min"):
        np.testing.assert_array_equal(getattr(net, name), getattr(world.network, name))
    assert net.synthetic
    assert net.attribution == SYNTHETIC_ATTRIBUTION

    fac = data.facilities
    assert list(fac.columns) == [*FACILITY_COLUMNS, *FACILITY_EXTRA_COLUMNS]
    # The synthetic county's facilities all lie within its roads, each near its road node.
    assert not fac["outside_roads"].any()
    snapped = fac[fac["kind"] != "centre"]
    assert snapped["access_m"].between(0, world.network.extent_km2() ** 0.5 * 1000).all()
    assert fac.loc[fac["kind"] == "centre", "access_m"].isna().all()
    counts = fac["kind"].value_counts().to_dict()
    f = world.facilities
    assert counts == {
        "station": len(f.stations),
        "hospital": len(f.hospitals),
        "police": len(f.police_posts),
        "centre": len(f.centres),
    }
    hospitals = fac[fac["kind"] == "hospital"].set_index("id")
    assert {h.id: h.tier for h in f.hospitals} == hospitals["tier"].to_dict()
    assert fac.loc[fac["kind"] != "hospital", "tier"].isna().all()
    first = f.stations[0]
    row = fac[fac["id"] == first.id].iloc[0]
    assert (row["lon"], row["lat"], row["name"]) == (first.lon, first.lat, first.name)

    cov = data.coverage
    assert list(cov.columns) == list(COVERAGE_COLUMNS)
    assert len(cov) == net.n_nodes * len(OFFSETS)
    assert data.scenarios == list(OFFSETS)
    assert data.hour == 10
    assert data.offsets_min == OFFSETS
    base = cov[cov["scenario"] == "county_baseline"]
    np.testing.assert_array_equal(base["node"].to_numpy(), np.arange(net.n_nodes))
    np.testing.assert_array_equal(base["lon"].to_numpy(), net.lon)
    assert np.isfinite(base["response_min"]).all()  # one strongly connected network


def test_coverage_equals_direct_table_lookup_plus_offset(world: World, folder: Path) -> None:
    data = read_map_data(folder)
    assert data is not None
    n = world.network.n_nodes
    nodes = [0, 1, n // 3, n // 2, n - 1, world.station_node[0], world.hospital_node[-1]]
    for scenario, offset in OFFSETS.items():
        minutes = data.minutes_by_node(scenario)
        assert minutes.shape == (n,)
        for node in nodes:
            assert minutes[node] == pytest.approx(_direct_min(world, node, 10, offset), rel=1e-12)
    # At a station's own node the response is the offset plus at most that station's access.
    node = world.station_node[0]
    assert data.minutes_by_node("county_baseline")[node] <= 4.8 + world.station_access_min[0]
    # Same drive, different offsets: the difference is the offset difference everywhere.
    diff = data.minutes_by_node("county_baseline") - data.minutes_by_node("county_integrated")
    np.testing.assert_allclose(diff, 4.8 - 4.1)


def test_other_hour_uses_its_congestion_period(world: World, tmp_path: Path) -> None:
    periods = world.tables.period_of_hour
    hour = next(h for h in range(24) if periods[h] != periods[10])
    write_map_data(tmp_path, world, {"only": 0.0}, hour=hour)
    data = read_map_data(tmp_path)
    assert data is not None
    assert data.hour == hour
    n = world.network.n_nodes
    for node in (0, n // 2, n - 1):
        assert data.minutes_by_node("only")[node] == pytest.approx(
            _direct_min(world, node, hour, 0.0), rel=1e-12
        )


def test_no_map_folder_reads_as_none(tmp_path: Path) -> None:
    assert read_map_data(tmp_path) is None


def test_broken_map_files_name_the_file(world: World, tmp_path: Path) -> None:
    write_map_data(tmp_path, world, {"a": 1.0})
    cov = tmp_path / "map" / "coverage.parquet"
    pd.read_parquet(cov).drop(columns=["response_min"]).to_parquet(cov)
    with pytest.raises(UserError, match=r"coverage\.parquet: missing column\(s\) response_min"):
        read_map_data(tmp_path)
    (tmp_path / "map" / "network.npz").write_bytes(b"not a zip")
    with pytest.raises(UserError, match=r"network\.npz: missing or not a readable network"):
        read_map_data(tmp_path)


def test_bad_offsets_are_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not finite"):
        write_map_data(tmp_path, world, {"a": float("nan")})
    with pytest.raises(ValueError, match="empty"):
        write_map_data(tmp_path / "b", world, {})


def test_facility_table_kinds_match_the_maps_module(world: World) -> None:
    frame = facilities_frame(world)
    assert set(frame["kind"]) <= {"station", "hospital", "police", "centre"}


def test_reading_map_data_does_not_import_the_model() -> None:
    code = (
        "import sys, sim.io.mapdata, sim.plotting.brief\n"
        "bad = sorted(m for m in sys.modules if m in ('sim.runs.world', 'sim.model', 'simpy'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
