"""Reproducibility: same seed, same tables; serial = parallel; common random numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import make_scenario, scenario_data, write_scenario

from sim.config.scenario import Scenario, load_scenario
from sim.core.rng import RandomStreams
from sim.runs.replications import replication_records
from sim.runs.study import assemble, run_scenario_tables
from sim.runs.world import build_world

#: Columns describing *who* was injured *where and when*: fixed by the demand streams.
INCIDENT_STREAM_COLUMNS = [
    "patient_id",
    "incident_id",
    "kind",
    "mechanism",
    "injury_class",
    "iss",
    "rts",
    "age_years",
    "sex",
    "severe",
    "priority",
    "transport_needed",
    "zone",
    "lon",
    "lat",
    "node",
    "t_injury",
    "t_call",
]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    folder: Path = tmp_path_factory.mktemp("repro")
    return make_scenario(
        folder,
        name="repro",
        horizon_days=4.0,
        replications=3,
        seed=99,
        ambulances=4,
        rtc=3.0,
        non_trauma=10.0,
    )


def test_same_seed_identical_tables(scenario: Scenario) -> None:
    a = run_scenario_tables(scenario, replications=2)
    b = run_scenario_tables(scenario, replications=2)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)


def test_other_seed_other_incidents(scenario: Scenario) -> None:
    a = run_scenario_tables(scenario, replications=1).incidents
    b = run_scenario_tables(scenario.with_overrides(["run.seed=100"]), replications=1).incidents
    assert len(a) != len(b) or not np.array_equal(a["t_injury"], b["t_injury"])


def test_replications_differ(scenario: Scenario) -> None:
    inc = run_scenario_tables(scenario, replications=2).incidents
    t0 = inc.loc[inc["rep"] == 0, "t_injury"].to_numpy()
    t1 = inc.loc[inc["rep"] == 1, "t_injury"].to_numpy()
    assert len(t0) != len(t1) or not np.array_equal(t0, t1)


def test_serial_equals_parallel(scenario: Scenario) -> None:
    world = build_world(scenario)
    serial = replication_records(scenario, replications=3, jobs=1, world=world)
    parallel = replication_records(scenario, replications=3, jobs=2)
    assert [r.replication for r in parallel] == [0, 1, 2]
    a = assemble(scenario, world, serial)
    b = assemble(scenario, world, parallel)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(a.kpis_by_rep, b.kpis_by_rep)


def test_fleet_size_does_not_change_incidents(scenario: Scenario) -> None:
    """Common random numbers: fleet variants see the same incidents and service draws."""
    small = scenario.with_overrides(["fleet.ambulances=2"])
    large = scenario.with_overrides(["fleet.ambulances=9"])
    world_s, world_l = build_world(small), build_world(large)
    res_s = replication_records(small, replications=2, world=world_s)
    res_l = replication_records(large, replications=2, world=world_l)
    for rs, rl in zip(res_s, res_l, strict=True):
        for table in ("incidents", "patients"):
            ds, dl = getattr(rs.demand, table), getattr(rl.demand, table)
            assert ds.keys() == dl.keys()
            for col in ds:
                np.testing.assert_array_equal(ds[col], dl[col], err_msg=f"{table}.{col}")
    inc_s = assemble(small, world_s, res_s).incidents
    inc_l = assemble(large, world_l, res_l).incidents
    pd.testing.assert_frame_equal(inc_s[INCIDENT_STREAM_COLUMNS], inc_l[INCIDENT_STREAM_COLUMNS])
    # ...while the outcome of the run does differ (the variants are not identical runs).
    assert inc_s["response_min"].mean() > inc_l["response_min"].mean()


def test_mechanisms_do_not_change_incidents(tmp_path: Path) -> None:
    base = scenario_data(name="crn_base", horizon_days=3.0, seed=5)
    on = {
        "mechanisms": {
            k: {"enabled": True} for k in ("internet_plus_120", "police_linkage", "prenotification")
        }
    }
    a = load_scenario(write_scenario(tmp_path, base))
    b = load_scenario(write_scenario(tmp_path, {**base, **on, "name": "crn_on"}))
    ra = replication_records(a, replications=1)[0].demand
    rb = replication_records(b, replications=1)[0].demand
    for col in ra.incidents:
        np.testing.assert_array_equal(ra.incidents[col], rb.incidents[col], err_msg=col)
    for col in ra.patients:
        np.testing.assert_array_equal(ra.patients[col], rb.patients[col], err_msg=col)


def test_new_stream_does_not_change_existing_draws() -> None:
    first = RandomStreams(7, 3)
    a_alone = first["a"].random(5)
    second = RandomStreams(7, 3)
    _ = second["b"].random(11)
    _ = second["new_concern"].normal(size=3)
    a_after = second["a"].random(5)
    np.testing.assert_array_equal(a_alone, a_after)
    assert second.names == ["a", "b", "new_concern"]


def test_streams_depend_on_seed_replication_and_name() -> None:
    x = RandomStreams(7, 0)["a"].random(4)
    assert not np.array_equal(x, RandomStreams(7, 1)["a"].random(4))
    assert not np.array_equal(x, RandomStreams(8, 0)["a"].random(4))
    assert not np.array_equal(x, RandomStreams(7, 0)["b"].random(4))
    np.testing.assert_array_equal(x, RandomStreams(7, 0)["a"].random(4))
