"""``trauma-sim sweep``: a design of scenario variants against a base, resumable, parallel."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from sim.cli import app
from sim.cli.console import console, progress_bar
from sim.cli.options import CacheDirOpt, DataDirOpt, JobsOpt
from sim.core.errors import UserError


@contextmanager
def dask_executor(address: str | None) -> Iterator[Executor | None]:
    """An executor on the Dask scheduler at ``address`` (None: no executor)."""
    if address is None:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise UserError(
            f"--scheduler {address}: dask.distributed is not installed "
            "(pip install 'trauma-sim[dask]')"
        ) from None
    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserError(f"--scheduler {address}: cannot connect ({exc})") from None
    try:
        yield client.get_executor()
    finally:
        client.close()


@app.command("sweep")
def sweep(
    sweep_file: Annotated[
        Path, typer.Argument(help="Sweep file (.toml): base + [[vary]]/[[sample]].")
    ],
    jobs: JobsOpt = 1,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output folder (default results/sweeps/<name>).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue a killed sweep in --out (must exist).")
    ] = False,
    data_dir: DataDirOpt = None,
    cache_dir: CacheDirOpt = None,
) -> None:
    """Run every design point under common random numbers against the base; write sweep.parquet.

    Each (scenario, replication) is saved in OUT/checkpoints as it finishes; rerunning into
    the same folder (or --resume) skips them, so a killed sweep loses nothing.
    """
    from sim.runs.sweep import load_sweep, run_sweep

    spec = load_sweep(sweep_file)  # every problem is reported before anything is written
    folder = out or Path("results") / "sweeps" / sweep_file.stem
    if resume and not (folder / "checkpoints").is_dir():
        # A sweep killed before its first replication was saved left nothing to resume: it
        # starts from the beginning, which is what resuming it means.
        typer.echo(f"note: {folder} holds no sweep checkpoints yet; starting the sweep", err=True)
    total = (len(spec.points) + 1) * spec.replications
    with dask_executor(scheduler) as executor, progress_bar() as prog:
        task = prog.add_task(f"{sweep_file.stem}: points x reps", total=total)
        table = run_sweep(
            spec,
            folder,
            jobs=jobs,
            executor=executor,
            data_dir=data_dir,
            cache_dir=cache_dir,
            progress=lambda done, n: prog.update(task, completed=done, total=n),
            argv=sys.argv,
        )
    console.print(
        f"{len(spec.points)} points x {spec.replications} replications, "
        f"{len(table)} rows: {folder / 'sweep.parquet'}"
    )


@app.command("sweep-report")
def sweep_report(
    sweep_dir: Annotated[Path, typer.Argument(help="Folder written by trauma-sim sweep.")],
    comparison: Annotated[
        Path | None,
        typer.Option(
            "--comparison", help="Folder written by trauma-sim compare (its psa.csv: the CEAC)."
        ),
    ] = None,
    metric: Annotated[
        str, typer.Option("--metric", help="Metric of the heat map (a sweep.parquet metric).")
    ] = "dalys_averted_per_year",
    budget: Annotated[
        float | None,
        typer.Option("--budget", min=0, help="Yuan per year available: mark the best point."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Labels: zh or en.")] = "zh",
    out: Annotated[
        Path | None, typer.Option("--out", help="Report folder (default SWEEP_DIR/report).")
    ] = None,
) -> None:
    """Heat map over two varied fields, efficiency frontier (and CEAC of a comparison)."""
    from sim.plotting.labels import check_lang
    from sim.plotting.sweep_report import write_sweep_report

    report = write_sweep_report(
        sweep_dir,
        comparison_dir=comparison,
        out=out,
        metric=metric,
        budget_yuan=budget,
        lang=check_lang(lang),
    )
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)
    if budget is not None:
        console.print(f"best within {budget:,.0f} yuan/year: {report.best or 'none'}")
    for path in report.files:
        console.print(str(path))
