"""``run --resume`` and ``compare --resume``: a run killed with SIGKILL completes identically."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "scenarios" / "county_baseline.toml"
OTHER = REPO / "scenarios" / "county_integrated.toml"
SMALL = ["--reps", "3", "--horizon-days", "2", "--seed", "11"]
ENV = {**os.environ, "MPLBACKEND": "Agg"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], env=ENV, capture_output=True, text=True
    )


def _kill_after_first_replication(args: list[str], out: Path) -> None:
    """Start the command, SIGKILL it once a replication is checkpointed (or it ends)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if list(out.glob(".checkpoints/*/*/rep-*.pkl")):
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _only_folder(root: Path) -> Path:
    folders = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == 1, folders
    return folders[0]


@pytest.mark.parametrize("command", ["run", "compare", "run --stream-events"])
def test_killed_then_resumed_equals_uninterrupted(command: str, tmp_path: Path) -> None:
    command, *flags = command.split()
    files = [str(BASE)] if command == "run" else [str(BASE), str(OTHER)]
    # The reference is never streamed: a streamed, killed and resumed run gives its tables.
    ref = _cli(command, *files, *SMALL, "--out", str(tmp_path / "ref"))
    assert ref.returncode == 0, ref.stderr
    out = tmp_path / "killed"
    args = [command, *files, *SMALL, "--out", str(out), *flags]
    _kill_after_first_replication(args, out)
    assert list(out.glob(".checkpoints/*/*/rep-*.pkl")), "killed before any replication"
    assert not (out / ("county_baseline" if command == "run" else "compare")).exists()
    resumed = _cli(*args, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    if command == "run":
        a = _only_folder(tmp_path / "ref" / "county_baseline")
        b = _only_folder(out / "county_baseline")
        tables = ["kpis.csv", "incidents.parquet", "events.parquet"]
    else:
        a = _only_folder(_only_folder(tmp_path / "ref" / "compare"))
        b = _only_folder(_only_folder(out / "compare"))
        tables = ["comparison.csv", "stages.csv", "county_integrated/incidents.parquet"]
    for name in tables:
        read = pd.read_csv if name.endswith(".csv") else pd.read_parquet
        pd.testing.assert_frame_equal(read(b / name), read(a / name), obj=name)
    # The checkpoints served their purpose and are gone; nothing half-written is left.
    assert not (out / ".checkpoints").exists()
    assert not list(out.rglob(".*.tmp*"))
