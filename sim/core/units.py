"""Unit conversions. The simulation clock is in minutes everywhere inside ``sim``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

HOURS_PER_DAY = 24
MINUTES_PER_HOUR = 60.0
MINUTES_PER_DAY = 1440.0
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MINUTES_PER_YEAR = 365.0 * MINUTES_PER_DAY
EARTH_RADIUS_M = 6_371_008.8


def s_to_min(seconds: float) -> float:
    """Convert seconds to minutes."""
    return seconds / 60.0


def kph_to_m_per_min(speed_kph: float) -> float:
    """Convert km/h to metres per minute."""
    return speed_kph * 1000.0 / 60.0


def travel_min_for(length_m: float, speed_kph: float) -> float:
    """Minutes needed to cover ``length_m`` metres at ``speed_kph``."""
    return length_m / kph_to_m_per_min(speed_kph)


def hour_of(t_min: float) -> int:
    """Hour of day (0..23) of simulation time ``t_min``.

    The one definition of the hour of day used by the model (travel periods, shifts) and
    by the metrics (:func:`hours_of` is its array form).

    Parameters
    ----------
    t_min
        Simulation clock in minutes; ``t_min = 0`` is midnight at the start of day 1.

    Returns
    -------
    int
        ``int(t_min // 60) % 24``.

    Examples
    --------
    >>> hour_of(0.0), hour_of(59.9), hour_of(60.0), hour_of(1440.0 + 125.0)
    (0, 0, 1, 2)
    """
    return int(t_min // MINUTES_PER_HOUR) % HOURS_PER_DAY


def period_of(hour: int, period_of_hour: Sequence[int] | np.ndarray) -> int:
    """Routing (congestion) period of an hour of day, from a world's 24-entry table.

    The one definition of "the period a trip starting in ``hour`` uses" (a trip keeps the
    period of its departure hour); the table is the travel tables' ``period_of_hour``,
    in which hours with the same congestion multipliers share a period.

    Parameters
    ----------
    hour
        Hour of day, e.g. from :func:`hour_of`; taken modulo 24, so an hour count since
        the start of the run works too.
    period_of_hour
        Period index of each hour 0..23 (list or int array of length 24).

    Returns
    -------
    int
        ``int(period_of_hour[hour % 24])``.

    Examples
    --------
    >>> table = [0] * 7 + [2] * 3 + [1] * 14
    >>> period_of(8, table), period_of(24 + 8, table), period_of(23, table)
    (2, 2, 1)
    """
    return int(period_of_hour[int(hour) % HOURS_PER_DAY])


def hours_of(t_min: np.ndarray) -> np.ndarray:
    """:func:`hour_of` of every element of ``t_min`` (int64 array).

    Examples
    --------
    >>> hours_of(np.array([0.0, 59.9, 60.0, 1565.0])).tolist()
    [0, 0, 1, 2]
    """
    out: np.ndarray = (
        np.floor(np.asarray(t_min) / MINUTES_PER_HOUR).astype(np.int64) % HOURS_PER_DAY
    )
    return out
