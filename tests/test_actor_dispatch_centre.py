"""The 120 dispatch centre alone, on a tiny hand-built world: seats, misrouting, hand-offs.

The world holds only the centres' seat counts; the fleet and police are stand-ins that
record when a unit is requested, and the calls' pre-drawn times are written by hand, so
every expected time below is worked out on paper.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import simpy
from helpers import hand_built_state

from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import FALL, EventKind
from sim.core.events import EventLog
from sim.model.dispatch_centre import DispatchCentres
from sim.model.spec import CallSpec
from sim.model.state import PatientState

K = EventKind
RING, TAKING, DECISION = 1.0, 5.0, 2.0  # a seat is held RING + TAKING + DECISION = 8 min


class _Fleet:
    def __init__(self, env: simpy.Environment) -> None:
        self.env, self.requests = env, []

    def request_unit(self, p: int) -> None:
        self.requests.append((p, self.env.now))


def _state(calls: list[dict[str, Any]]) -> PatientState:
    """One patient per incident (falls: no police alert), every time column by hand."""
    n = len(calls)
    inc: dict[str, list[Any]] = {
        "t_injury": [c["t"] for c in calls],
        "injury_to_call_min": [c.get("to_call", 0.5) for c in calls],
        "acn_equipped": [False] * n,
        "acn_call_delay_min": [0.0] * n,
        "police_first": [c.get("police_first", False) for c in calls],
        "handoff_min": [c.get("handoff", 0.0) for c in calls],
        "mechanism": [FALL] * n,
        "centre": [0] * n,
        "routed_centre": [c.get("routed", 0) for c in calls],
        "ring_min": [RING] * n,
        "centre_transfer_min": [3.0] * n,
        "call_taking_min": [TAKING] * n,
        "location_problem": [False] * n,
        "location_problem_min": [0.0] * n,
        "dispatch_decision_min": [DECISION] * n,
        "first_patient": list(range(n)),
        "n_patients": [1] * n,
    }
    return hand_built_state(inc, {"triage_priority": [1] * n}, prenotify_saving_min=math.nan)


def _run(calls: list[dict[str, Any]], seats: tuple[int, ...] = (1,)):
    env, log = simpy.Environment(), EventLog()
    world = SimpleNamespace(
        facilities=SimpleNamespace(centres=[SimpleNamespace(seats=s) for s in seats])
    )
    fleet = _Fleet(env)
    centres = DispatchCentres(
        env, log, world, CallSpec(), MechanismsSpec(), _state(calls), fleet, SimpleNamespace()
    )
    centres.start()
    env.run(until=1_000)
    return log.to_arrays(), fleet.requests


def _times(ev: dict[str, np.ndarray], kind: EventKind) -> list[float]:
    return ev["t"][ev["kind"] == kind].tolist()


def test_calls_queue_for_the_one_seat_first_come_first_served() -> None:
    ev, requests = _run([{"t": 0.0}, {"t": 1.0}, {"t": 2.0}])
    assert _times(ev, K.CALL_PLACED) == [0.5, 1.5, 2.5]
    # Seat free at 0.5, then at 0.5 + 8 = 8.5, then 16.5; answered one ring later.
    assert _times(ev, K.CALL_ANSWERED) == [1.5, 9.5, 17.5]
    assert _times(ev, K.LOCATION_VERIFIED) == [6.5, 14.5, 22.5]
    assert requests == [(0, 8.5), (1, 16.5), (2, 24.5)]


def test_two_seats_answer_two_calls_at_once() -> None:
    ev, requests = _run([{"t": 0.0}, {"t": 1.0}, {"t": 2.0}], seats=(2,))
    assert _times(ev, K.CALL_ANSWERED) == [1.5, 2.5, 9.5]
    assert requests == [(0, 8.5), (1, 9.5), (2, 16.5)]


def test_misrouted_call_is_transferred_then_queues_at_its_own_centre() -> None:
    ev, requests = _run([{"t": 0.0, "routed": 1}], seats=(1, 1))
    # Placed 0.5; the wrong centre rings 1 and transfers in 3: at 4.5 its own centre takes it.
    assert _times(ev, K.CALL_TRANSFERRED) == [4.5]
    assert ev["place"][ev["kind"] == K.CALL_TRANSFERRED].tolist() == [1]
    assert _times(ev, K.CALL_ANSWERED) == [5.5]
    assert requests == [(0, 12.5)]


def test_police_first_call_is_handed_off_without_the_linkage() -> None:
    ev, requests = _run([{"t": 0.0, "police_first": True, "handoff": 4.0}])
    assert _times(ev, K.CALL_HANDED_OFF) == [4.5]
    assert ev["value"][ev["kind"] == K.CALL_HANDED_OFF].tolist() == [4.0]
    assert _times(ev, K.CALL_PLACED) == [4.5]
    assert requests == [(0, 12.5)]
