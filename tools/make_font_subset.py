"""Build the bundled CJK font ``sim/plotting/fonts/TraumaSansSC-Regular.ttf``.

Why this exists
---------------
Committee figures and briefs are in Chinese. matplotlib's own fonts have no hanzi, system
fonts differ per machine (and WenQuanYi has an *empty* ℃), and the large font packages on
PyPI are 20-85 MB. So the package ships a subset of **Noto Sans SC** (SIL OFL 1.1): every
GB2312 character (all 6,763 hanzi, which cover every Zhejiang city and county name, plus
GB2312's punctuation, Greek, Cyrillic and kana), ASCII, Latin-1 and Latin Extended-A,
general punctuation, letter-like symbols (℃ №), arrows, maths operators, enclosed numbers
(①…), CJK symbols and punctuation, and full-width forms.

The outlines are converted from CFF to TrueType (quadratic, ``glyf``) with fontTools
``cu2qu``: matplotlib's PDF/PS backends embed TrueType cleanly (``CID TrueType``; text
extractable), while CFF-flavoured OpenType gives poppler warnings (matplotlib#2869, #20870).

Licence: the subset is a *Modified Version* under the OFL. It is renamed "Trauma Sans SC"
(the conservative reading of the Reserved Font Name clause), keeps the copyright and
licence name records, and ships ``OFL.txt`` and ``FONTLOG.txt`` next to it.

Reproduce
---------
Get the source font from PyPI without installing it (never a project dependency)::

    pip download --no-deps pylopdf-fonts-zh-cn==0.1.1 -d /tmp/fontsrc
    python tools/make_font_subset.py /tmp/fontsrc/pylopdf_fonts_zh_cn-0.1.1-py3-none-any.whl

The source may also be a ``NotoSansSC-Regular.otf`` file, or Debian's
``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc`` (``fonts-noto-cjk``), in which
case the face whose family is "Noto Sans CJK SC" is picked (face 0 of that TTC is the
Japanese one). Output is byte-for-byte reproducible for the same source and fontTools
version (timestamps are copied from the source, not taken from the clock). It takes about
20 s.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "sim" / "plotting" / "fonts"
FAMILY = "Trauma Sans SC"
PS_NAME = "TraumaSansSC-Regular"
OUT_NAME = f"{PS_NAME}.ttf"
# Max deviation of the quadratic approximation, in font units (1000 per em): invisible.
CU2QU_MAX_ERR = 1.0

#: Unicode ranges kept besides GB2312 (inclusive).
EXTRA_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement (± × ÷ ° · µ)
    (0x0100, 0x017F),  # Latin Extended-A (pinyin tone vowels ā ē ī ō ū)
    (0x01CD, 0x01DC),  # pinyin ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ
    (0x0391, 0x03C9),  # Greek (α β γ λ κ σ)
    (0x2000, 0x206F),  # general punctuation (– — ‘ ’ “ ” … ‰ ′ ″)
    (0x2070, 0x209F),  # superscripts and subscripts
    (0x2100, 0x214F),  # letter-like symbols (℃ № ™)
    (0x2150, 0x218F),  # number forms (Ⅰ Ⅱ …)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators (− ≤ ≥ ≈ ∑)
    (0x2460, 0x24FF),  # enclosed alphanumerics (① …)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ▲ ● ○)
    (0x2600, 0x26FF),  # miscellaneous symbols (★ ☆)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。〈〉《》「」【】)
    (0x3200, 0x32FF),  # enclosed CJK (㈠ …)
    (0x3300, 0x33FF),  # CJK compatibility (㎞ ㎡)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms (，：；！？（）％)
)


def gb2312_codepoints() -> set[int]:
    """Every character of GB2312, decoded with Python's own codec (no data file needed)."""
    points: set[int] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                char = bytes((hi, lo)).decode("gb2312")
            except UnicodeDecodeError:
                continue
            points.add(ord(char))
    return points


def wanted_codepoints() -> set[int]:
    """GB2312 plus the extra ranges."""
    points = gb2312_codepoints()
    for lo, hi in EXTRA_RANGES:
        points.update(range(lo, hi + 1))
    return points


def read_source(path: Path) -> tuple[bytes, TTFont]:
    """Load the source font (OTF, TTF, TTC with an SC face, or the PyPI wheel)."""
    raw = path.read_bytes()
    if path.suffix == ".whl":
        with zipfile.ZipFile(io.BytesIO(raw)) as whl:
            names = [n for n in whl.namelist() if n.endswith("NotoSansSC-Regular.otf")]
            if not names:
                raise SystemExit(f"{path}: no NotoSansSC-Regular.otf inside the wheel")
            raw = whl.read(names[0])
        return raw, TTFont(io.BytesIO(raw), lazy=False)
    if path.suffix.lower() in {".ttc", ".otc"}:
        collection = TTCollection(io.BytesIO(raw), lazy=False)
        for font in collection.fonts:
            if font["name"].getDebugName(1) == "Noto Sans CJK SC":
                return raw, font
        raise SystemExit(f"{path}: no face with family 'Noto Sans CJK SC'")
    return raw, TTFont(io.BytesIO(raw), lazy=False)


def make_subset(font: TTFont, codepoints: set[int]) -> None:
    """Subset in place to ``codepoints``, dropping vertical-layout and signature tables."""
    options = subset.Options()
    options.layout_features = ["*"]  # keep kerning, fractions, full-width forms
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True  # cu2qu draws plain outlines anyway
    options.hinting = False  # CFF hints do not survive conversion to glyf
    options.drop_tables += ["VORG", "vhea", "vmtx", "DSIG", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints & set(font.getBestCmap())))
    subsetter.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    """Replace CFF (cubic) outlines by TrueType (quadratic) ones, after fontTools' otf2ttf."""
    if "CFF " not in font:
        return
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, CU2QU_MAX_ERR, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    glyf.compile(font)
    # TrueType wants lsb == xMin.
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        width = hmtx.metrics[name][0]
        hmtx.metrics[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: CID names carry no meaning and cost ~100 KB
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, source_sha256: str) -> None:
    """Give the subset its own family name; keep copyright, trademark and licence records."""
    name = font["name"]
    source_version = name.getDebugName(5) or "?"
    keep = {0, 7, 8, 9, 11, 12, 13, 14}
    name.names = [rec for rec in name.names if rec.nameID in keep]
    new = {
        1: FAMILY,
        2: "Regular",
        3: f"{PS_NAME};subset of NotoSansSC-Regular {source_version}",
        4: FAMILY,
        5: f"Version 1.000; subset of Noto Sans SC ({source_version})",
        6: PS_NAME,
        10: (
            "Modified Version of Noto Sans SC under the SIL OFL 1.1: GB2312 + Latin/"
            "punctuation/symbol subset, CFF converted to TrueType outlines, renamed. "
            f"Source sha256 {source_sha256[:16]}. Built by tools/make_font_subset.py "
            "of trauma-sim."
        ),
    }
    for name_id, text in new.items():
        name.setName(text, name_id, 3, 1, 0x409)


def build(source: Path, out_dir: Path) -> Path:
    """Run the whole pipeline and write the TTF; return its path."""
    raw, font = read_source(source)
    sha = hashlib.sha256(raw).hexdigest()
    created, modified = font["head"].created, font["head"].modified
    make_subset(font, wanted_codepoints())
    cff_to_glyf(font)
    rename(font, sha)
    font["head"].created, font["head"].modified = created, modified
    font.recalcTimestamp = False
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / OUT_NAME
    font.save(str(out))
    n_chars = len(TTFont(str(out))["cmap"].getBestCmap())
    sys.stdout.write(
        f"wrote {out} ({out.stat().st_size:,} bytes, {n_chars} code points); "
        f"source {source.name} sha256 {sha}\n"
    )
    return out


def main() -> None:
    """Command line: ``python tools/make_font_subset.py SOURCE [--out-dir DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="Noto Sans SC .otf, the SC .ttc, or the wheel")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    build(args.source, args.out_dir)


if __name__ == "__main__":
    main()
