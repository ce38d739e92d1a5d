"""The hospital actor alone, on a tiny hand-built world: two hospitals, fixed times.

No network or demand generator: the world is a stand-in holding only what
:class:`sim.model.hospital.Hospitals` reads (facilities, one fixed transfer drive), and the
patients are written by hand, so every expected time below is worked out on paper.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import simpy
from helpers import hand_built_state

from sim.config.facilities import Hospital
from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import INJURY_CLASS_CODE, RTC, EventKind
from sim.core.events import EventLog
from sim.model.hospital import Hospitals
from sim.model.spec import HospitalSpec
from sim.model.state import PatientState

K = EventKind
TRANSFER_DRIVE_MIN = 50.0


class _Tables:
    """Every drive between the two hospitals takes TRANSFER_DRIVE_MIN."""

    def from_facility_min(self, k: int, node: int, hour: int, priority: int = 3) -> float:
        return 0.0 if k == node else TRANSFER_DRIVE_MIN


def _world(bays: int = 1) -> Any:
    hospitals = [
        Hospital("CH", "county", 0.0, 0.0, "county", bays, 1),
        Hospital("TC", "centre", 0.0, 0.0, "trauma_centre", bays, 1),
    ]
    return SimpleNamespace(
        facilities=SimpleNamespace(hospitals=hospitals),
        tables=_Tables(),
        hospital_fac=(0, 1),
        hospital_node=(0, 1),
        hospital_access_min=(0.0, 0.0),
    )


def _state(patients: list[dict[str, Any]]) -> PatientState:
    """One RTC incident per patient; every time column given per patient."""
    n = len(patients)
    pat: dict[str, list[Any]] = {
        "incident": list(range(n)),
        "severe": [p["severe"] for p in patients],
        "handover_min": [p["handover_min"] for p in patients],
        "injury_class": [INJURY_CLASS_CODE[p["cls"]] for p in patients],
        "iss": [p.get("iss", 25) for p in patients],
        "surgery_min": [p.get("surgery_min", 0.0) for p in patients],
        "transfer_decision_min": [p.get("transfer_decision_min", 30.0) for p in patients],
        "u_transfer_avoided": [1.0] * n,
        "preactivation_saving_min": [0.0] * n,
    }
    return hand_built_state(
        {"mechanism": [RTC] * n}, pat, definitive_min=[p["definitive_min"] for p in patients]
    )


def _run(patients: list[dict[str, Any]], arrivals: list[tuple[float, int]], bays: int = 1):
    """Deliver patient i to hospital h at each (t, h); return the log and crew-free times."""
    env, log = simpy.Environment(), EventLog()
    state = _state(patients)
    hospitals = Hospitals(env, log, _world(bays), HospitalSpec(), MechanismsSpec(), state, None)
    freed: dict[int, float] = {}
    for p, (t, h) in enumerate(arrivals):

        def arrive(_ev: simpy.Event, p: int = p, h: int = h) -> None:
            hospitals.handover(p, h, p, 0.0, lambda: freed.__setitem__(p, env.now))

        env.timeout(t).callbacks.append(arrive)
    env.run(until=10_000)
    return log.to_arrays(), freed


def _times(ev: dict[str, np.ndarray], kind: EventKind) -> dict[int, float]:
    m = ev["kind"] == kind
    return {int(p): float(t) for p, t in zip(ev["patient"][m], ev["t"][m], strict=True)}


def test_second_severe_patient_waits_for_the_only_bay() -> None:
    # Both need a bay at the trauma centre (AW: capable everywhere, not surgical).
    pats = [{"severe": True, "handover_min": 10.0, "cls": "AW", "definitive_min": 40.0}] * 2
    ev, freed = _run(pats, [(0.0, 1), (5.0, 1)])
    started = _times(ev, K.HANDOVER_STARTED)
    # The first holds the bay until its definitive care starts at 40 (arrival + 40).
    assert started == {0: 0.0, 1: 40.0}
    waits = ev["value"][ev["kind"] == K.HANDOVER_STARTED]
    assert waits.tolist() == [0.0, 35.0]
    assert freed == {0: 10.0, 1: 50.0}  # the crew waits with its patient, then 10 min handover
    # Definitive care: the pre-drawn 40 min from arrival has passed for the second patient.
    assert _times(ev, K.DEFINITIVE_CARE_STARTED) == {0: 40.0, 1: 50.0}


def test_minor_patient_needs_no_bay() -> None:
    pats = [
        {"severe": True, "handover_min": 10.0, "cls": "AW", "definitive_min": 40.0},
        {"severe": False, "handover_min": 8.0, "cls": "MN", "definitive_min": 25.0},
    ]
    ev, freed = _run(pats, [(0.0, 1), (1.0, 1)])
    assert _times(ev, K.HANDOVER_STARTED) == {0: 0.0, 1: 1.0}
    assert freed[1] == 9.0
    assert _times(ev, K.DEFINITIVE_CARE_STARTED)[1] == 26.0


def test_county_hospital_transfers_to_the_capable_one() -> None:
    # TBS (severe brain injury) is not treated at a county hospital by default.
    pats = [
        {
            "severe": True,
            "handover_min": 10.0,
            "cls": "TBS",
            "definitive_min": 60.0,
            "surgery_min": 90.0,
        }
    ]
    ev, freed = _run(pats, [(0.0, 0)])
    assert _times(ev, K.TRANSFER_DECIDED) == {0: 10.0}  # after the handover
    assert _times(ev, K.TRANSFER_DEPARTED) == {0: 30.0}  # decision 30 min from arrival
    assert _times(ev, K.TRANSFER_ARRIVED) == {0: 30.0 + TRANSFER_DRIVE_MIN}
    place = ev["place"][ev["kind"] == K.TRANSFER_DEPARTED]
    assert place.tolist() == [1]
    # Definitive care at the trauma centre: its own 60 min from the transfer arrival.
    assert _times(ev, K.DEFINITIVE_CARE_STARTED) == {0: 30.0 + TRANSFER_DRIVE_MIN + 60.0}
    assert freed == {0: 10.0}
