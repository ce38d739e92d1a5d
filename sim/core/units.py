"""Unit conversions. The simulation clock is in minutes everywhere inside ``sim``."""

from __future__ import annotations

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
