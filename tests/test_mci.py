"""Mass-casualty incidents and hospital diversion (issue 13, item 6).

MCIs are made frequent and large on the synthetic county with a small fleet, so one short
replication has several, exhausts the local units (mutual aid) and fills the resuscitation
bays (diversion). Checks: every MCI patient's care ends exactly once; the first wave follows
the dispatch rule and the rest come after the size-up; lent units appear in the log and the
tables; diversion never sends a patient to a hospital that is closed at that moment.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import COUNTY_HOSPITALS, SCENARIOS_DIR, make_scenario, patient_table, run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config.scenario import Scenario, load_scenario
from sim.core.entities import EventKind, UnitStatus
from sim.core.errors import UserError
from sim.core.events import EventLog
from sim.core.rng import RandomStreams
from sim.demand.spec import MciSpec
from sim.metrics.compute import unit_status_table
from sim.model.system import build_system
from sim.policies.destination import nearest, tiered
from sim.policies.diversion import DIVERSION_POLICIES, may_close, open_destination
from sim.runs.replications import RunResult, draw_demand
from sim.runs.study import run_scenario_tables
from sim.runs.world import World, fleet_allocation

E = EventKind


def _mci(per_year: float = 365.0, aid_units: int = 4, **more: Any) -> dict[str, Any]:
    mci: dict[str, Any] = {
        "kinds": [
            {
                "name": "bus_crash",
                "per_year": per_year,
                "road_classes": ["motorway", "trunk", "primary", "secondary"],
                "patients": {"12": 0.5, "25": 0.5},
            }
        ],
        **more,
    }
    if aid_units:
        mci["mutual_aid"] = {"base_hospital": "TC", "units": aid_units}
    return mci


def _run(
    tmp: Path, *, bays: int = 3, policy: str = "bays_full", seed: int = 7, days: float = 4.0
) -> tuple[Scenario, World, RunResult, pd.DataFrame]:
    hospitals = [{**h, "resus_bays": bays} for h in COUNTY_HOSPITALS]
    extra = {
        "demand": {"mci": _mci()},
        "hospital": {"diversion_policy": policy},
        "facilities": {"hospitals": {"rows": hospitals}},
    }
    sc = make_scenario(
        tmp, name="mci", horizon_days=days, replications=1, ambulances=5, seed=seed, extra=extra
    )
    world, (res,) = run(sc)
    return sc, world, res, patient_table(sc, world, res)


@pytest.fixture(scope="module")
def county_mci() -> tuple[Scenario, World, RunResult, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as tmp:
        return _run(Path(tmp), bays=1)


def test_every_mci_patient_accounted_for_once(county_mci: Any) -> None:
    sc, _, res, df = county_mci
    ev = res.events
    horizon = sc.run.horizon_days * 1440.0
    ended = np.isin(ev["kind"], [E.PATIENT_HANDED_OVER, E.PATIENT_NOT_TRANSPORTED])
    ended &= ev["patient"] >= 0
    count = np.bincount(ev["patient"][ended], minlength=res.demand.n_patients)
    mci = df[df["mci"]]
    assert mci["incident_id"].nunique() >= 3, "the test needs several MCIs"
    # An MCI more than 12 h before the end is over: each patient handed over or not
    # transported (black ones dead on scene among them) exactly once.
    done = mci[mci["t_injury"] < horizon - 720.0]
    assert len(done) >= 30
    assert (count[done["patient_id"].to_numpy()] == 1).all()
    assert (count[mci["patient_id"].to_numpy()] <= 1).all()
    black = done[done["start_tag"] == "black"]
    assert (black["injury_class"] == "IMM").all()
    assert black["t_not_transported"].notna().all()
    # Colours follow START: red severe, green and yellow minor.
    assert done.loc[done["start_tag"] == "red", "severe"].all()
    assert not done.loc[done["start_tag"].isin(["yellow", "green"]), "severe"].any()


def test_multi_unit_dispatch_by_patient_count_and_mutual_aid(county_mci: Any) -> None:
    sc, world, res, df = county_mci
    ev = pd.DataFrame(res.events)
    rule: MciSpec = sc.demand.mci
    declared = ev[ev["kind"] == E.MCI_DECLARED]
    assert len(declared) >= 3
    dispatched = ev[ev["kind"] == E.AMBULANCE_DISPATCHED]
    on_scene = ev[ev["kind"] == E.AMBULANCE_ON_SCENE]
    full_waves = 0
    for _, d in declared.iterrows():
        i, n_pat = int(d["incident"]), int(d["value"])
        assert n_pat == int(res.demand.incidents["n_patients"][i])
        mine = dispatched[dispatched["incident"] == i]
        # Several units; until the first crew's size-up only the first wave (the rule by
        # patient count) is requested, so no more units than that are sent before it.
        assert mine["unit"].nunique() >= 2
        tx = int(df.loc[df["incident_id"] == i, "transport_needed"].sum())
        wave = max(1, min(rule.first_wave_units(n_pat), tx))
        size_up = on_scene.loc[on_scene["incident"] == i, "t"].min() + rule.size_up_min
        assert (mine["t"] < size_up).sum() <= wave
        if tx > wave:
            assert (mine["t"] >= size_up).sum() > 0, "the rest are requested at the size-up"
        full_waves += int((mine["t"] == d["t"]).sum() == wave)
    assert full_waves > 0, "with units free, the whole first wave leaves at the declaration"
    aid = ev[ev["kind"] == E.MUTUAL_AID_DISPATCHED]
    assert len(aid) > 0, "a county MCI with 5 local units must call for mutual aid"
    tc = [h.id for h in world.facilities.hospitals].index("TC")
    assert (aid["place"] == tc).all()
    assert (aid["unit"] >= 5).all()
    assert aid["unit"].nunique() <= 4
    lent = df[df["mutual_aid"]]
    assert (lent["station_id"] == "mutual_aid").all()
    assert lent["mci"].all()
    assert set(lent["patient_id"]) == set(aid["patient"].astype(int))
    # A lent unit is sent only when no local unit is free at that moment.
    n_local = len(fleet_allocation(world.facilities, sc.fleet.ambulances))
    units = unit_status_table(0, res.events, ["s"] * n_local).sort_values("t", kind="stable")
    assert units["unit"].max() < n_local, "lent units stay out of the local fleet's table"
    free = {UnitStatus.IDLE_AT_STATION.name, UnitStatus.RETURNING.name}
    for t in aid["t"]:
        last = units[units["t"] <= t].groupby("unit")["status"].last()
        assert len(last) == n_local, "every local unit has been out before aid is called"
        assert not last.isin(free).any(), f"aid called at {t} with a local unit free"


def _departures_to_closed(res: RunResult) -> tuple[list[tuple[float, int]], int, int]:
    """Transports that left for a hospital closed at that moment, diversions, reroutes.

    The log is in time order, and records of one instant in the order they happened, so
    walking it replays which hospitals were closed at each scene departure.
    """
    ev = res.events
    closed: set[int] = set()
    bad: list[tuple[float, int]] = []
    n_closures = n_rerouted = 0
    for t, k, place, value in zip(ev["t"], ev["kind"], ev["place"], ev["value"], strict=True):
        if k == E.DIVERSION_CHANGED:
            if value == 1.0:
                assert int(place) not in closed
                closed.add(int(place))
                n_closures += 1
            else:
                closed.remove(int(place))
        elif k == E.SCENE_DEPARTED and int(place) in closed:
            bad.append((float(t), int(place)))
        elif k == E.PATIENT_DIVERTED:
            assert int(place) in closed, "a patient rerouted away from an open hospital"
            n_rerouted += 1
        assert len(closed) < 2, "both county hospitals closed at once"
    return bad, n_closures, n_rerouted


def test_diversion_logged_and_patients_rerouted(county_mci: Any) -> None:
    _, _, res, df = county_mci
    bad, n_closures, n_rerouted = _departures_to_closed(res)
    assert bad == []
    assert n_closures > 0, "the test needs diversions (1 bay per hospital)"
    assert n_rerouted > 0
    assert df["diverted"].sum() == n_rerouted


@settings(deadline=None, max_examples=8, suppress_health_check=[HealthCheck.too_slow])
@given(
    bays=st.integers(1, 3),
    policy=st.sampled_from(["bays_full", "bays_queue"]),
    seed=st.integers(0, 10_000),
)
def test_diversion_never_sends_a_patient_to_a_closed_hospital(
    bays: int, policy: str, seed: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _, _, res, _ = _run(Path(tmp), bays=bays, policy=policy, seed=seed, days=2.0)
    bad, _, _ = _departures_to_closed(res)
    assert bad == []


@given(
    minutes=st.lists(st.floats(0.0, 200.0), min_size=1, max_size=6),
    data=st.data(),
    judged=st.booleans(),
)
def test_open_destination_is_open_and_capable(
    minutes: list[float], data: st.DataObject, judged: bool
) -> None:
    n = len(minutes)
    tiers = data.draw(
        st.lists(st.sampled_from(["trauma_centre", "city", "county"]), min_size=n, max_size=n)
    )
    closed = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    for policy in (tiered, nearest):
        h = open_destination(minutes, tiers, judged, ["trauma_centre"], closed, policy)
        if all(closed):
            assert h == policy(minutes, tiers, judged, ["trauma_centre"])
            continue
        assert not closed[h]
        open_ = [j for j in range(n) if not closed[j]]
        capable = [j for j in open_ if tiers[j] == "trauma_centre"]
        pool = capable if (policy is tiered and judged and capable) else open_
        assert minutes[h] == min(minutes[j] for j in pool)


def test_diversion_rules() -> None:
    assert not DIVERSION_POLICIES["none"](99, 1)
    assert DIVERSION_POLICIES["bays_full"](2, 2)
    assert not DIVERSION_POLICIES["bays_full"](1, 2)
    assert DIVERSION_POLICIES["bays_queue"](3, 2)
    assert not DIVERSION_POLICIES["bays_queue"](2, 2)
    assert not may_close([False, True, True], 0)
    assert may_close([False, True, False], 0)


def test_off_by_default_and_first_wave_rule() -> None:
    spec = MciSpec()
    assert [spec.first_wave_units(n) for n in (1, 2, 4, 5, 12, 40)] == [1, 2, 2, 3, 5, 12]
    assert math.isclose(sum(spec.start_shares.values()), 1.0)


def test_without_mci_section_no_mci_draws(tmp_path: Path) -> None:
    sc = make_scenario(tmp_path, name="plain", horizon_days=1.0, replications=1)
    assert sc.demand.mci is None
    assert sc.hospital.diversion_policy == "none"
    _, (res,) = run(sc)
    assert "mci_kind" not in res.demand.incidents
    assert not any(name.startswith("mci_") for name in res.streams)
    kinds = set(res.events["kind"].tolist())
    assert kinds.isdisjoint({43, 44, 45, 46})


def test_bad_mci_inputs(tmp_path: Path) -> None:
    bad_base = {"demand": {"mci": {"mutual_aid": {"base_hospital": "XX", "units": 2}}}}
    sc = make_scenario(tmp_path / "a", name="bad", horizon_days=1.0, extra=bad_base)
    with pytest.raises(UserError, match=r"demand\.mci\.mutual_aid\.base_hospital.*allowed: CH, TC"):
        run(sc)
    bad_roads = {"demand": {"mci": _mci(road_classes_typo=1)}}
    with pytest.raises(UserError, match="road_classes_typo"):
        make_scenario(tmp_path / "b", name="bad", extra=bad_roads)
    bad_shares = {"demand": {"mci": {"start_shares": {"red": 0.5, "green": 0.5}}}}
    with pytest.raises(UserError, match="start_shares"):
        make_scenario(tmp_path / "c", name="bad", extra=bad_shares)


def test_shipped_county_mci_scenario_logs_multi_unit_dispatch_and_mutual_aid() -> None:
    # The shipped scenario with MCIs made daily and a smaller fleet, over four days.
    daily = (
        "demand.mci.kinds=[{name='bus_crash', per_year=365.0, road_classes=['primary', "
        "'secondary', 'motorway'], patients={'15'=0.5, '25'=0.5}}]"
    )
    sc = load_scenario(
        SCENARIOS_DIR / "county_mci.toml",
        ["run.horizon_days=4", "run.warm_up_days=0", "fleet.ambulances=5", daily],
    )
    assert sc.hospital.diversion_policy == "bays_full"
    r = run_scenario_tables(sc, replications=1)
    ev = r.events
    kind = ev["kind"].astype(str)
    declared = ev[kind == "MCI_DECLARED"]
    assert len(declared) >= 2
    dispatched = ev[(kind == "AMBULANCE_DISPATCHED") & ev["incident"].isin(declared["incident"])]
    units_per_mci = dispatched.groupby("incident")["unit"].nunique()
    assert (units_per_mci >= 2).all()
    assert (kind == "MUTUAL_AID_DISPATCHED").sum() > 0
    mci = r.incidents[r.incidents["mci"]]
    assert (mci["station_id"] == "mutual_aid").any()
    assert mci.loc[mci["unit"] >= 0, "station_id"].ne("").all()


def test_mci_event_log_identical_in_eager_mode(county_mci: Any) -> None:
    """The lazy shortcuts of the fleet change nothing with MCIs, aid units and diversion."""
    sc, world, res, _ = county_mci
    logs = []
    for lazy in (True, False):
        streams = RandomStreams(sc.run.seed, 0)
        log = EventLog()
        system = build_system(
            sc, world, draw_demand(sc, world, streams), log, lazy_settle=lazy, streams=streams
        )
        system.run(sc.run.horizon_days * 1440.0)
        logs.append(log.to_arrays(until=sc.run.horizon_days * 1440.0))
    for col, values in logs[0].items():
        np.testing.assert_array_equal(logs[1][col], values, col)
        np.testing.assert_array_equal(res.events[col], values, col)


def test_mci_kind_without_its_roads_fails_whatever_the_draw(tmp_path: Path) -> None:
    # No living streets on the synthetic county: an error even when the rate draws no MCI.
    rare = {
        "name": "alley",
        "per_year": 1e-6,
        "road_classes": ["living_street"],
        "patients": {"3": 1.0},
    }
    sc = make_scenario(
        tmp_path, name="alley", horizon_days=1.0, extra={"demand": {"mci": {"kinds": [rare]}}}
    )
    with pytest.raises(UserError, match=r"demand\.mci\.kinds\[0\]\.road_classes.*'alley'"):
        run(sc)
