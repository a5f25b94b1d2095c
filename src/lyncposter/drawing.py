"""A drawing as plain shapes: what every painter paints.

A panel, a rule drawing and the legend's icons are made of these few values, so the SVG
painter, the PDF painter and the editable drawings draw the same thing by construction.
Coordinates are points with y downwards (as in SVG); a `Group` may move and scale what
it holds, and names it (`id`, `cls`) for the outputs that keep names (the SVG panels,
the viewer).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

Point = tuple[float, float]


@dataclass(frozen=True)
class Paint:
    fill: str | None = None  # None: not filled
    stroke: str | None = None  # None: not stroked
    width: float = 1.0
    dashes: tuple[float, ...] = ()
    fill_opacity: float = 1.0
    round_joins: bool = False


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    paint: Paint
    rx: float = 0.0
    cls: str = ""


@dataclass(frozen=True)
class Path:
    """A start point, then segments: one point is a straight line to it, three a cubic Bézier."""

    start: Point
    segments: tuple[tuple[Point, ...], ...]
    paint: Paint
    closed: bool = False

    @property
    def points(self) -> list[Point]:
        return [self.start] + [p for segment in self.segments for p in segment]


@dataclass(frozen=True)
class Strokes:
    """Separate straight strokes drawn as one path: a wall's mortar, say."""

    pairs: tuple[tuple[Point, Point], ...]
    paint: Paint


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float
    paint: Paint


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline
    text: str
    size: float
    fill: str
    bold: bool = False
    anchor: str = "start"  # start, middle or end
    cls: str = ""


@dataclass(frozen=True)
class Group:
    children: tuple[Item, ...]
    id: str = ""
    cls: str = ""
    title: str = ""  # a tooltip
    dx: float = 0.0  # children are scaled by `scale`, then moved by (dx, dy)
    dy: float = 0.0
    scale: float = 1.0

    @property
    def classes(self) -> list[str]:
        return self.cls.split()


Item = Rect | Path | Strokes | Ellipse | Text | Group


def line(a: Point, b: Point, paint: Paint) -> Path:
    return Path(a, ((b,),), paint)


def polyline(points: list[Point], paint: Paint, closed: bool = False) -> Path:
    return Path(points[0], tuple((p,) for p in points[1:]), paint, closed)


def circle(cx: float, cy: float, r: float, paint: Paint) -> Ellipse:
    return Ellipse(cx, cy, r, r, paint)


# --- measuring --------------------------------------------------------------------------


def text_width(text: Text) -> float:
    from .fonts import text_width as width

    return width(text.text, text.size, bold=text.bold)


def text_box(text: Text) -> tuple[float, float, float, float]:
    w = text_width(text)
    x0 = text.x - w / 2 if text.anchor == "middle" else text.x - w if text.anchor == "end" else text.x
    return x0, text.y - text.size * 0.8, x0 + w, text.y + text.size * 0.25


@lru_cache(maxsize=8192)
def curve_extremes(start: Point, segments: tuple[tuple[Point, ...], ...]) -> tuple[Point, ...]:
    """The points that bound a path: its ends, and where each Bézier turns in x or in y.

    Finishing a panel bounds the same shapes several times (a role's box for its icon, every
    line for the zones, everything for the frame): each path's points are found once."""
    out = [start]
    here = start
    for segment in segments:
        if len(segment) == 3:
            p0, p1, p2, p3 = here, *segment
            for axis in (0, 1):
                a = -p0[axis] + 3 * p1[axis] - 3 * p2[axis] + p3[axis]
                b = 2 * (p0[axis] - 2 * p1[axis] + p2[axis])
                c = p1[axis] - p0[axis]
                if abs(a) < 1e-12:
                    roots = [-c / b] if abs(b) > 1e-12 else []
                else:
                    disc = b * b - 4 * a * c
                    roots = [] if disc < 0 else [(-b + sign * math.sqrt(disc)) / (2 * a) for sign in (1, -1)]
                for t in roots:
                    if 0 < t < 1:
                        u = 1 - t
                        x = u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0]
                        y = u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1]
                        out.append((x, y))
        out.append(segment[-1])
        here = segment[-1]
    return tuple(out)


@dataclass(frozen=True)
class Bounds:
    x0: float
    y0: float
    x1: float
    y1: float


def bounds(items: Sequence[Item]) -> Bounds | None:
    """What the items cover. Text counts by its height only: a label's words stay inside the
    shape that holds them (a role's box, a label's plate), so shapes set the width."""
    xs: list[float] = []
    ys: list[float] = []
    for item, dx, dy, scale in walk(items):
        if isinstance(item, Rect):
            xs += [dx + item.x * scale, dx + (item.x + item.width) * scale]
            ys += [dy + item.y * scale, dy + (item.y + item.height) * scale]
        elif isinstance(item, Path):
            for x, y in curve_extremes(item.start, item.segments):
                xs.append(dx + x * scale)
                ys.append(dy + y * scale)
        elif isinstance(item, Strokes):
            for pair in item.pairs:
                for x, y in pair:
                    xs.append(dx + x * scale)
                    ys.append(dy + y * scale)
        elif isinstance(item, Ellipse):
            xs += [dx + (item.cx - item.rx) * scale, dx + (item.cx + item.rx) * scale]
            ys += [dy + (item.cy - item.ry) * scale, dy + (item.cy + item.ry) * scale]
        elif isinstance(item, Text):
            ys += [dy + (item.y - item.size) * scale, dy + (item.y + item.size * 0.3) * scale]
    if not xs or not ys:
        return None
    return Bounds(min(xs), min(ys), max(xs), max(ys))


def walk(items: Sequence[Item], dx: float = 0.0, dy: float = 0.0, scale: float = 1.0) -> Iterator[tuple[Item, float, float, float]]:
    """Every shape and text, with where its group puts it: x' = dx + x * scale. Groups are entered, not yielded."""
    for item in items:
        if isinstance(item, Group):
            yield from walk(item.children, dx + item.dx * scale, dy + item.dy * scale, scale * item.scale)
        else:
            yield item, dx, dy, scale


def texts(items: Sequence[Item]) -> list[tuple[Text, float, float, float]]:
    return [(t, dx, dy, s) for t, dx, dy, s in walk(items) if isinstance(t, Text)]


def moved(item: Item, dx: float, dy: float) -> Item:
    """The item moved by (dx, dy)."""
    if isinstance(item, Group):
        return replace(item, dx=item.dx + dx, dy=item.dy + dy)
    if isinstance(item, (Rect, Text)):
        return replace(item, x=item.x + dx, y=item.y + dy)
    if isinstance(item, Ellipse):
        return replace(item, cx=item.cx + dx, cy=item.cy + dy)
    if isinstance(item, Strokes):
        return replace(item, pairs=tuple(((a[0] + dx, a[1] + dy), (b[0] + dx, b[1] + dy)) for a, b in item.pairs))
    return replace(
        item,
        start=(item.start[0] + dx, item.start[1] + dy),
        segments=tuple(tuple((x + dx, y + dy) for x, y in segment) for segment in item.segments),
    )


@dataclass(frozen=True)
class Drawing:
    """A finished drawing: its items in painting order, on a canvas whose upper-left corner is
    (x, y) and whose size is width × height (points at 100 %)."""

    items: tuple[Item, ...]
    x: float
    y: float
    width: float
    height: float

    def smallest_text(self) -> float:
        sizes = [t.size * s for t, _, _, s in texts(self.items)]
        return min(sizes) if sizes else 0.0

    def words(self) -> list[str]:
        return [t.text for t, _, _, _ in texts(self.items)]

