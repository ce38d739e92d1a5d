"""Joint PSA: calibrated draws kept honest (ABC), mechanism draws per replication under CRN.

Kept small: the synthetic county, 6 simulated days, 2 replications, 20 draws.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config.scenario import Scenario, load_scenario
from sim.config.uncertain import uncertain_fields
from sim.core.errors import UserError
from sim.core.rng import RandomStreams
from sim.core.units import MINUTES_PER_DAY
from sim.outcomes import with_reference_times
from sim.outcomes.calibration import DEFAULT_TARGETS, calibration_statistics
from sim.outcomes.joint import abc_draws, fit_targets, joint_parameters, refit_calibrated
from sim.outcomes.models import evaluate, prepare_patients
from sim.outcomes.params import OutcomeSpec, apply_values
from sim.runs.compare import Comparison, align, compare_scenarios
from sim.runs.joint import draw_assumptions, joint_scenario
from sim.runs.replications import demand_source
from sim.runs.study import save_comparison
from sim.runs.world import build_world

REPO = Path(__file__).resolve().parents[1]
SC = REPO / "scenarios"
DRAWS = 20


@pytest.fixture(scope="module")
def pair() -> tuple[Scenario, Scenario]:
    ov = ["run.horizon_days=6"]
    b = load_scenario(SC / "county_baseline.toml", ov)
    o = load_scenario(SC / "county_integrated.toml", ov)
    aligned = align([b, o])
    return aligned[0], aligned[1]


@pytest.fixture(scope="module")
def joint(pair: tuple[Scenario, Scenario], cache_dir: Path) -> Comparison:
    return compare_scenarios(
        list(pair),
        replications=2,
        psa_draws=DRAWS,
        joint_psa=True,
        cache_dir=cache_dir,
        with_map=False,
    )


def fitted_spec(base: Scenario, comp: Comparison) -> tuple[OutcomeSpec, pd.DataFrame]:
    inc = comp.runs[base.name].incidents
    inc = inc[inc["t_injury"] >= base.run.warm_up_days * MINUTES_PER_DAY]
    return with_reference_times(base.outcomes, inc), inc


def test_every_psa_draw_meets_the_fit_targets_within_tolerance(
    pair: tuple[Scenario, Scenario], joint: Comparison
) -> None:
    base = pair[0]
    spec, inc = fitted_spec(base, joint)
    params = joint_parameters(spec)
    draws = joint.joint_psa[joint.joint_psa["scenario"] == pair[1].name]
    assert len(draws) == DRAWS
    assert set(draws["rep"]) == {0, 1}  # draws are tied to both replications
    for _, d in draws.iterrows():
        s = apply_values(spec, {p.name: float(d[p.name]) for p in params}, params)
        # Held on the whole baseline (one 5-day replication's death split is too noisy).
        st = calibration_statistics(inc.assign(**evaluate(prepare_patients(inc), s)), s)
        for t in fit_targets():
            assert t.low <= st[t.metric] <= t.high, (t.metric, st[t.metric], int(d["rep"]))
    # Every candidate was tried and counted. On this short fixture the refit brings every
    # candidate inside the targets (all accepted since issue 17's streams); that the check
    # rejects a draw that misses is test_a_draw_that_misses_a_fit_target_is_rejected.
    assert joint.manifest["joint_psa_candidates"][pair[1].name] >= DRAWS


def test_a_draw_that_misses_a_fit_target_is_rejected(
    pair: tuple[Scenario, Scenario], joint: Comparison
) -> None:
    spec, inc = fitted_spec(pair[0], joint)
    # No hazard within the evidence priors puts 90 % of crash deaths before rescuers arrive.
    targets = tuple(
        replace(t, target=0.9, tolerance=0.01)
        if t.metric == "rtc_death_share_before_rescuers"
        else t
        for t in DEFAULT_TARGETS
    )
    with pytest.raises(UserError, match="met every fit target"):
        abc_draws(
            inc, spec, draws=2, rng=np.random.default_rng(1), targets=targets, max_candidates=5
        )


def test_mechanism_draws_are_shared_by_both_arms_and_differ_by_replication(
    pair: tuple[Scenario, Scenario],
) -> None:
    b, o = pair
    d_b0, d_o0, d_b1 = draw_assumptions(b, 0), draw_assumptions(o, 0), draw_assumptions(b, 1)
    absolute = [f.path for f in uncertain_fields(b) if f.value == f.value]
    assert d_b0 == d_o0  # same seed, same replication: the same world in both arms
    assert any(d_b0[p] != d_b1[p] for p in absolute)
    fields = {f.path: f for f in uncertain_fields(b)}
    assert all(fields[p].low <= v <= fields[p].high for p, v in d_b0.items())
    s0 = joint_scenario(b, 0)
    assert s0.fleet.turnout_min.mean() == pytest.approx(d_b0["fleet.turnout_min"])
    assert s0.run == b.run
    assert s0.demand.population_grid == b.demand.population_grid


def test_replications_run_with_their_own_draw(
    pair: tuple[Scenario, Scenario], joint: Comparison, cache_dir: Path
) -> None:
    # Per patient, not by mean: two replications' mean turn-outs differ by sampling noise and
    # load (a unit dispatched on the road has none) as much as by their draws (issue 17's
    # week-keyed streams flipped the order of two means 0.4 min apart).
    b = pair[0]
    inc = joint.runs[b.name].incidents
    world = build_world(b, cache_dir=cache_dir)

    def turnouts(s: Scenario, r: int) -> np.ndarray:
        windows = demand_source(s, world, RandomStreams(s.run.seed, r))
        return np.round(np.concatenate([d.patients["turnout_min"] for d in windows]), 6)

    for r in sorted(int(x) for x in inc["rep"].unique()):
        t = inc.loc[(inc["rep"] == r) & (inc["turnout_min"] > 0), "turnout_min"].to_numpy(float)
        realised = np.round(t, 6)
        assert realised.size > 50
        # Every realised turn-out is one drawn under this replication's draw, none under the
        # scenario as written.
        assert np.isin(realised, turnouts(joint_scenario(b, r), r)).all(), r
        assert not np.isin(realised, turnouts(b, r)).any(), r


def test_headline_interval_covers_all_assumptions_and_is_saved(
    pair: tuple[Scenario, Scenario], joint: Comparison, tmp_path: Path
) -> None:
    c = joint.comparison
    row = c[(c["scenario"] == pair[1].name) & (c["metric"] == "dalys_averted_per_year")].iloc[0]
    assert np.isfinite(row["psa_all_low"])
    assert row["psa_all_low"] <= row["psa_all_high"]
    assert joint.manifest["joint_psa"] is True
    folder = save_comparison(joint, tmp_path)
    sample = pd.read_csv(folder / "joint_psa.csv")
    assert {"alpha_cal", "hazard_HT", "fleet.turnout_min", "dalys_averted_per_year"} <= set(
        sample.columns
    )
    ev = pd.read_csv(folder / "evppi.csv")
    assert len(ev) == 10
    assert (ev["evppi_yuan_per_year"] >= 0).all()
    assert (ev["evppi_yuan_per_year"] <= ev["evpi_yuan_per_year"] + 1e-6).all()


def test_headline_and_cost_rows_carry_the_all_assumptions_interval(
    pair: tuple[Scenario, Scenario], joint: Comparison
) -> None:
    c = joint.comparison
    rows = c[c["scenario"] == pair[1].name].set_index("metric")
    headline = [
        "deaths_averted_per_year",
        "severe_disabilities_averted_per_year",
        "moderate_disabilities_averted_per_year",
        "dalys_averted_per_year",
        "incremental_cost_yuan_per_year",
        "cost_per_daly_averted_yuan",
    ]
    for m in headline:
        lo, hi = rows.loc[m, "psa_all_low"], rows.loc[m, "psa_all_high"]
        assert not np.isnan(lo), m
        assert lo <= hi, m
    # Each joint draw is priced at its own replication's quantities: the cost intervals are
    # those of the joint sample's costs and DALYs, the same columns the EVPPI uses.
    sample = joint.joint_psa[joint.joint_psa["scenario"] == pair[1].name]
    cost = sample["incremental_cost_yuan_per_year"].to_numpy(float)
    nmb = (
        pair[0].costs.gdp_per_capita_yuan * sample["dalys_averted_per_year"].to_numpy(float) - cost
    )
    assert rows.loc["nmb_1gdp_yuan", "psa_all_low"] == pytest.approx(
        float(np.percentile(nmb, 2.5)), rel=1e-9
    )
    assert rows.loc["incremental_cost_yuan_per_year", "psa_all_high"] == pytest.approx(
        float(np.percentile(cost, 97.5)), rel=1e-9
    )
    # Draws tied to different replications are priced at different quantities.
    assert sample.groupby("rep")["incremental_cost_yuan_per_year"].mean().nunique() > 1


def test_a_target_the_central_fit_misses_is_held_to_the_central_fit_only_when_asked(
    pair: tuple[Scenario, Scenario], joint: Comparison
) -> None:
    spec, inc = fitted_spec(pair[0], joint)
    targets = tuple(
        replace(t, target=0.9, tolerance=0.01)
        if t.metric == "rtc_death_share_before_rescuers"
        else t
        for t in DEFAULT_TARGETS
    )
    kept = abc_draws(
        inc,
        spec,
        draws=3,
        rng=np.random.default_rng(1),
        targets=targets,
        max_candidates=30,
        recentre_missed=True,
    )
    # Only the unreachable target is recentred, on the refitted central value, same width.
    central = refit_calibrated(inc[inc["kind"] == "trauma"], spec)
    at_centre = calibration_statistics(
        inc.assign(**evaluate(prepare_patients(inc), central)), central
    )["rtc_death_share_before_rescuers"]
    (metric, (lo, hi)), *others = kept.attrs["recentred"].items()
    assert metric == "rtc_death_share_before_rescuers"
    assert others == []
    assert (lo + hi) / 2 == pytest.approx(at_centre, abs=1e-9)
    assert hi - lo == pytest.approx(0.02)
    assert kept[metric].between(lo, hi).all()
    for t in fit_targets(targets):
        if t.metric != metric:
            assert kept[t.metric].between(t.low, t.high).all(), t.metric
    # The county meets every fit target at its centre: the comparison recentred none.
    assert joint.manifest["joint_psa_recentred_targets"] == {pair[1].name: {}}
