"""A drawing on a reportlab canvas: paths as paths, text as text, in the PDF's own fonts."""

from __future__ import annotations

from functools import cache

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
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


def draw_items(canvas: Canvas, items: tuple[Item, ...], dx: float = 0.0, dy: float = 0.0) -> None:
    """Items in the canvas's current coordinates, which must run y downwards, moved by (dx, dy).

    A group that only moves its children adds its move to theirs; one that scales them draws
    them in coordinates of their own."""
    for item in items:
        if isinstance(item, Group):
            if item.scale == 1:
                draw_items(canvas, item.children, dx + item.dx, dy + item.dy)
                continue
            canvas.saveState()
            canvas.translate(dx + item.dx, dy + item.dy)
            canvas.scale(item.scale, item.scale)
            draw_items(canvas, item.children)
            canvas.restoreState()
        elif isinstance(item, Text):
            _text(canvas, item, dx, dy)
        else:
            _shape(canvas, item, dx, dy)


def _shape(canvas: Canvas, item: Rect | Path | Strokes | Ellipse, dx: float, dy: float) -> None:
    paint = item.paint
    fill, stroke = _set(canvas, paint)
    if not (fill or stroke):
        return
    if isinstance(item, Rect):
        if item.rx:
            canvas.roundRect(item.x + dx, item.y + dy, item.width, item.height, item.rx, stroke=stroke, fill=fill)
        else:
            canvas.rect(item.x + dx, item.y + dy, item.width, item.height, stroke=stroke, fill=fill)
    elif isinstance(item, Strokes):
        p = canvas.beginPath()
        for (ax, ay), (bx, by) in item.pairs:
            p.moveTo(ax + dx, ay + dy)
            p.lineTo(bx + dx, by + dy)
        canvas.drawPath(p, stroke=stroke, fill=0)
    elif isinstance(item, Ellipse):
        cx, cy = item.cx + dx, item.cy + dy
        canvas.ellipse(cx - item.rx, cy - item.ry, cx + item.rx, cy + item.ry, stroke=stroke, fill=fill)
    else:
        p = canvas.beginPath()
        p.moveTo(item.start[0] + dx, item.start[1] + dy)
        for segment in item.segments:
            if len(segment) == 3:
                (ax, ay), (bx, by), (cx, cy) = segment
                p.curveTo(ax + dx, ay + dy, bx + dx, by + dy, cx + dx, cy + dy)
            else:
                p.lineTo(segment[0][0] + dx, segment[0][1] + dy)
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


def _text(canvas: Canvas, item: Text, dx: float, dy: float) -> None:
    """Upright letters in a y-down drawing: the text's own matrix turns them, the canvas's state is left as it was."""
    font = theme.FONT_BOLD if item.bold else theme.FONT
    x = item.x + dx
    if item.anchor != "start":
        width = stringWidth(item.text, font, item.size)
        x -= width / 2 if item.anchor == "middle" else width
    text = canvas.beginText()
    text.setTextTransform(1, 0, 0, -1, x, item.y + dy)
    text.setFont(font, item.size)
    text.setFillColor(_colour(item.fill))
    text.textOut(item.text)
    canvas.drawText(text)
