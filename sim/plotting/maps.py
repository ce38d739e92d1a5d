"""Maps of the road network, facilities, incidents and drive-time coverage.

Static maps are matplotlib (for briefs: no browser, the bundled font, PDF-ready) and draw
the :class:`~sim.network.core.RoadNetwork` arrays directly with a ``LineCollection``.
:func:`interactive_map` writes a folium/Leaflet HTML page that works with no network:
Leaflet and jQuery are inlined from ``sim/plotting/vendor`` instead of loaded from CDNs
(which are blocked or unreliable in mainland China), there is no tile layer, and the road
network itself is the base map. Every map carries ``net.attribution``.

Nothing here computes a metric: minutes-to-station per node, response times and the like
come in as arrays or columns; only colour bands and deduplicated segments are derived here.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import re
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize, to_hex
from matplotlib.lines import Line2D

from sim.core.errors import UserError
from sim.network.core import ROAD_CLASSES, RoadNetwork
from sim.plotting import labels as lb
from sim.plotting.charts import require_columns
from sim.plotting.style import FONT_FAMILY, brief_style, font_face_css

#: Legend group per road class.
ROAD_GROUP_OF: dict[str, str] = {
    "motorway": "motorway",
    "trunk": "motorway",
    "primary": "primary",
    "secondary": "secondary",
    "tertiary": "secondary",
}
#: (colour, line width in points) per road group.
ROAD_STYLE: dict[str, tuple[str, float]] = {
    "motorway": ("#e8743b", 1.8),
    "primary": ("#c9a227", 1.3),
    "secondary": ("#7f7f7f", 0.9),
    "minor": ("#c8c8c8", 0.5),
}
#: Classes kept in the interactive map of a large network (segments above the limit).
MAJOR_CLASSES: tuple[str, ...] = ("motorway", "trunk", "primary", "secondary", "tertiary")
INTERACTIVE_SEGMENT_LIMIT = 60_000

FACILITY_KINDS = ("station", "hospital", "police", "centre")
HOSPITAL_TIERS = ("trauma_centre", "city", "county")
#: matplotlib marker, colour, size (pt²) per facility kind or hospital tier.
FACILITY_STYLE: dict[str, tuple[str, str, float]] = {
    "station": ("s", "#0072B2", 36.0),
    "police": ("^", "#1f3a93", 40.0),
    "centre": ("*", "#7b2cbf", 110.0),
    "trauma_centre": ("P", "#c0392b", 130.0),
    "city": ("P", "#e67e22", 80.0),
    "county": ("P", "#d4ac0d", 55.0),
    "hospital": ("P", "#e67e22", 70.0),
}
#: Big hospital crosses lowest, small station squares on top: a station sharing a site with
#: a hospital (common in Hangzhou) shows as a square inside the cross instead of vanishing.
FACILITY_ZORDER: dict[str, float] = {
    "trauma_centre": 5.0,
    "city": 5.1,
    "hospital": 5.1,
    "county": 5.2,
    "centre": 5.3,
    "police": 5.4,
    "station": 5.5,
}
BAND_COLOURS: tuple[str, ...] = ("#1a9850", "#fdae61", "#d73027")
UNREACHABLE_COLOUR = "#bdbdbd"

_VENDOR = files("sim.plotting") / "vendor"


def _road_group(code: int) -> str:
    return ROAD_GROUP_OF.get(ROAD_CLASSES[code], "minor")


def undirected_segments(net: RoadNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each road drawn once: ``(tail, head, road_class)`` of one edge per node pair.

    Two-way roads are two directed edges in the network; drawing both would double the
    line weight and the HTML size.
    """
    tail = net.edge_sources()
    head = np.asarray(net.indices, dtype=np.int64)
    lo = np.minimum(tail, head)
    hi = np.maximum(tail, head)
    _, first = np.unique(lo * np.int64(net.n_nodes) + hi, return_index=True)
    first = np.sort(first)
    return tail[first], head[first], np.asarray(net.road_class)[first]


def _check_facilities(facilities: pd.DataFrame) -> pd.DataFrame:
    require_columns(facilities, "facilities", ("id", "kind", "name", "lon", "lat"))
    kinds = set(facilities["kind"].astype(str))
    bad = sorted(kinds - set(FACILITY_KINDS))
    if bad:
        raise UserError(
            f"facilities: kind: must be one of {', '.join(FACILITY_KINDS)} (got {bad[0]!r})"
        )
    if "tier" in facilities.columns:
        hosp = facilities[facilities["kind"].astype(str) == "hospital"]
        tiers = {str(t) for t in hosp["tier"].dropna()}
        bad = sorted(tiers - set(HOSPITAL_TIERS))
        if bad:
            raise UserError(
                f"facilities: tier: must be one of {', '.join(HOSPITAL_TIERS)} (got {bad[0]!r})"
            )
    return facilities


def _style_key(kind: str, tier: object) -> str:
    if kind == "hospital" and isinstance(tier, str) and tier in HOSPITAL_TIERS:
        return tier
    return kind


def _facility_label(key: str, lang: str) -> str:
    if key in HOSPITAL_TIERS:
        return lb.lookup(lb.HOSPITAL_TIERS, key, lang)
    return lb.lookup(lb.FACILITY_KINDS, key, lang)


#: Margins around the mapped area, as shares of its span; the bottom one is a strip kept
#: free of roads and facilities for the scale bar and the attribution, so neither hides data.
MAP_PAD = 0.04
MAP_BOTTOM_STRIP = 0.10


def _map_extent(
    net: RoadNetwork, lon: np.ndarray | None = None, lat: np.ndarray | None = None
) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the axes: network plus extra points, padded."""
    west, south, east, north = net.bbox()
    if lon is not None and lat is not None and len(lon):
        ok = np.isfinite(lon) & np.isfinite(lat)
        if ok.any():
            west, east = min(west, float(lon[ok].min())), max(east, float(lon[ok].max()))
            south, north = min(south, float(lat[ok].min())), max(north, float(lat[ok].max()))
    span_lon = (east - west) or 0.01
    span_lat = (north - south) or 0.01
    return (
        west - span_lon * MAP_PAD,
        south - span_lat * (MAP_PAD + MAP_BOTTOM_STRIP),
        east + span_lon * MAP_PAD,
        north + span_lat * MAP_PAD,
    )


def _aspect(extent: tuple[float, float, float, float]) -> float:
    """Width / height of the map on screen (longitude scaled by cos(latitude))."""
    west, south, east, north = extent
    cos_lat = float(np.cos(np.deg2rad((south + north) / 2)))
    return (east - west) * cos_lat / max(north - south, 1e-9)


def _map_figsize(
    extent: tuple[float, float, float, float],
    *,
    box: tuple[float, float] = (7.0, 6.0),
    extra_w: float = 0.0,
    extra_h: float = 0.9,
    panels: int = 1,
) -> tuple[float, float]:
    """Figure size (inches) fitting ``panels`` maps of this extent into ``box`` each.

    ``extra_w``/``extra_h`` leave room for a colour bar or the legend under the map.
    """
    aspect = _aspect(extent)
    max_w, max_h = box
    if aspect >= max_w / max_h:
        w, h = max_w, max_w / aspect
    else:
        w, h = max(max_h * aspect, 2.5), max_h
    return (w * panels + extra_w, h + extra_h)


def _facility_points(facilities: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray] | None:
    if facilities is None or facilities.empty:
        return None
    return facilities["lon"].to_numpy(float), facilities["lat"].to_numpy(float)


def _setup_map_axes(
    ax: Axes,
    net: RoadNetwork,
    lang: str,
    extent: tuple[float, float, float, float] | None = None,
) -> None:
    west, south, east, north = extent if extent is not None else _map_extent(net)
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    # Degrees of longitude shrink with latitude; this keeps distances true-ish on screen.
    ax.set_aspect(1.0 / np.cos(np.deg2rad((south + north) / 2)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(visible=False)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_color("#999999")
    _scale_bar(ax, (south + north) / 2)
    note = net.attribution
    if net.synthetic and lb.check_lang(lang) == "zh":
        # Own line: on a narrow panel one long line would run past the frame.
        note = f"{note}\n{lb.text('synthetic_map_note', lang)}"
    ax.text(
        0.995,
        0.008,
        note,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        multialignment="right",
        fontsize=7,
        color="#333333",
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5},
        zorder=10,
    )


def _legend_below(
    ax: Axes,
    handles: Sequence[Artist],
    texts: Sequence[str],
    title: str | None = None,
    *,
    right: bool = False,
    first_row: int = 0,
) -> None:
    """Legend outside the map (below; right of a tall map), so it never hides data.

    Below the map, the first ``first_row`` entries (e.g. colour bands) get a row of their
    own and the rest follow in further rows, instead of being mixed column by column.
    """
    if right:
        ax.legend(
            handles,
            texts,
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            ncol=1,
            fontsize=8,
            title=title,
            title_fontsize=8,
            alignment="left",
        )
        return
    groups = [(list(handles[:first_row]), list(texts[:first_row]))] if first_row else []
    groups.append((list(handles[first_row:]), list(texts[first_row:])))
    ncol = min(4, max(len(g[0]) for g in groups))
    rows: list[list[tuple[Artist, str]]] = []
    for group_handles, group_texts in groups:
        items = list(zip(group_handles, group_texts, strict=True))
        for i in range(0, len(items), ncol):
            row = items[i : i + ncol]
            row += [(Line2D([], [], alpha=0.0), "")] * (ncol - len(row))
            rows.append(row)
    # matplotlib fills legends column by column: list the grid in that order.
    ordered = [rows[r][c] for c in range(ncol) for r in range(len(rows))]
    ax.legend(
        [h for h, _ in ordered],
        [t for _, t in ordered],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.01),
        ncol=ncol,
        fontsize=8,
        title=title,
        title_fontsize=8,
    )


#: Maps narrower than this (width / height) get their legend on the right, not below.
TALL_ASPECT = 0.8
#: Room (inches) for a legend on the right of a tall map.
RIGHT_LEGEND_IN = 2.0


def _scale_bar(ax: Axes, lat: float) -> None:
    """A plain km scale bar in the lower-left corner (about a fifth of the width)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_deg = 111.32 * np.cos(np.deg2rad(lat))
    target_km = (x1 - x0) * km_per_deg / 5
    nice = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200]
    length_km = max([n for n in nice if n <= target_km] or [nice[0]])
    length_deg = length_km / km_per_deg
    xs = x0 + (x1 - x0) * 0.03
    ys = y0 + (y1 - y0) * 0.03  # inside the bottom strip (see MAP_BOTTOM_STRIP)
    ax.plot([xs, xs + length_deg], [ys, ys], color="black", linewidth=2.0, zorder=10)
    ax.text(
        xs + length_deg / 2,
        ys + (y1 - y0) * 0.012,
        f"{length_km:g} km",
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=10,
    )


def draw_roads(
    ax: Axes, net: RoadNetwork, *, colour: str | None = None, alpha: float = 1.0
) -> list[LineCollection]:
    """Draw every road once, minor roads first; styled by road group unless ``colour``.

    Returns one ``LineCollection`` per road group present (minor → motorway).
    """
    tail, head, cls = undirected_segments(net)
    groups = np.array([_road_group(int(c)) for c in range(len(ROAD_CLASSES))])[cls]
    out: list[LineCollection] = []
    for z, group in enumerate(("minor", "secondary", "primary", "motorway")):
        mask = groups == group
        if not mask.any():
            continue
        seg = np.stack(
            [
                np.column_stack([net.lon[tail[mask]], net.lat[tail[mask]]]),
                np.column_stack([net.lon[head[mask]], net.lat[head[mask]]]),
            ],
            axis=1,
        )
        style_colour, width = ROAD_STYLE[group]
        lc = LineCollection(
            list(seg),
            colors=colour or style_colour,
            linewidths=width,
            alpha=alpha,
            zorder=1 + z * 0.1,
            capstyle="round",
            label=f"_road_{group}",
        )
        ax.add_collection(lc)
        out.append(lc)
    return out


#: Facilities closer than this share of the map's larger side overlap on screen; they are
#: spread on a small ring (radius below) around their common point so each stays visible.
DODGE_TOLERANCE = 0.012
DODGE_RADIUS = 0.014


def dodge_positions(
    lon: np.ndarray, lat: np.ndarray, extent: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Spread facilities that would overlap on the map onto a ring around their centre.

    Groups are built greedily (a point joins the first group whose centre is within
    :data:`DODGE_TOLERANCE` of the map's larger side); a group of ``n > 1`` is laid out on a
    ring of radius :data:`DODGE_RADIUS`, first member at the top. Single points do not move.
    Distances are on screen, i.e. longitude scaled by cos(latitude).

    Returns
    -------
    (lon, lat)
        Display positions, float arrays like the inputs.
    """
    west, south, east, north = extent
    cos_lat = float(np.cos(np.deg2rad((south + north) / 2)))
    x = np.asarray(lon, float) * cos_lat
    y = np.asarray(lat, float)
    side = max((east - west) * cos_lat, north - south)
    tol, radius = DODGE_TOLERANCE * side, DODGE_RADIUS * side
    centres: list[list[float]] = []
    members: list[list[int]] = []
    for i in range(len(x)):
        for c, (cx, cy) in enumerate(centres):
            if np.hypot(x[i] - cx, y[i] - cy) <= tol:
                members[c].append(i)
                break
        else:
            centres.append([x[i], y[i]])
            members.append([i])
    out_x, out_y = x.copy(), y.copy()
    for group in members:
        if len(group) < 2:
            continue
        cx, cy = float(x[group].mean()), float(y[group].mean())
        angles = np.pi / 2 - 2 * np.pi * np.arange(len(group)) / len(group)
        out_x[group] = cx + radius * np.cos(angles)
        out_y[group] = cy + radius * np.sin(angles)
    return out_x / cos_lat, out_y


def draw_facilities(
    ax: Axes,
    facilities: pd.DataFrame,
    *,
    lang: str = "zh",
    label_names: bool = False,
    extent: tuple[float, float, float, float] | None = None,
) -> list[str]:
    """Scatter facilities by kind, hospitals by tier; return the style keys drawn (in order).

    With the map ``extent`` (west, south, east, north), facilities that would cover each
    other (same site, e.g. a station at a hospital) are spread apart slightly
    (:func:`dodge_positions`).
    """
    _check_facilities(facilities)
    if extent is not None and len(facilities) > 1:
        lon, lat = dodge_positions(
            facilities["lon"].to_numpy(float), facilities["lat"].to_numpy(float), extent
        )
        facilities = facilities.assign(lon=lon, lat=lat)
    tiers = (
        facilities["tier"]
        if "tier" in facilities.columns
        else pd.Series([None] * len(facilities), index=facilities.index)
    )
    keys = [_style_key(str(k), t) for k, t in zip(facilities["kind"], tiers, strict=True)]
    drawn: list[str] = []
    order = ("station", "police", "centre", "trauma_centre", "city", "hospital", "county")
    key_arr = np.array(keys, dtype=object)
    for key in order:
        mask = key_arr == key
        if not mask.any():
            continue
        marker, colour, size = FACILITY_STYLE[key]
        rows = facilities[mask]
        ax.scatter(
            rows["lon"].to_numpy(float),
            rows["lat"].to_numpy(float),
            marker=marker,
            s=size,
            c=colour,
            edgecolors="white",
            linewidths=0.7,
            zorder=FACILITY_ZORDER[key],
            label=_facility_label(key, lang),
        )
        drawn.append(key)
        if label_names:
            for _, row in rows.iterrows():
                ax.annotate(
                    str(row["name"]),
                    (float(row["lon"]), float(row["lat"])),
                    xytext=(4, 3),
                    textcoords="offset points",
                    fontsize=7,
                    zorder=6,
                )
    return drawn


def road_map(
    net: RoadNetwork,
    facilities: pd.DataFrame | None = None,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    label_names: bool = False,
) -> Axes:
    """The road network coloured and weighted by road class, with facilities on top.

    Parameters
    ----------
    net
        The road network.
    facilities
        Columns ``id, kind ("station"|"hospital"|"police"|"centre"), name, lon, lat`` and
        ``tier`` for hospitals (``"trauma_centre"|"city"|"county"``).
    ax
        Axes to draw on; a new figure when ``None``.
    lang
        ``"zh"`` or ``"en"`` legend text.
    label_names
        Write each facility's name next to it (for small areas).

    Returns
    -------
    Axes
        Road ``LineCollection`` s (one per road group), one scatter per facility style.
    """
    points = _facility_points(facilities)
    extent = _map_extent(net, *(points or (None, None)))
    with brief_style(lang):
        tall = _aspect(extent) < TALL_ASPECT
        size = _map_figsize(
            extent, extra_w=RIGHT_LEGEND_IN if tall else 0.0, extra_h=0.2 if tall else 0.9
        )
        ax = ax if ax is not None else plt.subplots(figsize=size)[1]
        draw_roads(ax, net)
        if facilities is not None:
            draw_facilities(ax, facilities, lang=lang, label_names=label_names, extent=extent)
        _setup_map_axes(ax, net, lang, extent)
        road_handles = [
            Line2D(
                [],
                [],
                color=ROAD_STYLE[g][0],
                linewidth=ROAD_STYLE[g][1] + 0.5,
                label=lb.lookup(lb.ROAD_GROUPS, g, lang),
            )
            for g in ("motorway", "primary", "secondary", "minor")
        ]
        handles, texts = ax.get_legend_handles_labels()
        road_texts = [str(h.get_label()) for h in road_handles]
        _legend_below(
            ax,
            [*road_handles, *handles],
            road_texts + texts,
            right=tall,
            first_row=len(road_handles),
        )
    return ax


def incident_map(
    net: RoadNetwork,
    incidents: pd.DataFrame,
    facilities: pd.DataFrame | None = None,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    column: str = "response_min",
    vmax: float | None = None,
    thresholds: Sequence[float] | None = None,
) -> Axes:
    """Incidents coloured by response time over grey roads (and facilities).

    Parameters
    ----------
    net
        The road network.
    incidents
        Columns ``lon, lat`` and ``column`` (minutes); rows with NaN minutes are grey.
    facilities
        As in :func:`road_map` (optional).
    ax, lang
        As in :func:`road_map`.
    column
        Minutes column that sets the colour (default ``response_min``).
    vmax
        Top of the colour scale (default: the 95th percentile, so outliers don't wash it out).
    thresholds
        Band edges in minutes, e.g. the response targets ``(8, 12)``: points are coloured by
        band (green, amber, red) with a legend instead of a continuous colour bar, so the
        map reads the same way as :func:`coverage_map`.

    Returns
    -------
    Axes
        With a colour bar on its figure (or band legend entries with ``thresholds``).
    """
    require_columns(incidents, "incidents", ("lon", "lat", column))
    minutes = incidents[column].to_numpy(float)
    lon = incidents["lon"].to_numpy(float)
    lat = incidents["lat"].to_numpy(float)
    ok = ~np.isnan(minutes)
    top = vmax if vmax is not None else (float(np.percentile(minutes[ok], 95)) if ok.any() else 1.0)
    limits = None if thresholds is None else _check_thresholds(thresholds, "incident_map")
    fac_points = _facility_points(facilities)
    extent = _map_extent(
        net,
        np.concatenate([lon, fac_points[0]]) if fac_points else lon,
        np.concatenate([lat, fac_points[1]]) if fac_points else lat,
    )
    with brief_style(lang):
        # A tall map with a band legend takes the legend on its right (no colour bar there).
        tall = limits is not None and _aspect(extent) < TALL_ASPECT
        if ax is None:
            size = _map_figsize(
                extent,
                extra_w=RIGHT_LEGEND_IN if tall else (0.0 if limits else 1.0),
                extra_h=0.2 if tall else 0.9,
            )
            ax = plt.subplots(figsize=size)[1]
        draw_roads(ax, net, colour="#b0b0b0")
        if (~ok).any():
            ax.scatter(lon[~ok], lat[~ok], s=8, c=UNREACHABLE_COLOUR, zorder=3)
        if limits is None:
            cmap: str | ListedColormap = "plasma_r"
            norm: Normalize = Normalize(0.0, max(top, 1e-9))
        else:
            colours = _band_colours(len(limits) + 1)
            cmap = ListedColormap(colours)
            norm = BoundaryNorm([-np.inf, *limits, np.inf], len(colours))
        points = ax.scatter(
            lon[ok],
            lat[ok],
            c=minutes[ok],
            cmap=cmap,
            norm=norm,
            s=10,
            alpha=0.85,
            linewidths=0,
            zorder=4,
        )
        handles: list[Artist] = []
        texts: list[str] = []
        if limits is None:
            bar = ax.figure.colorbar(points, ax=ax, shrink=0.7, extend="max")
            bar.set_label(
                lb.lookup(lb.METRICS, column, lang)
                if column != "response_min"
                else lb.text("response_colorbar", lang)
            )
        else:
            texts = _band_labels(limits, lang)
            handles = [
                Line2D([], [], marker="o", linestyle="", markersize=6, color=c, alpha=0.85)
                for c in _band_colours(len(limits) + 1)
            ]
            if (~ok).any():
                handles.append(Line2D([], [], marker="o", linestyle="", color=UNREACHABLE_COLOUR))
                texts.append(lb.text("not_reached", lang))
        if facilities is not None:
            draw_facilities(ax, facilities, lang=lang, extent=extent)
        fac_handles, fac_texts = ax.get_legend_handles_labels()
        if handles or fac_handles:
            title = lb.text("response_colorbar", lang) if limits is not None else None
            _legend_below(
                ax,
                handles + fac_handles,
                texts + fac_texts,
                title=title,
                right=tall,
                first_row=len(handles),
            )
        _setup_map_axes(ax, net, lang, extent)
    return ax


def _check_thresholds(thresholds: Sequence[float], where: str) -> list[float]:
    limits = [float(t) for t in thresholds]
    if not limits or sorted(limits) != limits:
        raise UserError(f"{where}: thresholds: must be increasing minutes, e.g. (8, 12)")
    return limits


def _band_labels(limits: Sequence[float], lang: str) -> list[str]:
    """Band legend texts, e.g. "≤8 min", "8–12 min", ">12 min" for thresholds (8, 12)."""
    out = [lb.text("band_within", lang, hi=limits[0])]
    out += [lb.text("band_between", lang, lo=lo, hi=hi) for lo, hi in itertools.pairwise(limits)]
    out.append(lb.text("band_beyond", lang, lo=limits[-1]))
    return out


def _bands(minutes: np.ndarray, thresholds: Sequence[float]) -> np.ndarray:
    """Band per value: 0 = within thresholds[0], …, len(thresholds) = beyond, -1 = unreachable."""
    band = np.searchsorted(np.asarray(thresholds, float), minutes, side="left")
    band[~np.isfinite(minutes)] = -1
    return band


def coverage_map(
    net: RoadNetwork,
    minutes_by_node_base: np.ndarray,
    minutes_by_node_other: np.ndarray | None = None,
    *,
    thresholds: Sequence[float] = (8.0, 12.0),
    facilities: pd.DataFrame | None = None,
    titles: Sequence[str] | None = None,
    axes: Sequence[Axes] | None = None,
    lang: str = "zh",
    legend_title: str | None = None,
) -> list[Axes]:
    """Drive-time coverage from stations: roads coloured by minutes-to-nearest-station band.

    Baseline and the other scenario side by side, or one above the other for an area wider
    than tall (one panel if ``minutes_by_node_other`` is ``None``). A road is coloured by
    the larger of its two end nodes' minutes, so green means the whole segment is within the
    first threshold.

    Parameters
    ----------
    net
        The road network.
    minutes_by_node_base, minutes_by_node_other
        float arrays of length ``net.n_nodes``: minutes from the nearest station (``inf`` or
        NaN = unreachable), e.g. from the travel engine's multi-source Dijkstra.
    thresholds
        Band edges in minutes (Hangzhou targets: urban 8, rural 12).
    facilities
        Drawn on every panel when given (e.g. only the stations).
    titles
        Panel titles (default: "基线"/"一体化", "Baseline"/"Integrated").
    axes
        Axes to draw on (one per panel); a new figure when ``None``.
    lang
        ``"zh"`` or ``"en"``.
    legend_title
        Title of the band legend (default: minutes from the nearest station); say so when
        the minutes are expected response times rather than pure drive times.

    Returns
    -------
    list of Axes
        One per panel, each with one ``LineCollection`` per band present.
    """
    panels = [np.asarray(minutes_by_node_base, float)]
    if minutes_by_node_other is not None:
        panels.append(np.asarray(minutes_by_node_other, float))
    for name, arr in zip(("minutes_by_node_base", "minutes_by_node_other"), panels, strict=False):
        if arr.shape != (net.n_nodes,):
            raise UserError(
                f"coverage_map: {name}: must have one value per node ({net.n_nodes}), "
                f"got shape {arr.shape}"
            )
    limits = _check_thresholds(thresholds, "coverage_map")
    default_titles = [lb.text("baseline", lang), lb.text("integrated", lang)]
    names = list(titles) if titles is not None else default_titles[: len(panels)]
    tail, head, _ = undirected_segments(net)
    band_labels = _band_labels(limits, lang)
    colours = _band_colours(len(limits) + 1)
    fac_points = _facility_points(facilities)
    extent = _map_extent(net, *(fac_points or (None, None)))
    with brief_style(lang):
        if axes is None and len(panels) > 1 and _aspect(extent) >= 1.0:
            # Wide areas: panels one above the other, so each keeps a readable width.
            w, h = _map_figsize(extent, box=(6.5, 4.6), extra_h=0.0)
            _fig, raw = plt.subplots(
                len(panels), 1, figsize=(w, h * len(panels) + 0.9), squeeze=False
            )
            ax_list = list(raw[:, 0])
        elif axes is None:
            size = _map_figsize(extent, box=(5.6, 5.6), panels=len(panels), extra_h=0.8)
            _fig, raw = plt.subplots(1, len(panels), figsize=size, squeeze=False)
            ax_list = list(raw[0])
        else:
            ax_list = list(axes)
            if len(ax_list) != len(panels):
                raise UserError(f"coverage_map: axes: need {len(panels)} Axes, got {len(ax_list)}")
        for ax, minutes, title in zip(ax_list, panels, names, strict=True):
            edge_minutes = np.fmax(minutes[tail], minutes[head])
            edge_minutes[~(np.isfinite(minutes[tail]) & np.isfinite(minutes[head]))] = np.inf
            band = _bands(edge_minutes, limits)
            for b in [-1, *range(len(limits) + 1)]:
                mask = band == b
                if not mask.any():
                    continue
                seg = np.stack(
                    [
                        np.column_stack([net.lon[tail[mask]], net.lat[tail[mask]]]),
                        np.column_stack([net.lon[head[mask]], net.lat[head[mask]]]),
                    ],
                    axis=1,
                )
                ax.add_collection(
                    LineCollection(
                        list(seg),
                        colors=UNREACHABLE_COLOUR if b < 0 else colours[b],
                        linewidths=0.9 if b >= 0 else 0.5,
                        zorder=2 if b >= 0 else 1,
                    )
                )
            if facilities is not None:
                draw_facilities(ax, facilities, lang=lang, extent=extent)
            _setup_map_axes(ax, net, lang, extent)
            ax.set_title(title)
        handles = [Line2D([], [], color=c, linewidth=2.5) for c in colours]
        texts = list(band_labels)
        if any((~np.isfinite(p)).any() for p in panels):
            handles.append(Line2D([], [], color=UNREACHABLE_COLOUR, linewidth=2.5))
            texts.append(lb.text("unreachable", lang))
        fac_handles, fac_texts = ax_list[-1].get_legend_handles_labels()
        title = legend_title or lb.text("minutes_to_station", lang)
        if axes is None and len(ax_list) > 1:
            # One legend centred under both panels (constrained layout makes room for it).
            ax_list[0].figure.legend(
                handles + fac_handles,
                texts + fac_texts,
                loc="outside lower center",
                ncol=len(handles) + len(fac_handles),
                fontsize=8,
                title=title,
                title_fontsize=8,
            )
        else:
            _legend_below(
                ax_list[-1],
                handles + fac_handles,
                texts + fac_texts,
                title=title,
                first_row=len(handles),
            )
    return ax_list


def _band_colours(n: int) -> list[str]:
    if n == len(BAND_COLOURS):
        return list(BAND_COLOURS)
    cmap = plt.get_cmap("RdYlGn_r")
    return [to_hex(cmap(i / max(n - 1, 1))) for i in range(n)]


# --------------------------------------------------------------------------- interactive


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
        As in :func:`road_map`; shown as circle markers with the name as tooltip.
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
        :func:`incident_map` with ``thresholds``, instead of a continuous scale.

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
