"""Resumable runs: every finished replication is written atomically as it finishes.

A :class:`Checkpoint` is a folder with one file per finished task, named by the task's key
(``<scenario-hash>/rep-0003.pkl``): the scenario's content hash, so a changed scenario never
picks up another scenario's replications, and the replication index. Each file is written
under a temporary name, flushed to disk and renamed into place, so a process killed at any
moment (``kill -9`` included) leaves either the whole file or none; left-over temporary
files are removed when the folder is opened again. A replication is a deterministic function
of its scenario and index, so reading it back instead of re-running it changes nothing.

The files are pickles of :class:`sim.runs.tables.ReplicationTables` (exact round trip of
every dtype); read them only from folders you wrote. Used by ``run``, ``compare`` and
``sweep`` alike (:func:`sim.runs.tasks.run_tasks`).
"""

from __future__ import annotations

import os
import pickle
import shutil
import uuid
from pathlib import Path

from sim.core.errors import UserError
from sim.runs.tables import ReplicationTables

_SUFFIX = ".pkl"


class Checkpoint:
    """A folder of finished replications.

    Parameters
    ----------
    folder
        Created when the first replication is saved.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        # Created with the first saved replication, so a run that fails before any leaves
        # no folder behind.
        if self.folder.is_dir():
            for stale in self.folder.rglob(".*.tmp-*"):
                stale.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        """The file of task ``key``."""
        return self.folder / f"{key}{_SUFFIX}"

    def has(self, key: str) -> bool:
        """Whether task ``key`` is finished."""
        return self.path(key).is_file()

    def load(self, key: str) -> ReplicationTables | None:
        """Task ``key``'s tables, or None when missing or unreadable (then it is re-run)."""
        path = self.path(key)
        try:
            with path.open("rb") as fh:
                rep = pickle.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            # Written by another version of the package, or damaged outside our atomic
            # writes: computing it again gives the same result.
            path.unlink(missing_ok=True)
            return None
        return rep if isinstance(rep, ReplicationTables) else None

    def save(self, key: str, rep: ReplicationTables) -> None:
        """Write task ``key`` atomically (temporary file, fsync, rename)."""
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(
                f"{self.folder}: cannot write checkpoints here ({exc.strerror})"
            ) from None
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            with tmp.open("wb") as fh:
                pickle.dump(rep, fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def keys(self) -> list[str]:
        """Keys of the finished tasks, sorted."""
        return sorted(
            p.relative_to(self.folder).as_posix().removesuffix(_SUFFIX)
            for p in self.folder.rglob(f"*{_SUFFIX}")
            if not p.name.startswith(".")
        )

    def remove(self) -> None:
        """Delete the folder (after the results it served are written)."""
        shutil.rmtree(self.folder, ignore_errors=True)
