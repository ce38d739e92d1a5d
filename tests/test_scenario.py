"""Scenario loading: extends, overrides, error locations, locate(), resolved-TOML round trip."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from helpers import COUNTY_BASELINE, SCENARIOS_DIR, scenario_data, write_scenario

from sim.config.distributions import Fixed, Lognormal
from sim.config.scenario import ScenarioError, load_scenario, locate, validate_files
from sim.core.errors import UserError
from sim.runs.world import build_world

SHIPPED = sorted(SCENARIOS_DIR.glob("*.toml"))


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


# ------------------------------------------------------------------------ overrides


def test_overrides_parse_toml_values() -> None:
    s = load_scenario(
        COUNTY_BASELINE,
        [
            "fleet.ambulances=4",
            "run.horizon_days=2.5",
            "fleet.dispatch_policy=station_first_due",  # bare text is taken as a string
            "mechanisms.prenotification.enabled=true",
            'calls.ring_min={ dist = "fixed", value = 0 }',
        ],
    )
    assert s.fleet.ambulances == 4
    assert s.run.horizon_days == 2.5
    assert s.fleet.dispatch_policy == "station_first_due"
    assert s.mechanisms.prenotification.enabled is True
    assert s.calls.ring_min == Fixed(value=0)


def test_with_overrides_equals_loading_with_overrides() -> None:
    base = load_scenario(COUNTY_BASELINE)
    ov = ["fleet.ambulances=7", "run.seed=3"]
    a = base.with_overrides(ov)
    b = load_scenario(COUNTY_BASELINE, ov)
    assert a.content_hash() == b.content_hash()
    assert a.base_dir == base.base_dir
    assert base.fleet.ambulances is None  # the original is unchanged (frozen)
    assert a.content_hash() != base.content_hash()


@pytest.mark.parametrize("item", ["fleet.ambulances", "=3", "name.sub=1"])
def test_malformed_override(item: str) -> None:
    with pytest.raises(UserError, match="--set"):
        load_scenario(COUNTY_BASELINE, [item])


def test_invalid_override_value_names_the_override() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(COUNTY_BASELINE, ["fleet.ambulances=0"])
    assert err.value.problems == [
        "--set fleet.ambulances=0 fleet.ambulances: Input should be greater than or equal to 1 "
        "(got 0)"
    ]


# -------------------------------------------------------------------------- extends


def test_extends_merges_tables_and_replaces_distributions(tmp_path: Path) -> None:
    parent = write_scenario(
        tmp_path,
        scenario_data(
            name="parent",
            extra={
                "fleet": {
                    "turnout_min": {"dist": "lognormal", "median": 3.0, "sigma": 0.2},
                    "entrapment_share_rtc": 0.2,
                },
            },
        ),
    )
    child = write(
        tmp_path / "child.toml",
        f"""
        extends = "{parent.name}"
        name = "child"

        [fleet]
        ambulances = 3
        turnout_min = {{ dist = "fixed", value = 1.0 }}

        [demand]
        rtc_incidents_per_day = 9.0
    """,
    )
    s = load_scenario(child)
    p = load_scenario(parent)
    assert s.name == "child"
    assert s.fleet.ambulances == 3
    assert s.fleet.turnout_min == Fixed(value=1.0)  # replaced whole, no leftover median
    assert p.fleet.turnout_min == Lognormal(median=3.0, sigma=0.2)
    assert s.fleet.entrapment_share_rtc == 0.2  # kept from the parent
    assert s.demand.rtc_incidents_per_day == 9.0
    assert s.demand.fall_incidents_per_day == p.demand.fall_incidents_per_day
    assert s.facilities == p.facilities
    assert s.source == str(child)


def test_shipped_variants_only_differ_in_what_they_set() -> None:
    base = load_scenario(SCENARIOS_DIR / "county_baseline.toml")
    variant = load_scenario(SCENARIOS_DIR / "county_linkage.toml")
    assert variant.mechanisms.police_linkage.enabled
    assert not base.mechanisms.police_linkage.enabled
    assert variant.demand == base.demand
    assert variant.run == base.run
    assert variant.fleet == base.fleet
    for kind in ("centres", "stations", "hospitals", "police_posts"):
        a, b = getattr(variant.facilities, kind), getattr(base.facilities, kind)
        assert (variant.base_dir / a.file).resolve() == (base.base_dir / b.file).resolve()


def test_content_hash_does_not_depend_on_checkout_folder(tmp_path: Path) -> None:
    hashes = []
    for where in ("a", "b"):
        shutil.copytree(SCENARIOS_DIR, tmp_path / where / "scenarios")
        hashes.append(
            load_scenario(tmp_path / where / "scenarios" / "county_linkage.toml").content_hash()
        )
    assert hashes[0] == hashes[1]


def test_extends_parent_in_another_folder(tmp_path: Path) -> None:
    child = write(
        tmp_path / "child.toml",
        f"""
        extends = "{COUNTY_BASELINE}"
        name = "child_elsewhere"

        [fleet]
        ambulances = 3
    """,
    )
    s = load_scenario(child, ["run.horizon_days=3"])
    world = build_world(s)  # relative files of the parent resolve against its own folder
    assert len(world.facilities.stations) == 9
    assert s.fleet.ambulances == 3


def test_extends_circular(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path / "b.toml", 'extends = "a.toml"\nname = "b"\n')
    with pytest.raises(UserError, match="circular"):
        load_scenario(tmp_path / "a.toml")


def test_extends_missing_parent(tmp_path: Path) -> None:
    write(tmp_path / "a.toml", 'extends = "nowhere.toml"\nname = "a"\n')
    with pytest.raises(UserError, match=r"a\.toml: extends: parent scenario 'nowhere\.toml'"):
        load_scenario(tmp_path / "a.toml")


def test_error_located_in_the_file_that_wrote_it(tmp_path: Path) -> None:
    write_scenario(tmp_path, scenario_data(name="parent"))
    child = write(
        tmp_path / "child.toml",
        """
        extends = "parent.toml"
        name = "child"

        [fleet]
        entrapment_share_rtc = 1.5
        ambulancez = 2
    """,
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario(child)
    assert sorted(err.value.problems) == sorted(
        [
            f"{child}:5 fleet.entrapment_share_rtc: Input should be less than or equal to 1 "
            "(got 1.5)",
            f"{child}:6 fleet.ambulancez: unknown field; did you mean 'ambulances'?",
        ]
    )


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="scenario file not found"):
        load_scenario(tmp_path / "none.toml")
    bad = write(tmp_path / "bad.toml", 'name = "x"\n[run\nhorizon_days = 1\n')
    with pytest.raises(UserError, match=rf"{bad}:2: not valid TOML"):
        load_scenario(bad)


# --------------------------------------------------------------------------- locate

LOCATE_TEXT = """\
name = "x"
[run]
horizon_days = 3

[fleet]
turnout_min = { dist = "fixed", value = 2 }
ambulances = 4
[demand]
case_mix.rtc.severe_share = 0.1
rtc_incidents_per_day = 1
[demand.case_mix.fall]
male_share = 0.5
"""


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("name",), 1),
        (("run",), 2),
        (("run", "horizon_days"), 3),
        (("run", "seed"), 2),  # not written: its table's header
        (("fleet", "ambulances"), 7),
        (("fleet", "turnout_min"), 6),
        (("fleet", "turnout_min", "fixed", "value"), 6),  # inside an inline table
        (("demand", "case_mix", "rtc", "severe_share"), 9),  # dotted key
        (("demand", "rtc_incidents_per_day"), 10),
        (("demand", "case_mix", "fall", "male_share"), 12),
        (("demand", "case_mix", "fall", "age_mean_years"), 11),
        (("facilities", "stations", "rows", 0, "lat"), None),
    ],
)
def test_locate(loc: tuple[str | int, ...], line: int | None) -> None:
    assert locate(LOCATE_TEXT, loc) == line


# ------------------------------------------------------------------- resolved TOML


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_resolved_toml_round_trip(path: Path, tmp_path: Path) -> None:
    s = load_scenario(path)
    resolved = tmp_path / "scenario.resolved.toml"
    resolved.write_text(s.to_toml(), encoding="utf-8")
    again = load_scenario(resolved)
    assert again.content_hash() == s.content_hash()
    assert again.to_toml() == s.to_toml()


def test_round_trip_with_inline_rows_and_distributions(tmp_path: Path) -> None:
    s = load_scenario(
        write_scenario(
            tmp_path,
            scenario_data(
                extra={
                    "calls": {"call_taking_min": {"dist": "gamma", "mean_min": 2.0, "shape": 3.0}},
                    "fleet": {
                        "ambulances": 4,
                        "handover_min": {
                            "dist": "triangular",
                            "low": 1.0,
                            "mode": 2.0,
                            "high": 5.0,
                        },
                    },
                }
            ),
        )
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "r.toml").write_text(s.to_toml(), encoding="utf-8")
    assert load_scenario(out / "r.toml").content_hash() == s.content_hash()


def test_content_hash_ignores_comments_and_order(tmp_path: Path) -> None:
    a = write(
        tmp_path / "a.toml",
        f"""
        extends = "{COUNTY_BASELINE}"
        name = "h"
        [fleet]
        ambulances = 5
        turnout_min = {{ dist = "fixed", value = 1 }}
    """,
    )
    b = write(
        tmp_path / "b.toml",
        f"""
        # a comment
        name = "h"
        extends = "{COUNTY_BASELINE}"

        [fleet]
        turnout_min = {{ value = 1.0, dist = "fixed" }}   # key order differs
        ambulances = 5
    """,
    )
    assert load_scenario(a).content_hash() == load_scenario(b).content_hash()
    c = load_scenario(a, ["fleet.ambulances=6"])
    assert c.content_hash() != load_scenario(a).content_hash()


def test_validate_files_collects_every_problem(tmp_path: Path) -> None:
    good = write_scenario(tmp_path, scenario_data(name="good"))
    bad = write(
        tmp_path / "bad.toml",
        f"""
        extends = "{good.name}"
        name = "bad name"
        [fleet]
        ambulances = -1
    """,
    )
    assert validate_files([good]) == []
    problems = validate_files([good, bad, tmp_path / "missing.toml"])
    assert len(problems) == 3
    assert any(p.startswith(f"{bad}:2 name:") for p in problems)
    assert any(p.startswith(f"{bad}:4 fleet.ambulances:") for p in problems)
    assert any("missing.toml: scenario file not found" in p for p in problems)
