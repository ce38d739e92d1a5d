"""Committee charts drawn from result tables.

Each function takes the tidy DataFrames that the metrics code writes (``stages.csv``,
``comparison.csv``, ``incidents.parquet`` …), draws on ``ax`` (a new figure when ``None``)
under :func:`sim.plotting.style.brief_style`, and returns the Axes. No metric is computed
here: functions only read columns, group rows for drawing and convert units for display
(share → %). All display text comes from :mod:`sim.plotting.labels`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.core.errors import UserError
from sim.metrics import registry
from sim.plotting import labels as lb
from sim.plotting.style import brief_style

#: Colours per stage (chain order): cool for the call side, warm for the road and hospital.
STAGE_COLOURS: tuple[str, ...] = (
    "#9ecae1",
    "#6baed6",
    "#3182bd",
    "#fdd0a2",
    "#fd8d3c",
    "#d94801",
    "#a1d99b",
    "#31a354",
)
RESOURCE_COLOURS: dict[str, str] = {
    "ambulance": "#D55E00",
    "call_taker": "#0072B2",
    "expert": "#009E73",
}
_LINESTYLES: tuple[str, ...] = ("-", "--", ":", "-.")


def require_columns(df: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    """Raise :class:`UserError` naming the table and the missing columns, if any."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise UserError(
            f"{table}: column(s) {', '.join(missing)} missing; required: {', '.join(columns)}"
        )


def _new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    if ax is not None:
        return ax
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax


def _scenario_order(values: pd.Series, order: Sequence[str] | None) -> list[str]:
    """Scenarios in the given order, else in order of first appearance."""
    present = list(dict.fromkeys(str(v) for v in values))
    if order is None:
        return present
    return [s for s in order if s in present] + [s for s in present if s not in order]


def stage_bars(
    stages: pd.DataFrame,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    scenarios: Sequence[str] | None = None,
    annotate_min: float = 1.5,
) -> Axes:
    """Stacked horizontal bars of mean minutes per stage of the chain, one bar per scenario.

    Parameters
    ----------
    stages
        Columns ``scenario, stage, mean_min`` (``ci_low, ci_high`` may be present; stacked
        segments cannot show them, the brief's table does). ``stage`` values follow
        :data:`sim.plotting.labels.STAGE_ORDER`; unknown stages are stacked after them and
        a ``"total"`` row, if any, is skipped.
    ax
        Axes to draw on; a new figure when ``None``.
    lang
        ``"zh"`` or ``"en"`` labels.
    scenarios
        Bar order top to bottom (default: order of appearance).
    annotate_min
        Segments at least this many minutes wide (and at least 4% of the longest bar)
        carry their value.

    Returns
    -------
    Axes
        One ``Rectangle`` per (scenario, stage) present.
    """
    require_columns(stages, "stages", ("scenario", "stage", "mean_min"))
    rows = stages[stages["stage"].astype(str) != "total"]
    present = list(dict.fromkeys(rows["stage"].astype(str)))
    order = [s for s in lb.STAGE_ORDER if s in present] + [
        s for s in present if s not in lb.STAGE_ORDER
    ]
    names = _scenario_order(rows["scenario"], scenarios)
    table = rows.pivot_table(index="scenario", columns="stage", values="mean_min", aggfunc="first")
    with brief_style(lang):
        ax = _new_axes(ax, (7.5, 1.2 + 0.55 * len(names)))
        y = np.arange(len(names))[::-1]
        left = np.zeros(len(names))
        longest = float(
            np.nansum(table.reindex(index=names, columns=order).to_numpy(float), axis=1).max()
        )
        threshold = max(annotate_min, 0.04 * longest)
        for i, stage in enumerate(order):
            width = table.reindex(index=names)[stage].to_numpy(dtype=float)
            width = np.nan_to_num(width, nan=0.0)
            colour = STAGE_COLOURS[i % len(STAGE_COLOURS)]
            ax.barh(
                y,
                width,
                left=left,
                height=0.6,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                label=lb.lookup(lb.STAGES, stage, lang),
            )
            for yi, x0, w in zip(y, left, width, strict=True):
                if w >= threshold:
                    ax.text(x0 + w / 2, yi, f"{w:.1f}", ha="center", va="center", fontsize=8)
            left = left + width
        ax.set_yticks(y, names)
        ax.set_xlabel(lb.text("mean_minutes", lang))
        ax.grid(axis="y", visible=False)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.18 - 0.02 * len(names)),
            ncol=4,
            fontsize=8,
            handlelength=1.2,
        )
    return ax


def ecdf(
    incidents: pd.DataFrame,
    column: str = "injury_to_definitive_min",
    *,
    by: str = "scenario",
    ax: Axes | None = None,
    lang: str = "zh",
    order: Sequence[str] | None = None,
    targets_min: Sequence[float] = (),
) -> Axes:
    """Empirical cumulative distribution of ``column``, one step line per ``by`` group.

    Parameters
    ----------
    incidents
        The incidents table (one row per patient) with ``column`` (minutes) and ``by``; NaN
        values (e.g. no ambulance sent) are left out of that group's line.
    column
        ``"injury_to_definitive_min"``, ``"response_min"`` or another minutes column.
    by
        Grouping column (one line per value).
    ax, lang
        As in :func:`stage_bars`.
    order
        Group order for colours and legend.
    targets_min
        Draw dotted vertical reference lines at these minutes (e.g. ``(8, 12)``).

    Returns
    -------
    Axes
        One ``Line2D`` per group, then one per target line.
    """
    require_columns(incidents, "incidents", (column, by))
    with brief_style(lang):
        ax = _new_axes(ax)
        for i, name in enumerate(_scenario_order(incidents[by], order)):
            values = incidents.loc[incidents[by].astype(str) == name, column].to_numpy(float)
            values = np.sort(values[~np.isnan(values)])
            if values.size == 0:
                continue
            share = np.arange(1, values.size + 1) / values.size
            ax.step(
                np.concatenate(([values[0]], values)),
                np.concatenate(([0.0], share)),
                where="post",
                label=name,
                linestyle=_LINESTYLES[(i // 8) % len(_LINESTYLES)],
            )
        for target in targets_min:
            ax.axvline(target, color="#555555", linestyle=":", linewidth=1.0)
            ax.annotate(
                lb.text("target_line", lang, target=f"{target:g}"),
                xy=(target, 0.02),
                xycoords=("data", "axes fraction"),
                rotation=90,
                ha="right",
                va="bottom",
                fontsize=8,
                color="#555555",
            )
        ax.set_xlabel(lb.lookup(lb.METRICS, column, lang))
        ax.set_ylabel(lb.text("cumulative_share", lang))
        ax.set_ylim(0, 1.01)
        ax.set_xlim(left=0)
        ax.legend(loc="lower right")
    return ax


def compliance_bars(
    compliance: pd.DataFrame,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    order: Sequence[str] | None = None,
) -> Axes:
    """Grouped bars: share of responses within the zone's target, per zone and scenario.

    Parameters
    ----------
    compliance
        Columns ``scenario, zone ("urban"|"rural"), target_min, share_within (0–1)``;
        ``ci_low, ci_high`` (0–1) draw error bars when present.
    ax, lang
        As in :func:`stage_bars`.
    order
        Scenario order within each zone group.

    Returns
    -------
    Axes
        One bar per (zone, scenario) row.
    """
    require_columns(compliance, "compliance", ("scenario", "zone", "target_min", "share_within"))
    names = _scenario_order(compliance["scenario"], order)
    zones: list[str] = [z for z in ("urban", "rural") if z in set(compliance["zone"].astype(str))]
    zones += [z for z in dict.fromkeys(compliance["zone"].astype(str)) if z not in zones]
    width = 0.8 / max(len(names), 1)
    has_ci = {"ci_low", "ci_high"} <= set(compliance.columns)
    with brief_style(lang):
        ax = _new_axes(ax, (6.0, 3.8))
        for i, name in enumerate(names):
            rows = compliance[compliance["scenario"].astype(str) == name].set_index("zone")
            rows = rows.reindex(zones)
            x = np.arange(len(zones)) - 0.4 + width * (i + 0.5)
            share = rows["share_within"].to_numpy(float) * 100
            yerr = None
            if has_ci:
                low = rows["ci_low"].to_numpy(float) * 100
                high = rows["ci_high"].to_numpy(float) * 100
                yerr = np.vstack([share - low, high - share])
            bars = ax.bar(x, share, width=width * 0.92, label=name, yerr=yerr, capsize=3)
            ax.bar_label(bars, labels=[f"{v:.0f}%" for v in share], padding=2, fontsize=8)
        ticks = []
        for zone in zones:
            target = compliance.loc[compliance["zone"].astype(str) == zone, "target_min"].iloc[0]
            ticks.append(lb.lookup(lb.ZONES, zone, lang, target=f"{float(target):g}"))
        ax.set_xticks(np.arange(len(zones)), ticks)
        ax.set_ylabel(lb.text("share_within_target", lang))
        ax.set_ylim(0, 108)
        ax.grid(axis="x", visible=False)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=min(len(names), 4))
    return ax


def utilisation_by_hour(
    util: pd.DataFrame,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    order: Sequence[str] | None = None,
    resources: Sequence[str] | None = None,
) -> Axes:
    """Utilisation by hour of day: colour = resource, line style = scenario.

    Parameters
    ----------
    util
        Columns ``scenario, resource ("ambulance"|"call_taker"|"expert"), hour (0–23),
        utilisation (0–1)``.
    ax, lang
        As in :func:`stage_bars`.
    order
        Scenario order (line styles solid, dashed, dotted, dash-dot).
    resources
        Resources to draw (default: all present).

    Returns
    -------
    Axes
        One ``Line2D`` per (resource, scenario).
    """
    require_columns(util, "utilisation", ("scenario", "resource", "hour", "utilisation"))
    names = _scenario_order(util["scenario"], order)
    present = list(dict.fromkeys(util["resource"].astype(str)))
    chosen = [r for r in (resources or present) if r in present]
    with brief_style(lang):
        ax = _new_axes(ax)
        for j, resource in enumerate(chosen):
            colour = RESOURCE_COLOURS.get(resource, f"C{j}")
            for i, name in enumerate(names):
                rows = util[
                    (util["resource"].astype(str) == resource)
                    & (util["scenario"].astype(str) == name)
                ].sort_values("hour")
                if rows.empty:
                    continue
                ax.plot(
                    rows["hour"].to_numpy(float),
                    rows["utilisation"].to_numpy(float) * 100,
                    color=colour,
                    linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                    marker=".",
                    label=f"{lb.lookup(lb.RESOURCES, resource, lang)} · {name}",
                )
        ax.set_xlabel(lb.text("hour_of_day", lang))
        ax.set_ylabel(lb.text("utilisation_pct", lang))
        ax.set_xticks(range(0, 24, 3))
        ax.set_xlim(0, 23)
        ax.set_ylim(0, 100)
        ax.legend(loc="upper left", fontsize=8, ncol=len(chosen) or 1)
    return ax


def consult_waits(
    waits: pd.DataFrame,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    kind: Literal["box", "hist"] = "box",
    order: Sequence[str] | None = None,
) -> Axes:
    """Waiting time for an expert consultation, per scenario (box plot or histogram).

    Parameters
    ----------
    waits
        Columns ``scenario, consult_wait_min`` (one row per consultation; NaN ignored).
    ax, lang
        As in :func:`stage_bars`.
    kind
        ``"box"`` (one horizontal box per scenario) or ``"hist"`` (overlaid step
        histograms on shared bins).
    order
        Scenario order.

    Returns
    -------
    Axes
        Box plot: one box per scenario with data. Histogram: one patch per scenario.
    """
    require_columns(waits, "consult_waits", ("scenario", "consult_wait_min"))
    if kind not in ("box", "hist"):
        raise UserError(f"consult_waits: kind: must be 'box' or 'hist' (got {kind!r})")
    names = _scenario_order(waits["scenario"], order)
    data: list[np.ndarray] = []
    kept: list[str] = []
    for name in names:
        values = waits.loc[waits["scenario"].astype(str) == name, "consult_wait_min"]
        arr = values.to_numpy(float)
        arr = arr[~np.isnan(arr)]
        if arr.size:
            data.append(arr)
            kept.append(name)
    with brief_style(lang):
        ax = _new_axes(ax, (6.5, 1.4 + 0.5 * max(len(kept), 1)) if kind == "box" else None)
        if kind == "box":
            ax.boxplot(
                data[::-1],
                orientation="horizontal",
                tick_labels=kept[::-1],
                widths=0.5,
                showfliers=True,
                flierprops={"markersize": 2, "alpha": 0.4},
                medianprops={"color": "#D55E00"},
            )
            ax.set_xlabel(lb.lookup(lb.METRICS, "consult_wait_min", lang))
            ax.grid(axis="y", visible=False)
        else:
            if data:
                bins = np.histogram_bin_edges(np.concatenate(data), bins=30)
                for arr, name in zip(data, kept, strict=True):
                    ax.hist(arr, bins=bins.tolist(), histtype="step", linewidth=1.5, label=name)
                ax.legend()
            ax.set_xlabel(lb.lookup(lb.METRICS, "consult_wait_min", lang))
            ax.set_ylabel("n")
    return ax


def averted_bars(
    comparison: pd.DataFrame,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    metrics: Sequence[str] = lb.AVERTED_COUNT_METRICS,
    base: str | None = None,
    order: Sequence[str] | None = None,
    show_psa: bool = True,
) -> Axes:
    """Horizontal bars of deaths, disabilities and DALYs averted per year, with intervals.

    Parameters
    ----------
    comparison
        ``comparison.csv`` rows: ``scenario, metric, mean, ci_low, ci_high`` and optionally
        ``psa_low, psa_high``. For the averted metrics ``mean`` already is the amount
        averted vs the base scenario.
    ax, lang
        As in :func:`stage_bars`.
    metrics
        Metrics to draw, top to bottom. The default is the counts (deaths, severe and
        moderate disabilities); DALYs are on a scale 10–100× larger, so draw
        ``metrics=("dalys_averted_per_year",)`` on a second Axes (as the brief does).
    base
        Base scenario name, left out (its averted amount is zero by definition).
    order
        Scenario order within each metric group.
    show_psa
        Also draw the PSA interval as a thin grey line where ``psa_low/psa_high`` exist.

    Returns
    -------
    Axes
        One bar per (metric, scenario) row found, with a 95% CI error bar.
    """
    require_columns(comparison, "comparison", ("scenario", "metric", "mean", "ci_low", "ci_high"))
    rows = comparison[comparison["metric"].astype(str).isin(list(metrics))]
    if base is not None:
        rows = rows[rows["scenario"].astype(str) != base]
    names = _scenario_order(rows["scenario"], order)
    shown = [m for m in metrics if m in set(rows["metric"].astype(str))]
    height = 0.6 / max(len(names), 1)
    psa = show_psa and {"psa_low", "psa_high"} <= set(rows.columns)
    with brief_style(lang):
        ax = _new_axes(ax, (7.0, 1.0 + 0.45 * max(len(shown) * len(names), 1)))
        centres = np.arange(len(shown))[::-1].astype(float)
        for i, name in enumerate(names):
            sub = rows[rows["scenario"].astype(str) == name].set_index("metric").reindex(shown)
            y = centres + 0.3 - height * (i + 0.5)
            mean = sub["mean"].to_numpy(float)
            err = np.vstack(
                [mean - sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float) - mean]
            )
            ax.barh(
                y,
                mean,
                height=height * 0.9,
                xerr=err,
                capsize=3,
                label=name,
                color=f"C{i % 8}",
                error_kw={"elinewidth": 1.0},
            )
            if psa:
                low = sub["psa_low"].to_numpy(float)
                high = sub["psa_high"].to_numpy(float)
                ok = ~(np.isnan(low) | np.isnan(high))
                ax.hlines(y[ok] - height * 0.38, low[ok], high[ok], color="#888888", linewidth=1.0)
            for yi, m, hi in zip(y, mean, sub["ci_high"].to_numpy(float), strict=True):
                if not np.isnan(m):
                    ax.text(max(hi, m, 0.0), yi, f" {m:.1f}", va="center", ha="left", fontsize=8)
        ax.axvline(0, color="#333333", linewidth=0.8)
        handles, texts = ax.get_legend_handles_labels()
        if len(names) <= 1:
            handles, texts = [], []
        handles.append(Line2D([], [], color="black", marker="|", linewidth=1.0))
        texts.append(lb.text("ci95", lang))
        if psa:
            handles.append(Line2D([], [], color="#888888", linewidth=1.0))
            texts.append(lb.text("psa_interval", lang))
        ax.legend(
            handles,
            texts,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncol=len(texts),
            fontsize=8,
        )
        ax.set_yticks(centres, [lb.lookup(lb.METRICS, m, lang) for m in shown])
        ax.set_xlabel(lb.text("averted", lang))
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.15)
    return ax


def tornado(
    sens: pd.DataFrame,
    *,
    ax: Axes | None = None,
    lang: str = "zh",
    metric: str | None = None,
    max_parameters: int = 12,
) -> Axes:
    """Tornado chart of one-way sensitivity: result at each parameter's low and high value.

    Parameters
    ----------
    sens
        Columns ``parameter, low_value, high_value, result_at_low, result_at_high,
        base_result, metric``.
    ax, lang
        As in :func:`stage_bars`.
    metric
        Which metric to draw when the table holds several (default: the first listed).
    max_parameters
        Draw at most this many parameters, widest swing on top.

    Returns
    -------
    Axes
        Two bars per parameter (low value, high value) and a vertical base-result line.
    """
    require_columns(
        sens,
        "tornado",
        (
            "parameter",
            "low_value",
            "high_value",
            "result_at_low",
            "result_at_high",
            "base_result",
            "metric",
        ),
    )
    chosen = metric if metric is not None else str(sens["metric"].iloc[0])
    rows = sens[sens["metric"].astype(str) == chosen]
    if rows.empty:
        raise UserError(f"tornado: metric: {chosen!r} not in the table")
    swing = (rows["result_at_high"] - rows["result_at_low"]).abs()
    rows = rows.assign(_swing=swing).sort_values("_swing", ascending=False).head(max_parameters)
    base = float(rows["base_result"].iloc[0])
    with brief_style(lang):
        ax = _new_axes(ax, (7.0, 1.2 + 0.4 * len(rows)))
        y = np.arange(len(rows))[::-1]
        low = rows["result_at_low"].to_numpy(float)
        high = rows["result_at_high"].to_numpy(float)
        ax.barh(
            y,
            low - base,
            left=base,
            height=0.6,
            color="#56B4E9",
            label=lb.text("tornado_low", lang),
        )
        ax.barh(
            y,
            high - base,
            left=base,
            height=0.6,
            color="#E69F00",
            label=lb.text("tornado_high", lang),
        )
        ax.axvline(base, color="#333333", linewidth=1.0)
        ticks = [
            f"{lb.parameter_label(str(p), lang)} ({_short(lv)}–{_short(hv)})"
            for p, lv, hv in zip(
                rows["parameter"], rows["low_value"], rows["high_value"], strict=True
            )
        ]
        ax.set_yticks(y, ticks)
        ax.set_xlabel(
            f"{lb.lookup(lb.METRICS, chosen, lang)}  "
            f"({lb.text('base_value', lang)} {registry.format_value(chosen, base)})"
        )
        ax.grid(axis="y", visible=False)
        ax.legend(loc="lower right", fontsize=8)
    return ax


def _short(value: object) -> str:
    """Compact display of a parameter value."""
    if isinstance(value, float | int | np.floating | np.integer):
        return f"{float(value):.3g}"
    return str(value)


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 200) -> Path:
    """Save ``fig`` under the brief style (Type 42 fonts in PDF) and return the path.

    The format follows the suffix (``.png``, ``.pdf``, ``.svg``); parent folders are made.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with brief_style():
        fig.savefig(out, dpi=dpi, bbox_inches="tight")
    return out


# ------------------------------------------------------------- sweeps and value for money


def response_surface(
    sweep: pd.DataFrame,
    *,
    metric: str,
    x_field: str,
    y_field: str,
    value: Literal["mean", "diff_vs_base"] = "diff_vs_base",
    ax: Axes | None = None,
    lang: str = "zh",
) -> Axes:
    """Heat map of one metric over two varied fields of a sweep (one cell per design point).

    Parameters
    ----------
    sweep
        ``sweep.parquet`` rows: ``point``, the varied fields, ``metric``, ``mean``,
        ``diff_vs_base``.
    metric
        Which metric to draw.
    x_field, y_field
        Two varied fields (columns of the table).
    value
        ``diff_vs_base`` (paired difference to the base, default) or ``mean``.
    ax, lang
        As in :func:`stage_bars`.

    Returns
    -------
    Axes
        The heat map, each cell annotated with its value, and a colour bar.

    Raises
    ------
    UserError
        A missing column or metric, or several points per cell (a third field varies: filter
        the table to one value of it first).
    """
    require_columns(sweep, "sweep", ("point", "metric", value, x_field, y_field))
    rows = sweep[sweep["metric"].astype(str) == metric]
    if rows.empty:
        raise UserError(f"sweep: metric: {metric!r} not in the table")
    if rows.duplicated([x_field, y_field]).any():
        raise UserError(
            f"sweep: several points per ({x_field}, {y_field}) cell: another field varies; "
            "keep one value of it (filter the table) before drawing"
        )
    # sort_index on both axes: indexing by a list of booleans would select rows instead
    grid = rows.pivot(index=y_field, columns=x_field, values=value).sort_index()
    grid = grid.sort_index(axis=1)
    z = grid.to_numpy(float)
    with brief_style(lang):
        ax = _new_axes(ax, (6.4, 4.8))
        finite = z[np.isfinite(z)]
        span = float(np.abs(finite).max()) if finite.size else 1.0
        diverging = value == "diff_vs_base"
        image = ax.imshow(
            z,
            origin="lower",
            aspect="auto",
            cmap="RdBu_r" if diverging else "viridis",
            vmin=-span if diverging else None,
            vmax=span if diverging else None,
        )
        for (i, j), v in np.ndenumerate(z):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(grid.columns)), [_tick(c, lang) for c in grid.columns])
        ax.set_yticks(range(len(grid.index)), [_tick(c, lang) for c in grid.index])
        ax.set_xlabel(lb.lookup(lb.SWEEP_FIELDS, x_field, lang))
        ax.set_ylabel(lb.lookup(lb.SWEEP_FIELDS, y_field, lang))
        ax.grid(False)
        name = lb.lookup(lb.METRICS, metric, lang)
        bar_label = lb.text("diff_vs_base_of", lang, metric=name) if diverging else name
        ax.figure.colorbar(image, ax=ax, label=bar_label)
    return ax


def _tick(value: object, lang: str) -> str:
    """A varied field's value as a tick label (switches as on/off)."""
    if isinstance(value, bool | np.bool_):
        return lb.text("switch_on" if value else "switch_off", lang)
    return _short(value)


def ceac_chart(
    curve: pd.DataFrame,
    *,
    gdp_per_capita_yuan: float | None = None,
    ax: Axes | None = None,
    lang: str = "zh",
) -> Axes:
    """Cost-effectiveness acceptability curves: P(cost-effective) against willingness to pay.

    Parameters
    ----------
    curve
        :func:`sim.outcomes.costeffect.ceac` output: ``wtp_yuan, strategy,
        p_cost_effective`` (the ``base`` strategy included).
    gdp_per_capita_yuan
        Draw the 1x and 3x GDP per capita thresholds as dotted lines.
    ax, lang
        As in :func:`stage_bars`.

    Returns
    -------
    Axes
        One line per strategy.
    """
    require_columns(curve, "ceac", ("wtp_yuan", "strategy", "p_cost_effective"))
    with brief_style(lang):
        ax = _new_axes(ax, (7.0, 4.2))
        for i, (name, sub) in enumerate(curve.groupby("strategy", sort=False)):
            label = lb.text("base_strategy", lang) if name == "base" else str(name)
            ax.plot(
                sub["wtp_yuan"] / 1e3,
                sub["p_cost_effective"],
                color=f"C{i % 8}",
                linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                label=label,
            )
        if gdp_per_capita_yuan is not None:
            for k in (1, 3):
                x = k * gdp_per_capita_yuan / 1e3
                ax.axvline(x, color="#555555", linestyle=":", linewidth=1.0)
                ax.text(x, 1.01, lb.text("gdp_multiple", lang, k=k), fontsize=8, ha="center")
        ax.set_ylim(0, 1.05)
        ax.set_xlabel(lb.text("wtp_axis", lang) + " ×1000")
        ax.set_ylabel(lb.text("p_cost_effective", lang))
        ax.legend(loc="center right", fontsize=8)
    return ax


def frontier_chart(
    points: pd.DataFrame,
    frontier: pd.DataFrame,
    *,
    budget_yuan: float | None = None,
    best: str | None = None,
    ax: Axes | None = None,
    lang: str = "zh",
) -> Axes:
    """Incremental cost against DALYs averted for every design point, with the frontier.

    Parameters
    ----------
    points
        ``strategy, cost_yuan, dalys_averted`` of every design point (and the base at 0, 0).
    frontier
        :func:`sim.outcomes.costeffect.efficiency_frontier` of ``points``.
    budget_yuan
        Draw the budget as a vertical line.
    best
        The strategy chosen within the budget, marked.
    ax, lang
        As in :func:`stage_bars`.

    Returns
    -------
    Axes
    """
    cols = ("strategy", "cost_yuan", "dalys_averted")
    require_columns(points, "frontier points", cols)
    require_columns(frontier, "frontier", cols)
    with brief_style(lang):
        ax = _new_axes(ax, (7.0, 4.6))
        ax.scatter(
            points["cost_yuan"] / 1e6,
            points["dalys_averted"],
            color="#999999",
            s=18,
            label=lb.text("design_points", lang),
        )
        ax.plot(
            frontier["cost_yuan"] / 1e6,
            frontier["dalys_averted"],
            color="#D55E00",
            marker="o",
            label=lb.text("frontier", lang),
        )
        for _, r in frontier.iterrows():
            ax.annotate(
                str(r["strategy"]),
                (r["cost_yuan"] / 1e6, r["dalys_averted"]),
                textcoords="offset points",
                xytext=(4, 4),
                fontsize=7,
            )
        if budget_yuan is not None:
            ax.axvline(
                budget_yuan / 1e6,
                color="#0072B2",
                linestyle="--",
                label=lb.text("budget_line", lang, budget=f"{budget_yuan / 1e6:.3g}"),
            )
        if best is not None:
            b = points[points["strategy"].astype(str) == best]
            ax.scatter(
                b["cost_yuan"] / 1e6,
                b["dalys_averted"],
                s=120,
                facecolors="none",
                edgecolors="#0072B2",
                linewidths=1.5,
                label=lb.text("best_in_budget", lang),
            )
        ax.axhline(0, color="#333333", linewidth=0.6)
        ax.axvline(0, color="#333333", linewidth=0.6)
        ax.set_xlabel(lb.text("cost_axis_myuan", lang))
        ax.set_ylabel(lb.lookup(lb.METRICS, "dalys_averted_per_year", lang))
        ax.legend(loc="lower right", fontsize=8)
    return ax
