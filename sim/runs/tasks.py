"""One machinery for every batch of replications: run, compare and sweep.

A :class:`Task` is one (scenario, replication). :func:`run_tasks` runs a batch serially, on a
local process pool or on any ``concurrent.futures.Executor`` (Dask: ``client.get_executor()``),
each worker using its process's cached world (:func:`sim.runs.world.cached_world`: built once
per network-and-facilities key, never pickled per task). Results are keyed by task, so they
never depend on which worker finished first; with a :class:`~sim.runs.checkpoint.Checkpoint`
each is written as it finishes and finished tasks are read back instead of re-run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from sim.config.scenario import Scenario
from sim.io.event_stream import EventStream
from sim.runs.checkpoint import Checkpoint
from sim.runs.replications import replication_record, worker_pool
from sim.runs.tables import ReplicationTables, replication_tables
from sim.runs.world import World, build_world, cached_world, check_capabilities, world_key

__all__ = ["Task", "run_tasks", "world_key"]


@dataclass(frozen=True)
class Task:
    """One replication of one scenario; ``key`` names it in results and checkpoints."""

    scenario: Scenario
    replication: int
    scenario_hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.scenario_hash:
            object.__setattr__(self, "scenario_hash", self.scenario.content_hash())

    @property
    def key(self) -> str:
        """``<scenario hash[:16]>/rep-NNNN``."""
        return f"{self.scenario_hash[:16]}/rep-{self.replication:04d}"


def _run_task(
    task: Task, data_dir: Path | None, cache_dir: Path | None, stream: EventStream | None
) -> ReplicationTables:
    """Worker side: the process's world for the scenario, one replication, its tables."""
    world = cached_world(task.scenario, data_dir=data_dir, cache_dir=cache_dir)
    return _task_tables(task, world, stream)


def _task_tables(task: Task, world: World, stream: EventStream | None) -> ReplicationTables:
    rec = replication_record(
        task.scenario, world, task.replication, stream=stream, stream_tag=task.scenario_hash[:16]
    )
    return replication_tables(task.scenario, world, rec)


def run_tasks(
    tasks: Sequence[Task],
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    worlds: dict[str, World] | None = None,
    store: Checkpoint | None = None,
    progress: Callable[[int, int], None] | None = None,
    on_done: Callable[[Task, ReplicationTables], None] | None = None,
    stream: EventStream | None = None,
) -> dict[str, ReplicationTables]:
    """Run tasks (skipping those in ``store``) and return their tables by task key.

    Parameters
    ----------
    tasks
        The batch; tasks with the same key run once.
    jobs
        Local worker processes when no executor is given (1 = serial, in this process).
    executor
        Any ``concurrent.futures.Executor`` (e.g. Dask ``client.get_executor()``).
    data_dir, cache_dir
        Where network/data files and the network cache are.
    worlds
        Prepared worlds by :func:`world_key` for the serial path (built and added if missing).
    store
        Checkpoint: finished tasks are read from it, new ones written to it as they finish.
    progress
        Called as ``progress(done, total)`` after each task (and once for those resumed).
    on_done
        Called with each task and its tables as it finishes (not for resumed ones).
    stream
        Stream each replication's event log to a file in ``stream.folder`` (created; on a
        remote cluster it must be a folder every worker sees). The tables then carry the file
        (``events_file``) instead of the events.

    Returns
    -------
    dict[str, ReplicationTables]
    """
    unique = list({t.key: t for t in tasks}.values())
    total = len(unique)
    out: dict[str, ReplicationTables] = {}
    if store is not None:
        for t in unique:
            rep = store.load(t.key)
            if rep is not None:
                out[t.key] = rep
    pending = [t for t in unique if t.key not in out]
    if progress:
        progress(len(out), total)

    def finish(t: Task, rep: ReplicationTables) -> None:
        if store is not None:
            store.save(t.key, rep)
        out[t.key] = rep
        if on_done:
            on_done(t, rep)
        if progress:
            progress(len(out), total)

    if not pending:
        return out
    if stream is not None:
        stream.folder.mkdir(parents=True, exist_ok=True)
    if executor is None and jobs <= 1:
        local = worlds if worlds is not None else {}
        for t in pending:
            k = world_key(t.scenario)
            if k not in local:
                local[k] = build_world(t.scenario, data_dir=data_dir, cache_dir=cache_dir)
            w = local[k]
            check_capabilities(t.scenario, w.facilities)
            finish(t, _task_tables(t, w, stream))
        return out
    with worker_pool(jobs, len(pending), executor) as ex:
        futures: dict[Future[ReplicationTables], Task] = {
            ex.submit(_run_task, t, data_dir, cache_dir, stream): t for t in pending
        }
        for fut in as_completed(futures):
            finish(futures[fut], fut.result())
    return out
