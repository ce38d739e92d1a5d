"""Move-up (relocation) policies: pure functions choosing which idle unit moves where.

After every dispatch the fleet asks the scenario's policy (``fleet.move_up``) for at most
one move ``(from_station, to_station)`` of an idle unit, given the free units per station
(idle there, or driving home to it). The moving unit stays free: it can take a call on its
way, so a move never leaves a call unserved that it could have taken.

* ``none``: never move (today's behaviour).
* ``compliance_table``: a table gives, for each number of free units, how many each
  station should hold (Alanis, Ingolfsson & Kolfal 2013, *Production and Operations
  Management* 22(1):216-231); built here as nested MEXCLP-greedy layouts
  (:func:`nested_compliance_table`). The most under-filled station is filled from the
  nearest over-filled one.
* ``dmexclp``: dynamic MEXCLP (Jagtenberg, Bhulai & van der Mei 2015, *Operations Research
  for Health Care* 4:27-35): the single move that most raises the expected covered demand
  ``sum_j w_j (1 - q^n_j)``, if any raises it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Move = tuple[int, int]
MOVE_UP_POLICIES: tuple[str, ...] = ("none", "compliance_table", "dmexclp")
#: A station covers an area when its drive is within the rural response target (Hangzhou
#: 2027 targets, evidence §3: 8 min urban, 12 min rural).
MOVE_UP_COVER_MIN = 12.0


def expected_coverage(
    free: Sequence[int], cover: np.ndarray, weight: np.ndarray, q: float
) -> float:
    """MEXCLP expected covered demand of ``free`` units per station.

    Parameters
    ----------
    free
        Free units per station.
    cover
        Boolean ``(stations, areas)``: station ``i`` reaches area ``j`` within the target.
    weight
        Demand weight of each area.
    q
        Probability a unit is busy.

    Returns
    -------
    float
    """
    n = np.asarray(free, float) @ cover
    return float(weight @ (1.0 - q**n))


def nested_compliance_table(
    cover: np.ndarray, weight: np.ndarray, q: float, n_units: int
) -> list[tuple[int, ...]]:
    """Row ``n``: units per station wanted when ``n`` units are free (each row adds one unit).

    Examples
    --------
    >>> cover = np.array([[True, False], [False, True]])
    >>> nested_compliance_table(cover, np.array([3.0, 2.0]), 0.5, 2)
    [(0, 0), (1, 0), (1, 1)]
    """
    s = cover.shape[0]
    rows = [tuple([0] * s)]
    cur = [0] * s
    for _ in range(n_units):
        base = expected_coverage(cur, cover, weight, q)
        gains = []
        for i in range(s):
            cur[i] += 1
            gains.append(expected_coverage(cur, cover, weight, q) - base)
            cur[i] -= 1
        cur[int(np.argmax(gains))] += 1  # ties: lowest index
        rows.append(tuple(cur))
    return rows


def compliance_table_move(
    free: Sequence[int], movable: Sequence[int], table: Sequence[Sequence[int]],
    drive_min: np.ndarray,
) -> Move | None:  # fmt: skip
    """Fill the most under-filled station from the nearest station holding more than wanted.

    ``movable`` counts the idle-at-station units that may move (a subset of ``free``).

    Examples
    --------
    >>> table = [(0, 0), (1, 0), (1, 1)]
    >>> compliance_table_move([2, 0], [2, 0], table, np.array([[0, 5], [5, 0.0]]))
    (0, 1)
    >>> compliance_table_move([1, 1], [1, 1], table, np.array([[0, 5], [5, 0.0]])) is None
    True
    """
    want = table[min(sum(free), len(table) - 1)]
    short = [(free[i] - want[i], i) for i in range(len(free)) if free[i] < want[i]]
    if not short:
        return None
    _, to = min(short)
    donors = [i for i in range(len(free)) if free[i] > want[i] and movable[i] > 0 and i != to]
    if not donors:
        return None
    return min(donors, key=lambda i: (drive_min[i, to], i)), to


def dmexclp_move(
    free: Sequence[int], movable: Sequence[int], cover: np.ndarray, weight: np.ndarray, q: float
) -> Move | None:
    """The one move of a movable unit that most raises expected coverage (None if none does).

    Examples
    --------
    >>> cover = np.array([[True, False], [False, True]])
    >>> dmexclp_move([2, 0], [2, 0], cover, np.array([1.0, 1.0]), 0.3)
    (0, 1)
    """
    base = expected_coverage(free, cover, weight, q)
    best: tuple[float, Move] | None = None
    cur = list(free)
    for a in range(len(free)):
        if movable[a] <= 0:
            continue
        for b in range(len(free)):
            if b == a:
                continue
            cur[a] -= 1
            cur[b] += 1
            gain = expected_coverage(cur, cover, weight, q) - base
            cur[a] += 1
            cur[b] -= 1
            if gain > 1e-12 and (best is None or gain > best[0]):
                best = (gain, (a, b))
    return None if best is None else best[1]


#: A bound policy: free and movable units per station -> at most one move.
MoveUpPolicy = Callable[[Sequence[int], Sequence[int]], Move | None]
