"""Panels + sections → one PDF sheet: the compose step.

The sheet is computed, not placed by hand:

    +---------------------------------------------------------------+
    | version | title, product, revision date, author               |  header
    +-----------------------------------------------+---------------+
    |  panels, packed at one common scale           | Legend        |
    |                                               | Notes         |
    +------------------------------+----------------+               |
    |  Certificates                |  DNS           | Learn more/QR |
    +------------------------------+----------------+---------------+
    | generator, data fingerprint, version           copyright      |  footer
    +---------------------------------------------------------------+

Sizes are designed for ARCH E and scale with the paper. A workloads sheet is
planned before it is drawn: for a type size of the sections, the side column
is made as narrow as its story allows, the band's two tables are split so that
they end level (never narrower than their longest words), and the panels are
packed into what is left (packing.py); of the type sizes tried, the plan whose
smallest text (a panel label at the panels' scale, or a table's text) is
largest is drawn, each panel stretched to its box. The build reports that
smallest text.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import io
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from reportlab.lib import colors
from reportlab.lib.utils import TimeStamp
from reportlab.pdfgen.canvas import Canvas

from .. import theme
from .._version import __version__
from ..cache import SignedCache
from ..errors import RenderError
from ..fonts import register
from ..changes import Changes
from ..firewall import RuleSet
from ..model import ChangelogEntry, Dataset, Workload
from ..parallel import start
from ..render import Panel
from . import sections
from .packing import Packing, Placement, pack
from .platypus import Flowable, Frame, LayoutError
from .qr import qr_code
from .sizes import INCH, PaperSize, Sheet

News = ChangelogEntry | Changes  # what the What's new box shows: the changelog's entry, else the facts that changed

DESIGN_LONG, DESIGN_SHORT = 48 * INCH, 36 * INCH  # ARCH E


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


def _height(canvas: Canvas, flowables: list[Flowable], width: float) -> float:
    """Height of a story laid out in one column of `width`."""
    total = 0.0
    for f in flowables:
        _, h = f.wrapOn(canvas, width, 1e6)
        total += h + f.getSpaceBefore() + f.getSpaceAfter()
    return total


def _fill(canvas: Canvas, box: Box, flowables: list[Flowable]) -> bool:
    """Flow into the box; False if something did not fit."""
    frame = Frame(box.x, box.y, box.width, box.height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0)
    story = list(flowables)
    frame.addFromList(story, canvas)
    return not story


def _with_shrinking_type(paper: PaperSize, attempt: Callable[[sections.Type], Sheet | None]) -> Sheet:
    """Compose at the paper's type size; where the sections do not fit, shrink the type step by step."""
    register()
    factor = _design_factor(paper)
    for step in range(MAX_SHRINK_STEPS):
        t = sections.Type(round(factor * TYPE_STEP**step, 4))
        try:
            sheet = attempt(t)
        except (ValueError, LayoutError):  # reportlab's way of saying a column is too narrow
            sheet = None
        if sheet is not None:
            return sheet
    raise RenderError(f"the poster's sections do not fit on {paper.description}; choose a larger --size")


@dataclass(frozen=True)
class _Frame:
    """What every sheet shares: the canvas, the body box between header and footer, the side column."""

    canvas: Canvas
    out: io.BytesIO
    body: Box
    side: Box
    main_w: float
    gap: float
    margin: float
    header_h: float


def pin_dates(canvas: Canvas, revision_date: str) -> None:
    """The PDF's creation and modification dates: SOURCE_DATE_EPOCH when it is set, else the
    data's revision date, so the same data always gives the same bytes and an honest date."""
    stamp = TimeStamp(invariant=True)  # reads SOURCE_DATE_EPOCH itself
    if not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        seconds = calendar.timegm(datetime.date.fromisoformat(revision_date).timetuple())
        stamp.t, stamp.lt = seconds, time.gmtime(seconds)
        stamp.YMDhms = tuple(stamp.lt)[:6]
    canvas._doc._timeStamp = stamp


def _frame(paper: PaperSize, t: sections.Type, side_width: float | None = None) -> _Frame:
    W, H = paper.width, paper.height
    margin = t.size(36)
    gap = t.size(24)
    header_h = t.size(118)
    footer_h = t.size(26)
    body = Box(margin, margin + footer_h, W - 2 * margin, H - 2 * margin - header_h - footer_h)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(W, H), invariant=1, pageCompression=1, initialFontName=theme.FONT, initialFontSize=t.size(10))
    side_w = side_width if side_width is not None else max(body.width * 0.2, t.size(560))
    side = Box(body.x + body.width - side_w, body.y, side_w, body.height)
    return _Frame(canvas, out, body, side, body.width - side_w - gap, gap, margin, header_h)


def _fitted_frame(paper: PaperSize, t: sections.Type, side_height: Callable[[Canvas, float], float]) -> _Frame | None:
    """The sheet's frame with a side column as narrow as its story allows, so that what it does not
    need goes to the main area; None when the story does not fit the usual side column."""
    frame = _frame(paper, t)
    width = _narrowest(lambda w: side_height(frame.canvas, w), frame.side.height, t.size(MIN_SIDE_WIDTH), frame.side.width)
    if width is None:
        return None
    return _frame(paper, t, width) if width < frame.side.width * 0.99 else frame


def _narrowest(height: Callable[[float], float], room: float, low: float, high: float) -> float | None:
    """The narrowest width in [low, high] at which a story of `height(width)` fits `room`, found
    in `SIDE_WIDTH_STEPS` tries after the first guess that its area holds; None when it does not
    fit even at `high`."""
    at_high = height(high)
    if at_high > room:
        return None
    if height(low) <= room:
        return round(low, 3)
    fits, fails = high, low
    guess = high * at_high / room
    for _ in range(SIDE_WIDTH_STEPS):
        margin = (fits - fails) * 0.1
        guess = round(min(max(guess, fails + margin), fits - margin), 3)
        if height(guess) <= room:
            fits = guess
        else:
            fails = guess
        guess = (fits + fails) / 2
    return round(fits, 3)


def _finish(frame: _Frame, data: Dataset, paper: PaperSize, t: sections.Type, title: str, unchecked: bool, side: Box | None = None) -> bytes:
    """Metadata, header, the rule beside the side column (`side`, else the frame's), footer; then the PDF's bytes."""
    canvas = frame.canvas
    side = side or frame.side
    pin_dates(canvas, data.poster.revision_date)
    _metadata(canvas, data, title)
    _header(canvas, data, t, paper.width, paper.height, frame.margin, frame.header_h, unchecked, title)
    _rule(canvas, side.x - frame.gap / 2, side.y, side.y + side.height)
    _footer(canvas, data, t, paper.width, frame.margin, unchecked, title)
    canvas.showPage()
    canvas.save()
    return frame.out.getvalue()


# panels and the boxes (points at 100 %) they will fill → the panels to draw there: the layout's
# alternatives for a box with room to spare (`build.py` asks the layout for them)
Reshape = Callable[[list[Panel], list[tuple[float, float]]], list[Panel]]


def compose(
    data: Dataset,
    panels: list[Panel],
    paper: PaperSize,
    unchecked: bool = False,
    title: str | None = None,
    changes: News | None = None,
    cache: SignedCache | None = None,
    reshape: Reshape | None = None,
    plans: SectionPlans | None = None,
) -> Sheet:
    """The workloads sheet: every panel at one scale, the legend, notes, certificates and DNS;
    with `changes`, a What's new box at the top of the side column.

    The type size of the sections is chosen with the panels' scale: of the sizes tried, the one
    whose smallest text (a panel's label at its scale, or a table's) is largest. With `reshape`,
    a panel whose box has room to spare may be drawn from another layout that fits it. `plans`
    may bring the sections already measured (`SectionPlans` for the same data, paper and changes)."""
    heading = title or data.poster.title
    plans = plans or SectionPlans(data, paper, changes, cache)

    def draw(plan: _Plan) -> Sheet | None:
        shown = None
        if reshape is not None:  # Graphviz lays out for the taller boxes (elsewhere) while the sections are set
            scale = plan.packing.scale
            boxes = [(p.width / scale, p.height / scale) for p in plan.packing.placements]
            shown = start(partial(_reshaped, reshape, panels, boxes))

        def drawn() -> list[Panel]:
            changed = shown.result() if shown is not None else {}
            return [changed.get(i, p) for i, p in enumerate(panels)]

        try:
            qr_code(data.poster.home_url, cache)  # kept, encoded elsewhere meanwhile, or encoded here
            return _draw(plan, data, drawn, paper, unchecked, heading, changes)
        finally:
            if shown is not None:
                shown.cancel()

    sheet = draw(_best_plan(panels, plans))
    if sheet is None and plans.measures.cache is not None:  # kept heights that no longer hold: measure afresh
        plans = SectionPlans(data, paper, changes)
        sheet = draw(_best_plan(panels, plans))
    if sheet is None:  # pragma: no cover - measured to fit, so it fills
        raise RenderError(f"the poster's sections do not fit on {paper.description}; choose a larger --size")
    plans.measures.save()
    return sheet


def _reshaped(reshape: Reshape, panels: list[Panel], boxes: list[tuple[float, float]]) -> dict[int, Panel]:
    """The panels `reshape` changed, by their place: only they travel back from another process."""
    return {i: p for i, (p, was) in enumerate(zip(reshape(panels, boxes), panels)) if p is not was}


def smallest_text(data: Dataset, panels: list[Panel], paper: PaperSize, changes: News | None = None, cache: SignedCache | None = None) -> float:
    """The smallest text the workloads sheet would print on `paper`: measured, not drawn."""
    plans = SectionPlans(data, paper, changes, cache)
    smallest = _best_plan(panels, plans).smallest
    plans.measures.save()
    return smallest


def _best_plan(panels: list[Panel], sections_at: SectionPlans) -> _Plan:
    plans: dict[int, _Plan | None] = {}

    def plan(step: int) -> _Plan | None:  # type at the design's size times TYPE_STEP ** step
        step = _clamped(step)
        if step not in plans:
            try:
                placed = [p for p in (_placed(sections_at.data, panels, a) for a in sections_at.at(step) or ()) if p is not None]
            except (ValueError, LayoutError):  # reportlab's way of saying a column is too narrow
                placed = []
            plans[step] = max(placed, key=lambda p: (p.smallest, p.filled)) if placed else None
        return plans[step]

    comfortable = COMFORTABLE_TEXT * sections_at.factor

    def better(a: _Plan | None, b: _Plan | None) -> bool:
        """Larger smallest text, up to comfortable; beyond it, or between equals, the fuller sheet."""
        if a is None or b is None:
            return b is None and a is not None
        sa, sb = min(a.smallest, comfortable), min(b.smallest, comfortable)
        if abs(sa - sb) > 0.005:
            return sa > sb
        return a.filled > b.filled * 1.001

    # the smallest text is the panels' labels or the sections' text, whichever is smaller: larger
    # type leaves the panels less room, smaller type shrinks the tables. Start where the two would
    # meet if the panels kept their scale, then walk towards the balance.
    step = 0
    while plan(step) is None and step < MAX_SHRINK_STEPS:
        step += 1
    best = plan(step)
    if best is None:
        raise RenderError(f"the poster's sections do not fit on {sections_at.paper.description}; choose a larger --size")
    if best.smallest < best.t.smallest:
        guess = step + max(0, math.floor(math.log(best.smallest / best.t.smallest) / math.log(TYPE_STEP)))
        guessed = plan(guess)
        if guess != step and guessed is not None and better(guessed, best):
            step, best = guess, guessed
    direction = 1 if best.smallest < best.t.smallest else -1  # panel-bound: smaller type helps
    for way in (direction, -direction):  # and back, for a fuller sheet once the text is comfortable
        while -MAX_GROW_STEPS <= step + way <= MAX_SHRINK_STEPS:
            following = plan(step + way)
            if following is None or not better(following, best):
                break
            step, best = step + way, following
    return best


def _clamped(step: int) -> int:
    return max(-MAX_GROW_STEPS, min(MAX_SHRINK_STEPS, step))


def _design_factor(paper: PaperSize) -> float:
    return min(max(paper.width, paper.height) / DESIGN_LONG, min(paper.width, paper.height) / DESIGN_SHORT)


BAND_SPLIT = 0.58  # the certificates' share of the band's width, to start with
BAND_SPLIT_RANGE = (0.4, 0.75)
TYPE_STEP = 0.92  # the sections' type sizes tried: the design's times TYPE_STEP ** step (finer steps
# were tried: 0.96 gains 0.03 pt at ARCH E for half a second more of planning)
MAX_SHRINK_STEPS = 12  # at most to TYPE_STEP ** 12 (0.37) of the design's
MAX_GROW_STEPS = 8  # ... and at most to TYPE_STEP ** -8 (1.95): a sheet of few panels has room
SIDE_WIDTH_STEPS = 3  # tries to find the side column's width, after a first guess
COMFORTABLE_TEXT = 9.0  # points at ARCH E: a sheet whose smallest text reaches this (a sheet of few panels)
# spends the rest of its room on filling the paper, not on still larger type
MAX_SIDE_SHARE = 0.4  # with the band under it, the side column may take this much of the width
MIN_SIDE_WIDTH = 420.0  # design points: the legend's two columns of icons need this  # the certificates' share of the band's width, tried in turn


@dataclass(frozen=True)
class _Plan:
    """A workloads sheet measured, not yet drawn: its type, its boxes, its panels' packing."""

    t: sections.Type
    side: Box  # the side column: the body's height, or down to the band of tables when that runs under it
    cert_box: Box
    dns_box: Box
    packing: Packing
    smallest: float
    filled: float  # the area the plan fills with panels, tables and the side story (points²)


class Measures:
    """The sections' heights by type size and width, for one content of the sections (`sections_key`).

    Measuring is most of a sheet's planning; what the sections show changes far less often than
    the panels, so with a cache the heights are kept between builds, and a rebuild whose sections
    did not change measures nothing."""

    def __init__(self, cache: SignedCache | None = None, key: str = ""):
        self.cache, self.key = cache, key
        found = cache.get(key, ".measures") if cache is not None and key else None
        self.heights: dict[tuple[str, float, float], float] = dict(found) if isinstance(found, dict) else {}
        self.changed = False

    def height(self, canvas: Canvas, kind: str, t: sections.Type, width: float, story: Callable[[], list[Flowable]]) -> float:
        where = (kind, t.factor, round(width, 3))
        if where not in self.heights:
            self.heights[where] = _height(canvas, story(), round(width, 3))
            self.changed = True
        return self.heights[where]

    def save(self) -> None:
        if self.cache is not None and self.key and self.changed:
            self.cache.put(self.key, self.heights, ".measures")


def sections_key(data: Dataset, changes: News | None) -> str:
    """Everything the sections show (legend, notes, What's new, resources, certificates, DNS), and
    the code and fonts that set them; not the flows' ports, which only the panels show."""
    from ..cache import code_fingerprint, environment_fingerprint
    from ..legend import legend

    shown = (
        legend(data),
        data.catalog.zones,
        tuple((w.title, w.notes) for w in data.workloads),
        data.certificates,
        data.dns_records,
        data.poster,
        data.cited(data.citations),
        changes,
    )
    return hashlib.sha256(environment_fingerprint() + code_fingerprint() + repr(shown).encode("utf-8")).hexdigest()


_Parts = tuple[list[Flowable], list[Flowable]]  # What's new and the notes: what no width changes


def _fixed_parts(data: Dataset, t: sections.Type, changes: News | None) -> _Parts:
    return (sections.whats_new(changes, t) if changes is not None else []), sections.notes(data, t)


def _side_story(data: Dataset, t: sections.Type, width: float, changes: News | None, parts: _Parts | None = None) -> list[Flowable]:
    """What's new, the legend, the notes and the links, top to bottom; `parts` may bring the first
    and third already parsed (measuring at several widths wraps the same paragraphs anew)."""
    news, notes = parts if parts is not None else _fixed_parts(data, t, changes)
    return news + sections.legend(data, t, width) + notes + sections.resources(data, t, width)


@dataclass(frozen=True)
class _Arrangement:
    """The sections at one type size, measured: the side column and the band of tables; the
    panels take the rest of the body."""

    t: sections.Type
    body: Box
    side: Box
    main_w: float
    gap: float
    band: tuple[float, float]  # the band's height and the certificates' width
    tables: bool
    side_used: float  # the side story's height


class SectionPlans:
    """How the sections of a workloads sheet can be arranged at each type step, for one paper.

    None of it depends on the panels, so it can be measured while they are laid out (`ahead`);
    a plan then only packs the panels into the room each arrangement leaves."""

    def __init__(self, data: Dataset, paper: PaperSize, changes: News | None = None, cache: SignedCache | None = None):
        self.data, self.paper, self.changes = data, paper, changes
        self.measures = Measures(cache, sections_key(data, changes)) if cache is not None else Measures()
        self.factor = _design_factor(paper)
        self._at: dict[int, list[_Arrangement] | None] = {}

    def at(self, step: int) -> list[_Arrangement] | None:
        """The arrangements at type step `step` (the design's size times TYPE_STEP ** step); None
        when the sections do not fit there."""
        step = _clamped(step)
        if step not in self._at:
            register()
            t = sections.Type(round(self.factor * TYPE_STEP**step, 4))
            try:
                self._at[step] = _arrangements(self.data, self.paper, t, self.changes, self.measures)
            except (ValueError, LayoutError):  # reportlab's way of saying a column is too narrow
                self._at[step] = None
        return self._at[step]

    def ahead(self, waiting: Callable[[], bool], steps: tuple[int, ...] = (0, 1, 2)) -> None:
        """Measure the type steps a plan asks for first, one after another while `waiting()`
        holds: time spent waiting for the panels, taken off planning once they are here."""
        for step in steps:
            if not waiting():
                break
            self.at(step)


def _arrangements(data: Dataset, paper: PaperSize, t: sections.Type, changes: News | None, measures: Measures) -> list[_Arrangement] | None:
    """Two arrangements at type `t`: the side column the body's height with the band of tables
    beside it (a long side story), or the band across the whole width with the side column above
    it (a short one: the tables get wider and lower, the panels taller). None when the side story
    does not fit."""

    parsed: list[_Parts] = []  # the story's parts that no width changes, parsed once

    def side_height(canvas: Canvas, width: float) -> float:
        def story() -> list[Flowable]:
            if not parsed:
                parsed.append(_fixed_parts(data, t, changes))
            return _side_story(data, t, round(width, 3), changes, parsed[0])

        return measures.height(canvas, "side", t, width, story)

    frame = _fitted_frame(paper, t, side_height)
    if frame is None:
        return None
    canvas, body, side, gap = frame.canvas, frame.body, frame.side, frame.gap
    tables = bool(data.certificates or data.dns_records)
    found = []
    band = _band(data, t, canvas, frame.main_w, gap, measures)
    if band is not None:
        found.append(_Arrangement(t, body, side, frame.main_w, gap, band, tables, side_height(canvas, side.width)))
    # the band across the whole width lies at least as low as its area allows: a side story too
    # tall for the room above that, even at its widest, cannot stand above it (the main sheet's)
    widest = body.width * MAX_SIDE_SHARE
    lowest_band = band[0] * frame.main_w / body.width if band is not None else 0.0
    if tables and side_height(canvas, widest) <= body.height - gap - lowest_band:
        across = _band(data, t, canvas, body.width, gap, measures)
        room = body.height - across[0] - gap if across is not None else 0.0
        width = _narrowest(lambda w: side_height(canvas, w), room, side.width, widest) if across is not None and room > 0 else None
        if across is not None and width is not None:
            above = Box(body.x + body.width - width, body.y + across[0] + gap, width, room)
            found.append(_Arrangement(t, body, above, body.width - width - gap, gap, across, tables, side_height(canvas, width)))
    return found


def _band(data: Dataset, t: sections.Type, canvas: Canvas, width: float, gap: float, measures: Measures) -> tuple[float, float] | None:
    """The band of tables across `width`: its height and the certificates' width; None when the two
    tables cannot stand side by side there.

    The two tables are split so that neither leaves the other's foot empty: measured at the usual
    split, then where the two heights would meet if each table's height went inversely with its width."""
    has_certificates, has_dns = bool(data.certificates), bool(data.dns_records)
    if not (has_certificates and has_dns):  # one table takes the width; none, and the panels take the height
        if has_certificates:
            return (measures.height(canvas, "certificates", t, width, lambda: sections.certificates(data, t, width)), width)
        if has_dns:
            return (measures.height(canvas, "dns", t, width, lambda: sections.dns(data, t, width)), 0.0)
        return (0.0, 0.0)
    # neither table narrower than its longest words need
    lowest, highest = sections.certificates_min_width(data, t) / width, 1 - (sections.dns_min_width(data, t) + gap) / width
    if lowest > highest:
        return None
    band: tuple[float, float] | None = None
    split = min(max(BAND_SPLIT, lowest), highest)
    for _ in range(2):
        cert_w = round(width * split, 3)
        dns_w = round(width - cert_w - gap, 3)
        cert_h = measures.height(canvas, "certificates", t, cert_w, lambda: sections.certificates(data, t, cert_w))
        dns_h = measures.height(canvas, "dns", t, dns_w, lambda: sections.dns(data, t, dns_w))
        if band is None or max(cert_h, dns_h) < band[0] - 0.5:
            band = (max(cert_h, dns_h), cert_w)
        meet = cert_h * cert_w / (cert_h * cert_w + dns_h * dns_w)  # cert_area / both areas
        split = min(max(meet, BAND_SPLIT_RANGE[0], lowest), BAND_SPLIT_RANGE[1], highest)
        if abs(split - cert_w / width) < 0.01:
            break
    return band


def _placed(data: Dataset, panels: list[Panel], a: _Arrangement) -> _Plan | None:
    """The plan for an arrangement of the sections: the panels take the room above the band, beside the side column."""
    t, body, side, gap = a.t, a.body, a.side, a.gap
    band_h, cert_w = a.band
    if band_h > body.height * 0.45:
        return None
    below = band_h + gap if a.tables else 0.0
    band_w = body.width if side.y > body.y else a.main_w
    panel_box = Box(body.x, body.y + below, a.main_w, body.height - below)
    packing = pack([(p.width, p.height) for p in panels], panel_box.x, panel_box.y, panel_box.width, panel_box.height, gap)
    smallest = min(t.smallest, min(p.smallest_text() for p in panels) * packing.scale)
    cert_box = Box(body.x, body.y, cert_w, band_h)
    dns_x = body.x + cert_w + gap if cert_w else body.x
    dns_box = Box(dns_x, body.y, round(body.x + band_w - dns_x, 3), band_h)
    filled = sum(p.width * p.height for p in packing.placements) + (band_w * band_h if a.tables else 0.0) + side.width * a.side_used
    return _Plan(t, side, cert_box, dns_box, packing, round(smallest, 2), filled)


def _draw(
    plan: _Plan, data: Dataset, panels: Callable[[], list[Panel]], paper: PaperSize, unchecked: bool, title: str, changes: News | None
) -> Sheet | None:
    """The sheet drawn to its plan: the sections, then the panels (`panels()`, asked for once the
    sections are drawn); None when a section does not fit its box."""
    t = plan.t
    frame = _frame(paper, t, plan.side.width)
    canvas = frame.canvas
    ok = not data.certificates or _fill(canvas, plan.cert_box, sections.certificates(data, t, plan.cert_box.width))
    ok = ok and (not data.dns_records or _fill(canvas, plan.dns_box, sections.dns(data, t, plan.dns_box.width)))
    ok = ok and _fill(canvas, plan.side, _side_story(data, t, plan.side.width, changes))
    if not ok:
        return None
    _panels(canvas, panels(), plan.packing, t)
    pdf = _finish(frame, data, paper, t, title, unchecked, plan.side)
    return Sheet(pdf, paper, plan.packing.scale, plan.smallest)


def _metadata(canvas: Canvas, data: Dataset, title: str) -> None:
    p = data.poster
    canvas.setTitle(title)
    canvas.setAuthor(p.author)
    canvas.setSubject(f"{p.product} protocol workloads, version {p.version}, revised {p.revision_date}")
    canvas.setKeywords(", ".join([p.product, "protocols", "ports", "certificates", "DNS", "firewall", f"version {p.version}"]))
    canvas.setCreator(f"lyncposter {__version__}")


def _header(
    canvas: Canvas, data: Dataset, t: sections.Type, W: float, H: float, margin: float, height: float, unchecked: bool, title: str
) -> None:
    p = data.poster
    top = H - margin
    # the version, large, in the upper-left corner
    size = t.size(theme.SHEET_VERSION_SIZE)
    label = f"v{p.version}"
    box_w = canvas.stringWidth(label, theme.FONT_BOLD, size) + t.size(36)
    canvas.setFillColor(colors.HexColor(theme.HEADER_FILL))
    canvas.roundRect(margin, top - height + t.size(14), box_w, height - t.size(14), t.size(10), stroke=0, fill=1)
    canvas.setFillColor(colors.white)
    canvas.setFont(theme.FONT_BOLD, size)
    canvas.drawCentredString(margin + box_w / 2, top - height / 2 - size * 0.3 + t.size(7), label)

    x = margin + box_w + t.size(28)
    canvas.setFillColor(colors.HexColor(theme.INK))
    canvas.setFont(theme.FONT_BOLD, t.size(theme.SHEET_TITLE_SIZE))
    canvas.drawString(x, top - t.size(50), title)
    canvas.setFont(theme.FONT, t.size(theme.SHEET_META_SIZE))
    canvas.setFillColor(colors.HexColor(theme.MUTED))
    meta = f"{p.product}   \u00b7   Version {p.version}, revised {p.revision_date}   \u00b7   {p.author}"
    canvas.drawString(x, top - t.size(84), meta)
    if unchecked:
        canvas.setFillColor(colors.HexColor(theme.UNSURE_COLOUR))
        canvas.setFont(theme.FONT_BOLD, t.size(30))
        canvas.drawRightString(W - margin, top - t.size(50), "UNCHECKED")
    canvas.setStrokeColor(colors.HexColor(theme.CARD_BORDER))
    canvas.setLineWidth(t.size(1.2))
    canvas.line(margin, top - height, W - margin, top - height)


def _panels(canvas: Canvas, panels: list[Panel], packing: Packing, t: sections.Type) -> None:
    """Each panel in its box: the drawing at the common scale, its zones stretched around it."""
    from ..paint.pdf import draw
    from ..render import stretch

    pad = t.size(4)
    scale = packing.scale
    for placement in packing.placements:
        panel = panels[placement.index]
        canvas.setStrokeColor(colors.HexColor(theme.CARD_BORDER))
        canvas.setLineWidth(0.8)
        canvas.roundRect(placement.x - pad, placement.y - pad, placement.width + 2 * pad, placement.height + 2 * pad, pad * 1.5, stroke=1, fill=0)
        draw(canvas, stretch(panel.drawing, placement.width / scale, placement.height / scale), placement.x, placement.y, scale)
        canvas.bookmarkPage(f"panel-{panel.workload_id}", fit="FitR", left=placement.x, bottom=placement.y, right=placement.x + placement.width, top=placement.y + placement.height)
        canvas.addOutlineEntry(panel.title, f"panel-{panel.workload_id}", level=0)


def _rule(canvas: Canvas, x: float, y0: float, y1: float) -> None:
    canvas.setStrokeColor(colors.HexColor(theme.CARD_BORDER))
    canvas.setLineWidth(0.8)
    canvas.line(x, y0, x, y1)


def _footer(canvas: Canvas, data: Dataset, t: sections.Type, W: float, margin: float, unchecked: bool, title: str) -> None:
    p = data.poster
    size = t.size(theme.FOOTER_SIZE)
    canvas.setFont(theme.FONT, size)
    canvas.setFillColor(colors.HexColor(theme.MUTED))
    status = "  \u00b7  UNCHECKED: built with --force despite failing checks" if unchecked else ""
    canvas.drawString(
        margin,
        margin,
        f"{title}, version {p.version}  \u00b7  generated by lyncposter {__version__} from data {data.fingerprint}{status}",
    )
    canvas.drawRightString(W - margin, margin, p.copyright)


# --- the firewall sheet -------------------------------------------------------------------

MAX_RULE_PANEL_SCALE = 2.0  # a firewall drawing may print larger than the workload panels, not without bound


def compose_firewall(
    data: Dataset,
    workloads: tuple[Workload, ...],
    rule_sets: tuple[RuleSet, ...],
    panels: list[Panel],
    paper: PaperSize,
    unchecked: bool = False,
    title: str | None = None,
) -> Sheet:
    """The firewall sheet: per firewall, its drawing beside its numbered rule table; legend, notes, QR.

    `panels[i]` is the drawing of `rule_sets[i]` (`firewall.rule_workload`), and `data` holds
    those drawings as its workloads, so the legend shows what they use; `workloads` are the
    workloads the rules come from, for their titles.
    """
    heading = title or data.poster.title
    return _with_shrinking_type(
        paper, lambda t: _try_compose_firewall(data, workloads, rule_sets, panels, paper, t, unchecked, heading)
    )


def _try_compose_firewall(
    data: Dataset,
    workloads: tuple[Workload, ...],
    rule_sets: tuple[RuleSet, ...],
    panels: list[Panel],
    paper: PaperSize,
    t: sections.Type,
    unchecked: bool,
    title: str,
) -> Sheet | None:
    def story(width: float) -> list[Flowable]:
        return sections.legend(data, t, width) + sections.firewall_notes(rule_sets, workloads, t) + sections.resources(data, t, width)

    fitted = _fitted_frame(paper, t, lambda canvas, width: _height(canvas, story(width), width))
    if fitted is None:
        return None
    frame = fitted
    canvas, body, side, main_w, gap = frame.canvas, frame.body, frame.side, frame.main_w, frame.gap
    side_story = story(side.width)
    # one band per firewall: its drawing on the left, its rules on the right
    table_w = max(main_w * 0.5, t.size(1150))
    drawing_w = main_w - table_w - gap
    bands = len(rule_sets)
    room = body.height - gap * (bands - 1)
    if drawing_w <= 0:
        return None
    titles = {w.id: w.title for w in workloads}
    widest = min([MAX_RULE_PANEL_SCALE] + [drawing_w / p.width for p in panels])
    # the tables' type grows while the drawings keep the largest scale their width allows
    for text in theme.RULE_TABLE_TEXT_SIZES:
        tables = [sections.rule_table(rules, t, table_w, titles, text) for rules in rule_sets]
        table_hs = [_height(canvas, story, table_w) for story in tables]
        scale = _band_scale([p.height for p in panels], table_hs, room, widest)
        if scale is not None and scale >= widest * 0.999:
            break
    if scale is None:
        return None
    heights = [max(p.height * scale, h) for p, h in zip(panels, table_hs)]
    spare = (room - sum(heights)) / bands  # shared out, so the bands fill the sheet
    top = body.y + body.height
    placements = []
    for i, (panel, table, band_h) in enumerate(zip(panels, tables, heights)):
        band_h += spare
        # the drawing fills its part of the band: zones and wall stretched around it, as on the poster
        placements.append(Placement(i, body.x, top - band_h, drawing_w, band_h))
        if not _fill(canvas, Box(body.x + drawing_w + gap, top - band_h, table_w, band_h), table):
            return None
        top -= band_h + gap
    if not _fill(canvas, side, side_story):
        return None
    _panels(canvas, panels, Packing(scale, tuple(placements)), t)
    pdf = _finish(frame, data, paper, t, title, unchecked)
    smallest = min(t.smallest, min(p.smallest_text() for p in panels) * scale)
    return Sheet(pdf, paper, scale, round(smallest, 2))


def _band_scale(panel_hs: list[float], table_hs: list[float], room: float, widest: float) -> float | None:
    """The largest scale, up to `widest`, at which bands of max(drawing, table) fit `room`; None if none does."""

    def total(scale: float) -> float:
        return sum(max(h * scale, th) for h, th in zip(panel_hs, table_hs))

    if total(0) > room:
        return None
    if total(widest) <= room:
        return widest
    low, high = 0.0, widest
    for _ in range(40):
        mid = (low + high) / 2
        low, high = (mid, high) if total(mid) <= room else (low, mid)
    return low
