"""Golden regression: the fixed county run reproduces its stored KPI table exactly.

A failure means the model's numbers moved. If that is intended, refresh the table as
described in tests/regression/update_golden.py and commit the diff with the change.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from congested import events_digest
from update_golden import (
    CONGESTED_DIGEST_FILE,
    GOLDEN_FILE,
    HANGZHOU_DIGEST_FILE,
    INTEGRATED_DIGEST_FILE,
    INTEGRATED_SCENARIO,
    congested_digest,
    golden_kpis,
    hangzhou_events,
    integrated_digest,
    read_golden,
)

from sim.config.scenario import load_scenario
from sim.core.entities import EventKind
from sim.runs.replications import replication_record
from sim.runs.world import build_world

REL_TOL = 1e-9


def test_golden_kpis() -> None:
    if not GOLDEN_FILE.exists():
        pytest.fail(f"{GOLDEN_FILE} missing: run tests/regression/update_golden.py")
    golden = read_golden()
    current = golden_kpis()
    assert list(current["metric"]) == list(golden["metric"]), "the set of KPIs changed"
    moved = []
    for metric, now, then in zip(current["metric"], current["mean"], golden["mean"], strict=True):
        same = (math.isnan(now) and math.isnan(then)) or math.isclose(
            now, then, rel_tol=REL_TOL, abs_tol=REL_TOL * 1e-3
        )
        if not same:
            moved.append(f"{metric}: golden {then!r}, now {now!r}")
    assert not moved, "KPIs moved (refresh with update_golden.py if intended):\n" + "\n".join(moved)


def test_congested_event_log_digest(tmp_path: Path) -> None:
    """The congested run's full event log, bit for bit (see tests/congested.py)."""
    if not CONGESTED_DIGEST_FILE.exists():
        pytest.fail(f"{CONGESTED_DIGEST_FILE} missing: run tests/regression/update_golden.py")
    golden = CONGESTED_DIGEST_FILE.read_text(encoding="utf-8").strip()
    assert congested_digest(tmp_path) == golden, (
        "the congested event log changed (refresh with update_golden.py only if intended)"
    )


def test_integrated_event_log_digest() -> None:
    """Every mechanism on (live positions, guided routes): the event log, bit for bit.

    Speed-ups of dispatch and routing (issue 16) must leave it unchanged.
    """
    if not INTEGRATED_DIGEST_FILE.exists():
        pytest.fail(f"{INTEGRATED_DIGEST_FILE} missing: run tests/regression/update_golden.py")
    golden = INTEGRATED_DIGEST_FILE.read_text(encoding="utf-8").strip()
    assert integrated_digest() == golden, (
        "the integrated event log changed (refresh with update_golden.py only if intended)"
    )


def test_event_log_digest_hashes_the_log_not_the_scenario_wording() -> None:
    """A new title or description changes the content hash (run ids, checkpoint keys) only.

    The shipped county scenarios inherit county_baseline's description, so rewording it moves
    every county content hash; the golden digests must not follow.
    """
    scenario = load_scenario(INTEGRATED_SCENARIO, ["run.horizon_days=2", "run.warm_up_days=0"])
    data = scenario.model_dump(mode="json")
    reworded = scenario.with_data(
        {**data, "title": "another title", "description": "another description"}
    )
    assert reworded.content_hash() != scenario.content_hash()
    world = build_world(scenario)
    digests = {events_digest(replication_record(s, world, 0).events) for s in (scenario, reworded)}
    assert len(digests) == 1


def test_hangzhou_event_log_digest() -> None:
    """Real roads under load (calls queue, returning units sent on): the log, bit for bit.

    docs/performance.md says the speed-ups keep Hangzhou's log identical; this pins it.
    """
    if not HANGZHOU_DIGEST_FILE.exists():
        pytest.fail(f"{HANGZHOU_DIGEST_FILE} missing: run tests/regression/update_golden.py")
    events = hangzhou_events()
    kinds = events["kind"]
    assert (kinds == EventKind.UNIT_REDIRECTED).sum() > 100, "returning units are not sent on"
    requested: dict[int, float] = {}
    waits = []
    for kind, incident, t in zip(kinds, events["incident"], events["t"], strict=True):
        if kind == EventKind.DISPATCH_REQUESTED:
            requested.setdefault(int(incident), float(t))
        elif kind == EventKind.AMBULANCE_DISPATCHED and int(incident) in requested:
            waits.append(float(t) - requested.pop(int(incident)))
    queued = sum(wait > 1.0 for wait in waits)
    assert queued > 50, "calls do not queue: the run no longer tests the queue"
    golden = HANGZHOU_DIGEST_FILE.read_text(encoding="utf-8").strip()
    assert events_digest(events) == golden, (
        "the Hangzhou event log changed (refresh with update_golden.py only if intended)"
    )
