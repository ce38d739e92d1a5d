"""The scaling report's figure and files (``trauma-sim bench scaling``). Nothing here measures.

:func:`scaling_figure` draws the points of :func:`sim.runs.bench.scaling_benchmark` as four
panels, cost per incident against horizon, fleet, network size and number of 120 centres
(run time on a second axis where it is the figure of interest); :func:`write_scaling_report`
writes the JSON, a CSV of the points and the PNG, each atomically. English labels: the
figure is for docs/performance.md, not the committee brief.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.io.results import write_csv_atomic, write_text_atomic
from sim.plotting.charts import require_columns
from sim.plotting.style import brief_style

_PANELS = (
    ("horizon", "simulated days", "run_s", "run time, s"),
    ("fleet", "fleet (share of the scenario's ambulances)", None, None),
    ("network", "network nodes", "world_build_s", "world build, s"),
    ("centres", "120 centres (same seats in total)", None, None),
)
_COLUMNS = ("factor", "level", "cost_per_incident_us", "run_s", "world_build_s", "network")
_COST = "cost_per_incident_us_load_corrected"


def _panel(
    ax: Axes, rows: pd.DataFrame, xlabel: str, second: str | None, label: str | None
) -> None:
    rows = rows.sort_values("level")
    x = rows["level"].to_numpy(float)
    # The load-corrected cost where the bench measured it (points from older files: raw).
    cost = rows[_COST] if _COST in rows else rows["cost_per_incident_us"]
    ax.plot(x, rows["cost_per_incident_us"], "o:", color="C0", alpha=0.4, label="as measured")
    ax.plot(x, cost, "o-", color="C0", label="load-corrected")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("µs per incident", color="C0")
    ax.set_ylim(bottom=0)
    if rows["factor"].iloc[0] == "network":
        ax.set_xlim(0, float(x.max()) * 1.1)
        for xi, yi, name in zip(x, cost, rows["network"], strict=True):
            ax.annotate(
                str(name).replace("synthetic_", "synthetic\n"),
                (xi, yi),
                textcoords="offset points",
                xytext=(0, -22),
                ha="center",
                fontsize=6,
            )
    if rows["factor"].iloc[0] == "horizon":
        ax.legend(loc="lower right", fontsize=6, frameon=False)
    if second is not None and label is not None:
        twin = ax.twinx()
        twin.plot(x, rows[second], "s--", color="C1")
        twin.set_ylabel(label, color="C1")
        twin.set_ylim(bottom=0)


def scaling_figure(points: pd.DataFrame, *, title: str = "") -> Figure:
    """Cost per incident against each factor of the scaling report, one panel per factor.

    Parameters
    ----------
    points
        One row per measured point with ``factor``, ``level``, ``cost_per_incident_us``,
        ``run_s``, ``world_build_s`` and ``network`` (``scaling_benchmark()["points"]``),
        and ``cost_per_incident_us_load_corrected`` if measured (drawn solid; the cost as
        measured is drawn faint beside it).
    title
        Figure title (e.g. the machine load the points were measured under).

    Returns
    -------
    matplotlib.figure.Figure
        Factors without points are left out.
    """
    require_columns(points, "scaling points", _COLUMNS)
    panels = [p for p in _PANELS if (points["factor"] == p[0]).any()]
    with brief_style("en"):
        fig, axes = plt.subplots(
            1, max(1, len(panels)), figsize=(3.2 * max(1, len(panels)), 3.0), squeeze=False
        )
        for ax, (factor, xlabel, second, label) in zip(axes[0], panels, strict=False):
            _panel(ax, points[points["factor"] == factor], xlabel, second, label)
        if title:
            fig.suptitle(title, fontsize=9)
    return fig


def write_scaling_report(result: dict[str, Any], out: Path) -> Path:
    """Write ``scaling.json``, ``scaling.csv`` and ``scaling.png`` into ``out``; return the PNG.

    Parameters
    ----------
    result
        What :func:`sim.runs.bench.scaling_benchmark` returned.
    out
        Folder (created).

    The credit lines of the networks measured (``attribution`` of each point: the OSM credit
    for real roads) are printed under the figure.
    """
    out.mkdir(parents=True, exist_ok=True)
    points = pd.DataFrame(result["points"])
    write_text_atomic(out / "scaling.json", json.dumps(result, indent=2, ensure_ascii=False))
    write_csv_atomic(out / "scaling.csv", points)
    title = (
        f"one replication of {result['base']} and its variants, measured side by side; "
        f"{result['cpu_count']} CPUs, load {result['load_average_start']}-"
        f"{result['load_average_end']}"
    )
    fig = scaling_figure(points, title=title)
    credits = sorted({str(a) for a in points.get("attribution", pd.Series(dtype=str)) if a})
    if credits:
        fig.text(0.01, -0.02, "; ".join(credits), fontsize=6, ha="left", va="top")
    png = out / "scaling.png"
    tmp = png.with_name(f".{png.name}.tmp-{os.getpid()}.png")
    with brief_style("en"):
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    os.replace(tmp, png)
    return png
