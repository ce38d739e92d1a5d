"""The expert group (专家组) as a priority resource: consultations queue when experts are busy.

Experts are interchangeable, so a :class:`simpy.PriorityResource` fits (sicker patients,
higher ISS, first). Requests outside the on-call windows wait for the next window; a
request not started within ``max_wait_min`` is abandoned.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.config.mechanism_specs import ExpertConsultSpec
from sim.core.entities import EventKind, member_lookup
from sim.core.events import EventLog
from sim.model.state import PatientState

E = member_lookup(EventKind)  # fast member reads in the hot loop


def minutes_until_on_call(t_min: float, windows: list[tuple[int, int]]) -> float:
    """Minutes from ``t_min`` until the pool is next staffed (0 if staffed now).

    Examples
    --------
    >>> minutes_until_on_call(7 * 60.0, [(8, 20)])
    60.0
    >>> minutes_until_on_call(21 * 60.0, [(8, 20)])
    660.0
    """
    m = t_min % 1440.0
    best = float("inf")
    for start, end in windows:
        s, e = start * 60.0, end * 60.0
        if s <= m < e:
            return 0.0
        best = min(best, (s - m) % 1440.0)
    return best


class ExpertPool:
    """On-call experts and the consultation process."""

    def __init__(
        self, env: simpy.Environment, log: EventLog, spec: ExpertConsultSpec, state: PatientState
    ) -> None:
        self.env, self.log, self.spec, self.state = env, log, spec, state
        self.pool = simpy.PriorityResource(env, capacity=spec.experts)
        self.windows = list(spec.on_call_hours or [(0, 24)])
        self.started: dict[int, simpy.Event] = {}

    def request(self, p: int) -> None:
        """Ask for a consultation for patient ``p`` (once per patient)."""
        if p in self.started:
            return
        self.started[p] = self.env.event()
        self.env.process(self.consult(p))

    def wait_started(self, p: int) -> Generator[simpy.Event, Any, None]:
        """Wait until patient ``p``'s consultation has started or been abandoned."""
        ev = self.started.get(p)
        if ev is not None and not ev.triggered:
            yield ev

    def consult(self, p: int) -> Generator[simpy.Event, Any, None]:
        """SimPy process: one consultation.

        Appends CONSULT_REQUESTED, CONSULT_STARTED (value = wait) or CONSULT_ABANDONED, and
        CONSULT_ENDED.
        """
        env, st, log = self.env, self.state, self.log
        i = st.pat["incident"][p]
        t_req = env.now
        log.append(t_req, E.CONSULT_REQUESTED, i, p)
        wait_on_call = minutes_until_on_call(env.now, self.windows)
        if wait_on_call >= self.spec.max_wait_min:
            log.append(env.now, E.CONSULT_ABANDONED, i, p)
            self.started[p].succeed()
            return
        if wait_on_call > 0:
            yield env.timeout(wait_on_call)
        req = self.pool.request(priority=-int(st.pat["iss"][p]))
        limit = env.timeout(self.spec.max_wait_min - (env.now - t_req))
        yield req | limit
        if not req.triggered:
            req.cancel()
            log.append(env.now, E.CONSULT_ABANDONED, i, p)
            self.started[p].succeed()
            return
        st.t_consult_start[p] = env.now
        log.append(env.now, E.CONSULT_STARTED, i, p, value=env.now - t_req)
        self.started[p].succeed()
        yield env.timeout(st.pat["consult_min"][p])
        self.pool.release(req)
        log.append(env.now, E.CONSULT_ENDED, i, p)
