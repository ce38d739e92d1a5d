"""Interrupted and concurrent runs: no leaked workers, no stale folders, no lost results.

``kill -9`` of a ``run --jobs 2`` parent must take its pool workers with it; temporary
folders a killed writer left behind are removed at the next start (a live writer's are
kept); run ids are unique, and two runs of one scenario started together both succeed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import COUNTY_BASELINE, REPO_ROOT

from sim.config.scenario import load_scenario
from sim.io.results import atomic_dir, remove_stale_temporaries
from sim.runs.study import run_id

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _env() -> dict[str, str]:
    return {**os.environ, "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}


def _children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@linux_only
def test_sigkill_of_the_parent_leaves_no_worker(tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-m",
        "sim",
        "run",
        str(COUNTY_BASELINE),
        "--jobs",
        "2",
        "--reps",
        "2",
        "--horizon-days",
        "365",
        "--out",
        str(tmp_path / "out"),
    ]  # long replications: a worker left alone would keep computing for many seconds
    proc = subprocess.Popen(
        argv, cwd=REPO_ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            workers = [p for p in _children(proc.pid) if _alive(p)]
            if len(workers) >= 2:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "the run ended before its workers could be seen"
        assert len(workers) >= 2, f"pool workers not found (children: {workers})"
        time.sleep(1.0)  # the workers are past their start-up
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.2)
        survivors = [p for p in workers if _alive(p)]
        assert survivors == [], f"workers outlived their parent: {survivors}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in workers:  # never leak a worker, even when the test fails
            if _alive(p):
                os.kill(p, signal.SIGKILL)


def test_stale_temporary_folder_removed_live_one_kept(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "county_baseline" / f".20260101-000000-x.tmp-{dead.pid}-abc"
    stale.mkdir(parents=True)
    (stale / "incidents.parquet").write_bytes(b"partial")
    live = tmp_path / "compare" / "a-vs-b" / f".20260101-000000-y.tmp-{os.getpid()}-def"
    live.mkdir(parents=True)
    other = tmp_path / "county_baseline" / "20260101-000000-z"
    other.mkdir()
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert not stale.exists()
    assert live.exists()
    assert other.exists()


def test_next_run_removes_stale_folder(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / "county_baseline" / f".x.tmp-{dead.pid}-abc"
    stale.mkdir(parents=True)
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(COUNTY_BASELINE), "--reps", "1",
         "--horizon-days", "2", "--out", str(tmp_path)],
        cwd=REPO_ROOT, env=_env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists()
    assert "temporary folder of a killed run" in proc.stderr


def test_run_ids_are_unique_within_a_second() -> None:
    sc = load_scenario(COUNTY_BASELINE)
    ids = {run_id(sc) for _ in range(50)}
    assert len(ids) == 50


def test_name_collision_keeps_both_results(tmp_path: Path) -> None:
    final = tmp_path / "run"
    for text in ("first", "second"):
        staging = atomic_dir(final, unique=True)
        with staging as tmp:
            (tmp / "kpis.csv").write_text(text, encoding="utf-8")
    folders = sorted(tmp_path.iterdir())
    assert len(folders) == 2
    assert sorted((p / "kpis.csv").read_text(encoding="utf-8") for p in folders) == [
        "first",
        "second",
    ]
    assert staging.final != final


def test_two_concurrent_runs_of_one_scenario_both_succeed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sim",
                "run",
                str(COUNTY_BASELINE),
                "--reps",
                reps,
                "--horizon-days",
                "2",
                "--out",
                str(out),
            ],
            cwd=REPO_ROOT,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for reps in ("1", "2")
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
    folders = list((out / "county_baseline").iterdir())
    assert len(folders) == 2
    assert not [p for p in folders if p.name.startswith(".")]
