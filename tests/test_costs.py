"""``[costs]`` and the cost-effectiveness rows of comparison.csv, checked by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.config.scenario import load_scenario
from sim.outcomes.costeffect import COST_METRICS, cost_effect_table
from sim.outcomes.costs import COST_ITEMS, CostItem, CostsSpec, fixed_quantities, usage_by_rep
from sim.runs.compare import compare_scenarios
from sim.runs.study import save_comparison

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = REPO_ROOT / "scenarios"
GDP = 89_358.0
T_975_1DF = 12.706204736174698  # t quantile, 1 degree of freedom (two replications)


def test_two_point_example_by_hand() -> None:
    # Two replications: +1.0 and +1.2 million yuan a year; 20 and 24 DALYs, 2 and 2 deaths.
    table, draws = cost_effect_table(
        np.array([1.0e6, 1.2e6]),
        np.array([20.0, 24.0]),
        np.array([2.0, 2.0]),
        gdp_per_capita_yuan=GDP,
    )
    assert draws.empty
    assert list(table.index) == list(COST_METRICS)
    cost = table.loc["incremental_cost_yuan_per_year"]
    assert cost["mean"] == pytest.approx(1.1e6)
    # sd of the two values = 0.2e6 / sqrt 2; half-width = t * sd / sqrt 2 = t * 0.1e6.
    assert cost["ci_high"] - cost["mean"] == pytest.approx(T_975_1DF * 0.1e6)
    # Ratio of the means: 1.1e6 / 22 = 50,000 yuan per DALY; 1.1e6 / 2 = 550,000 per death.
    assert table.loc["cost_per_daly_averted_yuan", "mean"] == pytest.approx(50_000.0)
    assert table.loc["cost_per_death_averted_yuan", "mean"] == pytest.approx(550_000.0)
    assert math.isnan(table.loc["cost_per_daly_averted_yuan", "ci_low"])
    # NMB per replication: 89,358 x 20 - 1.0e6 = 787,160; 89,358 x 24 - 1.2e6 = 944,592.
    nmb1 = table.loc["nmb_1gdp_yuan"]
    assert nmb1["mean"] == pytest.approx((787_160 + 944_592) / 2)
    assert nmb1["ci_high"] - nmb1["mean"] == pytest.approx(T_975_1DF * (944_592 - 787_160) / 2)
    # 3x: 268,074 x 20 - 1.0e6 = 4,361,480; x 24 - 1.2e6 = 5,233,776.
    assert table.loc["nmb_3gdp_yuan", "mean"] == pytest.approx((4_361_480 + 5_233_776) / 2)


def test_psa_draws_pair_cost_and_effect() -> None:
    # Four draws; the third averts nothing (infinite ratio), the fourth changes nothing.
    table, draws = cost_effect_table(
        np.array([1.0e6, 1.0e6]),
        np.array([10.0, 10.0]),
        np.array([1.0, 1.0]),
        gdp_per_capita_yuan=GDP,
        cost_draws=np.array([1.0e6, 2.0e6, 1.0e6, 0.0]),
        dalys_draws=np.array([10.0, 10.0, 0.0, 0.0]),
        deaths_draws=np.array([1.0, 1.0, 0.0, 0.0]),
    )
    ratios = draws["cost_per_daly_averted_yuan"].to_numpy()
    assert ratios[0] == 100_000
    assert ratios[1] == 200_000
    assert ratios[2] == math.inf
    assert math.isnan(ratios[3])
    # Undefined draws are left out; the infinite one is the upper end (no inf - inf = nan).
    row = table.loc["cost_per_daly_averted_yuan"]
    assert row["psa_low"] == 100_000
    assert row["psa_high"] == math.inf
    nmb = draws["nmb_1gdp_yuan"].to_numpy()
    assert nmb == pytest.approx([GDP * 10 - 1e6, GDP * 10 - 2e6, -1e6, 0.0])


def test_zero_effect_is_infinite_or_undefined() -> None:
    costly, _ = cost_effect_table(
        np.array([5e5, 5e5]), np.zeros(2), np.zeros(2), gdp_per_capita_yuan=GDP
    )
    assert costly.loc["cost_per_daly_averted_yuan", "mean"] == math.inf
    assert costly.loc["cost_per_death_averted_yuan", "mean"] == math.inf
    assert costly.loc["nmb_1gdp_yuan", "mean"] == -5e5
    free, _ = cost_effect_table(np.zeros(2), np.zeros(2), np.zeros(2), gdp_per_capita_yuan=GDP)
    assert math.isnan(free.loc["cost_per_daly_averted_yuan", "mean"])
    saving, _ = cost_effect_table(
        np.array([-1.0, -1.0]), np.zeros(2), np.zeros(2), gdp_per_capita_yuan=GDP
    )
    assert saving.loc["cost_per_daly_averted_yuan", "mean"] == -math.inf


def test_cost_item_ranges_and_quantiles() -> None:
    item = CostItem(yuan=150, low_yuan=100, high_yuan=300, source="[U] test")
    u = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    # Median 150: uniform on [100, 150] below it, on [150, 300] above.
    assert item.at_quantile(u) == pytest.approx([100.0, 125.0, 150.0, 225.0, 300.0])
    fixed = CostItem(yuan=7, source="a published tariff")
    assert fixed.at_quantile(u) == pytest.approx([7.0] * 5)
    with pytest.raises(ValueError, match="needs low_yuan and high_yuan"):
        CostItem(yuan=1, source="[U] guess")
    with pytest.raises(ValueError, match="both low_yuan and high_yuan"):
        CostItem(yuan=1, low_yuan=0, source="x")
    spec = CostsSpec()
    assert spec.gdp_per_capita_yuan == GDP
    assert spec.gdp_year == 2023
    for name in COST_ITEMS:  # every default is sourced or an explicit [U] range
        c = getattr(spec, name)
        assert c.source, name
        assert c.low_yuan is not None or "[U]" not in c.source, name


def test_quantities_of_the_integrated_county() -> None:
    s = load_scenario(SCENARIOS / "county_integrated.toml")
    q = fixed_quantities(units=7, seats=2, centres=1, mechanisms=s.mechanisms)
    assert q["ambulance_crew_year"] == 7
    assert q["call_taker_seat_year"] == 2
    assert q["aml_acn_platform_year"] == 1
    assert q["video_first_aid_year"] == 1
    ex = s.mechanisms.expert_consultation
    assert q["expert_pool_hour"] == ex.experts * 24 * 365
    b = load_scenario(SCENARIOS / "county_baseline.toml")
    qb = fixed_quantities(units=7, seats=2, centres=1, mechanisms=b.mechanisms)
    assert qb["aml_acn_platform_year"] == qb["video_first_aid_year"] == qb["expert_pool_hour"] == 0
    # Usage: two escorted transports of 30 and 90 min in half a year -> 4 hours a year.
    inc = pd.DataFrame(
        {
            "rep": [0, 0, 0, 1],
            "t_injury": [10.0, 20.0, 30.0, 5.0],
            "escorted": [True, True, False, False],
            "transport_min": [30.0, 90.0, 45.0, np.nan],
            "prenotified": [True, False, True, False],
        }
    )
    use = usage_by_rep(inc, warm_up_min=0.0, years=0.5)
    assert use.loc[0, "police_escort_hour"] == pytest.approx(4.0)
    assert use.loc[1, "police_escort_hour"] == 0.0
    assert use.loc[0, "prenotification_patient"] == pytest.approx(4.0)


def test_comparison_rows_of_a_costly_change_without_effect(tmp_path: Path) -> None:
    """A change that only costs (dearer seats) has an infinite cost per DALY averted."""
    clock = ["run.horizon_days=3", "run.replications=2"]
    base = load_scenario(SCENARIOS / "county_baseline.toml", clock)
    dearer = base.with_overrides(["name=dearer_seats", "costs.call_taker_seat_year.yuan=600000"])
    comp = compare_scenarios([base, dearer], psa_draws=5, with_map=False)
    rows = comp.comparison.set_index(["scenario", "metric"])
    seats = 2  # scenarios/data/county_centres.csv
    incr = rows.loc[("dearer_seats", "incremental_cost_yuan_per_year")]
    assert incr["mean"] == pytest.approx(seats * 100_000)
    assert rows.loc[("dearer_seats", "dalys_averted_per_year"), "mean"] == 0
    assert rows.loc[("dearer_seats", "cost_per_daly_averted_yuan"), "mean"] == math.inf
    assert rows.loc[("dearer_seats", "nmb_1gdp_yuan"), "mean"] == pytest.approx(-seats * 100_000)
    assert {"incremental_cost_yuan_per_year", "dalys_averted_per_year"} <= set(comp.psa.columns)
    # Written and read back: "inf" stays infinite in comparison.csv; psa.csv feeds the CEAC.
    folder = save_comparison(comp, tmp_path)
    back = pd.read_csv(folder / "comparison.csv").set_index(["scenario", "metric"])
    assert back.loc[("dearer_seats", "cost_per_daly_averted_yuan"), "mean"] == math.inf
    psa = pd.read_csv(folder / "psa.csv")
    assert len(psa) == 5
    assert psa["cost_per_daly_averted_yuan"].eq(math.inf).all()
