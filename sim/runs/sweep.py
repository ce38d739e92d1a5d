"""Sweeps: many design points of one base scenario under common random numbers, resumable.

A sweep file (TOML) names a base scenario and what varies::

    base = "../county_baseline.toml"   # relative to the sweep file
    replications = 4
    horizon_days = 14
    seed = 1
    [[vary]]                           # a grid over listed values
    field = "fleet.ambulances"
    values = [6, 9, 12]
    [[sample]]                         # n points of a Latin-hypercube or Sobol design
    method = "lhs"                     # or "sobol" (n a power of two)
    n = 8
    [[sample.range]]
    field = "mechanisms.prenotification.share"
    low = 0.0
    high = 1.0

The design is the grid (every combination of the ``[[vary]]`` values) crossed with the
points of the ``[[sample]]`` blocks (each block's points in turn); either may be absent.
Every point and the base run every replication with the same seed, so each point is
exactly a comparison of that point with the base (:func:`sim.runs.compare.compare_scenarios`),
and its rows are computed by that function. Every (scenario, replication) is written to
``OUT/checkpoints`` as it finishes (:class:`~sim.runs.checkpoint.Checkpoint`); running the
sweep again into the same folder reads them back instead of re-running them, so a sweep
killed at any moment and resumed gives the same ``sweep.parquet``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import time
import tomllib
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w
from scipy.stats import qmc

from sim.config.scenario import Scenario, ScenarioError, load_scenario
from sim.core.errors import UserError
from sim.io.results import write_json
from sim.runs.checkpoint import Checkpoint
from sim.runs.compare import align, compare_scenarios
from sim.runs.tables import package_versions
from sim.runs.tasks import Task, run_tasks

_TOP_KEYS = {"base", "replications", "horizon_days", "warm_up_days", "seed", "psa_draws"}
_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.]+)\s*\]\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=")


@dataclass(frozen=True)
class SweepPoint:
    """One design point: its index, the values of the varied fields, its scenario."""

    index: int
    values: dict[str, Any]
    scenario: Scenario


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: the base (on the sweep's clock) and every design point."""

    source: Path
    base: Scenario
    points: list[SweepPoint]
    replications: int
    psa_draws: int
    fields: list[str]


class _Lines:
    """Line numbers of keys in a sweep file, by ``(block, index, key)`` (best effort)."""

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        block, index = "", 0
        sub_index = -1
        for lineno, line in enumerate(text.splitlines(), start=1):
            h = _HEADER.match(line)
            if h:
                name = h.group(1)
                if name == "sample.range":
                    sub_index += 1
                    block, index = f"sample.{counts.get('sample', 0) - 1}.range", sub_index
                else:
                    counts[name] = counts.get(name, 0) + 1
                    block, index, sub_index = name, counts[name] - 1, -1
                self.lines.setdefault((block, index, ""), lineno)
                continue
            k = _KEY.match(line)
            if k:
                self.lines.setdefault((block, index, k.group(1)), lineno)

    def at(self, block: str, index: int, key: str) -> int | None:
        return self.lines.get((block, index, key)) or self.lines.get((block, index, ""))


def _toml_value(value: Any) -> str:
    """``value`` as a TOML literal, for a ``section.field=value`` override."""
    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file; every design point's scenario is validated too.

    Parameters
    ----------
    path
        The sweep TOML file.

    Returns
    -------
    Sweep

    Raises
    ------
    UserError
        ``file:line field: message`` for the first problem found (nothing is run or written).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: sweep file not found") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise UserError(f"{path}{':' + m.group(1) if m else ''}: not valid TOML ({exc})") from None
    lines = _Lines(text)

    def fail(block: str, index: int, key: str, field: str, message: str) -> UserError:
        line = lines.at(block, index, key)
        return UserError(f"{path}{'' if line is None else f':{line}'} {field}: {message}")

    for key in data:
        if key not in _TOP_KEYS | {"vary", "sample"}:
            allowed = ", ".join(sorted(_TOP_KEYS | {"vary", "sample"}))
            raise fail("", 0, key, key, f"unknown key (allowed: {allowed})")
    if not isinstance(data.get("base"), str):
        raise fail("", 0, "base", "base", "required: the base scenario file (a string)")

    def positive_int(key: str, default: int | None, minimum: int) -> int | None:
        value = data.get(key, default)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise fail("", 0, key, key, f"must be an integer >= {minimum} (got {value!r})")
        return value

    reps = positive_int("replications", None, 2)
    seed = positive_int("seed", None, 0)
    psa_draws = positive_int("psa_draws", 100, 0)
    assert psa_draws is not None
    clock: list[str] = []
    for key in ("horizon_days", "warm_up_days"):
        if key in data:
            v = data[key]
            if not isinstance(v, int | float) or isinstance(v, bool) or v < 0:
                raise fail("", 0, key, key, f"must be a number of days >= 0 (got {v!r})")
            clock.append(f"run.{key}={v}")
    if seed is not None:
        clock.append(f"run.seed={seed}")
    if reps is not None:
        clock.append(f"run.replications={reps}")
    base_path = (path.parent / data["base"]).resolve()
    if not base_path.is_file():
        raise fail("", 0, "base", "base", f"base scenario '{data['base']}' not found")
    try:
        base = load_scenario(base_path, clock)
    except ScenarioError as exc:
        raise fail("", 0, "", "run", exc.message.replace("\n", "; ")) from None

    axes: list[tuple[str, list[Any]]] = []
    vary = data.get("vary", [])
    if not isinstance(vary, list):
        raise fail("", 0, "vary", "vary", "must be [[vary]] blocks")
    for i, block in enumerate(vary):
        f = block.get("field")
        if not isinstance(f, str) or not f:
            raise fail("vary", i, "field", "vary.field", "required: a scenario field name")
        for key in block:
            if key not in ("field", "values"):
                raise fail("vary", i, key, f, f"unknown key '{key}' (allowed: field, values)")
        values = block.get("values")
        if not isinstance(values, list) or not values:
            raise fail("vary", i, "values", f, "values must be a non-empty list")
        if len({_toml_value(v) for v in values}) != len(values):
            raise fail("vary", i, "values", f, f"values must differ (got {values})")
        if f in {a for a, _ in axes}:
            raise fail("vary", i, "field", f, "varied twice")
        axes.append((f, values))

    sampled: list[dict[str, Any]] = []
    sample_fields: list[str] = []
    samples = data.get("sample", [])
    if not isinstance(samples, list):
        raise fail("", 0, "sample", "sample", "must be [[sample]] blocks")
    for i, block in enumerate(samples):
        sampled += _sample_points(block, i, fail, default_seed=base.run.seed)
        for r in block.get("range", []):
            if r["field"] in {a for a, _ in axes}:
                raise fail(f"sample.{i}.range", 0, "field", r["field"], "also in [[vary]]")
            if r["field"] not in sample_fields:
                sample_fields.append(r["field"])
    if not axes and not sampled:
        raise fail("", 0, "", "vary", "nothing varies: add [[vary]] or [[sample]] blocks")

    grid = [
        dict(zip([a for a, _ in axes], combo, strict=True))
        for combo in itertools.product(*[v for _, v in axes])
    ] or [{}]
    design = [{**g, **s} for g in grid for s in (sampled or [{}])]
    points = []
    where = {f: ("vary", i, "values") for i, (f, _) in enumerate(axes)}
    for k, values in enumerate(design):
        overrides = [f"{f}={_toml_value(v)}" for f, v in values.items()]
        try:
            sc = base.with_overrides([*overrides, f"name={base.name}__p{k:03d}"])
        except ScenarioError as exc:
            bad = next((f for f in values if f in exc.message), next(iter(values)))
            block, idx, key = where.get(bad, ("sample", 0, ""))
            msg = exc.problems[0] if exc.problems else exc.message
            msg = msg.split(" ", 2)[2] if msg.startswith("--set ") else msg
            msg = msg.split(": ", 1)[1] if msg.startswith(f"{bad}:") else msg
            if "unknown field" in msg:  # the name is wrong, not the value
                raise fail(block, idx, "field", bad, msg) from None
            raise fail(block, idx, key, bad, f"{msg} (value {values[bad]!r})") from None
        points.append(SweepPoint(k, values, sc))
    return Sweep(
        source=path,
        base=base,
        points=points,
        replications=base.run.replications,
        psa_draws=psa_draws,
        fields=[a for a, _ in axes] + sample_fields,
    )


def _sample_points(
    block: dict[str, Any],
    i: int,
    fail: Callable[[str, int, str, str, str], UserError],
    *,
    default_seed: int,
) -> list[dict[str, Any]]:
    """Points of one ``[[sample]]`` block, scaled to its ranges (integers rounded)."""
    for key in block:
        if key not in ("method", "n", "seed", "range"):
            raise fail(
                "sample", i, key, f"sample.{key}", "unknown key (allowed: method, n, seed, range)"
            )
    method = block.get("method", "lhs")
    if method not in ("lhs", "sobol"):
        raise fail(
            "sample", i, "method", "sample.method", f"must be 'lhs' or 'sobol' (got {method!r})"
        )
    n = block.get("n")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise fail("sample", i, "n", "sample.n", f"must be an integer >= 1 (got {n!r})")
    if method == "sobol" and n & (n - 1):
        raise fail("sample", i, "n", "sample.n", f"Sobol designs need a power of two (got {n})")
    seed = block.get("seed", default_seed)
    if not isinstance(seed, int) or seed < 0:
        raise fail("sample", i, "seed", "sample.seed", f"must be an integer >= 0 (got {seed!r})")
    ranges = block.get("range")
    if not isinstance(ranges, list) or not ranges:
        raise fail(
            "sample", i, "", "sample.range", "needs [[sample.range]] blocks (field, low, high)"
        )
    lows, highs, names, integer = [], [], [], []
    for j, r in enumerate(ranges):
        blk = f"sample.{i}.range"
        f = r.get("field")
        if not isinstance(f, str) or not f:
            raise fail(blk, j, "field", "sample.range.field", "required: a scenario field name")
        lo, hi = r.get("low"), r.get("high")
        for key, v in (("low", lo), ("high", hi)):
            if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                raise fail(blk, j, key, f, f"{key} must be a number (got {v!r})")
        assert isinstance(lo, int | float)
        assert isinstance(hi, int | float)
        if lo > hi:
            raise fail(blk, j, "low", f, f"low > high ({lo} > {hi})")
        if f in names:
            raise fail(blk, j, "field", f, "sampled twice in one block")
        names.append(f)
        lows.append(float(lo))
        highs.append(float(hi))
        integer.append(bool(r.get("integer", isinstance(lo, int) and isinstance(hi, int))))
    rng = np.random.default_rng(seed)
    engine = (
        qmc.LatinHypercube(d=len(names), rng=rng)
        if method == "lhs"
        else qmc.Sobol(d=len(names), scramble=True, rng=rng)
    )
    unit = engine.random(n)
    out = []
    for row in unit:
        point: dict[str, Any] = {}
        for f, lo_, hi_, is_int, u in zip(names, lows, highs, integer, row, strict=True):
            v = float(lo_ + u * (hi_ - lo_))
            point[f] = round(v) if is_int else round(v, 6)
        out.append(point)
    return out


def _write_parquet(path: Path, table: pd.DataFrame) -> None:
    """Write a Parquet file atomically (temporary name, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        table.to_parquet(tmp, index=False)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    jobs: int = 1,
    executor: Executor | None = None,
    data_dir: Path | None = None,
    cache_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    argv: Sequence[str] = (),
) -> pd.DataFrame:
    """Run (or resume) a sweep into ``out`` and return its tidy table.

    Parameters
    ----------
    sweep
        From :func:`load_sweep`.
    out
        Output folder: ``checkpoints/`` (one file per finished scenario replication),
        ``sweep.parquet`` and ``manifest.json``. Finished replications found there are
        read back, not re-run.
    jobs, executor
        Local worker processes, or any ``concurrent.futures.Executor`` (Dask's
        ``client.get_executor()``); results are identical either way.
    data_dir, cache_dir
        Where network/data files and the network cache are.
    progress
        Called as ``progress(done, total)`` over points x replications (base included).
    argv
        Recorded in the manifest.

    Returns
    -------
    pandas.DataFrame
        One row per point x metric: ``point``, the varied fields, ``metric, mean, ci_low,
        ci_high, diff_vs_base, diff_ci_low, diff_ci_high, psa_low, psa_high``.
    """
    t0 = time.perf_counter()
    store = Checkpoint(out / "checkpoints")
    n = sweep.replications
    scenarios = align([sweep.base, *[p.scenario for p in sweep.points]])
    tasks = [Task(s, r) for s in scenarios for r in range(n)]
    run_tasks(
        tasks,
        jobs=jobs,
        executor=executor,
        data_dir=data_dir,
        cache_dir=cache_dir,
        store=store,
        progress=progress,
    )
    frames = []
    for point, sc in zip(sweep.points, scenarios[1:], strict=True):
        comp = compare_scenarios(
            [sweep.base, sc],
            replications=n,
            data_dir=data_dir,
            cache_dir=cache_dir,
            psa_draws=sweep.psa_draws,
            checkpoint=store.folder,
            with_map=False,
        )
        rows = comp.comparison[comp.comparison["scenario"] == sc.name].drop(columns="scenario")
        rows.insert(0, "point", point.index)
        for j, f in enumerate(sweep.fields):
            rows.insert(1 + j, f, point.values.get(f, math.nan))
        frames.append(rows)
    table = pd.concat(frames, ignore_index=True)
    _write_parquet(out / "sweep.parquet", table)
    write_json(
        out / "manifest.json",
        {
            "kind": "sweep",
            "sweep_file": str(sweep.source),
            "base": sweep.base.name,
            "base_file": sweep.base.source,
            "base_hash": sweep.base.content_hash(),
            "fields": sweep.fields,
            "points": [
                {"point": p.index, "values": p.values, "scenario_hash": s.content_hash()}
                for p, s in zip(sweep.points, scenarios[1:], strict=True)
            ],
            "reps": n,
            "seed": sweep.base.run.seed,
            "horizon_days": sweep.base.run.horizon_days,
            "warm_up_days": sweep.base.run.warm_up_days,
            "psa_draws": sweep.psa_draws,
            "costs": {
                "price_year": sweep.base.costs.price_year,
                "gdp_per_capita_yuan": sweep.base.costs.gdp_per_capita_yuan,
                "gdp_year": sweep.base.costs.gdp_year,
            },
            "tasks": len(tasks),
            "versions": package_versions(),
            "argv": list(argv),
            "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "wall_s": round(time.perf_counter() - t0, 3),
        },
    )
    return table
