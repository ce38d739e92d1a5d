"""The metric registry: one entry per metric, used by compute, compare, console, brief, docs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.metrics import registry
from sim.outcomes.burden import METRICS as BURDEN_METRICS
from sim.plotting import labels as lb
from sim.runs.compare import KPI_FOR_COMPARISON

DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
GOLDEN = Path(__file__).resolve().parent / "regression" / "golden" / "county_kpis.csv"


def test_every_run_kpi_is_registered_in_kpis_csv_order() -> None:
    # The golden run's kpis.csv lists what kpis_for_rep computes, in its order.
    computed = [line.split(",")[0] for line in GOLDEN.read_text().splitlines()[1:]]
    assert list(registry.names(kind="run")) == computed


def test_an_unregistered_or_missing_kpi_is_an_error() -> None:
    run = list(registry.names(kind="run"))
    registry.check_registered(run, "run")
    with pytest.raises(KeyError, match="computed but not registered \\['new_kpi'\\]"):
        registry.check_registered([*run, "new_kpi"], "run")
    with pytest.raises(KeyError, match="registered but not computed \\['calls_per_day'\\]"):
        registry.check_registered([n for n in run if n != "calls_per_day"], "run")


def test_comparison_burden_and_labels_come_from_the_registry() -> None:
    assert list(registry.names(kind="run", compared=True)) == KPI_FOR_COMPARISON
    assert "consults_per_day" not in KPI_FOR_COMPARISON  # compared=False entries stay out
    assert "response_min_p90" in KPI_FOR_COMPARISON
    # Burden rows are the averted comparison rows; the others (cost, idle coverage) are
    # comparison rows computed elsewhere.
    assert set(BURDEN_METRICS) == {*registry.AVERTED, *registry.AVERTED_PER_100K}
    assert set(BURDEN_METRICS) < set(registry.names(kind="comparison"))
    assert "cost_per_daly_averted_yuan" not in BURDEN_METRICS
    assert lb.AVERTED_METRICS == registry.AVERTED
    for name, m in registry.METRICS.items():
        assert lb.METRICS[name] == lb.Text(m.zh, m.en)
        assert m.zh != m.en
        assert not any("a" <= ch <= "z" for ch in m.zh.replace("DALY", "")), m.zh


def test_sign_convention_positive_is_better() -> None:
    # 2.5 minutes faster (scenario − base = −2.5) is an improvement of +2.5 minutes saved.
    assert registry.improvement("response_min_median", -2.5) == 2.5
    # A higher share within target is better as it is.
    assert registry.improvement("response_within_target_urban_share", 0.04) == 0.04
    # Averted rows already are the improvement.
    assert registry.improvement("deaths_averted_per_year", 3.0) == 3.0
    assert registry.improvement("ambulance_utilisation", 0.1) == 0.1


def test_formats_and_feasible_ranges() -> None:
    assert registry.format_value("ambulance_utilisation", 0.4567) == "45.7%"
    assert registry.format_value("response_min_mean", 12.345) == "12.3"
    assert registry.format_value("dalys_averted_per_year", 187.2) == "187"
    assert registry.format_value("deaths_averted_per_year", 3.0, signed=True) == "+3.00"
    assert registry.format_value("response_min_mean", -0.0001) == "0"
    # Interval bounds take the decimals of their mean: 17.6 (9.0, 26.1).
    assert registry.format_value("response_min_mean", 9.01, like=17.6) == "9.0"
    assert registry.format_value("response_min_mean", 26.1, like=17.6) == "26.1"
    assert registry.format_value("response_min_mean", math.nan) == "–"
    assert registry.feasible("ambulance_utilisation", -0.058) == 0.0
    assert registry.feasible("answer_within_10s_share", 1.04) == 1.0
    assert registry.feasible("deaths_averted_per_year", -2.0) == -2.0  # can be negative
    assert registry.feasible("not_registered", -2.0) == -2.0


def test_docs_table_is_generated_from_the_registry() -> None:
    assert DOCS.read_text(encoding="utf-8") == registry.markdown_table(), (
        "docs/metrics.md is stale: run `trauma-sim metrics-docs`"
    )
    for name in registry.METRICS:
        assert f"`{name}`" in DOCS.read_text(encoding="utf-8")
