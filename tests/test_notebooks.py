"""The researcher notebooks (``notebooks/*.py``, jupytext percent format) run headless.

Each notebook is converted with jupytext and executed with nbclient in the repository root;
a failing cell fails the test. The kernel is a private kernelspec that runs *this*
interpreter (``sys.executable``), put first on ``JUPYTER_PATH``, so a ``python3`` kernelspec
of some other Python on the machine can never be picked up. Figures are rendered (inline
backend) so drawing errors and missing CJK glyphs show up, and no notebook may leave files
in the repository.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
# Folders that tools (not notebooks) write into while the tests run.
_IGNORED_DIRS = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
}


def _repo_files() -> set[Path]:
    out: set[Path] = set()
    for root, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in _IGNORED_DIRS and not d.endswith(".egg-info")]
        out.update(Path(root, f).relative_to(REPO) for f in files)
    return out


@pytest.fixture(scope="session")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``jupyter`` data folder holding a ``python3`` kernelspec for this interpreter."""
    pytest.importorskip("ipykernel")
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = root / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (trauma-sim tests)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root


def _execute(path: Path) -> tuple[object, float]:
    import jupytext
    from nbclient import NotebookClient

    nb = jupytext.read(path)
    client = NotebookClient(
        nb,
        # A guard against a hung kernel, not a speed check: a loaded machine may run a
        # cell several times slower than an idle one.
        timeout=1200,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO)}},
    )
    t0 = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - t0


def _problems(nb: object) -> tuple[list[str], int]:
    """Error outputs, stderr lines about missing glyphs, and the number of PNG figures.

    A figure that fails to render (e.g. a glyph warning turned into an error) does not fail
    its cell: IPython shows the formatter's error as an output and carries on. So outputs are
    scanned too.
    """
    problems: list[str] = []
    images = 0
    for i, cell in enumerate(nb.cells):  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "error":
                problems.append(f"cell {i}: {out.get('ename')}: {out.get('evalue')}")
            elif kind == "stream" and "missing from font" in out.get("text", ""):
                problems.append(f"cell {i}: {out['text'].strip()}")
            elif "image/png" in out.get("data", {}):
                images += 1
    return problems, images


def _uses_shared_data(path: Path) -> bool:
    return "TRAUMA_SIM_DATA" in path.read_text(encoding="utf-8")


_CASES = [pytest.param(p, True, id=p.stem) for p in NOTEBOOKS] + [
    pytest.param(p, False, id=f"{p.stem}-without-data") for p in NOTEBOOKS if _uses_shared_data(p)
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "keep_data_env"), _CASES)
def test_notebook_executes(
    path: Path,
    keep_data_env: bool,
    kernel_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every cell runs without error, with no tofu and no files left behind.

    Run time is printed, not asserted: wall-clock limits fail on shared, loaded machines and
    measure the machine rather than the code (speed is the benchmarks' job).
    """
    if not keep_data_env and not os.environ.get("TRAUMA_SIM_DATA"):
        pytest.skip("TRAUMA_SIM_DATA is unset already: the default run covers the fallback")
    # The kernel inherits this environment.
    extra = os.environ.get("JUPYTER_PATH")
    paths = [str(kernel_dir), *([extra] if extra else [])]
    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(paths))
    # A figure rendered with a missing glyph (tofu) fails its cell.
    monkeypatch.setenv("PYTHONWARNINGS", "error:Glyph:UserWarning")
    monkeypatch.setenv("TRAUMA_SIM_CACHE", str(tmp_path / "network-cache"))
    if not keep_data_env:
        monkeypatch.delenv("TRAUMA_SIM_DATA", raising=False)
    before = _repo_files()
    nb, seconds = _execute(path)
    print(f"{path.name}: {seconds:.1f} s")
    new = sorted(str(p) for p in _repo_files() - before)
    assert not new, f"{path.name} left files in the repository: {new}"
    problems, images = _problems(nb)
    assert not problems, f"{path.name}:\n" + "\n".join(problems)
    assert images > 0, f"{path.name}: no figure was rendered"


# --------------------------------------------------------------- fast static checks


def test_notebooks_present() -> None:
    names = {p.name for p in NOTEBOOKS}
    expected = {
        "01_network_and_travel_times.py",
        "02_baseline_anatomy.py",
        "03_integration_effects.py",
        "04_outcomes_and_uncertainty.py",
        "05_choosing_warmup_and_replications.py",
        "06_sweeps_and_value.py",
    }
    assert expected <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_format(path: Path) -> None:
    """Jupytext percent header, a ``parameters`` cell first, and no private imports."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ---\n# jupyter:\n#   jupytext:\n#     formats: py:percent")
    import jupytext

    nb = jupytext.reads(text, fmt="py:percent")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "no code cells"
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be `parameters`"
    tree = ast.parse(text)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "sim":
                assert not any(p.startswith("_") for p in parts), f"private import {name!r}"
