"""Scenario files: strict schema, loading with inheritance and overrides, clear errors.

A scenario is a TOML file validated into a frozen :class:`Scenario`. Unknown keys are
rejected; every problem is reported as ``file:line field: message``. A scenario may
``extends = "other.toml"`` (path relative to it): its tables are merged over the parent's,
so variants are small files, not copies; a table of shares or probabilities (and the whole
``[demand.case_mix]``) that the child sets replaces the parent's whole.
``--set fleet.ambulances=40`` overrides any field.
Each section (sub-spec) is handed only to the code that needs it.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any, get_args, get_origin

import tomli_w
from pydantic import Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from sim.config.distributions import Empirical
from sim.config.facilities import FacilitiesSpec
from sim.config.mechanism_specs import MechanismsSpec
from sim.config.spec_base import FIELD_ERROR, Spec
from sim.core.errors import UserError
from sim.demand.spec import DemandSpec
from sim.model.spec import CallSpec, DestinationSpec, FleetSpec, HospitalSpec
from sim.network.speeds import SpeedSpec
from sim.network.travel import TravelSpec
from sim.outcomes.costs import CostsSpec
from sim.outcomes.params import OutcomeSpec


class NetworkSpec(Spec):
    """Which road network (``[network]``)."""

    source: str = Field(
        description="A named network from networks/manifest.toml (e.g. 'hangzhou_west'), "
        "'synthetic_county[:SEED]', 'synthetic_province[:SEED]', or a file path "
        "(.osm, .osm.bz2, .pbf, .graphml)."
    )
    speeds: SpeedSpec = SpeedSpec()


class RunSpec(Spec):
    """Horizon, warm-up, replications and seed (``[run]``)."""

    horizon_days: float = Field(gt=0, le=3660, description="Simulated days per replication.")
    warm_up_days: float = Field(
        default=1.0,
        ge=0,
        description="Days trimmed from the start in metrics (the model records everything); "
        "chosen in notebooks/05_choosing_warmup_and_replications.",
    )
    replications: int = Field(default=8, ge=1, le=10_000, description="Replications.")
    seed: int = Field(default=20260101, ge=0, description="Base seed of all random streams.")
    start_weekday: int = Field(default=0, ge=0, le=6, description="Weekday of day 0 (0 = Monday).")

    @model_validator(mode="after")
    def _warm_before_end(self) -> RunSpec:
        if self.warm_up_days >= self.horizon_days:
            raise ValueError(
                f"warm_up_days ({self.warm_up_days:g}) must be less than horizon_days "
                f"({self.horizon_days:g})"
            )
        return self


class Scenario(Spec):
    """A complete, validated scenario."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", description="Short name (results folder name).")
    title: str = Field(default="", description="Human-readable title (may be Chinese).")
    description: str = Field(default="", description="What this scenario represents.")
    network: NetworkSpec
    run: RunSpec
    travel: TravelSpec = TravelSpec()
    facilities: FacilitiesSpec
    demand: DemandSpec
    calls: CallSpec = CallSpec()
    fleet: FleetSpec = FleetSpec()
    destination: DestinationSpec = DestinationSpec()
    hospital: HospitalSpec = HospitalSpec()
    mechanisms: MechanismsSpec = MechanismsSpec()
    outcomes: OutcomeSpec = OutcomeSpec()
    costs: CostsSpec = CostsSpec()

    @model_validator(mode="after")
    def _demand_within_cap(self) -> Scenario:
        # Checked here, before any drawing: an enormous rate x horizon would otherwise fail
        # only after allocating arrays for every incident.
        d = self.demand
        per_day = (
            d.rtc_incidents_per_day
            + d.fall_incidents_per_day
            + d.other_injury_incidents_per_day
            + d.non_trauma_incidents_per_day
        )
        expected = per_day * self.run.horizon_days
        if expected > d.max_incidents_per_rep:
            raise PydanticCustomError(
                FIELD_ERROR,
                "{problem}",
                {
                    "field": "demand.max_incidents_per_rep",
                    "problem": f"{expected:,.0f} expected incidents per replication "
                    f"({per_day:g}/day x {self.run.horizon_days:g} days) exceed the cap "
                    f"({d.max_incidents_per_rep:,}); shorten run.horizon_days, lower the "
                    "rates or raise the cap",
                },
            )
        return self

    _base_dir: Path = PrivateAttr(default=Path("."))
    _source: str = PrivateAttr(default="")

    @property
    def base_dir(self) -> Path:
        """Folder of the scenario file; relative paths in it start here."""
        return self._base_dir

    @property
    def source(self) -> str:
        """The file the scenario was loaded from (with its ``extends`` chain)."""
        return self._source

    def content_hash(self) -> str:
        """sha256 of the canonical validated content (comments and key order don't matter)."""
        blob = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_toml(self) -> str:
        """The fully resolved scenario as TOML (every default written out)."""
        data = _drop_none(self.model_dump(mode="json"))
        return tomli_w.dumps(data)

    def with_overrides(self, overrides: list[str]) -> Scenario:
        """A copy with ``section.field=value`` overrides applied and re-validated."""
        data = self.model_dump(mode="json")
        for item in overrides:
            _apply_override(data, item)
        return _validate(data, self._base_dir, self._source, overrides)

    def with_data(self, data: dict[str, Any]) -> Scenario:
        """A copy built from ``data`` (this scenario's ``model_dump``, edited), re-validated."""
        return _validate(data, self._base_dir, self._source, [])


# --------------------------------------------------------------------------- loading


def _drop_none(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj]
    return obj


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path}: scenario file not found") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text (save the file as UTF-8)") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = f":{m.group(1)}" if m else ""
        raise UserError(f"{path}{line}: not valid TOML ({exc})") from None


def _replaces_whole(path: tuple[str, ...]) -> bool:
    """Whether a child's table at ``path`` replaces the parent's instead of merging.

    Tables of shares, weights or probabilities (``dict[str, float]`` fields, and sections
    marked ``replace_whole`` such as ``[demand.case_mix]``) are replaced whole: merging them
    key by key would mix two tables that each sum to 1 into one that does not.
    """
    model = _model_at(path)
    if model is None:
        return False
    field = model.model_fields.get(path[-1])
    if field is None:
        return False
    ann = field.annotation
    if isinstance(ann, type) and issubclass(ann, Spec):
        return ann.replace_whole
    return get_origin(ann) is dict and get_args(ann)[1] is float


def _merge(
    base: dict[str, Any], over: dict[str, Any], path: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Tables merge recursively; arrays, distributions and share tables replace whole."""
    out = dict(base)
    for k, v in over.items():
        if (
            isinstance(v, dict)
            and isinstance(out.get(k), dict)
            and "dist" not in v
            and not _replaces_whole((*path, k))
        ):
            out[k] = _merge(out[k], v, (*path, k))
        else:
            out[k] = v
    return out


def _load_chain(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[Path]]:
    """The merged raw data of a scenario and its ``extends`` ancestors (child last)."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise UserError(f"{path}: extends: circular inheritance ({chain})")
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, [path]
    if not isinstance(parent, str):
        raise UserError(f"{path}: extends: must be a file name (string)")
    parent_path = path.parent / parent
    if not parent_path.exists():
        raise UserError(f"{path}: extends: parent scenario '{parent}' not found")
    base, files = _load_chain(parent_path, (*seen, path))
    _rebase(base, parent_path.resolve().parent, path.parent)
    return _merge(_with_defaults(base), data), [*files, path]


_NETWORK_SUFFIXES = (".osm", ".bz2", ".pbf", ".graphml", ".xml", ".gz")


def _rebase(data: dict[str, Any], folder: Path, child_folder: Path) -> None:
    """Re-express a parent's relative file paths relative to the child's folder.

    The parent wrote them relative to its own folder; the merged scenario resolves them from
    the child's. Paths stay relative, so the scenario's content hash does not depend on
    where the project is checked out. Concerns facility files (unless ``on_data_path``),
    empirical distributions and a network given as a file; data-path files and named
    networks stay.
    """

    def fix(d: dict[str, Any], key: str) -> None:
        value = d.get(key)
        if isinstance(value, str) and not Path(value).is_absolute():
            d[key] = Path(os.path.relpath(folder / value, child_folder)).as_posix()

    for table in (data.get("facilities") or {}).values():
        if isinstance(table, dict) and not table.get("on_data_path"):
            fix(table, "file")
        if isinstance(table, dict):
            fix(table, "attributes")

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("dist") == "empirical":
                fix(node, "file")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    demand = data.get("demand")
    if isinstance(demand, dict):
        fix(demand, "calls_file")
    grid = (data.get("demand") or {}).get("population_grid")
    if isinstance(grid, dict) and grid.get("on_data_path") is False:
        fix(grid, "file")
    net = data.get("network")
    if isinstance(net, dict):
        src = net.get("source")
        if isinstance(src, str) and src.endswith(_NETWORK_SUFFIXES) and (folder / src).exists():
            fix(net, "source")


def _with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Return ``data`` with every default written out.

    A partial table merged over it (a child file's or a ``--set``'s single field) then keeps
    the other fields of that section. Data that does not validate on its own is returned
    unchanged; its problems surface, with file and line, when the merged result is validated.
    """
    try:
        return dict(Scenario.model_validate(data).model_dump(mode="json"))
    except ValidationError:
        return data


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _apply_override(data: dict[str, Any], item: str) -> None:
    if "=" not in item:
        raise UserError(f"--set {item}: expected section.field=value")
    key, _, value = item.partition("=")
    parts = [p for p in key.strip().split(".") if p]
    if not parts:
        raise UserError(f"--set {item}: empty field name")
    node = data
    for p in parts[:-1]:
        nxt = node.get(p)
        if nxt is None:
            nxt = node[p] = {}
        if not isinstance(nxt, dict):
            raise UserError(f"--set {item}: '{p}' is not a table")
        node = nxt
    node[parts[-1]] = _parse_value(value.strip())


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-\.\"']+)\s*=")


def locate(text: str, loc: tuple[str | int, ...]) -> int | None:
    """Best-effort line number (1-based) of a field path in TOML text.

    Looks for the deepest prefix of ``loc`` that appears as a ``key =`` line under the
    matching ``[table]`` (dotted keys and inline tables included), else the table header.
    """
    names = [str(p) for p in loc if not isinstance(p, int)]
    best: tuple[int, int] | None = None  # (matched depth, line)
    table: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        h = _HEADER.match(line)
        if h:
            table = [p.strip().strip('"') for p in h.group(1).split(".")]
            if table == names[: len(table)] and (best is None or len(table) > best[0]):
                best = (len(table), lineno)
            continue
        k = _KEY.match(line)
        if not k:
            continue
        path = table + [p.strip().strip('"') for p in k.group(1).split(".")]
        depth = 0
        while depth < min(len(path), len(names)) and path[depth] == names[depth]:
            depth += 1
        if depth == len(path) and depth > 0:
            # Inline tables on the same line: credit the nested keys they name.
            rest = names[depth:]
            for name in rest:
                if re.search(rf"\b{re.escape(name)}\s*=", line.split("=", 1)[1]):
                    depth += 1
                else:
                    break
            if best is None or depth > best[0]:
                best = (depth, lineno)
    return best[1] if best else None


def _where(loc: tuple[str | int, ...], files: list[Path], overrides: list[str]) -> str:
    dotted = ".".join(str(p) for p in loc if not isinstance(p, int))
    for item in overrides:
        if item.partition("=")[0].strip() and dotted.startswith(item.partition("=")[0].strip()):
            return f"--set {item}"
    for path in reversed(files):  # the child wins: it is where the value was written
        try:
            line = locate(path.read_text(encoding="utf-8"), loc)
        except OSError:
            line = None
        if line is not None:
            return f"{path}:{line}"
    return str(files[-1]) if files else "<scenario>"


def _field_name(loc: tuple[str | int, ...]) -> str:
    out = ""
    for p in loc:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p in {"fixed", "exponential", "lognormal", "gamma", "triangular", "empirical"}:
            continue  # discriminator tag inserted by pydantic
        elif p.startswith(("function-after", "tagged-union")):
            continue
        else:
            out += ("." if out else "") + p
    return out


def _model_at(loc: tuple[str | int, ...]) -> type[Spec] | None:
    """The spec class holding the last element of ``loc`` (None when not a plain section)."""
    model: type[Spec] = Scenario
    for part in loc[:-1]:
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        candidates = [field.annotation, *get_args(field.annotation)]
        nxt = next((c for c in candidates if isinstance(c, type) and issubclass(c, Spec)), None)
        if nxt is None:
            return None
        model = nxt
    return model


def _message(err: dict[str, Any], loc: tuple[str | int, ...] = ()) -> str:
    msg = str(err["msg"])
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
        model = _model_at(loc)
        if model is not None and loc:
            close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
            msg += (
                f"; did you mean '{close[0]}'?"
                if close
                else (f"; allowed: {', '.join(model.model_fields)}")
            )
        else:
            msg += " (typo?)"
    elif msg.startswith("Value error, "):
        msg = msg.removeprefix("Value error, ")
    inp = err.get("input")
    if err["type"] not in ("missing", "extra_forbidden") and not isinstance(inp, dict | list):
        msg += f" (got {inp!r})"
    elif err["type"] == FIELD_ERROR and isinstance(inp, dict) and str(loc[-1]) in inp:
        msg += f" (got {inp[str(loc[-1])]!r})"
    return msg


def _validate(
    data: dict[str, Any],
    base_dir: Path,
    source: str,
    overrides: list[str],
    files: list[Path] | None = None,
) -> Scenario:
    files = files or ([Path(source)] if source else [])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            if e["type"] == FIELD_ERROR:
                loc = (*loc, *str((e.get("ctx") or {})["field"]).split("."))
            problems.append(
                f"{_where(loc, files, overrides)} {_field_name(loc)}: {_message(dict(e), loc)}"
            )
        raise ScenarioError(problems) from None
    scenario._base_dir = base_dir
    scenario._source = source
    _bind_empirical(scenario, base_dir, files)
    return scenario


def _bind_empirical(model: Any, base_dir: Path, files: list[Path]) -> None:
    """Read the CSV of every empirical distribution once, at load time."""
    if isinstance(model, Empirical):
        model.bind(base_dir)
        return
    if isinstance(model, Spec):
        for name in type(model).model_fields:
            _bind_empirical(getattr(model, name), base_dir, files)
    elif isinstance(model, dict):
        for v in model.values():
            _bind_empirical(v, base_dir, files)
    elif isinstance(model, list | tuple):
        for v in model:
            _bind_empirical(v, base_dir, files)


class ScenarioError(UserError):
    """Every problem found in a scenario, one ``file:line field: message`` per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, merge (``extends``), override and validate a scenario file.

    Parameters
    ----------
    path
        The TOML scenario file.
    overrides
        ``section.field=value`` strings (values parsed as TOML, else taken as text).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Listing every problem as ``file:line field: message``.

    Examples
    --------
    >>> from sim import load_scenario
    >>> s = load_scenario("scenarios/county_baseline.toml", ["fleet.ambulances=9"])
    >>> s.fleet.ambulances
    9
    """
    path = Path(path)
    overrides = list(overrides or [])
    data, files = _load_chain(path)
    if overrides:
        data = _with_defaults(data)
    for item in overrides:
        _apply_override(data, item)
    return _validate(data, path.resolve().parent, str(path), overrides, files)


def validate_files(paths: list[Path], overrides: list[str] | None = None) -> list[str]:
    """Problems found in each file (empty list when all are valid)."""
    problems: list[str] = []
    for p in paths:
        try:
            load_scenario(p, overrides)
        except ScenarioError as exc:
            problems.extend(exc.problems)
        except UserError as exc:
            problems.append(exc.message)
    return problems
