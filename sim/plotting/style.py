"""The committee-brief look: bundled CJK font plus ``brief.mplstyle``, applied in a context.

Nothing here runs at import time: importing :mod:`sim.plotting` leaves every matplotlib
setting as it was. :func:`brief_style` registers the bundled font (once per process) and
applies the style only inside its ``with`` block; the previous rcParams come back on exit.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

from sim.plotting.labels import check_lang

FONT_FAMILY = "Trauma Sans SC"
_PACKAGE = files("sim.plotting")


def font_dir() -> Path:
    """Folder of the bundled font (for typst ``font_paths`` and licence files)."""
    return Path(str(_PACKAGE / "fonts"))


def font_path() -> Path:
    """Path of the bundled TrueType font ``TraumaSansSC-Regular.ttf``."""
    return font_dir() / "TraumaSansSC-Regular.ttf"


def style_path() -> Path:
    """Path of ``brief.mplstyle``."""
    return Path(str(_PACKAGE / "brief.mplstyle"))


def register_fonts() -> None:
    """Add the bundled font to matplotlib's font manager (idempotent; changes no rcParams)."""
    path = str(font_path())
    manager = font_manager.fontManager
    if any(entry.fname == path for entry in manager.ttflist):
        return
    manager.addfont(path)


@contextmanager
def brief_style(lang: str = "zh") -> Iterator[None]:
    """Apply the brief style (bundled CJK font, sizes, palette) inside a ``with`` block.

    Parameters
    ----------
    lang
        ``"zh"`` or ``"en"``. Both use the bundled font (it has Latin too), so Chinese data
        values such as county names render in English figures as well.

    Examples
    --------
    >>> from sim.plotting.style import brief_style
    >>> with brief_style("zh"):
    ...     pass  # make figures here
    """
    check_lang(lang)
    register_fonts()
    # Resolve the backend first: rc_context restores "backend" on exit, and an unresolved
    # (auto) backend would then switch off figure display in a Jupyter session.
    mpl.get_backend()
    with mpl.rc_context(fname=str(style_path())):
        yield


def font_face_css(text: str) -> str:
    """A CSS ``@font-face`` rule embedding the bundled font, cut down to ``text``'s characters.

    HTML outputs (brief, interactive map) use it so Chinese renders on machines without a
    CJK font and nothing is fetched: the font travels as a ``data:`` URI, typically
    50-150 KB for a brief instead of 2.4 MB for the whole font.
    """
    from fontTools import subset  # only HTML outputs need it

    options = subset.Options()
    options.layout_features = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(font_path()), options, lazy=True)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(set(text))) + " ")
        subsetter.subset(font)
        buf = io.BytesIO()
        font.save(buf)
    finally:
        font.close()
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; '
        f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}'
    )
