"""``trauma-sim bench network|model``: print performance figures (JSON with ``--json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sim.cli import app

bench_app = typer.Typer(help="Benchmarks: print measured figures.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")


@bench_app.command("network")
def bench_network(
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with network files (else $TRAUMA_SIM_DATA).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Load, cache and route on Hangzhou west (or the embedded county)."""
    from sim.runs.bench import network_benchmark

    result = network_benchmark(data_dir=data_dir)
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key:>20}: {value}")


@bench_app.command("model")
def bench_model(
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Scenario file (default: Hangzhou or county).")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with network files (else $TRAUMA_SIM_DATA).")
    ] = None,
    horizon_days: Annotated[float, typer.Option("--horizon-days", min=1.0)] = 365.0,
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Runs of the replication; the fastest counts.")
    ] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Simulate a year of one replication; print incidents per second and memory."""
    from sim.runs.bench import model_benchmark

    result = model_benchmark(
        data_dir=data_dir, scenario_file=scenario, horizon_days=horizon_days, repeat=repeat
    )
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key:>20}: {value}")
