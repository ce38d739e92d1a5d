"""The committee brief: loader, content, HTML and the offline typst PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import plot_fixtures as fx
import pytest

from sim.errors import UserError
from sim.plotting import brief

#: Headline numbers of the fixture as the brief prints them.
HEADLINES = (
    "3.47 (2.11, 4.83)",  # deaths averted per year, 95% CI
    "[0.52, 8.90]",  # … PSA interval
    "1.26 (0.41, 2.08)",  # severe disabilities
    "2.35 (1.02, 3.61)",  # moderate disabilities
    "187 (122, 253)",  # DALYs
    "9.00 (8.75, 9.25)",  # minutes saved, arrival to definitive care
    "1.40 (1.15, 1.65)",  # minutes saved, drive to scene
    "16.4 (15.6, 17.2)",  # minutes saved, whole chain
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def fixture_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """tests/data/brief_fixture layout, generated (not committed) in a temp folder."""
    return fx.write_brief_fixture(tmp_path_factory.mktemp("brief_fixture"))


@pytest.fixture(scope="module")
def zh_pdf(fixture_dirs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("brief_out") / "brief.pdf"
    return brief.build_brief(list(fixture_dirs), out, lang="zh")


def test_pdf_is_built_with_bundled_font_and_headline_numbers(zh_pdf: Path) -> None:
    data = zh_pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(data) > 50_000
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", data))
    assert fonts
    assert all(b"TraumaSansSC" in f for f in fonts), fonts
    text = _squash(fx.pdf_text(data))
    for number in HEADLINES:
        assert _squash(number) in text, number
    for words in (
        "创伤救治一体化模拟评估简报",
        "每年避免死亡",
        "主要假设及来源",
        "不确定性",
        "合成路网",
        "synthetic road network (not real data)",
    ):
        assert _squash(words) in text, words


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_reads_the_headline_numbers(zh_pdf: Path) -> None:
    out = subprocess.run(["pdftotext", str(zh_pdf), "-"], capture_output=True, check=True)
    text = _squash(out.stdout.decode("utf-8"))
    for number in HEADLINES:
        assert _squash(number) in text, number
    assert "每年避免死亡" in text


def test_html_next_to_pdf_is_self_contained(zh_pdf: Path) -> None:
    page = zh_pdf.with_suffix(".html").read_text(encoding="utf-8")
    assert re.findall(r"https?://", page) == []
    loads = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page)
    assert loads
    assert all(u.startswith(("data:", "#")) for u in loads), loads
    assert page.count("data:image/png;base64,") == 8  # every figure the fixture allows
    assert "data:font/ttf;base64," in page
    for number in HEADLINES:
        assert number in page
    assert "合成路网" in page


def test_english_brief_and_literal_user_strings(
    fixture_dirs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    compare, run_a, run_b = fixture_dirs
    run_c = tmp_path / "run_c"
    shutil.copytree(run_a, run_c)
    manifest = json.loads((run_c / "manifest.json").read_text(encoding="utf-8"))
    manifest.update(scenario="baseline", title="Status quo #set $x$ *b* <tag>")
    (run_c / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = brief.build_brief([compare, run_c, run_b], tmp_path / "en" / "brief.pdf", lang="en")
    text = _squash(fx.pdf_text(out.read_bytes()))
    assert _squash("Deaths averted per year") in text
    assert _squash("3.47 (2.11, 4.83)") in text
    assert _squash("#set $x$ *b* <tag>") in text  # typst markup stays literal
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "&lt;tag&gt;" in page  # and HTML escapes it


def test_optional_files_may_be_missing(
    fixture_dirs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    compare = tmp_path / "compare"
    shutil.copytree(fixture_dirs[0], compare)
    for name in brief.COMPARE_OPTIONAL:
        (compare / name).unlink()
    data = brief.load_brief_data([compare])
    assert data.tornado is None
    assert data.compliance is None
    assert data.runs == ()
    assert data.base == "baseline"
    assert data.scenarios == ["baseline", "integrated"]
    out = brief.build_brief([compare], tmp_path / "b.html")
    assert out.suffix == ".html"
    assert not (tmp_path / "b.pdf").exists()
    page = out.read_text(encoding="utf-8")
    assert "187 (122, 253)" in page
    assert page.count("data:image/png;base64,") == 2  # stage bars and averted bars


def test_runs_only_brief_lists_kpis(fixture_dirs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, run_a, run_b = fixture_dirs
    data = brief.load_brief_data([run_a, run_b])
    assert data.comparison is None
    assert len(data.runs) == 2
    incidents = data.incidents()
    assert incidents is not None
    assert set(incidents["scenario"]) == {"baseline", "integrated"}
    page = brief.build_brief([run_a, run_b], tmp_path / "r.html", lang="en").read_text(
        encoding="utf-8"
    )
    assert "12.1 (11.7, 12.5)" in page
    assert "No comparison folder" in page


def test_loader_errors_name_the_file(fixture_dirs: tuple[Path, Path, Path], tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such results folder"):
        brief.load_brief_data([tmp_path / "nope"])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UserError, match=r"manifest\.json: missing"):
        brief.load_brief_data([empty])
    (empty / "manifest.json").write_text('{"kind": "sweep"}', encoding="utf-8")
    with pytest.raises(UserError, match="kind: must be"):
        brief.load_brief_data([empty])
    (empty / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON"):
        brief.load_brief_data([empty])
    compare = tmp_path / "compare"
    shutil.copytree(fixture_dirs[0], compare)
    (compare / "stages.csv").unlink()
    with pytest.raises(UserError, match=r"stages\.csv: missing"):
        brief.load_brief_data([compare])
    with pytest.raises(UserError, match="second comparison"):
        brief.load_brief_data([fixture_dirs[0], fixture_dirs[0]])
    with pytest.raises(UserError, match=r"out: must end with \.pdf or \.html"):
        brief.build_brief([fixture_dirs[0]], tmp_path / "brief.docx")
    with pytest.raises(UserError):
        brief.load_brief_data([])


def test_number_formatting() -> None:
    assert brief.fmt_value(3.467) == "3.47"
    assert brief.fmt_value(41.04) == "41.0"
    assert brief.fmt_value(1234.5) == "1,234"
    assert brief.fmt_value(float("nan")) == "—"
    assert brief.fmt_interval(3.47, 2.11, 4.83) == "3.47 (2.11, 4.83)"
    assert brief.fmt_interval(3.47, float("nan"), 4.83) == "3.47"
    assert brief.fmt_interval(None, 0.52, 8.9, square=True) == "[0.52, 8.90]"
