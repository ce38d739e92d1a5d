"""Writing and reading results folders, atomically. Nothing here runs the model.

A run folder ``results/<scenario>/<run-id>/`` holds ``incidents.parquet``, ``events.parquet``,
``units.parquet``, ``kpis.csv``, ``kpis_by_rep.csv``, ``outcomes.csv``,
``scenario.resolved.toml`` and ``manifest.json``. A comparison folder holds
``comparison.csv``, ``stages.csv``, ``tornado.csv``, ``manifest.json`` and one run folder per
scenario. Folders are written under a temporary name and renamed into place, so a failed or
interrupted run never leaves a partial folder behind.
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.errors import UserError


@dataclass
class RunTables:
    """The tables of one scenario run (all replications)."""

    incidents: pd.DataFrame
    events: pd.DataFrame
    units: pd.DataFrame
    kpis_by_rep: pd.DataFrame
    kpis: pd.DataFrame
    outcomes: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    scenario_toml: str = ""
    #: Per replication and day: patients injured and not yet reached (``backlog.csv``).
    backlog: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Streamed event logs, one per replication in order (then ``events`` is empty and
    #: ``events.parquet`` is written from these files, row group by row group).
    event_files: list[Path] = field(default_factory=list)


def check_output_root(root: Path, option: str = "--out") -> None:
    """Refuse, before any work, a results root that cannot be written.

    Checks that ``root`` is a folder (or can be created: its nearest existing ancestor is a
    writable folder) by creating and removing a probe file; nothing is left behind.

    Parameters
    ----------
    root
        The results root folder.
    option
        The command-line option it came from, named in the message.

    Raises
    ------
    UserError
        ``option --out: <root>: <why>``.
    """
    probe_dir = root
    while not probe_dir.exists():
        if probe_dir.parent == probe_dir:
            break
        probe_dir = probe_dir.parent
    if not probe_dir.is_dir():
        raise UserError(f"option {option}: {root}: {probe_dir} is a file, not a folder")
    try:
        fd, name = tempfile.mkstemp(prefix=".write-probe-", dir=probe_dir)
    except OSError as exc:
        raise UserError(
            f"option {option}: {root}: cannot write in {probe_dir} ({exc.strerror})"
        ) from None
    os.close(fd)
    os.unlink(name)


#: Temporary folders are ``.<final name>.tmp-<pid>-<random>``: the pid tells a later start
#: whether the writer is still alive, so only a dead writer's leftovers are removed.
_TMP = re.compile(r"^\..+\.tmp-(\d+)-[^/]+$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(root: Path) -> list[Path]:
    """Remove temporary folders left by killed writers under a results root.

    Looks in ``root`` and two levels below (``<scenario>/`` and ``compare/<name>/``); a
    temporary folder whose writing process is still alive (a concurrent run) is kept.

    Parameters
    ----------
    root
        The results root folder (``--out``).

    Returns
    -------
    list[Path]
        The folders removed.
    """
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    for pattern in (".*.tmp-*", "*/.*.tmp-*", "*/*/.*.tmp-*"):
        for path in root.glob(pattern):
            m = _TMP.match(path.name)
            if m and path.is_dir() and not _alive(int(m.group(1))):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def unique_suffix() -> str:
    """Six random hex digits for run ids (OS entropy; never touches the model's streams)."""
    return secrets.token_hex(3)


class atomic_dir:  # noqa: N801 - used as a context manager function, as before
    """A temporary folder that is renamed to ``final`` only if the block succeeds.

    ``with atomic_dir(final) as tmp:`` writes into ``tmp``; on success it becomes ``final``.
    If ``final`` already exists: with ``unique=True`` the results are published under
    ``final`` plus a random suffix (``.final`` says where), never discarded; otherwise a
    :class:`UserError` is raised.
    """

    def __init__(self, final: Path, *, unique: bool = False) -> None:
        self.final = final
        self.unique = unique
        self._tmp: Path | None = None

    def __enter__(self) -> Path:
        try:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = Path(
                tempfile.mkdtemp(
                    prefix=f".{self.final.name}.tmp-{os.getpid()}-", dir=self.final.parent
                )
            )
        except OSError as exc:
            raise UserError(
                f"{self.final.parent}: cannot write results here ({exc.strerror})"
            ) from None
        return self._tmp

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        tmp = self._tmp
        assert tmp is not None
        try:
            if exc_type is None:
                self._publish(tmp)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    def _publish(self, tmp: Path) -> None:
        base = self.final
        for _ in range(100):
            if not self.final.exists():
                try:
                    # rename, not replace: it fails on an existing non-empty folder, so a
                    # concurrent writer's results are never overwritten.
                    os.rename(tmp, self.final)
                    return
                except OSError as exc:
                    if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                        raise UserError(
                            f"{self.final}: cannot write results here ({exc.strerror})"
                        ) from None
            if not self.unique:
                raise UserError(f"{self.final}: results folder already exists")
            self.final = base.with_name(f"{base.name}-{unique_suffix()}")
        raise UserError(f"{base}: no free results folder name")  # pragma: no cover


def write_run_files(folder: Path, tables: RunTables) -> None:
    """Write a run's tables into ``folder`` (inside an :func:`atomic_dir` block)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables.incidents.to_parquet(folder / "incidents.parquet", index=False)
    if tables.event_files:
        from sim.io.event_stream import merge_event_files

        merge_event_files(tables.event_files, folder / "events.parquet")
    else:
        tables.events.to_parquet(folder / "events.parquet", index=False)
    tables.units.to_parquet(folder / "units.parquet", index=False)
    tables.kpis.to_csv(folder / "kpis.csv", index=False)
    tables.kpis_by_rep.to_csv(folder / "kpis_by_rep.csv", index=False)
    tables.outcomes.to_csv(folder / "outcomes.csv", index=False)
    if not tables.backlog.empty:
        tables.backlog.to_csv(folder / "backlog.csv", index=False)
    (folder / "scenario.resolved.toml").write_text(tables.scenario_toml, encoding="utf-8")
    (folder / "manifest.json").write_text(
        json.dumps(tables.manifest, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )


def write_run(folder: Path, tables: RunTables) -> Path:
    """Write a run folder atomically; returns its path."""
    with atomic_dir(folder) as tmp:
        write_run_files(tmp, tables)
    return folder


def read_run(folder: str | Path) -> RunTables:
    """Read a run folder back into DataFrames.

    Parameters
    ----------
    folder
        A folder written by :func:`write_run` (or a run inside a comparison folder).

    Returns
    -------
    RunTables
    """
    folder = Path(folder)
    manifest_file = folder / "manifest.json"
    if not manifest_file.exists():
        raise UserError(f"{folder}: not a results folder (no manifest.json)")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if manifest.get("kind") != "run":
        raise UserError(f"{folder}: manifest kind is {manifest.get('kind')!r}, expected 'run'")

    def opt_csv(name: str) -> pd.DataFrame:
        p = folder / name
        return pd.read_csv(p) if p.exists() else pd.DataFrame()

    return RunTables(
        incidents=pd.read_parquet(folder / "incidents.parquet"),
        events=pd.read_parquet(folder / "events.parquet"),
        units=pd.read_parquet(folder / "units.parquet"),
        kpis_by_rep=opt_csv("kpis_by_rep.csv"),
        kpis=pd.read_csv(folder / "kpis.csv"),
        outcomes=opt_csv("outcomes.csv"),
        manifest=manifest,
        scenario_toml=(folder / "scenario.resolved.toml").read_text(encoding="utf-8"),
    )


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write a file atomically (temp file + rename): readers see the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write a UTF-8 text file atomically (temp file + rename); return ``path``."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically (temp file + rename)."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def write_csv_atomic(path: Path, table: pd.DataFrame) -> None:
    """Write a CSV atomically (temp file + rename): a reader never sees half a table."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    table.to_csv(tmp, index=False)
    os.replace(tmp, path)


@dataclass
class ComparisonTables:
    """The tables of a comparison folder (plus each scenario's run, read lazily by name)."""

    folder: Path
    comparison: pd.DataFrame
    stages: pd.DataFrame
    tornado: pd.DataFrame
    manifest: dict[str, Any]

    def run(self, scenario: str) -> RunTables:
        """The run tables of one compared scenario."""
        return read_run(self.folder / scenario)


def read_comparison(folder: str | Path) -> ComparisonTables:
    """Read a comparison folder written by ``trauma-sim compare``."""
    folder = Path(folder)
    manifest_file = folder / "manifest.json"
    if not manifest_file.exists():
        raise UserError(f"{folder}: not a results folder (no manifest.json)")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    if manifest.get("kind") != "comparison":
        raise UserError(
            f"{folder}: manifest kind is {manifest.get('kind')!r}, expected 'comparison'"
        )
    tornado = folder / "tornado.csv"
    return ComparisonTables(
        folder=folder,
        comparison=pd.read_csv(folder / "comparison.csv"),
        stages=pd.read_csv(folder / "stages.csv"),
        tornado=pd.read_csv(tornado)
        if tornado.exists() and tornado.stat().st_size > 1
        else pd.DataFrame(),
        manifest=manifest,
    )


def read_results(folder: str | Path) -> RunTables | ComparisonTables:
    """Read a run folder or a comparison folder back into DataFrames.

    Examples
    --------
    >>> import sim, tempfile
    >>> s = sim.load_scenario("scenarios/county_baseline.toml", ["run.horizon_days=3"])
    >>> run = sim.run_experiment_tables(s, replications=1)
    >>> out = sim.save_results(run, tempfile.mkdtemp(), s)
    >>> tables = sim.read_results(out)
    >>> tables.manifest["scenario"]
    'county_baseline'
    """
    folder = Path(folder)
    manifest_file = folder / "manifest.json"
    if not manifest_file.exists():
        raise UserError(f"{folder}: not a results folder (no manifest.json)")
    kind = json.loads(manifest_file.read_text(encoding="utf-8")).get("kind")
    return read_comparison(folder) if kind == "comparison" else read_run(folder)
