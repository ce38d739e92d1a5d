"""Mass-casualty incidents in the run: declaration, dispatch by patient count, mutual aid.

The demand side (when, where, how many patients, START colours) is sim/demand/mci.py. Here:

* at the dispatch request the call-taker declares the MCI (MCI_DECLARED) and sends the
  first wave, ``units_by_patients`` units for the most urgent patients (red first);
* the first crew on scene sizes it up for ``size_up_min`` (START), then the remaining
  patients who need an ambulance are requested and those who do not (black, walking
  green) are recorded as not transported (unit -1);
* an MCI patient who finds no free local unit gets a unit lent by the neighbouring 120
  centre (``[demand.mci.mutual_aid]``): it starts from the neighbour's base hospital after
  the activation time, drives to the scene, takes the patient to the destination the
  scenario's policy picks (diversion respected) and goes back to its base. A lent unit
  that frees up while local MCI patients still wait takes the most urgent of them.

Lent units have unit indices after the local fleet's; their station id in the output
tables is ``mutual_aid``, and they are left out of the local fleet's utilisation.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

import simpy

from sim.core.entities import NON_TRAUMA, EventKind, member_lookup
from sim.core.errors import UserError
from sim.core.events import EventLog
from sim.core.units import hour_of
from sim.demand.spec import MciSpec
from sim.model.clock import after
from sim.model.state import PatientState
from sim.policies.scene import judged_severe

if TYPE_CHECKING:
    from sim.model.ambulance import Fleet
    from sim.model.hospital import Hospitals

E = member_lookup(EventKind)


class MassCasualty:
    """The MCI rules of one replication (see module docstring)."""

    def __init__(
        self,
        env: simpy.Environment,
        log: EventLog,
        state: PatientState,
        spec: MciSpec,
        fleet: Fleet,
        hospitals: Hospitals,
    ) -> None:
        self.env, self.log, self.state, self.spec = env, log, state, spec
        self.fleet, self.hospitals = fleet, hospitals
        self._held: dict[int, list[int]] = {}  # incident -> patients left for the size-up
        self._sized_up: set[int] = set()
        self._aid_base = -1
        self._aid_free: list[int] = []
        aid = spec.mutual_aid
        if aid is not None:
            ids = [h.id for h in fleet.world.facilities.hospitals]
            if aid.base_hospital not in ids:
                raise UserError(
                    f"demand.mci.mutual_aid.base_hospital: '{aid.base_hospital}' is not a "
                    f"hospital (allowed: {', '.join(ids)})"
                )
            self._aid_base = ids.index(aid.base_hospital)
            n_local = len(fleet.units)
            self._aid_free = list(range(n_local, n_local + aid.units))

    def is_mci(self, i: int) -> bool:
        """Whether incident ``i`` is a mass-casualty incident."""
        return bool(self.state.inc["mci_kind"][i] >= 0)

    # ----------------------------------------------------------------- dispatch

    def declare(self, i: int) -> None:
        """Dispatch request of MCI ``i``: MCI_DECLARED and the first wave of units."""
        st = self.state
        patients = list(st.patients_of(i))
        self.log.append(self.env.now, E.MCI_DECLARED, i, value=float(len(patients)))
        tx, prio = st.pat["transport_needed"], st.pat["triage_priority"]
        # Most urgent first: ambulance patients by colour priority, then the others.
        order = sorted(patients, key=lambda p: (not tx[p], prio[p], p))
        n_tx = sum(1 for p in patients if tx[p])
        first = max(1, min(self.spec.first_wave_units(len(patients)), n_tx))
        self._held[i] = order[first:]
        for p in order[:first]:
            self.fleet.request_unit(p)

    def on_scene(self, i: int, t_scene: float) -> None:
        """A unit reaches MCI ``i`` at ``t_scene``: the first one starts the size-up."""
        if i in self._sized_up:
            return
        self._sized_up.add(i)
        after(self.env, t_scene - self.env.now + self.spec.size_up_min, lambda: self._size_up(i))

    def _size_up(self, i: int) -> None:
        """START report: request units for the rest; the others are not transported."""
        st = self.state
        tx = st.pat["transport_needed"]
        for p in self._held.pop(i, []):
            if tx[p]:
                self.fleet.request_unit(p)
            else:
                self.log.append(self.env.now, E.PATIENT_NOT_TRANSPORTED, i, p, -1)

    # ----------------------------------------------------------------- mutual aid

    def mutual_aid(self, p: int) -> bool:
        """No local unit is free for patient ``p``: send a lent one if any; True if sent."""
        st = self.state
        i = st.pat["incident"][p]
        if not self._aid_free or not self.is_mci(i):
            return False
        self._send(self._aid_free.pop(0), p)
        return True

    def _send(self, unit: int, p: int) -> None:
        env, log, st = self.env, self.log, self.state
        world = self.fleet.world
        i = st.pat["incident"][p]
        now = env.now
        act = float(self.state.pat["mci_aid_activation_min"][p])
        log.append(now, E.MUTUAL_AID_DISPATCHED, i, p, unit, self._aid_base, act)
        log.append(now, E.AMBULANCE_DISPATCHED, i, p, unit, -1)
        log.append(now + act, E.WHEELS_ROLLING, i, p, unit)
        node, prio = st.inc["node"][i], st.pat["triage_priority"][p]
        drive = world.tables.from_facility_min(
            world.hospital_fac[self._aid_base], node, hour_of(now + act), prio
        )
        t_scene = now + act + drive + st.inc["access_min"][i]
        st.t_on_scene[p] = t_scene
        log.append(t_scene, E.AMBULANCE_ON_SCENE, i, p, unit)
        self.on_scene(i, t_scene)
        after(env, t_scene - now + st.pat["on_scene_min"][p], lambda: self._leave(unit, p))

    def _leave(self, unit: int, p: int) -> None:
        """Scene time over: not transported, or to the destination (diversion respected)."""
        env, log, st, fleet = self.env, self.log, self.state, self.fleet
        pat, inc = st.pat, st.inc
        i = pat["incident"][p]
        node = inc["node"][i]
        now = env.now
        hour = hour_of(now)
        world = fleet.world
        if not pat["transport_needed"][p]:
            log.append(now, E.PATIENT_NOT_TRANSPORTED, i, p, unit)
            back = world.tables.to_facility_min(world.hospital_fac[self._aid_base], node, hour)
            after(env, back, lambda: self._free(unit))
            return
        dest = fleet.dest
        judged = judged_severe(
            trauma=inc["mechanism"][i] != NON_TRAUMA,
            severe=pat["severe"][p],
            u_under=pat["u_undertriage"][p],
            u_over=pat["u_overtriage"][p],
            undertriage=dest.undertriage,
            overtriage=dest.overtriage,
            consult_started=st.t_consult_start[p] <= now,
            undertriage_left=1.0,
        )
        minutes = fleet.hospital_minutes(node, hour, pat["triage_priority"][p])
        h = fleet.destination_policy(minutes, fleet.hospital_tiers, judged, dest.severe_tiers)
        h = fleet.divert(i, p, unit, minutes, judged, h)
        transport = minutes[h] + inc["access_min"][i] + fleet.hospital_access[h]
        log.append(now, E.SCENE_DEPARTED, i, p, unit, h)

        def arrived() -> None:
            log.append(env.now, E.HOSPITAL_ARRIVED, i, p, unit, h)
            self.hospitals.handover(p, h, unit, 0.0, lambda: self._return(unit, h))

        after(env, transport, arrived)

    def _return(self, unit: int, h: int) -> None:
        world = self.fleet.world
        back = world.tables.from_facility_min(
            world.hospital_fac[h], world.hospital_node[self._aid_base], hour_of(self.env.now)
        )
        after(self.env, back, lambda: self._free(unit))

    def _free(self, unit: int) -> None:
        """A lent unit is back at its base: it takes the most urgent waiting MCI patient."""
        pending = self.fleet.pending
        waiting = sorted(e for e in pending if self.is_mci(self.state.pat["incident"][e[2]]))
        if waiting:
            pending.remove(waiting[0])
            heapq.heapify(pending)
            self._send(unit, waiting[0][2])
        else:
            self._aid_free.append(unit)
            self._aid_free.sort()
