"""What the model commands print: the console, progress bars and the backlog note.

No command is registered here and nothing is computed: the commands pass finished tables and
manifests in.
"""

from __future__ import annotations

from typing import Any

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

console = Console(soft_wrap=True, width=max(140, Console().width))


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


def report_backlog(manifest: dict[str, Any], lang: str) -> None:
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


class LazyProgress:
    """A progress bar that appears at its first update, not before.

    Everything that can fail on input (scenario, files, world building) runs before the
    first replication reports, so an input error is the only line the user sees.
    """

    def __init__(self) -> None:
        self.bar = progress_bar()
        self.started = False
        self.tasks: dict[str, TaskID] = {}

    def update(self, name: str, done: int, total: int) -> None:
        """Show ``done`` of ``total`` replications of ``name`` (starting the bar if need be)."""
        if not self.started:
            self.bar.start()
            self.started = True
        if name not in self.tasks:
            self.tasks[name] = self.bar.add_task(name, total=total)
        self.bar.update(self.tasks[name], completed=done, total=total)

    def __enter__(self) -> LazyProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.bar.stop()
