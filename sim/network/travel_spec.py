"""The ``[travel]`` scenario section and the time-of-day periods it defines.

:class:`TravelSpec` holds the congestion profile per road class and hour, the
emergency-driving factor per dispatch priority, the off-network access speed and the snap
limit. Hours with the same multipliers on every road class present share one routing
*period* (:func:`periods`; period 0 is always free flow).

Clock convention: the simulation clock ``t`` is in minutes and ``t = 0`` is midnight at the
start of day 1, so the hour of day is ``int(t // 60) % 24`` (:func:`sim.core.units.hour_of`). A
trip takes the period of the hour in which it *starts* for its whole length (no mid-trip period
switch).
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field, field_validator

from sim.config.spec_base import Spec
from sim.core.units import HOURS_PER_DAY
from sim.network.core import ROAD_CLASS_CODE, ROAD_CLASSES

PRIORITIES: tuple[int, ...] = (1, 2, 3)
DEFAULT_ROW = "default"


def _hourly(night: float, shoulder: float, day: float, peak: float) -> tuple[float, ...]:
    """24 hourly multipliers from four levels (same hour pattern for every road class).

    Night 22:00-05:59, shoulder 06, 09, 16, 19-21, daytime 10:00-15:59, peaks 07-08 and 17-18.
    Sharing one hour pattern keeps the number of distinct periods (and table memory) at four.
    """
    level = {"n": night, "s": shoulder, "d": day, "p": peak}
    pattern = "nnnnnn" + "spps" + "dddddd" + "spps" + "ss" + "nn"
    return tuple(level[c] for c in pattern)


def default_congestion_profile() -> dict[str, tuple[float, ...]]:
    """Default weekday congestion multipliers per road class (an assumption, see TravelSpec)."""
    return {
        "motorway": _hourly(1.0, 1.15, 1.1, 1.35),
        "trunk": _hourly(1.0, 1.25, 1.15, 1.5),
        "primary": _hourly(1.0, 1.35, 1.25, 1.7),
        "secondary": _hourly(1.0, 1.35, 1.25, 1.65),
        "tertiary": _hourly(1.0, 1.3, 1.2, 1.55),
        "residential": _hourly(1.0, 1.15, 1.1, 1.3),
        "service": _hourly(1.0, 1.05, 1.05, 1.15),
        DEFAULT_ROW: _hourly(1.0, 1.15, 1.1, 1.3),
    }


def default_emergency_factors() -> dict[int, float]:
    """Default emergency-driving time multipliers per dispatch priority."""
    return {1: 0.85, 2: 0.9, 3: 1.0}


class TravelSpec(Spec):
    """The scenario's ``[travel]`` section: how free-flow minutes become drive minutes."""

    congestion_profile: dict[str, tuple[float, ...]] = Field(
        default_factory=default_congestion_profile,
        description=(
            "Hourly travel-time multipliers (dimensionless, 24 values for hours 0..23, "
            ">= 1.0 means slower than free flow) per road class; keys are road class names "
            f"({', '.join(ROAD_CLASSES)}) plus a 'default' row used for classes not listed "
            "(without a 'default' row, unlisted classes run at free flow). Hours with equal "
            "multipliers for every class share one routing period. The default is an "
            "ASSUMPTION for a Chinese-city weekday: peaks 07-08 and 17-18 at 1.55-1.7 on "
            "primary/secondary/tertiary, 1.5 trunk, 1.35 motorway, 1.3 residential, 1.15 "
            "service; daytime 1.1-1.25; shoulder hours 06, 09, 16, 19-21 at 1.05-1.35; night "
            "1.0. Scale from the AMap (Gaode) China Urban Traffic Report, which puts Hangzhou's "
            "peak congestion delay index (peak over free-flow travel time) at about 1.5-1.8 [S]. "
            "Replace with local floating-car data (per road class and hour) when available."
        ),
    )
    emergency_factor_by_priority: dict[int, float] = Field(
        default_factory=default_emergency_factors,
        description=(
            "Drive-time multiplier (dimensionless) per dispatch priority (1 = most urgent), "
            "applied to every response and transport leg of that priority; give all of 1, 2, "
            "3. Default {1: 0.85, 2: 0.9, 3: 1.0}: lights and sirens save about 10-30 % of "
            "urban response drive time (Ho 1998 Ann Emerg Med: 3.02 min, 38.5 %; Brown 2000 "
            "Prehosp Emerg Care: 1.76 min; docs/evidence.md §4.2), taken conservatively "
            "because the profile already sets peak-hour delays."
        ),
    )
    signal_delay_factor: float = Field(
        default=1.0,
        ge=1.0,
        le=3.0,
        description=(
            "Multiplier (dimensionless, every hour) on drive times of all road classes but "
            "motorways, for signal and intersection delays that routing-engine free-flow "
            "speeds leave out (the Hangzhou extracts' speeds are OSRM free flow without signal "
            "delays, ../shared/networks/README.md). Default 1.0 (none); the Hangzhou scenario "
            "calibrates it against published Chinese response times (docs/calibration.md). "
            "An escort's congestion_removed share also removes this delay (signal priority)."
        ),
    )
    access_speed_kph: float = Field(
        default=15.0,
        gt=0,
        description=(
            "Speed in km/h over the straight-line distance between a point (incident, "
            "facility) and its nearest road node. Default 15 km/h is an ASSUMPTION: walking "
            "or slow driving over the last metres through compounds and lanes not in the map."
        ),
    )
    snap_limit_m: float = Field(
        default=1000.0,
        gt=0,
        description=(
            "Largest allowed distance in metres from a point to its nearest road node; a "
            "farther point is rejected with an error rather than silently moved. Default "
            "1000 m (an assumption: the extract's edge is a few hundred metres from some "
            "hospitals)."
        ),
    )

    @field_validator("congestion_profile")
    @classmethod
    def _check_profile(cls, value: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
        allowed = (*ROAD_CLASSES, DEFAULT_ROW)
        for name, row in value.items():
            if name not in allowed:
                msg = f"unknown road class {name!r}; allowed: {', '.join(allowed)}"
                raise ValueError(msg)
            if len(row) != HOURS_PER_DAY:
                msg = f"row {name!r} needs 24 hourly values (hours 0..23), got {len(row)}"
                raise ValueError(msg)
            if not all(math.isfinite(x) and x > 0 for x in row):
                msg = f"row {name!r}: every multiplier must be finite and > 0"
                raise ValueError(msg)
        return value

    @field_validator("emergency_factor_by_priority")
    @classmethod
    def _check_emergency(cls, value: dict[int, float]) -> dict[int, float]:
        if set(value) != set(PRIORITIES):
            msg = (
                "give one factor for each priority "
                f"{', '.join(map(str, PRIORITIES))}; got keys {sorted(value)}"
            )
            raise ValueError(msg)
        if not all(math.isfinite(x) and x > 0 for x in value.values()):
            msg = "every factor must be finite and > 0"
            raise ValueError(msg)
        return value

    def class_multipliers(self) -> np.ndarray:
        """float64 array (24, len(ROAD_CLASSES)): the multiplier of each hour and road class."""
        base = self.congestion_profile.get(DEFAULT_ROW, (1.0,) * HOURS_PER_DAY)
        out = np.empty((HOURS_PER_DAY, len(ROAD_CLASSES)), dtype=np.float64)
        for name, code in ROAD_CLASS_CODE.items():
            out[:, code] = self.congestion_profile.get(name, base)
            if name != "motorway":
                out[:, code] *= self.signal_delay_factor
        return out


def periods(
    hour_multipliers: np.ndarray, used_classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Group hours with identical multipliers (on the classes present) into periods.

    Returns ``(period_multipliers, period_of_hour)``; period 0 is free flow (all 1.0) whether
    or not an hour maps to it.
    """
    n_classes = hour_multipliers.shape[1]
    periods: list[np.ndarray] = [np.ones(n_classes)]
    keys: list[tuple[float, ...]] = [tuple(np.ones(int(used_classes.sum())).tolist())]
    period_of_hour = np.zeros(HOURS_PER_DAY, dtype=np.int64)
    for hour in range(HOURS_PER_DAY):
        row = hour_multipliers[hour]
        key = tuple(row[used_classes].tolist())
        if key in keys:
            period_of_hour[hour] = keys.index(key)
        else:
            keys.append(key)
            periods.append(row.copy())
            period_of_hour[hour] = len(periods) - 1
    return np.vstack(periods), period_of_hour
