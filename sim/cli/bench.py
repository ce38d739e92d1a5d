"""``trauma-sim bench network|model|sweep``: print performance figures (JSON with ``--json``)."""

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
        list[Path] | None,
        typer.Option(
            "--scenario",
            help="Scenario file (default: Hangzhou or county); repeat the option to measure "
            "several side by side (e.g. the integrated and the peak variant).",
        ),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with network files (else $TRAUMA_SIM_DATA).")
    ] = None,
    horizon_days: Annotated[float, typer.Option("--horizon-days", min=1.0)] = 365.0,
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Runs of the replication; the fastest counts.")
    ] = 3,
    half_horizon: Annotated[
        bool,
        typer.Option(
            "--half-horizon/--no-half-horizon",
            help="Also run half the horizon (the linearity figure).",
        ),
    ] = True,
    stream_events: Annotated[
        bool,
        typer.Option(
            "--stream-events",
            help="Stream the event log to a temporary Parquet file (bounded memory).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Simulate a year of one replication; print incidents per second and memory.

    With several scenarios each result also has ``cost_ratio_to_first`` (its cost per
    incident over the first scenario's) and the JSON is a list.
    """
    from sim.runs.bench import model_benchmark

    files: list[Path | None] = list(scenario) if scenario else [None]
    results = [
        model_benchmark(
            data_dir=data_dir,
            scenario_file=f,
            horizon_days=horizon_days,
            repeat=repeat,
            half_horizon=half_horizon,
            stream_events=stream_events,
        )
        for f in files
    ]
    if len(results) > 1:
        first = float(str(results[0]["cost_per_incident_us"]))
        for r in results:
            r["cost_ratio_to_first"] = round(float(str(r["cost_per_incident_us"])) / first, 3)
    if as_json:
        typer.echo(json.dumps(results[0] if len(results) == 1 else results))
        return
    for result in results:
        for key, value in result.items():
            typer.echo(f"{key:>28}: {value}")
        typer.echo("")


@bench_app.command("sweep")
def bench_sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file (.toml).")] = Path(
        "scenarios/sweeps/county_fleet_aml.toml"
    ),
    workers: Annotated[
        list[int] | None, typer.Option("--workers", min=1, help="Worker counts (default 1 2).")
    ] = None,
    backend: Annotated[
        list[str] | None,
        typer.Option("--backend", help="'process' and/or 'dask' (default both)."),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with network files (else $TRAUMA_SIM_DATA).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run a sweep's replications with 1 and 2 workers per backend; print the speed-up."""
    from sim.core.errors import UserError
    from sim.runs.bench import sweep_benchmark

    backends = tuple(backend or ("process", "dask"))
    bad = sorted(set(backends) - {"process", "dask"})
    if bad:
        raise UserError(f"--backend {', '.join(bad)}: use 'process' or 'dask'")
    result = sweep_benchmark(
        sweep_file, workers=tuple(workers or (1, 2)), backends=backends, data_dir=data_dir
    )
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            typer.echo(f"{key:>28}: {value}")
