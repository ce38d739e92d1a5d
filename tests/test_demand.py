"""Demand generation: NHPP arrivals by hour, crash placement, patients per crash, case mix.

Statistical checks compare counts with their expectation under the model, using a
tolerance of a few standard deviations of the count (binomial or Poisson) with fixed seeds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import make_scenario
from scipy import stats

from sim.config.scenario import Scenario
from sim.core.entities import INJURY_CLASS_CODE, MECHANISM_CODE, NON_TRAUMA, RTC
from sim.core.rng import RandomStreams
from sim.demand.generate import Demand, arrival_times
from sim.network.core import ROAD_CLASS_CODE
from sim.runs.replications import draw_demand
from sim.runs.world import World, build_world

Z = 4.5  # standard deviations allowed per count (many counts are checked)
P_MIN = 1e-4  # smallest accepted chi-square p-value

HOURS = np.array([0.2, 0.2, 0.2, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0, 2.0, 1.8, 1.6,
                  1.5, 1.5, 1.6, 1.8, 2.0, 2.2, 1.8, 1.4, 1.0, 0.8, 0.5, 0.3])  # fmt: skip
WEEKDAYS = np.array([1.0, 1.0, 1.0, 1.0, 1.3, 0.6, 0.6])


def chi2_p(observed: np.ndarray, expected: np.ndarray) -> float:
    """p-value of a chi-square goodness-of-fit test (expected scaled to the observed total)."""
    expected = expected / expected.sum() * observed.sum()
    return float(stats.chisquare(observed, expected).pvalue)


# ------------------------------------------------------------------------------ arrivals


def test_arrivals_sorted_inside_horizon() -> None:
    t = arrival_times(50.0, HOURS, WEEKDAYS, 10 * 1440.0 - 30.0, 0, np.random.default_rng(1))
    assert np.all(np.diff(t) >= 0)
    assert t.min() >= 0
    assert t.max() < 10 * 1440.0 - 30.0
    assert arrival_times(0.0, HOURS, WEEKDAYS, 1440.0, 0, np.random.default_rng(1)).size == 0


def test_arrivals_follow_the_hour_profile() -> None:
    days, rate = 700, 30.0
    t = arrival_times(rate, HOURS, np.ones(7), days * 1440.0, 0, np.random.default_rng(2))
    by_hour = np.bincount((t // 60).astype(int) % 24, minlength=24)
    expected = rate / 24 * HOURS / HOURS.mean() * days
    assert abs(t.size - rate * days) < Z * np.sqrt(rate * days)
    assert np.all(np.abs(by_hour - expected) < Z * np.sqrt(expected))
    assert chi2_p(by_hour, expected) > P_MIN


def test_arrivals_follow_the_weekday_profile_from_start_weekday() -> None:
    weeks, rate, start = 150, 30.0, 4  # day 0 is a Friday
    t = arrival_times(
        rate, np.ones(24), WEEKDAYS, weeks * 7 * 1440.0, start, np.random.default_rng(3)
    )
    weekday = ((t // 1440).astype(int) + start) % 7
    observed = np.bincount(weekday, minlength=7)
    expected = rate * WEEKDAYS / WEEKDAYS.mean() * weeks
    assert np.all(np.abs(observed - expected) < Z * np.sqrt(expected))
    assert chi2_p(observed, expected) > P_MIN


def test_arrivals_uniform_within_the_hour() -> None:
    t = arrival_times(40.0, HOURS, WEEKDAYS, 300 * 1440.0, 0, np.random.default_rng(4))
    minute = np.floor(t % 60).astype(int)
    observed = np.bincount(minute, minlength=60)
    assert chi2_p(observed, np.ones(60)) > P_MIN


def test_arrival_counts_are_poisson() -> None:
    # Daily counts of a flat profile: variance equals the mean (index of dispersion ~ 1).
    days, rate = 2000, 12.0
    t = arrival_times(rate, np.ones(24), np.ones(7), days * 1440.0, 0, np.random.default_rng(5))
    counts = np.bincount((t // 1440).astype(int), minlength=days)
    dispersion = counts.var(ddof=1) / counts.mean()
    # Var of the dispersion index for Poisson counts ~ 2 / (days - 1).
    assert abs(dispersion - 1.0) < Z * np.sqrt(2 / (days - 1))


# ----------------------------------------------------------------- generated demand


@pytest.fixture(scope="module")
def crash_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Scenario, World, Demand]:
    """Only crashes, weighted onto two road classes, many of them."""
    folder: Path = tmp_path_factory.mktemp("demand")
    weights = dict.fromkeys(ROAD_CLASS_CODE, 0.0)
    weights.update({"motorway": 1.0, "residential": 3.0})
    scenario = make_scenario(
        folder,
        name="crashes",
        horizon_days=400.0,
        rtc=40.0,
        fall=0.0,
        other=0.0,
        non_trauma=0.0,
        extra={
            "demand": {
                "rtc_road_weights": weights,
                "patients_per_crash": {"1": 0.5, "2": 0.3, "3": 0.15, "5": 0.05},
                "case_mix": {
                    "rtc": {
                        "severe_share": 0.2,
                        "imm_share": 0.05,
                        "age_mean_years": 40,
                        "age_sd_years": 10,
                        "male_share": 0.6,
                    },
                },
            }
        },
    )
    world = build_world(scenario)
    return scenario, world, draw_demand(scenario, world, RandomStreams(scenario.run.seed, 0))


def test_crashes_only_on_weighted_classes(crash_world: tuple[Scenario, World, Demand]) -> None:
    _, world, demand = crash_world
    net = world.network
    src = net.edge_sources()
    allowed = np.isin(net.road_class, [ROAD_CLASS_CODE["motorway"], ROAD_CLASS_CODE["residential"]])
    node = demand.incidents["node"]
    assert np.all(demand.incidents["mechanism"] == RTC)
    assert np.isin(node, src[allowed]).all()
    # A crash lies part-way along its edge: access time is at most the edge's travel time.
    assert np.all(demand.incidents["access_min"] >= 0)
    assert demand.incidents["access_min"].max() <= net.travel_min[allowed].max()


def test_crashes_weighted_by_class_and_length(crash_world: tuple[Scenario, World, Demand]) -> None:
    _, world, demand = crash_world
    net = world.network
    src = net.edge_sources()
    w = net.length_m * np.where(
        net.road_class == ROAD_CLASS_CODE["motorway"],
        1.0,
        np.where(net.road_class == ROAD_CLASS_CODE["residential"], 3.0, 0),
    )
    p_edge = w / w.sum()
    motorway_nodes = np.unique(src[net.road_class == ROAD_CLASS_CODE["motorway"]])
    # P(crash node is the tail of some motorway edge), exact under edge-weighted sampling.
    p = p_edge[np.isin(src, motorway_nodes)].sum()
    n = demand.n_incidents
    observed = np.isin(demand.incidents["node"], motorway_nodes).sum()
    assert 0.05 < p < 0.95
    assert abs(observed - n * p) < Z * np.sqrt(n * p * (1 - p))


def test_patients_per_crash_distribution(crash_world: tuple[Scenario, World, Demand]) -> None:
    _, _, demand = crash_world
    counts = demand.incidents["n_patients"]
    n = counts.size
    for k, p in {1: 0.5, 2: 0.3, 3: 0.15, 5: 0.05}.items():
        assert abs((counts == k).sum() - n * p) < Z * np.sqrt(n * p * (1 - p)), k
    assert set(np.unique(counts)) <= {1, 2, 3, 5}
    # Patients are grouped by incident, in incident order.
    assert demand.n_patients == counts.sum()
    np.testing.assert_array_equal(demand.patients["incident"], np.repeat(np.arange(n), counts))
    np.testing.assert_array_equal(
        demand.incidents["first_patient"], np.concatenate([[0], np.cumsum(counts)[:-1]])
    )


def test_case_mix_shares(crash_world: tuple[Scenario, World, Demand]) -> None:
    scenario, _, demand = crash_world
    pat = demand.patients
    n = demand.n_patients
    cls = pat["injury_class"]
    imm = cls == INJURY_CLASS_CODE["IMM"]
    severe = pat["severe"]
    for observed, p in ((imm.sum(), 0.05), (severe.sum(), 0.2)):
        assert abs(observed - n * p) < Z * np.sqrt(n * p * (1 - p))
    assert np.all(pat["iss"][severe] >= 16)
    assert np.all(pat["iss"][~severe & ~imm] < 16)
    assert not pat["transport_needed"][imm].any()
    shares = scenario.demand.case_mix.severe_class_shares
    n_sev = int(severe.sum())
    for name, p in shares.items():
        observed = int((cls[severe] == INJURY_CLASS_CODE[name]).sum())
        assert abs(observed - n_sev * p) < Z * np.sqrt(n_sev * p * (1 - p)), name
    assert np.all(cls[~severe & ~imm] == INJURY_CLASS_CODE["MN"])
    male = pat["male"].mean()
    assert abs(male - 0.6) < Z * np.sqrt(0.24 / n)
    assert abs(pat["age_years"].mean() - 40) < Z * 10 / np.sqrt(n)


def test_mechanism_rates_and_non_trauma_patients(tmp_path: Path) -> None:
    days = 200.0
    rates = {"rtc": 3.0, "fall": 2.0, "other": 1.0, "non_trauma": 8.0}
    scenario = make_scenario(
        tmp_path,
        horizon_days=days,
        rtc=rates["rtc"],
        fall=rates["fall"],
        other=rates["other"],
        non_trauma=rates["non_trauma"],
    )
    world = build_world(scenario)
    demand = draw_demand(scenario, world, RandomStreams(1, 0))
    mech = demand.incidents["mechanism"]
    for name, rate in rates.items():
        observed = (mech == MECHANISM_CODE[name]).sum()
        assert abs(observed - rate * days) < Z * np.sqrt(rate * days), name
    assert np.all(np.diff(demand.incidents["t_injury"]) >= 0)
    nt = mech[demand.patients["incident"]] == NON_TRAUMA
    assert np.all(demand.patients["injury_class"][nt] == INJURY_CLASS_CODE["none"])
    assert np.all(demand.incidents["n_patients"][mech != RTC] == 1)
    # Non-trauma calls are placed at the onset; trauma calls after a positive delay.
    delay = demand.incidents["injury_to_call_min"]
    assert np.all(delay[mech == NON_TRAUMA] == 0)
    assert np.all(delay[mech != NON_TRAUMA] > 0)
