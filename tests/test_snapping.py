"""Snapping points to road nodes: access distance/time, limit, lon/lat swap hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.core.errors import UserError
from sim.core.units import EARTH_RADIUS_M
from sim.network.core import RoadNetwork
from sim.network.snapping import Snap, Snapper

# A 5 x 5 grid of nodes 500 m apart near Wulin Square, Hangzhou (no edges needed to snap).
LON0, LAT0 = 120.15, 30.26
STEP_M = 500.0
DLAT = math.degrees(STEP_M / EARTH_RADIUS_M)
DLON = DLAT / math.cos(math.radians(LAT0 + 2 * DLAT))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@pytest.fixture(scope="module")
def grid() -> RoadNetwork:
    ii, jj = np.meshgrid(np.arange(5), np.arange(5), indexing="ij")
    lon = LON0 + DLON * ii.ravel()
    lat = LAT0 + DLAT * jj.ravel()
    n = lon.size
    empty_f = np.zeros(0)
    return RoadNetwork(
        name="grid",
        node_osmid=np.arange(n, dtype=np.int64),
        lon=lon,
        lat=lat,
        indptr=np.zeros(n + 1, dtype=np.int64),
        indices=np.zeros(0, dtype=np.int32),
        length_m=empty_f,
        speed_kph=empty_f,
        travel_min=empty_f,
        road_class=np.zeros(0, dtype=np.uint8),
    )


@pytest.fixture(scope="module")
def snapper(grid: RoadNetwork) -> Snapper:
    return Snapper(grid, access_speed_kph=15.0, limit_m=1000.0)


def test_snap_finds_nearest_node_and_charges_access_time(
    grid: RoadNetwork, snapper: Snapper
) -> None:
    # 120 m east of node (2, 3): asymmetric lon/lat, so a swap could not pass unnoticed
    node = 2 * 5 + 3
    lon = float(grid.lon[node]) + DLON * 120 / STEP_M
    lat = float(grid.lat[node])
    snap = snapper.snap(lon, lat, label="incident 1")
    assert isinstance(snap, Snap)
    assert snap.node == node
    expected_m = haversine_m(lon, lat, float(grid.lon[node]), float(grid.lat[node]))
    assert snap.access_m == pytest.approx(expected_m, rel=5e-3)
    assert snap.access_min == pytest.approx(snap.access_m / (15_000 / 60))
    assert isinstance(snap.access_m, float)
    assert isinstance(snap.node, int)


def test_snap_many_matches_snap(grid: RoadNetwork, snapper: Snapper) -> None:
    rng = np.random.default_rng(3)
    lon = rng.uniform(grid.lon.min(), grid.lon.max(), 50)
    lat = rng.uniform(grid.lat.min(), grid.lat.max(), 50)
    labels = [f"p{i}" for i in range(50)]
    many = snapper.snap_many(lon, lat, labels)
    assert many == [snapper.snap(x, y, label=s) for x, y, s in zip(lon, lat, labels, strict=True)]
    assert snapper.snap_many([], [], []) == []


def test_swapped_lon_lat_is_caught_with_a_hint(snapper: Snapper) -> None:
    with pytest.raises(UserError) as info:
        snapper.snap(30.27, 120.16, label="hospitals.csv: H01")
    message = str(info.value)
    assert message.startswith("hospitals.csv: H01:")
    assert "swap" in message
    assert "lon=30.270000, lat=120.160000" in message


def test_point_5_km_outside_the_roads_is_rejected_naming_it(
    grid: RoadNetwork, snapper: Snapper
) -> None:
    lon = float(grid.lon.max()) + DLON * 5000 / STEP_M
    lat = float(grid.lat.mean())
    with pytest.raises(UserError) as info:
        snapper.snap(lon, lat, label="stations.csv: S07")
    message = str(info.value)
    assert "stations.csv: S07" in message
    assert f"lon={lon:.6f}" in message
    assert "5000 m" in message
    assert "1000 m" in message
    assert "swap" not in message
    assert "\n" not in message


def test_snap_many_names_the_first_failing_point(grid: RoadNetwork, snapper: Snapper) -> None:
    far = float(grid.lon.max()) + 0.1
    with pytest.raises(UserError, match=r"^b: .*\(1 more point\(s\) fail too\)"):
        snapper.snap_many([LON0, far, far], [LAT0, LAT0, LAT0], ["a", "b", "c"])


def test_nan_and_out_of_range_coordinates_are_user_errors(snapper: Snapper) -> None:
    with pytest.raises(UserError, match="not a finite"):
        snapper.snap(float("nan"), LAT0, label="x")
    with pytest.raises(UserError, match="outside lon"):
        snapper.snap(LON0, 95.0, label="y")


def test_limit_zero_accepts_only_exact_nodes(grid: RoadNetwork) -> None:
    strict = Snapper(grid, access_speed_kph=15.0, limit_m=0.0)
    assert strict.snap(float(grid.lon[0]), float(grid.lat[0]), label="n0").access_m == 0.0
    with pytest.raises(UserError):
        strict.snap(float(grid.lon[0]) + 1e-4, float(grid.lat[0]), label="n0")
