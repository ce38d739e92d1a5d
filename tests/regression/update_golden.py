"""Regenerate the golden KPI table that tests/regression/test_golden.py compares against.

The golden run is the shipped synthetic-county baseline (scenarios/county_baseline.toml)
for 7 days with a fixed seed and 2 replications; its KPI table (``metric, mean``, as in a
run's kpis.csv) is stored in tests/regression/golden/county_kpis.csv. The simulation is
deterministic, so the test allows only a 1e-9 relative difference.

The congested golden run (tests/congested.py: queued calls, full bays, waiting consultations,
transfers) is stored as the sha256 of its full event log (every column of every record) in
tests/regression/golden/congested_events.sha256: any change to any event, time or order moves it.
The integrated golden run (scenarios/county_integrated.toml, every mechanism on: live unit
positions, guided routes, police, consultations) is stored the same way in
tests/regression/golden/integrated_events.sha256; speed-ups must leave it unchanged.
The Hangzhou golden run (scenarios/hangzhou_integrated.toml on the real hangzhou_west roads,
2 days, the fleet cut to 14 units so calls queue and returning units are sent on) is stored
in tests/regression/golden/hangzhou_events.sha256: the speed-ups' claim of identical logs on
real roads, under load, as a test (docs/performance.md).

Refresh path, when a model or scenario change is *meant* to move the numbers::

    .venv/bin/python tests/regression/update_golden.py
    git diff tests/regression/golden/   # review every changed KPI

and commit the changed CSV in the same change as the code that explains it, saying in the
commit message why the KPIs moved. Never refresh to silence a failure you cannot explain.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

# The congested scenario lives with the test helpers (tests/), also when run as a script.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from congested import congested_scenario, events_digest

from sim.config.scenario import load_scenario
from sim.runs.replications import replication_record
from sim.runs.study import run_scenario_tables
from sim.runs.world import build_world

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIO = REPO_ROOT / "scenarios" / "county_baseline.toml"
OVERRIDES = ["run.horizon_days=7", "run.seed=20260101"]
REPLICATIONS = 2
GOLDEN_FILE = Path(__file__).resolve().parent / "golden" / "county_kpis.csv"
CONGESTED_DIGEST_FILE = Path(__file__).resolve().parent / "golden" / "congested_events.sha256"
INTEGRATED_SCENARIO = REPO_ROOT / "scenarios" / "county_integrated.toml"
INTEGRATED_OVERRIDES = ["run.horizon_days=14", "run.warm_up_days=0", "run.seed=20260101"]
INTEGRATED_DIGEST_FILE = Path(__file__).resolve().parent / "golden" / "integrated_events.sha256"
HANGZHOU_SCENARIO = REPO_ROOT / "scenarios" / "hangzhou_integrated.toml"
HANGZHOU_OVERRIDES = [
    "run.horizon_days=2",
    "run.warm_up_days=0",
    "run.seed=20260101",
    "fleet.ambulances=14",
]
HANGZHOU_DIGEST_FILE = Path(__file__).resolve().parent / "golden" / "hangzhou_events.sha256"


def golden_kpis() -> pd.DataFrame:
    """The golden run's KPI table: columns ``metric, mean``."""
    scenario = load_scenario(SCENARIO, OVERRIDES)
    tables = run_scenario_tables(scenario, replications=REPLICATIONS)
    return tables.kpis[["metric", "mean"]].reset_index(drop=True)


def congested_digest(folder: Path) -> str:
    """sha256 of the congested run's full event log (replication 0; scenario written in folder)."""
    scenario = congested_scenario(folder)
    return events_digest(replication_record(scenario, build_world(scenario), 0).events)


def integrated_digest() -> str:
    """sha256 of the integrated county run's full event log (replication 0, 14 days)."""
    scenario = load_scenario(INTEGRATED_SCENARIO, INTEGRATED_OVERRIDES)
    return events_digest(replication_record(scenario, build_world(scenario), 0).events)


def hangzhou_events() -> dict[str, np.ndarray]:
    """The Hangzhou golden run's event log (replication 0; needs the shared OSM extract)."""
    scenario = load_scenario(HANGZHOU_SCENARIO, HANGZHOU_OVERRIDES)
    return replication_record(scenario, build_world(scenario), 0).events


def read_golden(path: Path = GOLDEN_FILE) -> pd.DataFrame:
    """The stored golden KPI table."""
    return pd.read_csv(path)


def main() -> None:
    """Write the golden KPI table."""
    GOLDEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    kpis = golden_kpis()
    kpis.to_csv(GOLDEN_FILE, index=False)  # shortest round-trip repr of each float
    print(f"wrote {GOLDEN_FILE} ({len(kpis)} KPIs)")
    with tempfile.TemporaryDirectory() as folder:
        digest = congested_digest(Path(folder))
    CONGESTED_DIGEST_FILE.write_text(digest + "\n", encoding="utf-8")
    print(f"wrote {CONGESTED_DIGEST_FILE} ({digest})")
    digest = integrated_digest()
    INTEGRATED_DIGEST_FILE.write_text(digest + "\n", encoding="utf-8")
    print(f"wrote {INTEGRATED_DIGEST_FILE} ({digest})")
    digest = events_digest(hangzhou_events())
    HANGZHOU_DIGEST_FILE.write_text(digest + "\n", encoding="utf-8")
    print(f"wrote {HANGZHOU_DIGEST_FILE} ({digest})")


if __name__ == "__main__":
    main()
