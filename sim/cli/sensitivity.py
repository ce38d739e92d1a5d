"""``trauma-sim sensitivity``: one tornado over operational, mechanism and outcome assumptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.cli import app
from sim.cli.console import console, progress_bar
from sim.cli.options import (
    CacheDirOpt,
    DataDirOpt,
    DaysOpt,
    JobsOpt,
    RepsOpt,
    SetOpt,
    option_overrides,
)
from sim.cli.sweep import dask_executor


@app.command("sensitivity")
def sensitivity(
    base: Annotated[Path, typer.Argument(help="Base scenario (.toml).")],
    alternative: Annotated[Path, typer.Argument(help="Scenario compared with the base.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (tornado.csv, tornado.png).")],
    reps: RepsOpt = None,
    horizon_days: DaysOpt = None,
    fields: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="Sweep only this [U] field (repeatable) [default: every ranged [U] field].",
        ),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Chart language: zh or en.")] = "zh",
    jobs: JobsOpt = 1,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    ] = None,
    sets: SetOpt = None,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
) -> None:
    """One-way sweep of every [U] assumption over its range (CRN), ranked with outcome ones.

    Each operational/mechanism field is set to the low and the high end of its documented
    range in both scenarios and the comparison re-simulated; outcome parameters are moved on
    the central comparison's timelines. Writes OUT/tornado.csv and OUT/tornado.png (minutes
    saved and DALYs averted); OUT/checkpoints lets a rerun resume.
    """
    from sim.config.scenario import load_scenario
    from sim.io.results import write_csv_atomic
    from sim.plotting.labels import check_lang
    from sim.plotting.sensitivity import save_tornado_figure
    from sim.runs.sensitivity import sensitivity as run

    language = check_lang(lang)
    ov = option_overrides(sets, None, horizon_days)
    b, a = load_scenario(base, ov), load_scenario(alternative, ov)
    out.mkdir(parents=True, exist_ok=True)
    with dask_executor(scheduler) as executor, progress_bar() as prog:
        task = prog.add_task("sensitivity: runs x reps", total=None)
        table = run(
            b,
            a,
            out,
            replications=reps,
            fields=fields,
            jobs=jobs,
            executor=executor,
            data_dir=data_dir,
            cache_dir=cache_dir,
            progress=lambda done, n: prog.update(task, completed=done, total=n),
        )
    write_csv_atomic(out / "tornado.csv", table)
    png = save_tornado_figure(table, out / "tornado.png", lang=language)
    for metric in table["metric"].unique():
        top = table[table["metric"] == metric].head(5)
        lines = ", ".join(
            f"{p} ({s:.3g})" for p, s in zip(top["parameter"], top["swing"], strict=True)
        )
        console.print(f"{metric}: widest swings {lines}")
    console.print(f"tornado: {out / 'tornado.csv'}, {png}")
