"""The poster's fonts, registered once with reportlab under the names Graphviz uses.

Graphviz measures text with fontconfig's DejaVu Sans; registering the very same
files here means label plates, the PDF and the panels all agree on text widths.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any, NamedTuple

from . import theme
from ._version import __version__
from .cache import FontCache
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
        pdfmetrics.registerFont(font.read(name, theme.FONT_FILES[name]))
    # last, so <b> in paragraphs finds the bold face; fonts-dejavu-core ships no italic, so italics print upright
    pdfmetrics.registerFontFamily(theme.FONT, normal=theme.FONT, bold=theme.FONT_BOLD, italic=theme.FONT, boldItalic=theme.FONT_BOLD)


class KeptFont(NamedTuple):
    """A font as reportlab read it, in plain values the cache keeps (`FontCache`)."""

    name: str
    font: dict[str, Any]
    face: dict[str, Any]


def _font_key(name: str, path: str) -> str:
    """The file as Python checks its compiled files (path, size, time of change), the name, and
    the versions of lyncposter and reportlab: another file or another reader gives another key."""
    import reportlab

    st = Path(path).stat()
    parts = (__version__, reportlab.Version, name, str(Path(path).resolve()), str(st.st_size), str(st.st_mtime_ns))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


KEPT_WIDTHS = 200_000  # texts whose width a font keeps, per process


def _measured_font_class() -> type[Any]:
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

        @classmethod
        def read(cls, name: str, path: str) -> Any:
            """The font in `path`, as the cache keeps it from an earlier read of the same file
            (a new read is all of reportlab's parsing: about 30 ms a face); else read, and kept."""
            cache, key = FontCache(), _font_key(name, path)
            kept = cache.get(key)
            if isinstance(kept, KeptFont) and kept.name == name:
                return cls.restored(kept)
            font = cls(name, path)
            cache.put(key, font.kept())
            return font

        def kept(self) -> KeptFont:
            """What the font holds after reportlab read it, as plain values: only its
            state per PDF document (none yet) and a function used while reading are left out."""
            mine = {k: v for k, v in vars(self).items() if k not in ("face", "state", "_unit_widths")}
            face = {k: v for k, v in vars(self.face).items() if k != "_pdfScale"}
            return KeptFont(self.fontName, mine, face)

        @classmethod
        def restored(cls, kept: KeptFont) -> Any:
            from weakref import WeakKeyDictionary

            from reportlab.pdfbase.ttfonts import TTFontFace

            face = TTFontFace.__new__(TTFontFace)
            face.__dict__.update(kept.face)
            font = cls.__new__(cls)
            font.__dict__.update(kept.font)
            font.face = face
            font.state = WeakKeyDictionary()  # as reportlab's TTFont starts it: no document yet
            font._unit_widths = {}
            return font

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
