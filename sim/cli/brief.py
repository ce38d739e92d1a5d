"""``trauma-sim brief``: the committee brief from results folders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli import app
from sim.cli.console import console


@app.command("brief")
def brief(
    result_dirs: Annotated[list[Path], typer.Argument(help="A compare folder and/or run folders.")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="One file (NAME.pdf or NAME.html), or a folder that receives brief.pdf, "
            "brief.html and the interactive map brief_map.html.",
        ),
    ] = Path("brief.pdf"),
    lang: Annotated[str, typer.Option("--lang", help="zh (default) or en")] = "zh",
    figures: Annotated[
        Path | None, typer.Option("--figures", help="Also write the figures as PNGs here.")
    ] = None,
) -> None:
    """Build the committee brief (HTML, and PDF made offline) from results folders."""
    from sim.plotting.brief import build_brief_files, expand_result_dirs, write_figures

    dirs = expand_result_dirs(result_dirs)
    if figures is not None:
        for path in write_figures(dirs, figures, lang=lang):
            console.print(f"figure: {path}")
    # Every file written is listed (one named file, or each file of the folder).
    for path in build_brief_files(dirs, out, lang=lang):
        console.print(f"brief: {path}")
