"""The all-assumptions tornado figure: minutes saved and DALYs averted side by side."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from sim.plotting import labels as lb
from sim.plotting.charts import save_figure, tornado
from sim.plotting.style import brief_style


def save_tornado_figure(
    table: pd.DataFrame, path: Path, *, lang: str = "zh", max_parameters: int = 12
) -> Path:
    """Draw one tornado per metric of ``table`` (stacked) and save it.

    Parameters
    ----------
    table
        Output of :func:`sim.runs.sensitivity.sensitivity` (or any table with the columns
        :func:`sim.plotting.charts.tornado` reads).
    path
        Where to write (format from the suffix).
    lang
        ``"zh"`` or ``"en"``.
    max_parameters
        Parameters drawn per metric, widest swing first.

    Returns
    -------
    Path
    """
    metrics = list(dict.fromkeys(str(m) for m in table["metric"]))
    with brief_style(lang):
        fig, axes = plt.subplots(
            len(metrics),
            1,
            figsize=(8.0, (1.2 + 0.4 * max_parameters) * len(metrics)),
            squeeze=False,
        )
        for ax, m in zip(axes[:, 0], metrics, strict=True):
            tornado(table, ax=ax, lang=lang, metric=m, max_parameters=max_parameters)
        fig.suptitle(lb.text("fig_tornado_all", lang))
        out = save_figure(fig, path)
    plt.close(fig)
    return out
