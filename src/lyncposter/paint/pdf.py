"""A drawing on a reportlab canvas: paths as paths, text as text, in the PDF's own fonts."""

from __future__ import annotations

from functools import cache

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfgen.canvas import Canvas

from .. import theme
from ..drawing import Drawing, Ellipse, Group, Item, Paint, Path, Rect, Strokes, Text


@cache
def _colour(value: str) -> Color:
    return HexColor(value)


def draw(canvas: Canvas, drawing: Drawing, x: float, y: float, scale: float = 1.0) -> None:
    """The drawing with its canvas's lower-left corner at (x, y) in PDF coordinates, at `scale`."""
    canvas.saveState()
    canvas.translate(x, y + drawing.height * scale)
    canvas.scale(scale, -scale)  # y downwards, as the drawing's coordinates run
    canvas.translate(-drawing.x, -drawing.y)
    draw_items(canvas, drawing.items)
    canvas.restoreState()


def draw_items(canvas: Canvas, items: tuple[Item, ...]) -> None:
    """Items in the canvas's current coordinates, which must run y downwards."""
    for item in items:
        if isinstance(item, Group):
            canvas.saveState()
            canvas.translate(item.dx, item.dy)
            if item.scale != 1:
                canvas.scale(item.scale, item.scale)
            draw_items(canvas, item.children)
            canvas.restoreState()
        elif isinstance(item, Text):
            _text(canvas, item)
        else:
            _shape(canvas, item)


def _shape(canvas: Canvas, item: Rect | Path | Strokes | Ellipse) -> None:
    paint = item.paint
    fill, stroke = _set(canvas, paint)
    if not (fill or stroke):
        return
    if isinstance(item, Rect):
        if item.rx:
            canvas.roundRect(item.x, item.y, item.width, item.height, item.rx, stroke=stroke, fill=fill)
        else:
            canvas.rect(item.x, item.y, item.width, item.height, stroke=stroke, fill=fill)
    elif isinstance(item, Strokes):
        p = canvas.beginPath()
        for a, b in item.pairs:
            p.moveTo(*a)
            p.lineTo(*b)
        canvas.drawPath(p, stroke=stroke, fill=0)
    elif isinstance(item, Ellipse):
        canvas.ellipse(item.cx - item.rx, item.cy - item.ry, item.cx + item.rx, item.cy + item.ry, stroke=stroke, fill=fill)
    else:
        p = canvas.beginPath()
        p.moveTo(*item.start)
        for segment in item.segments:
            if len(segment) == 3:
                p.curveTo(*segment[0], *segment[1], *segment[2])
            else:
                p.lineTo(*segment[0])
        if item.closed:
            p.close()
        canvas.drawPath(p, stroke=stroke, fill=fill)
    if paint.fill and paint.fill_opacity < 1:
        canvas.setFillAlpha(1)


def _set(canvas: Canvas, paint: Paint) -> tuple[int, int]:
    if paint.fill:
        canvas.setFillColor(_colour(paint.fill))
        if paint.fill_opacity < 1:
            canvas.setFillAlpha(paint.fill_opacity)
    if paint.stroke:
        canvas.setStrokeColor(_colour(paint.stroke))
        canvas.setLineWidth(paint.width)
        canvas.setDash(list(paint.dashes) if paint.dashes else [])
        canvas.setLineJoin(1 if paint.round_joins else 0)
        canvas.setLineCap(1 if paint.round_joins else 0)
    return int(bool(paint.fill)), int(bool(paint.stroke))


def _text(canvas: Canvas, item: Text) -> None:
    canvas.saveState()
    canvas.translate(item.x, item.y)
    canvas.scale(1, -1)  # upright letters in a y-down drawing
    canvas.setFillColor(_colour(item.fill))
    canvas.setFont(theme.FONT_BOLD if item.bold else theme.FONT, item.size)
    if item.anchor == "middle":
        canvas.drawCentredString(0, 0, item.text)
    elif item.anchor == "end":
        canvas.drawRightString(0, 0, item.text)
    else:
        canvas.drawString(0, 0, item.text)
    canvas.restoreState()
