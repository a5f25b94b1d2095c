"""The poster on Letter or A4 pages, to print at home and assemble at full size.

The poster page becomes one PDF form XObject; each tile page draws it, moved
and clipped to that tile's region, so every tile is vector and text stays text.
Crop marks, overlap guides, alignment crosshairs and a "row R, column C" label
are drawn by reportlab on top. Page 1 is the assembly map.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject
from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

from .. import theme
from ..errors import UsageError
from ..fonts import register
from ..poster.sizes import MM, PAPERS
from ..files import write_atomic
from ..progress import progress

MARGIN = 30.0  # points around each tile's printed region: room for marks and the label
MARK = colors.HexColor("#1f2933")
GUIDE = colors.HexColor("#b44d00")
@dataclass(frozen=True)
class Tile:
    row: int  # from 1, top to bottom
    column: int  # from 1, left to right
    x: float  # lower-left of the region it prints, in poster points
    y: float


@dataclass(frozen=True)
class TilePlan:
    paper: str
    page_width: float
    page_height: float
    overlap: float
    rows: int
    columns: int
    poster_width: float
    poster_height: float

    @property
    def region_width(self) -> float:
        return self.page_width - 2 * MARGIN

    @property
    def region_height(self) -> float:
        return self.page_height - 2 * MARGIN

    @property
    def tiles(self) -> list[Tile]:
        step_x, step_y = self.region_width - self.overlap, self.region_height - self.overlap
        return [
            Tile(r + 1, c + 1, c * step_x, self.poster_height - r * step_y - self.region_height)
            for r in range(self.rows)
            for c in range(self.columns)
        ]

    @property
    def pages(self) -> int:
        return self.rows * self.columns + 1  # and the assembly map


def plan_tiles(poster_width: float, poster_height: float, paper: str, overlap: float) -> TilePlan:
    """Tiles in whichever orientation of the paper needs fewer pages."""
    if paper not in PAPERS:
        raise UsageError(f"unknown paper '{paper}'; use one of {', '.join(PAPERS)}")
    short, long = PAPERS[paper]
    plans = []
    for w, h in ((short, long), (long, short)):
        if overlap >= min(w, h) - 2 * MARGIN:
            raise UsageError(f"an overlap of {overlap / MM:.0f} mm leaves nothing to print on {paper} paper")
        columns = max(1, math.ceil((poster_width - overlap) / (w - 2 * MARGIN - overlap)))
        rows = max(1, math.ceil((poster_height - overlap) / (h - 2 * MARGIN - overlap)))
        plans.append(TilePlan(paper, w, h, overlap, rows, columns, poster_width, poster_height))
    return min(plans, key=lambda p: (p.rows * p.columns, p.page_width > p.page_height))


def tile_poster(poster: str | os.PathLike[str], out: str | os.PathLike[str], paper: str = "letter", overlap: float = 10 * MM) -> tuple[Path, TilePlan]:
    source = Path(poster)
    if not source.is_file():
        raise UsageError(f"{source}: no such poster; build it first with 'lyncposter build'")
    reader = PdfReader(source)
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    plan = plan_tiles(width, height, paper, overlap)
    title = str(reader.metadata.title) if reader.metadata and reader.metadata.title else source.stem
    overlay = PdfReader(io.BytesIO(_overlay(plan, title)))

    writer = PdfWriter()
    form = DecodedStreamObject()
    contents = page.get_contents()  # a stream object: test for None, not for truth (an empty dict is false)
    form.set_data(contents.get_data() if contents is not None else b"")
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    form_ref = writer._add_object(form)

    with progress(len(overlay.pages), "Cutting tiles") as step:
        for index, sheet in enumerate(overlay.pages):
            new = writer.add_page(sheet)
            resources = new.setdefault(NameObject("/Resources"), DictionaryObject())
            xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
            xobjects[NameObject("/Poster")] = form_ref
            if index == 0:
                drawing = _map_drawing(plan)
            else:
                drawing = _tile_drawing(plan, plan.tiles[index - 1])
            marks = new.get_contents()
            stream = DecodedStreamObject()
            stream.set_data(drawing + (marks.get_data() if marks is not None else b""))
            new[NameObject("/Contents")] = writer._add_object(stream)
            step()
    for page_obj in writer.pages:
        page_obj.compress_content_streams()
    info = {"/Title": f"{title}: tiles on {paper}", "/Creator": "lyncposter", "/Producer": "lyncposter"}
    for key in ("/CreationDate", "/ModDate"):  # the tiles are as old as the poster they cut up
        if reader.metadata and reader.metadata.get(key):
            info[key] = str(reader.metadata[key])
    writer.add_metadata(info)
    buffer = io.BytesIO()
    writer.write(buffer)
    target = Path(out) / f"{source.stem}-tiles-{paper}.pdf"
    return write_atomic(target, buffer.getvalue()), plan


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _tile_drawing(plan: TilePlan, tile: Tile) -> bytes:
    """Draw the poster, moved so the tile's region lands in the printable area, clipped to it."""
    m, w, h = MARGIN, plan.region_width, plan.region_height
    return (
        f"q {_num(m)} {_num(m)} {_num(w)} {_num(h)} re W n "
        f"1 0 0 1 {_num(m - tile.x)} {_num(m - tile.y)} cm /Poster Do Q\n"
    ).encode()


def _map_scale(plan: TilePlan) -> tuple[float, float, float]:
    """Scale and lower-left corner of the poster's miniature on the assembly map."""
    top_space = 70.0
    avail_w, avail_h = plan.page_width - 2 * MARGIN, plan.page_height - 2 * MARGIN - top_space
    scale = min(avail_w / plan.poster_width, avail_h / plan.poster_height)
    x = (plan.page_width - plan.poster_width * scale) / 2
    y = MARGIN + (avail_h - plan.poster_height * scale) / 2
    return scale, x, y


def _map_drawing(plan: TilePlan) -> bytes:
    scale, x, y = _map_scale(plan)
    return f"q {_num(scale)} 0 0 {_num(scale)} {_num(x)} {_num(y)} cm /Poster Do Q\n".encode()


def _overlay(plan: TilePlan, title: str) -> bytes:
    """Marks, guides and labels, one page per tile after the assembly map."""
    register()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(plan.page_width, plan.page_height), invariant=1, initialFontName=theme.FONT)
    _assembly_map(canvas, plan, title)
    canvas.showPage()
    for tile in plan.tiles:
        _tile_marks(canvas, plan, tile, title)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _assembly_map(canvas: Canvas, plan: TilePlan, title: str) -> None:
    scale, x0, y0 = _map_scale(plan)
    top = plan.page_height - MARGIN
    canvas.setFillColor(MARK)
    canvas.setFont(theme.FONT_BOLD, 14)
    canvas.drawString(MARGIN, top - 14, "Assembly map")
    canvas.setFont(theme.FONT, 8.5)
    lines = [
        f"{title}: {plan.rows} rows x {plan.columns} columns = {plan.rows * plan.columns} pages of {plan.paper}, "
        f"overlap {plan.overlap / MM:.0f} mm.",
        "Print at 100 % (no 'fit to page'). Trim each page along its crop marks; lay each page over its left and upper",
        "neighbours by the overlap, lining up the crosshairs, and tape from the back.",
    ]
    for i, line in enumerate(lines):
        canvas.drawString(MARGIN, top - 30 - i * 11, line)
    canvas.setStrokeColor(colors.HexColor("#9fb3c8"))
    canvas.setLineWidth(0.5)
    canvas.rect(x0, y0, plan.poster_width * scale, plan.poster_height * scale, stroke=1, fill=0)
    canvas.setStrokeColor(GUIDE)
    canvas.setFillColor(GUIDE)
    canvas.setFont(theme.FONT_BOLD, 7)
    for tile in plan.tiles:
        tx, ty = x0 + tile.x * scale, y0 + tile.y * scale
        tw, th = plan.region_width * scale, plan.region_height * scale
        canvas.rect(tx, ty, tw, th, stroke=1, fill=0)
        canvas.drawCentredString(tx + tw / 2, ty + th / 2 - 2.5, f"R{tile.row} C{tile.column}")


def _crosshair(canvas: Canvas, x: float, y: float, r: float = 5.0) -> None:
    canvas.circle(x, y, r, stroke=1, fill=0)
    canvas.line(x - 1.6 * r, y, x + 1.6 * r, y)
    canvas.line(x, y - 1.6 * r, x, y + 1.6 * r)


def _tile_marks(canvas: Canvas, plan: TilePlan, tile: Tile, title: str) -> None:
    m, w, h, o = MARGIN, plan.region_width, plan.region_height, plan.overlap
    # crop marks at the four corners of the printed region, outside it
    canvas.setStrokeColor(MARK)
    canvas.setLineWidth(0.4)
    gap, length = 3.0, 16.0
    for cx in (m, m + w):
        for cy in (m, m + h):
            sx = -1 if cx == m else 1
            sy = -1 if cy == m else 1
            canvas.line(cx + sx * gap, cy, cx + sx * (gap + length), cy)
            canvas.line(cx, cy + sy * gap, cx, cy + sy * (gap + length))
    # overlap guides: where this page's neighbours will lie over it
    canvas.setStrokeColor(GUIDE)
    canvas.setDash(3, 2)
    canvas.setLineWidth(0.5)
    if tile.column < plan.columns:
        canvas.line(m + w - o, m, m + w - o, m + h)
    if tile.row < plan.rows:
        canvas.line(m, m + o, m + w, m + o)
    canvas.setDash()
    # crosshairs in the middle of each overlap strip, at the same poster points on both pages
    canvas.setLineWidth(0.5)
    for fraction in (1 / 3, 2 / 3):
        if tile.column < plan.columns:
            _crosshair(canvas, m + w - o / 2, m + h * fraction)
        if tile.column > 1:
            _crosshair(canvas, m + o / 2, m + h * fraction)
        if tile.row < plan.rows:
            _crosshair(canvas, m + w * fraction, m + o / 2)
        if tile.row > 1:
            _crosshair(canvas, m + w * fraction, m + h - o / 2)
    # which page this is
    canvas.setFillColor(MARK)
    canvas.setFont(theme.FONT_BOLD, 9)
    label = f"row {tile.row}, column {tile.column}"
    canvas.drawString(m, m - 14, label)
    canvas.setFont(theme.FONT, 7)
    canvas.drawString(
        m + canvas.stringWidth(label, theme.FONT_BOLD, 9) + 8,
        m - 14,
        f"of {plan.rows} x {plan.columns}  \u00b7  {title}  \u00b7  overlap {plan.overlap / MM:.0f} mm",
    )
