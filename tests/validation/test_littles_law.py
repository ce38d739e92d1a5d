"""Little's law for the ambulance fleet: time-averaged busy units = dispatch rate x busy time.

A unit is busy from AMBULANCE_DISPATCHED until the patient is handed over (or not
transported). ``L`` comes from the unit-status table
(:func:`sim.metrics.compute.busy_unit_minutes`);
``lambda`` and ``W`` from the incidents table (one dispatch per patient). The two tables are
built independently from the event log, so agreement checks both the model's status
bookkeeping and the tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import make_scenario, patient_table, run, t_half_width

from sim.metrics.compute import busy_unit_minutes, unit_status_table
from sim.runs.world import fleet_allocation

HORIZON_DAYS = 20.0
REPS = 8
LEVEL = 0.95


@pytest.fixture(scope="module")
def per_rep(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, float]]:
    """Per replication: L, lambda, W (completed jobs) and the busy minutes both ways."""
    folder: Path = tmp_path_factory.mktemp("little")
    # Three units for ~20 incidents a day: busy often enough that calls queue for a unit and
    # returning units are redirected, the cases where status bookkeeping could go wrong.
    scenario = make_scenario(
        folder,
        name="little",
        horizon_days=HORIZON_DAYS,
        replications=REPS,
        seed=2718,
        ambulances=3,
        rtc=3.0,
        fall=2.0,
        other=1.0,
        non_trauma=14.0,
    )
    world, results = run(scenario)
    fac = world.facilities
    station_ids = [fac.stations[s].id for s, _, _ in fleet_allocation(fac, 3)]
    horizon = HORIZON_DAYS * 1440.0
    out = []
    for res in results:
        units = unit_status_table(res.replication, res.events, station_ids)
        busy = busy_unit_minutes(units, 0.0, horizon)
        df = patient_table(scenario, world, res)
        d = df[df["t_dispatch"].notna()]
        end = d["t_handed_over"].fillna(d["t_not_transported"])
        done = end.notna()
        out.append(
            {
                "L": busy / horizon,
                "lam": len(d) / horizon,
                "W": float((end[done] - d["t_dispatch"][done]).mean()),
                "busy": busy,
                "busy_from_incidents": float((end.fillna(horizon) - d["t_dispatch"]).sum()),
                "queued": float((d["dispatch_queue_min"] > 1e-9).mean()),
                "redirected": float(d["redirected"].mean()),
            }
        )
    return out


def test_system_is_loaded(per_rep: list[dict[str, float]]) -> None:
    # Otherwise the test would not exercise queued dispatches and redirections.
    assert np.mean([r["L"] for r in per_rep]) > 0.5
    assert np.mean([r["queued"] for r in per_rep]) > 0.02
    assert np.mean([r["redirected"] for r in per_rep]) > 0.02


def test_littles_law(per_rep: list[dict[str, float]]) -> None:
    mean_l, half = t_half_width([r["L"] for r in per_rep], LEVEL)
    lam_w = np.mean([r["lam"] * r["W"] for r in per_rep])
    assert abs(mean_l - lam_w) <= half, f"L = {mean_l:.4f} ± {half:.4f} vs lambda W = {lam_w:.4f}"


def test_busy_minutes_match_incident_intervals(per_rep: list[dict[str, float]]) -> None:
    # With jobs still running at the horizon cut there, the identity is exact.
    for r in per_rep:
        assert r["busy"] == pytest.approx(r["busy_from_incidents"], rel=1e-9)
