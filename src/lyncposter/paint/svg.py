"""A drawing as SVG: the panels, the viewer's panels, `render` and `save_panel`."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from .. import theme
from ..drawing import Drawing, Ellipse, Group, Item, Paint, Path, Rect, Strokes, Text

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def fmt(value: float) -> str:
    text = "%.2f" % value
    if text[-1] == "0":
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def svg(drawing: Drawing, ident: str = "", title: str = "", attributes: dict[str, str] | None = None) -> str:
    """The whole SVG document: one group `ident` holding the drawing, in a view box the drawing's size."""
    extra = "".join(f" {k}={quoteattr(v)}" for k, v in (attributes or {}).items())
    box = f"{fmt(drawing.x)} {fmt(drawing.y)} {fmt(drawing.width)} {fmt(drawing.height)}"
    out = [
        HEAD,
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{fmt(drawing.width)}pt" height="{fmt(drawing.height)}pt" viewBox="{box}"{extra}>\n',
        f'<g{_attr("id", ident)} class="graph">\n',
    ]
    if title:
        out.append(f"<title>{escape(title)}</title>\n")
    for item in drawing.items:
        _item(item, out)
    out.append("</g>\n</svg>\n")
    return "".join(out)


def fragment(items: tuple[Item, ...]) -> str:
    """Items as SVG elements, for a document made elsewhere (the viewer's legend)."""
    out: list[str] = []
    for item in items:
        _item(item, out)
    return "".join(out)


def _attr(name: str, value: str) -> str:
    return f" {name}={quoteattr(value)}" if value else ""


def _paint(paint: Paint) -> str:
    parts = [f'fill="{paint.fill}"' if paint.fill else 'fill="none"']
    if paint.fill and paint.fill_opacity < 1:
        parts.append(f'fill-opacity="{fmt(paint.fill_opacity)}"')
    if paint.stroke:
        parts.append(f'stroke="{paint.stroke}" stroke-width="{fmt(paint.width)}"')
        if paint.dashes:
            parts.append(f'stroke-dasharray="{",".join(fmt(d) for d in paint.dashes)}"')
        if paint.round_joins:
            parts.append('stroke-linejoin="round" stroke-linecap="round"')
    return " " + " ".join(parts)


def path_data(path: Path) -> str:
    d = [f"M{fmt(path.start[0])},{fmt(path.start[1])}"]
    for segment in path.segments:
        if len(segment) == 3:
            d.append("C" + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in segment))
        else:
            d.append(f"L{fmt(segment[0][0])},{fmt(segment[0][1])}")
    if path.closed:
        d.append("Z")
    return "".join(d)


def _item(item: Item, out: list[str]) -> None:
    if isinstance(item, Group):
        transform = ""
        if item.dx or item.dy or item.scale != 1:
            transform = f"translate({fmt(item.dx)} {fmt(item.dy)})" + (f" scale({fmt(item.scale)})" if item.scale != 1 else "")
        out.append(f"<g{_attr('id', item.id)}{_attr('class', item.cls)}{_attr('transform', transform)}>")
        if item.title:
            out.append(f"<title>{escape(item.title)}</title>")
        out.append("\n" if item.id else "")
        for child in item.children:
            _item(child, out)
        out.append("</g>\n" if item.id else "</g>")
    elif isinstance(item, Rect):
        rx = f' rx="{fmt(item.rx)}"' if item.rx else ""
        out.append(f'<rect{_attr("class", item.cls)} x="{fmt(item.x)}" y="{fmt(item.y)}" width="{fmt(item.width)}" height="{fmt(item.height)}"{rx}{_paint(item.paint)} />\n')
    elif isinstance(item, Path):
        out.append(f'<path d="{path_data(item)}"{_paint(item.paint)} />\n')
    elif isinstance(item, Strokes):
        d = "".join(f"M{fmt(a[0])},{fmt(a[1])}L{fmt(b[0])},{fmt(b[1])}" for a, b in item.pairs)
        out.append(f'<path d="{d}"{_paint(item.paint)} />\n')
    elif isinstance(item, Ellipse):
        out.append(f'<ellipse cx="{fmt(item.cx)}" cy="{fmt(item.cy)}" rx="{fmt(item.rx)}" ry="{fmt(item.ry)}"{_paint(item.paint)} />\n')
    elif isinstance(item, Text):
        anchor = f' text-anchor="{item.anchor}"' if item.anchor != "start" else ""
        weight = ' font-weight="bold"' if item.bold else ""
        out.append(
            f'<text{_attr("class", item.cls)} x="{fmt(item.x)}" y="{fmt(item.y)}"{anchor} font-family="{theme.FONT}"{weight} '
            f'font-size="{fmt(item.size)}" fill="{item.fill}">{escape(item.text)}</text>\n'
        )
