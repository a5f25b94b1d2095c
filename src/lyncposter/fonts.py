"""The poster's fonts, registered once with reportlab under the names Graphviz uses.

Graphviz measures text with fontconfig's DejaVu Sans; registering the very same
files here means label plates, the PDF and the panels all agree on text widths.
"""

from __future__ import annotations

import threading
from pathlib import Path

from . import theme
from .errors import RenderError


_REGISTERED = threading.Event()
_REGISTERING = threading.Lock()


def register() -> None:
    """Once per process; threads that measure text at once wait for the one that reads the fonts."""
    if _REGISTERED.is_set():
        return
    with _REGISTERING:
        if not _REGISTERED.is_set():
            _register()
            _REGISTERED.set()


def _register() -> None:
    from reportlab.pdfbase import pdfmetrics  # loaded when text is measured or drawn, not at import
    from reportlab.pdfbase.ttfonts import TTFont

    for name, path in theme.FONT_FILES.items():
        if not Path(path).is_file():
            raise RenderError(f"font file {path} is missing; install it (Debian/Ubuntu: apt-get install fonts-dejavu-core)")
    for name in (theme.FONT, theme.FONT_BOLD):
        pdfmetrics.registerFont(TTFont(name, theme.FONT_FILES[name]))
    # last, so <b> in paragraphs finds the bold face; fonts-dejavu-core ships no italic, so italics print upright
    pdfmetrics.registerFontFamily(theme.FONT, normal=theme.FONT, bold=theme.FONT_BOLD, italic=theme.FONT, boldItalic=theme.FONT_BOLD)


def text_width(text: str, size: float, bold: bool = False) -> float:
    from reportlab.pdfbase import pdfmetrics

    register()
    return float(pdfmetrics.stringWidth(text, theme.FONT_BOLD if bold else theme.FONT, size))
