"""``trauma-sim compare``: tidy comparison.csv, stage decomposition, common random numbers."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.metrics.compute import STAGES

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = REPO_ROOT / "scenarios"
BASE, OTHER = "county_baseline", "county_integrated"

COLUMNS = [
    "scenario",
    "metric",
    "mean",
    "ci_low",
    "ci_high",
    "diff_vs_base",
    "diff_ci_low",
    "diff_ci_high",
]
# Every metric name ends in its unit (minutes with its statistic, a share, a rate).
UNIT_SUFFIX = re.compile(
    r"_(min_(mean|median|p90)|share|utilisation|per_year|per_100k_per_year|yuan)$"
)


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Path:
    """Run the CLI comparison once; the folder it wrote."""
    out = tmp_path_factory.mktemp("compare")
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "compare",
                str(SCENARIOS / f"{BASE}.toml"),
                str(SCENARIOS / f"{OTHER}.toml"),
                "--reps",
                "2",
                "--horizon-days",
                "5",
                "--out",
                str(out),
                "--psa-draws",
                "20",
                "--cache-dir",
                str(cache_dir),
            ]
        )
    assert exc.value.code == 0
    folders = [p.parent for p in out.glob("compare/*/*/comparison.csv")]
    assert len(folders) == 1
    return folders[0]


@pytest.fixture(scope="module")
def comparison(compare_dir: Path) -> pd.DataFrame:
    return pd.read_csv(compare_dir / "comparison.csv")


def test_comparison_is_tidy(comparison: pd.DataFrame) -> None:
    assert set(COLUMNS) <= set(comparison.columns)
    assert set(comparison["scenario"]) == {BASE, OTHER}
    assert not comparison.duplicated(["scenario", "metric"]).any(), "one row per metric"
    for col in COLUMNS[2:]:
        assert pd.api.types.is_float_dtype(comparison[col]), col
    # Idle-unit coverage is computed only when a scenario uses move-up (tests/test_move_up.py).
    assert "idle_coverage_share" not in set(comparison["metric"])


def test_metric_names_are_stable_snake_case_with_units(comparison: pd.DataFrame) -> None:
    metrics = set(comparison["metric"])
    for required in (
        "injury_to_definitive_care_min_mean",
        "response_min_median",
        *(f"{s}_min_mean" for s in STAGES),
    ):
        assert required in metrics, required
    for m in metrics:
        assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", m), m
        assert UNIT_SUFFIX.search(m), f"{m}: no unit suffix"
    # The base reports the same KPI metrics as every other scenario.
    kpis = comparison[comparison["scenario"] == BASE]["metric"]
    assert set(kpis) <= set(comparison[comparison["scenario"] == OTHER]["metric"])


def test_differences_are_paired_against_the_base(comparison: pd.DataFrame) -> None:
    """Every row's difference is its mean minus the base's (replications are paired and none
    is missing on either side), so the base rows come out zero by the same rule."""
    means = comparison.pivot(index="metric", columns="scenario", values="mean")
    checked = 0
    for row in comparison.itertuples():
        base_mean, mean = means.at[row.metric, BASE], means.at[row.metric, row.scenario]
        if not (np.isfinite(base_mean) and np.isfinite(mean)):
            continue
        assert row.diff_vs_base == pytest.approx(mean - base_mean, rel=1e-9, abs=1e-9), row
        checked += 1
    assert checked > len(comparison) // 2
    base = comparison[comparison["scenario"] == BASE]
    assert len(base) > 0
    assert (base["diff_vs_base"] == 0).all()


def test_stage_differences_add_up(compare_dir: Path) -> None:
    stages = pd.read_csv(compare_dir / "stages.csv")
    # One row per stage plus one for injury -> definitive care (named "total" or
    # "injury_to_definitive"; the name is being settled in sim/runs/study.py).
    totals = set(stages["stage"]) - set(STAGES)
    (total_name,) = totals
    assert set(STAGES) <= set(stages["stage"])
    assert total_name in {"total", "injury_to_definitive"}
    for name, g in stages.groupby("scenario"):
        by = g.set_index("stage")
        total = by.loc[total_name]
        assert abs(by.loc[list(STAGES), "diff_vs_base"].sum() - total["diff_vs_base"]) < 1e-9
        assert abs(by.loc[list(STAGES), "mean_min"].sum() - total["mean_min"]) < 1e-9
        if name == BASE:
            assert (by["diff_vs_base"] == 0).all()
    assert (stages["patients"] > 0).all()


def test_common_random_numbers(compare_dir: Path) -> None:
    base = pd.read_parquet(compare_dir / BASE / "incidents.parquet")
    other = pd.read_parquet(compare_dir / OTHER / "incidents.parquet")
    assert len(base) == len(other) > 0
    for col in ("rep", "patient_id", "t_injury", "iss", "injury_class"):
        np.testing.assert_array_equal(base[col].to_numpy(), other[col].to_numpy(), err_msg=col)
    # The integrated system acts: somewhere on the chain the times differ.
    assert not np.allclose(base["t_call"], other["t_call"], equal_nan=True)
