"""The committee brief: HTML and PDF from result folders, offline, in Chinese or English.

The package is split along its seams, each importable on its own; every public name is
re-exported here (``from sim.plotting.brief import build_brief`` keeps working):

* :mod:`~sim.plotting.brief.data`: reading result folders into :class:`BriefData`;
* :mod:`~sim.plotting.brief.figures`: every chart and map as PNG with its caption;
* :mod:`~sim.plotting.brief.context`: the content dict (sentences, numbers, tables);
* :mod:`~sim.plotting.brief.render`: HTML (Jinja2) and PDF (typst) from that dict.

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

from sim.plotting.brief.context import (
    PDF_FIGURE_MAX_HEIGHT_CM,
    PDF_MAP_MAX_HEIGHT_CM,
    PDF_TEXT_WIDTH_CM,
    brief_context,
    fmt_days,
    fmt_interval,
    fmt_population,
    fmt_value,
)
from sim.plotting.brief.data import (
    COMPARE_OPTIONAL,
    COMPARE_REQUIRED,
    BriefData,
    RunData,
    expand_result_dirs,
    load_brief_data,
    scenario_labels,
)
from sim.plotting.brief.figures import MAX_MAP_INCIDENTS, RESPONSE_TARGETS_MIN, write_figures
from sim.plotting.brief.render import build_brief, build_brief_files, render_html, render_pdf

__all__ = [
    "COMPARE_OPTIONAL",
    "COMPARE_REQUIRED",
    "MAX_MAP_INCIDENTS",
    "PDF_FIGURE_MAX_HEIGHT_CM",
    "PDF_MAP_MAX_HEIGHT_CM",
    "PDF_TEXT_WIDTH_CM",
    "RESPONSE_TARGETS_MIN",
    "BriefData",
    "RunData",
    "brief_context",
    "build_brief",
    "build_brief_files",
    "expand_result_dirs",
    "fmt_days",
    "fmt_interval",
    "fmt_population",
    "fmt_value",
    "load_brief_data",
    "render_html",
    "render_pdf",
    "scenario_labels",
    "write_figures",
]
