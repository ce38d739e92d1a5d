"""``trauma-sim bench network --json`` on the synthetic county (fast, no shared data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import cli

KEYS = {
    "network",
    "nodes",
    "edges",
    "xml_load_s",
    "cache_load_s",
    "precompute_50_s",
    "lookups_per_s",
    "peak_memory_mb",
}


def test_bench_network_json_on_synthetic_county(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TRAUMA_SIM_DATA", raising=False)
    empty = tmp_path / "no-data"
    empty.mkdir()
    with pytest.raises(SystemExit) as info:
        cli.main(["bench", "network", "--json", "--data-dir", str(empty)])
    assert info.value.code in (0, None)
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1
    result = json.loads(out)
    assert isinstance(result, dict)
    assert set(result) >= KEYS
    assert result["network"] == "synthetic_county"
    assert result["nodes"] > 0
    assert result["edges"] > 0
    assert result["lookups_per_s"] > 1e4
    for key in ("xml_load_s", "cache_load_s", "precompute_50_s", "peak_memory_mb"):
        # Each is a measured duration or memory peak: positive, and finite.
        assert 0 < result[key] < float("inf"), key
