"""The committee brief: loader, content, HTML and the offline typst PDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import plot_fixtures as fx
import pytest

from sim.core.errors import UserError
from sim.plotting import brief
from sim.plotting import labels as lb
from sim.plotting.map_axes import OUTSIDE_RING_COLOUR

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
    # A folder: the PDF, its HTML twin (and a map when there is map data) go into it.
    return brief.build_brief(list(fixture_dirs), tmp_path_factory.mktemp("brief_out"), lang="zh")


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
        "合成路网（非真实数据）",
        "模型假设，已做敏感性分析",  # sources in Chinese too
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
    out = brief.build_brief([compare, run_c, run_b], tmp_path / "en", lang="en")
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
    # Zeros print as 0 whatever their sign or rounding, never "-0.00".
    assert brief.fmt_value(-0.0) == "0"
    assert brief.fmt_value(-0.001) == "0"
    assert brief.fmt_interval(-0.0, -0.0, -0.0) == "0 (0, 0)"


# ------------------------------------------------------------------------ as rendered

#: Near-white grey level (0-255) below which a pixel counts as ink.
INK_BELOW = 235


def _longest_blank_share(png: Path) -> float:
    """Longest run of ink-free rows in a page's text area, as a share of that area."""
    import numpy as np
    from PIL import Image

    grey = np.asarray(Image.open(png).convert("L"))
    height = grey.shape[0]
    # A4 text area: 2 cm top margin, 2.2 cm bottom margin (page number) of 29.7 cm.
    body = grey[int(height * 2.0 / 29.7) : int(height * (1 - 2.2 / 29.7))]
    inked = (body < INK_BELOW).any(axis=1)
    longest = run = 0
    for has_ink in inked:
        run = 0 if has_ink else run + 1
        longest = max(longest, run)
    return longest / len(inked)


def test_rendered_pages_are_not_half_blank_and_say_whose_numbers(
    zh_pdf: Path, tmp_path: Path
) -> None:
    # pdftoppm (poppler-utils) is installed by .ci/run; the check is on the pages as printed.
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed for this test"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", str(zh_pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    assert len(pages) >= 2
    # The last page ends where the text ends; every other page is at least half full.
    for png in pages[:-1]:
        assert _longest_blank_share(png) <= 0.5, png.name
    text = _squash(
        subprocess.run(
            ["pdftotext", str(zh_pdf), "-"], capture_output=True, check=True
        ).stdout.decode("utf-8")
    )
    for words in (
        "45.0万人口",
        "面积约1,235平方公里",
        "模拟28天",
        "重复20次",
        "现状（各系统独立运行）",
        "一体化（互联网+120、警医联动、专家会诊）",
    ):
        assert _squash(words) in text, words
    # No code names of scenarios, parameters or networks in the Chinese text layer.
    for code in ("baseline", "integrated", *lb.PARAMETERS, *lb.NETWORKS):
        assert code not in text, code


#: Chinese characters and full-width punctuation: none belong in the English text layer.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def test_english_brief_as_rendered_has_no_chinese_and_no_half_blank_page(
    map_dirs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed for this test"
    pdf = brief.build_brief(list(map_dirs), tmp_path / "en.pdf", lang="en")
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
    for png in pages[:-1]:
        assert _longest_blank_share(png) <= 0.5, png.name
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    # The fixture's facility names are bilingual, so the English brief needs no proper name
    # in Chinese either.
    assert CJK.findall(text) == [], sorted(set(CJK.findall(text)))
    squashed = _squash(text)
    for words in (
        "450,000 people",
        "about 1,235 km²",
        "28 days",
        "20 replications",
        "Gauss et al. 2019",
        "Facilities outside the road data",
    ):
        assert _squash(words) in squashed, words


# ------------------------------------------------------------------- wording by the data


def _context_with_deaths(
    fixture_dirs: tuple[Path, Path, Path], tmp_path: Path, deaths: tuple[float, ...], lang: str
) -> dict[str, object]:
    """Brief context of the fixture with deaths averted set to (mean, lo, hi, psa lo, psa hi)."""
    compare, base_run, other_run = fixture_dirs
    copy = tmp_path / "compare"
    shutil.copytree(compare, copy)
    table = fx.comparison_table()
    row = table["metric"] == "deaths_averted_per_year"
    table.loc[row, ["mean", "ci_low", "ci_high", "psa_low", "psa_high"]] = deaths
    table.to_csv(copy / "comparison.csv", index=False)
    data = brief.load_brief_data([copy, base_run, other_run])
    return brief.brief_context(data, lang)


@pytest.mark.parametrize(
    ("lang", "claims", "no_claim"),
    [
        ("zh", "置信区间不含 0", "置信区间包含 0"),
        ("en", "The interval excludes 0", "The interval includes 0"),
    ],
)
def test_conclusion_claims_an_effect_only_when_the_ci_excludes_zero(
    fixture_dirs: tuple[Path, Path, Path], tmp_path: Path, lang: str, claims: str, no_claim: str
) -> None:
    # The demo's case: CI crosses zero while the PSA interval is narrow and positive.
    crossing = _context_with_deaths(
        fixture_dirs, tmp_path / "a", (3.02, -2.36, 8.40, 2.19, 3.71), lang
    )
    deaths = [p for p in crossing["conclusion"] if "8.40" in p]  # type: ignore[attr-defined]
    assert len(deaths) == 1, crossing["conclusion"]
    sentence = deaths[0][deaths[0].index("8.40") :]
    assert no_claim in sentence, sentence
    assert claims not in sentence, sentence
    assert "[2.19, 3.71]" in sentence
    # A narrower PSA interval is said to be narrower, and not to guide interpretation alone.
    psa = " ".join(crossing["uncertainty"])  # type: ignore[arg-type]
    assert ("窄" if lang == "zh" else "narrower") in psa, psa
    assert "通常比置信区间宽" not in psa
    assert "usually" not in psa
    # Separated from zero: the effect is claimed.
    clear = _context_with_deaths(fixture_dirs, tmp_path / "b", (3.47, 2.11, 4.83, 0.52, 8.9), lang)
    deaths = [p for p in clear["conclusion"] if "4.83" in p]  # type: ignore[attr-defined]
    sentence = deaths[0][deaths[0].index("4.83") :]
    assert claims in sentence, sentence
    assert no_claim not in sentence, sentence
    # No fixed claim that differences are not sampling noise, whatever the numbers.
    facts = str(clear["scenario_facts"])
    assert "不是随机抽样" not in facts
    assert "not sampling noise" not in facts


@pytest.mark.parametrize(("lang", "label"), [("zh", "全部假设"), ("en", "all assumptions")])
def test_all_assumptions_interval_is_shown_and_labelled_when_computed(
    fixture_dirs: tuple[Path, Path, Path], tmp_path: Path, lang: str, label: str
) -> None:
    compare, base_run, other_run = fixture_dirs
    copy = tmp_path / "compare"
    shutil.copytree(compare, copy)
    table = fx.comparison_table()
    row = table["metric"] == "deaths_averted_per_year"
    table.loc[row, ["mean", "ci_low", "ci_high", "psa_low", "psa_high"]] = (
        3.47,
        2.11,
        4.83,
        1.5,
        5.2,
    )
    table["psa_all_low"] = float("nan")
    table["psa_all_high"] = float("nan")
    table.loc[row, ["psa_all_low", "psa_all_high"]] = (0.61, 7.93)
    table.to_csv(copy / "comparison.csv", index=False)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["joint_psa_recentred_targets"] = {
        "x": {"rtc_death_share_before_rescuers": [0.15, 0.25]}
    }
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    ctx = brief.brief_context(brief.load_brief_data([copy, base_run, other_run]), lang)
    notes = " ".join(ctx["notes"])  # type: ignore[arg-type]
    assert "rtc_death_share_before_rescuers" in notes
    averted = ctx["tables"][-1]  # type: ignore[index]
    cells = [c for r in averted["rows"] for c in r if "4.83" in c]
    assert cells == [
        f"3.47 (2.11, 4.83) [1.50, 5.20]{'；' if lang == 'zh' else '; '}{label} [0.61, 7.93]"
    ]
    assert label in averted["caption"]
    conclusion = " ".join(ctx["conclusion"])  # type: ignore[arg-type]
    assert "[0.61, 7.93]" in conclusion
    # Without a joint run neither the interval nor its label appears.
    plain = _context_with_deaths(fixture_dirs, tmp_path / "b", (3.47, 2.11, 4.83, 1.5, 5.2), lang)
    assert label not in plain["tables"][-1]["caption"]  # type: ignore[index]
    assert "7.93" not in " ".join(plain["conclusion"])  # type: ignore[arg-type]
    assert "rtc_death_share" not in " ".join(plain["notes"])  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- maps

#: Captions of the three map figures (Chinese), as the brief prints them.
MAP_CAPTIONS_ZH = (
    "路网及急救站、医院（按救治等级）",
    "现状（各系统独立运行）：各事件位置",  # scenario title, not its code name
    "预计响应时间覆盖范围",
)


@pytest.fixture(scope="module")
def map_dirs(
    fixture_dirs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path]:
    """The brief fixture with a compare folder that carries map data."""
    root = tmp_path_factory.mktemp("brief_maps")
    compare = root / "compare"
    shutil.copytree(fixture_dirs[0], compare)
    fx.write_map_fixture(compare)
    return compare, fixture_dirs[1], fixture_dirs[2]


@pytest.fixture(scope="module")
def map_pdf(
    map_dirs: tuple[Path, Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = brief.build_brief(list(map_dirs), tmp_path_factory.mktemp("maps_out"), lang="zh")
    return out, [str(w.message) for w in caught]


def test_brief_with_map_data_has_map_figures(map_pdf: tuple[Path, list[str]]) -> None:
    out, messages = map_pdf
    assert not [m for m in messages if "Glyph" in m or "missing from font" in m], messages
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 8 + 3  # charts, then three maps
    for caption in MAP_CAPTIONS_ZH:
        assert caption in page, caption
    assert (
        "平均派车及出车准备时间：现状（各系统独立运行） 4.5 分钟；"
        "一体化（互联网+120、警医联动、专家会诊） 3.0 分钟"
    ) in page
    for key in ("map_network", "map_incidents", "map_coverage"):
        assert f'id="{key}"' in page
    # The facility beyond the road data is listed with its distance to the nearest road.
    assert "路网数据范围以外的设施" in page
    assert '<td>萧山区医院</td><td>医院（县级医院）</td><td class="num">1.5</td>' in page
    text = _squash(fx.pdf_text(out.read_bytes()))
    assert _squash("预计响应时间覆盖范围") in text
    assert "brief_map.html" in text  # the PDF names the interactive map file


def test_brief_links_the_offline_interactive_map(map_pdf: tuple[Path, list[str]]) -> None:
    out, _ = map_pdf
    map_file = out.with_name("brief_map.html")
    assert map_file.is_file()
    page = out.with_suffix(".html").read_text(encoding="utf-8")
    assert re.findall(r"https?://", page) == []
    loads = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]*)""", page)
    assert "brief_map.html" in loads  # a relative link to the sibling file
    assert all(u.startswith(("data:", "#")) or u == "brief_map.html" for u in loads), loads
    interactive = map_file.read_text(encoding="utf-8")
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", interactive))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls  # an XML namespace name, not a load
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", interactive, flags=re.I)
    assert "L.tileLayer(" not in interactive
    # every base incident (60) and facility (7) is a marker, plus a red ring round each
    # facility outside the road data; colours as in the brief
    # (rings: tests/test_maps.py::test_interactive_map_rings_facilities_outside_the_road_data)
    rings = interactive.count('"color": "' + OUTSIDE_RING_COLOUR)
    assert rings == 1  # one facility of the map fixture lies beyond its roads
    assert interactive.count("L.circleMarker(") == 60 + 7 + rings
    assert "≤8 分钟" in interactive
    assert "synthetic road network (not real data)" in interactive


def test_english_map_figures_and_write_figures(
    map_dirs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = brief.build_brief_files(list(map_dirs), tmp_path / "en", lang="en")[1]
        paths = brief.write_figures(list(map_dirs), tmp_path / "figs", lang="en")
    assert not [w for w in caught if "Glyph" in str(w.message)]
    page = out.read_text(encoding="utf-8")
    assert "Road network with ambulance stations, hospitals (by tier)" in page
    assert (
        "status quo, systems run separately: incident locations coloured by response time"
    ) in page
    assert "Expected response coverage" in page
    assert 'href="brief_map.html"' in page
    assert (tmp_path / "en" / "brief_map.html").is_file()
    names = [p.name for p in paths]
    assert names[-3:] == ["map_network_en.png", "map_incidents_en.png", "map_coverage_en.png"]


def test_map_data_is_optional_and_read_from_the_compare_folder(
    fixture_dirs: tuple[Path, Path, Path], map_dirs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    assert brief.load_brief_data([fixture_dirs[0]]).map_data is None
    data = brief.load_brief_data([map_dirs[0]])
    assert data.map_data is not None
    assert data.map_data.scenarios == ["baseline", "integrated"]
    # Without run folders there are no incidents: the network and coverage maps still come.
    out = brief.build_brief([map_dirs[0]], tmp_path / "c.html")
    page = out.read_text(encoding="utf-8")
    assert 'id="map_network"' in page
    assert 'id="map_coverage"' in page
    assert 'id="map_incidents"' not in page
    # One named file is exactly one file: no interactive map beside it, and none named.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.html"]
    assert "_map.html" not in page
    # A run folder's layout is unchanged by the map: no "map" run is picked up.
    assert all(p.name != "map" for p in brief.expand_result_dirs([map_dirs[0]]))


@pytest.mark.parametrize("target", ["b.html", "folder"])
def test_brief_command_writes_one_file_or_one_folder_and_prints_each(
    map_dirs: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    target: str,
) -> None:
    from sim.cli import main

    out = tmp_path / "out" / target
    with pytest.raises(SystemExit) as exc:
        main(["brief", *map(str, map_dirs), "--out", str(out), "--lang", "en"])
    assert exc.value.code in (0, None)
    printed = [
        Path(line.removeprefix("brief: ").strip())
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("brief: ")
    ]
    written = set((tmp_path / "out").rglob("*.*"))
    assert set(printed) == written
    if target == "b.html":
        assert printed == [out]
    else:
        assert printed[0] == out / "brief.pdf"
        assert {p.name for p in printed} == {"brief.pdf", "brief.html", "brief_map.html"}
        assert all(p.parent == out for p in printed)


def test_brief_out_with_another_suffix_is_refused(
    fixture_dirs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    with pytest.raises(UserError, match=r"must end with \.pdf or \.html .* or name a folder"):
        brief.build_brief(list(fixture_dirs), tmp_path / "brief.docx")
    assert list(tmp_path.iterdir()) == []
