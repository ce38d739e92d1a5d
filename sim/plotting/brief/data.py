"""Reading the brief's inputs: result folders into :class:`BriefData` (no computation).

Only the files the results writer produces are read (a *compare* folder and/or *run*
folders); a missing or malformed file is a :class:`~sim.core.errors.UserError` naming it.
:func:`display_view` relabels scenarios by their files' titles for everything shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from sim.core.errors import UserError
from sim.io.mapdata import MapData, read_map_data
from sim.plotting import charts
from sim.plotting import labels as lb

#: Compare-folder files: required first, then optional.
COMPARE_REQUIRED = ("comparison.csv", "stages.csv")
COMPARE_OPTIONAL = ("tornado.csv", "compliance.csv", "utilisation.csv", "consult_waits.csv")


@dataclass(frozen=True)
class RunData:
    """One run folder: its manifest, KPI table and (optional) incidents."""

    path: Path
    manifest: dict[str, Any]
    kpis: pd.DataFrame | None
    incidents: pd.DataFrame | None

    @property
    def scenario(self) -> str:
        """Scenario name from the manifest (folder name if absent)."""
        return str(self.manifest.get("scenario", self.path.name))


@dataclass(frozen=True)
class BriefData:
    """Everything the brief shows, as read from the result folders (no computation)."""

    compare_dir: Path | None = None
    manifest: dict[str, Any] = field(default_factory=dict)
    comparison: pd.DataFrame | None = None
    stages: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    compliance: pd.DataFrame | None = None
    utilisation: pd.DataFrame | None = None
    consult_waits: pd.DataFrame | None = None
    runs: tuple[RunData, ...] = ()
    map_data: MapData | None = None

    @property
    def base(self) -> str | None:
        """Base scenario of the comparison (None without a compare folder)."""
        value = self.manifest.get("base")
        return None if value is None else str(value)

    @property
    def scenarios(self) -> list[str]:
        """Scenario names: the comparison's list, else the runs' (base first)."""
        names = [str(s) for s in self.manifest.get("scenarios", [])]
        names += [r.scenario for r in self.runs if r.scenario not in names]
        if self.base is not None and self.base in names:
            names.remove(self.base)
            names.insert(0, self.base)
        return names

    @property
    def synthetic(self) -> bool:
        """True when any input was made on a synthetic network."""
        flags = [self.manifest.get("synthetic", False)] + [
            r.manifest.get("synthetic", False) for r in self.runs
        ]
        return any(bool(f) for f in flags)

    def incidents(self) -> pd.DataFrame | None:
        """All runs' incidents stacked, with a ``scenario`` column (None if there are none)."""
        frames = []
        for run in self.runs:
            if run.incidents is None:
                continue
            frame = run.incidents
            if "scenario" not in frame.columns:
                frame = frame.assign(scenario=run.scenario)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else None

    def base_incidents(self) -> pd.DataFrame | None:
        """Incidents of the base scenario's run (first run without a base); None if absent."""
        runs = [r for r in self.runs if r.incidents is not None]
        chosen = [r for r in runs if r.scenario == self.base] or runs[:1]
        return chosen[0].incidents if chosen else None


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        raise UserError(f"{path}: missing; every result folder needs its manifest.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise UserError(f"{path}: must hold a JSON object")
    return data


def _read_csv(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: not a readable CSV ({exc})") from exc
    charts.require_columns(frame, str(path), columns)
    return frame


_COLUMNS: dict[str, tuple[str, ...]] = {
    "comparison.csv": (
        "scenario",
        "metric",
        "mean",
        "ci_low",
        "ci_high",
        "diff_vs_base",
        "diff_ci_low",
        "diff_ci_high",
    ),
    "stages.csv": (
        "scenario",
        "stage",
        "mean_min",
        "ci_low",
        "ci_high",
        "diff_vs_base",
        "diff_ci_low",
        "diff_ci_high",
    ),
    "tornado.csv": (
        "parameter",
        "low_value",
        "high_value",
        "result_at_low",
        "result_at_high",
        "base_result",
        "metric",
    ),
    "compliance.csv": ("scenario", "zone", "target_min", "share_within"),
    "utilisation.csv": ("scenario", "resource", "hour", "utilisation"),
    "consult_waits.csv": ("scenario", "consult_wait_min"),
    "kpis.csv": ("metric", "mean", "ci_low", "ci_high"),
}


def load_brief_data(result_dirs: Sequence[Path]) -> BriefData:
    """Read a compare folder and/or run folders for the brief.

    Parameters
    ----------
    result_dirs
        Folders with a ``manifest.json`` whose ``kind`` is ``"comparison"`` (at most one;
        needs ``comparison.csv`` and ``stages.csv``; ``tornado.csv``, ``compliance.csv``,
        ``utilisation.csv``, ``consult_waits.csv`` and the ``map/`` folder of
        :mod:`sim.io.mapdata` are optional) or ``"run"`` (needs
        ``kpis.csv``; ``incidents.parquet`` is optional).

    Returns
    -------
    BriefData

    Raises
    ------
    UserError
        A folder or required file is missing, a manifest or table is malformed.
    """
    if not result_dirs:
        raise UserError("brief: result folders: give at least one compare or run folder")
    compare: dict[str, Any] = {}
    runs: list[RunData] = []
    for raw in result_dirs:
        folder = Path(raw)
        if not folder.is_dir():
            raise UserError(f"{folder}: no such results folder")
        manifest = _read_manifest(folder)
        kind = manifest.get("kind")
        if kind == "comparison":
            if compare:
                raise UserError(
                    f"{folder}: a second comparison folder; the brief takes one "
                    f"(first: {compare['compare_dir']})"
                )
            compare["compare_dir"] = folder
            compare["manifest"] = manifest
            for name in COMPARE_REQUIRED:
                if not (folder / name).is_file():
                    raise UserError(f"{folder / name}: missing from the comparison folder")
                compare[name.removesuffix(".csv")] = _read_csv(folder / name, _COLUMNS[name])
            for name in COMPARE_OPTIONAL:
                if (folder / name).is_file():
                    compare[name.removesuffix(".csv")] = _read_csv(folder / name, _COLUMNS[name])
            compare["map_data"] = read_map_data(folder)
        elif kind == "run":
            kpis_path = folder / "kpis.csv"
            if not kpis_path.is_file():
                raise UserError(f"{kpis_path}: missing from the run folder")
            incidents = None
            parquet = folder / "incidents.parquet"
            if parquet.is_file():
                try:
                    incidents = pd.read_parquet(parquet)
                except (OSError, ValueError) as exc:
                    raise UserError(f"{parquet}: not a readable Parquet file ({exc})") from exc
            runs.append(
                RunData(folder, manifest, _read_csv(kpis_path, _COLUMNS["kpis.csv"]), incidents)
            )
        else:
            raise UserError(
                f"{folder / 'manifest.json'}: kind: must be 'comparison' or 'run' (got {kind!r})"
            )
    return BriefData(
        compare_dir=compare.get("compare_dir"),
        manifest=compare.get("manifest", {}),
        comparison=compare.get("comparison"),
        stages=compare.get("stages"),
        tornado=compare.get("tornado"),
        compliance=compare.get("compliance"),
        utilisation=compare.get("utilisation"),
        consult_waits=compare.get("consult_waits"),
        runs=tuple(runs),
        map_data=compare.get("map_data"),
    )


def expand_result_dirs(result_dirs: Sequence[Path]) -> list[Path]:
    """The folders plus, for a comparison folder, the run folders it holds (one per scenario).

    The run folders carry the per-patient tables the ECDF figures need.
    """
    out: list[Path] = []
    for raw in result_dirs:
        folder = Path(raw)
        out.append(folder)
        manifest = folder / "manifest.json"
        if manifest.is_file() and _read_manifest(folder).get("kind") == "comparison":
            for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
                if (sub / "manifest.json").is_file() and sub not in out:
                    out.append(sub)
    return out


def scenario_labels(data: BriefData, lang: str) -> dict[str, str]:
    """Display name of every scenario: its file's title in ``lang``, unique within the brief."""
    titles = {r.scenario: str(r.manifest.get("title", "")) for r in data.runs}
    out: dict[str, str] = {}
    for name in data.scenarios:
        label = lb.scenario_title(titles.get(name, ""), name, lang)
        # Two scenarios with one title (e.g. two regions' linkage) keep apart by code name.
        out[name] = f"{label} ({name})" if label in out.values() else label
    return out


def display_view(data: BriefData, lang: str) -> BriefData:
    """``data`` with every scenario code name replaced by its display name (map data kept)."""
    names = scenario_labels(data, lang)

    def relabel(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None or "scenario" not in frame.columns:
            return frame
        return frame.assign(scenario=frame["scenario"].astype(str).map(lambda s: names.get(s, s)))

    manifest = dict(data.manifest)
    if data.base is not None:
        manifest["base"] = names.get(data.base, data.base)
    if "scenarios" in manifest:
        manifest["scenarios"] = [names.get(str(s), str(s)) for s in manifest["scenarios"]]
    runs = tuple(
        replace(
            r,
            manifest={**r.manifest, "scenario": names.get(r.scenario, r.scenario)},
            incidents=relabel(r.incidents),
        )
        for r in data.runs
    )
    return replace(
        data,
        manifest=manifest,
        comparison=relabel(data.comparison),
        stages=relabel(data.stages),
        compliance=relabel(data.compliance),
        utilisation=relabel(data.utilisation),
        consult_waits=relabel(data.consult_waits),
        runs=runs,
        map_data=None,
    )
