"""The validate-against figure: simulated against observed intervals (reads tables only).

One panel per stage with both empirical distribution functions (KS distance and p-value in
the title), the median response by hour of day, and response-time compliance by zone. The
tables are those :func:`sim.metrics.validation.validate_against` returns.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.metrics.validation import Validation
from sim.plotting.labels import check_lang
from sim.plotting.style import brief_style

_TEXT = {
    "zh": {
        "observed": "观测",
        "simulated": "模拟",
        "minutes": "分钟",
        "share": "累计比例",
        "hour": "呼叫时刻 (时)",
        "median_response": "反应时间中位数 (分钟)",
        "compliance": "反应时间达标率 (%)",
        "call_to_answer": "呼叫→接听",
        "answer_to_dispatch": "接听→派车",
        "dispatch_to_scene": "派车→到达现场",
        "response": "反应时间 (接听→到达)",
        "scene": "现场时间",
        "transport": "转运时间",
        "urban": "城区",
        "rural": "农村",
        "title": "模拟与观测对比",
        "passed": "通过",
        "failed": "未通过",
    },
    "en": {
        "observed": "observed",
        "simulated": "simulated",
        "minutes": "minutes",
        "share": "cumulative share",
        "hour": "hour of call",
        "median_response": "median response (min)",
        "compliance": "response within target (%)",
        "call_to_answer": "call → answer",
        "answer_to_dispatch": "answer → dispatch",
        "dispatch_to_scene": "dispatch → on scene",
        "response": "response (answer → on scene)",
        "scene": "on scene",
        "transport": "transport",
        "urban": "urban",
        "rural": "rural",
        "title": "Simulated against observed",
        "passed": "passed",
        "failed": "not passed",
    },
}
_COLOURS = {"observed": "#000000", "simulated": "#D55E00"}


def validation_figure(
    intervals: pd.DataFrame,
    summary: pd.DataFrame,
    compliance: pd.DataFrame,
    *,
    passed: bool,
    lang: str = "zh",
) -> Figure:
    """Draw the comparison figure.

    Parameters
    ----------
    intervals, summary, compliance
        Tables of :class:`sim.metrics.validation.Validation`.
    passed
        The overall verdict (shown in the title).
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    check_lang(lang)
    tx = _TEXT[lang]
    stages = list(dict.fromkeys(intervals["stage"])) if not intervals.empty else []
    overall = summary[summary["by"] == "all"].set_index("stage") if not summary.empty else None
    with brief_style(lang):
        fig, axes = plt.subplots(2, 4, figsize=(13, 6.2), constrained_layout=True)
        flat = list(axes.ravel())
        for ax, stage in zip(flat[:6], stages[:6], strict=False):
            st = intervals[intervals["stage"] == stage]
            for source in ("observed", "simulated"):
                x = np.sort(st.loc[st["source"] == source, "minutes"].to_numpy(float))
                if x.size:
                    ax.step(
                        x,
                        np.arange(1, x.size + 1) / x.size,
                        where="post",
                        color=_COLOURS[source],
                        lw=1.4 if source == "observed" else 1.2,
                        ls="-" if source == "observed" else "--",
                        label=tx[source],
                    )
            title = tx.get(stage, stage)
            if overall is not None and stage in overall.index:
                r = overall.loc[stage]
                title += f"\nKS D={r['ks_distance']:.3f}, p={r['ks_p']:.2g}"
            ax.set_title(title, fontsize=9)
            ax.set_xlabel(tx["minutes"])
            ax.set_ylim(0, 1.02)
            upper = st["minutes"].quantile(0.99) if len(st) else 1.0
            ax.set_xlim(left=min(0.0, float(st["minutes"].min()) if len(st) else 0.0), right=upper)
        for ax in flat[len(stages[:6]) : 6]:
            ax.set_visible(False)
        if flat:
            flat[0].set_ylabel(tx["share"])
            flat[0].legend(loc="lower right", fontsize=8)
        ax = flat[6]
        resp = intervals[intervals["stage"] == "response"]
        for source in ("observed", "simulated"):
            m = resp[resp["source"] == source].groupby("hour")["minutes"].median()
            ax.plot(m.index, m.to_numpy(), marker="o", ms=3, color=_COLOURS[source])
        ax.set_xlabel(tx["hour"])
        ax.set_ylabel(tx["median_response"])
        ax.set_xticks(range(0, 24, 6))
        ax = flat[7]
        if not compliance.empty:
            pos = np.arange(len(compliance))
            ax.bar(pos - 0.18, compliance["share_obs"] * 100, 0.36, color=_COLOURS["observed"])
            ax.bar(pos + 0.18, compliance["share_sim"] * 100, 0.36, color=_COLOURS["simulated"])
            ax.set_xticks(pos, [tx.get(z, z) for z in compliance["zone"]])
            ax.set_ylim(0, 100)
        ax.set_ylabel(tx["compliance"])
        verdict = tx["passed"] if passed else tx["failed"]
        fig.suptitle(f"{tx['title']}: {verdict}")
    return fig


def save_validation_figure(fig: Figure, path: str | Path) -> Path:
    """Write the figure as PNG (via a temporary file, then renamed) and close it."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp.png")
    fig.savefig(tmp, dpi=150)
    plt.close(fig)
    tmp.replace(path)
    return path


def draw_validation(v: Validation, path: str | Path, lang: str = "zh") -> Path:
    """Draw and write the comparison figure of ``v`` (what ``validate-against`` shows).

    Parameters
    ----------
    v
        The comparison (:func:`sim.metrics.validation.validate_against`).
    path
        PNG file to write.
    lang
        ``"zh"`` or ``"en"``.

    Returns
    -------
    Path
    """
    fig = validation_figure(
        v.intervals, v.summary, v.compliance, passed=v.manifest["passed"], lang=lang
    )
    return save_validation_figure(fig, path)
