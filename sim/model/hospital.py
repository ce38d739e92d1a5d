"""Hospitals: handover (resuscitation bays), the path to definitive care, transfers.

Severe patients need a resuscitation bay: the ambulance crew waits at handover while all
bays are full. Definitive care (CT, theatre, haemorrhage control) follows a tier-specific
pre-drawn delay, shortened by pre-notification or trauma-team pre-activation; surgical
classes then queue for an operating theatre. A severe patient at a hospital whose tier
cannot treat the class is transferred by road to the nearest capable hospital, unless
tele-guided care (expert consultation) makes the transfer unnecessary.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import simpy

from sim.config.mechanism_specs import MechanismsSpec
from sim.core.entities import INJURY_CLASSES, NON_TRAUMA, EventKind, member_lookup
from sim.core.events import EventLog
from sim.core.units import hour_of
from sim.model.clock import after, after_steps
from sim.model.spec import HospitalSpec
from sim.model.state import PatientState
from sim.policies.destination import transfer_target
from sim.policies.diversion import DIVERSION_POLICIES, may_close
from sim.runs.world import World

if TYPE_CHECKING:
    from sim.model.consultation import ExpertPool

E = member_lookup(EventKind)  # fast member reads in the hot loop
#: Definitive care may be shortened by pre-activation, never below this share of itself.
MIN_DEFINITIVE_SHARE = 0.2


class Hospitals:
    """Bays and theatres of every hospital, and the in-hospital process."""

    def __init__(
        self,
        env: simpy.Environment,
        log: EventLog,
        world: World,
        spec: HospitalSpec,
        mechanisms: MechanismsSpec,
        state: PatientState,
        experts: ExpertPool | None,
    ) -> None:
        self.env, self.log, self.world, self.spec, self.state = env, log, world, spec, state
        self.mech, self.experts = mechanisms, experts
        hs = world.facilities.hospitals
        self.tiers = [h.tier for h in hs]
        self.bays = [simpy.Resource(env, capacity=h.resus_bays) for h in hs]
        self.theatres = [simpy.Resource(env, capacity=h.theatres) for h in hs]
        self.surgical = {INJURY_CLASSES.index(c) for c in spec.surgical_classes}
        self.capable = {
            INJURY_CLASSES.index(c): set(tiers) for c, tiers in spec.capable_tiers.items()
        }
        # Diversion (sim/policies/diversion.py): re-decided whenever a bay's load changes.
        self.diverting = spec.diversion_policy != "none"
        self._wants_closed = DIVERSION_POLICIES[spec.diversion_policy]
        self.closed = [False] * len(hs)

    def _take_bay(self, h: int) -> simpy.resources.resource.Request:
        bay = self.bays[h].request()
        if self.diverting:
            self._bays_changed(h)
        return bay

    def _free_bay(self, h: int, bay: simpy.resources.resource.Request) -> None:
        self.bays[h].release(bay)
        if self.diverting:
            self._bays_changed(h)

    def _bays_changed(self, h: int) -> None:
        """Apply the diversion policy to ``h`` (DIVERSION_CHANGED, value 1 closed / 0 open).

        A hospital reopening may let another that wanted to close do so (only the last open
        hospital is kept open).
        """
        if self._decide(h):
            for j in range(len(self.closed)):
                if j != h:
                    self._decide(j)

    def _decide(self, h: int) -> bool:
        """Close or reopen ``h`` as the policy wants; True if it reopened."""
        res = self.bays[h]
        want = self._wants_closed(res.count + len(res.queue), res.capacity)
        closed = self.closed
        if want and not closed[h] and may_close(closed, h):
            closed[h] = True
            self.log.append(self.env.now, E.DIVERSION_CHANGED, place=h, value=1.0)
        elif not want and closed[h]:
            closed[h] = False
            self.log.append(self.env.now, E.DIVERSION_CHANGED, place=h, value=0.0)
            return True
        return False

    def handover(
        self,
        p: int,
        h: int,
        unit: int,
        delay: float,
        crew_free: Callable[[], None],
        *,
        lazy: bool = False,
    ) -> float | None:
        """Crew hands patient ``p`` over at hospital ``h``, arriving in ``delay`` minutes.

        A severe patient needs a resuscitation bay: call this on arrival (``delay`` 0), and the
        crew waits while all bays are full. Nothing can delay any other handover, so for those
        this may be called ahead (at scene departure): HANDOVER_STARTED and
        PATIENT_HANDED_OVER are recorded at their known times and one event ends the handover.
        ``crew_free()`` is called when the patient is handed over (in-hospital care started).

        With ``lazy``, such a handover (one that ends after now) schedules no event: the time
        it ends is returned, and the caller must call :meth:`handover_ended` for it (at that
        time, or later with ``at``). Otherwise returns None.

        Appends HANDOVER_STARTED (value = bay wait) and PATIENT_HANDED_OVER.
        """
        env, st = self.env, self.state
        i = st.pat["incident"][p]
        t_arrival = env.now + delay  # where a timeout(delay) lands
        if st.pat["severe"][p]:
            bay = self._take_bay(h)
            bay.callbacks.append(
                lambda _ev: self._bay_obtained(p, h, unit, t_arrival, bay, crew_free)
            )
            return None
        self.log.append(t_arrival, E.HANDOVER_STARTED, i, p, unit, h, 0.0)
        handover: float = st.pat["handover_min"][p]
        t_done: float = t_arrival + handover  # where the timeouts (delay, handover) land
        if t_done > env.now:
            self.log.append(t_done, E.PATIENT_HANDED_OVER, i, p, unit, h)
            if lazy:
                return t_done
            after_steps(
                env, (delay, handover), lambda: self._handed_over(p, h, None, t_arrival, crew_free)
            )
        else:  # a zero-length handover now: its own event, as below
            self._hand_over_after(p, h, unit, None, t_arrival, crew_free)
        return None

    def handover_ended(
        self,
        p: int,
        h: int,
        t_arrival: float,
        crew_free: Callable[[], None],
        *,
        at: float | None = None,
    ) -> None:
        """End of a handover that :meth:`handover` left to the caller (``lazy``).

        Call it when the handover ends, or later with ``at`` = the time it ended (then nothing
        else may have happened at ``at``: the caller settles it before anything looks at the
        crew). Does what the handover's own event would have done.
        """
        self._handed_over(p, h, None, t_arrival, crew_free, at)

    def _bay_obtained(
        self,
        p: int,
        h: int,
        unit: int,
        t_arrival: float,
        bay: simpy.resources.resource.Request,
        crew_free: Callable[[], None],
    ) -> None:
        """A bay is free: the handover of a severe patient starts."""
        env, st = self.env, self.state
        i = st.pat["incident"][p]
        self.log.append(env.now, E.HANDOVER_STARTED, i, p, unit, h, env.now - t_arrival)
        self._hand_over_after(p, h, unit, bay, t_arrival, crew_free)

    def _hand_over_after(
        self,
        p: int,
        h: int,
        unit: int,
        bay: simpy.resources.resource.Request | None,
        t_arrival: float,
        crew_free: Callable[[], None],
    ) -> None:
        """PATIENT_HANDED_OVER when the handover time has passed from now."""
        env = self.env

        def done() -> None:
            self.log.append(
                env.now, E.PATIENT_HANDED_OVER, self.state.pat["incident"][p], p, unit, h
            )
            self._handed_over(p, h, bay, t_arrival, crew_free)

        after(env, self.state.pat["handover_min"][p], done)

    def _handed_over(
        self,
        p: int,
        h: int,
        bay: simpy.resources.resource.Request | None,
        t_arrival: float,
        crew_free: Callable[[], None],
        at: float | None = None,
    ) -> None:
        """Patient handed over (now, or at ``at`` when settled late): care starts, crew free."""
        env, st = self.env, self.state
        now = env.now if at is None else at
        i = st.pat["incident"][p]
        if st.inc["mechanism"][i] == NON_TRAUMA:
            if bay is not None:
                self._free_bay(h, bay)
        elif st.pat["severe"][p]:
            env.process(self.care(p, h, bay, t_arrival))
        else:
            # Minor trauma needs no bay or theatre: definitive care starts at a known time.
            wait = max(0.0, st.definitive_by_tier[self.tiers[h]][p] - (now - t_arrival))
            if now + wait > now:
                self.log.append(now + wait, E.DEFINITIVE_CARE_STARTED, i, p, place=h)
            elif at is not None:
                # Settled late: the crew records nothing at `at` before this would have run
                # (no call was waiting), so it is appended in the same order.
                self.log.append(now, E.DEFINITIVE_CARE_STARTED, i, p, place=h)
            else:
                # Now, but after what the freed crew does now (as a zero-delay timeout).
                after(
                    env,
                    wait,
                    lambda: self.log.append(env.now, E.DEFINITIVE_CARE_STARTED, i, p, place=h),
                )
        crew_free()

    def care(
        self, p: int, h: int, bay: simpy.Resource | None, t_arrival: float
    ) -> Generator[simpy.Event, Any, None]:
        """SimPy process: a severe patient from handover to the start of definitive care.

        Appends CONSULT_* (via the pool), TRANSFER_AVOIDED, TRANSFER_DECIDED,
        TRANSFER_DEPARTED, TRANSFER_ARRIVED, PRENOTIFIED, DEFINITIVE_CARE_STARTED.
        """
        env, st, log = self.env, self.state, self.log
        pat = st.pat
        i = pat["incident"][p]
        cls = pat["injury_class"][p]
        tier = self.tiers[h]
        if tier not in self.capable.get(cls, {tier}):
            ec = self.mech.expert_consultation
            consulted = False
            if (
                self.experts is not None
                and ec.at_county_hospital
                and tier == "county"
                and pat["iss"][p] >= ec.trigger_min_iss
            ):
                if st.t_consult_start[p] != st.t_consult_start[p]:  # NaN: none yet
                    self.experts.request(p)
                    yield from self.experts.wait_started(p)
                consulted = st.t_consult_start[p] <= env.now
            if consulted and pat["u_transfer_avoided"][p] < ec.transfer_avoided_share:
                st.capable_by_guidance[p] = True
                log.append(env.now, E.TRANSFER_AVOIDED, i, p, place=h)
            else:
                decision = pat["transfer_decision_min"][p]
                if consulted:
                    decision *= 1.0 - ec.transfer_decision_speedup
                log.append(env.now, E.TRANSFER_DECIDED, i, p, place=h)
                yield env.timeout(max(0.0, decision - (env.now - t_arrival)))
                h2 = self._nearest_capable(h, cls)
                if bay is not None:
                    self._free_bay(h, bay)
                log.append(env.now, E.TRANSFER_DEPARTED, i, p, place=h2)
                hour = hour_of(env.now)
                drive = (
                    self.world.tables.from_facility_min(
                        self.world.hospital_fac[h], self.world.hospital_node[h2], hour, 1
                    )
                    + self.world.hospital_access_min[h2]
                )
                yield env.timeout(drive)
                log.append(env.now, E.TRANSFER_ARRIVED, i, p, place=h2)
                h, tier, t_arrival = h2, self.tiers[h2], env.now
                bay = self._take_bay(h)
                yield bay
        delay = st.definitive_by_tier[tier][p]
        # Pre-notification (crew or police relay) and expert pre-activation act on the same
        # interval and do not add up: the larger saving applies and is logged as its own kind.
        saving, kind = 0.0, E.PRENOTIFIED
        if st.prenotified[p]:
            saving = st.prenotify_by_tier[tier][p]
        if st.t_consult_start[p] <= t_arrival and pat["preactivation_saving_min"][p] > saving:
            saving, kind = pat["preactivation_saving_min"][p], E.TEAM_PREACTIVATED
        if saving > 0:
            cut = min(saving, delay * (1.0 - MIN_DEFINITIVE_SHARE))
            delay -= cut
            log.append(env.now, kind, i, p, place=h, value=cut)
        yield env.timeout(max(0.0, delay - (env.now - t_arrival)))
        if cls in self.surgical:
            with self.theatres[h].request() as theatre:
                t_req = env.now
                yield theatre
                log.append(env.now, E.DEFINITIVE_CARE_STARTED, i, p, place=h, value=env.now - t_req)
                if bay is not None:
                    self._free_bay(h, bay)
                yield env.timeout(pat["surgery_min"][p])
        else:
            log.append(env.now, E.DEFINITIVE_CARE_STARTED, i, p, place=h, value=0.0)
            if bay is not None:
                self._free_bay(h, bay)

    def _nearest_capable(self, h: int, cls: int) -> int:
        """Transfer target of a patient of class ``cls`` at ``h`` (policy: transfer_target)."""
        hour = hour_of(self.env.now)
        k, tables, nodes = self.world.hospital_fac[h], self.world.tables, self.world.hospital_node
        minutes = [tables.from_facility_min(k, nodes[j], hour, 1) for j in range(len(self.tiers))]
        if self.diverting:  # a closed hospital takes no transfers either
            minutes = [math.inf if c else m for m, c in zip(minutes, self.closed, strict=True)]
        return transfer_target(h, minutes, self.tiers, self.capable.get(cls))
