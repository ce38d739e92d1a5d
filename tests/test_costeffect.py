"""Cost-effectiveness arithmetic, checked by hand on small examples."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.outcomes.costeffect import (
    CHINA_GDP_PER_CAPITA_YUAN,
    WTP_THRESHOLDS_YUAN,
    best_within_budget,
    ceac,
    cost_per_unit_averted,
    efficiency_frontier,
    net_monetary_benefit,
)


def test_two_point_example_by_hand() -> None:
    # Base vs one strategy: +1,000,000 yuan a year, 20 DALYs and 2 deaths averted a year.
    cost, dalys, deaths = 1_000_000.0, 20.0, 2.0
    assert cost_per_unit_averted(cost, dalys) == 50_000.0
    assert cost_per_unit_averted(cost, deaths) == 500_000.0
    # 1x GDP per capita (89,358 yuan, 2023): 89,358 * 20 - 1,000,000 = 787,160 yuan.
    assert CHINA_GDP_PER_CAPITA_YUAN == 89_358.0
    one_x = WTP_THRESHOLDS_YUAN["1x_gdp_per_capita"]
    three_x = WTP_THRESHOLDS_YUAN["3x_gdp_per_capita"]
    assert net_monetary_benefit(dalys, cost, one_x) == pytest.approx(787_160.0)
    # 3x: 268,074 * 20 - 1,000,000 = 4,361,480 yuan.
    assert net_monetary_benefit(dalys, cost, three_x) == pytest.approx(4_361_480.0)


def test_zero_effect_is_infinite_or_undefined_never_an_error() -> None:
    assert cost_per_unit_averted(500_000.0, 0.0) == math.inf
    assert cost_per_unit_averted(-500_000.0, 0.0) == -math.inf
    assert math.isnan(cost_per_unit_averted(0.0, 0.0))
    assert math.isnan(cost_per_unit_averted(0.0, math.nan))


def test_ceac_shares_by_hand() -> None:
    # Two PSA draws: 20 and 5 DALYs averted for 1,000,000 yuan each.
    curve = ceac({"a": ([1e6, 1e6], [20.0, 5.0])}, [0.0, 1e5, 3e5])
    p = curve.pivot(index="wtp_yuan", columns="strategy", values="p_cost_effective")
    # wtp 0: NMB -1e6 in both draws -> base; 1e5: NMB +1e6 / -5e5 -> half; 3e5: both > 0.
    assert p.loc[0.0].to_dict() == {"a": 0.0, "base": 1.0}
    assert p.loc[1e5].to_dict() == {"a": 0.5, "base": 0.5}
    assert p.loc[3e5].to_dict() == {"a": 1.0, "base": 0.0}
    assert curve.groupby("wtp_yuan")["p_cost_effective"].sum().eq(1.0).all()


def test_frontier_drops_strong_and_extended_dominance() -> None:
    table = pd.DataFrame(
        {
            "strategy": ["base", "x", "y", "z", "w"],
            "cost_yuan": [0.0, 1e6, 1.5e6, 2e6, 4e6],
            "dalys_averted": [0.0, 10.0, 30.0, 20.0, 40.0],
        }
    )
    front = efficiency_frontier(table)
    # z costs more than y and averts less (strong); x's ratio 100,000 exceeds y-vs-x's
    # 25,000 (extended). Left: base, y at 1.5e6/30 = 50,000, w at 2.5e6/10 = 250,000.
    assert front["strategy"].tolist() == ["base", "y", "w"]
    assert math.isnan(front["icer_yuan_per_daly"].iloc[0])
    assert front["icer_yuan_per_daly"].iloc[1:].tolist() == [50_000.0, 250_000.0]
    best = best_within_budget(table, 2e6)
    assert best is not None
    assert best["strategy"] == "y"
    assert best_within_budget(table, -1.0) is None
