"""Police units for the police–medical linkage (警医联动): travel, first aid, escort readiness.

Police units wait at posts; a crash alert sends the nearest post with a free unit over the
same roads (emergency driving). On scene, trained officers may start first aid before EMS
arrives; a unit on scene is what makes an escort of the transport possible.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.config.mechanism_specs import PoliceLinkageSpec
from sim.core.entities import EventKind, member_lookup
from sim.core.events import EventLog
from sim.core.units import hour_of
from sim.model.state import PatientState
from sim.runs.world import World

E = member_lookup(EventKind)  # fast member reads in the hot loop


class Police:
    """Police posts with free-unit counts, and the police response process."""

    def __init__(
        self,
        env: simpy.Environment,
        log: EventLog,
        world: World,
        spec: PoliceLinkageSpec,
        state: PatientState,
    ) -> None:
        self.env, self.log, self.world, self.spec, self.state = env, log, world, spec, state
        self.free = [p.units for p in world.facilities.police_posts]

    def alert(self, i: int) -> None:
        """Crash ``i`` reported: send the nearest free police unit (if any, and if enabled)."""
        if not (self.spec.enabled and self.spec.police_dispatch) or not self.free:
            return
        self.log.append(self.env.now, E.POLICE_ALERTED, i)
        node = self.state.inc["node"][i]
        hour = hour_of(self.env.now)
        tables = self.world.tables
        best, best_min = -1, float("inf")
        for j, k in enumerate(self.world.police_fac):
            if self.free[j] > 0:
                m = tables.from_facility_min(k, node, hour, 1) + self.world.police_access_min[j]
                if m < best_min:
                    best, best_min = j, m
        if best < 0:
            return
        self.free[best] -= 1
        # Recorded here, not when the process starts: the call may go on at once (a free
        # seat), and the log keeps the order in which things happen.
        self.log.append(self.env.now, E.POLICE_DISPATCHED, i, place=best)
        self.env.process(self.respond(i, best, best_min + self.state.inc["access_min"][i]))

    def respond(self, i: int, post: int, drive_min: float) -> Generator[simpy.Event, Any, None]:
        """SimPy process: one police unit at a crash (dispatched by :meth:`alert`).

        Appends POLICE_ON_SCENE, FIRST_AID_STARTED (value 2), POLICE_CLEARED.
        """
        env, st, log = self.env, self.state, self.log
        yield env.timeout(st.inc["police_turnout_min"][i] + drive_min)
        st.t_police_on_scene[i] = env.now
        log.append(env.now, E.POLICE_ON_SCENE, i, place=post)
        t_busy_end = env.now + st.inc["police_scene_min"][i]
        if st.inc["police_first_aid"][i]:
            yield env.timeout(st.inc["police_first_aid_start_min"][i])
            for p in st.patients_of(i):
                # EMS not on scene by now (t_on_scene is NaN until dispatch) and no first aid
                # yet (NaN != NaN).
                now = env.now
                if not st.t_on_scene[p] <= now and st.t_first_aid[p] != st.t_first_aid[p]:
                    st.t_first_aid[p] = now
                    log.append(env.now, E.FIRST_AID_STARTED, i, p, value=2.0)
        if t_busy_end > env.now:
            yield env.timeout(t_busy_end - env.now)
        self.free[post] += 1
        log.append(env.now, E.POLICE_CLEARED, i, place=post)
