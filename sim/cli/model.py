"""``trauma-sim validate|run|calibration|compare|demo|brief|metrics-docs|scenario-docs``."""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sim.cli import app
from sim.core.errors import UserError

if TYPE_CHECKING:
    from sim.config.scenario import Scenario

console = Console(soft_wrap=True, width=max(140, Console().width))

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a field, e.g. --set fleet.ambulances=40 (repeatable)."),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder with network/data files (else $TRAUMA_SIM_DATA)."),
]
CacheDirOpt = Annotated[Path | None, typer.Option("--cache-dir", help="Network cache folder.")]
RepsOpt = Annotated[
    int | None,
    typer.Option("--reps", min=1, help="Replications [default: the scenario's run.replications]."),
]
JobsOpt = Annotated[int, typer.Option("--jobs", min=1, help="Parallel worker processes.")]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, help="Base seed.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Results root folder.")]
ResumeOpt = Annotated[
    bool,
    typer.Option(
        "--resume",
        help="Reuse the replications a killed run of the same scenario left in OUT/.checkpoints.",
    ),
]
LangOpt = Annotated[
    str,
    typer.Option("--lang", help="Language of the printed tables (and the brief): zh or en."),
]
DaysOpt = Annotated[
    float | None,
    typer.Option(
        "--horizon-days",
        min=0.01,
        help="Simulated days per replication [default: the scenario's run.horizon_days].",
    ),
]


def _overrides(sets: list[str] | None, seed: int | None, days: float | None) -> list[str]:
    out = list(sets or [])
    if seed is not None:
        out.append(f"run.seed={seed}")
    if days is not None:
        out.append(f"run.horizon_days={days}")
    return out


def progress_bar() -> Progress:
    """A progress bar on stderr: done/total, elapsed and the estimated time remaining."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )


def _prepare_out(out: Path) -> None:
    """Refuse an unwritable ``--out`` and clear what killed runs left in it (before any work)."""
    from sim.io.results import check_output_root, remove_stale_temporaries

    check_output_root(out)
    for path in remove_stale_temporaries(out):
        typer.echo(f"removed the temporary folder of a killed run: {path}", err=True)


def _report_backlog(manifest: dict[str, Any], lang: str) -> None:
    """Say what the response KPIs cover, and warn when the backlog grows without bound."""
    from sim.plotting import labels as lb

    b = manifest.get("backlog") or {}
    if b.get("not_reached_by_horizon"):
        typer.echo(
            lb.pick(
                lb.CONSOLE["backlog_note"],
                lang,
                share=f"{b['response_kpis_cover_share']:.1%}",
                missed=b["not_reached_by_horizon"],
                patients=b["patients"],
            ),
            err=True,
        )
    if b.get("unbounded_in_reps"):
        typer.echo(
            lb.pick(
                lb.CONSOLE["backlog_warning"],
                lang,
                unbounded=b["unbounded_in_reps"],
                reps=manifest["replications"],
            ),
            err=True,
        )


class _LazyProgress:
    """A progress bar that appears at its first update, not before.

    Everything that can fail on input (scenario, files, world building) runs before the
    first replication reports, so an input error is the only line the user sees.
    """

    def __init__(self) -> None:
        self.bar = progress_bar()
        self.started = False
        self.tasks: dict[str, TaskID] = {}

    def update(self, name: str, done: int, total: int) -> None:
        if not self.started:
            self.bar.start()
            self.started = True
        if name not in self.tasks:
            self.tasks[name] = self.bar.add_task(name, total=total)
        self.bar.update(self.tasks[name], completed=done, total=total)

    def __enter__(self) -> _LazyProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.bar.stop()


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
    sc = load_scenario(scenario, replay + _overrides(sets, seed, horizon_days))
    _prepare_out(out)
    n = reps or sc.run.replications
    # Streamed and in-memory replications never share checkpoints (their tables differ).
    kind = "run-streamed" if stream_events else "run"
    store = _checkpoints(out, f"{kind}-{sc.name}-{sc.content_hash()[:16]}-r{n}", resume)
    world = build_world(sc, data_dir=data_dir, cache_dir=cache_dir)
    with _LazyProgress() as prog:
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
    _drop_checkpoints(store)  # the results folder now holds everything
    _report_backlog(tables.manifest, lang)
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

    sc = load_scenario(scenario, _overrides(sets, None, horizon_days))
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


@app.command("compare")
def compare(
    base: Annotated[Path, typer.Argument(help="Base scenario.")],
    others: Annotated[list[Path], typer.Argument(help="Scenarios compared with the base.")],
    reps: RepsOpt = None,
    jobs: JobsOpt = 1,
    seed: SeedOpt = None,
    out: OutOpt = Path("results"),
    horizon_days: DaysOpt = None,
    psa_draws: Annotated[
        int,
        typer.Option(
            "--psa-draws",
            min=10,
            help="Parameter draws of the probabilistic sensitivity analysis (PSA interval).",
        ),
    ] = 200,
    joint_psa: Annotated[
        bool,
        typer.Option(
            "--joint-psa",
            help="Also draw every [U] mechanism and operational assumption per replication "
            "(same draw in every scenario) and recalibrate each PSA draw (ABC): adds "
            "psa_all_low/psa_all_high, the interval over all assumptions, and joint_psa.csv.",
        ),
    ] = False,
    sets: SetOpt = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
    resume: ResumeOpt = False,
    lang: LangOpt = "zh",
) -> None:
    """Run scenarios under common random numbers; write comparison.csv with paired CIs."""
    from sim.config.scenario import load_scenario
    from sim.plotting.labels import check_lang

    lang = check_lang(lang)

    ov = _overrides(sets, seed, horizon_days)
    scenarios = [load_scenario(p, ov) for p in [base, *others]]
    _prepare_out(out)
    n = reps or scenarios[0].run.replications
    digest = hashlib.sha256("".join(s.content_hash() for s in scenarios).encode()).hexdigest()
    joint = "-joint" if joint_psa else ""
    store = _checkpoints(out, f"compare-{scenarios[0].name}-{digest[:16]}-r{n}{joint}", resume)
    _compare_and_report(
        scenarios,
        out,
        replications=reps,
        jobs=jobs,
        data_dir=data_dir,
        cache_dir=cache_dir,
        psa_draws=psa_draws,
        checkpoint=store,
        lang=lang,
        joint_psa=joint_psa,
    )
    _drop_checkpoints(store)


def _drop_checkpoints(folder: Path) -> None:
    """Remove a finished run's checkpoints, and ``.checkpoints`` itself once empty."""
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # other runs' checkpoints are still there
        folder.parent.rmdir()


def _checkpoints(out: Path, name: str, resume: bool) -> Path:
    """The checkpoint folder of a run or comparison (fresh unless resuming).

    Its name carries the scenarios' content hashes and the replication count, so ``--resume``
    only ever reuses replications of exactly the same work.
    """
    folder = out / ".checkpoints" / name
    if not resume:
        shutil.rmtree(folder, ignore_errors=True)
    return folder


def _compare_and_report(scenarios: list[Scenario], out: Path, *, lang: str, **options: Any) -> Path:
    """Run a comparison with a progress bar per scenario, save it, print its tables."""
    from sim.cli.report import comparison_tables
    from sim.plotting.labels import attribution_label
    from sim.runs.study import compare_scenarios, save_comparison

    with _LazyProgress() as prog:
        comp = compare_scenarios(scenarios, progress=prog.update, argv=sys.argv, **options)
    folder = save_comparison(comp, out)
    for run_tables in comp.runs.values():
        _report_backlog(run_tables.manifest, lang)
    for table in comparison_tables(comp, lang):
        console.print(table)
    console.print(f"results: {folder}")
    console.print(attribution_label(comp.manifest["attribution"], lang))
    return folder


@app.command("demo")
def demo(
    out: OutOpt = Path("results"),
    reps: Annotated[int, typer.Option("--reps", min=2)] = 4,
    horizon_days: Annotated[float, typer.Option("--horizon-days", min=1)] = 28,
    jobs: JobsOpt = 1,
    lang: LangOpt = "zh",
) -> None:
    """A short baseline vs integrated comparison on the embedded synthetic county."""
    from sim.config.scenario import load_scenario
    from sim.plotting.labels import CONSOLE, check_lang, pick

    lang = check_lang(lang)

    root = Path(__file__).resolve().parents[2] / "scenarios"
    files = [root / "county_baseline.toml", root / "county_integrated.toml"]
    ov = [f"run.horizon_days={horizon_days}"]
    scenarios = [load_scenario(f, ov) for f in files]
    _prepare_out(out)
    banner = pick(CONSOLE["demo_banner"], lang, reps=reps, days=horizon_days)
    console.print(f"[bold]trauma-sim demo[/bold]: {banner}")
    folder = _compare_and_report(
        scenarios, out, replications=reps, jobs=jobs, psa_draws=100, lang=lang
    )
    _demo_outputs(folder, lang)


def _demo_outputs(folder: Path, lang: str) -> None:
    """Figures and the brief for the demo comparison, with their paths printed."""
    from sim.plotting.brief import build_brief_files, expand_result_dirs, write_figures

    dirs = expand_result_dirs([folder])
    for path in write_figures(dirs, folder / "figures", lang=lang):
        console.print(f"figure: {path}")
    # The comparison folder receives brief.pdf, brief.html and brief_map.html: list them all.
    for path in build_brief_files(dirs, folder, lang=lang):
        console.print(f"brief: {path}")


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
