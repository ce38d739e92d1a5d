"""The brief's content: one JSON-serialisable dict of every sentence, number and figure.

:func:`brief_context` is the single source of what the brief says; the HTML and PDF
renderers (:mod:`sim.plotting.brief.render`) only lay it out. Sentences about significance
and uncertainty are chosen by the numbers (whether a CI excludes zero, which interval is
wider), never fixed text.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import pandas as pd

import sim
from sim.metrics import registry
from sim.plotting import labels as lb
from sim.plotting.brief.data import BriefData, display_view, scenario_labels
from sim.plotting.brief.figures import make_figures, someone_waited

#: PDF text width (A4, 2 cm margins) and the height a figure may take (room for its caption).
#: A4 text height is 25.5 cm: two figures or two maps with captions share a page, so a
#: figure that does not fit never leaves half a page blank behind it.
PDF_TEXT_WIDTH_CM = 17.0
PDF_FIGURE_MAX_HEIGHT_CM = 10.5
PDF_MAP_MAX_HEIGHT_CM = 10.0


def _pdf_width_cm(png: bytes, max_height_cm: float = PDF_FIGURE_MAX_HEIGHT_CM) -> float:
    """Width of a figure in the PDF: 92% of the text width, less if that makes it too tall."""
    width_px = int.from_bytes(png[16:20], "big")  # the IHDR chunk always comes first
    height_px = int.from_bytes(png[20:24], "big")
    full = 0.92 * PDF_TEXT_WIDTH_CM
    if width_px <= 0 or height_px <= 0:
        return full
    return round(min(full, max_height_cm * width_px / height_px), 2)


def fmt_value(x: object, metric: str = "", *, like: object = None) -> str:
    """A number as the brief prints it, in ``metric``'s registered format.

    Unregistered (stage minutes): 2 decimals below 10, 1 below 100, else whole; ``like``
    (an interval's mean) sets the decimals of its bounds. A value that rounds to zero
    prints as ``"0"``, never ``"-0.00"``; NaN as ``"—"``.
    """
    try:
        value = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(value):
        return "—"
    ref = float(like) if _finite(like) else None  # type: ignore[arg-type]
    return registry.format_value(metric, value, like=ref)


def fmt_interval(
    mean: object,
    low: object,
    high: object,
    *,
    square: bool = False,
    metric: str = "",
    like: object = None,
) -> str:
    """``"3.47 (2.11, 4.83)"``; with ``square`` only ``"[lo, hi]"``; missing bounds omitted.

    Bounds are clipped to the values ``metric`` can take (a share never below 0) and take
    the mean's decimals (``like``'s for a bare ``[lo, hi]``).
    """
    like = mean if _finite(mean) else like
    bounds = [
        fmt_value(_clip(metric, low), metric, like=like),
        fmt_value(_clip(metric, high), metric, like=like),
    ]
    if square:
        return "" if "—" in bounds else f"[{bounds[0]}, {bounds[1]}]"
    head = fmt_value(mean, metric)
    return head if "—" in bounds else f"{head} ({bounds[0]}, {bounds[1]})"


def _clip(metric: str, x: object) -> object:
    return registry.feasible(metric, float(x)) if _finite(x) else x  # type: ignore[arg-type]


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


def _finite(*values: object) -> bool:
    try:
        return all(math.isfinite(float(v)) for v in values)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _notes(data: BriefData, lang: str) -> list[str]:
    """Sentences for what a chart cannot show, and for signs a reader would not expect.

    Each note is added only when the numbers call for it.
    """
    out: list[str] = []
    waits = data.consult_waits
    if waits is not None and len(waits) and not someone_waited(waits):
        out.append(lb.text("note_no_consult_wait", lang))
    comparison = data.comparison
    if comparison is not None:
        metric = comparison["metric"].astype(str)
        disabled = comparison[metric.isin(lb.AVERTED_COUNT_METRICS[1:])]
        if (pd.to_numeric(disabled["mean"], errors="coerce") < 0).any():
            out.append(lb.text("note_negative_disability", lang))
    recentred = data.manifest.get("joint_psa_recentred_targets") or {}
    missed = sorted({m for per in recentred.values() if isinstance(per, dict) for m in per})
    if missed:  # the all-assumptions interval holds these to the central fit, not the target
        out.append(lb.text("note_recentred", lang, targets=", ".join(missed)))
    stages = data.stages
    if stages is not None and data.base is not None:
        other = stages[stages["scenario"].astype(str) != data.base]
        transport = other[other["stage"].astype(str) == "transport"]
        # diff_vs_base > 0: this scenario's transport is longer than the base's.
        if (pd.to_numeric(transport["diff_vs_base"], errors="coerce") > 0).any():
            out.append(lb.text("note_longer_transport", lang))
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
    per_100k = dict(zip(registry.AVERTED, registry.AVERTED_PER_100K, strict=True))
    rows_all = comparison[
        comparison["metric"].astype(str).isin([*registry.AVERTED, *registry.AVERTED_PER_100K])
    ]
    rows_in = rows_all[rows_all["metric"].astype(str).isin(registry.AVERTED)]
    if rows_in.empty:
        return None
    others = [s for s in data.scenarios if s != data.base]
    others += [s for s in dict.fromkeys(rows_in["scenario"].astype(str)) if s not in others]
    others = [s for s in others if s in set(rows_in["scenario"].astype(str))]
    has_psa = {"psa_low", "psa_high"} <= set(rows_in.columns)
    # compare --joint-psa: the interval over every assumption, shown after the PSA one.
    has_all = {"psa_all_low", "psa_all_high"} <= set(rows_in.columns) and bool(
        rows_in["psa_all_low"].notna().any()
    )
    header = [lb.text("col_metric", lang)] + [
        lb.text("col_averted", lang, scenario=s) for s in others
    ]
    rows: list[list[str]] = []
    shown = [(m, registry.label(m, lang)) for m in registry.AVERTED]
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
            cell = fmt_interval(
                r["mean"].iloc[0], r["ci_low"].iloc[0], r["ci_high"].iloc[0], metric=metric
            )
            if has_psa:
                psa = fmt_interval(
                    None,
                    r["psa_low"].iloc[0],
                    r["psa_high"].iloc[0],
                    square=True,
                    metric=metric,
                    like=r["mean"].iloc[0],
                )
                cell = f"{cell} {psa}".strip()
            if has_all:
                every = fmt_interval(
                    None,
                    r["psa_all_low"].iloc[0],
                    r["psa_all_high"].iloc[0],
                    square=True,
                    metric=metric,
                    like=r["mean"].iloc[0],
                )
                if every:
                    sep = "；" if lang == "zh" else "; "
                    cell = f"{cell}{sep}{lb.text('all_assumptions_inline', lang)} {every}"
            row.append(cell)
        rows.append(row)
    caption = "averted_caption_joint" if has_all else "averted_caption"
    return {"caption": lb.text(caption, lang), "header": header, "rows": rows}


def _kpi_tables(data: BriefData, lang: str) -> list[dict[str, Any]]:
    tables = []
    for run in data.runs:
        if run.kpis is None or run.kpis.empty:
            continue
        rows = [
            [
                registry.label(str(r.metric), lang),
                fmt_interval(r.mean, r.ci_low, r.ci_high, metric=str(r.metric)),
            ]
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


def _ci_sentence(low: float, high: float, lang: str) -> str:
    """Whether an effect may be claimed, chosen by the interval itself.

    English sentences follow the previous one after a space; Chinese ones directly.
    """
    key = "ci_excludes_zero" if low > 0 or high < 0 else "ci_includes_zero"
    return ("" if lang == "zh" else " ") + lb.text(key, lang)


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
                            low=fmt_value(low, like=mean),
                            high=fmt_value(high, like=mean),
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
                        low=fmt_value(r["ci_low"], like=r["mean"]),
                        high=fmt_value(r["ci_high"], like=r["mean"]),
                    ) + _ci_sentence(float(r["ci_low"]), float(r["ci_high"]), lang)
                    if _finite(r.get("psa_low"), r.get("psa_high")):
                        sentence += ("" if lang == "zh" else " ") + lb.text(
                            "conclusion_psa",
                            lang,
                            low=fmt_value(r["psa_low"], like=r["mean"]),
                            high=fmt_value(r["psa_high"], like=r["mean"]),
                        )
                    if _finite(r.get("psa_all_low"), r.get("psa_all_high")):
                        sentence += ("" if lang == "zh" else " ") + lb.text(
                            "conclusion_psa_all",
                            lang,
                            low=fmt_value(r["psa_all_low"], like=r["mean"]),
                            high=fmt_value(r["psa_all_high"], like=r["mean"]),
                        )
                    parts.append(sentence)
        if parts:
            out.append(("" if lang == "zh" else " ").join(parts))
    return out


def _psa_comparison(comparison: pd.DataFrame, lang: str) -> str:
    """Which interval is wider, as measured on the averted rows (not assumed)."""
    rows = comparison[comparison["metric"].astype(str).isin(registry.AVERTED)]
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
    return [
        {"what": lb.pick(a.what, lang), "source": lb.pick(a.source, lang)}
        for a in lb.DEFAULT_ASSUMPTIONS
    ]


def _outside_facilities(data: BriefData, lang: str) -> dict[str, Any] | None:
    """Table of the facilities beyond the road data (None when every one lies within)."""
    if data.map_data is None:
        return None
    fac = data.map_data.facilities
    if "outside_roads" not in fac.columns:
        return None
    outside = fac[fac["outside_roads"].astype(bool)]
    if outside.empty:
        return None
    rows = []
    for r in outside.itertuples(index=False):
        kind = lb.lookup(lb.FACILITY_KINDS, str(r.kind), lang)
        if str(r.kind) == "hospital" and isinstance(r.tier, str) and r.tier:
            kind = lb.text(
                "kind_tier", lang, kind=kind, tier=lb.lookup(lb.HOSPITAL_TIERS, r.tier, lang)
            )
        access = float(r.access_m) if _finite(r.access_m) else math.nan  # type: ignore[arg-type]
        rows.append(
            [
                lb.facility_name(str(r.name), lang),
                kind,
                "—" if access != access else f"{access / 1000:.1f}",
            ]
        )
    return {
        "caption": lb.text("outside_caption", lang),
        "header": [lb.text(k, lang) for k in ("col_facility", "col_kind", "col_access")],
        "rows": rows,
    }


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
    shown = display_view(data, lang)
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
    area = data.manifest.get("area_km2") or next(
        (r.manifest.get("area_km2") for r in data.runs if r.manifest.get("area_km2")), None
    )
    if isinstance(area, int | float) and math.isfinite(area) and area > 0:
        facts += lb.text("area_fact", lang, area=f"{float(area):,.0f}")
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
        lb.text(
            "attribution_network",
            lang,
            network=lb.network_label(n, lang),
            attribution=lb.attribution_label(a, lang),
        )
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
        for i, f in enumerate(make_figures(data, lang))
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
        "outside_facilities": _outside_facilities(data, lang),
        "software": lb.text("software", lang, version=sim.__version__),
        "page_label": lb.text("page", lang, page="{page}"),
    }
