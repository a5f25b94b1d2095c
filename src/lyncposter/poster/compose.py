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

Sizes are designed for ARCH E and scale with the paper; if the text sections
do not fit, their type shrinks step by step, and the build reports the
smallest text it printed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame
from reportlab.platypus.doctemplate import LayoutError

from .. import theme
from .._version import __version__
from ..errors import RenderError
from ..fonts import register
from ..model import Dataset
from ..render import Panel
from . import sections
from .packing import Packing, pack
from .sizes import INCH, PaperSize
from .vector import vectorize

DESIGN_LONG, DESIGN_SHORT = 48 * INCH, 36 * INCH  # ARCH E


@dataclass(frozen=True)
class Sheet:
    """What a composed poster is, besides its bytes: for the build's report and the tests."""

    pdf: bytes
    paper: PaperSize
    panel_scale: float
    smallest_text: float


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


def _panel_text_size(panel: Panel) -> float:
    return min(float(s) for s in re.findall(r'font-size="([\d.]+)"', panel.svg))


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


def compose(
    data: Dataset, panels: list[Panel], paper: PaperSize, unchecked: bool = False, drawings: list[Drawing] | None = None
) -> Sheet:
    register()
    drawings = drawings if drawings is not None else [vectorize(p) for p in panels]
    factor = min(max(paper.width, paper.height) / DESIGN_LONG, min(paper.width, paper.height) / DESIGN_SHORT)
    for attempt in range(12):
        t = sections.Type(round(factor * 0.92**attempt, 4))
        try:
            sheet = _try_compose(data, panels, drawings, paper, t, unchecked)
        except (ValueError, LayoutError):  # reportlab's way of saying a column is too narrow
            sheet = None
        if sheet is not None:
            return sheet
    raise RenderError(f"the poster's sections do not fit on {paper.description}; choose a larger --size")


def _try_compose(
    data: Dataset, panels: list[Panel], drawings: list[Drawing], paper: PaperSize, t: sections.Type, unchecked: bool
) -> Sheet | None:
    W, H = paper.width, paper.height
    margin = t.size(36)
    gap = t.size(24)
    header_h = t.size(118)
    footer_h = t.size(26)
    body = Box(margin, margin + footer_h, W - 2 * margin, H - 2 * margin - header_h - footer_h)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(W, H), invariant=1, pageCompression=1, initialFontName=theme.FONT, initialFontSize=t.size(10))

    side_w = max(body.width * 0.2, t.size(560))
    side = Box(body.x + body.width - side_w, body.y, side_w, body.height)
    main_w = body.width - side_w - gap
    side_story = sections.legend(data, t, side_w) + sections.notes(data, t) + sections.resources(data, t, side_w)
    if _height(canvas, side_story, side_w) > side.height:
        return None

    cert_w = main_w * 0.56
    dns_w = main_w - cert_w - gap
    cert_story = sections.certificates(data, t, cert_w)
    dns_story = sections.dns(data, t, dns_w)
    band_h = max(_height(canvas, cert_story, cert_w), _height(canvas, dns_story, dns_w))
    if band_h > body.height * 0.45:
        return None
    panel_box = Box(body.x, body.y + band_h + gap, main_w, body.height - band_h - gap)
    packing = pack([(p.width, p.height) for p in panels], panel_box.x, panel_box.y, panel_box.width, panel_box.height, gap)

    ok = _fill(canvas, Box(body.x, body.y, cert_w, band_h), cert_story)
    ok = ok and _fill(canvas, Box(body.x + cert_w + gap, body.y, dns_w, band_h), dns_story)
    ok = ok and _fill(canvas, side, side_story)
    if not ok:
        return None
    _metadata(canvas, data)
    _header(canvas, data, t, W, H, margin, header_h, unchecked)
    _panels(canvas, panels, drawings, packing, t)
    _rule(canvas, side.x - gap / 2, body.y, body.y + body.height)
    _footer(canvas, data, t, W, margin, unchecked)
    canvas.showPage()
    canvas.save()
    smallest = min(t.smallest, min(_panel_text_size(p) for p in panels) * packing.scale)
    return Sheet(out.getvalue(), paper, packing.scale, round(smallest, 2))


def _metadata(canvas: Canvas, data: Dataset) -> None:
    p = data.poster
    canvas.setTitle(p.title)
    canvas.setAuthor(p.author)
    canvas.setSubject(f"{p.product} protocol workloads, version {p.version}, revised {p.revision_date}")
    canvas.setKeywords(", ".join([p.product, "protocols", "ports", "certificates", "DNS", "firewall", f"version {p.version}"]))
    canvas.setCreator(f"lyncposter {__version__}")


def _header(canvas: Canvas, data: Dataset, t: sections.Type, W: float, H: float, margin: float, height: float, unchecked: bool) -> None:
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
    canvas.drawString(x, top - t.size(50), p.title)
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


def _panels(canvas: Canvas, panels: list[Panel], drawings: list[Drawing], packing: Packing, t: sections.Type) -> None:
    pad = t.size(4)
    for placement in packing.placements:
        panel, drawing = panels[placement.index], drawings[placement.index]
        canvas.setStrokeColor(colors.HexColor(theme.CARD_BORDER))
        canvas.setLineWidth(0.8)
        canvas.roundRect(placement.x - pad, placement.y - pad, placement.width + 2 * pad, placement.height + 2 * pad, pad * 1.5, stroke=1, fill=0)
        canvas.saveState()
        canvas.translate(placement.x, placement.y)
        canvas.scale(packing.scale, packing.scale)
        renderPDF.draw(drawing, canvas, 0, 0)
        canvas.restoreState()
        canvas.bookmarkPage(f"panel-{panel.workload_id}", fit="FitR", left=placement.x, bottom=placement.y, right=placement.x + placement.width, top=placement.y + placement.height)
        canvas.addOutlineEntry(panel.title, f"panel-{panel.workload_id}", level=0)


def _rule(canvas: Canvas, x: float, y0: float, y1: float) -> None:
    canvas.setStrokeColor(colors.HexColor(theme.CARD_BORDER))
    canvas.setLineWidth(0.8)
    canvas.line(x, y0, x, y1)


def _footer(canvas: Canvas, data: Dataset, t: sections.Type, W: float, margin: float, unchecked: bool) -> None:
    p = data.poster
    size = t.size(theme.FOOTER_SIZE)
    canvas.setFont(theme.FONT, size)
    canvas.setFillColor(colors.HexColor(theme.MUTED))
    status = "  \u00b7  UNCHECKED: built with --force despite failing checks" if unchecked else ""
    canvas.drawString(
        margin,
        margin,
        f"{p.title}, version {p.version}  \u00b7  generated by lyncposter {__version__} from data {data.fingerprint}{status}",
    )
    canvas.drawRightString(W - margin, margin, p.copyright)
