"""Bad scenarios through the CLI: exit code 2, one clear message, no traceback, no results.

Each case is a small scenario file in a temporary folder (facility CSVs copied from
scenarios/data). ``trauma-sim validate`` and ``trauma-sim run`` must both refuse it with
exit code 2 and a message naming the file (with the line for schema errors) and the field,
and ``run`` must leave nothing behind in its ``--out`` folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import REPO_ROOT, SCENARIOS_DIR, bad_case_base

from sim.cli import main
from sim.core.errors import UserError

BASE = bad_case_base("bad_case")

#: About 5 km east of the synthetic county's easternmost road node at this latitude.
OFF_NETWORK_LON, OFF_NETWORK_LAT = 119.905, 29.06863

#: Schema errors: (case id, lines appended to BASE, the bad line's text, field, message part).
SCHEMA_CASES = [
    (
        "cost_range_inverted",
        "\n[costs.ambulance_crew_year]\nyuan = 100\nlow_yuan = 200\nhigh_yuan = 300\n"
        'source = "[U] test"\n',
        "[costs.ambulance_crew_year]",
        "costs.ambulance_crew_year",
        "low_yuan <= yuan <= high_yuan",
    ),
    (
        "cost_assumed_without_range",
        '\n[costs.police_escort_hour]\nyuan = 150\nsource = "[U] a guess"\n',
        "[costs.police_escort_hour]",
        "costs.police_escort_hour",
        "needs low_yuan and high_yuan",
    ),
    (
        "cost_as_text",
        '\n[costs.expert_pool_hour]\nyuan = "100"\nsource = "x"\n',
        'yuan = "100"',
        "costs.expert_pool_hour.yuan",
        "not text",
    ),
    (
        "unknown_key",
        "\n[fleet]\nambulancez = 3\n",
        "ambulancez = 3",
        "fleet.ambulancez",
        "unknown field",
    ),
    (
        "negative_fleet",
        "\n[fleet]\nambulances = -2\n",
        "ambulances = -2",
        "fleet.ambulances",
        "greater than or equal to 1",
    ),
    (
        "patients_per_crash_sum",
        '\n[demand.patients_per_crash]\n"1" = 0.5\n"2" = 0.2\n',
        "[demand.patients_per_crash]",
        "demand.patients_per_crash",
        "sum to 1",
    ),
    (
        "priority_shares_sum",
        "\n[demand.case_mix]\nnon_trauma_priority_shares = [0.5, 0.5, 0.5]\n",
        "non_trauma_priority_shares",
        "demand.case_mix.non_trauma_priority_shares",
        "summing to 1",
    ),
    (
        "class_shares_sum",
        "\n[demand.case_mix]\nsevere_class_shares = { HT = 0.5, TBS = 0.2 }\n",
        "severe_class_shares",
        "demand.case_mix.severe_class_shares",
        "sum to 1",
    ),
    (
        "negative_non_dispatch_rate",
        "\n[demand.non_dispatch_calls]\nhang_up_per_dispatch_call = -0.5\n",
        "hang_up_per_dispatch_call = -0.5",
        "demand.non_dispatch_calls.hang_up_per_dispatch_call",
        "greater than or equal to 0",
    ),
    (
        "non_dispatch_rate_too_high",
        "\n[demand.non_dispatch_calls]\nadvice_per_dispatch_call = 50\n",
        "advice_per_dispatch_call = 50",
        "demand.non_dispatch_calls.advice_per_dispatch_call",
        "less than or equal to 10",
    ),
    (
        "non_dispatch_handling_negative",
        "\n[demand.non_dispatch_calls]\n"
        'advice_min = { dist = "gamma", mean_min = -1, shape = 2 }\n',
        "advice_min",
        "demand.non_dispatch_calls.advice_min.mean_min",
        "greater than 0",
    ),
]


def make_case(folder: Path, extra: str = "", stations: pd.DataFrame | None = None) -> Path:
    """Write BASE + ``extra`` and the facility CSVs into ``folder``; return the scenario."""
    folder.mkdir(parents=True, exist_ok=True)
    data = SCENARIOS_DIR / "data"
    shutil.copy(data / "county_centres.csv", folder / "centres.csv")
    shutil.copy(data / "county_hospitals.csv", folder / "hospitals.csv")
    st = stations if stations is not None else pd.read_csv(data / "county_stations.csv")
    st.to_csv(folder / "stations.csv", index=False)
    path = folder / "scenario.toml"
    path.write_text(BASE + extra, encoding="utf-8")
    return path


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI in-process: (exit code, stdout + stderr)."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    code = exc.value.code
    return (code if isinstance(code, int) else 1), out.out + out.err


def assert_nothing_written(out: Path) -> None:
    leftovers = sorted(p.relative_to(out) for p in out.rglob("*")) if out.exists() else []
    assert leftovers == [], f"results left behind: {leftovers}"


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize(
    ("case", "extra", "bad_line", "field", "message"),
    SCHEMA_CASES,
    ids=[c[0] for c in SCHEMA_CASES],
)
def test_schema_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    case: str,
    extra: str,
    bad_line: str,
    field: str,
    message: str,
) -> None:
    path = make_case(tmp_path / case, extra)
    out = tmp_path / "out"
    argv = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    code, text = cli(argv, capsys)
    assert code == 2
    assert "Traceback" not in text
    assert f"{path}:{line_of(path, bad_line)} {field}: " in text
    assert message in text
    assert_nothing_written(out)


def test_override_error_names_the_override(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = make_case(tmp_path / "ok")
    out = tmp_path / "out"
    code, text = cli(["run", str(path), "--out", str(out), "--set", "fleet.ambulances=-1"], capsys)
    assert code == 2
    assert "Traceback" not in text
    assert "--set fleet.ambulances=-1 fleet.ambulances: " in text
    assert_nothing_written(out)


@pytest.fixture
def off_network_case(tmp_path: Path) -> Path:
    st = pd.read_csv(SCENARIOS_DIR / "data" / "county_stations.csv")
    st.loc[st["id"] == "S3", ["lon", "lat"]] = [OFF_NETWORK_LON, OFF_NETWORK_LAT]
    return make_case(tmp_path / "off", stations=st)


def test_facility_off_network_validate(
    off_network_case: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = cli(["validate", str(off_network_case)], capsys)
    assert code == 2
    assert "Traceback" not in text
    assert str(off_network_case) in text
    assert "station S3" in text
    assert "snap_limit_m" in text
    distance_m = float(text.split(" m from the nearest road node")[0].rsplit(" ", 1)[1])
    assert 4500 < distance_m < 5500


def test_facility_off_network_run(
    off_network_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, text = cli(["run", str(off_network_case), "--out", str(out)], capsys)
    assert code == 2
    assert "Traceback" not in text
    assert "station S3" in text
    assert "snap_limit_m" in text
    assert_nothing_written(out)


def test_facility_off_network_run_names_the_file(
    off_network_case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text = cli(["run", str(off_network_case), "--out", str(tmp_path / "out")], capsys)
    assert str(off_network_case) in text or str(off_network_case.parent / "stations.csv") in text


@pytest.mark.parametrize("command", ["validate", "run"])
def test_missing_csv_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    st = pd.read_csv(SCENARIOS_DIR / "data" / "county_stations.csv").drop(columns=["lat"])
    path = make_case(tmp_path / "nolat", stations=st)
    out = tmp_path / "out"
    argv = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    code, text = cli(argv, capsys)
    assert code == 2
    assert "Traceback" not in text
    assert f"{path.parent / 'stations.csv'}: missing column 'lat'" in text
    assert_nothing_written(out)


def test_failure_while_writing_leaves_no_partial_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run that fails after some result files are written leaves no folder behind."""
    path = make_case(tmp_path / "ok")
    out = tmp_path / "out"

    def broken_to_csv(self: pd.DataFrame, *args: object, **kwargs: object) -> None:
        raise UserError("disk full (simulated)")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken_to_csv)
    code, text = cli(["run", str(path), "--out", str(out), "--reps", "1"], capsys)
    assert code == 2
    assert "disk full" in text
    assert "Traceback" not in text
    assert_nothing_written(out / "bad_case")


def test_console_script_exit_code_and_no_traceback(tmp_path: Path) -> None:
    """The real entry point (``python -m sim``), not only the in-process main()."""
    path = make_case(tmp_path / "typo", "\n[fleet]\nambulancez = 3\n")
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert f"{path}:{line_of(path, 'ambulancez')} fleet.ambulancez: unknown field" in proc.stderr
