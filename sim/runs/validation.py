"""``validate-against``: read a run folder and a call log, compare, write tables and figure."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from sim.core.errors import UserError
from sim.demand.trace import read_call_log
from sim.io.results import read_run, write_json
from sim.metrics.validation import Validation, validate_against


def validate_run(
    results_dir: str | Path,
    calls: str | Path,
    out: str | Path | None = None,
    *,
    alpha: float = 0.01,
    lang: str = "zh",
    draw: Callable[[Validation, Path, str], object] | None = None,
) -> tuple[Path, Validation]:
    """Compare a run with an observed call log and write the result folder.

    Parameters
    ----------
    results_dir
        A run folder (``results/<scenario>/<run-id>/``).
    calls
        The observed call log CSV.
    out
        Output folder (default ``<results_dir>/validation``; replaced if it exists).
    alpha
        KS significance level of the pass rule.
    lang
        Figure language, ``"zh"`` or ``"en"``.
    draw
        Writes the comparison figure as ``draw(validation, png_path, lang)``; passed in by
        the caller (the CLI passes :mod:`sim.plotting.validation`'s), because runs sit below
        plotting. None writes no figure.

    Returns
    -------
    tuple
        The output folder (``validation_summary.csv``, ``compliance.csv``,
        ``intervals.parquet``, ``validation.json``, ``validation.png``) and the tables.
    """
    results_dir = Path(results_dir)
    run = read_run(results_dir)
    log = read_call_log(calls)
    v = validate_against(
        run.incidents,
        log,
        warm_up_days=float(run.manifest.get("warm_up_days", 0.0)),
        alpha=alpha,
        run_manifest=run.manifest,
    )
    if not v.manifest["observed_calls"]:
        raise UserError(f"{calls}: no observed call after the run's warm-up to compare")
    final = Path(out) if out is not None else results_dir / "validation"
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
    except OSError as exc:
        raise UserError(f"{final}: cannot write here ({exc.strerror})") from None
    try:
        v.summary.to_csv(tmp / "validation_summary.csv", index=False)
        v.compliance.to_csv(tmp / "compliance.csv", index=False)
        v.intervals.to_parquet(tmp / "intervals.parquet", index=False)
        if draw is not None:
            draw(v, tmp / "validation.png", lang)
        write_json(tmp / "validation.json", v.manifest)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final, v
