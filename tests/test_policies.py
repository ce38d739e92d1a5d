"""Pure dispatch and destination policies, tested without SimPy."""

from __future__ import annotations

import math
from typing import get_args

import pytest

from sim.model.spec import DestinationSpec, FleetSpec
from sim.policies.destination import (
    DESTINATION_POLICIES,
    field_triage_severe,
    nearest,
    nearest_hospital,
    tiered,
    transfer_target,
)
from sim.policies.dispatch import (
    DISPATCH_POLICIES,
    Candidate,
    nearest_available,
    station_first_due,
)
from sim.policies.scene import escort_applies, judged_severe, prenotifies

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


# ----------------------------------------------------------------------------- scene departure


@pytest.mark.parametrize(
    ("trauma", "severe", "u_under", "consult", "expected"),
    [
        (True, True, 0.15, False, False),  # under-triaged (0.15 < 0.2)
        (True, True, 0.15, True, True),  # consultation halves the rate: 0.15 >= 0.1
        (True, True, 0.05, True, False),  # still under-triaged below the reduced rate
        (False, True, 0.9, False, False),  # non-trauma is never severe trauma
        (True, False, 0.9, False, True),  # u_over 0.1 < over-triage 0.3: over-triaged
    ],
)
def test_judged_severe(
    trauma: bool, severe: bool, u_under: float, consult: bool, expected: bool
) -> None:
    got = judged_severe(
        trauma=trauma,
        severe=severe,
        u_under=u_under,
        u_over=0.1,
        undertriage=0.2,
        overtriage=0.3,
        consult_started=consult,
        undertriage_left=0.5,
    )
    assert got is expected


def test_prenotifies_by_crew_share_or_police_relay_only_when_judged_severe() -> None:
    def f(judged: bool, u: float, share: float, relay: bool) -> bool:
        return prenotifies(
            judged_severe=judged, u_prenotify=u, prenotify_share=share, police_relay=relay
        )

    assert f(True, 0.4, 0.5, False)
    assert not f(True, 0.5, 0.5, False)  # share is a strict bound on the uniform
    assert f(True, 0.9, 0.5, True)
    assert not f(True, 0.0, -math.inf, False)  # pre-notification off
    assert not f(False, 0.0, 0.5, True)


def test_escort_applies_needs_removal_escort_and_police() -> None:
    assert escort_applies(congestion_removed=0.3, escorted=True, police_on_scene=True)
    assert not escort_applies(congestion_removed=0.0, escorted=True, police_on_scene=True)
    assert not escort_applies(congestion_removed=0.3, escorted=False, police_on_scene=True)
    assert not escort_applies(congestion_removed=0.3, escorted=True, police_on_scene=False)


# ----------------------------------------------------------------------------- transfers


def test_transfer_target_nearest_other_capable() -> None:
    tiers = ["county", "trauma_centre", "city", "city"]
    minutes = [0.0, 40.0, 25.0, 25.0]
    assert transfer_target(0, minutes, tiers, {"trauma_centre", "city"}) == 2  # first tie wins
    assert transfer_target(0, minutes, tiers, {"trauma_centre"}) == 1
    assert transfer_target(2, [25.0, 40.0, 0.0, 1.0], tiers, {"city"}) == 3  # never itself
    assert transfer_target(0, minutes, tiers, None) == 2  # any tier: nearest other
    assert transfer_target(0, minutes, tiers, {"county"}) == 0  # none other: stays
