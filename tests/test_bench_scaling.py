"""``trauma-sim bench scaling`` on a tiny configuration: its JSON, CSV and plot (no timings)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import COUNTY_BASELINE

from sim import cli

POINT_KEYS = {
    "factor",
    "level",
    "scenario",
    "network",
    "nodes",
    "centres",
    "ambulances",
    "horizon_days",
    "incidents",
    "events",
    "world_build_s",
    "run_s",
    "cost_per_incident_us",
    "bare_simpy_incidents_per_s",
    "cost_per_incident_us_load_corrected",
    "load_average_1min",
    "attribution",
}


def _two_centre_county(tmp_path: Path) -> Path:
    """The county baseline with a second 120 centre (the shipped county has one)."""
    centres = tmp_path / "centres.csv"
    centres.write_text(
        "id,name,lon,lat,seats\nC1,seat,119.64982,29.10082,2\nC2,south,119.70,29.05,2\n",
        encoding="utf-8",
    )
    path = tmp_path / "county_two_centres.toml"
    path.write_text(
        f'extends = "{COUNTY_BASELINE.as_posix()}"\n'
        'name = "county_two_centres"\n'
        "[facilities]\n"
        f'centres = {{ file = "{centres.as_posix()}" }}\n',
        encoding="utf-8",
    )
    return path


def test_bench_scaling_json_csv_and_plot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TRAUMA_SIM_DATA", raising=False)
    empty = tmp_path / "no-data"
    empty.mkdir()
    out = tmp_path / "report"
    args = [
        "bench", "scaling", "--json", "--out", str(out), "--data-dir", str(empty),
        "--scenario", str(_two_centre_county(tmp_path)),
        "--network-scenario", str(COUNTY_BASELINE),
        "--horizon", "1", "--horizon", "2", "--fleet", "0.5", "--fleet", "1",
        "--centres", "1", "--centres", "2", "--centres", "5", "--days", "1",
    ]  # fmt: skip
    with pytest.raises(SystemExit) as info:
        cli.main(args)
    assert info.value.code in (0, None)
    result = json.loads(capsys.readouterr().out)
    assert {"base", "cpu_count", "load_average_start", "wall_s", "points"} <= set(result)
    points = result["points"]
    assert all(set(p) == POINT_KEYS for p in points)
    # The base and the one --network-scenario are the network points; 5 centres is more
    # than the scenario has: skipped, not invented.
    assert [p["factor"] for p in points].count("network") == 2
    by = {(p["factor"], p["level"]): p for p in points if p["factor"] != "network"}
    assert set(by) == {
        ("horizon", 1.0),
        ("horizon", 2.0),
        ("fleet", 0.5),
        ("fleet", 1.0),
        ("centres", 1),
        ("centres", 2),
    }
    assert by[("horizon", 2.0)]["incidents"] > by[("horizon", 1.0)]["incidents"] > 0
    assert by[("fleet", 0.5)]["ambulances"] < by[("fleet", 1.0)]["ambulances"]
    assert by[("centres", 1)]["centres"] == 1
    assert by[("centres", 2)]["centres"] == 2
    # The same incidents whatever the fleet or the centres (common random numbers).
    assert by[("fleet", 0.5)]["incidents"] == by[("centres", 1)]["incidents"]
    table = pd.read_csv(out / "scaling.csv")
    assert len(table) == len(points)
    assert json.loads((out / "scaling.json").read_text(encoding="utf-8")) == result
    png = (out / "scaling.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 10_000
    assert not [p for p in out.iterdir() if ".tmp" in p.name]


def test_bench_scaling_refuses_a_missing_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "scaling", "--out", str(tmp_path), "--scenario", "nope.toml"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "nope.toml" in err
    assert "Traceback" not in err
