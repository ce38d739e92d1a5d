"""The shipped Hangzhou baseline meets the outcome calibration targets (issue 5).

Targets, tolerances and sources: sim.outcomes.calibration.DEFAULT_TARGETS; the table is
reproduced in docs/calibration.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.outcomes import calibration_table

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_shipped_hangzhou_baseline_meets_outcome_targets(
    shared_data_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hermetic: the network cache is the session's temporary one, never the user's.
    monkeypatch.setenv("TRAUMA_SIM_CACHE", str(cache_dir))
    s = sim.load_scenario(REPO / "scenarios" / "hangzhou_baseline.toml", ["run.horizon_days=60"])
    run = sim.run_experiment(s, replications=4, data_dir=shared_data_dir)
    inc = run.incidents[run.incidents["t_injury"] >= s.run.warm_up_days * 1440]
    table = calibration_table(inc, s.outcomes)
    failing = table.loc[~table["ok"], ["metric", "target", "simulated", "tolerance"]]
    assert failing.empty, failing.to_string()
