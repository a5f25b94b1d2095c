"""The poster's fonts, registered once with reportlab under the names Graphviz uses.

Graphviz measures text with fontconfig's DejaVu Sans; registering the very same
files here means label plates, the PDF and the panels all agree on text widths.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

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

    for name, path in theme.FONT_FILES.items():
        if not Path(path).is_file():
            raise RenderError(f"font file {path} is missing; install it (Debian/Ubuntu: apt-get install fonts-dejavu-core)")
    font = _measured_font_class()
    for name in (theme.FONT, theme.FONT_BOLD):
        pdfmetrics.registerFont(font(name, theme.FONT_FILES[name]))
    # last, so <b> in paragraphs finds the bold face; fonts-dejavu-core ships no italic, so italics print upright
    pdfmetrics.registerFontFamily(theme.FONT, normal=theme.FONT, bold=theme.FONT_BOLD, italic=theme.FONT, boldItalic=theme.FONT_BOLD)


KEPT_WIDTHS = 200_000  # texts whose width a font keeps, per process


def _measured_font_class() -> type:
    from reportlab.pdfbase.ttfonts import TTFont

    class MeasuredFont(TTFont):  # type: ignore[misc]
        """A TrueType font as reportlab reads it, keeping each text's width at size 1.

        Planning a sheet measures the same words at many type sizes, and every paragraph's
        line breaking measures them again. reportlab's width of a text at a size is its
        width at size 1 times the size, to the last bit (it sums the glyphs' widths, scales
        the sum to size 1, then to the size; a test holds the two equal for every word the
        sheets set): so the sum is taken once per text."""

        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self._unit_widths: dict[str, float] = {}

        def stringWidth(self, text: Any, size: float, encoding: str = "utf8") -> float:
            unit = self._unit_widths.get(text)
            if unit is None:
                if not isinstance(text, str):
                    return float(super().stringWidth(text, size, encoding))
                if len(self._unit_widths) >= KEPT_WIDTHS:
                    self._unit_widths.clear()
                unit = self._unit_widths[text] = super().stringWidth(text, 1, encoding)
            return unit * size

    return MeasuredFont


def text_width(text: str, size: float, bold: bool = False) -> float:
    from reportlab.pdfbase import pdfmetrics

    register()
    return float(pdfmetrics.stringWidth(text, theme.FONT_BOLD if bold else theme.FONT, size))
