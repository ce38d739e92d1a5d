"""The 120 call chain (接报转派): call placed, seat queue, call-taking, triage, dispatch request.

Each centre's call-takers are a pool of seats (:class:`Seats`): a call waits for a free
seat, first come first served (the queue the 2023 Chinese expert consensus sizes by queueing
theory). The Internet + 120 front end and the police hand-off act here on the pre-drawn
times. The call is a chain of timed steps (SimPy timeouts with callbacks, see
sim/model/clock.py): placed, [transferred,] answered, dispatch requested. Calls that
dispatch nothing (Demand.calls: advice, duplicates, hang-ups, transfers) queue for the same
seats and hold one for their handling time, so they delay the answers of dispatch calls.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import NON_TRAUMA, RTC, EventKind, member_lookup
from sim.core.events import EventLog
from sim.model.clock import after
from sim.model.spec import CallSpec
from sim.model.state import PatientState
from sim.runs.world import World

if TYPE_CHECKING:
    from sim.model.ambulance import Fleet
    from sim.model.mci import MassCasualty
    from sim.model.police import Police

E = member_lookup(EventKind)  # fast member reads in the hot loop


class Seats:
    """One centre's call-taker seats; calls wait for a free seat first come, first served.

    The same queue as a ``simpy.Resource`` of ``capacity`` seats, as callbacks: a call that
    finds a free seat goes on at once, and a freed seat passes to the longest-waiting call at
    the same instant through a zero-delay event (where a Resource would grant the queued
    request) — no request and release events when a seat is free, the usual case.
    """

    __slots__ = ("env", "free", "waiting")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.free = capacity
        self.waiting: deque[Callable[[], None]] = deque()

    def take(self, then: Callable[[], None]) -> None:
        """Call ``then()`` with a seat taken: now if one is free, else when one frees up."""
        if self.free:
            self.free -= 1
            then()
        else:
            self.waiting.append(then)

    def give_back(self) -> None:
        """Free a seat: the longest-waiting call takes it now (after the current step)."""
        if self.waiting:
            after(self.env, 0.0, self.waiting.popleft())
        else:
            self.free += 1


class DispatchCentres:
    """120 centres with their call-taker seats, and the call process."""

    def __init__(
        self,
        env: simpy.Environment,
        log: EventLog,
        world: World,
        spec: CallSpec,
        mechanisms: MechanismsSpec,
        state: PatientState,
        fleet: Fleet,
        police: Police,
        *,
        mci: MassCasualty | None = None,
        calls_expected: bool = False,
    ) -> None:
        self.env, self.log, self.state = env, log, state
        self.spec, self.fleet, self.police = spec, fleet, police
        self.ip = mechanisms.internet_plus_120
        self.linkage = mechanisms.police_linkage
        self.seats = [Seats(env, c.seats) for c in world.facilities.centres]
        self.nd = state.calls
        self.mci = mci  # mass-casualty incidents (sim/model/mci.py), None without [demand.mci]
        # Whether the scenario has calls that dispatch nothing (then their process may load
        # the next demand window too; their times follow no incident's).
        self.nd_expected = calls_expected

    def start(self) -> None:
        """Start the incidents due now and schedule the next (each arrival schedules the next)."""
        self._arrivals_from(0)
        self._nd_from(0)

    def _nd_from(self, j: int) -> None:
        """Place non-dispatch calls ``j``, ``j + 1``... already due, then wait for the next."""
        # A hand-built state may carry no such calls (no "t_placed" column).
        env, t_placed = self.env, self.nd.get("t_placed", ())
        n = len(t_placed)
        while True:
            while j < n and not t_placed[j] > env.now:
                self._nd_placed(j)
                j += 1
            # Out of loaded calls: the next window's come next (only if there are such calls
            # at all, else this would load every window at once).
            if j < n or not (self.nd_expected and self.state.more()):
                break
            n = len(t_placed)
        if j < n:
            nxt = j

            def arrive() -> None:
                self._nd_placed(nxt)
                self._nd_from(nxt + 1)

            after(env, t_placed[nxt] - env.now, arrive)

    def _nd_placed(self, j: int) -> None:
        """A call that will dispatch nothing queues for a seat like any other call."""
        centre = int(self.nd["centre"][j])
        self.seats[centre].take(lambda: self._nd_answer(j, centre))

    def _nd_answer(self, j: int, centre: int) -> None:
        """NON_DISPATCH_CALL_ANSWERED after the ring; the seat is held for the handling time."""
        env, nd = self.env, self.nd
        ring = float(nd["ring_min"][j])
        hold = ring + float(nd["seat_min"][j])
        self.log.append(
            env.now + ring,
            E.NON_DISPATCH_CALL_ANSWERED,
            place=centre,
            value=env.now + ring - float(nd["t_placed"][j]),
        )

        def ended() -> None:
            self.seats[centre].give_back()
            self.log.append(env.now, E.NON_DISPATCH_CALL_ENDED, place=centre, value=hold)

        after(env, hold, ended)

    def _arrival(self, i: int) -> None:
        """Callback at incident ``i``'s injury time."""
        self._injured(i)
        self._arrivals_from(i + 1)

    def _arrivals_from(self, i: int) -> None:
        """Start incidents ``i``, ``i + 1``... already due, then wait for the next one.

        One event per incident, its delay taken from the current time as a process looping
        over the (sorted) injury times would take it. When the loaded incidents are used up
        the next demand window is loaded (:meth:`PatientState.more`).
        """
        env, st = self.env, self.state
        t_injury = st.inc["t_injury"]
        n = len(t_injury)
        while True:
            while i < n and not t_injury[i] > env.now:
                self._injured(i)
                i += 1
            st.arrived = i
            if i < n or not st.more():
                break
            n = len(t_injury)  # the same list, extended in place
        if i < n:
            nxt = i
            after(env, t_injury[nxt] - env.now, lambda: self._arrival(nxt))

    def _injured(self, i: int) -> None:
        """Incident ``i`` happened now: the call is placed after the caller's delay."""
        inc, ip = self.state.inc, self.ip
        delay = inc["injury_to_call_min"][i]
        acn_saved = 0.0
        if ip.enabled and inc["acn_equipped"][i] and inc["acn_call_delay_min"][i] < delay:
            acn_saved = delay - inc["acn_call_delay_min"][i]
            delay = inc["acn_call_delay_min"][i]
        handoff = 0.0
        removed = 0.0
        if inc["police_first"][i] and not acn_saved:
            if self.linkage.enabled and self.linkage.joint_alert:
                removed = inc["handoff_min"][i]
            else:
                handoff = inc["handoff_min"][i]
        if delay + handoff > 0:
            after(self.env, delay + handoff, lambda: self._placed(i, acn_saved, removed, handoff))
        else:
            self._placed(i, acn_saved, removed, handoff)

    def _placed(self, i: int, acn_saved: float, removed: float, handoff: float) -> None:
        """The call reaches a 120 centre and queues for a seat.

        Appends CRASH_AUTO_NOTIFIED, HANDOFF_REMOVED / CALL_HANDED_OFF and CALL_PLACED; a
        misrouted call queues at the wrong centre first.
        """
        env, log, inc, ip = self.env, self.log, self.state.inc, self.ip
        t = env.now
        if acn_saved:
            log.append(t, E.CRASH_AUTO_NOTIFIED, i, value=acn_saved)
        if removed:
            log.append(t, E.HANDOFF_REMOVED, i, value=removed)
        if handoff:
            log.append(t, E.CALL_HANDED_OFF, i, value=handoff)
        log.append(t, E.CALL_PLACED, i)
        if self.linkage.enabled and inc["mechanism"][i] == RTC:
            self.police.alert(i)
        routed = inc["routed_centre"][i]
        if routed != inc["centre"][i] and not (ip.enabled and ip.one_network):
            self.seats[routed].take(lambda: self._misrouted(i, routed))
        else:
            self._queue(i)

    def _misrouted(self, i: int, routed: int) -> None:
        """A seat at the wrong centre answers and transfers the call (CALL_TRANSFERRED)."""
        inc = self.state.inc

        def transferred() -> None:
            self.seats[routed].give_back()
            self.log.append(self.env.now, E.CALL_TRANSFERRED, i, place=routed)
            self._queue(i)

        after(self.env, inc["ring_min"][i] + inc["centre_transfer_min"][i], transferred)

    def _queue(self, i: int) -> None:
        """The call waits for a seat at its own centre."""
        self.seats[self.state.inc["centre"][i]].take(lambda: self._answer(i))

    def _answer(self, i: int) -> None:
        """A call-taker has the call: CALL_ANSWERED, AML_LOCATED, LOCATION_VERIFIED.

        Nothing interrupts a call-taker, so the answer and the verified location are recorded
        now with their known times, and one event ends the call at the dispatch request.
        """
        env, log, inc, ip = self.env, self.log, self.state.inc, self.ip
        centre = inc["centre"][i]
        t_answer = env.now + inc["ring_min"][i]
        log.append(t_answer, E.CALL_ANSWERED, i, place=centre)
        if ip.enabled and inc["video_first_aid"][i] and inc["mechanism"][i] != NON_TRAUMA:
            after(
                env,
                t_answer - env.now + inc["video_first_aid_start_min"][i],
                lambda: self._video_first_aid(i),
            )
        taking = inc["call_taking_min"][i]
        problem = inc["location_problem_min"][i] if inc["location_problem"][i] else 0.0
        if ip.enabled and inc["aml_covered"][i]:
            saved_taking = min(inc["aml_saving_min"][i], taking)
            saved_problem = problem if inc["aml_fixes_location"][i] else 0.0
            taking -= saved_taking
            problem -= saved_problem
            log.append(t_answer, E.AML_LOCATED, i, value=saved_taking + saved_problem)
        log.append(t_answer + taking + problem, E.LOCATION_VERIFIED, i)
        after(
            env,
            t_answer - env.now + taking + problem + inc["dispatch_decision_min"][i],
            lambda: self._dispatch(i, centre),
        )

    def _dispatch(self, i: int, centre: int) -> None:
        """DISPATCH_REQUESTED: the seat is free again and each patient needs a unit."""
        st = self.state
        self.log.append(
            self.env.now,
            E.DISPATCH_REQUESTED,
            i,
            value=st.pat["triage_priority"][st.inc["first_patient"][i]],
        )
        self.seats[centre].give_back()
        mci = self.mci
        if mci is not None and mci.is_mci(i):
            mci.declare(i)  # dispatch by patient count (sim/model/mci.py)
            return
        for p in st.patients_of(i):
            self.fleet.request_unit(p)

    def _video_first_aid(self, i: int) -> None:
        """Callback: video-guided bystander first aid starts (FIRST_AID_STARTED, value 1)."""
        st, now = self.state, self.env.now
        for p in st.patients_of(i):
            # Neither EMS (on scene by now: t_on_scene <= now, NaN if not dispatched) nor
            # earlier first aid (NaN != NaN) has reached this patient yet.
            if not st.t_on_scene[p] <= now and st.t_first_aid[p] != st.t_first_aid[p]:
                st.t_first_aid[p] = now
                self.log.append(now, E.FIRST_AID_STARTED, i, p, value=1.0)
