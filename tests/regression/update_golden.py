"""Regenerate the golden KPI table that tests/regression/test_golden.py compares against.

The golden run is the shipped synthetic-county baseline (scenarios/county_baseline.toml)
for 7 days with a fixed seed and 2 replications; its KPI table (``metric, mean``, as in a
run's kpis.csv) is stored in tests/regression/golden/county_kpis.csv. The simulation is
deterministic, so the test allows only a 1e-9 relative difference.

Refresh path, when a model or scenario change is *meant* to move the numbers::

    .venv/bin/python tests/regression/update_golden.py
    git diff tests/regression/golden/   # review every changed KPI

and commit the changed CSV in the same change as the code that explains it, saying in the
commit message why the KPIs moved. Never refresh to silence a failure you cannot explain.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.config.scenario import load_scenario
from sim.runs.study import run_scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIO = REPO_ROOT / "scenarios" / "county_baseline.toml"
OVERRIDES = ["run.horizon_days=7", "run.seed=20260101"]
REPLICATIONS = 2
GOLDEN_FILE = Path(__file__).resolve().parent / "golden" / "county_kpis.csv"


def golden_kpis() -> pd.DataFrame:
    """The golden run's KPI table: columns ``metric, mean``."""
    scenario = load_scenario(SCENARIO, OVERRIDES)
    tables = run_scenario(scenario, replications=REPLICATIONS)
    return tables.kpis[["metric", "mean"]].reset_index(drop=True)


def read_golden(path: Path = GOLDEN_FILE) -> pd.DataFrame:
    """The stored golden KPI table."""
    return pd.read_csv(path)


def main() -> None:
    """Write the golden KPI table."""
    GOLDEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    kpis = golden_kpis()
    kpis.to_csv(GOLDEN_FILE, index=False)  # shortest round-trip repr of each float
    print(f"wrote {GOLDEN_FILE} ({len(kpis)} KPIs)")


if __name__ == "__main__":
    main()
