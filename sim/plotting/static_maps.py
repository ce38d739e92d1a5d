"""Static maps (matplotlib): roads by class, incidents, drive-time coverage.

For briefs: no browser, the bundled font, PDF-ready. Each map draws the
:class:`~sim.network.core.RoadNetwork` arrays directly with the helpers of
:mod:`sim.plotting.map_axes` and carries ``net.attribution``. :func:`plot_network` is the
plain English data-check view behind ``trauma-sim network plot``; the others are committee
maps in the house style. Minutes per node or per incident come in as arrays or columns.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, ListedColormap, Normalize
from matplotlib.lines import Line2D

from sim.core.errors import UserError
from sim.network.core import RoadNetwork
from sim.plotting import labels as lb
from sim.plotting.charts import require_columns
from sim.plotting.map_axes import (
    RIGHT_LEGEND_IN,
    ROAD_STYLE,
    TALL_ASPECT,
    UNREACHABLE_COLOUR,
    _aspect,
    _band_colours,
    _band_labels,
    _bands,
    _check_thresholds,
    _facility_points,
    _legend_below,
    _map_extent,
    _map_figsize,
    _setup_map_axes,
    credit_text,
    draw_facilities,
    draw_roads,
    draw_roads_by_class,
    segment_array,
    undirected_segments,
)
from sim.plotting.style import brief_style


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
        ``tier`` for hospitals (``"trauma_centre"|"city"|"county"``); an optional boolean
        ``outside_roads`` rings the facilities beyond the road data.
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
                seg = segment_array(net, tail, head, mask)
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


# --------------------------------------------------------------- data-check map

#: Marker per facility kind on the data-check map (kinds in sorted order).
_CHECK_MARKERS = ("P", "^", "s", "D", "o", "v", "*", "X")
_CHECK_FACILITY_COLUMNS = ("kind", "lon", "lat", "name")


def plot_network(
    net: RoadNetwork,
    *,
    facilities: pd.DataFrame | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw roads coloured by class, optional facilities, and the attribution line.

    Parameters
    ----------
    net
        The network.
    facilities
        Optional table with columns ``kind``, ``lon``, ``lat``, ``name`` (WGS-84 degrees);
        one marker style per kind, shown in the legend.
    ax
        Axes to draw on (default: a new figure).

    Returns
    -------
    Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8))
    handles: list[Artist] = list(draw_roads_by_class(ax, net))

    if facilities is not None and len(facilities):
        missing = [c for c in _CHECK_FACILITY_COLUMNS if c not in facilities.columns]
        if missing:
            raise UserError(
                f"facilities: missing column(s) {', '.join(missing)}; "
                f"need {', '.join(_CHECK_FACILITY_COLUMNS)}"
            )
        for i, (kind, group) in enumerate(facilities.groupby("kind", sort=True)):
            marker = _CHECK_MARKERS[i % len(_CHECK_MARKERS)]
            pts = ax.scatter(
                group["lon"].to_numpy(float),
                group["lat"].to_numpy(float),
                marker=marker,
                s=60,
                edgecolors="black",
                linewidths=0.6,
                zorder=5,
                label=str(kind),
            )
            handles.append(pts)

    west, south, east, north = net.bbox()
    pad_x, pad_y = 0.02 * (east - west) or 0.001, 0.02 * (north - south) or 0.001
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    ax.set_aspect(1.0 / math.cos(math.radians((south + north) / 2)))
    ax.set_xlabel("longitude (°E)" if east >= 0 else "longitude (°)")
    ax.set_ylabel("latitude (°)")
    title = f"{net.name}: {net.n_nodes:,} nodes, {net.n_edges:,} edges"
    ax.set_title(f"{title} (synthetic)" if net.synthetic else title)
    ax.legend(handles=handles, loc="upper left", fontsize=7, framealpha=0.85)
    credit_text(ax, net.attribution, corner=(0.99, 0.01), alpha=0.7, zorder=6)
    return ax


def read_facilities_csv(path: str | Path) -> pd.DataFrame:
    """Read a facilities CSV (columns ``kind``, ``lon``, ``lat``, ``name``) for plotting."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: facilities file not found")
    try:
        table = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UserError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in _CHECK_FACILITY_COLUMNS if c not in table.columns]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; "
            f"need {', '.join(_CHECK_FACILITY_COLUMNS)}"
        )
    for col in ("lon", "lat"):
        if not pd.api.types.is_numeric_dtype(table[col]):
            raise UserError(f"{path}: {col}: must be numbers (WGS-84 degrees)")
    return table


def plot_network_file(
    source: str | Path,
    out: str | Path,
    *,
    facilities_csv: str | Path | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    dpi: int = 200,
) -> Path:
    """Load a network by name or path, plot it, and save the figure (``network plot``).

    Parameters
    ----------
    source
        As for :func:`sim.network.datapath.load_network`.
    out
        Image file to write (PNG, SVG or PDF by suffix).
    facilities_csv
        Optional facilities CSV (columns ``kind``, ``lon``, ``lat``, ``name``).
    data_dir, cache_dir
        As for :func:`~sim.network.datapath.load_network`.
    dpi
        Resolution for raster output.

    Returns
    -------
    Path
        The written file.
    """
    from sim.network.datapath import load_network

    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise UserError(f"{out}: --out must end in .png, .svg or .pdf")
    facilities = read_facilities_csv(facilities_csv) if facilities_csv is not None else None
    net = load_network(source, data_dir=data_dir, cache_dir=cache_dir)
    fig, ax = plt.subplots(figsize=(9, 9))
    try:
        plot_network(net, facilities=facilities, ax=ax)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return out
