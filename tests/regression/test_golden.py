"""Golden regression: the fixed county run reproduces its stored KPI table exactly.

A failure means the model's numbers moved. If that is intended, refresh the table as
described in tests/regression/update_golden.py and commit the diff with the change.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from update_golden import (
    CONGESTED_DIGEST_FILE,
    GOLDEN_FILE,
    INTEGRATED_DIGEST_FILE,
    congested_digest,
    golden_kpis,
    integrated_digest,
    read_golden,
)

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
