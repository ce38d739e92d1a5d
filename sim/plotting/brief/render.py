"""Rendering the brief's content dict: HTML with Jinja2, PDF with typst, offline."""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

from sim.core.errors import UserError
from sim.io.results import write_bytes_atomic, write_text_atomic
from sim.plotting import labels as lb
from sim.plotting import maps
from sim.plotting.brief.context import brief_context
from sim.plotting.brief.data import load_brief_data
from sim.plotting.brief.figures import RESPONSE_TARGETS_MIN, map_incidents
from sim.plotting.style import font_dir, font_face_css

_TEMPLATES = files("sim.plotting") / "templates"


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
    return write_bytes_atomic(out, pdf)


#: File names written into a folder given as ``--out``.
FOLDER_FILES = {"pdf": "brief.pdf", "html": "brief.html", "map": "brief_map.html"}


def build_brief(result_dirs: Sequence[Path], out: Path, lang: str = "zh") -> Path:
    """Build the committee brief from result folders; return the brief's path.

    The same as :func:`build_brief_files` (the PDF, or the HTML, is returned); that
    function also returns every other file it wrote.
    """
    return build_brief_files(result_dirs, out, lang)[0]


def build_brief_files(result_dirs: Sequence[Path], out: Path, lang: str = "zh") -> list[Path]:
    """Build the committee brief from result folders: one named file, or one folder.

    Parameters
    ----------
    result_dirs
        A compare folder and/or run folders (see :func:`load_brief_data`).
    out
        ``*.pdf`` or ``*.html``: write exactly that one file (no map file beside it, so the
        brief names none). Any other path is a folder (created if needed) that receives
        ``brief.pdf``, ``brief.html`` and, when the comparison has map data, the offline
        interactive map ``brief_map.html`` the brief links to.
    lang
        ``"zh"`` (default) or ``"en"``.

    Returns
    -------
    list of Path
        Every file written, the brief first, so the caller can list them all: nothing is
        written that is not returned.

    Raises
    ------
    UserError
        ``out`` has a suffix other than ``.pdf``/``.html`` and is not a folder, or it names
        an existing file where a folder is meant.
    """
    lang = lb.check_lang(lang)
    out = Path(out)
    suffix = out.suffix.lower()
    single = suffix in (".pdf", ".html")
    if not single and suffix and not out.is_dir():
        raise UserError(
            f"brief: --out: must end with .pdf or .html (one file) or name a folder "
            f"(got {out.name!r})"
        )
    if not single and out.exists() and not out.is_dir():
        raise UserError(f"brief: --out: {out} is a file, not a folder")
    data = load_brief_data(result_dirs)
    if single:
        out.parent.mkdir(parents=True, exist_ok=True)
        context = brief_context(data, lang)
        if suffix == ".pdf":
            render_pdf(context, out)
        else:
            write_text_atomic(out, render_html(context))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    map_file = None
    if data.map_data is not None:
        map_path = maps.interactive_map(
            data.map_data.network,
            data.map_data.facilities,
            map_incidents(data),
            out=out / FOLDER_FILES["map"],
            lang=lang,
            thresholds=RESPONSE_TARGETS_MIN,
        )
        map_file = map_path.name
        written.append(map_path)
    context = brief_context(data, lang, map_file=map_file)
    pdf = render_pdf(context, out / FOLDER_FILES["pdf"])
    html = write_text_atomic(out / FOLDER_FILES["html"], render_html(context))
    return [pdf, html, *written]
