"""Place panels in a region at one common scale, keeping their reading order.

Every panel is printed at the same scale, so a label is the same size
everywhere on the sheet. Panels go in rows, in the poster's order; for a given
scale the rows are chosen to use as little height as possible (a linear
partition), and the scale is the largest for which the rows fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Placement:
    index: int
    x: float  # lower-left corner, PDF coordinates
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Packing:
    scale: float
    placements: tuple[Placement, ...]


def _rows(sizes: list[tuple[float, float]], scale: float, width: float, gap: float) -> list[list[int]] | None:
    """The split of the ordered panels into rows of lowest total height, or None."""
    n = len(sizes)

    def fits(i: int, j: int) -> bool:
        return sum(w for w, _ in sizes[i:j]) * scale + gap * (j - i - 1) <= width

    @cache
    def best(i: int) -> tuple[float, tuple[int, ...]]:
        if i == n:
            return 0.0, ()
        choice: tuple[float, tuple[int, ...]] | None = None
        for j in range(i + 1, n + 1):
            if not fits(i, j):
                break
            rest, breaks = best(j)
            total = max(h for _, h in sizes[i:j]) * scale + (gap if j < n else 0) + rest
            if choice is None or total < choice[0]:
                choice = (total, (j,) + breaks)
        return choice if choice is not None else (float("inf"), ())

    total, breaks = best(0)
    if total == float("inf"):
        return None
    rows, start = [], 0
    for end in breaks:
        rows.append(list(range(start, end)))
        start = end
    return rows


def _height(rows: list[list[int]], sizes: list[tuple[float, float]], scale: float, gap: float) -> float:
    return sum(max(sizes[i][1] for i in row) * scale for row in rows) + gap * (len(rows) - 1)


def pack(sizes: list[tuple[float, float]], x: float, y: float, width: float, height: float, gap: float) -> Packing:
    """Panels of `sizes` (at 100 %) into the box whose lower-left corner is (x, y)."""
    if not sizes:
        return Packing(1.0, ())
    low, high = 0.0, min(width / max(w for w, _ in sizes), height / max(h for _, h in sizes))
    for _ in range(40):
        mid = (low + high) / 2
        rows = _rows(sizes, mid, width, gap)
        if rows is not None and _height(rows, sizes, mid, gap) <= height:
            low = mid
        else:
            high = mid
    scale = low
    rows = _rows(sizes, scale, width, gap) or [[i] for i in range(len(sizes))]
    # spread what is left: rows apart vertically, panels apart within each row
    # spread what is left between the rows, up to a few gaps; centre the rest
    spare_v = height - _height(rows, sizes, scale, gap)
    row_gap = gap + min(spare_v / (len(rows) - 1), 3 * gap) if len(rows) > 1 else gap
    used_v = _height(rows, sizes, scale, gap) + (row_gap - gap) * (len(rows) - 1)
    placements = []
    top = y + height - (height - used_v) / 2
    for row in rows:
        row_h = max(sizes[i][1] for i in row) * scale
        used = sum(sizes[i][0] for i in row) * scale
        # rows reach both edges of the region, so the panels' sides line up down the sheet
        col_gap = (width - used) / (len(row) - 1) if len(row) > 1 else 0
        left = x if len(row) > 1 else x + (width - used) / 2
        for i in row:
            w, h = sizes[i][0] * scale, sizes[i][1] * scale
            placements.append(Placement(i, left, top - h, w, h))
            left += w + col_gap
        top -= row_h + row_gap
    return Packing(scale, tuple(sorted(placements, key=lambda p: p.index)))
