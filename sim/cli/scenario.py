"""``trauma-sim validate|run|calibration``: the commands on one scenario."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli import app
from sim.cli.console import LazyProgress, console, report_backlog
from sim.cli.folders import checkpoint_folder, drop_checkpoints, prepare_out
from sim.cli.options import (
    CacheDirOpt,
    DataDirOpt,
    DaysOpt,
    JobsOpt,
    LangOpt,
    OutOpt,
    RepsOpt,
    ResumeOpt,
    SeedOpt,
    SetOpt,
    option_overrides,
)
from sim.core.errors import UserError


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files.")],
    sets: SetOpt = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    schema_only: Annotated[
        bool, typer.Option("--schema-only", help="Skip loading facilities and the network.")
    ] = False,
) -> None:
    """Check scenario files; list every problem as file:line field: message (exit 2)."""
    from sim.config.scenario import load_scenario, validate_files

    problems = validate_files(files, sets)
    if not problems and not schema_only:
        from sim.runs.world import build_world

        for f in files:
            try:
                build_world(load_scenario(f, sets), data_dir=data_dir, cache_dir=cache_dir)
            except UserError as exc:
                problems.append(exc.message)
    if problems:
        for p in problems:
            typer.echo(p, err=True)
        raise typer.Exit(2)
    for f in files:
        typer.echo(f"{f}: ok")


@app.command("run")
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (.toml).")],
    reps: RepsOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: OutOpt = Path("results"),
    horizon_days: DaysOpt = None,
    sets: SetOpt = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    resume: ResumeOpt = False,
    calls: Annotated[
        Path | None,
        typer.Option("--calls", help="Replay this call log CSV instead of generated demand."),
    ] = None,
    lang: LangOpt = "zh",
    stream_events: Annotated[
        bool,
        typer.Option(
            "--stream-events",
            help="Write each replication's event log to disk as Parquet row groups while it "
            "runs (memory stays bounded on long horizons; same results, same events.parquet).",
        ),
    ] = False,
) -> None:
    """Run a scenario's replications and write results/<scenario>/<run-id>/."""
    from sim.cli.report import kpi_table
    from sim.config.scenario import load_scenario
    from sim.io.event_stream import EventStream
    from sim.plotting import labels as lb
    from sim.runs.study import run_scenario_tables, save_run
    from sim.runs.world import build_world

    lang = lb.check_lang(lang)
    replay: list[str] = []
    if calls is not None:
        from sim.demand.trace import replay_overrides

        replay = replay_overrides(calls, keep_horizon=horizon_days is not None)
    sc = load_scenario(scenario, replay + option_overrides(sets, seed, horizon_days))
    prepare_out(out)
    n = reps or sc.run.replications
    # Streamed and in-memory replications never share checkpoints (their tables differ).
    kind = "run-streamed" if stream_events else "run"
    store = checkpoint_folder(out, f"{kind}-{sc.name}-{sc.content_hash()[:16]}-r{n}", resume)
    world = build_world(sc, data_dir=data_dir, cache_dir=cache_dir)
    with LazyProgress() as prog:
        tables = run_scenario_tables(
            sc,
            replications=reps,
            jobs=jobs,
            data_dir=data_dir,
            cache_dir=cache_dir,
            world=world,
            progress=lambda done, total: prog.update(sc.name, done, total),
            checkpoint=store,
            argv=sys.argv,
            # Beside the checkpoints: a resumed run finds its replications' logs there.
            stream=EventStream(store / "events") if stream_events else None,
        )
    folder = save_run(tables, out, sc)
    drop_checkpoints(store)  # the results folder now holds everything
    report_backlog(tables.manifest, lang)
    title = lb.pick(
        lb.CONSOLE["kpis_title"],
        lang,
        scenario=lb.scenario_title(sc.title, sc.name, lang),
        reps=tables.manifest["replications"],
    )
    console.print(kpi_table(tables.kpis, title, lang))
    console.print(f"results: {folder}")
    console.print(lb.attribution_label(tables.manifest["attribution"], lang))


@app.command("calibration")
def calibration(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (.toml), e.g. a baseline.")],
    reps: RepsOpt = None,
    jobs: JobsOpt = 1,
    horizon_days: DaysOpt = None,
    sets: SetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON list of rows.")] = False,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Outcome targets, fitted and held out, against the simulated values (one row each)."""
    import json

    from sim.config.scenario import load_scenario
    from sim.runs.study import calibration_report

    sc = load_scenario(scenario, option_overrides(sets, None, horizon_days))
    table = calibration_report(
        sc, replications=reps, jobs=jobs, data_dir=data_dir, cache_dir=cache_dir
    )
    keys = ["target", "kind", "published", "low", "high", "simulated", "ok"]
    rows = [{k: r[k] for k in keys} for r in table.to_dict("records")]
    for r in rows:
        r["ok"] = bool(r["ok"])
        for k in ("published", "low", "high", "simulated"):
            r[k] = round(float(r[k]), 4)
    if as_json:
        typer.echo(json.dumps(rows, indent=1))
        return
    out = Table(title=f"{sc.name}: outcome calibration (fit) and validation (holdout)")
    for k in keys:
        out.add_column(k, justify="left" if k in ("target", "kind") else "right")
    for r in rows:
        out.add_row(*(str(r[k]) for k in keys))
    console.print(out)
    missed = [r["target"] for r in rows if not r["ok"]]
    if missed:
        console.print(f"outside the published range: {', '.join(missed)} (docs/validation.md)")
