"""The committed scenario reference is what ``trauma-sim scenario-docs`` generates today.

scenarios/README.md and scenarios/schema.json are generated from the pydantic specs; a spec
change without regenerating them fails here (regenerate: ``python -m sim scenario-docs``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.core.errors import UserError
from sim.io.scenario_docs import (
    EVIDENCE_CODE,
    PARAMETERS_MARKER,
    parameter_defaults,
    update_parameters_doc,
    write_docs,
)

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("name", ["README.md", "schema.json"])
def test_generated_scenario_docs_are_up_to_date(tmp_path: Path, name: str) -> None:
    written = {p.name for p in write_docs(tmp_path)}
    assert name in written
    fresh = (tmp_path / name).read_text(encoding="utf-8")
    committed = (SCENARIOS / name).read_text(encoding="utf-8")
    assert committed == fresh, f"scenarios/{name} is stale: run `python -m sim scenario-docs`"


REPO = SCENARIOS.parent
PARAMETERS = REPO / "docs" / "parameters.md"


def test_parameter_table_defaults_are_up_to_date(tmp_path: Path) -> None:
    copy = tmp_path / "parameters.md"
    copy.write_text(PARAMETERS.read_text(encoding="utf-8"), encoding="utf-8")
    update_parameters_doc(copy)
    assert copy.read_text(encoding="utf-8") == PARAMETERS.read_text(encoding="utf-8"), (
        "docs/parameters.md is stale: run `python -m sim scenario-docs`"
    )


def test_every_item_code_cited_is_a_row_of_the_parameter_table() -> None:
    text = PARAMETERS.read_text(encoding="utf-8")
    rows = set(
        re.findall(r"^\| ([A-H][1-9][0-9]?) \| ", text.partition(PARAMETERS_MARKER)[0], re.M)
    )
    assert len(rows) >= 40  # the table as brought in: A1 ... H2
    cited = set(EVIDENCE_CODE.findall(parameter_defaults()))
    assert cited, "no scenario default cites an item: the code pattern is broken"
    assert cited <= rows, f"cited but not in docs/parameters.md: {sorted(cited - rows)}"


def test_update_refuses_a_file_without_its_marker(tmp_path: Path) -> None:
    bare = tmp_path / "parameters.md"
    bare.write_text("# a table\n", encoding="utf-8")
    with pytest.raises(UserError, match="marker line"):
        update_parameters_doc(bare)
    with pytest.raises(UserError, match="not found"):
        update_parameters_doc(tmp_path / "missing.md")


EVIDENCE = REPO / "docs" / "evidence.md"
#: The project's own evidence page, named as the docs name it; any other "evidence.md" is the
#: brief outside the repository.
OWN_EVIDENCE = re.compile(r"docs/evidence\.md|\[[^\]]*\]\(evidence\.md\)")
SECTION_CITE = re.compile(r"evidence(?:\.md)? §(\d+(?:\.\d+)?)")


def _shipped_text_files() -> list[Path]:
    """Every shipped file a reader or the code may cite a source in."""
    folders = ("sim", "docs", "tests", "scenarios", "notebooks", "tools")
    suffixes = {".py", ".md", ".toml", ".json", ".ipynb", ".csv"}
    files = [p for f in folders for p in (REPO / f).rglob("*") if p.suffix in suffixes]
    return [*files, REPO / "README.md"]


def test_no_reference_outside_the_project_to_the_evidence_brief() -> None:
    """No scenario, doc or docstring names the brief or ../shared/reference as its source."""
    files = _shipped_text_files()
    assert {"county_baseline.toml", "README.md", "schema.json", "parameters.md"} <= {
        p.name for p in files
    }
    offenders = [
        str(p.relative_to(REPO))
        for p in files
        if p.name != "test_scenario_docs.py"
        and (
            "evidence.md" in OWN_EVIDENCE.sub("", text := p.read_text(encoding="utf-8"))
            or "shared/reference" in text
        )
    ]
    assert offenders == []


def test_every_evidence_section_cited_is_a_section_of_the_projects_evidence_page() -> None:
    headings = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", EVIDENCE.read_text("utf-8"), re.M))
    assert {"0", "1.1", "1.3", "2.4", "3", "4.2", "7.2", "9", "10"} <= headings
    cited = {
        (str(p.relative_to(REPO)), n)
        for folder in ("sim", "docs", "scenarios")
        for p in (REPO / folder).rglob("*")
        if p.suffix in {".py", ".md", ".toml"}
        for n in SECTION_CITE.findall(p.read_text(encoding="utf-8"))
    }
    assert len(cited) > 20, "the citation pattern no longer matches how the code cites sections"
    missing = sorted(c for c in cited if c[1] not in headings)
    assert missing == [], f"cite a section docs/evidence.md does not have: {missing}"
    index = PARAMETERS.read_text(encoding="utf-8").partition(PARAMETERS_MARKER)[0]
    assert set(re.findall(r"^\| §(\d+(?:\.\d+)?) \|", index, re.M)) == headings


def test_cli_updates_the_parameter_table_and_refuses_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.cli import main

    table = tmp_path / "parameters.md"
    table.write_text("# table\n\n" + PARAMETERS_MARKER + "\nold\n", encoding="utf-8")
    argv = ["scenario-docs", "--out-dir", str(tmp_path / "s"), "--parameters", str(table)]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code in (0, None)
    assert table.read_text(encoding="utf-8") == "# table\n\n" + parameter_defaults()
    assert str(table) in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main([*argv[:-1], str(tmp_path / "missing.md")])
    err = capsys.readouterr().err.strip().splitlines()
    assert exc.value.code == 2
    assert len(err) == 1
    assert "missing.md" in err[0]
