"""EVPPI on a toy decision with a known answer (Strong & Oakley 2013 binned estimator)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core.errors import UserError
from sim.outcomes.evppi import DEFAULT_WTP_YUAN, evpi, evppi_table, partial_evpi_binned


def toy(k: int = 40_000, eps: float = 0.5) -> pd.DataFrame:
    # INB = a + eps * b with a, b ~ U(-1, 1) independent: E[INB] = 0, so
    # EVPPI(a) = E[max(0, a)] = 1/4, EVPPI(b) = E[max(0, eps b)] = eps / 4, EVPPI(c) = 0.
    rng = np.random.default_rng(3)
    a, b, c = (rng.uniform(-1, 1, k) for _ in range(3))
    return pd.DataFrame({"a": a, "b": b, "c": c, "inb": a + eps * b})


def test_binned_evppi_matches_the_analytic_answer() -> None:
    d = toy()
    assert partial_evpi_binned(d["a"].to_numpy(), d["inb"].to_numpy()) == pytest.approx(
        0.25, abs=0.01
    )
    assert partial_evpi_binned(d["b"].to_numpy(), d["inb"].to_numpy()) == pytest.approx(
        0.125, abs=0.01
    )
    # An irrelevant parameter keeps the estimator's known upward bias, about
    # 0.4 sd(INB) / sqrt(draws per bin) = 0.4 x 0.65 / sqrt(200) = 0.018: far below 1/4.
    assert partial_evpi_binned(d["c"].to_numpy(), d["inb"].to_numpy()) < 0.03
    # EVPI = E[max(0, a + b/2)] > EVPPI of either.
    assert evpi(d["inb"].to_numpy()) > 0.26


def test_a_decision_no_draw_reverses_has_no_value_of_information() -> None:
    d = toy()
    sure = d["inb"] + 10.0  # always adopt
    assert partial_evpi_binned(d["a"].to_numpy(), sure.to_numpy()) == pytest.approx(0, abs=1e-12)
    assert evpi(sure.to_numpy()) == pytest.approx(0, abs=1e-12)


def test_table_scales_effects_by_the_willingness_to_pay_and_ranks() -> None:
    d = toy().rename(columns={"inb": "dalys_averted_per_year"})
    t = evppi_table(d, ["c", "b", "a"])
    assert list(t["parameter"]) == ["a", "b", "c"]
    assert t.loc[0, "evppi_yuan_per_year"] == pytest.approx(0.25 * DEFAULT_WTP_YUAN, rel=0.05)
    assert t["wtp_source"].str.contains("2023").all()
    # With a cost column the net benefit subtracts it: a cost of 2 wtp per year always
    # rejects, so nothing is worth learning.
    d["cost"] = 2.0 * DEFAULT_WTP_YUAN
    assert (evppi_table(d, ["a"], cost="cost")["evppi_yuan_per_year"] == 0).all()
    with pytest.raises(UserError, match="no columns"):
        evppi_table(d, ["zz"])
