"""Move-up (issue 13, item 5): ``none`` is today's model (the golden digests in
tests/regression check that), policies log relocations, and a relocating unit stays free:
no call waits while a unit is idle or on its way to a station."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import COUNTY_BASELINE

from sim.config.scenario import load_scenario
from sim.core.entities import UnitStatus
from sim.policies.move_up import compliance_table_move, dmexclp_move, nested_compliance_table
from sim.runs.study import run_scenario_tables

FREE = {UnitStatus.IDLE_AT_STATION.name, UnitStatus.RETURNING.name}


def _run(policy: str, *extra: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    sc = load_scenario(
        COUNTY_BASELINE, ["run.horizon_days=10", f"fleet.move_up='{policy}'", *extra]
    )
    r = run_scenario_tables(sc, replications=2)
    return r.incidents, r.events, r.units


def test_none_is_the_default_and_logs_nothing() -> None:
    sc = load_scenario(COUNTY_BASELINE)
    assert sc.fleet.move_up == "none"
    _, events, _ = _run("none")
    assert not (events["kind"].astype(str) == "UNIT_RELOCATED").any()


def _status_name(v: object) -> str:
    return v.name if isinstance(v, UnitStatus) else str(v) if not isinstance(
        v, (int, np.integer)) else UnitStatus(int(v)).name  # fmt: skip


@pytest.mark.parametrize("policy", ["compliance_table", "dmexclp"])
def test_relocations_logged_and_no_call_waits_for_a_free_unit(policy: str) -> None:
    # A busy fleet (fewer units, more calls) so calls do queue.
    busy = ("fleet.ambulances=4", "demand.non_trauma_incidents_per_day=30")
    inc, events, units = _run(policy, *busy)
    reloc = events[events["kind"].astype(str) == "UNIT_RELOCATED"]
    assert len(reloc) > 0
    assert (reloc["place"] >= 0).all()
    waited = inc[inc["t_dispatch"] > inc["t_dispatch_requested"] + 1e-9]
    assert len(waited) > 0, "the test needs calls that queued"
    status = units.assign(status=units["status"].map(_status_name)).sort_values(
        ["t"], kind="stable"
    )
    for (rep, t_req), _ in waited.groupby(["rep", "t_dispatch_requested"]):
        s = status[(status["rep"] == rep) & (status["t"] <= t_req)]
        last = s.groupby("unit")["status"].last()
        assert not last.isin(FREE).any(), f"rep {rep}: a call waited at {t_req} with a unit free"


def test_policies_pure() -> None:
    cover = np.array([[True, True, False], [False, True, False], [False, False, True]])
    weight = np.array([1.0, 1.0, 1.0])
    # Two units at station 0 and none covering area 2: move one there.
    assert dmexclp_move([2, 0, 0], [2, 0, 0], cover, weight, 0.2) == (0, 2)
    # Nothing movable: no move; already spread: no move.
    assert dmexclp_move([2, 0, 0], [0, 0, 0], cover, weight, 0.2) is None
    assert dmexclp_move([1, 0, 1], [1, 0, 1], cover, weight, 0.2) is None
    table = nested_compliance_table(cover, weight, 0.2, 3)
    assert [sum(r) for r in table] == [0, 1, 2, 3]
    drive = np.array([[0.0, 3.0, 9.0], [3.0, 0.0, 7.0], [9.0, 7.0, 0.0]])
    move = compliance_table_move([2, 0, 0], [2, 0, 0], table, drive)
    assert move is not None
    assert move[0] == 0
    assert table[2][move[1]] > 0
