"""Place panels in a region at one common scale, in reading order, filling the region.

Every panel is printed at the same scale, so a label is the same size everywhere
on the sheet. Panels go in rows, in the poster's order; a row is a sequence of
cells, and a cell holds one panel or a short stack of consecutive panels (a tall
panel beside two short ones is one row). For a given scale the rows and cells
are chosen to use as little height as possible (dynamic programming over the
order), and the scale is the largest for which they fit.

What the scale leaves over is given to the panels, not to gaps: rows grow to the
region's height, cells to the row's width, and every panel to its cell. A panel
grows only so far (`MAX_GROW_WIDE`, `MAX_GROW_TALL`); its drawing stays at the
common scale and the panel's zone columns stretch around it (`render.stretch_panel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

MAX_ROW = 6  # panels in one row, at most
MAX_STACK = 3  # panels stacked in one cell, at most
MAX_GROW_WIDE = 1.5  # a panel's box is at most this much wider than its drawing at the common scale
MAX_GROW_TALL = 2.0  # ... and at most this much taller


@dataclass(frozen=True)
class Placement:
    index: int
    x: float  # lower-left corner of the panel's box, PDF coordinates
    y: float
    width: float  # the box; the drawing inside is the panel's size times the packing's scale
    height: float


@dataclass(frozen=True)
class Packing:
    scale: float
    placements: tuple[Placement, ...]  # in the panels' order


Cells = tuple[tuple[int, ...], ...]


class _Plan(NamedTuple):  # made by the thousand while packing: a tuple is made fastest
    """One way to set panels i..j-1 in a row: its cells, and what bounds its scale."""

    cells: Cells
    widest: float  # the scale at which the row is exactly as wide as the region
    stacks: tuple[tuple[float, int], ...]  # per cell: summed height at 100 %, panels in it


@cache
def _compositions(n: int) -> list[tuple[int, ...]]:
    """Every way to cut n panels into consecutive cells of at most MAX_STACK."""
    if n == 0:
        return [()]
    out = []
    for first in range(1, min(n, MAX_STACK) + 1):
        out += [(first,) + rest for rest in _compositions(n - first)]
    return out


def _plans(sizes: list[tuple[float, float]], width: float, gap: float) -> dict[tuple[int, int], list[_Plan]]:
    n = len(sizes)
    # every cell a row may have: panels a..b-1 stacked, with their widest width and summed height
    cell_of = {
        (a, b): (tuple(range(a, b)), max(sizes[k][0] for k in range(a, b)), sum(sizes[k][1] for k in range(a, b)))
        for a in range(n)
        for b in range(a + 1, min(n, a + MAX_STACK) + 1)
    }
    plans: dict[tuple[int, int], list[_Plan]] = {}
    for i in range(n):
        for j in range(i + 1, min(n, i + MAX_ROW) + 1):
            options = []
            for parts in _compositions(j - i):
                room = width - gap * (len(parts) - 1)
                if room <= 0:
                    continue
                cells, start = [], i
                for size in parts:
                    cells.append(cell_of[(start, start + size)])
                    start += size
                widths = sum(cell[1] for cell in cells)
                options.append(_Plan(tuple(cell[0] for cell in cells), room / widths, tuple((cell[2], len(cell[0])) for cell in cells)))
            plans[(i, j)] = options
    return plans


def _row_height(plan: _Plan, scale: float, gap: float) -> float:
    return max([h * scale + gap * (k - 1) for h, k in plan.stacks])


def _best_rows(plans: dict[tuple[int, int], list[_Plan]], n: int, scale: float, gap: float) -> tuple[float, list[_Plan]] | None:
    """The rows of least total height at `scale`, or None if a panel is wider than the region."""
    # from the last panel back: the least height of the rows from panel i on, and the first row's plan
    best: list[tuple[float, int, _Plan] | None] = [None] * (n + 1)
    best[n] = (0.0, n, None)  # type: ignore[assignment]
    for i in range(n - 1, -1, -1):
        choice: tuple[float, int, _Plan] | None = None
        for j in range(i + 1, min(n, i + MAX_ROW) + 1):
            rest = best[j]
            if rest is None:
                continue
            between = gap if j < n else 0.0
            for plan in plans[(i, j)]:
                if plan.widest < scale:
                    continue
                total = _row_height(plan, scale, gap) + between + rest[0]
                if choice is None or total < choice[0] - 1e-9:
                    choice = (total, j, plan)
        best[i] = choice
    first = best[0]
    if first is None:
        return None
    rows, i = [], 0
    while i < n:
        step = best[i]
        assert step is not None
        rows.append(step[2])
        i = step[1]
    return first[0], rows


def pack(sizes: list[tuple[float, float]], x: float, y: float, width: float, height: float, gap: float) -> Packing:
    """Panels of `sizes` (at 100 %) into the box whose lower-left corner is (x, y)."""
    if not sizes:
        return Packing(1.0, ())
    n = len(sizes)
    plans = _plans(sizes, width, gap)
    low, high = 0.0, min(width / max(w for w, _ in sizes), height / max(h for _, h in sizes))
    for _ in range(32):
        mid = (low + high) / 2
        found = _best_rows(plans, n, mid, gap)
        if found is not None and found[0] <= height:
            low = mid
        else:
            high = mid
    scale = low
    found = _best_rows(plans, n, scale, gap)
    rows = found[1] if found is not None else [_Plan(((i,),), 0.0, ((sizes[i][1], 1),)) for i in range(n)]
    return Packing(scale, tuple(sorted(_place(rows, sizes, scale, x, y, width, height, gap), key=lambda p: p.index)))


def _place(rows: list[_Plan], sizes: list[tuple[float, float]], scale: float, x: float, y: float, width: float, height: float, gap: float) -> list[Placement]:
    """Boxes for the chosen rows: each row as tall as the region allows, each cell as wide as its
    row allows, each panel as large as its cell allows, within the growth limits."""
    natural = [_row_height(row, scale, gap) for row in rows]
    tallest = [max(_stack_limit(row.cells[c], sizes, scale, gap) for c in range(len(row.cells))) for row in rows]
    heights = _share(natural, tallest, height - gap * (len(rows) - 1))
    spare = height - gap * (len(rows) - 1) - sum(heights)
    row_gap = gap + spare / (len(rows) - 1) if len(rows) > 1 else gap
    top = y + height - (spare / 2 if len(rows) == 1 else 0.0)
    placements: list[Placement] = []
    for row, row_h in zip(rows, heights):
        cell_w = [max(sizes[k][0] for k in cell) * scale for cell in row.cells]
        widest = [w * MAX_GROW_WIDE for w in cell_w]
        widths = _share(cell_w, widest, width - gap * (len(row.cells) - 1))
        spare_w = width - gap * (len(row.cells) - 1) - sum(widths)
        col_gap = gap + spare_w / (len(row.cells) - 1) if len(row.cells) > 1 else gap
        left = x + (spare_w / 2 if len(row.cells) == 1 else 0.0)
        for cell, cw in zip(row.cells, widths):
            hs = [sizes[k][1] * scale for k in cell]
            panel_hs = _share(hs, [h * MAX_GROW_TALL for h in hs], row_h - gap * (len(cell) - 1))
            spare_h = row_h - gap * (len(cell) - 1) - sum(panel_hs)
            cell_top = top - spare_h / 2
            for k, ph in zip(cell, panel_hs):
                pw = min(cw, sizes[k][0] * scale * MAX_GROW_WIDE)
                placements.append(Placement(k, left + (cw - pw) / 2, cell_top - ph, pw, ph))
                cell_top -= ph + gap
            left += cw + col_gap
        top -= row_h + row_gap
    return placements


def _stack_limit(cell: tuple[int, ...], sizes: list[tuple[float, float]], scale: float, gap: float) -> float:
    return sum(sizes[k][1] * scale * MAX_GROW_TALL for k in cell) + gap * (len(cell) - 1)


def _share(natural: list[float], most: list[float], room: float) -> list[float]:
    """Grow `natural` sizes towards filling `room`, each in proportion to its size and never past its `most`."""
    sizes = list(natural)
    for _ in range(len(sizes) + 1):
        spare = room - sum(sizes)
        growing = [i for i, s in enumerate(sizes) if s < most[i] - 1e-9]
        if spare <= 1e-9 or not growing:
            break
        weight = sum(natural[i] for i in growing)
        for i in growing:
            sizes[i] = min(most[i], sizes[i] + spare * natural[i] / weight)
    return sizes
