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
            "metric": [
                "ambulance_utilisation",
                "patients_per_day",
                "response_within_target_urban_share",
            ],
            "mean": [0.02, 1.5, 0.97],
            "ci_low": [-0.058, -0.93, 0.90],
            "ci_high": [0.098, 3.93, 1.04],
        }
    )
    text = _render(report.kpi_table(kpis, "t"))
    assert "-0.058" not in text
    assert "-5.8%" not in text
    assert "-0.93" not in text
    assert "104" not in text
    # Labels, formats (shares as percentages) and bounds all come from the registry.
    assert "Ambulance utilisation" in text
    assert "0 – 9.8%" in text
    assert "0 – 3.93" in text
    assert "90.0% – 100.0%" in text


def test_console_tables_in_chinese_with_lang_zh() -> None:
    kpis = pd.DataFrame(
        {"metric": ["response_min_median"], "mean": [11.24], "ci_low": [10.5], "ci_high": [12.0]}
    )
    text = _render(report.kpi_table(kpis, "t", lang="zh"))
    assert "响应时间中位数（分钟）" in text
    assert "均值" in text
    assert "response_min_median" not in text
    assert "11.2" in text
    en = _render(report.kpi_table(kpis, "t", lang="en"))
    assert "Response time, median (min)" in en
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en)


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


def _comparison() -> object:
    from types import SimpleNamespace

    nan = math.nan
    stages = pd.DataFrame(
        [
            {"scenario": s, "stage": "transport", "mean_min": m, "diff_vs_base": d,
             "diff_ci_low": lo, "diff_ci_high": hi}
            for s, m, d, lo, hi in (("a", 20.0, 0.0, 0.0, 0.0), ("b", 18.0, -2.0, -3.0, -1.0))
        ]
    )  # fmt: skip
    rows = [
        ("injury_to_definitive_care_min_mean", -12.54, -14.0, -11.0, nan, nan),
        ("deaths_averted_per_year", 3.0, -1.0, 7.0, 2.19, 3.71),
        ("response_min_p90", -1.0, -2.0, 0.0, nan, nan),  # not a headline row
    ]
    comparison = pd.DataFrame(
        [
            {"scenario": "b", "metric": m, "diff_vs_base": d, "diff_ci_low": lo,
             "diff_ci_high": hi, "psa_low": pl, "psa_high": ph}
            for m, d, lo, hi, pl, ph in rows
        ]
    )  # fmt: skip
    runs = {
        "a": SimpleNamespace(manifest={"title": "现状 (status quo)"}),
        "b": SimpleNamespace(manifest={"title": "一体化 (integrated)"}),
    }
    manifest = {"base": "a", "scenarios": ["a", "b"]}
    return SimpleNamespace(manifest=manifest, runs=runs, stages=stages, comparison=comparison)


def test_headline_prints_improvements_positive_is_better_in_both_languages() -> None:
    comp = _comparison()
    stage, head = report.comparison_tables(comp, lang="en")  # type: ignore[arg-type]
    text = _render(head)
    # 12.54 minutes faster is +12.5 minutes saved, its CI turned round to [+11.0, +14.0].
    assert "+12.5" in text
    assert "[+11.0, +14.0]" in text
    assert "-12.5" not in text
    assert "[-1.00, +7.00]" in text  # deaths averted: already positive = better
    assert "[+2.19, +3.71]" in text
    assert "90th percentile" not in text
    assert "integrated" in text
    assert "saved +2.00 [+1.00, +3.00]" in _render(stage)
    zh_stage, zh_head = report.comparison_tables(comp, lang="zh")  # type: ignore[arg-type]
    zh = _render(zh_head)
    assert "受伤至确定性救治（分钟）" in zh
    assert "一体化" in zh
    assert "integrated" not in zh
    assert "转运途中" in _render(zh_stage)
    assert "节省 +2.00" in _render(zh_stage)
