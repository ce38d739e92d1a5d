"""The brief's figures: every chart and map the data allow, drawn under the brief style.

Figures are drawn by :mod:`sim.plotting.charts` and :mod:`sim.plotting.maps` from the
:class:`~sim.plotting.brief.data.BriefData` tables and returned as PNG bytes with their
caption; nothing here computes a metric.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure, SubFigure

from sim.io.mapdata import MapData
from sim.metrics.compute import RESPONSE_TARGET_MIN
from sim.plotting import charts, maps
from sim.plotting import labels as lb
from sim.plotting.brief.data import BriefData, display_view, load_brief_data, scenario_labels
from sim.plotting.brief_validation import validation_figures
from sim.plotting.style import brief_style

#: Response bands of maps and the ECDF: Hangzhou's urban and rural targets, minutes.
RESPONSE_TARGETS_MIN = tuple(RESPONSE_TARGET_MIN.values())
#: Incidents drawn on the static incident map at most (every k-th row beyond this).
MAX_MAP_INCIDENTS = 20_000


@dataclass
class BriefFigure:
    """One figure of the brief: its key (file and anchor name), caption and PNG bytes."""

    key: str
    caption: str
    png: bytes


def _png(fig: Figure | SubFigure) -> bytes:
    root = fig if isinstance(fig, Figure) else fig.get_figure(root=True)
    if not isinstance(root, Figure):  # pragma: no cover - every Axes has a root figure
        raise TypeError("figure has no root Figure")
    buf = io.BytesIO()
    with brief_style():
        root.savefig(buf, format="png", dpi=200, bbox_inches="tight")
    plt.close(root)
    return buf.getvalue()


def make_figures(data: BriefData, lang: str) -> list[BriefFigure]:
    """Draw every figure the data allow, in brief order, scenarios by display name."""
    maps_of = data
    data = display_view(data, lang)
    order = data.scenarios or None
    out: list[BriefFigure] = []
    if data.stages is not None and not data.stages.empty:
        ax = charts.stage_bars(data.stages, lang=lang, scenarios=order)
        out.append(BriefFigure("stages", lb.text("fig_stages", lang), _png(ax.figure)))
    if data.comparison is not None:
        present = set(data.comparison["metric"].astype(str))
        counts = [m for m in lb.AVERTED_COUNT_METRICS if m in present]
        dalys = "dalys_averted_per_year" in present
        if counts or dalys:
            with brief_style(lang):
                fig, axes = plt.subplots(
                    1,
                    2 if counts and dalys else 1,
                    figsize=(9.0, 3.4),
                    squeeze=False,
                    width_ratios=(3, 2) if counts and dalys else None,
                )
            panels = list(axes[0])
            if counts:
                charts.averted_bars(
                    data.comparison,
                    ax=panels[0],
                    lang=lang,
                    metrics=counts,
                    base=data.base,
                    order=order,
                )
            if dalys:
                charts.averted_bars(
                    data.comparison,
                    ax=panels[-1],
                    lang=lang,
                    metrics=("dalys_averted_per_year",),
                    base=data.base,
                    order=order,
                )
                panels[-1].set_ylim(-1.0, 1.0)  # one metric: keep its bar as slim as the rest
            out.append(BriefFigure("averted", lb.text("fig_averted", lang), _png(fig)))
    if data.compliance is not None and not data.compliance.empty:
        ax = charts.compliance_bars(data.compliance, lang=lang, order=order)
        out.append(BriefFigure("compliance", lb.text("fig_compliance", lang), _png(ax.figure)))
    incidents = data.incidents()
    if incidents is not None:
        if "response_min" in incidents.columns:
            ax = charts.ecdf(
                incidents, "response_min", lang=lang, order=order, targets_min=RESPONSE_TARGETS_MIN
            )
            out.append(
                BriefFigure("ecdf_response", lb.text("fig_ecdf_response", lang), _png(ax.figure))
            )
        if "injury_to_definitive_min" in incidents.columns:
            ax = charts.ecdf(incidents, "injury_to_definitive_min", lang=lang, order=order)
            out.append(
                BriefFigure(
                    "ecdf_definitive", lb.text("fig_ecdf_definitive", lang), _png(ax.figure)
                )
            )
    if data.utilisation is not None and not data.utilisation.empty:
        ax = charts.utilisation_by_hour(data.utilisation, lang=lang, order=order)
        out.append(BriefFigure("utilisation", lb.text("fig_utilisation", lang), _png(ax.figure)))
    if data.consult_waits is not None and someone_waited(data.consult_waits):
        ax = charts.consult_waits(data.consult_waits, lang=lang, order=order)
        out.append(BriefFigure("consult", lb.text("fig_consult", lang), _png(ax.figure)))
    if data.tornado is not None and not data.tornado.empty:
        ax = charts.tornado(data.tornado, lang=lang)
        out.append(BriefFigure("tornado", lb.text("fig_tornado", lang), _png(ax.figure)))
    if maps_of.map_data is not None:
        out += _map_figures(maps_of, maps_of.map_data, lang)
    out += [BriefFigure(*f) for f in validation_figures(data.runs, lang)]  # brief_validation.py
    return out


def someone_waited(waits: pd.DataFrame) -> bool:
    """Whether any consultation wait was above zero."""
    # A chart of waits that are all zero is an empty line at 0: say it in words instead.
    minutes = pd.to_numeric(waits["consult_wait_min"], errors="coerce")
    return bool((minutes > 0).any())


def _map_scenarios(data: BriefData, mdata: MapData) -> tuple[str, str | None]:
    """(base, other) scenarios of the coverage panels: the base and the last scenario."""
    have = mdata.scenarios
    base = data.base if data.base in have else have[0]
    others = [s for s in data.scenarios if s in have and s != base]
    others += [s for s in have if s != base and s not in others]
    return base, (others[-1] if others else None)


def map_incidents(data: BriefData) -> pd.DataFrame | None:
    """Base incidents to map: located, and not cut off unanswered by the end of the run."""
    incidents = data.base_incidents()
    if incidents is None or not {"lon", "lat", "response_min"} <= set(incidents.columns):
        return None
    keep = incidents["lon"].notna() & incidents["lat"].notna()
    if "status" in incidents.columns:  # still open at the horizon: no response to show
        censored = (incidents["status"].astype(str) == "in_progress") & incidents[
            "response_min"
        ].isna()
        keep &= ~censored
    shown = incidents.loc[keep]
    return shown if len(shown) else None


def _map_figures(data: BriefData, mdata: MapData, lang: str) -> list[BriefFigure]:
    """Road network with facilities, base incidents by response time, coverage base vs other."""
    net, fac = mdata.network, mdata.facilities
    label = scenario_labels(data, lang)
    out: list[BriefFigure] = []
    ax = maps.road_map(net, fac, lang=lang)
    out.append(BriefFigure("map_network", lb.text("fig_map_network", lang), _png(ax.figure)))
    incidents = map_incidents(data)
    base, other = _map_scenarios(data, mdata)
    if incidents is not None:
        step = max(1, -(-len(incidents) // MAX_MAP_INCIDENTS))
        ax = maps.incident_map(
            net,
            incidents.iloc[::step],
            fac[fac["kind"].astype(str).isin(("station", "hospital"))],
            lang=lang,
            thresholds=RESPONSE_TARGETS_MIN,
        )
        scenario = data.base or base
        out.append(
            BriefFigure(
                "map_incidents",
                lb.text("fig_map_incidents", lang, scenario=label.get(scenario, scenario)),
                _png(ax.figure),
            )
        )
    names = [base] if other is None else [base, other]
    titles = [
        label.get(n, n) + (lb.text("base_marker", lang) if n == data.base else "") for n in names
    ]
    axes = maps.coverage_map(
        net,
        mdata.minutes_by_node(base),
        None if other is None else mdata.minutes_by_node(other),
        thresholds=RESPONSE_TARGETS_MIN,
        facilities=fac[fac["kind"].astype(str) == "station"],
        titles=titles,
        lang=lang,
        legend_title=lb.text("expected_response", lang),
    )
    offsets = lb.text("list_sep", lang).join(
        lb.text("offset_item", lang, scenario=label.get(n, n), minutes=mdata.offsets_min[n])
        for n in names
        if n in mdata.offsets_min
    )
    caption = lb.text("fig_map_coverage", lang, hour=mdata.hour)
    if offsets:
        caption += lb.text("fig_map_coverage_offsets", lang, offsets=offsets)
    out.append(BriefFigure("map_coverage", caption, _png(axes[0].figure)))
    return out


def write_figures(result_dirs: Sequence[Path], out_dir: Path, lang: str = "zh") -> list[Path]:
    """Write every brief figure as a PNG into ``out_dir``; return their paths."""
    lang = lb.check_lang(lang)
    data = load_brief_data(result_dirs)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fig in make_figures(data, lang):
        path = out_dir / f"{fig.key}_{lang}.png"
        path.write_bytes(fig.png)
        paths.append(path)
    return paths
