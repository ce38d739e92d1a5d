"""Move-up (issue 13, item 5): ``none`` is today's model (the golden digests in
tests/regression check that), policies log relocations, and a relocating unit stays free:
no call waits while a unit is idle or on its way to a station."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import COUNTY_BASELINE

from sim.config.scenario import load_scenario
from sim.core.entities import EventKind, UnitStatus
from sim.metrics.coverage import idle_coverage_share
from sim.policies.move_up import compliance_table_move, dmexclp_move, nested_compliance_table
from sim.runs.compare import compare_scenarios
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


def test_idle_coverage_share_follows_the_log() -> None:
    # Two stations, three places: station 0 reaches places 0 and 1, station 1 place 2.
    covers = np.array([[True, True, False], [False, False, True]])
    w = np.array([1.0, 1.0, 2.0])
    k = EventKind
    ev = {  # unit 0 (home 0) dispatched at 10, back at station 1 at 30 (moved); unit 1
        # (home 1) relocated at 20, arrives at station 0 at 40; unit 0 down 50-60.
        "t": np.array([10.0, 20.0, 30.0, 40.0, 50.0]),
        "kind": np.array(
            [
                k.AMBULANCE_DISPATCHED,
                k.UNIT_RELOCATED,
                k.UNIT_AT_STATION,
                k.UNIT_AT_STATION,
                k.UNIT_OUT_OF_SERVICE,
            ]
        ),
        "unit": np.array([0, 1, 0, 1, 0]),
        "place": np.array([0, 0, 1, 0, -1]),
        "value": np.array([np.nan, np.nan, np.nan, np.nan, 10.0]),
    }
    # 0-10 all (1.0); 10-20 station 1 only (0.5); 20-30 none (0); 30-40 station 1 (0.5);
    # 40-50 both (1.0); 50-60 unit 0 down: station 0 only (0.5); 60-80 both (1.0).
    expected = (10 * 1.0 + 10 * 0.5 + 0 + 10 * 0.5 + 10 * 1.0 + 10 * 0.5 + 20 * 1.0) / 80
    got = idle_coverage_share(ev, [0, 1], covers, w, 0.0, 80.0)
    assert got == pytest.approx(expected)
    # The window cuts the average; a unit lent in an MCI (index 2) is ignored.
    assert idle_coverage_share(ev, [0, 1], covers, w, 20.0, 30.0) == 0.0
    ev_aid = {c: np.append(v, [0.0 if c != "unit" else 2]) for c, v in ev.items()}
    ev_aid["t"][-1], ev_aid["kind"][-1] = 0.0, k.AMBULANCE_DISPATCHED
    order = np.argsort(ev_aid["t"], kind="stable")
    ev_aid = {c: v[order] for c, v in ev_aid.items()}
    assert idle_coverage_share(ev_aid, [0, 1], covers, w, 0.0, 80.0) == pytest.approx(expected)


def test_comparison_reports_move_up_coverage_and_response(tmp_path: Path) -> None:
    variant = tmp_path / "county_dmexclp.toml"
    variant.write_text(
        f'extends = "{COUNTY_BASELINE.as_posix()}"\nname = "county_dmexclp"\n'
        'title = "move-up"\n[fleet]\nmove_up = "dmexclp"\n',
        encoding="utf-8",
    )
    busy = ["run.horizon_days=4", "fleet.ambulances=5", "demand.non_trauma_incidents_per_day=40"]
    base = load_scenario(COUNTY_BASELINE, busy)
    other = load_scenario(variant, busy)
    comp = compare_scenarios([base, other], replications=2, psa_draws=5, with_map=False)
    c = comp.comparison
    cov = c[c["metric"] == "idle_coverage_share"].set_index("scenario")
    assert set(cov.index) == {"county_baseline", "county_dmexclp"}
    assert ((cov["mean"] > 0) & (cov["mean"] <= 1)).all()
    assert cov.loc["county_baseline", "diff_vs_base"] == 0.0
    # The move-up changes where idle units wait, so coverage moves (either way).
    assert cov.loc["county_dmexclp", "diff_vs_base"] != 0.0
    assert {"response_min_mean", "response_within_target_rural_share"} <= set(c["metric"])
