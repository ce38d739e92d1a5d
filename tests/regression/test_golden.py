"""Golden regression: the fixed county run reproduces its stored KPI table exactly.

A failure means the model's numbers moved. If that is intended, refresh the table as
described in tests/regression/update_golden.py and commit the diff with the change.
"""

from __future__ import annotations

import math

import pytest
from update_golden import GOLDEN_FILE, golden_kpis, read_golden

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
