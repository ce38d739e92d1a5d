"""The shipped Hangzhou baseline meets the outcome calibration targets (issue 5).

Targets, tolerances and sources: sim.outcomes.calibration.DEFAULT_TARGETS; the table is
reproduced in docs/calibration.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.runs.study import calibration_report

REPO = Path(__file__).resolve().parents[1]


#: Targets the shipped baseline misses, with the reason (docs/validation.md "Known misses").
KNOWN_MISSES: dict[str, str] = {
    "rtc_death_share_before_rescuers": "hazard priors bind at their upper bound",
    "rtc_death_share_within_10min": "same cause: too few early prehospital deaths",
    "rtc_death_share_despite_treatment": "the complement of the two shares above",
    "rtc_deaths_per_100k_per_year": "2.5x GBD: case mix / demand rate too severe for the grid",
    "tbs_hospital_mortality": "at the edge (0.290 vs 0.30): TBS shares TBN's intercept",
}


@pytest.mark.slow
def test_shipped_hangzhou_baseline_meets_outcome_targets(
    shared_data_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hermetic: the network cache goes to this session's tmp folder, never the user's.
    monkeypatch.setenv("TRAUMA_SIM_CACHE", str(cache_dir))
    s = sim.load_scenario(REPO / "scenarios" / "hangzhou_baseline.toml")
    table = calibration_report(s, data_dir=shared_data_dir, cache_dir=cache_dir)
    assert (table["kind"] == "holdout").sum() >= 7
    # The auto-notification counterfactual is held out and met (Clark & Cushing, Virtanen).
    assert table.set_index("target").loc["acn_rtc_death_reduction", "ok"]
    assert set(KNOWN_MISSES) <= set(table["target"])
    failing = table.loc[~table["ok"] & ~table["target"].isin(list(KNOWN_MISSES))]
    assert failing.empty, failing[["target", "kind", "published", "low", "high", "simulated"]]
