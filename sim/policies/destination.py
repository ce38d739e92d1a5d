"""Destination policies: pure functions choosing the receiving hospital.

Field triage judges a patient severe or not (with under- and over-triage rates); the
``tiered`` policy then takes judged-severe patients to the nearest hospital of the tiers
triage asks for, others to the nearest hospital. ``nearest`` ignores triage.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def field_triage_severe(
    severe: bool, u_under: float, u_over: float, undertriage: float, overtriage: float
) -> bool:
    """Whether field triage judges the patient severe (uniform draws pre-made per patient).

    Examples
    --------
    >>> field_triage_severe(True, 0.5, 0.0, 0.142, 0.313)
    True
    >>> field_triage_severe(True, 0.1, 0.0, 0.142, 0.313)
    False
    """
    return u_under >= undertriage if severe else u_over < overtriage


def nearest_hospital(
    minutes: Sequence[float], tiers: Sequence[str], allowed_tiers: Sequence[str] | None
) -> int:
    """Index of the hospital with the fewest minutes among allowed tiers (all if None).

    Falls back to all hospitals when no hospital has an allowed tier.

    Examples
    --------
    >>> nearest_hospital([5.0, 9.0, 7.0], ["county", "trauma_centre", "city"], ["trauma_centre"])
    1
    """
    best, best_min = -1, float("inf")
    for i, m in enumerate(minutes):
        if (allowed_tiers is None or tiers[i] in allowed_tiers) and m < best_min:
            best, best_min = i, m
    if best < 0:
        return nearest_hospital(minutes, tiers, None)
    return best


def tiered(
    minutes: Sequence[float],
    tiers: Sequence[str],
    judged_severe: bool,
    severe_tiers: Sequence[str],
) -> int:
    """Judged-severe patients to the nearest hospital of ``severe_tiers``, others to the nearest."""
    return nearest_hospital(minutes, tiers, severe_tiers if judged_severe else None)


def nearest(
    minutes: Sequence[float],
    tiers: Sequence[str],
    judged_severe: bool,
    severe_tiers: Sequence[str],
) -> int:
    """The nearest hospital whatever triage says."""
    return nearest_hospital(minutes, tiers, None)


def transfer_target(
    h: int,
    minutes_from_h: Sequence[float],
    tiers: Sequence[str],
    capable_tiers: set[str] | None,
) -> int:
    """The hospital a patient at hospital ``h`` is transferred to: the nearest other capable one.

    ``minutes_from_h[j]`` is the drive from ``h`` to hospital ``j``; ``capable_tiers`` the tiers
    that treat the patient's injury class (None: every tier). The first of equally near
    hospitals wins; with no other capable hospital the patient stays at ``h``.

    Examples
    --------
    >>> transfer_target(0, [0.0, 30.0, 20.0], ["county", "trauma_centre", "city"], {"city"})
    2
    >>> transfer_target(0, [0.0, 30.0], ["county", "county"], {"city"})
    0
    """
    best, best_min = h, float("inf")
    for j, tier in enumerate(tiers):
        if j != h and (capable_tiers is None or tier in capable_tiers):
            m = minutes_from_h[j]
            if m < best_min:
                best, best_min = j, m
    return best


DestinationPolicy = Callable[[Sequence[float], Sequence[str], bool, Sequence[str]], int]

DESTINATION_POLICIES: dict[str, DestinationPolicy] = {"tiered": tiered, "nearest": nearest}
