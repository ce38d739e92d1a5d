"""The 120 call chain (接报转派): call placed, seat queue, call-taking, triage, dispatch request.

Each centre's call-takers are a :class:`simpy.Resource` sized by its seats: a call waits
for a free seat (the queue the 2023 Chinese expert consensus sizes by queueing theory). The
Internet + 120 front end and the police hand-off act here on the pre-drawn times.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from sim.entities import NON_TRAUMA, RTC, EventKind
from sim.events import EventLog
from sim.mechanisms import MechanismsSpec
from sim.model.spec import CallSpec
from sim.model.state import PatientState
from sim.world import World

if TYPE_CHECKING:
    from sim.model.ambulance import Fleet
    from sim.model.police import Police

E = EventKind


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
    ) -> None:
        self.env, self.log, self.state = env, log, state
        self.spec, self.fleet, self.police = spec, fleet, police
        self.ip = mechanisms.internet_plus_120
        self.linkage = mechanisms.police_linkage
        self.seats = [simpy.Resource(env, capacity=c.seats) for c in world.facilities.centres]

    def arrivals(self) -> Generator[simpy.Event, Any, None]:
        """SimPy process: start one call process per incident at its injury time."""
        env = self.env
        for i, t in enumerate(self.state.inc["t_injury"]):
            if t > env.now:
                yield env.timeout(t - env.now)
            env.process(self.call(i))

    def call(self, i: int) -> Generator[simpy.Event, Any, None]:
        """SimPy process: one incident's call from injury to dispatch request.

        Appends CRASH_AUTO_NOTIFIED, HANDOFF_REMOVED / CALL_HANDED_OFF, CALL_PLACED,
        CALL_TRANSFERRED, CALL_ANSWERED, AML_LOCATED, LOCATION_VERIFIED, DISPATCH_REQUESTED.
        """
        env, log, inc, ip = self.env, self.log, self.state.inc, self.ip
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
            yield env.timeout(delay + handoff)
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

        centre = inc["centre"][i]
        routed = inc["routed_centre"][i]
        if routed != centre and not (ip.enabled and ip.one_network):
            with self.seats[routed].request() as req:
                yield req
                yield env.timeout(inc["ring_min"][i] + inc["centre_transfer_min"][i])
            log.append(env.now, E.CALL_TRANSFERRED, i, place=routed)
        with self.seats[centre].request() as req:
            yield req
            # Once a call-taker has the call nothing interrupts it: the answer and the
            # verified location are recorded now with their known times (one timeout).
            t_answer = env.now + inc["ring_min"][i]
            log.append(t_answer, E.CALL_ANSWERED, i, place=centre)
            if ip.enabled and inc["video_first_aid"][i] and inc["mechanism"][i] != NON_TRAUMA:
                start = env.timeout(t_answer - env.now + inc["video_first_aid_start_min"][i])
                start.callbacks.append(lambda _ev: self._video_first_aid(i))
            taking = inc["call_taking_min"][i]
            problem = inc["location_problem_min"][i] if inc["location_problem"][i] else 0.0
            if ip.enabled and inc["aml_covered"][i]:
                saved_taking = min(inc["aml_saving_min"][i], taking)
                saved_problem = problem if inc["aml_fixes_location"][i] else 0.0
                taking -= saved_taking
                problem -= saved_problem
                log.append(t_answer, E.AML_LOCATED, i, value=saved_taking + saved_problem)
            log.append(t_answer + taking + problem, E.LOCATION_VERIFIED, i)
            yield env.timeout(
                t_answer - env.now + taking + problem + inc["dispatch_decision_min"][i]
            )
            log.append(
                env.now,
                E.DISPATCH_REQUESTED,
                i,
                value=self.state.pat["triage_priority"][inc["first_patient"][i]],
            )
        for p in self.state.patients_of(i):
            self.fleet.request_unit(p)

    def _video_first_aid(self, i: int) -> None:
        """Callback: video-guided bystander first aid starts (FIRST_AID_STARTED, value 1)."""
        st = self.state
        for p in st.patients_of(i):
            # NaN != NaN: neither EMS nor earlier first aid has reached this patient yet.
            if st.t_on_scene[p] != st.t_on_scene[p] and st.t_first_aid[p] != st.t_first_aid[p]:
                st.t_first_aid[p] = self.env.now
                self.log.append(self.env.now, E.FIRST_AID_STARTED, i, p, value=1.0)
