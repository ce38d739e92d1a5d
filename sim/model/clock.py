"""Pure delays as SimPy timeouts with a callback, landing on exact clock times.

Most steps of a call or an ambulance job are pure delays that nothing interrupts. A
generator process pays a start event, an end event and a generator resume per step; a
:class:`simpy.Timeout` with a callback pays one event. Where consecutive steps leave nothing
to decide in between, they are merged into one event (:func:`after_steps`) at the time the
chain of timeouts would have reached (a timeout lands at ``now + delay``), to the last bit:
merging steps never moves a time by a rounding error. The records of the skipped steps are
appended ahead at their known times (see sim/core/events.py), but only when those times are
strictly in the future: a zero-length step stays its own event, so records of one instant
keep the order in which a chain of timeouts would have appended them.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy
from simpy.events import URGENT


def delay_to(now: float, t: float) -> float | None:
    """The delay ``d >= 0`` for which SimPy's ``now + d`` is exactly ``t``, if there is one.

    ``t - now`` is exact whenever ``now >= t / 2`` (Sterbenz), i.e. all but the first minutes
    of a run. Otherwise ``now + (t - now)`` may miss ``t`` by a unit in the last place and
    the neighbouring delays are tried; when ``now`` and ``t`` are in different binades some
    ``t`` cannot be reached from ``now`` at all (None).

    Examples
    --------
    >>> delay_to(30.0, 50.0)
    20.0
    >>> delay_to(25.3, 60.02163525632023) is None
    True
    """
    d = t - now
    while now + d < t:
        d = math.nextafter(d, math.inf)
    while now + d > t:
        d = math.nextafter(d, -math.inf)
    return d if now + d == t else None


def after(env: simpy.Environment, delay: float, callback: Callable[[], None]) -> None:
    """Call ``callback()`` when ``delay`` minutes have passed (one SimPy event)."""
    env.timeout(delay).callbacks.append(lambda _ev: callback())


def at_time(env: simpy.Environment, t: float, callback: Callable[[], None]) -> None:
    """Call ``callback()`` at exactly ``t`` (``t >= now``), as a chain of timeouts reaching it.

    One event when a delay lands on ``t`` (see :func:`delay_to`); early in a run, when none
    does, a first event three quarters of the way, from where ``t`` is reachable.
    """
    d = delay_to(env.now, t)
    if d is not None:
        after(env, d, callback)
        return
    # Only when now < t / 2; from any time >= t / 2, t - now is exact.
    after(env, 0.75 * t - env.now, lambda: at_time(env, t, callback))


def after_steps(
    env: simpy.Environment, delays: tuple[float, ...], callback: Callable[[], None]
) -> None:
    """Call ``callback()`` after consecutive steps of ``delays`` minutes.

    At the time a chain of timeouts would reach, ``((now + d1) + d2) + ...``, in one event
    when a single delay lands there exactly (see :func:`delay_to`), else one event per step
    (only ever needed early in a run).
    """
    t = env.now
    for d in delays:
        t += d
    d_all = delay_to(env.now, t)
    if d_all is not None:
        env.timeout(d_all).callbacks.append(lambda _ev: callback())
        return
    rest = delays[1:]
    env.timeout(delays[0]).callbacks.append(lambda _ev: after_steps(env, rest, callback))


class Soon(simpy.Event):  # type: ignore[misc]  # simpy is untyped
    """Call ``callback()`` at the current time, after the code running now.

    Before ordinary events due now: the slot of a new process's first step (SimPy's
    ``Initialize``).
    """

    def __init__(self, env: simpy.Environment, callback: Callable[[], None]) -> None:
        super().__init__(env)
        self.callbacks.append(lambda _ev: callback())
        self._ok = True
        self._value = None
        env.schedule(self, URGENT)
