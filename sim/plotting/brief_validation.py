"""The brief's validation figure: a run's ``validate-against`` result, when present.

``trauma-sim validate-against RUN_DIR CALLS.csv`` writes ``RUN_DIR/validation/`` with the
comparison figure (``validation.png``, drawn by :mod:`sim.plotting.validation`) and its
verdict (``validation.json``). The brief shows that figure for every run folder it reads
that has one, captioned with the verdict, so a committee sees that the model was checked
against the centre's own calls. Kept apart from :mod:`sim.plotting.brief`, which calls
:func:`validation_figures` in one line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from sim.plotting.labels import check_lang

_CAPTION = {
    "zh": "模拟与实测对比（{scenario}，{n} 条实测呼叫）：{verdict}",
    "en": "Simulated vs observed ({scenario}, {n} observed calls): {verdict}",
}
_VERDICT = {
    "zh": ("各阶段 KS 检验在 α={alpha:g} 下均未拒绝", "未通过：{failing}"),
    "en": ("no stage's KS test rejects at alpha={alpha:g}", "not passed: {failing}"),
}


class RunFolder(Protocol):
    """A run folder the brief reads: where it is and its scenario's display name."""

    @property
    def path(self) -> Path:
        """The run folder."""
        ...

    @property
    def scenario(self) -> str:
        """The scenario's display name."""
        ...


def validation_figures(runs: Sequence[RunFolder], lang: str) -> list[tuple[str, str, bytes]]:
    """``(key, caption, png)`` of each run folder's validation figure (none if absent).

    Parameters
    ----------
    runs
        The run folders the brief reads (:class:`sim.plotting.brief.RunData`).
    lang
        ``"zh"`` or ``"en"`` (the figure keeps the language it was drawn in).
    """
    lang = check_lang(lang)
    out = []
    for k, run in enumerate(runs):
        png = run.path / "validation" / "validation.png"
        verdict = run.path / "validation" / "validation.json"
        if not (png.is_file() and verdict.is_file()):
            continue
        try:
            manifest = json.loads(verdict.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # an unreadable verdict: the figure would be shown without its meaning
        ok, failed = _VERDICT[lang]
        alpha = float(manifest.get("alpha", 0.01))
        failing = ", ".join(manifest.get("stages_failing", [])) or "-"
        text = ok.format(alpha=alpha) if manifest.get("passed") else failed.format(failing=failing)
        caption = _CAPTION[lang].format(
            scenario=run.scenario, n=int(manifest.get("observed_calls", 0)), verdict=text
        )
        out.append((f"validation_{k}", caption, png.read_bytes()))
    return out
