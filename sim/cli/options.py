"""The options the model commands share (``--set``, ``--reps``, ``--out`` ...) and their overrides.

Only option types and the translation of ``--seed``/``--horizon-days`` into scenario
overrides; no command is registered here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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


def option_overrides(sets: list[str] | None, seed: int | None, days: float | None) -> list[str]:
    """The ``--set`` overrides plus ``--seed`` and ``--horizon-days`` as ``run.*`` overrides."""
    out = list(sets or [])
    if seed is not None:
        out.append(f"run.seed={seed}")
    if days is not None:
        out.append(f"run.horizon_days={days}")
    return out
