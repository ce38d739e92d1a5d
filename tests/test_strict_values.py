"""Strict values: no coercion, finite numbers, "did you mean", and ``extends`` tables.

Loads the county baseline with ``--set`` overrides (and tiny child files for ``extends``)
and checks the one-line message each bad value gets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import COUNTY_BASELINE

from sim.config.scenario import ScenarioError, load_scenario

CASES = [
    ("run.replications=true", "run.replications", "not a boolean"),
    ('fleet.ambulances="9"', "fleet.ambulances", "not text"),
    ('mechanisms.police_linkage.enabled="yes"', "mechanisms.police_linkage.enabled", "true or"),
    ("mechanisms.police_linkage.enabled=1", "mechanisms.police_linkage.enabled", "true or"),
    ("run.horizon_days=inf", "run.horizon_days", "finite"),
    ("run.horizon_days=nan", "run.horizon_days", "finite"),
    (
        "demand.case_mix.non_trauma_priority_shares=[0.2, nan, 0.3]",
        "demand.case_mix.non_trauma_priority_shares",
        "finite",
    ),
    ("fleet.ambulancez=3", "fleet.ambulancez", "did you mean 'ambulances'"),
]


@pytest.mark.parametrize(("override", "field", "part"), CASES, ids=[c[0] for c in CASES])
def test_bad_value_is_refused_with_its_field(override: str, field: str, part: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(COUNTY_BASELINE, [override])
    assert len(err.value.problems) == 1
    line = err.value.problems[0]
    assert line.startswith(f"--set {override} {field}: ")
    assert part in line


def test_integers_are_still_numbers_where_a_float_is_meant() -> None:
    s = load_scenario(COUNTY_BASELINE, ["run.horizon_days=3", "run.warm_up_days=0"])
    assert s.run.horizon_days == 3.0


def _child(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "child.toml"
    path.write_text(f'extends = "{COUNTY_BASELINE.as_posix()}"\n{body}', encoding="utf-8")
    return path


def test_child_probability_table_replaces_the_parent_table(tmp_path: Path) -> None:
    # The parent's patients_per_crash has keys 1..4; merging key by key would keep 3 and 4
    # and break "sums to 1".
    child = _child(tmp_path, '[demand.patients_per_crash]\n"1" = 0.7\n"2" = 0.3\n')
    s = load_scenario(child)
    assert s.demand.patients_per_crash == {"1": 0.7, "2": 0.3}


def test_child_case_mix_replaces_the_parent_section(tmp_path: Path) -> None:
    parent = tmp_path / "parent.toml"
    text = COUNTY_BASELINE.read_text(encoding="utf-8")
    parent.write_text(
        text + "\n[demand.case_mix]\nnon_trauma_priority_shares = [0.1, 0.6, 0.3]\n"
        "[demand.case_mix.severe_class_shares]\nHT = 1.0\n",
        encoding="utf-8",
    )
    for p in COUNTY_BASELINE.parent.glob("data"):
        (tmp_path / "data").symlink_to(p)
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "parent.toml"\n[demand.case_mix]\n'
        "non_trauma_priority_shares = [0.3, 0.4, 0.3]\n",
        encoding="utf-8",
    )
    s = load_scenario(child)
    assert s.demand.case_mix.non_trauma_priority_shares == [0.3, 0.4, 0.3]
    default = load_scenario(COUNTY_BASELINE).demand.case_mix.severe_class_shares
    assert s.demand.case_mix.severe_class_shares == default


def test_child_scalar_fields_still_merge(tmp_path: Path) -> None:
    child = _child(tmp_path, "[fleet]\nambulances = 3\n")
    s = load_scenario(child)
    base = load_scenario(COUNTY_BASELINE)
    assert s.fleet.ambulances == 3
    assert s.fleet.model_dump(exclude={"ambulances"}) == base.fleet.model_dump(
        exclude={"ambulances"}
    )
