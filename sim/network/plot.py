"""Quick maps of a road network (roads by class, facilities, attribution).

A check-the-data view for ``trauma-sim network plot`` and notebooks, in English. It sets
no global rcParams and computes nothing about the simulation; committee-styled maps are
the plotting package's job.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import UserError
from sim.network.core import ROAD_CLASSES, RoadNetwork

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

#: Colour and line width per road class (major roads drawn on top).
ROAD_STYLE: dict[str, tuple[str, float]] = {
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
_FACILITY_MARKERS = ("P", "^", "s", "D", "o", "v", "*", "X")
FACILITY_COLUMNS = ("kind", "lon", "lat", "name")


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
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8))
    src = net.edge_sources()
    dst = net.indices
    # Draw each street once, not once per direction.
    once = (src < dst) | ~_has_reverse(net, src, dst)
    handles: list[Line2D] = []
    for code in reversed(range(len(ROAD_CLASSES))):
        cls = ROAD_CLASSES[code]
        sel = once & (net.road_class == code)
        if not sel.any():
            continue
        colour, width = ROAD_STYLE[cls]
        segs = np.stack(
            [
                np.column_stack([net.lon[src[sel]], net.lat[src[sel]]]),
                np.column_stack([net.lon[dst[sel]], net.lat[dst[sel]]]),
            ],
            axis=1,
        )
        ax.add_collection(
            LineCollection(
                list(segs), colors=colour, linewidths=width, zorder=2 + 0.1 * (10 - code)
            )
        )
        handles.append(Line2D([], [], color=colour, linewidth=max(width, 1.0), label=cls))
    handles.reverse()

    if facilities is not None and len(facilities):
        missing = [c for c in FACILITY_COLUMNS if c not in facilities.columns]
        if missing:
            raise UserError(
                f"facilities: missing column(s) {', '.join(missing)}; "
                f"need {', '.join(FACILITY_COLUMNS)}"
            )
        for i, (kind, group) in enumerate(facilities.groupby("kind", sort=True)):
            marker = _FACILITY_MARKERS[i % len(_FACILITY_MARKERS)]
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
            handles.append(pts)  # type: ignore[arg-type]

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
    ax.text(
        0.99,
        0.01,
        net.attribution,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        color="#333333",
        bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1.5},
        zorder=6,
    )
    return ax


def _has_reverse(net: RoadNetwork, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Per edge: whether the opposite edge (dst → src) exists."""
    n = np.int64(net.n_nodes)
    key = src.astype(np.int64) * n + dst
    rev = dst.astype(np.int64) * n + src
    order = np.sort(key)
    pos = np.searchsorted(order, rev)
    pos[pos == order.size] = 0
    return np.asarray(order[pos] == rev)


def read_facilities_csv(path: str | Path) -> pd.DataFrame:
    """Read a facilities CSV (columns ``kind``, ``lon``, ``lat``, ``name``) for plotting."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: facilities file not found")
    try:
        table = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise UserError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in FACILITY_COLUMNS if c not in table.columns]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; need {', '.join(FACILITY_COLUMNS)}"
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
    import matplotlib.pyplot as plt

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
