"""The output root of ``run`` and ``compare``: checked before any work, and its checkpoints.

Killed runs' temporary folders are cleared at the start; each run's checkpoint folder is named
by its scenarios' content hashes, so ``--resume`` only reuses exactly the same work.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import typer


def prepare_out(out: Path) -> None:
    """Refuse an unwritable ``--out`` and clear what killed runs left in it (before any work)."""
    from sim.io.results import check_output_root, remove_stale_temporaries

    check_output_root(out)
    for path in remove_stale_temporaries(out):
        typer.echo(f"removed the temporary folder of a killed run: {path}", err=True)


def drop_checkpoints(folder: Path) -> None:
    """Remove a finished run's checkpoints, and ``.checkpoints`` itself once empty."""
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # other runs' checkpoints are still there
        folder.parent.rmdir()


def checkpoint_folder(out: Path, name: str, resume: bool) -> Path:
    """The checkpoint folder of a run or comparison (fresh unless resuming).

    Its name carries the scenarios' content hashes and the replication count, so ``--resume``
    only ever reuses replications of exactly the same work.
    """
    folder = out / ".checkpoints" / name
    if not resume:
        shutil.rmtree(folder, ignore_errors=True)
    return folder
