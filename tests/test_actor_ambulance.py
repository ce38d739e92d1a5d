"""The ambulance fleet alone, on a tiny hand-built world, with the job table asserted.

A straight road of five nodes (one station at the west end, one trauma centre at the east
end), real travel tables over it and patients written by hand; the hospitals are the real
actor. Every run is in debug mode (``check_transitions=True``): each status change is
checked against :data:`sim.model.ambulance.JOB_TRANSITIONS`, and each test asserts the
exact set of transitions its job takes and the times the log records for them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import simpy
from helpers import hand_built_state

from sim.config.facilities import Centre, Facilities, Hospital, Station
from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import INJURY_CLASS_CODE, RTC, EventKind, UnitStatus
from sim.core.events import EventLog
from sim.model.ambulance import JOB_TRANSITIONS, Fleet
from sim.model.hospital import Hospitals
from sim.model.spec import DestinationSpec, FleetSpec, HospitalSpec
from sim.model.state import PatientState
from sim.network.core import ROAD_CLASS_CODE, ROAD_CLASSES, RoadNetwork
from sim.network.snapping import Snapper
from sim.network.travel import TravelEngine, TravelSpec
from sim.policies.destination import DESTINATION_POLICIES
from sim.policies.dispatch import DISPATCH_POLICIES
from sim.runs.world import World

K, S = EventKind, UnitStatus
N_NODES, EDGE_MIN = 5, 2.0  # 2 km at 60 km/h per edge, free flow all day
STATION_NODE, HOSPITAL_NODE = 0, N_NODES - 1
TURNOUT, ON_SCENE, HANDOVER = 1.0, 10.0, 15.0


def _network() -> RoadNetwork:
    pairs = [(k, k + 1) for k in range(N_NODES - 1)]
    edges = sorted(pairs + [(v, u) for u, v in pairs])
    src = np.array([u for u, _ in edges])
    n_edges = len(edges)
    length_m = np.full(n_edges, 2000.0)
    speed_kph = np.full(n_edges, 60.0)
    return RoadNetwork(
        name="tiny_line",
        node_osmid=np.arange(N_NODES, dtype=np.int64) + 1,
        lon=np.array([120.0 + 0.02 * k for k in range(N_NODES)]),
        lat=np.full(N_NODES, 30.0),
        indptr=np.concatenate(([0], np.cumsum(np.bincount(src, minlength=N_NODES)))).astype(
            np.int64
        ),
        indices=np.array([v for _, v in edges], dtype=np.int64),
        length_m=length_m,
        speed_kph=speed_kph,
        travel_min=length_m / 1000 / speed_kph * 60,
        road_class=np.full(n_edges, ROAD_CLASS_CODE["primary"], dtype=np.uint8),
        synthetic=True,
        source="tests/test_actor_ambulance.py",
    )


def _world(units_at_station: int = 1, bays: int = 1) -> World:
    net = _network()
    flat = TravelSpec(congestion_profile=dict.fromkeys(ROAD_CLASSES, (1.0,) * 24))
    engine = TravelEngine(net, flat)
    tables = engine.build_tables([STATION_NODE, HOSPITAL_NODE], with_routes=True)
    tables.nearest_order([0])
    tables.to_facilities_rows([1])
    facilities = Facilities(
        centres=(Centre("C", "centre", 120.0, 30.0, 1),),
        stations=(Station("S", "station", 120.0, 30.0, units_at_station, 0, "24h"),),
        hospitals=(Hospital("TC", "centre", 120.08, 30.0, "trauma_centre", bays, 2),),
        police_posts=(),
    )
    return World(
        network=net,
        facilities=facilities,
        engine=engine,
        tables=tables,
        snapper=Snapper(net, 5.0, math.inf),
        places=None,  # type: ignore[arg-type]  # the fleet never draws demand
        station_fac=(0,),
        hospital_fac=(1,),
        police_fac=(),
        station_node=(STATION_NODE,),
        hospital_node=(HOSPITAL_NODE,),
        police_node=(),
        station_access_min=(0.0,),
        hospital_access_min=(0.0,),
        police_access_min=(),
        population=0.0,
    )


def _state(patients: list[dict[str, Any]]) -> PatientState:
    """One RTC incident per patient, at the patient's node; every time column by hand."""
    n = len(patients)
    pat: dict[str, list[Any]] = {
        "incident": list(range(n)),
        "triage_priority": [1] * n,
        "turnout_min": [TURNOUT] * n,
        "on_scene_min": [ON_SCENE] * n,
        "handover_min": [HANDOVER] * n,
        "transport_needed": [p.get("transport", True) for p in patients],
        "severe": [p.get("severe", False) for p in patients],
        "iss": [25 if p.get("severe", False) else 4 for p in patients],
        "injury_class": [INJURY_CLASS_CODE["AW" if p.get("severe") else "MN"] for p in patients],
        "u_undertriage": [0.99] * n,
        "u_overtriage": [0.99] * n,
        "u_prenotify": [0.99] * n,
        "surgery_min": [0.0] * n,
        "transfer_decision_min": [30.0] * n,
        "u_transfer_avoided": [1.0] * n,
        "preactivation_saving_min": [0.0] * n,
    }
    inc: dict[str, list[Any]] = {
        "node": [p["node"] for p in patients],
        "access_min": [0.0] * n,
        "mechanism": [RTC] * n,
        "escorted": [False] * n,
        "police_prenotify": [False] * n,
        "first_patient": list(range(n)),
        "n_patients": [1] * n,
    }
    return hand_built_state(inc, pat, definitive_min=[60.0] * n)


def _run(
    patients: list[dict[str, Any]], *, units: int = 1, bays: int = 1, lazy: bool = True
) -> tuple[dict[str, np.ndarray], Fleet]:
    """Request a unit for each patient at its ``t``; run to the end in debug mode."""
    env, log = simpy.Environment(), EventLog()
    world, state = _world(units, bays), _state(patients)
    mech = MechanismsSpec()
    hospitals = Hospitals(env, log, world, HospitalSpec(), mech, state, None)
    fleet = Fleet(
        env,
        log,
        world,
        state,
        units=[(0, "als", "24h")] * units,
        dispatch_policy=DISPATCH_POLICIES["nearest_available"],
        destination_policy=DESTINATION_POLICIES["tiered"],
        fleet_spec=FleetSpec(),
        destination_spec=DestinationSpec(),
        mechanisms=mech,
        hospitals=hospitals,
        experts=None,
        lazy_settle=lazy,
        check_transitions=True,
    )
    for p, pt in enumerate(patients):
        env.timeout(pt["t"]).callbacks.append(lambda _ev, p=p: fleet.request_unit(p))
    env.run(until=2_000)
    fleet._settle(env.now)  # lazy mode: apply the last arrival home
    return log.to_arrays(), fleet


def _t(ev: dict[str, np.ndarray], kind: EventKind, patient: int | None = None) -> list[float]:
    m = ev["kind"] == kind
    if patient is not None:
        m &= ev["patient"] == patient
    return [float(t) for t in ev["t"][m]]


def drive(world_from: int, node: int) -> float:
    """Priority-1 drive minutes from facility ``world_from`` to ``node`` (the fleet's view)."""
    tables = _world().tables
    return tables.from_facility_min(world_from, node, 0, 1)


@pytest.mark.parametrize("lazy", [True, False])
def test_one_transported_patient_takes_the_plain_job(lazy: bool) -> None:
    ev, fleet = _run([{"t": 0.0, "node": 2}], lazy=lazy)
    out = drive(0, 2)
    assert out == pytest.approx(2 * EDGE_MIN * _world().tables.emergency_factor[1])
    assert _t(ev, K.AMBULANCE_DISPATCHED) == [0.0]
    assert _t(ev, K.WHEELS_ROLLING) == [TURNOUT]
    assert _t(ev, K.AMBULANCE_ON_SCENE) == pytest.approx([TURNOUT + out])
    assert _t(ev, K.SCENE_DEPARTED) == pytest.approx([TURNOUT + out + ON_SCENE])
    assert fleet.transitions_seen == {
        (S.IDLE_AT_STATION, S.DISPATCHED),
        (S.DISPATCHED, S.EN_ROUTE_TO_SCENE),
        (S.EN_ROUTE_TO_SCENE, S.TRANSPORTING),
        (S.TRANSPORTING, S.RETURNING),
        (S.RETURNING, S.IDLE_AT_STATION),
    }
    assert fleet.units[0].status is S.IDLE_AT_STATION
    assert len(_t(ev, K.UNIT_AT_STATION)) == 1


def test_patient_not_transported_returns_from_the_scene() -> None:
    ev, fleet = _run([{"t": 0.0, "node": 1, "transport": False}])
    assert _t(ev, K.PATIENT_NOT_TRANSPORTED) == pytest.approx([TURNOUT + drive(0, 1) + ON_SCENE])
    assert _t(ev, K.HOSPITAL_ARRIVED) == []
    assert fleet.transitions_seen == {
        (S.IDLE_AT_STATION, S.DISPATCHED),
        (S.DISPATCHED, S.EN_ROUTE_TO_SCENE),
        (S.EN_ROUTE_TO_SCENE, S.RETURNING),
        (S.RETURNING, S.IDLE_AT_STATION),
    }


def test_severe_patient_at_a_full_bay_holds_the_crew_at_hospital() -> None:
    # Two units, one bay: the second severe patient's crew waits AT_HOSPITAL for the bay.
    pats = [{"t": 0.0, "node": 3, "severe": True}, {"t": 1.0, "node": 3, "severe": True}]
    ev, fleet = _run(pats, units=2)
    assert (S.TRANSPORTING, S.AT_HOSPITAL) in fleet.transitions_seen
    assert (S.AT_HOSPITAL, S.RETURNING) in fleet.transitions_seen
    assert fleet.transitions_seen <= set(JOB_TRANSITIONS)
    waits = ev["value"][ev["kind"] == K.HANDOVER_STARTED]
    assert waits[0] == 0.0
    assert waits[1] > 0.0


def test_second_call_redirects_the_returning_unit() -> None:
    # The only unit is driving home from the hospital when the second call comes.
    first_free = TURNOUT + drive(0, 2) + ON_SCENE
    pats = [{"t": 0.0, "node": 2, "transport": False}, {"t": first_free + 1.0, "node": 1}]
    ev, fleet = _run(pats)
    assert (S.RETURNING, S.DISPATCHED) in fleet.transitions_seen
    assert _t(ev, K.UNIT_REDIRECTED) == pytest.approx([first_free + 1.0])
    assert fleet.transitions_seen <= set(JOB_TRANSITIONS)
    assert fleet.units[0].status is S.IDLE_AT_STATION


def test_lazy_and_eager_give_the_same_log_on_the_hand_built_world() -> None:
    first_free = TURNOUT + drive(0, 2) + ON_SCENE
    pats = [
        {"t": 0.0, "node": 2, "transport": False},
        {"t": first_free + 1.0, "node": 1, "severe": True},
        {"t": first_free + 2.0, "node": 3, "severe": True},
    ]
    lazy, _ = _run(pats, units=2, lazy=True)
    eager, _ = _run(pats, units=2, lazy=False)
    assert lazy.keys() == eager.keys()
    for col in lazy:
        np.testing.assert_array_equal(lazy[col], eager[col], err_msg=col)
