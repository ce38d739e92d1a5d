"""The 120 call-taker seats are an M/M/c queue: simulated waits match Erlang C.

Set-up: one centre with ``c`` seats, Poisson calls (flat hour and weekday profiles), a seat
held for an exponential call-taking time only (ring, locating and the dispatch decision
take 0 minutes; seat holding = ring + call-taking + location + decision, see
sim/model/dispatch_centre.py). Only non-trauma calls, whose call is placed at the onset, so
the call process is exactly Poisson. The replication means of the wait and of P(wait > 0)
must bracket the Erlang C values within their t-interval.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import (
    FLAT_HOURS,
    FLAT_WEEKDAYS,
    erlang_c,
    make_scenario,
    patient_table,
    run,
    t_half_width,
)

SEATS = 2
CALL_TAKING_MEAN_MIN = 60.0
LOAD_PER_SEAT = 0.6  # rho
CALLS_PER_MIN = LOAD_PER_SEAT * SEATS / CALL_TAKING_MEAN_MIN
HORIZON_DAYS = 60.0
TRIM_DAYS = 3.0  # the queue starts empty: drop the first days (relaxation time ~ 1 day)
REPS = 10
LEVEL = 0.99  # two-sided t-interval across replications


@pytest.fixture(scope="module")
def waits_by_rep(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[float, float, int]]:
    """Per replication: mean wait for a seat (min), share of calls that waited, calls."""
    folder: Path = tmp_path_factory.mktemp("erlang")
    scenario = make_scenario(
        folder,
        name="erlang_c",
        horizon_days=HORIZON_DAYS,
        replications=REPS,
        seed=314159,
        seats=SEATS,
        ambulances=12,
        rtc=0.0,
        fall=0.0,
        other=0.0,
        non_trauma=CALLS_PER_MIN * 1440.0,
        extra={
            "demand": {"hour_profile": FLAT_HOURS, "weekday_profile": FLAT_WEEKDAYS},
            "calls": {
                "ring_min": {"dist": "fixed", "value": 0.0},
                "call_taking_min": {"dist": "exponential", "mean_min": CALL_TAKING_MEAN_MIN},
                "location_problem_share": 0.0,
                "dispatch_decision_min": {"dist": "fixed", "value": 0.0},
            },
            # Ambulances do not touch the seat queue; keep their jobs short and cheap.
            "fleet": {"not_transported_share_non_trauma": 1.0},
        },
    )
    world, results = run(scenario)
    out = []
    for res in results:
        df = patient_table(scenario, world, res).drop_duplicates("incident_id")
        df = df[(df["t_call"] >= TRIM_DAYS * 1440.0) & df["t_call_answered"].notna()]
        wait = df["t_call_answered"] - df["t_call"]
        out.append((float(wait.mean()), float((wait > 1e-9).mean()), len(df)))
    return out


def test_enough_calls(waits_by_rep: list[tuple[float, float, int]]) -> None:
    expected = CALLS_PER_MIN * (HORIZON_DAYS - TRIM_DAYS) * 1440.0
    for _, _, n in waits_by_rep:
        assert abs(n - expected) < 5 * expected**0.5


def test_probability_of_waiting_matches_erlang_c(
    waits_by_rep: list[tuple[float, float, int]],
) -> None:
    theory = erlang_c(SEATS, CALLS_PER_MIN * CALL_TAKING_MEAN_MIN)
    mean, half = t_half_width([p for _, p, _ in waits_by_rep], LEVEL)
    assert abs(mean - theory) <= half, f"P(wait) {mean:.4f} ± {half:.4f} vs Erlang C {theory:.4f}"


def test_mean_wait_matches_erlang_c(waits_by_rep: list[tuple[float, float, int]]) -> None:
    a = CALLS_PER_MIN * CALL_TAKING_MEAN_MIN
    theory = erlang_c(SEATS, a) / (SEATS / CALL_TAKING_MEAN_MIN - CALLS_PER_MIN)
    mean, half = t_half_width([w for w, _, _ in waits_by_rep], LEVEL)
    assert abs(mean - theory) <= half, f"Wq {mean:.2f} ± {half:.2f} min vs Erlang C {theory:.2f}"
    # The interval must be informative (it would contain anything if it were very wide).
    assert half < 0.4 * theory


def test_erlang_c_formula() -> None:
    # Textbook values: c = 1 reduces to rho; c = 2, a = 1.2 gives 0.45.
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.2) == pytest.approx(0.45)
