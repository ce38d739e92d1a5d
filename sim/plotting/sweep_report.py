"""``trauma-sim sweep-report``: heat map, efficiency frontier and CEAC from result folders.

Reads a sweep folder (``sweep.parquet``, ``manifest.json`` from ``trauma-sim sweep``) and,
optionally, a comparison folder (``psa.csv``, ``manifest.json`` from ``trauma-sim
compare``), and writes into ``OUT`` (default ``SWEEP_DIR/report``):

* ``surface_<metric>.png``: the metric's paired difference to the base over the first two
  varied fields (other varied fields held at their first value);
* ``frontier.csv`` / ``frontier.png``: incremental cost against DALYs averted of every design
  point, the efficiency frontier and, with ``budget_yuan``, the best point within it;
* ``ceac.csv`` / ``ceac.png``: the acceptability curves of the comparison's PSA draws.

Every file is written under a temporary name and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.core.errors import UserError
from sim.outcomes.costeffect import best_within_budget, ceac, efficiency_frontier
from sim.outcomes.costs import CostsSpec
from sim.plotting import charts
from sim.plotting.style import brief_style

_DEFAULT_GDP = CostsSpec().gdp_per_capita_yuan


@dataclass
class SweepReport:
    """What :func:`write_sweep_report` wrote, and the frontier's pick within the budget."""

    files: list[Path] = field(default_factory=list)
    best: str | None = None
    notes: list[str] = field(default_factory=list)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: not found (is this a results folder?)") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{path}: cannot read ({exc})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: not a manifest (expected a JSON object)")
    return data


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _label(values: dict[str, Any], fields: Sequence[str]) -> str:
    """Short name of a design point: the switches it turns on, then ``field=value``s."""
    on, settings = [], []
    for f in fields:
        parts = f.split(".")
        v = values[f]
        if isinstance(v, float | np.floating) and float(v).is_integer():
            v = int(v)  # the pivot turned whole numbers (ambulances) into floats
        if parts[-1] == "enabled" and len(parts) > 1 and isinstance(v, bool | np.bool_):
            if v:
                on.append(parts[-2])
        else:
            settings.append(f"{parts[-1]}={v}")
    switched = [" + ".join(on)] if on else (["none"] if len(settings) < len(fields) else [])
    return ", ".join(switched + settings)


def frontier_points(sweep: pd.DataFrame, fields: Sequence[str]) -> pd.DataFrame:
    """``strategy, point, cost_yuan, dalys_averted`` per design point, the base first at 0, 0.

    Raises
    ------
    UserError
        The sweep has no cost rows (it was run before ``[costs]`` existed).
    """
    need = {"incremental_cost_yuan_per_year", "dalys_averted_per_year"}
    if not need <= set(sweep["metric"].astype(str)):
        raise UserError(
            "sweep.parquet: no incremental_cost_yuan_per_year rows; rerun the sweep with this "
            "version (finished replications are reused)"
        )
    wide = sweep[sweep["metric"].isin(list(need))].pivot_table(
        index=["point", *fields], columns="metric", values="mean", dropna=False
    )
    wide = wide.dropna(how="all").reset_index()
    rows = [{"strategy": "base", "point": -1, "cost_yuan": 0.0, "dalys_averted": 0.0}]
    for _, r in wide.iterrows():
        values = {str(k): v for k, v in r.items()}
        rows.append(
            {
                "strategy": f"p{int(r['point']):03d}: {_label(values, fields)}",
                "point": int(r["point"]),
                "cost_yuan": float(r["incremental_cost_yuan_per_year"]),
                "dalys_averted": float(r["dalys_averted_per_year"]),
            }
        )
    return pd.DataFrame(rows)


def comparison_ceac(psa: pd.DataFrame, wtp_yuan: Sequence[float]) -> pd.DataFrame:
    """CEAC of a comparison's PSA draws (``psa.csv``: scenario, cost and DALY draws)."""
    charts.require_columns(
        psa, "psa.csv", ("scenario", "incremental_cost_yuan_per_year", "dalys_averted_per_year")
    )
    draws: dict[str, tuple[Sequence[float], Sequence[float]]] = {
        str(name): (
            sub["incremental_cost_yuan_per_year"].to_numpy(float).tolist(),
            sub["dalys_averted_per_year"].to_numpy(float).tolist(),
        )
        for name, sub in psa.groupby("scenario", sort=False)
    }
    return ceac(draws, wtp_yuan)


def write_sweep_report(
    sweep_dir: Path,
    *,
    comparison_dir: Path | None = None,
    out: Path | None = None,
    metric: str = "dalys_averted_per_year",
    budget_yuan: float | None = None,
    lang: str = "zh",
) -> SweepReport:
    """Write the sweep's heat map and frontier (and a comparison's CEAC) as PNG and CSV.

    Parameters
    ----------
    sweep_dir
        Folder written by ``trauma-sim sweep``.
    comparison_dir
        Folder written by ``trauma-sim compare`` (its ``psa.csv``) for the CEAC.
    out
        Report folder (default ``sweep_dir/report``).
    metric
        Metric of the heat map.
    budget_yuan
        Yuan per year available: the best design point within it is marked.
    lang
        ``zh`` or ``en`` labels.

    Returns
    -------
    SweepReport
    """
    manifest = _read_json(sweep_dir / "manifest.json")
    fields = [str(f) for f in manifest.get("fields", [])]
    try:
        sweep = pd.read_parquet(sweep_dir / "sweep.parquet")
    except FileNotFoundError:
        raise UserError(
            f"{sweep_dir / 'sweep.parquet'}: not found (has the sweep finished?)"
        ) from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{sweep_dir / 'sweep.parquet'}: cannot read ({exc})") from None
    if metric not in set(sweep["metric"].astype(str)):
        raise UserError(f"--metric: {metric!r} is not in {sweep_dir / 'sweep.parquet'}")
    folder = out or sweep_dir / "report"
    folder.mkdir(parents=True, exist_ok=True)
    report = SweepReport()

    def figure(name: str, draw: Callable[[Axes], object]) -> None:
        with brief_style(lang):
            fig, ax = plt.subplots(figsize=(7.0, 4.8))
            draw(ax)

            def save(path: Path) -> None:
                charts.save_figure(fig, path)

            report.files.append(_atomic(folder / name, save))
            plt.close(fig)

    if len(fields) >= 2:
        x_field, y_field = fields[0], fields[1]
        rows = sweep
        for other in fields[2:]:  # a 2-D surface: every further field at its first value
            first = rows[other].iloc[0]
            rows = rows[rows[other] == first]
            report.notes.append(f"heat map holds {other} = {first}")
        figure(
            f"surface_{metric}.png",
            lambda ax: charts.response_surface(
                rows, metric=metric, x_field=x_field, y_field=y_field, ax=ax, lang=lang
            ),
        )
    else:
        report.notes.append("heat map needs two varied fields; this sweep varies one")

    points = frontier_points(sweep, fields)
    frontier = efficiency_frontier(points[["strategy", "cost_yuan", "dalys_averted"]])
    table = points.merge(frontier[["strategy", "icer_yuan_per_daly"]], how="left")
    table["on_frontier"] = table["strategy"].isin(frontier["strategy"])
    if budget_yuan is not None:
        pick = best_within_budget(points, budget_yuan)
        report.best = None if pick is None else str(pick["strategy"])
        table["best_within_budget"] = table["strategy"] == report.best
        if pick is None:
            report.notes.append(f"no design point costs {budget_yuan:,.0f} yuan a year or less")
    report.files.append(_atomic(folder / "frontier.csv", lambda p: table.to_csv(p, index=False)))
    figure(
        "frontier.png",
        lambda ax: charts.frontier_chart(
            points, frontier, budget_yuan=budget_yuan, best=report.best, ax=ax, lang=lang
        ),
    )

    if comparison_dir is not None:
        cm = _read_json(comparison_dir / "manifest.json")
        gdp = float(cm.get("costs", {}).get("gdp_per_capita_yuan", _DEFAULT_GDP))
        try:
            psa = pd.read_csv(comparison_dir / "psa.csv")
        except FileNotFoundError:
            raise UserError(
                f"{comparison_dir / 'psa.csv'}: not found (run compare with --psa-draws > 0)"
            ) from None
        curve = comparison_ceac(psa, np.linspace(0.0, 5.0 * gdp, 101).tolist())
        report.files.append(_atomic(folder / "ceac.csv", lambda p: curve.to_csv(p, index=False)))
        figure(
            "ceac.png",
            lambda ax: charts.ceac_chart(curve, gdp_per_capita_yuan=gdp, ax=ax, lang=lang),
        )
    return report
