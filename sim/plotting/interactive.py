"""Offline interactive map: a folium/Leaflet HTML page that works with no network.

Leaflet and jQuery are inlined from ``sim/plotting/vendor`` instead of loaded from CDNs
(which are blocked or unreliable in mainland China), there is no tile layer, and the road
network itself is the base map. The page carries ``net.attribution``; styles and facility
checks are those of :mod:`sim.plotting.map_axes`, so it reads like the static maps.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from sim.core.errors import UserError
from sim.network.core import ROAD_CLASSES, RoadNetwork
from sim.plotting import labels as lb
from sim.plotting.charts import require_columns
from sim.plotting.map_axes import (
    FACILITY_STYLE,
    OUTSIDE_RING_COLOUR,
    ROAD_STYLE,
    UNREACHABLE_COLOUR,
    _band_colours,
    _band_labels,
    _check_facilities,
    _check_thresholds,
    _facility_label,
    _road_group,
    _style_key,
    undirected_segments,
)
from sim.plotting.style import FONT_FAMILY, font_face_css

#: Classes kept in the interactive map of a large network (segments above the limit).
MAJOR_CLASSES: tuple[str, ...] = ("motorway", "trunk", "primary", "secondary", "tertiary")
INTERACTIVE_SEGMENT_LIMIT = 60_000

_VENDOR = files("sim.plotting") / "vendor"


def _vendor_text(name: str) -> str:
    return (_VENDOR / name).read_text(encoding="utf-8")


def _inline_assets() -> str:
    """Leaflet CSS, jQuery and Leaflet JS as inline ``<style>``/``<script>``, URL-free.

    The upstream header comments (which hold web addresses) are replaced by short notices
    naming the licence files, the source-map line is dropped, the attribution prefix link
    to the Leaflet site is removed, and the CSS images become data URIs.
    """
    css = re.sub(r"/\*.*?\*/", "", _vendor_text("leaflet.css"), flags=re.DOTALL)

    def data_uri(match: re.Match[str]) -> str:
        png = (_VENDOR / match.group(1)).read_bytes()
        return "url(data:image/png;base64," + base64.b64encode(png).decode("ascii") + ")"

    css = re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)
    leaflet = _vendor_text("leaflet.js")
    leaflet = re.sub(r"^/\* @preserve.*?\*/", "", leaflet, count=1, flags=re.DOTALL)
    leaflet = re.sub(r"//# sourceMappingURL=\S+", "", leaflet)
    leaflet = leaflet.replace('<a href="https://leafletjs.com" ', "<a ")
    jquery = re.sub(r"//# sourceMappingURL=\S+", "", _vendor_text("jquery.min.js"))
    return (
        "<!-- Leaflet 1.9.4 (BSD-2-Clause, (c) 2010-2023 Vladimir Agafonkin, (c) 2010-2011 "
        "CloudMade) and jQuery 3.7.1 (MIT, (c) OpenJS Foundation and other contributors), "
        "inlined from trauma-sim sim/plotting/vendor; licence texts there. -->\n"
        f"<style>{css}</style>\n<script>{jquery}</script>\n<script>{leaflet}</script>\n"
    )


_REMOTE_TAG = re.compile(
    r"<(script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//[^>]*>(?:\s*</script>)?",
    flags=re.IGNORECASE,
)


def _segments_geojson(net: RoadNetwork, road_classes: Sequence[str] | None) -> dict[str, object]:
    """Roads as a FeatureCollection: one MultiLineString per road group (5-decimal degrees)."""
    tail, head, cls = undirected_segments(net)
    if road_classes is None:
        road_classes = ROAD_CLASSES if tail.size <= INTERACTIVE_SEGMENT_LIMIT else MAJOR_CLASSES
    unknown = [c for c in road_classes if c not in ROAD_CLASSES]
    if unknown:
        raise UserError(
            f"interactive_map: road_classes: must be among {', '.join(ROAD_CLASSES)} "
            f"(got {unknown[0]!r})"
        )
    keep_codes = np.array([c in road_classes for c in ROAD_CLASSES])
    lon = np.round(net.lon, 5)
    lat = np.round(net.lat, 5)
    features: list[dict[str, object]] = []
    for group in ("minor", "secondary", "primary", "motorway"):
        codes = [i for i, c in enumerate(ROAD_CLASSES) if _road_group(i) == group and keep_codes[i]]
        mask = np.isin(cls, codes)
        if not mask.any():
            continue
        lines = [
            [[float(lon[u]), float(lat[u])], [float(lon[v]), float(lat[v])]]
            for u, v in zip(tail[mask], head[mask], strict=True)
        ]
        features.append(
            {
                "type": "Feature",
                "properties": {"group": group},
                "geometry": {"type": "MultiLineString", "coordinates": lines},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def interactive_map(
    net: RoadNetwork,
    facilities: pd.DataFrame,
    incidents: pd.DataFrame | None = None,
    *,
    out: Path,
    lang: str = "zh",
    column: str = "response_min",
    road_classes: Sequence[str] | None = None,
    max_incidents: int = 5000,
    thresholds: Sequence[float] | None = None,
) -> Path:
    """Write an offline interactive HTML map (Leaflet inlined; no tiles; no remote loads).

    Parameters
    ----------
    net
        The road network, drawn as GeoJSON lines by road group (the base map).
    facilities
        As in :func:`sim.plotting.static_maps.road_map`; shown as circle markers with the
        name as tooltip.
    incidents
        Optional; columns ``lon, lat`` and ``column``: circle markers coloured by minutes.
    out
        HTML file to write (parent folders are made).
    lang
        ``"zh"`` or ``"en"`` layer names, legend and tooltips.
    column
        Minutes column colouring the incidents.
    road_classes
        Road classes to draw; default all, or only motorway–tertiary when the network has
        more than 60,000 road segments (keeps the page small enough to open quickly).
    max_incidents
        Draw at most this many incidents (every k-th row, deterministic).
    thresholds
        Band edges in minutes (e.g. ``(8, 12)``): incidents coloured by band as in
        :func:`sim.plotting.static_maps.incident_map` with ``thresholds``, instead of a
        continuous scale.

    Returns
    -------
    Path
        ``out``.
    """
    import folium  # optional at import time: only this function needs it
    from branca.element import MacroElement
    from jinja2 import Template

    lb.check_lang(lang)
    _check_facilities(facilities)
    limits = None if thresholds is None else _check_thresholds(thresholds, "interactive_map")
    west, south, east, north = net.bbox()
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=12,
        tiles=None,
        control_scale=True,
        prefer_canvas=True,
        zoom_snap=0.25,  # lets fit_bounds fill the window instead of the next whole zoom
    )
    fmap.default_js = []  # every CDN reference goes; the assets are inlined below
    fmap.default_css = []
    fmap.fit_bounds([[south, west], [north, east]])

    roads = folium.FeatureGroup(name=lb.text("roads", lang), show=True)
    folium.GeoJson(
        _segments_geojson(net, road_classes),
        style_function=lambda feature: {
            "color": ROAD_STYLE[feature["properties"]["group"]][0],
            "weight": ROAD_STYLE[feature["properties"]["group"]][1] * 1.4,
            "opacity": 0.9,
        },
        smooth_factor=1.0,
    ).add_to(roads)
    roads.add_to(fmap)

    top = 1.0  # top of the incident colour scale (minutes)
    band_colours = _band_colours(len(limits) + 1) if limits is not None else []
    if incidents is not None:
        require_columns(incidents, "incidents", ("lon", "lat", column))
        step = max(1, int(np.ceil(len(incidents) / max(max_incidents, 1))))
        shown = incidents.iloc[::step]
        minutes = shown[column].to_numpy(float)
        ok = ~np.isnan(minutes)
        top = float(np.percentile(minutes[ok], 95)) if ok.any() else 1.0
        cmap = plt.get_cmap("plasma_r")
        layer = folium.FeatureGroup(name=lb.text("incidents", lang), show=True)
        for lon_i, lat_i, m in zip(
            shown["lon"].to_numpy(float), shown["lat"].to_numpy(float), minutes, strict=True
        ):
            if np.isnan(m):
                colour = UNREACHABLE_COLOUR
            elif limits is not None:
                colour = band_colours[int(np.searchsorted(limits, m, side="left"))]
            else:
                colour = to_hex(cmap(min(m / max(top, 1e-9), 1.0)))
            folium.CircleMarker(
                [float(lat_i), float(lon_i)],
                radius=3,
                stroke=False,
                fill=True,
                fill_color=colour,
                fill_opacity=0.85,
                tooltip=None if np.isnan(m) else f"{m:.1f} {lb.text('minutes', lang)}",
            ).add_to(layer)
        layer.add_to(fmap)

    fac_layer = folium.FeatureGroup(name=lb.text("facilities", lang), show=True)
    tiers = (
        facilities["tier"]
        if "tier" in facilities.columns
        else pd.Series([None] * len(facilities), index=facilities.index)
    )
    keys = [_style_key(str(k), t) for k, t in zip(facilities["kind"], tiers, strict=True)]
    # Biggest markers first, so a station at a hospital's site stays visible on top of it.
    by_size = sorted(range(len(keys)), key=lambda i: -FACILITY_STYLE[keys[i]][2])
    for i in by_size:
        row, key = facilities.iloc[i], keys[i]
        _, colour, size = FACILITY_STYLE[key]
        folium.CircleMarker(
            [float(row["lat"]), float(row["lon"])],
            radius=max(4.0, np.sqrt(size) * 0.8),
            color="white",
            weight=1.5,
            fill=True,
            fill_color=colour,
            fill_opacity=0.95,
            tooltip=f"{html.escape(str(row['name']))} · {_facility_label(key, lang)}",
        ).add_to(fac_layer)
    # Facilities beyond the road data get the static maps' red ring, so none sits unmarked
    # past the roads (the drive to them starts at the nearest road node).
    outside = (
        facilities["outside_roads"].fillna(False).astype(bool).to_numpy()
        if "outside_roads" in facilities.columns
        else np.zeros(len(facilities), bool)
    )
    for j in np.flatnonzero(outside).tolist():
        row = facilities.iloc[j]
        folium.CircleMarker(
            [float(row["lat"]), float(row["lon"])],
            radius=11.0,
            color=OUTSIDE_RING_COLOUR,
            weight=2.0,
            fill=False,
            tooltip=f"{html.escape(str(row['name']))} · "
            f"{html.escape(lb.text('outside_roads', lang))}",
        ).add_to(fac_layer)
    fac_layer.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)

    attribution = MacroElement()
    attribution._template = Template(  # folium's documented way to add map-level JS
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.setPrefix(false);"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution("
        + json.dumps(html.escape(net.attribution))
        + ");{% endmacro %}"
    )
    attribution.add_to(fmap)

    dot = "display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px"
    legend_items = "".join(
        f'<div><span style="{dot};background:{FACILITY_STYLE[k][1]}"></span>'
        f"{_facility_label(k, lang)}</div>"
        for k in ("station", "trauma_centre", "city", "county", "hospital", "police", "centre")
        if k in keys
    )
    if outside.any():
        legend_items += (
            f'<div><span style="{dot};border:2px solid {OUTSIDE_RING_COLOUR};'
            f'background:transparent"></span>{html.escape(lb.text("outside_roads", lang))}</div>'
        )
    if incidents is not None and limits is not None:
        legend_items += f"<div>{html.escape(lb.text('response_colorbar', lang))}</div>"
        legend_items += "".join(
            f'<div><span style="{dot};background:{c}"></span>{html.escape(t)}</div>'
            for c, t in zip(band_colours, _band_labels(limits, lang), strict=True)
        )
    elif incidents is not None:
        stops = ",".join(to_hex(plt.get_cmap("plasma_r")(x)) for x in np.linspace(0, 1, 6))
        legend_items += (
            f"<div>{html.escape(lb.text('incident_scale', lang, top=top))}</div>"
            f'<div style="height:8px;background:linear-gradient(to right,{stops})"></div>'
        )
    note = ""
    if net.synthetic:
        note = (
            f'<div style="color:#c0392b">{html.escape(lb.text("synthetic_map_note", lang))}</div>'
        )
    fmap.get_root().html.add_child(
        folium.Element(
            '<div style="position:fixed;top:90px;left:10px;z-index:1000;background:white;'
            'padding:6px 8px;font-size:12px;border:1px solid #999;border-radius:4px">'
            f"{legend_items}{note}</div>"
        )
    )

    page = fmap.get_root().render()
    page = _REMOTE_TAG.sub("", page)
    # Embed the bundled font for the page's own characters (legend, layer names, tooltips).
    # Layer names and tooltips sit in the JS as \\uXXXX escapes: decode them to find the chars.
    used = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    font_css = font_face_css(used) + (
        f' body, .leaflet-container {{ font-family: "{FONT_FAMILY}", sans-serif; }}'
    )
    page = page.replace("<head>", f"<head>\n{_inline_assets()}<style>{font_css}</style>\n", 1)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out
