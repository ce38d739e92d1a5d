"""Idle-unit coverage over time: the share of demand an idle unit could reach in time.

The move-up policies (sim/policies/move_up.py) move idle units to raise coverage; this is
the measure they are judged by in a comparison: at each moment, the share of the period's
calls whose place lies within the response standard of a station holding an idle unit,
averaged over time. Read from the event log only (pure function): a unit is idle at a
station from the start (its home) and from each UNIT_AT_STATION (at that station), and stops
being idle at its next AMBULANCE_DISPATCHED, UNIT_RELOCATED (it covers again on arrival) or
UNIT_OUT_OF_SERVICE (for the minutes out of service). Units lent in a mass-casualty
incident (indices past the local fleet) do not count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from sim.core.entities import EventKind

E = EventKind


def idle_coverage_share(
    events: Mapping[str, np.ndarray],
    home_station: Sequence[int],
    covers: np.ndarray,
    weight: np.ndarray,
    t_start: float,
    t_end: float,
) -> float:
    """Time-averaged share of demand within the response standard of an idle unit.

    Parameters
    ----------
    events
        One replication's event log as arrays (t, kind, unit, place, value), in time order.
    home_station
        Station index of each local unit at the start.
    covers
        Boolean ``(n_stations, n_places)``: the station reaches the place within its
        response standard.
    weight
        Demand weight of each place (e.g. calls there in the period).
    t_start, t_end
        The averaging window, minutes.

    Returns
    -------
    float
        In [0, 1]; NaN for an empty window or no demand.

    Examples
    --------
    >>> ev = {"t": np.array([10.0]), "kind": np.array([int(E.AMBULANCE_DISPATCHED)]),
    ...       "unit": np.array([0]), "place": np.array([0]), "value": np.array([np.nan])}
    >>> covers = np.array([[True, False]])
    >>> idle_coverage_share(ev, [0], covers, np.array([1.0, 1.0]), 0.0, 20.0)
    0.25
    """
    total_w = float(np.sum(weight))
    if t_end <= t_start or total_w <= 0:
        return float("nan")
    n_units, n_st = len(home_station), covers.shape[0]
    at = list(home_station)  # station where the unit is idle, -1 when not idle
    down = [0] * n_units  # open out-of-service windows
    counts_at = list(home_station)  # the station each unit is counted at in idle_at (-1)
    idle_at = np.bincount(np.asarray(home_station, int), minlength=n_st)
    share_of: dict[bytes, float] = {}

    def share() -> float:
        mask = idle_at > 0
        key = mask.tobytes()
        if key not in share_of:
            reached = covers[mask].any(axis=0) if mask.any() else np.zeros(covers.shape[1], bool)
            share_of[key] = float(np.sum(weight[reached])) / total_w
        return share_of[key]

    # (time, order, unit, station or LEAVES / DOWN / UP): changes of a unit's idle state.
    leaves, goes_down, comes_up = -1, -2, -3
    changes: list[tuple[float, int, int, int]] = []
    columns = (events["t"], events["kind"], events["unit"], events["place"], events["value"])
    for j, (t, k, u, place, value) in enumerate(zip(*columns, strict=True)):
        if not 0 <= u < n_units:
            continue
        if k == E.UNIT_AT_STATION:
            changes.append((float(t), j, int(u), int(place)))
        elif k in (E.AMBULANCE_DISPATCHED, E.UNIT_RELOCATED):
            changes.append((float(t), j, int(u), leaves))
        elif k == E.UNIT_OUT_OF_SERVICE:
            changes.append((float(t), j, int(u), goes_down))
            changes.append((float(t + value), j, int(u), comes_up))
    changes.sort(key=lambda c: (c[0], c[1]))
    acc, t_prev = 0.0, t_start
    for t, _, u, what in changes:
        if t >= t_end:
            break
        if t > t_prev:
            acc += share() * (t - t_prev)
            t_prev = t
        if what == leaves:
            at[u] = -1
        elif what == goes_down:
            down[u] += 1
        elif what == comes_up:
            down[u] -= 1
        else:
            at[u] = what
        counted = at[u] if not down[u] else -1  # the station the unit covers from now
        if counted != counts_at[u]:
            if counts_at[u] >= 0:
                idle_at[counts_at[u]] -= 1
            if counted >= 0:
                idle_at[counted] += 1
            counts_at[u] = counted
    if t_end > t_prev:
        acc += share() * (t_end - t_prev)
    return acc / (t_end - t_start)
