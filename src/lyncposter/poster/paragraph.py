"""reportlab's Paragraph, with its height at any width found fast.

Planning a sheet asks the height of every paragraph of the sections at many widths and
type sizes. reportlab answers each by parsing the paragraph's markup and breaking its
lines anew, which made planning most of a build. This Paragraph keeps what does not
depend on the width:

- its markup parsed once per text and style; for another type size the parsed pieces are
  re-sized, not parsed again;
- its words' widths (and the spaces after them) measured once per type size;

and finds its height at a width by replaying reportlab's own line breaking on those
widths: a greedy fill of each line, with reportlab's allowance for spaces that shrink.
What the replay does not cover (a word wider than its line, soft hyphens, hyphenation,
images, automatic leading) is left to reportlab. Drawing and splitting always break the
lines with reportlab itself, so what is drawn is reportlab's; a test holds the replay to
reportlab's heights for every paragraph the sheets set, at many widths and sizes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib.rl_accel import sameFrag
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.rl_config import _FUZZ

from .platypus import paragraph as _rl

__all__ = ["Paragraph"]

# a style's attributes that scale with the type size: the parsed pieces of one size serve another
_SIZED = frozenset(("fontSize", "leading", "spaceBefore", "spaceAfter", "leftIndent", "rightIndent", "firstLineIndent", "bulletFontSize", "bulletIndent"))
_KEPT = 8192  # parsed paragraphs kept per process (a sheet sets about 700 per type size)


@dataclass(frozen=True)
class _Parsed:
    """What reportlab's Paragraph sets up from its markup."""

    text: str
    frags: list[Any]
    style: ParagraphStyle
    bullet: Any


class _Words:
    """One paragraph's words for the replay: widths, the space after each, line breaks."""

    __slots__ = ("simple", "widths", "spaces", "ones", "breaks", "counts", "joins", "space", "shrink")

    def __init__(
        self,
        simple: bool,
        widths: list[float],
        space: float = 0.0,
        shrink: float = 0.0,
        spaces: list[float] | None = None,
        ones: list[float] | None = None,
        breaks: list[bool] | None = None,
        counts: list[bool] | None = None,
        joins: list[bool] | None = None,
    ):
        self.simple, self.widths, self.space, self.shrink = simple, widths, space, shrink
        # several styles: per word, the space after it (none at a piece's end), a space's width
        # in its last piece, a line break, whether it has text, whether it continues the last piece
        self.spaces, self.ones, self.breaks, self.counts, self.joins = spaces or [], ones or [], breaks or [], counts or [], joins or []

    def lines(self, max_widths: list[float]) -> int | None:
        """How many lines reportlab breaks these words into; None where the replay does not
        follow reportlab (a word wider than its line, which reportlab splits)."""
        return self._simple(max_widths) if self.simple else self._fragments(max_widths)

    def _simple(self, max_widths: list[float]) -> int | None:
        # reportlab's breakLines, one style: a word joins the line while it fits the line's width
        # plus a share of the line's spaces
        space, shrink, later = self.space, self.shrink, max_widths[-1]
        max_width = max_widths[0]
        lines = on_line = 0
        current = -space
        for width in self.widths:
            new = current + space + width
            limit = max_width + shrink * on_line
            if new > limit and width > max_width:
                return None
            if new <= limit or not on_line:
                on_line += 1
                current = new
            else:
                lines += 1
                on_line = 1
                current = width
                max_width = later
        return lines + (1 if on_line else 0)

    def _fragments(self, max_widths: list[float]) -> int | None:
        # reportlab's breakLines, several styles: the same fill; the spaces that may shrink are
        # counted per piece of one style, as reportlab sums them
        shrinkage, later = self.shrink, max_widths[-1]
        max_width = max_widths[0]
        lines = 0
        started = False  # the line has words
        n = 0  # words with text on the line
        pending = current = 0.0
        pieces: list[list[float]] = []  # [spaces, width of one space] per piece of one style on the line
        for width, after, one, brk, counts, joins in zip(self.widths, self.spaces, self.ones, self.breaks, self.counts, self.joins):
            if not started:
                n = 0
                pending = current = 0.0
                pieces = []
            new = current + pending + width if width > 0 else current
            limit = max_width
            if shrinkage:
                shrink = pending
                for count, each in pieces:
                    if count:
                        shrink += count * each
                limit += shrink * shrinkage
            if not brk and new > limit and width > max_width:
                return None
            if not ((new > limit and n > 0) or brk):
                if counts:
                    n += 1
                if started and pending:
                    pieces[-1][0] += 1  # the space goes to the piece the last word ended in
                if not started or not joins:
                    pieces.append([0, one])
                started = True
                pending = after
                current = new
            else:
                lines += 1
                max_width = later
                if brk:
                    started = False
                    continue
                pending, current, n = after, width, 1
                pieces = [[0, one]]
                started = True
        return lines + (1 if started else 0)


def _style_key(style: ParagraphStyle) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A style's attributes, all of them and those that do not scale with the type size."""
    found = _STYLE_KEYS.get(style)  # a style is itself, as an object: its key is made once
    if found is None:
        full = tuple(sorted((k, repr(v)) for k, v in style.__dict__.items() if k not in ("name", "parent")))
        found = (full, tuple(kv for kv in full if kv[0] not in _SIZED))
        _remember(_STYLE_KEYS, style, found)
    return found


_STYLE_KEYS: dict[ParagraphStyle, tuple[tuple[Any, ...], tuple[Any, ...]]] = {}
_PARSED: dict[tuple[Any, ...], tuple[_Parsed, _Words | None]] = {}
_UNSIZED: dict[tuple[Any, ...], tuple[_Parsed, ParagraphStyle]] = {}


def _remember(table: dict[Any, Any], key: Any, value: Any) -> None:
    if len(table) >= _KEPT:
        table.pop(next(iter(table)))
    table[key] = value


def _parse(text: str, style: ParagraphStyle, bullet: Any) -> tuple[_Parsed, _Words | None]:
    full, unsized = _style_key(style)
    key = (text, bullet, full)
    found = _PARSED.get(key)
    if found is not None:
        return found
    parsed = None
    base = _UNSIZED.get((text, bullet, unsized))
    if base is not None:
        made, base_style = base
        # re-size the pieces of another type size: only when the markup sized nothing itself
        if made.style is base_style and made.bullet == bullet and all(f.fontSize == base_style.fontSize for f in made.frags):
            parsed = _Parsed(made.text, [f.clone(fontSize=style.fontSize) for f in made.frags], style, bullet)
    if parsed is None:
        parsed = _plain(text, style, bullet, full)
        if parsed is None:
            real = _rl.Paragraph(text, style, bullet)
            parsed = _Parsed(real.text, real.frags, real.style, real.bulletText)
        _remember(_UNSIZED, (text, bullet, unsized), (parsed, style))
    found = (parsed, _words(parsed))
    _remember(_PARSED, key, found)
    return found


_TEMPLATES: dict[tuple[Any, ...], _Parsed | None] = {}


def _plain(text: str, style: ParagraphStyle, bullet: Any, full: tuple[Any, ...]) -> _Parsed | None:
    """A paragraph with no markup and no entity, as reportlab's parser makes it: one piece in
    the style, the text cleaned as reportlab cleans it. The piece is the one reportlab makes
    for a one-letter paragraph in the same style, with this text (a test holds every plain
    paragraph the sheets set to reportlab's own). None for any other paragraph."""
    if "<" in text or "&" in text or getattr(style, "textTransform", None):
        return None
    cleaned = _rl.cleanBlockQuotedText(text)
    if not cleaned:
        return None
    key = (bullet, full)
    if key not in _TEMPLATES:
        real = _rl.Paragraph("x", style, bullet)
        one = len(real.frags) == 1 and getattr(real.frags[0], "text", None) == "x"
        _remember(_TEMPLATES, key, _Parsed(real.text, real.frags, real.style, real.bulletText) if one and real.style is style else None)
    template = _TEMPLATES[key]
    if template is None:
        return None
    return _Parsed(cleaned, [template.frags[0].clone(text=cleaned)], style, template.bullet)


def _words(parsed: _Parsed) -> _Words | None:
    """The words of a parsed paragraph as the replay takes them; None where reportlab must break the lines."""
    style, frags = parsed.style, parsed.frags
    if (
        style.wordWrap
        or style.endDots
        or style.shaping
        or getattr(style, "hyphenationLang", "")
        or style.uriWasteReduce
        or style.embeddedHyphenation
        or getattr(style, "autoLeading", "") not in ("", "off")
    ):
        return None
    if not frags:  # no text: no lines
        return _Words(True, [])
    shrinkage = style.spaceShrinkage
    if len(frags) == 1 and not (hasattr(frags[0], "cbDefn") or hasattr(frags[0], "backColor") or _rl._processed_frags(frags)):
        f = frags[0]
        if not hasattr(f, "text"):
            return None
        words = _rl.split(_rl.strip(f.text))
        if any(_rl._shy in w for w in words):
            return None
        space = stringWidth(" ", f.fontName, f.fontSize, "utf8")
        return _Words(True, [stringWidth(w, f.fontName, f.fontSize, "utf8") for w in words], space, shrinkage * space)
    if any(hasattr(f, "cbDefn") for f in frags):
        return None
    widths: list[float] = []
    spaces: list[float] = []
    ones: list[float] = []
    breaks: list[bool] = []
    counts: list[bool] = []
    joins: list[bool] = []
    previous = None
    for w in _rl._getFragWords(frags, None):
        if isinstance(w, (_rl._SHYWord, _rl._SplitFrag)):
            return None
        first, last = w[1][0], w[-1][0]
        widths.append(w[0])
        ones.append(stringWidth(" ", last.fontName, last.fontSize))
        spaces.append(ones[-1] if isinstance(w, _rl._HSFrag) else 0.0)
        breaks.append(first._fkind == _rl._FK_BREAK)
        counts.append(bool(w[1][1]) or any(t for _, t in w[2:]))
        joins.append(previous is not None and len(w) == 2 and (previous is first or bool(sameFrag(previous, first))))  # words of one piece share it
        previous = last
    return _Words(False, widths, 0.0, shrinkage, spaces, ones, breaks, counts, joins)


class Paragraph(_rl.Paragraph):
    """reportlab's Paragraph; its height at a width from its measured words (see the module)."""

    def __init__(self, text: str | None, style: ParagraphStyle | None = None, bulletText: Any = None, frags: Any = None, caseSensitive: int = 1, encoding: str = "utf8"):
        if frags is not None or text is None or style is None or caseSensitive != 1 or encoding != "utf8":
            super().__init__(text, style, bulletText, frags, caseSensitive, encoding)  # a split's pieces: reportlab's own
            self._words = None
            return
        self.caseSensitive, self.encoding = caseSensitive, encoding
        self.made = (text, style, bulletText)  # as given, for reportlab to make the same paragraph
        bullet = bulletText or getattr(style, "bulletText", None)
        parsed, self._words = _parse(text, style, bullet)
        self.text, self.frags, self.style, self.bulletText = parsed.text, list(parsed.frags), parsed.style, parsed.bullet
        self.debug = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._words is None or availWidth < _FUZZ:
            return super().wrap(availWidth, availHeight)
        style = self.style
        widths = [availWidth - (style.leftIndent + style.firstLineIndent) - style.rightIndent, availWidth - style.leftIndent - style.rightIndent]
        _rl._handleBulletWidth(self.bulletText, style, widths)
        lines = self._words.lines(widths)
        if lines is None:
            return super().wrap(availWidth, availHeight)
        self.__dict__.pop("blPara", None)  # broken by reportlab when it is drawn or split
        self._wrapped = (availWidth, availHeight)
        self.width, self.height = availWidth, lines * style.leading
        return self.width, self.height

    def _broken(self) -> None:
        if "blPara" not in self.__dict__ and hasattr(self, "_wrapped"):
            super().wrap(*self._wrapped)

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        self._broken()
        return super().split(availWidth, availHeight)

    def draw(self) -> None:
        self._broken()
        super().draw()
