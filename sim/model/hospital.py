"""Hospitals: handover (resuscitation bays), the path to definitive care, transfers.

Severe patients need a resuscitation bay: the ambulance crew waits at handover while all
bays are full. Definitive care (CT, theatre, haemorrhage control) follows a tier-specific
pre-drawn delay, shortened by pre-notification or trauma-team pre-activation; surgical
classes then queue for an operating theatre. A severe patient at a hospital whose tier
cannot treat the class is transferred by road to the nearest capable hospital, unless
tele-guided care (expert consultation) makes the transfer unnecessary.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import simpy

from sim.entities import INJURY_CLASSES, NON_TRAUMA, EventKind
from sim.events import EventLog
from sim.mechanisms import MechanismsSpec
from sim.model.spec import HospitalSpec
from sim.model.state import PatientState
from sim.network.travel import HOURS_PER_DAY
from sim.world import World

if TYPE_CHECKING:
    from sim.model.consultation import ExpertPool

E = EventKind
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

    def handover(self, p: int, h: int, unit: int) -> Generator[simpy.Event, Any, None]:
        """Crew hands the patient over (waits for a bay if severe); starts in-hospital care.

        Appends HANDOVER_STARTED (value = bay wait) and PATIENT_HANDED_OVER.
        """
        env, st = self.env, self.state
        i = st.pat["incident"][p]
        t_arrival = env.now
        bay = None
        if st.pat["severe"][p]:
            bay = self.bays[h].request()
            yield bay
        self.log.append(env.now, E.HANDOVER_STARTED, i, p, unit, h, env.now - t_arrival)
        yield env.timeout(st.pat["handover_min"][p])
        self.log.append(env.now, E.PATIENT_HANDED_OVER, i, p, unit, h)
        if st.inc["mechanism"][i] == NON_TRAUMA:
            if bay is not None:
                self.bays[h].release(bay)
        elif st.pat["severe"][p]:
            env.process(self.care(p, h, bay, t_arrival))
        else:
            # Minor trauma needs no bay or theatre: a timed callback, not a process.
            wait = max(0.0, st.definitive_by_tier[self.tiers[h]][p] - (env.now - t_arrival))
            done = env.timeout(wait)
            done.callbacks.append(
                lambda _ev: self.log.append(env.now, E.DEFINITIVE_CARE_STARTED, i, p, place=h)
            )

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
            if self.experts is not None and ec.at_county_hospital and tier == "county":
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
                    self.bays[h].release(bay)
                log.append(env.now, E.TRANSFER_DEPARTED, i, p, place=h2)
                hour = int(env.now // 60.0) % HOURS_PER_DAY
                drive = (
                    self.world.tables.from_facility_min(
                        self.world.hospital_fac[h], self.world.hospital_node[h2], hour, 1
                    )
                    + self.world.hospital_access_min[h2]
                )
                yield env.timeout(drive)
                log.append(env.now, E.TRANSFER_ARRIVED, i, p, place=h2)
                h, tier, t_arrival = h2, self.tiers[h2], env.now
                bay = self.bays[h].request()
                yield bay
        delay = st.definitive_by_tier[tier][p]
        saving = 0.0
        if st.prenotified[p]:
            saving = st.prenotify_by_tier[tier][p]
        if st.t_consult_start[p] <= t_arrival:
            saving = max(saving, pat["preactivation_saving_min"][p])
        if saving > 0:
            cut = min(saving, delay * (1.0 - MIN_DEFINITIVE_SHARE))
            delay -= cut
            log.append(env.now, E.PRENOTIFIED, i, p, place=h, value=cut)
        yield env.timeout(max(0.0, delay - (env.now - t_arrival)))
        if cls in self.surgical:
            with self.theatres[h].request() as theatre:
                t_req = env.now
                yield theatre
                log.append(env.now, E.DEFINITIVE_CARE_STARTED, i, p, place=h, value=env.now - t_req)
                if bay is not None:
                    self.bays[h].release(bay)
                yield env.timeout(pat["surgery_min"][p])
        else:
            log.append(env.now, E.DEFINITIVE_CARE_STARTED, i, p, place=h, value=0.0)
            if bay is not None:
                self.bays[h].release(bay)

    def _nearest_capable(self, h: int, cls: int) -> int:
        hour = int(self.env.now // 60.0) % HOURS_PER_DAY
        k = self.world.hospital_fac[h]
        best, best_min = h, float("inf")
        for j, tier in enumerate(self.tiers):
            if j != h and tier in self.capable.get(cls, {tier}):
                m = self.world.tables.from_facility_min(k, self.world.hospital_node[j], hour, 1)
                if m < best_min:
                    best, best_min = j, m
        return best
