"""``trauma-sim run`` and ``validate`` on the shipped county baseline, end to end."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from helpers import COUNTY_BASELINE

from sim.cli import main
from sim.config.scenario import load_scenario

RUN_FILES = {
    "incidents.parquet",
    "events.parquet",
    "units.parquet",
    "kpis.csv",
    "scenario.resolved.toml",
    "manifest.json",
}
MANIFEST_KEYS = {"scenario_hash", "seed", "replications", "versions", "network_hash", "wall_s"}


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    code = exc.value.code
    return (0 if code is None else code if isinstance(code, int) else 1), out.out + out.err


def run_folder(out: Path, scenario: str) -> Path:
    folders = [p for p in (out / scenario).iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    assert not folders[0].name.startswith(".")
    return folders[0]


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("results")
    with pytest.raises(SystemExit) as exc:
        main(["run", str(COUNTY_BASELINE), "--reps", "2", "--horizon-days", "3", "--out", str(out)])
    assert exc.value.code in (0, None)
    return out, "county_baseline"


def test_run_writes_results_folder(baseline_run: tuple[Path, str]) -> None:
    out, name = baseline_run
    folder = run_folder(out, name)
    assert {p.name for p in folder.iterdir()} >= RUN_FILES
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]


def test_manifest(baseline_run: tuple[Path, str]) -> None:
    out, name = baseline_run
    manifest = json.loads((run_folder(out, name) / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest) >= MANIFEST_KEYS
    expected = load_scenario(COUNTY_BASELINE, ["run.horizon_days=3"])
    assert manifest["scenario_hash"] == expected.content_hash()
    assert manifest["seed"] == expected.run.seed
    assert manifest["replications"] == 2
    assert isinstance(manifest["versions"], dict)
    assert "numpy" in manifest["versions"]
    assert manifest["network_hash"]
    assert 0 < manifest["wall_s"] < 600


def test_tables(baseline_run: tuple[Path, str]) -> None:
    out, name = baseline_run
    folder = run_folder(out, name)
    incidents = pd.read_parquet(folder / "incidents.parquet")
    assert sorted(incidents["rep"].unique()) == [0, 1]
    assert incidents["t_injury"].max() < 3 * 1440.0
    events = pd.read_parquet(folder / "events.parquet")
    units = pd.read_parquet(folder / "units.parquet")
    assert len(events) > len(incidents)
    assert len(units) > 0
    kpis = pd.read_csv(folder / "kpis.csv")
    assert {"metric", "mean", "ci_low", "ci_high"} <= set(kpis.columns)
    assert "response_min_mean" in set(kpis["metric"])


def test_resolved_scenario_reloads_to_the_same_hash(baseline_run: tuple[Path, str]) -> None:
    out, name = baseline_run
    resolved = run_folder(out, name) / "scenario.resolved.toml"
    data = tomllib.loads(resolved.read_text(encoding="utf-8"))
    assert data["run"]["horizon_days"] == 3
    assert (
        load_scenario(resolved).content_hash()
        == load_scenario(COUNTY_BASELINE, ["run.horizon_days=3"]).content_hash()
    )


def test_run_with_set_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = cli(
        [
            "run",
            str(COUNTY_BASELINE),
            "--reps",
            "1",
            "--horizon-days",
            "3",
            "--set",
            "fleet.ambulances=4",
            "--seed",
            "7",
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert code == 0, text
    folder = run_folder(tmp_path, "county_baseline")
    resolved = tomllib.loads((folder / "scenario.resolved.toml").read_text(encoding="utf-8"))
    assert resolved["fleet"]["ambulances"] == 4
    assert resolved["run"]["seed"] == 7
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7
    units = pd.read_parquet(folder / "units.parquet")
    assert set(units["unit"]) <= {0, 1, 2, 3}


def test_issue_example_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = cli(
        ["run", str(COUNTY_BASELINE), "--reps", "2", "--horizon-days", "2", "--out", str(tmp_path)],
        capsys,
    )
    assert code == 0, text


def test_validate_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    code, text = cli(["validate", str(COUNTY_BASELINE)], capsys)
    assert code == 0, text
    assert f"{COUNTY_BASELINE}: ok" in text


def test_calibration_command_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRAUMA_SIM_CACHE", str(tmp_path / "cache"))  # hermetic cache
    code, out = cli(
        ["calibration", str(COUNTY_BASELINE), "--reps", "2", "--horizon-days", "3", "--json"],
        capsys,
    )
    assert code == 0, out
    rows = json.loads(out)
    assert [set(r) for r in rows] == [
        {"target", "kind", "published", "low", "high", "simulated", "ok"}
    ] * len(rows)
    assert sum(r["kind"] == "holdout" for r in rows) >= 4
    assert {r["kind"] for r in rows} == {"fit", "holdout"}
    for r in rows:
        inside = r["low"] <= r["simulated"] <= r["high"]
        assert r["ok"] == inside, r


def test_calibration_command_bad_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = cli(["calibration", "no_such.toml"], capsys)
    assert code == 2
    assert "no_such.toml" in out
    assert "Traceback" not in out


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    import sim

    code, text = cli(["--version"], capsys)
    assert code == 0, text
    assert text.strip() == f"trauma-sim {sim.__version__}"
