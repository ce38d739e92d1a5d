"""Threads sharing one world give the logs a serial run gives (docs/performance.md).

A Dask worker with several threads, or any thread pool, runs replications on one world:
the A* cost matrices are per thread and the travel engine's row cache is locked. The
congested scenario with live unit positions sends returning units to calls (guided
searches, cache fills) while other threads do the same; each replication's event log
must equal the one run alone on a fresh world.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from congested import congested_scenario, events_digest

from sim.core.entities import EventKind
from sim.runs.replications import replication_record
from sim.runs.world import build_world

REPLICATIONS = 4


def test_threads_on_one_world_give_the_serial_logs(tmp_path: Path) -> None:
    scenario = congested_scenario(tmp_path).with_overrides(
        ["mechanisms.internet_plus_120.enabled=true", "run.horizon_days=2"]
    )
    alone = build_world(scenario)
    serial = [replication_record(scenario, alone, r).events for r in range(REPLICATIONS)]
    redirected = sum(int((ev["kind"] == EventKind.UNIT_REDIRECTED).sum()) for ev in serial)
    assert redirected > 0, "no returning unit was sent on: the guided searches are not exercised"

    shared = build_world(scenario)  # fresh tables: the threads fill its caches concurrently
    with ThreadPoolExecutor(max_workers=REPLICATIONS) as pool:
        threaded = list(
            pool.map(lambda r: replication_record(scenario, shared, r).events, range(REPLICATIONS))
        )
    assert [events_digest(e) for e in threaded] == [events_digest(e) for e in serial]
