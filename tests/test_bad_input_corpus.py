"""A corpus of bad inputs a planner could plausibly write (issue 17, item 7).

Every case goes through ``trauma-sim run`` in-process on a tiny synthetic-county scenario
and must give exit code 2, exactly one line on stderr naming the file (or the option) and
the field, no traceback, nothing on stdout before it, and nothing written under ``--out``.
Cases are grouped by class: scenario values, scenario structure, facility CSVs, the
population grid and command-line options.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import BAD_CASE_FILES, SCENARIOS_DIR, bad_case_base

from sim.cli import main

BASE = bad_case_base("corpus_case", police=True, population_grid=True)
FILES = BAD_CASE_FILES


@dataclass(frozen=True)
class Case:
    """One bad input: how to make it and what the error line must name."""

    id: str
    where: str  # "scenario", a CSV file name, or "option --x"
    field: str  # the field, column or option text the line must contain
    replace: tuple[tuple[str, str], ...] = ()  # (old, new) edits of BASE
    append: str = ""  # text appended to BASE
    csv: dict[str, Callable[[str], str | bytes]] = field(default_factory=dict)
    argv: tuple[str, ...] = ()


def _line(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, 1)


def _add_row(row: str) -> Callable[[str], str]:
    return lambda text: text.rstrip("\n") + "\n" + row + "\n"


def _s(id: str, field: str, old: str, new: str) -> Case:
    return Case(id, "scenario", field, replace=((old, new),))


def _a(id: str, field: str, text: str) -> Case:
    return Case(id, "scenario", field, append=text)


CASES = [
    # -- scenario values: types, finiteness, ranges, bounds
    _s("replications_bool", "run.replications", "replications = 1", "replications = true"),
    _s("replications_text", "run.replications", "replications = 1", 'replications = "1"'),
    _s("replications_huge", "run.replications", "replications = 1", "replications = 10000000"),
    _s("horizon_inf", "run.horizon_days", "horizon_days = 2", "horizon_days = inf"),
    _s("horizon_nan", "run.horizon_days", "horizon_days = 2", "horizon_days = nan"),
    _s("horizon_zero", "run.horizon_days", "horizon_days = 2", "horizon_days = 0"),
    _s("horizon_huge", "run.horizon_days", "horizon_days = 2", "horizon_days = 99999"),
    _s("warmup_after_end", "run", "warm_up_days = 0", "warm_up_days = 5"),
    _s("seed_negative", "run.seed", "replications = 1", "replications = 1\nseed = -1"),
    _s("weekday_7", "run.start_weekday", "replications = 1", "replications = 1\nstart_weekday = 7"),
    _s(
        "rate_negative",
        "demand.rtc_incidents_per_day",
        "rtc_incidents_per_day = 1.0",
        "rtc_incidents_per_day = -1",
    ),
    _s(
        "rate_inf",
        "demand.rtc_incidents_per_day",
        "rtc_incidents_per_day = 1.0",
        "rtc_incidents_per_day = inf",
    ),
    _s(
        "rate_enormous",
        "demand.rtc_incidents_per_day",
        "rtc_incidents_per_day = 1.0",
        "rtc_incidents_per_day = 1e12",
    ),
    _s(
        "rate_text",
        "demand.fall_incidents_per_day",
        "fall_incidents_per_day = 1.0",
        'fall_incidents_per_day = "1.0"',
    ),
    _s(
        "rate_times_horizon_over_cap",
        "demand.max_incidents_per_rep",
        "non_trauma_incidents_per_day = 3.0",
        "non_trauma_incidents_per_day = 3.0\nmax_incidents_per_rep = 5",
    ),
    _a("fleet_enormous", "fleet.ambulances", "\n[fleet]\nambulances = 1000000000000\n"),
    # -- mass-casualty incidents and diversion (docs/operations.md)
    _a(
        "mci_road_class",
        "demand.mci.kinds",
        '\n[[demand.mci.kinds]]\nname = "x"\nper_year = 1.0\nroad_classes = ["motorways"]\n'
        'patients = { "5" = 1.0 }\n',
    ),
    _a(
        "mci_one_patient",
        "demand.mci.kinds",
        '\n[[demand.mci.kinds]]\nname = "x"\nper_year = 1.0\nroad_classes = ["primary"]\n'
        'patients = { "1" = 1.0 }\n',
    ),
    _a(
        "mci_start_shares",
        "demand.mci.start_shares",
        "\n[demand.mci]\nstart_shares = { red = 0.5, yellow = 0.5, green = 0.5, black = 0.0 }\n",
    ),
    _a(
        "mci_rule_order",
        "demand.mci.units_by_patients",
        "\n[demand.mci]\nunits_by_patients = [[10, 5], [5, 3]]\n",
    ),
    _a(
        "mci_aid_base",
        "demand.mci.mutual_aid.base_hospital",
        '\n[demand.mci.mutual_aid]\nbase_hospital = "NOPE"\nunits = 2\n',
    ),
    _a(
        "diversion_policy", "hospital.diversion_policy", '\n[hospital]\ndiversion_policy = "full"\n'
    ),
    _a("fleet_text", "fleet.ambulances", '\n[fleet]\nambulances = "9"\n'),
    _a("fleet_bool", "fleet.ambulances", "\n[fleet]\nambulances = true\n"),
    _a(
        "fleet_share_over_1",
        "fleet.entrapment_share_rtc",
        "\n[fleet]\nentrapment_share_rtc = 1.5\n",
    ),
    _a(
        "linkage_enabled_yes",
        "mechanisms.police_linkage.enabled",
        '\n[mechanisms.police_linkage]\nenabled = "yes"\n',
    ),
    _a(
        "linkage_enabled_1",
        "mechanisms.police_linkage.enabled",
        "\n[mechanisms.police_linkage]\nenabled = 1\n",
    ),
    _a(
        "duration_inf",
        "fleet.turnout_min.value",
        '\n[fleet]\nturnout_min = { dist = "fixed", value = inf }\n',
    ),
    _a(
        "duration_negative",
        "fleet.turnout_min.value",
        '\n[fleet]\nturnout_min = { dist = "fixed", value = -1 }\n',
    ),
    _a(
        "duration_unknown_dist",
        "fleet.turnout_min",
        '\n[fleet]\nturnout_min = { dist = "weibull", shape = 2 }\n',
    ),
    _a(
        "crash_probabilities_sum",
        "demand.patients_per_crash",
        '\n[demand.patients_per_crash]\n"1" = 0.5\n"2" = 0.2\n',
    ),
    _a(
        "priority_share_nan",
        "demand.case_mix.non_trauma_priority_shares",
        "\n[demand.case_mix]\nnon_trauma_priority_shares = [0.2, nan, 0.3]\n",
    ),
    _a(
        "road_weight_nan",
        "demand.rtc_road_weights",
        "\n[demand.rtc_road_weights]\nmotorway = nan\n",
    ),
    _s(
        "hour_profile_short",
        "demand.hour_profile",
        "non_trauma_incidents_per_day = 3.0",
        "non_trauma_incidents_per_day = 3.0\nhour_profile = [1, 2, 3]",
    ),
    _s(
        "urban_centre_short",
        "demand.urban_centres",
        "non_trauma_incidents_per_day = 3.0",
        "non_trauma_incidents_per_day = 3.0\nurban_centres = [[119.6, 29.1]]",
    ),
    _a("snap_limit_negative", "travel.snap_limit_m", "\n[travel]\nsnap_limit_m = -5\n"),
    # -- scenario structure
    _a("unknown_key_suggests", "fleet.ambulancez", "\n[fleet]\nambulancez = 3\n"),
    _a("unknown_section_suggests", "flet", "\n[flet]\nambulances = 3\n"),
    _s("bad_name", "name", 'name = "corpus_case"', 'name = "corpus case!"'),
    _s("missing_horizon", "run.horizon_days", "horizon_days = 2\n", ""),
    _a("toml_syntax", "not valid TOML", "\n[fleet\nambulances = 3\n"),
    _s(
        "extends_missing",
        "extends",
        'name = "corpus_case"',
        'extends = "nope.toml"\nname = "corpus_case"',
    ),
    _s("network_unknown", "network", 'source = "synthetic_county"', 'source = "atlantis"'),
    _s(
        "stations_file_missing",
        "stations",
        'stations = { file = "stations.csv" }',
        'stations = { file = "nope.csv" }',
    ),
    # -- facility CSVs, with row numbers
    Case(
        "station_als_text",
        "stations.csv",
        "als",
        csv={"stations.csv": _add_row("S9,extra,119.65,29.10,abc,0,24h")},
    ),
    Case(
        "station_als_enormous",
        "stations.csv",
        "als",
        csv={"stations.csv": _add_row("S9,extra,119.65,29.10,1000000000000,0,24h")},
    ),
    Case(
        "station_lon_missing",
        "stations.csv",
        "lon",
        csv={"stations.csv": _add_row("S9,extra,,29.10,1,0,24h")},
    ),
    Case(
        "station_lat_out_of_range",
        "stations.csv",
        "lat",
        csv={"stations.csv": _add_row("S9,extra,119.65,95,1,0,24h")},
    ),
    Case(
        "station_duplicate_id",
        "stations.csv",
        "id",
        csv={"stations.csv": _add_row("S1,again,119.65,29.10,1,0,24h")},
    ),
    Case("centre_seats_inf", "centres.csv", "seats", csv={"centres.csv": _line(",2\n", ",inf\n")}),
    Case(
        "hospital_missing_column",
        "hospitals.csv",
        "lat",
        csv={"hospitals.csv": _line("id,name,lon,lat,", "id,name,lon,latitude,")},
    ),
    Case(
        "police_units_zero",
        "police.csv",
        "units",
        csv={"police.csv": _add_row("P9,extra,119.65,29.10,0")},
    ),
    Case(
        "centres_not_utf8", "centres.csv", "UTF-8", csv={"centres.csv": lambda t: t.encode("gbk")}
    ),
    # -- population grid
    Case(
        "grid_weight_nan",
        "grid.csv",
        "weight",
        csv={"grid.csv": _add_row("x1,119.63,29.08,10,nan")},
    ),
    Case(
        "grid_row_missing_fields",
        "grid.csv",
        "weight",
        csv={"grid.csv": _add_row("x1,119.63,29.08")},
    ),
    Case(
        "grid_weight_negative",
        "grid.csv",
        "weight",
        csv={"grid.csv": _add_row("x1,119.63,29.08,10,-1")},
    ),
    Case(
        "grid_missing_column",
        "grid.csv",
        "weight",
        csv={"grid.csv": _line("population,weight", "population,w")},
    ),
    # -- command-line options
    Case("opt_reps_0", "option --reps", "--reps", argv=("--reps", "0")),
    Case("opt_jobs_0", "option --jobs", "--jobs", argv=("--jobs", "0")),
    Case(
        "opt_horizon_nan", "option --horizon-days", "--horizon-days", argv=("--horizon-days", "nan")
    ),
    Case("opt_reps_text", "option --reps", "--reps", argv=("--reps", "many")),
    Case("opt_unknown", "option --bogus", "--bogus", argv=("--bogus",)),
    Case("opt_seed_negative", "option --seed", "--seed", argv=("--seed", "-1")),
    Case("opt_set_no_equals", "--set", "fleet.ambulances", argv=("--set", "fleet.ambulances")),
    Case(
        "opt_set_text_number", "--set", "fleet.ambulances", argv=("--set", 'fleet.ambulances="9"')
    ),
    Case("opt_out_is_a_file", "option --out", "--out", argv=("--out", "{tmp}/a_file")),
]


def _make(folder: Path, case: Case) -> Path:
    folder.mkdir(parents=True)
    for name, source in FILES.items():
        text = (SCENARIOS_DIR / "data" / source).read_text(encoding="utf-8")
        edit = case.csv.get(name)
        content = edit(text) if edit else text
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    text = BASE
    for old, new in case.replace:
        assert old in text, f"case {case.id}: '{old}' not in the base scenario"
        text = text.replace(old, new, 1)
    path = folder / "scenario.toml"
    path.write_text(text + case.append, encoding="utf-8")
    return path


def test_corpus_is_large_and_every_class_is_there() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    kinds = {c.where if not c.where.endswith(".csv") else "csv" for c in CASES}
    assert {"scenario", "csv", "option --reps", "--set"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_clear_line(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "case"
    path = _make(folder, case)
    (tmp_path / "a_file").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "out"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in case.argv]
    if "--out" not in argv:
        argv += ["--out", str(out)]
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(SystemExit) as exc:
        main(["run", str(path), *argv])
    captured = capsys.readouterr()
    assert exc.value.code == 2, captured.err
    assert captured.out == "", "nothing may be printed before the error"
    assert "Traceback" not in captured.err
    lines = captured.err.strip("\n").splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{captured.err}"
    line = lines[0]
    if case.where == "scenario":
        assert str(path) in line
    elif case.where.endswith(".csv"):
        assert str(folder / case.where) in line
    else:
        assert case.where in line
    assert case.field in line
    # Nothing written: no results folder, no temporary folder, no stray file.
    assert not out.exists()
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "case"]
