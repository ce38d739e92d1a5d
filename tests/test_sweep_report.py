"""``trauma-sim sweep-report``: heat map, frontier and CEAC from hand-made result folders."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.core.errors import UserError
from sim.plotting import charts

A = "mechanisms.internet_plus_120.enabled"
B = "fleet.ambulances"
# Four design points: (switch, ambulances) -> (incremental cost yuan/yr, DALYs averted/yr).
POINTS = {
    0: (False, 6, 0.0, 0.0),
    1: (False, 9, 3.0e6, 10.0),
    2: (True, 6, 1.0e6, 8.0),
    3: (True, 9, 4.0e6, 12.0),
}


def make_sweep(folder: Path) -> Path:
    rows = []
    for p, (a, b, cost, dalys) in POINTS.items():
        for metric, value in (
            ("incremental_cost_yuan_per_year", cost),
            ("dalys_averted_per_year", dalys),
            ("response_min_mean", 10.0 - p),
        ):
            rows.append(
                {"point": p, A: a, B: b, "metric": metric, "mean": value, "diff_vs_base": value}
            )
    folder.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(folder / "sweep.parquet", index=False)
    (folder / "manifest.json").write_text(json.dumps({"kind": "sweep", "fields": [A, B]}))
    return folder


def make_comparison(folder: Path) -> Path:
    folder.mkdir(parents=True)
    psa = pd.DataFrame(
        {
            "scenario": ["x"] * 4,
            "draw": range(4),
            "incremental_cost_yuan_per_year": [1e6, 1e6, 1e6, 1e6],
            "dalys_averted_per_year": [1.0, 5.0, 20.0, 40.0],
        }
    )
    psa.to_csv(folder / "psa.csv", index=False)
    (folder / "manifest.json").write_text(json.dumps({"costs": {"gdp_per_capita_yuan": 1e5}}))
    return folder


def test_report_files_frontier_and_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = make_sweep(tmp_path / "sweep")
    cmp_dir = make_comparison(tmp_path / "cmp")
    out = tmp_path / "report"
    with pytest.raises(SystemExit) as exc:
        main(
            [
                "sweep-report",
                str(sweep),
                "--comparison",
                str(cmp_dir),
                "--budget",
                "3500000",
                "--lang",
                "en",
                "--out",
                str(out),
            ]
        )
    assert exc.value.code == 0
    names = {p.name for p in out.iterdir()}
    assert {
        "surface_dalys_averted_per_year.png",
        "frontier.csv",
        "frontier.png",
        "ceac.csv",
        "ceac.png",
    } <= names
    assert not [n for n in names if n.startswith(".")], "no temporary files left"
    frontier = pd.read_csv(out / "frontier.csv")
    on = frontier[frontier["on_frontier"]].sort_values("cost_yuan")
    # By hand: base (0, 0) -> p002 (1 M, 8) ICER 125,000 -> p003 (4 M, 12) ICER 750,000;
    # p001 (3 M, 10) is extendedly dominated (from p002 to p003 is cheaper per DALY than
    # 2 M for 2 DALYs = 1 M per DALY) and p000 equals the base.
    assert list(on["point"]) == [-1, 2, 3]
    assert on["icer_yuan_per_daly"].iloc[1] == pytest.approx(125_000)
    assert on["icer_yuan_per_daly"].iloc[2] == pytest.approx(750_000)
    # Within 3.5 M yuan the most DALYs are p001's 10.
    best = frontier[frontier["best_within_budget"]]
    assert list(best["point"]) == [1]
    assert "best within 3,500,000 yuan/year: p001" in capsys.readouterr().out
    ceac = pd.read_csv(out / "ceac.csv")
    sums = ceac.groupby("wtp_yuan")["p_cost_effective"].sum()
    assert np.allclose(sums, 1.0)
    # At 100,000 yuan/DALY: NMB = 1e5 x DALYs - 1e6 > 0 in the draws with 20 and 40 DALYs.
    at = ceac[(ceac["wtp_yuan"] == 1e5) & (ceac["strategy"] == "x")]
    assert at["p_cost_effective"].iloc[0] == pytest.approx(0.5)


def test_report_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["sweep-report", str(tmp_path / "missing")])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "manifest.json: not found" in err
    assert "Traceback" not in err
    sweep = make_sweep(tmp_path / "sweep")
    with pytest.raises(SystemExit) as exc:
        main(["sweep-report", str(sweep), "--metric", "nope_min_mean"])
    assert exc.value.code == 2
    assert "--metric: 'nope_min_mean'" in capsys.readouterr().err


def test_surface_refuses_a_third_varied_field() -> None:
    df = pd.DataFrame(
        {"point": [0, 1], A: [True, True], B: [6, 6], "metric": "m", "diff_vs_base": [1.0, 2.0]}
    )
    with pytest.raises(UserError, match="another field varies"):
        charts.response_surface(df, metric="m", x_field=A, y_field=B)
    plt.close("all")


def test_surface_has_one_cell_per_point(tmp_path: Path) -> None:
    sweep = pd.read_parquet(make_sweep(tmp_path / "s") / "sweep.parquet")
    ax = charts.response_surface(sweep, metric="dalys_averted_per_year", x_field=A, y_field=B)
    z = np.asarray(ax.images[0].get_array())
    # Rows: 6, 9 ambulances; columns: switch off, on (booleans sorted, not used as a mask).
    assert z.tolist() == [[0.0, 8.0], [10.0, 12.0]]
    plt.close("all")
