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


@bench_app.command("scaling")
def bench_scaling(
    out: Annotated[Path, typer.Option("--out", help="Folder for scaling.json/.csv/.png.")],
    scenario: Annotated[
        Path, typer.Option("--scenario", help="Base scenario (horizon, fleet, centres).")
    ] = Path("scenarios/province_baseline.toml"),
    network_scenario: Annotated[
        list[Path] | None,
        typer.Option(
            "--network-scenario",
            help="Scenario on another network for the network-size points (repeatable; "
            "default: the synthetic county, and Hangzhou west when its extract is on the "
            "data path).",
        ),
    ] = None,
    horizon: Annotated[
        list[float] | None,
        typer.Option("--horizon", min=0.5, help="Horizon points, days (default 2 4 8 16)."),
    ] = None,
    fleet: Annotated[
        list[float] | None,
        typer.Option("--fleet", min=0.01, help="Fleet shares of the base (default 0.5 1 2)."),
    ] = None,
    centres: Annotated[
        list[int] | None,
        typer.Option("--centres", min=1, help="120 centre counts (default 1 2 4)."),
    ] = None,
    days: Annotated[
        float, typer.Option("--days", min=0.5, help="Horizon of the other points, days.")
    ] = 7.0,
    repeat: Annotated[int, typer.Option("--repeat", min=1, help="Runs per point.")] = 1,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder with network files (else $TRAUMA_SIM_DATA).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Cost against horizon, fleet, network size and 120 centres, side by side; with a plot."""
    import os

    from sim.io.results import check_output_root
    from sim.plotting.performance import write_scaling_report
    from sim.runs import bench

    check_output_root(out)
    if network_scenario is None:
        root = Path(__file__).resolve().parents[2] / "scenarios"
        network_scenario = [root / "county_baseline.toml"]
        folder = data_dir or (
            Path(os.environ["TRAUMA_SIM_DATA"]) if "TRAUMA_SIM_DATA" in os.environ else None
        )
        if folder is not None and (folder / "hangzhou_west.osm.bz2").is_file():
            network_scenario.append(root / "hangzhou_baseline.toml")
    result = bench.scaling_benchmark(
        scenario,
        tuple(network_scenario),
        horizons_days=tuple(horizon or bench.SCALING_HORIZONS_DAYS),
        fleet_shares=tuple(fleet or bench.SCALING_FLEET_SHARES),
        centres=tuple(centres or bench.SCALING_CENTRES),
        days=days,
        repeat=repeat,
        data_dir=data_dir,
    )
    png = write_scaling_report(result, out)
    if as_json:
        typer.echo(json.dumps(result))
        return
    for p in result["points"]:  # type: ignore[attr-defined]
        typer.echo(
            f"{p['factor']:>8} {p['level']:>8}: {p['incidents']:>7} incidents, "
            f"{p['run_s']:>7} s, {p['cost_per_incident_us']:>8} µs/incident"
        )
    typer.echo(f"wrote {png}")
