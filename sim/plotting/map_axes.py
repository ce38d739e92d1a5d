"""Axes helpers shared by every map: road and facility styles, drawing, extent, legend.

The static maps (:mod:`sim.plotting.static_maps`) and the interactive map
(:mod:`sim.plotting.interactive`) draw the :class:`~sim.network.core.RoadNetwork` arrays
directly; the styles, the once-per-street segments, the facility checks and the band
helpers live here so both read the same. Nothing here computes a metric.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D

from sim.core.errors import UserError
from sim.network.core import ROAD_CLASSES, RoadNetwork
from sim.plotting import labels as lb
from sim.plotting.charts import require_columns

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

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
#: Ring around a facility outside the road data: red, about three marker widths across.
OUTSIDE_RING_COLOUR = "#d62728"
OUTSIDE_RING_SIZE = 260.0
BAND_COLOURS: tuple[str, ...] = ("#1a9850", "#fdae61", "#d73027")
UNREACHABLE_COLOUR = "#bdbdbd"

#: Colour and line width per road class, for the plain data-check map
#: (:func:`draw_roads_by_class`; major roads drawn on top).
ROAD_CLASS_STYLE: dict[str, tuple[str, float]] = {
    "motorway": ("#c0392b", 2.2),
    "trunk": ("#e67e22", 1.9),
    "primary": ("#d4ac0d", 1.6),
    "secondary": ("#27ae60", 1.3),
    "tertiary": ("#2980b9", 1.0),
    "unclassified": ("#7f8c8d", 0.8),
    "residential": ("#95a5a6", 0.6),
    "living_street": ("#b2babb", 0.5),
    "service": ("#cacfd2", 0.4),
    "other": ("#aab7b8", 0.5),
}


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


def segment_array(
    net: RoadNetwork, tail: np.ndarray, head: np.ndarray, mask: np.ndarray
) -> np.ndarray:
    """``(n, 2, 2)`` line segments ``[[lon, lat] of tail, [lon, lat] of head]`` under ``mask``.

    Parameters
    ----------
    net
        The road network (node coordinates).
    tail, head
        Node indices of each segment's ends, as from :func:`undirected_segments`.
    mask
        Which segments to keep.

    Returns
    -------
    numpy.ndarray
        Segments in the shape ``LineCollection`` takes.
    """
    return np.stack(
        [
            np.column_stack([net.lon[tail[mask]], net.lat[tail[mask]]]),
            np.column_stack([net.lon[head[mask]], net.lat[head[mask]]]),
        ],
        axis=1,
    )


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
    credit_text(ax, note)


def credit_text(
    ax: Axes,
    text: str,
    *,
    corner: tuple[float, float] = (0.995, 0.008),
    alpha: float = 0.8,
    zorder: float = 10,
) -> None:
    """The map's data credit (e.g. "© OpenStreetMap contributors, ODbL 1.0"), lower right.

    Parameters
    ----------
    ax
        The map's axes.
    text
        The credit line(s), right-aligned.
    corner
        Lower-right corner in axes fractions.
    alpha
        Opacity of the white box behind it (roads stay faintly visible beneath).
    zorder
        Drawing order; above roads and facilities.
    """
    ax.text(
        *corner,
        text,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        multialignment="right",
        fontsize=7,
        color="#333333",
        bbox={"facecolor": "white", "alpha": alpha, "edgecolor": "none", "pad": 1.5},
        zorder=zorder,
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
        seg = segment_array(net, tail, head, mask)
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


def draw_roads_by_class(ax: Axes, net: RoadNetwork) -> list[Line2D]:
    """Draw every road once, one colour per road class (:data:`ROAD_CLASS_STYLE`).

    The plain data-check view of ``trauma-sim network plot``; committee maps group the
    classes instead (:func:`draw_roads`).

    Parameters
    ----------
    ax
        Axes to draw on.
    net
        The road network.

    Returns
    -------
    list of Line2D
        Legend handles, one per class present, major classes first.
    """
    tail, head, cls = undirected_segments(net)
    handles: list[Line2D] = []
    for code in reversed(range(len(ROAD_CLASSES))):
        mask = cls == code
        if not mask.any():
            continue
        colour, width = ROAD_CLASS_STYLE[ROAD_CLASSES[code]]
        ax.add_collection(
            LineCollection(
                list(segment_array(net, tail, head, mask)),
                colors=colour,
                linewidths=width,
                zorder=2 + 0.1 * (10 - code),
            )
        )
        handles.append(
            Line2D([], [], color=colour, linewidth=max(width, 1.0), label=ROAD_CLASSES[code])
        )
    handles.reverse()
    return handles


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
    (:func:`dodge_positions`). Facilities whose ``outside_roads`` column is true (beyond the
    road data, see :mod:`sim.io.mapdata`) get a red ring and a legend entry of their own
    (style key ``"outside_roads"``), so a facility drawn past the roads is never unmarked.
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
    if "outside_roads" in facilities.columns:
        outside = facilities["outside_roads"].fillna(False).astype(bool).to_numpy()
        if outside.any():
            ax.scatter(
                facilities["lon"].to_numpy(float)[outside],
                facilities["lat"].to_numpy(float)[outside],
                marker="o",
                s=OUTSIDE_RING_SIZE,
                facecolors="none",
                edgecolors=OUTSIDE_RING_COLOUR,
                linewidths=1.4,
                zorder=max(FACILITY_ZORDER.values()) + 0.1,
                label=lb.text("outside_roads", lang),
            )
            drawn.append("outside_roads")
    return drawn


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


def _band_colours(n: int) -> list[str]:
    if n == len(BAND_COLOURS):
        return list(BAND_COLOURS)
    cmap = plt.get_cmap("RdYlGn_r")
    return [to_hex(cmap(i / max(n - 1, 1))) for i in range(n)]
