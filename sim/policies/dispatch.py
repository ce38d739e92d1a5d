"""Dispatch policies: pure functions choosing an ambulance for a call.

A policy sees a list of :class:`Candidate` (free units with the dispatcher's *estimated*
minutes to the scene) and returns one, or None when no unit is free. It knows nothing of
SimPy, so it is tested directly. Policies are chosen by name in the scenario
(``fleet.dispatch_policy``) through :data:`DISPATCH_POLICIES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple


class Candidate(NamedTuple):
    """A free unit as the dispatcher sees it (a named tuple: built per dispatch, cheaply).

    Attributes
    ----------
    unit
        Unit index.
    station
        Index of the unit's home station.
    eta_min
        Estimated minutes until the unit reaches the scene (turnout included for units at
        their station; returning units are already moving).
    at_station
        Whether the unit is idle at its station (else returning, free away from base).
    """

    unit: int
    station: int
    eta_min: float
    at_station: bool


def nearest_available(candidates: Sequence[Candidate], first_due_station: int) -> Candidate | None:
    """The candidate with the smallest estimated time to scene (ties: lowest unit index).

    Parameters
    ----------
    candidates
        Free units.
    first_due_station
        Unused (kept for a common signature).

    Examples
    --------
    >>> c = [Candidate(0, 0, 9.0, True), Candidate(1, 1, 6.5, False)]
    >>> nearest_available(c, 0).unit
    1
    """
    best: Candidate | None = None
    for c in candidates:
        if best is None or (c.eta_min, c.unit) < (best.eta_min, best.unit):
            best = c
    return best


def station_first_due(candidates: Sequence[Candidate], first_due_station: int) -> Candidate | None:
    """A unit idle at the incident's first-due station if any, else the nearest available.

    The first-due station is the station with the shortest drive to the scene (its "area").

    Examples
    --------
    >>> c = [Candidate(0, 0, 9.0, True), Candidate(1, 1, 6.5, False)]
    >>> station_first_due(c, 0).unit
    0
    """
    home = [c for c in candidates if c.station == first_due_station and c.at_station]
    if home:
        return min(home, key=lambda c: (c.eta_min, c.unit))
    return nearest_available(candidates, first_due_station)


DispatchPolicy = Callable[[Sequence[Candidate], int], Candidate | None]

DISPATCH_POLICIES: dict[str, DispatchPolicy] = {
    "nearest_available": nearest_available,
    "station_first_due": station_first_due,
}

#: Policies whose choice depends only on the candidates with the smallest estimated time (all
#: of them when tied) and on the first-due station's idle unit. For these the fleet builds
#: just the idle candidates that can win instead of one per station, and does not search to
#: the end for a returning unit (live positions) that cannot beat the best so far: its
#: estimate is then some value above the best (``Fleet._candidates``). The same choice at a
#: fraction of the cost. A policy not listed here sees every free unit with its exact time.
NEAREST_CANDIDATES_SUFFICE: frozenset[DispatchPolicy] = frozenset(
    {nearest_available, station_first_due}
)
