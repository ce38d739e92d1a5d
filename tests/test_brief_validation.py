"""The brief's validation figure (issue 13 item 4): shown with its verdict when present."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.core.errors import UserError
from sim.plotting.brief_validation import validation_figures


@dataclass(frozen=True)
class _Run:
    path: Path
    scenario: str


def _folder(root: Path, name: str, manifest: dict[str, object] | None) -> _Run:
    v = root / name / "validation"
    v.mkdir(parents=True)
    (v / "validation.png").write_bytes(b"\x89PNG fake " + name.encode())
    if manifest is not None:
        (v / "validation.json").write_text(json.dumps(manifest), encoding="utf-8")
    return _Run(root / name, f"scenario {name}")


def test_validation_figures_with_verdicts(tmp_path: Path) -> None:
    passed = _folder(tmp_path, "a", {"passed": True, "alpha": 0.01, "observed_calls": 120})
    failed = _folder(
        tmp_path,
        "b",
        {"passed": False, "alpha": 0.05, "observed_calls": 80, "stages_failing": ["turnout"]},
    )
    no_verdict = _folder(tmp_path, "c", None)
    absent = _Run(tmp_path / "d", "scenario d")
    figs = validation_figures([passed, failed, no_verdict, absent], "en")
    assert [f[0] for f in figs] == ["validation_0", "validation_1"]
    assert figs[0][2] == (passed.path / "validation" / "validation.png").read_bytes()
    assert "scenario a, 120 observed calls" in figs[0][1]
    assert "rejects at alpha=0.01" in figs[0][1]
    assert "not passed: turnout" in figs[1][1]
    zh = validation_figures([failed], "zh")
    assert "未通过：turnout" in zh[0][1]
    with pytest.raises(UserError, match="lang"):
        validation_figures([passed], "fr")
