"""Replications and experiments: pure functions of their inputs, ordered, parallel-safe.

:func:`replication_record` draws the demand from the replication's named streams, wires the
system, runs it and returns the raw record (demand arrays + event log). It does no I/O.
:func:`replication_records` maps it over replications on any ``concurrent.futures.Executor``
(a local process pool by default, a Dask cluster's ``client.get_executor()`` works too) and
sorts by replication, so serial and parallel runs give identical tables.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.config.scenario import Scenario
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.demand.generate import (
    DEFAULT_WINDOW_DAYS,
    Demand,
    demand_windows,
    generate_demand,
    join_demand,
)
from sim.demand.trace import trace_demand
from sim.io.event_stream import EventStream, StreamedEventLog, open_event_log
from sim.model.system import build_system
from sim.runs.world import World, build_world, cached_world


@dataclass(frozen=True)
class RunResult:
    """What one replication produced: its demand and its event log (as arrays)."""

    replication: int
    demand: Demand
    events: dict[str, np.ndarray]
    streams: tuple[str, ...]
    wall_s: float
    #: The streamed event log (the same records as ``events``), if it was streamed.
    events_file: Path | None = None


def draw_demand(scenario: Scenario, world: World, streams: RandomStreams) -> Demand:
    """The replication's incidents and patients (identical across policy/fleet variants)."""
    # A replayed log fixes times and places; both draw everything else the same way.
    args = (
        scenario.demand,
        scenario.calls,
        scenario.fleet,
        scenario.destination,
        scenario.hospital,
        scenario.mechanisms,
        world.places,
        world.snapper,
        scenario.run.horizon_days * MINUTES_PER_DAY,
        scenario.run.start_weekday,
        streams,
    )
    if world.trace is not None:
        return trace_demand(world.trace, *args)
    return generate_demand(*args)


def demand_source(
    scenario: Scenario,
    world: World,
    streams: RandomStreams,
    *,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> Iterator[Demand]:
    """The replication's demand window by window (the same incidents as :func:`draw_demand`).

    A replayed call log is already in memory whole: it is one window.
    """
    if world.trace is not None:
        yield draw_demand(scenario, world, streams)
        return
    yield from demand_windows(
        scenario.demand,
        scenario.calls,
        scenario.fleet,
        scenario.destination,
        scenario.hospital,
        scenario.mechanisms,
        world.places,
        world.snapper,
        scenario.run.horizon_days * MINUTES_PER_DAY,
        scenario.run.start_weekday,
        streams,
        window_days=window_days,
    )


def replication_record(
    scenario: Scenario,
    world: World,
    replication: int,
    *,
    lazy_settle: bool = True,
    check_transitions: bool = False,
    demand_window_days: int = DEFAULT_WINDOW_DAYS,
    stream: EventStream | None = None,
    stream_tag: str = "run",
) -> RunResult:
    """Simulate one replication and return its raw record (demand arrays and event log).

    Parameters
    ----------
    scenario
        Validated scenario.
    world
        Prepared world (see :func:`sim.runs.world.build_world`).
    replication
        Replication index; with ``scenario.run.seed`` it selects every random stream.
    lazy_settle
        False runs the eager reference mode (see :func:`sim.model.system.build_system`).
    check_transitions
        Debug mode asserting the ambulance job's state transitions (same results).
    demand_window_days
        Calendar days of demand drawn at a time (memory only: any value, same results).
    stream, stream_tag
        Stream the event log to ``stream.file_for(stream_tag, replication)`` as the run
        proceeds (bounded memory, :mod:`sim.io.event_stream`); same results.

    Returns
    -------
    RunResult
    """
    t0 = time.perf_counter()
    with _without_cyclic_gc(), open_event_log(stream, stream_tag, replication) as log:
        streams = RandomStreams(scenario.run.seed, replication)
        windows: list[Demand] = []
        source = demand_source(scenario, world, streams, window_days=demand_window_days)
        system = build_system(
            scenario,
            world,
            _recorded(source, windows),
            log,
            lazy_settle=lazy_settle,
            check_transitions=check_transitions,
            streams=streams,
        )
        if isinstance(log, StreamedEventLog):
            log.watch(system.env, system.low_water_min)
        horizon_min = scenario.run.horizon_days * MINUTES_PER_DAY
        system.run(horizon_min)
        events = log.to_arrays(until=horizon_min)
        demand = join_demand(windows)  # the output covers the whole horizon
    file = log.path if isinstance(log, StreamedEventLog) else None
    wall_s = time.perf_counter() - t0
    return RunResult(replication, demand, events, tuple(streams.names), wall_s, file)


def _recorded(windows: Iterator[Demand], into: list[Demand]) -> Iterator[Demand]:
    """``windows``, each also appended to ``into`` as the model loads it."""
    for w in windows:
        into.append(w)
        yield w


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration (reference counting goes on).

    A run allocates millions of small objects that all live until it ends (state lists, the
    log): collector passes over them free nothing and cost ~5 % of a run, more when earlier
    results are still alive. Left as found (it may already be paused by a caller).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run_record(
    scenario: Scenario, replication: int, data_dir: Path | None, cache_dir: Path | None
) -> RunResult:
    """For pool and remote workers: the worker's cached world, then the replication."""
    world = cached_world(scenario, data_dir=data_dir, cache_dir=cache_dir)
    return replication_record(scenario, world, replication)


#: How often a pool worker checks that the process that started it is still alive, seconds.
PARENT_CHECK_S = 0.5


def die_with_parent(parent_pid: int) -> None:
    """End this worker process as soon as ``parent_pid`` is gone (even after ``kill -9``).

    A pool that outlives its parent is a leak (each worker holds a whole world, hundreds of
    MB). On Linux the kernel sends SIGKILL on the parent's death (``PR_SET_PDEATHSIG``);
    everywhere, a daemon thread also notices the re-parenting and exits the process.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread remains
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


#: ``prctl`` option: signal delivered to this process when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


@contextmanager
def worker_pool(jobs: int, n_tasks: int, executor: Executor | None) -> Iterator[Executor]:
    """The executor a batch runs on: ``executor`` itself, else a local process pool.

    The one pool machinery of :func:`replication_records` and
    :func:`sim.runs.tasks.run_tasks`. The local pool has ``jobs`` workers (no more than
    tasks or CPUs), each of which dies with this process (:func:`die_with_parent`), and
    is shut down on leaving, with the futures not yet started cancelled (an error or
    Ctrl-C then leaves no workers running). A given executor is left open: it is the
    caller's (e.g. a Dask client's).

    Parameters
    ----------
    jobs
        Local worker processes wanted.
    n_tasks
        Tasks in the batch (caps the local pool's size).
    executor
        Any ``concurrent.futures.Executor``, or None for the local pool.

    Yields
    ------
    Executor
    """
    if executor is not None:
        yield executor
        return
    pool = ProcessPoolExecutor(
        max_workers=max(1, min(jobs, n_tasks, os.cpu_count() or 1)),
        initializer=die_with_parent,  # a pool that outlives a killed parent is a leak
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


def replication_records(
    scenario: Scenario,
    *,
    replications: int | None = None,
    jobs: int = 1,
    world: World | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[RunResult]:
    """Raw records of replications ``0..n-1``, serial or parallel, sorted by replication.

    Parameters
    ----------
    scenario
        Validated scenario.
    replications
        Number of replications (default ``scenario.run.replications``).
    jobs
        Worker processes for the default local pool (1 = serial, in this process).
    world
        A prepared world to reuse in serial runs (built if None).
    data_dir, cache_dir
        Where network/data files and the network cache are.
    executor
        Any ``concurrent.futures.Executor`` (e.g. Dask ``client.get_executor()``); its
        workers build the world themselves, once per process.
    progress
        Called as ``progress(done, total)`` after each replication.

    Returns
    -------
    list[RunResult]
    """
    n = replications or scenario.run.replications
    results: list[RunResult] = []
    if executor is None and jobs <= 1:
        w = world or build_world(scenario, data_dir=data_dir, cache_dir=cache_dir)
        for r in range(n):
            results.append(replication_record(scenario, w, r))
            if progress:
                progress(len(results), n)
        return results
    with worker_pool(jobs, n, executor) as ex:
        futures = [ex.submit(_run_record, scenario, r, data_dir, cache_dir) for r in range(n)]
        for fut in as_completed(futures):
            results.append(fut.result())
            if progress:
                progress(len(results), n)
    return sorted(results, key=lambda r: r.replication)


# The names before the split of sim/runs/study.py (they did not say that they return raw
# records, while ``sim.run_replication`` returns tables); kept so older callers still work.
run_replication = replication_record
run_experiment = replication_records
