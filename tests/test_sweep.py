"""Sweeps: equal to separate comparisons, identical serial/pool/Dask, loss-free resume, errors.

Kept small: the synthetic county, 1.5 simulated days (1 of warm-up), 2 replications, few PSA
draws; the point is identity of results, not their values.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.runs.compare import compare_scenarios
from sim.runs.sweep import load_sweep, run_sweep

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "scenarios" / "county_internet120.toml"

SWEEP = f"""
base = "{BASE.as_posix()}"
replications = 2
horizon_days = 1.5
seed = 7
psa_draws = 10

[[vary]]
field = "fleet.ambulances"
values = [6, 10]

[[vary]]
field = "mechanisms.internet_plus_120.aml_coverage"
values = [0.0, 0.9]
"""


def write(tmp: Path, text: str, name: str = "sweep.toml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    tmp = tmp_path_factory.mktemp("sweep")
    spec = load_sweep(write(tmp, SWEEP))
    return tmp, run_sweep(spec, tmp / "out")


def test_design_is_the_grid(serial: tuple[Path, pd.DataFrame]) -> None:
    _, table = serial
    points = table.drop_duplicates("point")
    assert points[
        ["fleet.ambulances", "mechanisms.internet_plus_120.aml_coverage"]
    ].values.tolist() == [
        [6, 0.0],
        [6, 0.9],
        [10, 0.0],
        [10, 0.9],
    ]
    assert not table.duplicated(["point", "metric"]).any()
    # A point that changes nothing the base sees would be a useless check: fleets differ.
    resp = table[table["metric"] == "response_min_mean"].set_index("point")["mean"]
    assert resp.loc[0] != resp.loc[2]


def test_sweep_point_equals_a_separate_comparison(serial: tuple[Path, pd.DataFrame]) -> None:
    tmp, table = serial
    spec = load_sweep(tmp / "sweep.toml")
    point = spec.points[1]
    comp = compare_scenarios([spec.base, point.scenario], psa_draws=10)
    expected = comp.comparison[comp.comparison["scenario"] == point.scenario.name]
    got = table[table["point"] == 1]
    cols = [c for c in expected.columns if c != "scenario"]
    pd.testing.assert_frame_equal(
        got[cols].reset_index(drop=True), expected[cols].reset_index(drop=True)
    )


def test_serial_equals_process_pool_equals_dask(
    serial: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    import dask.distributed as distributed  # a dev dependency: missing it fails, never skips
    tmp, table = serial
    spec = load_sweep(tmp / "sweep.toml")
    pooled = run_sweep(spec, tmp_path / "pool", jobs=2)
    pd.testing.assert_frame_equal(pooled, table)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_sweep(spec, tmp_path / "dask", executor=client.get_executor())
    pd.testing.assert_frame_equal(on_dask, table)


def test_kill_9_and_resume_give_identical_results(
    serial: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    tmp, table = serial
    out = tmp_path / "killed"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    argv = [sys.executable, "-m", "sim", "sweep", str(tmp / "sweep.toml"), "--out", str(out)]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill after a random number of the 10 replications are on disk (0..8).
    wanted = os.urandom(1)[0] % 9
    print(f"killing after {wanted} replications")  # shown when the test fails
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        done = len(list((out / "checkpoints").rglob("rep-*.pkl"))) if out.exists() else 0
        if done >= wanted:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "sweep.parquet").exists() or proc.returncode == 0
    resumed = subprocess.run([*argv, "--resume"], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    again = pd.read_parquet(out / "sweep.parquet")
    assert not again.duplicated(["point", "metric"]).any()
    pd.testing.assert_frame_equal(again, table)
    assert len(list((out / "checkpoints").rglob("rep-*.pkl"))) == 10
    assert not list(out.rglob(".*.tmp-*"))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (('field = "fleet.ambulances"', 'field = "fleet.ambulancez"'), ":9 fleet.ambulancez: "),
        (("values = [6, 10]", "values = []"), ":10 fleet.ambulances: values must be a non-empty"),
        (("values = [6, 10]", "values = [6, 0]"), ":10 fleet.ambulances: "),
        (
            (
                "[[vary]]",
                '[[sample]]\nn = 4\n[[sample.range]]\nfield = "x.y"\nlow = 2\nhigh = 1\n[[vary]]',
            ),
            ":12 x.y: low > high",
        ),
    ],
    ids=["unknown-field", "empty-values", "rejected-value", "low-above-high"],
)
def test_bad_sweep_files_exit_2_and_write_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    expected: str,
) -> None:
    text = SWEEP.replace(edit[0], edit[1], 1)
    path = write(tmp_path, text, "bad.toml")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exc:
        main(["sweep", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert f"{path}{expected}" in " ".join(err.split()), err
    assert "Traceback" not in err
    assert not out.exists()


def test_latin_hypercube_points_lie_in_their_ranges(tmp_path: Path) -> None:
    text = SWEEP.split("[[vary]]")[0] + (
        '[[sample]]\nmethod = "lhs"\nn = 5\n'
        '[[sample.range]]\nfield = "fleet.ambulances"\nlow = 4\nhigh = 12\n'
        '[[sample.range]]\nfield = "mechanisms.internet_plus_120.aml_coverage"\n'
        "low = 0.2\nhigh = 0.6\n"
    )
    spec = load_sweep(write(tmp_path, text))
    fleets = [p.values["fleet.ambulances"] for p in spec.points]
    shares = [p.values["mechanisms.internet_plus_120.aml_coverage"] for p in spec.points]
    assert len(spec.points) == 5
    assert all(isinstance(f, int) and 4 <= f <= 12 for f in fleets)
    assert all(0.2 <= s <= 0.6 for s in shares)
    # One point per fifth of the range: that is what makes it a Latin hypercube.
    assert sorted(int((s - 0.2) / 0.08) for s in shares) == [0, 1, 2, 3, 4]
    assert [p.scenario.fleet.ambulances for p in spec.points] == fleets


def test_shipped_county_sweep_is_a_valid_3x3_grid() -> None:
    spec = load_sweep(REPO / "scenarios" / "sweeps" / "county_fleet_aml.toml")
    assert len(spec.points) == 9
    assert spec.fields == ["fleet.ambulances", "mechanisms.internet_plus_120.aml_coverage"]
    assert spec.base.mechanisms.internet_plus_120.enabled
    assert {p.scenario.fleet.ambulances for p in spec.points} == {6, 9, 12}


def test_public_api_sweep_matches_run_sweep(serial: tuple[Path, pd.DataFrame]) -> None:
    import sim

    tmp, table = serial
    # Same folder: everything is read back from the checkpoints, nothing is simulated.
    pd.testing.assert_frame_equal(sim.sweep(tmp / "sweep.toml", tmp / "out"), table)


def test_resume_of_a_sweep_killed_before_any_checkpoint_starts_it(
    serial: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    """Killed before its first replication was saved, a sweep resumes from the beginning."""
    tmp, table = serial
    out = tmp_path / "never-started"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    argv = [sys.executable, "-m", "sim", "sweep", str(tmp / "sweep.toml"), "--out", str(out)]
    resumed = subprocess.run([*argv, "--resume"], env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "no sweep checkpoints yet" in resumed.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "sweep.parquet"), table)
