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

from sim.errors import UserError
from sim.network.core import OSM_ATTRIBUTION, SYNTHETIC_ATTRIBUTION
from sim.plotting import maps


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
