"""The committee brief: HTML and PDF from result folders, offline, in Chinese or English.

Design (one source of content, two renderers)
---------------------------------------------
:func:`load_brief_data` reads only the files the results writer produces (a *compare*
folder and/or *run* folders). :func:`brief_context` turns them into one JSON-serialisable
dict: every sentence (from :mod:`sim.plotting.labels`), every formatted number and table
cell, every figure and caption. That dict is the single source of the brief's content:

* the HTML is rendered from it with Jinja2 (``templates/brief.html.j2``), figures embedded
  as base64 PNG, so one file opens offline in any browser;
* the PDF is rendered from the *same* dict by **typst** (the pip ``typst`` package, no system
  libraries): ``templates/brief.typ`` receives the dict as JSON through ``sys_inputs`` (so
  user strings containing ``# * $`` stay literal), fonts only from the bundled folder
  (``ignore_system_fonts=True``), figures as PNG files in a temporary folder.

Converting the HTML itself to PDF would need WeasyPrint (Pango from the OS) or a headless
browser, neither pip-only; sharing the content dict gives the same numbers and words in both
outputs without that dependency. The figures are drawn by :mod:`sim.plotting.charts` under
the brief style, so they look the same in both.

Maps come only from files too: when the compare folder holds ``map/`` (written by
:mod:`sim.io.mapdata` at compare time: network arrays, facilities, per-node expected response),
the brief adds the road network, the base scenario's incidents by response band and the
coverage of base vs the last scenario (:mod:`sim.plotting.maps`), and writes an offline
interactive map ``<stem>_map.html`` next to the brief, linked by its bare file name.
"""

from __future__ import annotations

import base64
import io
import json
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure, SubFigure

import sim
from sim.core.errors import UserError
from sim.io.mapdata import MapData, read_map_data
from sim.plotting import charts, maps
from sim.plotting import labels as lb
from sim.plotting.brief_validation import validation_figures
from sim.plotting.style import brief_style, font_dir, font_face_css

_TEMPLATES = files("sim.plotting") / "templates"
#: Compare-folder files: required first, then optional.
COMPARE_REQUIRED = ("comparison.csv", "stages.csv")
COMPARE_OPTIONAL = ("tornado.csv", "compliance.csv", "utilisation.csv", "consult_waits.csv")
RESPONSE_TARGETS_MIN = (8.0, 12.0)
#: Incidents drawn on the static incident map at most (every k-th row beyond this).
MAX_MAP_INCIDENTS = 20_000


@dataclass(frozen=True)
class RunData:
    """One run folder: its manifest, KPI table and (optional) incidents."""

    path: Path
    manifest: dict[str, Any]
    kpis: pd.DataFrame | None
    incidents: pd.DataFrame | None

    @property
    def scenario(self) -> str:
        """Scenario name from the manifest (folder name if absent)."""
        return str(self.manifest.get("scenario", self.path.name))


@dataclass(frozen=True)
class BriefData:
    """Everything the brief shows, as read from the result folders (no computation)."""

    compare_dir: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    comparison: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    compliance: pd.DataFrame | None = None
    utilisation: pd.DataFrame | None = None
    consult_waits: pd.DataFrame | None = None
    runs: tuple[RunData, ...] = ()
    map_data: MapData | None = None

    @property
    def base(self) -> str | None:
        """Base scenario of the comparison (None without a compare folder)."""
        value = self.manifest.get("base")
        return None if value is None else str(value)

    @property
    def scenarios(self) -> list[str]:
        """Scenario names: the comparison's list, else the runs' (base first)."""
        names = [str(s) for s in self.manifest.get("scenarios", [])]
        names += [r.scenario for r in self.runs if r.scenario not in names]
        if self.base is not None and self.base in names:
            names.remove(self.base)
            names.insert(0, self.base)
        return names

    @property
    def synthetic(self) -> bool:
        """True when any input was made on a synthetic network."""
        flags = [self.manifest.get("synthetic", False)] + [
            r.manifest.get("synthetic", False) for r in self.runs
        ]
        return any(bool(f) for f in flags)

    def incidents(self) -> pd.DataFrame | None:
        """All runs' incidents stacked, with a ``scenario`` column (None if there are none)."""
        frames = []
        for run in self.runs:
            if run.incidents is None:
                continue
            frame = run.incidents
            if "scenario" not in frame.columns:
                frame = frame.assign(scenario=run.scenario)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else None

    def base_incidents(self) -> pd.DataFrame | None:
        """Incidents of the base scenario's run (first run without a base); None if absent."""
        runs = [r for r in self.runs if r.incidents is not None]
        chosen = [r for r in runs if r.scenario == self.base] or runs[:1]
        return chosen[0].incidents if chosen else None


# ----------------------------------------------------------------------------- loading


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        raise UserError(f"{path}: missing; every result folder needs its manifest.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise UserError(f"{path}: must hold a JSON object")
    return data


def _read_csv(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a readable CSV ({exc})") from exc
    charts.require_columns(frame, str(path), columns)
    return frame


_COLUMNS: dict[str, tuple[str, ...]] = {
    "comparison.csv": (
        "scenario",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "diff_vs_base",
        "diff_ci_low",
        "diff_ci_high",
    ),
    "stages.csv": (
        "scenario",
        "stage",
        "mean_min",
        "ci_low",
        "ci_high",
        "diff_vs_base",
        "diff_ci_low",
        "diff_ci_high",
    ),
    "tornado.csv": (
        "parameter",
        "low_value",
        "high_value",
        "result_at_low",
        "result_at_high",
        "base_result",
        "metric",
    ),
    "compliance.csv": ("scenario", "zone", "target_min", "share_within"),
    "utilisation.csv": ("scenario", "resource", "hour", "utilisation"),
    "consult_waits.csv": ("scenario", "consult_wait_min"),
    "kpis.csv": ("metric", "mean", "ci_low", "ci_high"),
}


def load_brief_data(result_dirs: Sequence[Path]) -> BriefData:
    """Read a compare folder and/or run folders for the brief.

    Parameters
    ----------
    result_dirs
        Folders with a ``manifest.json`` whose ``kind`` is ``"comparison"`` (at most one;
        needs ``comparison.csv`` and ``stages.csv``; ``tornado.csv``, ``compliance.csv``,
        ``utilisation.csv``, ``consult_waits.csv`` and the ``map/`` folder of
        :mod:`sim.io.mapdata` are optional) or ``"run"`` (needs
        ``kpis.csv``; ``incidents.parquet`` is optional).

    Returns
    -------
    BriefData

    Raises
    ------
    UserError
        A folder or required file is missing, a manifest or table is malformed.
    """
    if not result_dirs:
        raise UserError("brief: result folders: give at least one compare or run folder")
    compare: dict[str, Any] = {}
    runs: list[RunData] = []
    for raw in result_dirs:
        folder = Path(raw)
        if not folder.is_dir():
            raise UserError(f"{folder}: no such results folder")
        manifest = _read_manifest(folder)
        kind = manifest.get("kind")
        if kind == "comparison":
            if compare:
                raise UserError(
                    f"{folder}: a second comparison folder; the brief takes one "
                    f"(first: {compare['compare_dir']})"
                )
            compare["compare_dir"] = folder
            compare["manifest"] = manifest
            for name in COMPARE_REQUIRED:
                if not (folder / name).is_file():
                    raise UserError(f"{folder / name}: missing from the comparison folder")
                compare[name.removesuffix(".csv")] = _read_csv(folder / name, _COLUMNS[name])
            for name in COMPARE_OPTIONAL:
                if (folder / name).is_file():
                    compare[name.removesuffix(".csv")] = _read_csv(folder / name, _COLUMNS[name])
            compare["map_data"] = read_map_data(folder)
        elif kind == "run":
            kpis_path = folder / "kpis.csv"
            if not kpis_path.is_file():
                raise UserError(f"{kpis_path}: missing from the run folder")
            incidents = None
            parquet = folder / "incidents.parquet"
            if parquet.is_file():
                try:
                    incidents = pd.read_parquet(parquet)
                except (OSError, ValueError) as exc:
                    raise UserError(f"{parquet}: not a readable Parquet file ({exc})") from exc
            runs.append(
                RunData(folder, manifest, _read_csv(kpis_path, _COLUMNS["kpis.csv"]), incidents)
            )
        else:
            raise UserError(
                f"{folder / 'manifest.json'}: kind: must be 'comparison' or 'run' (got {kind!r})"
            )
    return BriefData(
        compare_dir=compare.get("compare_dir"),
        manifest=compare.get("manifest", {}),
        comparison=compare.get("comparison"),
        stages=compare.get("stages"),
        tornado=compare.get("tornado"),
        compliance=compare.get("compliance"),
        utilisation=compare.get("utilisation"),
        consult_waits=compare.get("consult_waits"),
        runs=tuple(runs),
        map_data=compare.get("map_data"),
    )


# -------------------------------------------------------------------------- formatting


def fmt_value(x: object) -> str:
    """A number as the brief prints it: 2 decimals below 10, 1 below 100, else whole."""
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(value):
        return "—"
    if abs(value) >= 100:
        shown = f"{value:,.0f}"
    elif abs(value) >= 10:
        shown = f"{value:.1f}"
    else:
        shown = f"{value:.2f}"
    # A value that rounds to zero prints as "0", never "-0.00".
    return "0" if float(shown.replace(",", "")) == 0 else shown


def fmt_interval(mean: object, low: object, high: object, *, square: bool = False) -> str:
    """``"3.47 (2.11, 4.83)"``; with ``square`` only ``"[lo, hi]"``; missing bounds omitted."""
    bounds = [fmt_value(low), fmt_value(high)]
    if square:
        return "" if "—" in bounds else f"[{bounds[0]}, {bounds[1]}]"
    head = fmt_value(mean)
    return head if "—" in bounds else f"{head} ({bounds[0]}, {bounds[1]})"


def fmt_days(x: object) -> str:
    """Simulated days as the scenario table prints them (``"—"`` when unknown)."""
    return "—" if not _finite(x) else f"{float(x):g}"  # type: ignore[arg-type]


def fmt_population(people: float, lang: str) -> str:
    """Population in the reader's unit: 万 (10,000) in Chinese, thousands in English."""
    if lb.check_lang(lang) == "zh":
        return f"{people / 1e4:,.1f} 万"
    return f"{people:,.0f}"


def _reps(manifest: dict[str, Any]) -> int | None:
    # Comparison manifests say "reps", run manifests "replications".
    value = manifest.get("reps", manifest.get("replications"))
    return int(value) if isinstance(value, int | float) and math.isfinite(value) else None


def _neg(x: object) -> float:
    return -float(x)  # type: ignore[arg-type]


# -------------------------------------------------------------------------------- content


@dataclass
class _Figure:
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


#: PDF text width (A4, 2 cm margins) and the height a figure may take (room for its caption).
#: A4 text height is 25.5 cm: two figures or two maps with captions share a page, so a
#: figure that does not fit never leaves half a page blank behind it.
PDF_TEXT_WIDTH_CM = 17.0
PDF_FIGURE_MAX_HEIGHT_CM = 10.5
PDF_MAP_MAX_HEIGHT_CM = 11.5


def _pdf_width_cm(png: bytes, max_height_cm: float = PDF_FIGURE_MAX_HEIGHT_CM) -> float:
    """Width of a figure in the PDF: 92% of the text width, less if that makes it too tall."""
    width_px = int.from_bytes(png[16:20], "big")  # the IHDR chunk always comes first
    height_px = int.from_bytes(png[20:24], "big")
    full = 0.92 * PDF_TEXT_WIDTH_CM
    if width_px <= 0 or height_px <= 0:
        return full
    return round(min(full, max_height_cm * width_px / height_px), 2)


def scenario_labels(data: BriefData, lang: str) -> dict[str, str]:
    """Display name of every scenario: its file's title in ``lang``, unique within the brief."""
    titles = {r.scenario: str(r.manifest.get("title", "")) for r in data.runs}
    out: dict[str, str] = {}
    for name in data.scenarios:
        label = lb.scenario_title(titles.get(name, ""), name, lang)
        # Two scenarios with one title (e.g. two regions' linkage) keep apart by code name.
        out[name] = f"{label} ({name})" if label in out.values() else label
    return out


def _display_view(data: BriefData, lang: str) -> BriefData:
    """``data`` with every scenario code name replaced by its display name (map data kept)."""
    names = scenario_labels(data, lang)

    def relabel(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None or "scenario" not in frame.columns:
            return frame
        return frame.assign(scenario=frame["scenario"].astype(str).map(lambda s: names.get(s, s)))

    manifest = dict(data.manifest)
    if data.base is not None:
        manifest["base"] = names.get(data.base, data.base)
    if "scenarios" in manifest:
        manifest["scenarios"] = [names.get(str(s), str(s)) for s in manifest["scenarios"]]
    runs = tuple(
        replace(
            r,
            manifest={**r.manifest, "scenario": names.get(r.scenario, r.scenario)},
            incidents=relabel(r.incidents),
        )
        for r in data.runs
    )
    return replace(
        data,
        manifest=manifest,
        comparison=relabel(data.comparison),
        stages=relabel(data.stages),
        compliance=relabel(data.compliance),
        utilisation=relabel(data.utilisation),
        consult_waits=relabel(data.consult_waits),
        runs=runs,
        map_data=None,
    )


def _make_figures(data: BriefData, lang: str) -> list[_Figure]:
    """Draw every figure the data allow, in brief order, scenarios by display name."""
    maps_of = data
    data = _display_view(data, lang)
    order = data.scenarios or None
    out: list[_Figure] = []
    if data.stages is not None and not data.stages.empty:
        ax = charts.stage_bars(data.stages, lang=lang, scenarios=order)
        out.append(_Figure("stages", lb.text("fig_stages", lang), _png(ax.figure)))
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
            out.append(_Figure("averted", lb.text("fig_averted", lang), _png(fig)))
    if data.compliance is not None and not data.compliance.empty:
        ax = charts.compliance_bars(data.compliance, lang=lang, order=order)
        out.append(_Figure("compliance", lb.text("fig_compliance", lang), _png(ax.figure)))
    incidents = data.incidents()
    if incidents is not None:
        if "response_min" in incidents.columns:
            ax = charts.ecdf(
                incidents, "response_min", lang=lang, order=order, targets_min=RESPONSE_TARGETS_MIN
            )
            out.append(
                _Figure("ecdf_response", lb.text("fig_ecdf_response", lang), _png(ax.figure))
            )
        if "injury_to_definitive_min" in incidents.columns:
            ax = charts.ecdf(incidents, "injury_to_definitive_min", lang=lang, order=order)
            out.append(
                _Figure("ecdf_definitive", lb.text("fig_ecdf_definitive", lang), _png(ax.figure))
            )
    if data.utilisation is not None and not data.utilisation.empty:
        ax = charts.utilisation_by_hour(data.utilisation, lang=lang, order=order)
        out.append(_Figure("utilisation", lb.text("fig_utilisation", lang), _png(ax.figure)))
    if data.consult_waits is not None and _someone_waited(data.consult_waits):
        ax = charts.consult_waits(data.consult_waits, lang=lang, order=order)
        out.append(_Figure("consult", lb.text("fig_consult", lang), _png(ax.figure)))
    if data.tornado is not None and not data.tornado.empty:
        ax = charts.tornado(data.tornado, lang=lang)
        out.append(_Figure("tornado", lb.text("fig_tornado", lang), _png(ax.figure)))
    if maps_of.map_data is not None:
        out += _map_figures(maps_of, maps_of.map_data, lang)
    out += [_Figure(*f) for f in validation_figures(data.runs, lang)]  # brief_validation.py
    return out


def _someone_waited(waits: pd.DataFrame) -> bool:
    # A chart of waits that are all zero is an empty line at 0: say it in words instead.
    minutes = pd.to_numeric(waits["consult_wait_min"], errors="coerce")
    return bool((minutes > 0).any())


def _notes(data: BriefData, lang: str) -> list[str]:
    """Sentences for what a chart cannot show, and for signs a reader would not expect.

    Each note is added only when the numbers call for it.
    """
    out: list[str] = []
    waits = data.consult_waits
    if waits is not None and len(waits) and not _someone_waited(waits):
        out.append(lb.text("note_no_consult_wait", lang))
    comparison = data.comparison
    if comparison is not None:
        metric = comparison["metric"].astype(str)
        disabled = comparison[metric.isin(lb.AVERTED_COUNT_METRICS[1:])]
        if (pd.to_numeric(disabled["mean"], errors="coerce") < 0).any():
            out.append(lb.text("note_negative_disability", lang))
    stages = data.stages
    if stages is not None and data.base is not None:
        other = stages[stages["scenario"].astype(str) != data.base]
        transport = other[other["stage"].astype(str) == "transport"]
        # diff_vs_base > 0: this scenario's transport is longer than the base's.
        if (pd.to_numeric(transport["diff_vs_base"], errors="coerce") > 0).any():
            out.append(lb.text("note_longer_transport", lang))
    return out


def _map_scenarios(data: BriefData, mdata: MapData) -> tuple[str, str | None]:
    """(base, other) scenarios of the coverage panels: the base and the last scenario."""
    have = mdata.scenarios
    base = data.base if data.base in have else have[0]
    others = [s for s in data.scenarios if s in have and s != base]
    others += [s for s in have if s != base and s not in others]
    return base, (others[-1] if others else None)


def _map_incidents(data: BriefData) -> pd.DataFrame | None:
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


def _map_figures(data: BriefData, mdata: MapData, lang: str) -> list[_Figure]:
    """Road network with facilities, base incidents by response time, coverage base vs other."""
    net, fac = mdata.network, mdata.facilities
    label = scenario_labels(data, lang)
    out: list[_Figure] = []
    ax = maps.road_map(net, fac, lang=lang)
    out.append(_Figure("map_network", lb.text("fig_map_network", lang), _png(ax.figure)))
    incidents = _map_incidents(data)
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
            _Figure(
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
    out.append(_Figure("map_coverage", caption, _png(axes[0].figure)))
    return out


def _stage_table(data: BriefData, lang: str) -> dict[str, Any] | None:
    stages, base = data.stages, data.base
    if stages is None or base is None:
        return None
    others = [s for s in data.scenarios if s != base]
    header = [lb.text("col_stage", lang), lb.text("col_base_mean", lang)]
    header += [lb.text("col_saved", lang, scenario=s) for s in others]
    present = list(dict.fromkeys(stages["stage"].astype(str)))
    order = [s for s in lb.STAGE_ORDER if s in present] + [
        s for s in present if s not in lb.STAGE_ORDER
    ]
    rows: list[list[str]] = []

    def add_row(label: str, frame: pd.DataFrame, key: str, value_col: str) -> None:
        sel = frame[frame[key].astype(str) == label]
        base_rows = sel[sel["scenario"].astype(str) == base]
        shown = key_label(label)
        row = [shown, fmt_value(base_rows[value_col].iloc[0]) if len(base_rows) else "—"]
        for scenario in others:
            r = sel[sel["scenario"].astype(str) == scenario]
            if r.empty:
                row.append("—")
                continue
            # diff_vs_base is scenario − base, so minutes saved is its negative.
            row.append(
                fmt_interval(
                    _neg(r["diff_vs_base"].iloc[0]),
                    _neg(r["diff_ci_high"].iloc[0]),
                    _neg(r["diff_ci_low"].iloc[0]),
                )
            )
        rows.append(row)

    def key_label(stage: str) -> str:
        if stage == "injury_to_definitive_min":
            return lb.lookup(lb.STAGES, "total", lang)
        return lb.lookup(lb.STAGES, stage, lang)

    for stage in order:
        add_row(stage, stages, "stage", "mean_min")
    comparison = data.comparison
    if (
        "total" not in order
        and comparison is not None
        and "injury_to_definitive_min" in set(comparison["metric"].astype(str))
    ):
        add_row("injury_to_definitive_min", comparison, "metric", "mean")
    return {"caption": lb.text("stages_caption", lang), "header": header, "rows": rows}


def _averted_table(data: BriefData, lang: str) -> dict[str, Any] | None:
    comparison = data.comparison
    if comparison is None:
        return None
    per_100k = {m: m.replace("_per_year", "_per_100k_per_year") for m in lb.AVERTED_METRICS}
    rows_all = comparison[
        comparison["metric"].astype(str).isin([*lb.AVERTED_METRICS, *per_100k.values()])
    ]
    rows_in = rows_all[rows_all["metric"].astype(str).isin(lb.AVERTED_METRICS)]
    if rows_in.empty:
        return None
    others = [s for s in data.scenarios if s != data.base]
    others += [s for s in dict.fromkeys(rows_in["scenario"].astype(str)) if s not in others]
    others = [s for s in others if s in set(rows_in["scenario"].astype(str))]
    has_psa = {"psa_low", "psa_high"} <= set(rows_in.columns)
    header = [lb.text("col_metric", lang)] + [
        lb.text("col_averted", lang, scenario=s) for s in others
    ]
    rows: list[list[str]] = []
    shown = [(m, lb.lookup(lb.METRICS, m, lang)) for m in lb.AVERTED_METRICS]
    # Each absolute count is followed by the same count per 100,000 population.
    shown = [
        pair
        for m, name in shown
        for pair in ((m, name), (per_100k[m], lb.text("per_100k_row", lang)))
    ]
    for metric, name in shown:
        sel = rows_all[rows_all["metric"].astype(str) == metric]
        if sel.empty:
            continue
        row = [name]
        for scenario in others:
            r = sel[sel["scenario"].astype(str) == scenario]
            if r.empty:
                row.append("—")
                continue
            cell = fmt_interval(r["mean"].iloc[0], r["ci_low"].iloc[0], r["ci_high"].iloc[0])
            if has_psa:
                psa = fmt_interval(None, r["psa_low"].iloc[0], r["psa_high"].iloc[0], square=True)
                cell = f"{cell} {psa}".strip()
            row.append(cell)
        rows.append(row)
    return {"caption": lb.text("averted_caption", lang), "header": header, "rows": rows}


def _kpi_tables(data: BriefData, lang: str) -> list[dict[str, Any]]:
    tables = []
    for run in data.runs:
        if run.kpis is None or run.kpis.empty:
            continue
        rows = [
            [lb.lookup(lb.METRICS, str(r.metric), lang), fmt_interval(r.mean, r.ci_low, r.ci_high)]
            for r in run.kpis.itertuples(index=False)
        ]
        tables.append(
            {
                "caption": lb.text("kpis_caption", lang, scenario=run.scenario),
                "header": [lb.text("col_kpi", lang), lb.text("col_value", lang)],
                "rows": rows,
            }
        )
    return tables


def _finite(*values: object) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _ci_sentence(low: float, high: float, lang: str) -> str:
    """Whether an effect may be claimed, chosen by the interval itself."""
    key = "ci_excludes_zero" if low > 0 or high < 0 else "ci_includes_zero"
    return lb.text(key, lang)


def _conclusion(data: BriefData, lang: str) -> list[str]:
    """Plain-language conclusion from the headline rows: minutes saved and deaths averted.

    Every claim of a difference is chosen by whether its 95% CI excludes zero; the PSA
    interval is quoted next to it, never instead of it.
    """
    base = data.base
    if base is None:
        return []
    base_name = base
    out: list[str] = []
    for scenario in [s for s in data.scenarios if s != base]:
        name = scenario
        parts: list[str] = []
        stages = data.stages
        if stages is not None:
            sel = stages[
                (stages["scenario"].astype(str) == scenario)
                & (stages["stage"].astype(str) == "total")
            ]
            if len(sel):
                r = sel.iloc[0]
                # diff_vs_base is scenario − base, so minutes saved is its negative.
                mean, low, high = -r["diff_vs_base"], -r["diff_ci_high"], -r["diff_ci_low"]
                if _finite(mean, low, high):
                    parts.append(
                        lb.text(
                            "conclusion_minutes",
                            lang,
                            base=base_name,
                            scenario=name,
                            mean=fmt_value(mean),
                            low=fmt_value(low),
                            high=fmt_value(high),
                        )
                        + _ci_sentence(float(low), float(high), lang)
                    )
        comparison = data.comparison
        if comparison is not None:
            sel = comparison[
                (comparison["scenario"].astype(str) == scenario)
                & (comparison["metric"].astype(str) == "deaths_averted_per_year")
            ]
            if len(sel):
                r = sel.iloc[0]
                if _finite(r["mean"], r["ci_low"], r["ci_high"]):
                    # After the minutes sentence the comparison is already named.
                    sentence = lb.text(
                        "conclusion_deaths_same" if parts else "conclusion_deaths",
                        lang,
                        base=base_name,
                        scenario=name,
                        mean=fmt_value(r["mean"]),
                        low=fmt_value(r["ci_low"]),
                        high=fmt_value(r["ci_high"]),
                    ) + _ci_sentence(float(r["ci_low"]), float(r["ci_high"]), lang)
                    if _finite(r.get("psa_low"), r.get("psa_high")):
                        sentence += lb.text(
                            "conclusion_psa",
                            lang,
                            low=fmt_value(r["psa_low"]),
                            high=fmt_value(r["psa_high"]),
                        )
                    parts.append(sentence)
        if parts:
            out.append(("" if lang == "zh" else " ").join(parts))
    return out


def _psa_comparison(comparison: pd.DataFrame, lang: str) -> str:
    """Which interval is wider, as measured on the averted rows (not assumed)."""
    rows = comparison[comparison["metric"].astype(str).isin(lb.AVERTED_METRICS)]
    narrower = 0
    counted = 0
    cols = ["ci_low", "ci_high", "psa_low", "psa_high"]
    for ci_low, ci_high, psa_low, psa_high in rows[cols].astype(float).to_numpy():
        if not _finite(ci_low, ci_high, psa_low, psa_high):
            continue
        counted += 1
        if psa_high - psa_low < ci_high - ci_low:
            narrower += 1
    if counted == 0:
        return ""
    if narrower:
        return lb.text("psa_narrower", lang, n=narrower)
    return lb.text("psa_wider", lang)


def _assumptions(data: BriefData, lang: str) -> list[dict[str, str]]:
    listed = data.manifest.get("assumptions")
    if isinstance(listed, list) and listed:
        out = []
        for item in listed:
            if isinstance(item, dict):
                what = item.get(f"what_{lang}") or item.get("what") or item.get("text") or ""
                out.append({"what": str(what), "source": str(item.get("source", ""))})
        if out:
            return out
    return [{"what": lb.pick(a.what, lang), "source": a.source} for a in lb.DEFAULT_ASSUMPTIONS]


def brief_context(
    data: BriefData, lang: str = "zh", *, map_file: str | None = None
) -> dict[str, Any]:
    """The brief's whole content as a JSON-serialisable dict (shared by HTML and PDF).

    Figures are under ``figures`` with their PNG as base64 (``png_b64``) and a file name
    (``file``) that the PDF renderer writes them to. ``map_file`` is the file name (same
    folder) of the interactive map, linked from the brief when given.
    """
    lang = lb.check_lang(lang)
    base = data.base
    label = scenario_labels(data, lang)
    shown = _display_view(data, lang)
    reps_of = {r.scenario: _reps(r.manifest) for r in data.runs}
    days_of = {r.scenario: r.manifest.get("horizon_days") for r in data.runs}
    nets = {r.scenario: r.manifest.get("network", "") for r in data.runs}
    scenarios = [
        {
            "name": label[name] + (lb.text("base_marker", lang) if name == base else ""),
            "days": fmt_days(days_of.get(name) or data.manifest.get("horizon_days")),
            "reps": str(reps_of.get(name) or _reps(data.manifest) or "—"),
            "network": lb.network_label(
                str(nets.get(name, data.manifest.get("network", ""))), lang
            ),
        }
        for name in data.scenarios
    ]
    reps = _reps(data.manifest) or next(
        (reps_of[r.scenario] for r in data.runs if reps_of[r.scenario]), "?"
    )
    horizon = data.manifest.get("horizon_days") or next(
        (days_of[r.scenario] for r in data.runs if days_of[r.scenario]), None
    )
    population = data.manifest.get("population") or next(
        (r.manifest.get("population") for r in data.runs if r.manifest.get("population")), None
    )
    facts = ""
    if horizon is not None:
        facts = lb.text("scenario_facts", lang, horizon_days=float(horizon), reps=reps)
    if isinstance(population, int | float) and math.isfinite(population):
        facts += lb.text(
            "population_fact", lang, population=fmt_population(float(population), lang)
        )
    uncertainty = [lb.text("uncertainty_reps", lang, reps=reps)]
    comparison = data.comparison
    if (
        comparison is not None
        and {"psa_low", "psa_high"} <= set(comparison.columns)
        and comparison["psa_low"].notna().any()
    ):
        uncertainty.append(
            (lb.text("uncertainty_psa", lang) + " " + _psa_comparison(comparison, lang)).strip()
            if lang == "en"
            else lb.text("uncertainty_psa", lang) + _psa_comparison(comparison, lang)
        )
    if data.tornado is not None:
        uncertainty.append(lb.text("uncertainty_tornado", lang))
    uncertainty.append(lb.text("uncertainty_general", lang))
    sources: dict[tuple[str, str], None] = {}
    for manifest in [data.manifest] + [r.manifest for r in data.runs]:
        if manifest:
            sources[(str(manifest.get("network", "")), str(manifest.get("attribution", "")))] = None
    attribution = [
        lb.text("attribution_network", lang, network=lb.network_label(n, lang), attribution=a)
        for n, a in sources
    ]
    figures = [
        {
            "key": f.key,
            "n": i + 1,
            "label": lb.text("figure_n", lang, n=i + 1),
            "caption": f.caption,
            "file": f"fig{i + 1}_{f.key}.png",
            "pdf_width_cm": _pdf_width_cm(
                f.png,
                PDF_MAP_MAX_HEIGHT_CM if f.key.startswith("map_") else PDF_FIGURE_MAX_HEIGHT_CM,
            ),
            "png_b64": base64.b64encode(f.png).decode("ascii"),
        }
        for i, f in enumerate(_make_figures(data, lang))
    ]
    tables = [t for t in (_stage_table(shown, lang), _averted_table(shown, lang)) if t]
    return {
        "lang": lang,
        "title": lb.text("title", lang),
        "subtitle": lb.text("subtitle", lang),
        "synthetic": data.synthetic,
        "synthetic_warning": lb.text("synthetic_warning", lang),
        "question_h": lb.text("question_h", lang),
        "question": lb.text("question", lang),
        "scenarios_h": lb.text("scenarios_h", lang),
        "scenario_header": [
            lb.text(k, lang) for k in ("col_scenario", "col_days", "col_reps", "col_network")
        ],
        "scenarios": scenarios,
        "scenario_facts": facts,
        "headline_h": lb.text("headline_h", lang),
        "conclusion_h": lb.text("conclusion_h", lang),
        "conclusion": _conclusion(shown, lang),
        "tables": tables,
        "no_comparison": "" if data.comparison is not None else lb.text("no_comparison", lang),
        "kpi_tables": _kpi_tables(shown, lang) if data.comparison is None else [],
        "notes": _notes(data, lang),
        "figures_h": lb.text("figures_h", lang),
        "figures": figures,
        "map_file": map_file or "",
        "map_link": lb.text("map_link", lang) if map_file else "",
        "map_link_pdf": lb.text("map_link_pdf", lang, file=map_file) if map_file else "",
        "assumptions_h": lb.text("assumptions_h", lang),
        "assumption_header": [lb.text("col_assumption", lang), lb.text("col_source", lang)],
        "assumptions": _assumptions(data, lang),
        "uncertainty_h": lb.text("uncertainty_h", lang),
        "uncertainty": uncertainty,
        "attribution_h": lb.text("attribution_h", lang),
        "attribution": attribution,
        "software": lb.text("software", lang, version=sim.__version__),
        "page_label": lb.text("page", lang, page="{page}"),
    }


# ------------------------------------------------------------------------------ rendering


def render_html(context: dict[str, Any]) -> str:
    """The brief as one self-contained HTML page (figures inline as base64 PNG)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (_TEMPLATES / name).read_text(encoding="utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    template = env.get_template("brief.html.j2")
    # Render once to learn which characters the page uses, then embed just those glyphs.
    draft = template.render(**context, font_face="")
    return template.render(**context, font_face=font_face_css(draft))


def render_pdf(context: dict[str, Any], out: Path) -> Path:
    """The brief as PDF via typst: the same content dict, passed as JSON in ``sys_inputs``."""
    import typst  # imported here: only the PDF route needs the compiler

    pdf_context = {k: v for k, v in context.items() if k != "figures"}
    pdf_context["figures"] = [
        {k: v for k, v in fig.items() if k != "png_b64"} for fig in context["figures"]
    ]
    with tempfile.TemporaryDirectory(prefix="trauma-brief-") as tmp:
        root = Path(tmp)
        (root / "brief.typ").write_text(
            (_TEMPLATES / "brief.typ").read_text(encoding="utf-8"), encoding="utf-8"
        )
        for fig in context["figures"]:
            (root / fig["file"]).write_bytes(base64.b64decode(fig["png_b64"]))
        try:
            pdf = typst.compile(
                str(root / "brief.typ"),
                root=str(root),
                font_paths=[str(font_dir())],
                ignore_system_fonts=True,
                sys_inputs={"data": json.dumps(pdf_context, ensure_ascii=False)},
                format="pdf",
            )
        except typst.TypstError as exc:  # a template bug, not user input: keep the detail
            raise RuntimeError(f"typst failed to build the brief: {exc}") from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    return out


def build_brief(result_dirs: Sequence[Path], out: Path, lang: str = "zh") -> Path:
    """Build the committee brief from result folders; return ``out``.

    The same as :func:`build_brief_files`, which also returns the files written beside it.
    """
    return build_brief_files(result_dirs, out, lang)[0]


def build_brief_files(result_dirs: Sequence[Path], out: Path, lang: str = "zh") -> list[Path]:
    """Build the committee brief from result folders.

    Parameters
    ----------
    result_dirs
        A compare folder and/or run folders (see :func:`load_brief_data`).
    out
        ``*.html``: write the HTML only. ``*.pdf``: write the PDF and, next to it, the HTML
        with the same stem. When the comparison has map data, an offline interactive map
        ``<stem>_map.html`` is written next to them too, and the brief names it.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    list of Path
        Every file written, ``out`` first (then the HTML and the map beside a PDF), so the
        caller can list them all: nothing is written that is not returned.
    """
    lang = lb.check_lang(lang)
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html"):
        raise UserError(f"brief: out: must end with .pdf or .html (got {out.name!r})")
    data = load_brief_data(result_dirs)
    html_path = out if suffix == ".html" else out.with_suffix(".html")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    map_file = None
    if data.map_data is not None:
        map_path = maps.interactive_map(
            data.map_data.network,
            data.map_data.facilities,
            _map_incidents(data),
            out=html_path.with_name(f"{out.stem}_map.html"),
            lang=lang,
            thresholds=RESPONSE_TARGETS_MIN,
        )
        map_file = map_path.name
    context = brief_context(data, lang, map_file=map_file)
    html_path.write_text(render_html(context), encoding="utf-8")
    written = [html_path]
    if suffix == ".pdf":
        render_pdf(context, out)
        written.insert(0, out)
    if map_file is not None:
        written.append(html_path.with_name(map_file))
    return written


def expand_result_dirs(result_dirs: Sequence[Path]) -> list[Path]:
    """The folders plus, for a comparison folder, the run folders it holds (one per scenario).

    The run folders carry the per-patient tables the ECDF figures need.
    """
    out: list[Path] = []
    for raw in result_dirs:
        folder = Path(raw)
        out.append(folder)
        manifest = folder / "manifest.json"
        if manifest.is_file() and _read_manifest(folder).get("kind") == "comparison":
            for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
                if (sub / "manifest.json").is_file() and sub not in out:
                    out.append(sub)
    return out


def write_figures(result_dirs: Sequence[Path], out_dir: Path, lang: str = "zh") -> list[Path]:
    """Write every brief figure as a PNG into ``out_dir``; return their paths."""
    lang = lb.check_lang(lang)
    data = load_brief_data(result_dirs)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for fig in _make_figures(data, lang):
        path = out_dir / f"{fig.key}_{lang}.png"
        path.write_bytes(fig.png)
        paths.append(path)
    return paths
