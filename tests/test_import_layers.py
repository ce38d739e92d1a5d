"""Import layers: a module of ``sim`` may import only modules of its own or a lower layer.

The layers (docs/architecture.md draws them), lowest first. A module is placed by the first
pattern that matches its dotted name; ``sim.model.spec`` is a spec although it lives in
``sim/model/`` (the scenario file is assembled from every section's spec).
Upward imports inside functions count too: deferring an import does not remove the cycle.
"""

from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"

LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # sim.network.core is the road-network data type (numpy only), read by the speed specs.
    ("core", ("sim.core", "sim.core.*", "sim.network.core")),
    (
        "specs",
        (
            "sim.config.spec_base",
            "sim.config.distributions",
            "sim.config.mechanism_specs",
            "sim.*.spec",
            "sim.network.speeds",
            "sim.outcomes.params",
        ),
    ),
    (
        "domain",
        (
            "sim.config.facilities",
            "sim.network",
            "sim.network.*",
            "sim.outcomes",
            "sim.outcomes.*",
            "sim.policies",
            "sim.policies.*",
            "sim.metrics",
            "sim.metrics.*",
        ),
    ),
    ("scenario", ("sim.config", "sim.config.*")),
    ("world", ("sim.demand", "sim.demand.*", "sim.runs.world")),
    ("model", ("sim.model", "sim.model.*", "sim.io", "sim.io.*")),
    ("runs", ("sim.runs", "sim.runs.*")),
    ("plotting", ("sim.plotting", "sim.plotting.*")),
    ("interface", ("sim.cli", "sim.cli.*", "sim.api", "sim", "sim.__main__")),
]


def layer_of(module: str) -> int:
    """Index in LAYERS of the first layer whose pattern matches ``module``."""
    for rank, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(module, p) for p in patterns):
            return rank
    raise AssertionError(f"{module}: in no layer of tests/test_import_layers.py")


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sim_imports(path: Path) -> set[str]:
    """Every ``sim`` module ``path`` imports, at top level or inside functions."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        # A bare ``import sim`` reads only the package's __file__ / __version__ (its public
        # API is re-exported lazily), so it binds no layer.
        out.update(n for n in names if n.startswith("sim."))
    return out


def violations(graph: dict[str, set[str]]) -> list[str]:
    """``importer -> imported`` pairs where the imported module sits in a higher layer."""
    bad = []
    for importer, imported in sorted(graph.items()):
        for target in sorted(imported):
            if layer_of(target) > layer_of(importer):
                bad.append(
                    f"{importer} ({LAYERS[layer_of(importer)][0]}) imports "
                    f"{target} ({LAYERS[layer_of(target)][0]})"
                )
    return bad


def test_no_lower_layer_imports_a_higher_one() -> None:
    graph = {module_name(p): sim_imports(p) for p in SIM.rglob("*.py")}
    assert len(graph) > 50
    assert violations(graph) == []


def test_the_check_catches_an_upward_import() -> None:
    assert violations({"sim.core.rng": {"sim.runs.study"}}) == [
        "sim.core.rng (core) imports sim.runs.study (runs)"
    ]
    assert violations({"sim.model.spec": {"sim.config.spec_base"}}) == []
    assert violations({"sim.network.travel": {"sim.model.ambulance"}}) != []


def test_every_module_has_a_layer() -> None:
    for p in SIM.rglob("*.py"):
        layer_of(module_name(p))
    with pytest.raises(AssertionError, match="in no layer"):
        layer_of("elsewhere.module")
