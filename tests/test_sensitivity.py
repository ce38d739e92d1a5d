"""One tornado over all assumptions: operational (re-simulated, CRN) and outcome, ranked together.

Kept small: the synthetic county, 3 simulated days, 2 replications, two swept fields.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.config.scenario import Scenario, load_scenario
from sim.config.uncertain import with_values
from sim.runs.compare import compare_scenarios
from sim.runs.sensitivity import TORNADO_COLUMNS, sensitivity

REPO = Path(__file__).resolve().parents[1]
SC = REPO / "scenarios"
FIELDS = ["mechanisms.internet_plus_120.aml_coverage", "fleet.turnout_min"]
OV = ["run.horizon_days=3", "run.seed=5"]


@pytest.fixture(scope="module")
def pair() -> tuple[Scenario, Scenario]:
    return (
        load_scenario(SC / "county_baseline.toml", OV),
        load_scenario(SC / "county_internet120.toml", OV),
    )


@pytest.fixture(scope="module")
def table(
    pair: tuple[Scenario, Scenario], tmp_path_factory: pytest.TempPathFactory, cache_dir: Path
) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("sens")
    return sensitivity(*pair, out, replications=2, fields=FIELDS, cache_dir=cache_dir)


def test_operational_and_outcome_assumptions_are_ranked_together(table: pd.DataFrame) -> None:
    assert list(table.columns) == TORNADO_COLUMNS
    assert set(table["metric"]) == {"minutes_saved", "dalys_averted_per_year"}
    dalys = table[table["metric"] == "dalys_averted_per_year"]
    assert set(dalys["kind"]) == {"operational", "outcome"}
    assert list(dalys["rank"]) == list(range(1, len(dalys) + 1))
    assert dalys["swing"].is_monotonic_decreasing
    minutes = table[table["metric"] == "minutes_saved"].set_index("parameter")
    # AML coverage drives the minutes the front end saves; outcome parameters move none.
    assert minutes.loc[FIELDS[0], "swing"] > 0
    assert (minutes.loc[minutes["kind"] == "outcome", "swing"] == 0).all()
    assert minutes.loc[FIELDS[0], "result_at_high"] > minutes.loc[FIELDS[0], "result_at_low"]


def test_each_end_equals_a_separate_comparison_with_the_field_set_in_both_arms(
    pair: tuple[Scenario, Scenario], table: pd.DataFrame, cache_dir: Path
) -> None:
    b, a = pair
    row = table[(table["metric"] == "minutes_saved") & (table["parameter"] == FIELDS[0])].iloc[0]
    v = {FIELDS[0]: float(row["high_value"])}
    comp = compare_scenarios(
        [with_values(b, v), with_values(a, v)],
        replications=2,
        psa_draws=0,
        cache_dir=cache_dir,
        with_map=False,
    ).comparison
    r = comp[
        (comp["scenario"] == a.name) & (comp["metric"] == "injury_to_definitive_care_min_mean")
    ]
    assert row["result_at_high"] == pytest.approx(-float(r["diff_vs_base"].iloc[0]))


def test_cli_writes_tornado_csv_and_png_and_rejects_unknown_fields(
    tmp_path: Path, cache_dir: Path
) -> None:
    args = [
        "sensitivity",
        str(SC / "county_baseline.toml"),
        str(SC / "county_internet120.toml"),
        "--out",
        str(tmp_path / "s"),
        "--reps",
        "2",
        "--horizon-days",
        "1.5",
        "--field",
        FIELDS[0],
        "--lang",
        "en",
        "--cache-dir",
        str(cache_dir),
    ]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 0
    t = pd.read_csv(tmp_path / "s" / "tornado.csv")
    assert FIELDS[0] in set(t["parameter"])
    assert (tmp_path / "s" / "tornado.png").stat().st_size > 10_000
    with pytest.raises(SystemExit) as exc:
        main([*args[:-4], "--field", "fleet.ambulances"])
    assert exc.value.code == 2
