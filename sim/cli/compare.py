"""``trauma-sim compare|demo``: scenarios side by side under common random numbers."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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

if TYPE_CHECKING:
    from sim.config.scenario import Scenario


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

    ov = option_overrides(sets, seed, horizon_days)
    scenarios = [load_scenario(p, ov) for p in [base, *others]]
    prepare_out(out)
    n = reps or scenarios[0].run.replications
    digest = hashlib.sha256("".join(s.content_hash() for s in scenarios).encode()).hexdigest()
    joint = "-joint" if joint_psa else ""
    store = checkpoint_folder(out, f"compare-{scenarios[0].name}-{digest[:16]}-r{n}{joint}", resume)
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
    drop_checkpoints(store)


def _compare_and_report(scenarios: list[Scenario], out: Path, *, lang: str, **options: Any) -> Path:
    """Run a comparison with a progress bar per scenario, save it, print its tables."""
    from sim.cli.report import comparison_tables
    from sim.plotting.labels import attribution_label
    from sim.runs.study import compare_scenarios, save_comparison

    with LazyProgress() as prog:
        comp = compare_scenarios(scenarios, progress=prog.update, argv=sys.argv, **options)
    folder = save_comparison(comp, out)
    for run_tables in comp.runs.values():
        report_backlog(run_tables.manifest, lang)
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
    prepare_out(out)
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
