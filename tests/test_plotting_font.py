"""The bundled CJK font and the brief style: coverage, licence, no global side effects."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from sim.plotting import labels as lb
from sim.plotting.style import FONT_FAMILY, brief_style, font_dir, font_path, register_fonts

#: Characters committee text needs beyond the label strings: symbols and Zhejiang names
#: (all 11 prefecture cities and counties with rare characters).
EXTRA_CHARS = (
    "℃±×÷−≤≥≈①②③④⑤…—–·、。，：；！？（）《》【】“”‘’％"
    "杭州宁波温州嘉兴湖州绍兴金华衢州舟山台州丽水"
    "嵊州鄞州婺城瓯海缙云磐安景宁畲族自治县泰顺苍南龙泉庆元遂昌松阳开化常山"
)


def _glyph_without_outline(chars: set[str]) -> list[str]:
    font = TTFont(str(font_path()))
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    bad = []
    for ch in sorted(chars):
        if ch.isspace() or ch in "\u3000":
            continue
        name = cmap.get(ord(ch))
        if name is None:
            bad.append(ch)
            continue
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds is None:
            bad.append(ch)
    return bad


def test_every_label_character_has_an_outline() -> None:
    chars = set("".join(lb.all_strings("zh") + lb.all_strings("en")))
    assert len(chars) > 300
    assert _glyph_without_outline(chars) == []


def test_symbols_and_zhejiang_place_names_have_outlines() -> None:
    assert _glyph_without_outline(set(EXTRA_CHARS)) == []


def test_font_is_renamed_truetype_and_small_with_licence() -> None:
    font = TTFont(str(font_path()))
    assert font["name"].getDebugName(1) == FONT_FAMILY
    assert "Noto" not in font["name"].getDebugName(1)
    assert "glyf" in font
    assert "CFF " not in font
    assert len(font.getBestCmap()) > 8000
    assert font_path().stat().st_size < 3_000_000
    ofl = (font_dir() / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl
    assert "Adobe" in ofl
    assert (font_dir() / "FONTLOG.txt").is_file()


def test_importing_the_package_changes_no_rcparams() -> None:
    code = (
        "import matplotlib as mpl\n"
        "before = {k: repr(v) for k, v in mpl.rcParams.items() if k != 'backend'}\n"
        "import sim.plotting, sim.plotting.style, sim.plotting.charts, sim.plotting.maps\n"
        "import sim.plotting.brief, sim.plotting.labels\n"
        "after = {k: repr(v) for k, v in mpl.rcParams.items() if k != 'backend'}\n"
        "changed = sorted(k for k in before if before[k] != after[k])\n"
        "assert not changed, changed\n"
        "from matplotlib import font_manager\n"
        "assert not any('TraumaSans' in f.fname for f in font_manager.fontManager.ttflist)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "MPLBACKEND": "Agg"},
        cwd=Path(__file__).resolve().parents[1],
    )
    assert result.returncode == 0, result.stderr


def test_brief_style_restores_rcparams_and_registers_font_once() -> None:
    before = {k: repr(v) for k, v in mpl.rcParams.items()}
    with brief_style("zh"):
        assert mpl.rcParams["font.sans-serif"][0] == FONT_FAMILY
        assert mpl.rcParams["pdf.fonttype"] == 42
        found = font_manager.findfont(
            font_manager.FontProperties(family=FONT_FAMILY), fallback_to_default=False
        )
        assert found == str(font_path())
    with brief_style("en"):
        pass
    register_fonts()
    after = {k: repr(v) for k, v in mpl.rcParams.items()}
    assert before == after
    entries = [f for f in font_manager.fontManager.ttflist if f.fname == str(font_path())]
    assert len(entries) == 1


def test_all_chinese_labels_render_without_missing_glyph_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with brief_style("zh"):
            fig, ax = plt.subplots(figsize=(8, 30))
            for i, s in enumerate([*lb.all_strings("zh"), EXTRA_CHARS]):
                ax.text(0, i, s.replace("{", "(").replace("}", ")"), fontsize=6)
            ax.set_ylim(0, i + 1)
            buf = io.BytesIO()
            fig.savefig(buf, format="pdf")
            plt.close(fig)
    pdf = buf.getvalue()
    assert b"/FontFile2" in pdf  # TrueType outlines embedded (Type 42), not Type 3
    assert b"TraumaSansSC-Regular" in pdf
