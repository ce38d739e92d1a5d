"""Pure dispatch and destination policies, tested without SimPy."""

from __future__ import annotations

from typing import get_args

import pytest

from sim.model.spec import DestinationSpec, FleetSpec
from sim.policies.destination import (
    DESTINATION_POLICIES,
    field_triage_severe,
    nearest,
    nearest_hospital,
    tiered,
)
from sim.policies.dispatch import (
    DISPATCH_POLICIES,
    Candidate,
    nearest_available,
    station_first_due,
)

C = Candidate


# ----------------------------------------------------------------------------- dispatch


def test_registries_match_the_scenario_schema() -> None:
    dispatch = FleetSpec.model_fields["dispatch_policy"].annotation
    assert set(DISPATCH_POLICIES) == set(get_args(dispatch))
    dest = DestinationSpec.model_fields["policy"].annotation
    assert set(DESTINATION_POLICIES) == set(get_args(dest))


@pytest.mark.parametrize("policy", list(DISPATCH_POLICIES.values()))
def test_no_free_unit_means_no_choice(policy) -> None:  # type: ignore[no-untyped-def]
    assert policy([], 0) is None


def test_nearest_available_picks_smallest_eta() -> None:
    cands = [C(0, 0, 9.0, True), C(1, 1, 6.5, False), C(2, 2, 7.0, True)]
    assert nearest_available(cands, 0) == cands[1]


def test_nearest_available_ties_go_to_lowest_unit_index() -> None:
    cands = [C(5, 0, 4.0, True), C(2, 1, 4.0, True), C(9, 2, 4.0, False)]
    assert nearest_available(cands, 0).unit == 2  # type: ignore[union-attr]
    assert nearest_available(list(reversed(cands)), 0).unit == 2  # type: ignore[union-attr]


def test_nearest_available_ignores_first_due_station() -> None:
    cands = [C(0, 3, 12.0, True), C(1, 1, 5.0, True)]
    assert nearest_available(cands, 3).unit == 1  # type: ignore[union-attr]


def test_station_first_due_prefers_idle_home_unit_even_if_farther() -> None:
    cands = [C(0, 3, 12.0, True), C(1, 1, 5.0, True)]
    assert station_first_due(cands, 3).unit == 0  # type: ignore[union-attr]


def test_station_first_due_nearest_of_several_home_units() -> None:
    cands = [C(0, 3, 12.0, True), C(4, 3, 11.0, True), C(1, 1, 5.0, True)]
    assert station_first_due(cands, 3).unit == 4  # type: ignore[union-attr]


def test_station_first_due_ignores_returning_home_unit() -> None:
    # A home unit on its way back is not "at the station": fall back to the nearest.
    cands = [C(0, 3, 12.0, False), C(1, 1, 5.0, True)]
    assert station_first_due(cands, 3).unit == 1  # type: ignore[union-attr]


def test_station_first_due_falls_back_to_nearest() -> None:
    cands = [C(0, 0, 9.0, True), C(1, 1, 6.5, False)]
    assert station_first_due(cands, 7).unit == 1  # type: ignore[union-attr]


def test_policies_do_not_mutate_candidates() -> None:
    cands = [C(0, 0, 9.0, True), C(1, 1, 6.5, False)]
    before = list(cands)
    for policy in DISPATCH_POLICIES.values():
        policy(cands, 0)
    assert cands == before


# -------------------------------------------------------------------------- destination

TIERS = ["county", "trauma_centre", "city", "county"]
MINUTES = [5.0, 30.0, 20.0, 3.0]


@pytest.mark.parametrize(
    ("severe", "u_under", "u_over", "expected"),
    [
        (True, 0.5, 0.0, True),  # severe, above the under-triage rate: recognised
        (True, 0.1, 0.0, False),  # severe, under-triaged
        (True, 0.142, 0.0, True),  # boundary: u >= rate is recognised
        (False, 0.0, 0.2, True),  # minor, over-triaged
        (False, 0.0, 0.5, False),  # minor, correctly judged minor
        (False, 0.0, 0.313, False),  # boundary: u < rate is over-triage
    ],
)
def test_field_triage(severe: bool, u_under: float, u_over: float, expected: bool) -> None:
    assert field_triage_severe(severe, u_under, u_over, 0.142, 0.313) is expected


def test_field_triage_rates_zero_and_one() -> None:
    for u in (0.0, 0.5, 0.999):
        assert field_triage_severe(True, u, u, 0.0, 0.0) is True
        assert field_triage_severe(False, u, u, 0.0, 0.0) is False
        assert field_triage_severe(True, u, u, 1.0, 1.0) is False
        assert field_triage_severe(False, u, u, 1.0, 1.0) is True


def test_nearest_hospital_any_tier() -> None:
    assert nearest_hospital(MINUTES, TIERS, None) == 3


def test_nearest_hospital_restricted_to_tiers() -> None:
    assert nearest_hospital(MINUTES, TIERS, ["trauma_centre", "city"]) == 2
    assert nearest_hospital(MINUTES, TIERS, ["trauma_centre"]) == 1


def test_nearest_hospital_falls_back_when_no_allowed_tier() -> None:
    assert nearest_hospital([4.0, 2.0], ["county", "county"], ["trauma_centre"]) == 1


def test_nearest_hospital_tie_goes_to_first() -> None:
    assert nearest_hospital([3.0, 3.0], ["city", "city"], None) == 0


def test_tiered_policy() -> None:
    severe_tiers = ["trauma_centre", "city"]
    assert tiered(MINUTES, TIERS, True, severe_tiers) == 2
    assert tiered(MINUTES, TIERS, False, severe_tiers) == 3


def test_nearest_policy_ignores_triage() -> None:
    assert nearest(MINUTES, TIERS, True, ["trauma_centre"]) == 3
    assert nearest(MINUTES, TIERS, False, ["trauma_centre"]) == 3
