"""``trauma-sim metrics-docs|scenario-docs``: the generated reference pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli import app


@app.command("metrics-docs")
def metrics_docs(
    out: Annotated[Path, typer.Option("--out", help="Where to write the table.")] = Path(
        "docs/metrics.md"
    ),
) -> None:
    """Write docs/metrics.md, the table of every metric, from sim/metrics/registry.py."""
    from sim.io.results import write_text_atomic
    from sim.metrics.registry import markdown_table

    write_text_atomic(out, markdown_table())
    typer.echo(f"wrote {out}")


@app.command("scenario-docs")
def scenario_docs(
    out_dir: Annotated[Path, typer.Option("--out-dir")] = Path("scenarios"),
    parameters: Annotated[
        Path,
        typer.Option("--parameters", help="Parameter table whose defaults section is updated."),
    ] = Path("docs/parameters.md"),
) -> None:
    """Write scenarios/schema.json, scenarios/README.md and docs/parameters.md's defaults."""
    from sim.io.scenario_docs import write_docs

    for p in write_docs(out_dir, parameters):
        typer.echo(f"wrote {p}")
