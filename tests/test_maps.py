"""Static maps on a hand-built road network, and the offline interactive map."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import plot_fixtures as fx
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgb

from sim.core.errors import UserError
from sim.network.core import OSM_ATTRIBUTION, SYNTHETIC_ATTRIBUTION, RoadNetwork
from sim.plotting import maps
from sim.plotting.map_axes import OUTSIDE_RING_COLOUR


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _texts(ax: plt.Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_undirected_segments_draw_each_road_once() -> None:
    net = fx.tiny_network()
    tail, head, _ = maps.undirected_segments(net)
    assert net.n_edges == 24
    assert len(tail) == 12
    assert len({(min(u, v), max(u, v)) for u, v in zip(tail, head, strict=True)}) == 12


def test_road_map_classes_facilities_and_attribution() -> None:
    net = fx.tiny_network()
    ax = maps.road_map(net, fx.facilities_table(), label_names=True)
    roads = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(roads) == 3  # motorway row, primary column, residential rest
    assert sum(len(c.get_segments()) for c in roads) == 12
    widths = {c.get_label(): c.get_linewidth()[0] for c in roads}
    assert widths["_road_motorway"] > widths["_road_primary"] > widths["_road_minor"]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points) == 6  # station, police, centre and three hospital tiers
    assert any(SYNTHETIC_ATTRIBUTION in t for t in _texts(ax))
    assert "浙大二院" in _texts(ax)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"创伤中心", "市级医院", "县级医院", "急救站"} <= set(legend)


def test_real_network_carries_osm_attribution() -> None:
    ax = maps.road_map(fx.tiny_network(synthetic=False), lang="en")
    assert OSM_ATTRIBUTION in _texts(ax)


def test_incident_map_colours_by_response_time() -> None:
    net = fx.tiny_network()
    inc = fx.incidents_table()
    inc.loc[0, "response_min"] = np.nan
    ax = maps.incident_map(net, inc, fx.facilities_table())
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    coloured = [c for c in scatters if c.get_array() is not None]
    assert len(coloured) == 1
    assert len(coloured[0].get_offsets()) == len(inc) - 1
    assert len(ax.figure.axes) == 2  # map + colour bar
    assert any(SYNTHETIC_ATTRIBUTION in t for t in _texts(ax))


def test_coverage_map_side_by_side_bands() -> None:
    net = fx.tiny_network()
    base = np.array([0.0, 4.0, 9.0, 5.0, 7.0, 11.0, 10.0, 13.0, np.inf])
    axes = maps.coverage_map(net, base, base * 0.5, facilities=fx.facilities_table().iloc[:2])
    assert len(axes) == 2
    assert [a.get_title() for a in axes] == ["基线", "一体化"]
    left = [c for c in axes[0].collections if isinstance(c, LineCollection)]
    # bands present at baseline: ≤8, 8–12, >12, unreachable (node 8 is cut off)
    assert len(left) == 4
    assert sum(len(c.get_segments()) for c in left) == 12
    for ax in axes:
        assert any(SYNTHETIC_ATTRIBUTION in t for t in _texts(ax))
    one = maps.coverage_map(net, base, lang="en")
    assert len(one) == 1
    assert one[0].get_title() == "Baseline"


def test_map_input_errors() -> None:
    net = fx.tiny_network()
    with pytest.raises(UserError, match="one value per node"):
        maps.coverage_map(net, np.zeros(5))
    with pytest.raises(UserError, match="thresholds"):
        maps.coverage_map(net, np.zeros(9), thresholds=(12, 8))
    bad = fx.facilities_table()
    bad.loc[0, "kind"] = "airport"
    with pytest.raises(UserError, match="facilities: kind"):
        maps.road_map(net, bad)
    bad = fx.facilities_table()
    bad.loc[2, "tier"] = "provincial"
    with pytest.raises(UserError, match="facilities: tier"):
        maps.road_map(net, bad)


#: XML namespace identifiers inside Leaflet's code: names, never fetched.
NAMESPACE_URIS = {"http://www.w3.org/2000/svg"}


def test_interactive_map_is_offline(tmp_path: Path) -> None:
    pytest.importorskip("folium")
    net = fx.tiny_network()
    out = maps.interactive_map(
        net, fx.facilities_table(), fx.incidents_table(), out=tmp_path / "m" / "map.html"
    )
    page = out.read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", page))
    assert urls <= NAMESPACE_URIS, urls - NAMESPACE_URIS
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, flags=re.I)
    assert "@import" not in page
    assert re.search(r"url\((?!data:|#)", page) is None  # CSS images are inlined
    assert "L.map(" in page  # Leaflet itself is inlined
    assert "jQuery" in page
    assert page.count("L.circleMarker(") == len(fx.incidents_table()) + len(fx.facilities_table())
    assert SYNTHETIC_ATTRIBUTION in page
    assert "L.tileLayer(" not in page  # no tile layer: the roads are the base map
    assert "@font-face" in page
    assert "data:font/ttf;base64," in page


def test_interactive_map_road_class_filter(tmp_path: Path) -> None:
    pytest.importorskip("folium")
    net = fx.tiny_network(synthetic=False)
    out = maps.interactive_map(
        net,
        fx.facilities_table(),
        out=tmp_path / "map.html",
        road_classes=["motorway", "primary"],
        lang="en",
    )
    page = out.read_text(encoding="utf-8")
    assert '"group": "motorway"' in page
    assert '"group": "minor"' not in page
    assert "OpenStreetMap contributors, ODbL 1.0" in page
    with pytest.raises(UserError, match="road_classes"):
        maps.interactive_map(
            net, fx.facilities_table(), out=tmp_path / "x.html", road_classes=["footway"]
        )


def test_colocated_facilities_are_spread_apart_and_singles_stay() -> None:
    extent = (120.0, 30.0, 120.1, 30.1)
    lon = np.array([120.05, 120.05, 120.0501, 120.02])
    lat = np.array([30.05, 30.05, 30.05, 30.08])
    x, y = maps.dodge_positions(lon, lat, extent)
    assert (x[3], y[3]) == (lon[3], lat[3])  # alone: not moved
    ring = np.column_stack([x[:3], y[:3]])
    assert len({tuple(np.round(p, 9)) for p in ring}) == 3  # three distinct positions
    cos_lat = np.cos(np.deg2rad(30.05))
    side = 0.1  # the larger on-screen side (latitude here)
    dist = np.hypot((x[:3] - lon[:3].mean()) * cos_lat, y[:3] - lat[:3].mean())
    np.testing.assert_allclose(dist, maps.DODGE_RADIUS * side, rtol=1e-6)
    assert y[0] > y[1]
    assert y[0] > y[2]


def test_stations_draw_above_hospitals_on_a_shared_site() -> None:
    fac = fx.facilities_table()
    fac.loc[0, ["lon", "lat"]] = fac.loc[2, ["lon", "lat"]].to_numpy()  # station at hospital
    ax = maps.road_map(fx.tiny_network(), fac)
    by_label = {c.get_label(): c for c in ax.collections if isinstance(c, PathCollection)}
    assert by_label["急救站"].get_zorder() > by_label["创伤中心"].get_zorder()
    station = by_label["急救站"].get_offsets()
    centre = by_label["创伤中心"].get_offsets()
    assert not np.any(np.all(np.isclose(station[:, None, :], centre[None, :, :]), axis=2))


def test_map_extent_holds_facilities_and_leaves_a_strip_for_notes() -> None:
    net = fx.tiny_network()
    fac = fx.facilities_table()
    fac.loc[0, ["lon", "lat"]] = [120.05, 30.19]  # west and south of every road
    ax = maps.road_map(net, fac)
    x0, _x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert x0 < 120.05
    assert y0 < 30.19
    south_roads = float(net.lat.min())
    # below the southern-most road or facility there is a strip for scale bar + attribution
    assert (min(south_roads, 30.19) - y0) / (y1 - y0) > maps.MAP_BOTTOM_STRIP * 0.8


def test_incident_map_bands_match_the_coverage_map() -> None:
    net = fx.tiny_network()
    inc = fx.incidents_table()
    ax = maps.incident_map(net, inc, fx.facilities_table(), thresholds=(8, 12))
    assert len(ax.figure.axes) == 1  # a band legend instead of a colour bar
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"≤8 分钟", "8–12 分钟", ">12 分钟", "急救站"} <= set(legend)
    ax.figure.canvas.draw()  # mapped colours are computed at draw time
    scatter = next(
        c for c in ax.collections if isinstance(c, PathCollection) and c.get_array() is not None
    )
    colours = {tuple(np.round(c[:3], 3)) for c in scatter.get_facecolors()}
    expected = {tuple(np.round(to_rgb(c), 3)) for c in maps.BAND_COLOURS}
    assert colours <= expected
    assert len(colours) == 3  # the fixture's responses (6.0–20.4 min) fall in all bands
    with pytest.raises(UserError, match="thresholds"):
        maps.incident_map(net, inc, thresholds=(12, 8))


def _stretched(lon_factor: float = 1.0, lat_factor: float = 1.0) -> RoadNetwork:
    net = fx.tiny_network()
    fields = {f: getattr(net, f) for f in net.__dataclass_fields__}
    fields["lon"] = 120.10 + (net.lon - 120.10) * lon_factor
    fields["lat"] = 30.20 + (net.lat - 30.20) * lat_factor
    return RoadNetwork(**fields)


def test_tall_map_takes_its_legend_on_the_right() -> None:
    tall = _stretched(lat_factor=4)
    net = _stretched(lon_factor=3)
    ax = maps.road_map(tall, fx.facilities_table().iloc[:2])
    ax.figure.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1 - 1  # right of the map
    wide_ax = maps.road_map(net, fx.facilities_table().iloc[:2])
    wide_ax.figure.canvas.draw()
    legend = wide_ax.get_legend().get_window_extent()
    assert legend.y1 <= wide_ax.get_window_extent().y0 + 1  # below the map


def test_coverage_map_legend_title_and_shared_legend() -> None:
    net = fx.tiny_network()
    minutes = fx.TINY_DRIVE_MIN + 4.5
    axes = maps.coverage_map(
        net, minutes, minutes - 1.5, lang="en", legend_title="Expected response time (min)"
    )
    fig = axes[0].figure
    assert all(ax.get_legend() is None for ax in axes)
    assert len(fig.legends) == 1
    assert fig.legends[0].get_title().get_text() == "Expected response time (min)"


def test_interactive_map_bands_and_marker_order(tmp_path: Path) -> None:
    pytest.importorskip("folium")
    fac = fx.facilities_table()
    out = maps.interactive_map(
        fx.tiny_network(), fac, fx.incidents_table(), out=tmp_path / "m.html", thresholds=(8, 12)
    )
    page = out.read_text(encoding="utf-8")
    for colour in maps.BAND_COLOURS:
        assert colour in page
    assert "≤8 分钟" in page
    # markers are added largest first: the trauma centre before any station
    tc = page.index(maps.FACILITY_STYLE["trauma_centre"][1])
    assert tc < page.rindex('"fillColor": "' + maps.FACILITY_STYLE["station"][1])


def test_facilities_outside_the_road_data_are_ringed_and_in_the_legend() -> None:
    net = fx.tiny_network()
    fac = fx.facilities_table()
    fac["outside_roads"] = fac["id"] == "h3"  # the county hospital east of the grid
    ax = maps.road_map(net, fac, lang="zh")
    rings = [
        c
        for c in ax.collections
        if isinstance(c, PathCollection) and c.get_label() == "路网数据范围以外的设施"
    ]
    assert len(rings) == 1
    np.testing.assert_allclose(rings[0].get_offsets(), [[120.1355, 30.22]])
    assert len(rings[0].get_facecolors()) == 0 or rings[0].get_facecolors()[0][3] == 0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "路网数据范围以外的设施" in legend
    # Without the column, or with none outside, there is no ring and no legend entry.
    plain = maps.road_map(net, fx.facilities_table(), lang="en")
    labels = [c.get_label() for c in plain.collections]
    assert "Facility outside the road data" not in labels


def test_interactive_map_rings_facilities_outside_the_road_data(tmp_path: Path) -> None:
    pytest.importorskip("folium")
    net = fx.tiny_network()
    fac = fx.facilities_table()
    fac["outside_roads"] = fac["id"] == "h3"
    page = maps.interactive_map(net, fac, None, out=tmp_path / "m.html", lang="en").read_text(
        encoding="utf-8"
    )
    ring = '"color": "' + OUTSIDE_RING_COLOUR
    assert page.count(ring) == 1
    assert "Facility outside the road data" in page  # tooltip and legend
    plain = maps.interactive_map(
        net, fx.facilities_table(), None, out=tmp_path / "p.html", lang="en"
    ).read_text(encoding="utf-8")
    assert ring not in plain
    assert "Facility outside the road data" not in plain
