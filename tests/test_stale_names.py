"""No stale names: every event kind is recorded, every docstring cross-reference resolves.

A retired ``EventKind`` member or a docstring pointing to a function that was renamed
misleads a newcomer exactly where they look first; these checks read the source, so they
fail the moment a rename leaves one behind.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from sim.core.entities import EventKind

SIM = Path(__file__).resolve().parents[1] / "sim"
SOURCES = sorted(p for p in SIM.rglob("*.py") if p.name != "__main__.py")
XREF = re.compile(r":(func|class|mod|data|meth|attr|exc):`~?([A-Za-z_][\w.]*)`")


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolves(dotted: str) -> bool:
    """Whether ``dotted`` names an importable module or an attribute path inside one."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            fields = getattr(obj, "model_fields", {}) or getattr(obj, "__annotations__", {})
            if not hasattr(obj, attr):
                return attr in fields  # a dataclass or pydantic field
            obj = getattr(obj, attr)
        return True
    return False


def test_every_event_kind_is_recorded_by_some_actor() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (SIM / "model").glob("*.py"))
    silent = [k.name for k in EventKind if not re.search(rf"\b(E|EK|EventKind)\.{k.name}\b", text)]
    assert not silent, f"EventKind members no actor records: {silent}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SIM.parent)))
def test_docstring_cross_references_resolve(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    here = module_name(path)
    defined = set(re.findall(r"^\s*(?:def|class)\s+(\w+)", text, flags=re.MULTILINE))
    broken = []
    for match in XREF.finditer(text):
        role, name = match.groups()
        if name.startswith("sim."):
            ok = resolves(name)
        elif role in ("meth", "attr"):
            # Relative to the class being documented: a method or attribute of this module.
            ok = (
                name.split(".")[-1] in defined
                or resolves(f"{here}.{name}")
                or bool(re.search(rf"\bself\.{re.escape(name.split('.')[-1])}\b", text))
            )
        else:
            ok = resolves(f"{here}.{name}") or resolves(name)
        if not ok:
            line = text.count("\n", 0, match.start()) + 1
            broken.append(f"{path.name}:{line}: :{role}:`{name}`")
    assert not broken, "docstrings name what does not exist: " + "; ".join(broken)


DOCS = SIM.parent / "docs"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)((?:::\w+)?)`|`::(\w+)`")


@pytest.mark.parametrize("doc", ["performance.md", "architecture.md"])
def test_tests_named_in_the_docs_exist(doc: str) -> None:
    """Each claim of identical results names its test; a renamed test must not orphan it."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    missing, current = [], ""
    for match in TEST_REF.finditer(text):
        path, name, bare = match.groups()
        if path:
            current = path
            if not (SIM.parent / path).is_file():
                missing.append(path)
                continue
        name = name.lstrip(":") if path else bare
        if name and not re.search(
            rf"^def {name}\(", (SIM.parent / current).read_text(encoding="utf-8"), re.M
        ):
            missing.append(f"{current}::{name}")
    assert not missing, f"{doc} names tests that do not exist: {missing}"
