"""Every claim of identical results in docs/performance.md and docs/architecture.md names a test.

Issue 15's Done-means: such a claim is a test, not only words. A paragraph, list item or
table row that claims identity ("identical", "bit for bit", "same log", "unchanged",
"changes nothing", "does not move") must name a test (``tests/...``), and every test a doc
names must exist. Two kinds of sentence are not claims about the code as it is, and say so
in their own words: a measurement made once ("one-off") and an experiment that was tried
and left out ("tried").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = ("docs/performance.md", "docs/architecture.md")
CLAIM = re.compile(
    r"\bidentical\b|\bbit for bit\b|\bsame logs?\b|\bserial logs\b|\bunchanged\b"
    r"|\bchanges nothing\b|\bdoes not move\b|\bdo not move\b",
    re.I,
)
NOT_A_CLAIM = re.compile(r"\bone-off\b|\btried\b", re.I)
TEST_REF = re.compile(r"(tests/[\w/]+\.py)|::(\w+)")


def units(text: str) -> list[str]:
    """Paragraphs, with each table row and each list item a unit of its own."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if lines and all(line.startswith("|") for line in lines):
            out += lines
        elif lines and lines[0].lstrip().startswith(("* ", "- ", "1. ")):
            out += re.split(r"\n(?=\s*(?:[*-]|\d+\.) )", block)
        else:
            out.append(block)
    return out


def references(unit: str) -> list[tuple[str, str | None]]:
    """``(test file, test name or None)`` for each test a unit names (``::name`` after a file)."""
    refs: list[tuple[str, str | None]] = []
    current = None
    for path, name in TEST_REF.findall(unit):
        if path:
            current = path
            refs.append((path, None))
        elif current is not None:
            refs.append((current, name))
    return refs


@pytest.mark.parametrize("doc", DOCS)
def test_every_identity_claim_names_a_test(doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    claims = [u for u in units(text) if CLAIM.search(u) and not NOT_A_CLAIM.search(u)]
    assert claims, f"{doc}: no claim found; the pattern no longer matches the docs"
    bare = [" ".join(u.split())[:120] for u in claims if not references(u)]
    assert bare == [], f"{doc}: claims of identical results without a test: {bare}"


@pytest.mark.parametrize("doc", DOCS)
def test_every_test_a_doc_names_exists(doc: str) -> None:
    missing = []
    for unit in units((REPO / doc).read_text(encoding="utf-8")):
        for path, name in references(unit):
            file = REPO / path
            if not file.exists():
                missing.append(path)
            elif name and not re.search(rf"^\s*def {name}\(", file.read_text("utf-8"), re.M):
                missing.append(f"{path}::{name}")
    assert missing == []


def test_the_checks_see_a_bare_claim_and_read_each_named_test() -> None:
    claim = "Threads give the identical log."
    assert CLAIM.search(claim)
    assert not references(claim)
    row = "| x | `tests/test_a.py::test_b`, `::test_c` |"
    assert references(row) == [
        ("tests/test_a.py", None),
        ("tests/test_a.py", "test_b"),
        ("tests/test_a.py", "test_c"),
    ]
