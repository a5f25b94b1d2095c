"""The role icons, as shapes every painter draws: the panels, the PDF, the legend, the viewer,
Visio and draw.io. Each is drawn in a 24-unit box; a shape without its own colour takes the
icon's (`theme.MUTED`): outlines are stroked, dots are filled."""

from __future__ import annotations

from . import theme
from .drawing import Ellipse, Group, Item, Paint, Path, Rect, circle, line, polyline

_LINE = Paint(stroke=theme.MUTED, width=1.6)
_ROUND = Paint(stroke=theme.MUTED, width=1.6, round_joins=True)
_DOT = Paint(fill=theme.MUTED)


def _stroke(width: float) -> Paint:
    return Paint(stroke=theme.MUTED, width=width)


ICONS: dict[str, tuple[Item, ...]] = {
    "server": (
        Rect(5, 2, 14, 20, _LINE, rx=1.5),
        line((8, 7), (16, 7), _LINE),
        line((8, 11), (16, 11), _LINE),
        circle(12, 17, 1.6, _DOT),
    ),
    "database": (
        Ellipse(12, 5, 8, 3, _LINE),
        Path((4, 5), (((4, 19),), ((4, 20.7), (7.6, 22), (12, 22)), ((16.4, 22), (20, 20.7), (20, 19)), ((20, 5),)), _LINE),
        Path((4, 12), (((4, 13.7), (7.6, 15), (12, 15)), ((16.4, 15), (20, 13.7), (20, 12))), _LINE),
    ),
    "client": (
        Rect(2, 3, 20, 13, _LINE, rx=1.5),
        line((12, 16), (12, 20), _LINE),
        line((7, 21), (17, 21), _stroke(1.8)),
    ),
    "phone": (
        Rect(3, 9, 18, 12, _LINE, rx=2),
        Path((6, 9), (((6, 5),), ((6, 4), (7, 3), (8, 3)), ((16, 3),), ((17, 3), (18, 4), (18, 5)), ((18, 9),)), _LINE),
        Rect(6, 12, 5, 3, _DOT),
        circle(15, 13, 1, _DOT),
        circle(18, 13, 1, _DOT),
        circle(15, 17, 1, _DOT),
        circle(18, 17, 1, _DOT),
    ),
    "mobile": (
        Rect(7, 2, 10, 20, _LINE, rx=2),
        line((10, 5), (14, 5), _stroke(1.4)),
        circle(12, 18.5, 1.2, _DOT),
    ),
    "cloud": (
        Path(
            (7, 19),
            (
                ((18, 19),),
                ((20.081, 18.985), (21.802, 17.376), (21.959, 15.301)),
                ((22.115, 13.226), (20.655, 11.378), (18.6, 11.05)),
                ((18.329, 8.366), (16.301, 6.193), (13.642, 5.738)),
                ((10.983, 5.283), (8.347, 6.659), (7.2, 9.1)),
                ((4.726, 9.398), (2.849, 11.472), (2.799, 13.963)),
                ((2.749, 16.454), (4.54, 18.602), (7.0, 19.0)),
            ),
            _ROUND,
            closed=True,
        ),
    ),
    "gateway": (
        Rect(2, 8, 20, 9, _LINE, rx=1.5),
        line((6, 8), (6, 4), _LINE),
        line((18, 8), (18, 4), _LINE),
        circle(7, 12.5, 1.2, _DOT),
        circle(11, 12.5, 1.2, _DOT),
        line((14, 12.5), (19, 12.5), _LINE),
    ),
    "proxy": (
        Rect(3, 3, 18, 18, _LINE, rx=2),
        polyline([(6, 9), (16, 9), (13, 6)], _ROUND),
        polyline([(18, 15), (8, 15), (11, 18)], _ROUND),
    ),
    "share": (
        polyline([(2, 6), (9, 6), (11, 8), (22, 8), (22, 20), (2, 20)], _ROUND, closed=True),
        line((2, 11), (22, 11), _stroke(1.2)),
    ),
    "edge": (
        Rect(5, 2, 14, 20, _LINE, rx=1.5),
        polyline([(9, 8), (12, 5), (15, 8)], _LINE),
        polyline([(9, 16), (12, 19), (15, 16)], _LINE),
        line((12, 5), (12, 19), _stroke(1.4)),
    ),
}


def icon(name: str, x: float, y: float, size: float = theme.ICON_SIZE) -> Group:
    """The icon `name`, its upper-left corner at (x, y), `size` points across."""
    return Group(ICONS[name], cls=f"icon icon-{name}", dx=x, dy=y, scale=size / 24)
