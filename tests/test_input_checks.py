"""Input problems found in review: each must be one clear error (exit 2), never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.config.scenario import ScenarioError, load_scenario
from sim.core.errors import UserError
from sim.runs.world import build_world

REPO = Path(__file__).resolve().parents[1]
COUNTY = REPO / "scenarios" / "county_baseline.toml"


def _copy_county(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "scenarios" / "data", tmp_path / "data")
    target = tmp_path / "county.toml"
    shutil.copy(COUNTY, target)
    return target


def test_non_utf8_facility_file_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _copy_county(tmp_path)
    hospitals = tmp_path / "data" / "county_hospitals.csv"
    hospitals.write_bytes(hospitals.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(SystemExit) as exc:
        main(["validate", str(scenario)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "county_hospitals.csv" in err
    assert "UTF-8" in err
    assert "Traceback" not in err


def test_non_utf8_scenario_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "gbk.toml"
    bad.write_bytes('name = "县"\n'.encode("gbk"))
    with pytest.raises(UserError, match="UTF-8"):
        load_scenario(bad)


def test_unknown_or_negative_road_weights_are_rejected() -> None:
    with pytest.raises(ScenarioError, match="rtc_road_weights"):
        load_scenario(COUNTY, ["demand.rtc_road_weights.primay=50"])
    with pytest.raises(ScenarioError, match="rtc_road_weights"):
        load_scenario(COUNTY, ["demand.rtc_road_weights.residential=-3"])


def test_a_class_no_hospital_can_treat_is_rejected() -> None:
    s = load_scenario(COUNTY, ['hospital.capable_tiers.MS=["city"]'])
    with pytest.raises(UserError, match=r"hospital\.capable_tiers\.MS"):
        build_world(s)


def test_police_linkage_needs_police_posts(tmp_path: Path) -> None:
    scenario = _copy_county(tmp_path)
    text = scenario.read_text(encoding="utf-8").replace(
        'police_posts = { file = "data/county_police.csv" }\n', ""
    )
    scenario.write_text(text, encoding="utf-8")
    s = load_scenario(scenario, ["mechanisms.police_linkage.enabled=true"])
    with pytest.raises(UserError, match="police_posts"):
        build_world(s)


def test_per_capita_burden_is_nan_without_a_population() -> None:
    over = ["run.horizon_days=4", 'demand.population_grid.population_column=""']
    base = sim.load_scenario(COUNTY, over)
    other = sim.load_scenario(REPO / "scenarios" / "county_integrated.toml", over)
    comp = sim.compare(base, other, replications=2, psa_draws=10)
    rows = comp.comparison[comp.comparison["metric"].str.contains("_per_100k_")]
    assert len(rows)
    assert rows["mean"].isna().all()
    assert (
        comp.comparison.loc[comp.comparison["metric"] == "deaths_averted_per_year", "mean"]
        .notna()
        .all()
    )


def test_compare_puts_every_scenario_on_the_base_clock() -> None:
    base = sim.load_scenario(COUNTY, ["run.horizon_days=4"])
    other = sim.load_scenario(COUNTY, ["run.horizon_days=4", "run.warm_up_days=3", 'name="other"'])
    comp = sim.compare(base, other, replications=2, psa_draws=10)
    diffs = comp.comparison[comp.comparison["scenario"] == "other"]["diff_vs_base"]
    assert (diffs.dropna().abs() < 1e-12).all()
