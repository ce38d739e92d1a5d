"""``trauma-sim bench sweep --json``: throughput with 1 and 2 workers per backend (no timing
assertions: the machine is shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import cli

ROOT = Path(__file__).resolve().parents[1]


def _tiny_sweep(folder: Path) -> Path:
    path = folder / "tiny.toml"
    base = (ROOT / "scenarios" / "county_baseline.toml").as_posix()
    path.write_text(
        f'base = "{base}"\nreplications = 2\nhorizon_days = 2\nseed = 1\n\n'
        '[[vary]]\nfield = "fleet.ambulances"\nvalues = [6]\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("backend", ["process", "dask"])
def test_bench_sweep_json(backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if backend == "dask":
        pytest.importorskip("dask.distributed")
    args = ["bench", "sweep", str(_tiny_sweep(tmp_path)), "--json", "--backend", backend]
    with pytest.raises(SystemExit) as info:
        cli.main([*args, "--workers", "1", "--workers", "2"])
    assert info.value.code in (0, None)
    result = json.loads(capsys.readouterr().out)
    assert result["tasks"] == 4  # base + 1 point, 2 replications each
    assert result[f"{backend}_1_speedup"] == 1.0
    for n in (1, 2):
        assert result[f"{backend}_{n}_s"] > 0
        assert result[f"{backend}_{n}_reps_per_s"] > 0
        assert result[f"{backend}_{n}_speedup"] > 0


def test_bench_sweep_rejects_unknown_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "sweep", str(_tiny_sweep(tmp_path)), "--backend", "mpi"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--backend mpi" in err
    assert "Traceback" not in err
