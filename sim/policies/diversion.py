"""Hospital diversion: pure rules for when a hospital closes to ambulances, and where they go.

A hospital "on diversion" (急诊分流 / 暂停接收) asks the 120 centre to take new ambulance
patients elsewhere while its resuscitation bays are full. Policies are chosen by name
(``hospital.diversion_policy``) through :data:`DIVERSION_POLICIES`; each maps a hospital's
bay load (patients holding or waiting for a bay) and bay count to "wants to divert".
Regional practice keeps at least one hospital open (when all would close, diversion is
suspended), so :func:`may_close` refuses to close the last open hospital and a patient is
never sent to a closed one (:func:`open_destination`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from sim.policies.destination import DestinationPolicy


def no_diversion(load: int, bays: int) -> bool:
    """Never divert (today's model).

    Examples
    --------
    >>> no_diversion(10, 2)
    False
    """
    return False


def bays_full(load: int, bays: int) -> bool:
    """Divert while every resuscitation bay is taken (open again as soon as one frees).

    Examples
    --------
    >>> bays_full(3, 3), bays_full(2, 3)
    (True, False)
    """
    return load >= bays


def bays_queue(load: int, bays: int) -> bool:
    """Divert only while a patient is already waiting for a bay (load above the bays).

    Examples
    --------
    >>> bays_queue(3, 3), bays_queue(4, 3)
    (False, True)
    """
    return load > bays


DiversionPolicy = Callable[[int, int], bool]

DIVERSION_POLICIES: dict[str, DiversionPolicy] = {
    "none": no_diversion,
    "bays_full": bays_full,
    "bays_queue": bays_queue,
}


def may_close(closed: Sequence[bool], h: int) -> bool:
    """Whether hospital ``h`` may go on diversion: some other hospital stays open.

    Examples
    --------
    >>> may_close([False, True], 0)
    False
    >>> may_close([False, False], 0)
    True
    """
    return any(not c for j, c in enumerate(closed) if j != h)


def open_destination(
    minutes: Sequence[float],
    tiers: Sequence[str],
    judged_severe: bool,
    severe_tiers: Sequence[str],
    closed: Sequence[bool],
    policy: DestinationPolicy,
) -> int:
    """The destination ``policy`` picks among open hospitals only.

    Closed hospitals are taken out (infinite minutes), so the policy's next choice is the
    nearest open hospital of the tiers triage asks for, else the nearest open one. With every
    hospital closed (which :func:`may_close` prevents) the policy's own choice stands.

    Examples
    --------
    >>> from sim.policies.destination import tiered
    >>> tiers = ["county", "trauma_centre", "trauma_centre"]
    >>> open_destination([5.0, 20.0, 30.0], tiers, True, ["trauma_centre"],
    ...                  [False, True, False], tiered)
    2
    """
    if all(closed):
        return policy(minutes, tiers, judged_severe, severe_tiers)
    masked = [math.inf if c else m for m, c in zip(minutes, closed, strict=True)]
    return policy(masked, tiers, judged_severe, severe_tiers)
