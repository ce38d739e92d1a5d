"""Each chart function on small fixtures: returns Axes with the expected artists."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plot_fixtures as fx
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from sim.core.errors import UserError
from sim.plotting import charts
from sim.plotting import labels as lb


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _bars(ax: Axes) -> list[Rectangle]:
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_stage_bars_one_segment_per_scenario_and_stage_in_chain_order() -> None:
    ax = charts.stage_bars(fx.stages_table())
    assert isinstance(ax, Axes)
    assert len(_bars(ax)) == 2 * len(lb.STAGE_ORDER)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [lb.STAGES[s].zh for s in lb.STAGE_ORDER]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["baseline", "integrated"]
    # The stacked bar ends where the stage means add up (drawing, not a computed metric).
    right = max(p.get_x() + p.get_width() for p in _bars(ax) if p.get_y() > 0.5)
    assert right == pytest.approx(sum(fx.BASE_STAGE_MIN.values()))


def test_stage_bars_english_and_given_axes() -> None:
    _fig, ax = plt.subplots()
    out = charts.stage_bars(
        fx.stages_table(), ax=ax, lang="en", scenarios=["integrated", "baseline"]
    )
    assert out is ax
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Drive to scene" in legend
    assert [t.get_text() for t in ax.get_yticklabels()] == ["integrated", "baseline"]


def test_ecdf_one_line_per_scenario_plus_targets() -> None:
    inc = pd.concat([fx.incidents_table("baseline"), fx.incidents_table("integrated")])
    inc.loc[inc.index[:3], "response_min"] = np.nan  # e.g. no ambulance sent
    ax = charts.ecdf(inc, "response_min")
    assert len(ax.get_lines()) == 2
    assert ax.get_lines()[0].get_ydata()[-1] == pytest.approx(1.0)
    assert ax.get_xlabel() == lb.METRICS["response_min"].zh
    ax2 = charts.ecdf(inc, column="injury_to_definitive_min", targets_min=(8, 12), lang="en")
    assert len(ax2.get_lines()) == 4


def test_compliance_bars_one_bar_per_zone_and_scenario_with_ci() -> None:
    ax = charts.compliance_bars(fx.compliance_table())
    assert len(_bars(ax)) == 4
    heights = sorted(round(p.get_height(), 6) for p in _bars(ax))
    assert heights == sorted([55.0, 41.0, 67.0, 53.0])
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["城区（目标 ≤8 分钟）", "农村（目标 ≤12 分钟）"]
    assert sum(len(c.lines[2]) for c in ax.containers if hasattr(c, "lines")) >= 1


def test_utilisation_lines_per_resource_and_scenario() -> None:
    ax = charts.utilisation_by_hour(fx.utilisation_table())
    assert len(ax.get_lines()) == 3 * 2
    assert max(max(line.get_ydata()) for line in ax.get_lines()) <= 100
    ax2 = charts.utilisation_by_hour(fx.utilisation_table(), resources=["expert"], lang="en")
    assert len(ax2.get_lines()) == 2


def test_consult_waits_box_and_hist() -> None:
    ax = charts.consult_waits(fx.consult_waits_table())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["integrated", "baseline"]
    ax2 = charts.consult_waits(fx.consult_waits_table(), kind="hist")
    assert len(ax2.patches) == 2
    with pytest.raises(UserError, match="kind"):
        charts.consult_waits(fx.consult_waits_table(), kind="violin")  # type: ignore[arg-type]


def test_averted_bars_counts_and_dalys_without_base() -> None:
    table = pd.concat(
        [
            fx.comparison_table(),
            pd.DataFrame(
                [
                    {
                        "scenario": "baseline",
                        "metric": "deaths_averted_per_year",
                        "mean": 0.0,
                        "ci_low": 0.0,
                        "ci_high": 0.0,
                    }
                ]
            ),
        ]
    )
    ax = charts.averted_bars(table, base="baseline")
    assert len(_bars(ax)) == 3
    assert sorted(round(p.get_width(), 2) for p in _bars(ax)) == [1.26, 2.35, 3.47]
    assert any(isinstance(c, LineCollection) for c in ax.collections)  # PSA lines
    ax2 = charts.averted_bars(table, base="baseline", metrics=("dalys_averted_per_year",))
    assert [round(p.get_width(), 1) for p in _bars(ax2)] == [187.4]
    ticks = [t.get_text() for t in ax2.get_yticklabels()]
    assert ticks == [lb.METRICS["dalys_averted_per_year"].zh]


def test_tornado_two_bars_per_parameter_widest_on_top() -> None:
    ax = charts.tornado(fx.tornado_table())
    assert len(_bars(ax)) == 6
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    # Known parameters by their Chinese label, never their code name; unknown ones as given.
    assert ticks[0].startswith(lb.PARAMETERS["beta_major_trauma"].zh)
    assert ticks[1].startswith("scene_min_median")
    assert ticks[2].startswith(lb.PARAMETERS["kappa"].zh)
    en = [t.get_text() for t in charts.tornado(fx.tornado_table(), lang="en").get_yticklabels()]
    assert en[0].startswith(lb.PARAMETERS["beta_major_trauma"].en)
    assert any(line.get_xdata()[0] == pytest.approx(3.47) for line in ax.get_lines())
    # The base result in the metric's registered format, never 3.47e+00 style.
    assert ax.get_xlabel() == "每年避免死亡（人）  (基准结果 3.47)"
    with pytest.raises(UserError, match="metric"):
        charts.tornado(fx.tornado_table(), metric="nope")


def test_every_default_uncertain_parameter_has_labels() -> None:
    from sim.outcomes.params import OutcomeSpec, default_uncertain_parameters

    names = {p.name for p in default_uncertain_parameters(OutcomeSpec())}
    assert names
    assert names <= set(lb.PARAMETERS), sorted(names - set(lb.PARAMETERS))


def test_missing_column_and_bad_lang_are_user_errors() -> None:
    with pytest.raises(UserError, match="stages: column"):
        charts.stage_bars(fx.stages_table().drop(columns=["mean_min"]))
    with pytest.raises(UserError, match="lang"):
        charts.compliance_bars(fx.compliance_table(), lang="fr")


def test_save_figure_png_and_pdf(tmp_path: Path) -> None:
    ax = charts.stage_bars(fx.stages_table())
    png = charts.save_figure(ax.figure, tmp_path / "a" / "stages.png", dpi=80)
    pdf = charts.save_figure(ax.figure, tmp_path / "stages.pdf")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data
