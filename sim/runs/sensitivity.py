"""One tornado over every assumption: operational/mechanism (re-simulated) and outcome ones.

For each ranged [U] field of the base (:func:`sim.config.uncertain.uncertain_fields`) the
comparison base -> alternative is re-run with the field at the low and at the high end of its
range, *in both arms* (the assumption is about the world, not the policy), under common
random numbers: every run uses the base's seed and replications, so the swing is the
assumption's effect, not seed noise. All runs go through the sweep machinery's batch runner
(:func:`sim.runs.tasks.run_tasks`): serial, a local pool or a Dask executor, each replication
checkpointed in ``OUT/checkpoints`` so an interrupted analysis resumes. Outcome parameters
come from the central comparison's own tornado (each at its 2.5 / 97.5 % quantile on the same
timelines, :func:`sim.outcomes.burden.tornado`). Both kinds are ranked together by swing,
for minutes saved (injury to definitive care, mean) and for DALYs averted per year.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config.scenario import Scenario
from sim.config.uncertain import uncertain_fields, with_values
from sim.core.errors import UserError
from sim.runs.checkpoint import Checkpoint
from sim.runs.compare import align, compare_scenarios
from sim.runs.tasks import Task, run_tasks

#: Metrics of the tornado: minutes saved (minus the change in the mean injury -> definitive
#: care of severe patients) and DALYs averted per year.
MINUTES_SAVED = "minutes_saved"
DALYS_AVERTED = "dalys_averted_per_year"
TORNADO_METRICS: tuple[str, ...] = (MINUTES_SAVED, DALYS_AVERTED)
_TIME_KPI = "injury_to_definitive_care_min_mean"

TORNADO_COLUMNS = [
    "metric",
    "parameter",
    "kind",
    "low_value",
    "high_value",
    "result_at_low",
    "result_at_high",
    "base_result",
    "swing",
    "rank",
    "source",
]


def _results(comparison: pd.DataFrame, alt: str) -> dict[str, float]:
    """Minutes saved and DALYs averted of ``alt`` in one comparison table."""
    diff = comparison[comparison["scenario"] == alt].set_index("metric")["diff_vs_base"]
    return {
        MINUTES_SAVED: -float(diff.astype(float)[_TIME_KPI]),
        DALYS_AVERTED: float(diff.astype(float)[DALYS_AVERTED]),
    }


def sensitivity(
    base: Scenario,
    alternative: Scenario,
    out: Path,
    *,
    replications: int | None = None,
    fields: Sequence[str] | None = None,
    jobs: int = 1,
    executor: Executor | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """The tornado table over operational/mechanism and outcome assumptions.

    Parameters
    ----------
    base, alternative
        The two scenarios compared (the alternative runs on the base's clock and seed).
    out
        Folder for ``checkpoints/`` (finished replications are read back on a rerun).
    replications
        Replications per run (default the base's).
    fields
        Field paths to sweep (default every ranged [U] field of the base).
    jobs, executor
        As in :func:`sim.runs.compare.compare_scenarios`.
    data_dir, cache_dir
        Where network/data files and the network cache are.
    progress
        Called as ``progress(done, total)`` over all replications.

    Returns
    -------
    pandas.DataFrame
        :data:`TORNADO_COLUMNS`; ``kind`` is ``operational`` or ``outcome``; rows ranked by
        swing within each metric (``rank`` 1 = widest).

    Raises
    ------
    UserError
        A named field that is not a ranged [U] field of the base.
    """
    b0, a0 = align([base, alternative])
    n = replications or b0.run.replications
    known = {f.path: f for f in uncertain_fields(b0)}
    chosen = list(fields) if fields is not None else list(known)
    unknown = [f for f in chosen if f not in known]
    if unknown:
        raise UserError(
            f"sensitivity: fields: {unknown} are not ranged [U] fields; allowed: {sorted(known)}"
        )
    pairs: list[tuple[str, str, Scenario, Scenario]] = [("", "", b0, a0)]
    for path in chosen:
        f = known[path]
        for end, v in (("low", f.low), ("high", f.high)):
            pairs.append((path, end, with_values(b0, {path: v}), with_values(a0, {path: v})))
    store = Checkpoint(out / "checkpoints")
    tasks = [Task(s, r) for _, _, b, a in pairs for s in (b, a) for r in range(n)]
    run_tasks(
        tasks,
        jobs=jobs,
        executor=executor,
        data_dir=data_dir,
        cache_dir=cache_dir,
        store=store,
        progress=progress,
    )

    def compare(b: Scenario, a: Scenario, draws: int) -> Any:
        return compare_scenarios(
            [b, a],
            replications=n,
            data_dir=data_dir,
            cache_dir=cache_dir,
            psa_draws=draws,
            checkpoint=store.folder,
            with_map=False,
        )

    central = compare(b0, a0, 0)
    base_res = _results(central.comparison, a0.name)
    ends: dict[tuple[str, str], dict[str, float]] = {}
    for path, end, b, a in pairs[1:]:
        ends[(path, end)] = _results(compare(b, a, 0).comparison, a.name)
    rows: list[dict[str, Any]] = []
    for path in chosen:
        f = known[path]
        for m in TORNADO_METRICS:
            lo, hi = ends[(path, "low")][m], ends[(path, "high")][m]
            rows.append(
                {
                    "metric": m,
                    "parameter": path,
                    "kind": "operational",
                    "low_value": f.low,
                    "high_value": f.high,
                    "result_at_low": lo,
                    "result_at_high": hi,
                    "base_result": base_res[m],
                    "swing": abs(hi - lo),
                    "source": f.source,
                }
            )
    tor = central.tornado
    for p in tor.loc[tor["metric"] == DALYS_AVERTED, "parameter"].unique():
        t = tor[(tor["metric"] == DALYS_AVERTED) & (tor["parameter"] == p)].iloc[0]
        rows.append(
            {
                "metric": DALYS_AVERTED,
                "parameter": p,
                "kind": "outcome",
                "low_value": t["low_value"],
                "high_value": t["high_value"],
                "result_at_low": t["result_at_low"],
                "result_at_high": t["result_at_high"],
                "base_result": base_res[DALYS_AVERTED],
                "swing": t["swing"],
                "source": t["source"],
            }
        )
        # Outcome parameters act on the same timelines: they move no minute.
        rows.append(
            {
                "metric": MINUTES_SAVED,
                "parameter": p,
                "kind": "outcome",
                "low_value": t["low_value"],
                "high_value": t["high_value"],
                "result_at_low": base_res[MINUTES_SAVED],
                "result_at_high": base_res[MINUTES_SAVED],
                "base_result": base_res[MINUTES_SAVED],
                "swing": 0.0,
                "source": t["source"],
            }
        )
    table = pd.DataFrame(rows)
    table["_order"] = table["metric"].map({m: i for i, m in enumerate(TORNADO_METRICS)})
    table = table.sort_values(["_order", "swing"], ascending=[True, False], kind="stable")
    table["rank"] = table.groupby("metric", sort=False).cumcount() + 1
    table = table.drop(columns="_order").reset_index(drop=True)
    return table[TORNADO_COLUMNS]
