"""Console tables: feasible CIs, dashes with a reason, one sign convention."""

from __future__ import annotations

import math

import pandas as pd
from rich.console import Console

from sim.cli import report


def _render(table: object) -> str:
    console = Console(width=200, record=True)
    console.print(table)
    return console.export_text()


def test_kpi_cis_are_clipped_to_what_the_metric_can_take() -> None:
    kpis = pd.DataFrame(
        {
            "metric": ["ambulance_utilisation", "patients_per_day", "response_within_target_share"],
            "mean": [0.02, 1.5, 0.97],
            "ci_low": [-0.058, -0.93, 0.90],
            "ci_high": [0.098, 3.93, 1.04],
        }
    )
    text = _render(report.kpi_table(kpis, "t"))
    assert "-0.058" not in text
    assert "-0.93" not in text
    assert "1.04" not in text
    assert "0 – 0.098" in text
    assert "0 – 3.93" in text
    assert "0.9 – 1" in text


def test_missing_cis_and_means_are_dashes_with_the_reason() -> None:
    kpis = pd.DataFrame(
        {
            "metric": ["response_min_mean", "consult_wait_min_mean"],
            "mean": [11.2, math.nan],
            "ci_low": [math.nan, math.nan],
            "ci_high": [math.nan, math.nan],
        }
    )
    text = _render(report.kpi_table(kpis, "t"))
    assert "needs ≥ 2 replications" in text
    assert "no patient reached this step" in text
    assert "nan" not in text.lower()


def test_numbers_print_zero_as_0_and_the_saving_positive_when_faster() -> None:
    assert report._num(-0.0) == "0"
    assert report._num(-0.001) == "0"
    assert report._num(12.54) == "+12.54"
    # A scenario 12.54 min faster (diff −12.54) is printed as 12.54 minutes saved.
    assert report._ci(10.0, 15.0) == "[+10.00, +15.00]"
