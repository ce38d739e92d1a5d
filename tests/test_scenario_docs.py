"""The committed scenario reference is what ``trauma-sim scenario-docs`` generates today.

scenarios/README.md and scenarios/schema.json are generated from the pydantic specs; a spec
change without regenerating them fails here (regenerate: ``python -m sim scenario-docs``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.io.scenario_docs import write_docs

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.mark.parametrize("name", ["README.md", "schema.json"])
def test_generated_scenario_docs_are_up_to_date(tmp_path: Path, name: str) -> None:
    written = {p.name for p in write_docs(tmp_path)}
    assert name in written
    fresh = (tmp_path / name).read_text(encoding="utf-8")
    committed = (SCENARIOS / name).read_text(encoding="utf-8")
    assert committed == fresh, f"scenarios/{name} is stale: run `python -m sim scenario-docs`"
