"""A firewall's rules laid out in three columns: the ends outside, the wall, the ends inside.

A rule drawing is read rule by rule: where does this line start, where does it cross the wall,
where does it end. So it is laid out as three columns, not by Graphviz: the roles on the
firewall's outer side on the left, one slot on the wall per line (the rule's number and
connection written where the line meets the wall), the roles on its inner side on the right.
Each column is ordered to keep lines from crossing: by the barycentre of its neighbours,
sweeping back and forth, then by swapping neighbours wherever that removes crossings. Ties go
by rule number and label, so the same rules give the same drawing. Each role then sits at
the height of the lines it ends, as far as its neighbours let it, so lines run nearly level.

The result is a `Geometry`, the same plain value the editable drawings are made from, so the
panel, the Visio and the draw.io drawings of a firewall agree.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .. import theme
from ..fonts import text_width
from ..model import Firewall, Role, Workload
from .lines import Connection, connections
from .geometry import Geometry, Rect, Route

SLOT = theme.EDGE_FONT_SIZE * 2.3  # the wall's height per line
ROLE_GAP = 10.0  # between two roles of a column
PAD = 6.0  # inside a role's box
LINE = theme.NODE_FONT_SIZE * 1.25
ZONE_PAD = 16.0  # between a zone's edge and its roles
ZONE_HEAD = theme.ZONE_FONT_SIZE * 2.2  # the zone's name above its roles
REACH = 150.0  # from a column of roles to the wall


@dataclass(frozen=True)
class Side:
    """Who stands where: the roles of each side, in order, and the lines, in the wall's order."""

    left: tuple[str, ...]
    middle: tuple[str, ...]  # connection ids
    right: tuple[str, ...]


def _ends(connection: Connection, firewall: Firewall) -> tuple[Role, Role]:
    """A line's (left, right) roles: the one on the firewall's outer side first."""
    flow = connection.first
    if flow.source.zone.order <= firewall.outer.order:
        return flow.source, flow.target
    return flow.target, flow.source


def crossings(side: Side, ends: dict[str, tuple[str, str]]) -> int:
    """How many pairs of lines cross between the columns, for this order."""
    left = {r: i for i, r in enumerate(side.left)}
    right = {r: i for i, r in enumerate(side.right)}
    count = 0
    lines = list(side.middle)
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:  # a is above b on the wall
            (la, ra), (lb, rb) = ends[a], ends[b]
            count += left[la] > left[lb]
            count += right[ra] > right[rb]
    return count


def order(connection_ids: list[str], ends: dict[str, tuple[str, str]]) -> Side:
    """Columns ordered to cross as little as possible.

    Each line has one end on either side, so two lines must cross exactly when their ends stand in
    opposite orders on the two sides, and a wall ordered by (left end, right end) adds nothing: the
    task is to order the two columns of roles. Every order of the shorter column is tried (up to
    7 roles; beyond, the first roles' order), each with the other column ordered by the barycentre
    of its lines' ends and then by swapping neighbours while that helps. The first best wins, so
    the same rules give the same drawing."""
    from itertools import permutations

    left = list(dict.fromkeys(ends[c][0] for c in connection_ids))
    right = list(dict.fromkeys(ends[c][1] for c in connection_ids))
    flip = len(left) < len(right)  # enumerate the shorter column
    pairs = [(ends[c][1], ends[c][0]) if flip else ends[c] for c in connection_ids]
    free, fixed = (right, left) if flip else (left, right)
    candidates = permutations(fixed) if len(fixed) <= 7 else iter([tuple(fixed)])
    best: tuple[int, tuple[str, ...], tuple[str, ...]] | None = None
    for fixed_order in candidates:
        at = {r: i for i, r in enumerate(fixed_order)}
        free_order, count = _one_side(free, [(a, at[b]) for a, b in pairs])
        if best is None or count < best[0]:
            best = (count, tuple(free_order), tuple(fixed_order))
            if count == 0:
                break
    assert best is not None
    _, free_best, fixed_best = best
    left_order, right_order = (fixed_best, free_best) if flip else (free_best, fixed_best)
    pos_l = {r: i for i, r in enumerate(left_order)}
    pos_r = {r: i for i, r in enumerate(right_order)}
    middle = sorted(connection_ids, key=lambda c: (pos_l[ends[c][0]], pos_r[ends[c][1]]))
    return Side(tuple(left_order), tuple(middle), tuple(right_order))


def _one_side(items: list[str], lines: list[tuple[str, int]]) -> tuple[list[str], int]:
    """Order `items` against a fixed column (each line: its item, the position of its other end):
    barycentres, then swaps of neighbours; returns the order and its crossings."""
    ends: dict[str, list[int]] = {i: [] for i in items}
    for item, position in lines:
        ends[item].append(position)
    # cost[u][v]: crossings between u's and v's lines when u stands above v
    cost = {u: {v: sum(1 for a in ends[u] for b in ends[v] if a > b) for v in items} for u in items}
    current = sorted(items, key=lambda i: (sum(ends[i]) / len(ends[i]), items.index(i)))
    improved = True
    while improved:
        improved = False
        for k in range(len(current) - 1):
            u, v = current[k], current[k + 1]
            if cost[v][u] < cost[u][v]:
                current[k], current[k + 1] = v, u
                improved = True
    total = sum(cost[current[i]][current[j]] for i in range(len(current)) for j in range(i + 1, len(current)))
    return current, total


def label_of(connection: Connection) -> str:
    """What the wall says of a line: `#6/17 SIP/MTLS:5061`."""
    return f"#{'/'.join(str(f.index) for f in connection.flows)} {connection.label}"


def role_lines(role: Role) -> list[str]:
    return textwrap.wrap(role.label, theme.NODE_WRAP) or [role.label]


def role_size(role: Role) -> tuple[float, float]:
    lines = role_lines(role)
    width = PAD * 3 + theme.ICON_SIZE + max(text_width(line, theme.NODE_FONT_SIZE) for line in lines)
    height = PAD * 2 + max(theme.ICON_SIZE, LINE * len(lines))
    return width, height


def _heights(items: list[str], wanted: dict[str, float], sizes: dict[str, float], top: float) -> dict[str, float]:
    """Each item's top edge: as near its wanted centre as the order and the gaps allow."""
    placed: dict[str, float] = {}
    y = top
    for item in items:  # downwards: no higher than the one above allows
        placed[item] = max(y, wanted[item] - sizes[item] / 2)
        y = placed[item] + sizes[item] + ROLE_GAP
    bottom = max(placed[i] + sizes[i] for i in items) if items else top
    for item in reversed(items):  # then upwards again, toward the wish, keeping the order
        below = min((placed[j] for j in items[items.index(item) + 1 :]), default=bottom + ROLE_GAP)
        placed[item] = max(top, min(placed[item], below - ROLE_GAP - sizes[item]))
    return placed


def firewall_geometry(workload: Workload, firewall: Firewall) -> tuple[Geometry, Side]:
    """A rule drawing (`firewall.rule_workload`) laid out in three columns, in points, y upwards
    as Graphviz gives it (the exporters' convention)."""
    drawn = connections(workload.flows, numbered=True)
    by_id = {c.id: c for c in drawn}
    roles: dict[str, Role] = {}
    ends: dict[str, tuple[str, str]] = {}
    for line in drawn:
        outer, inner = _ends(line, firewall)
        roles.setdefault(outer.id, outer)
        roles.setdefault(inner.id, inner)
        ends[line.id] = (outer.id, inner.id)
    rank = {line.id: min(f.index for f in line.flows) for line in drawn}
    side = order(sorted(by_id, key=lambda i: rank[i]), ends)

    sizes = {r: role_size(roles[r]) for r in roles}
    labels = {c: text_width(label_of(by_id[c]), theme.EDGE_FONT_SIZE) for c in by_id}
    left_w = max(sizes[r][0] for r in side.left)
    right_w = max(sizes[r][0] for r in side.right)
    label_w = max(labels.values())
    top = ZONE_HEAD
    slots = {c: top + SLOT * (i + 0.5) for i, c in enumerate(side.middle)}
    wall_h = SLOT * len(side.middle)

    def column(items: tuple[str, ...], which: int) -> dict[str, float]:
        wanted = {r: sum(slots[c] for c in side.middle if ends[c][which] == r) / sum(1 for c in side.middle if ends[c][which] == r) for r in items}
        return _heights(list(items), wanted, {r: sizes[r][1] for r in items}, top)

    left_y, right_y = column(side.left, 0), column(side.right, 1)
    bottom = max([top + wall_h] + [left_y[r] + sizes[r][1] for r in side.left] + [right_y[r] + sizes[r][1] for r in side.right]) + ZONE_PAD
    reach = max(REACH, label_w / 2 + 40)
    x_left_zone = 0.0
    x_left_roles = x_left_zone + ZONE_PAD
    x_wall = x_left_roles + left_w + reach
    x_right_roles = x_wall + reach
    x_right_zone_end = x_right_roles + right_w + ZONE_PAD
    zone_gap = theme.FIREWALL_WIDTH / 2 + 18
    height = bottom + 0.0

    def up(y: float) -> float:  # page (y down) → Graphviz (y up)
        return height - y

    rects: dict[str, Rect] = {}
    for r in side.left:
        w, h = sizes[r]
        rects[r] = Rect(x_left_roles + (left_w - w), up(left_y[r] + h), w, h)  # flush toward the wall
    for r in side.right:
        w, h = sizes[r]
        rects[r] = Rect(x_right_roles, up(right_y[r] + h), w, h)
    zones = {
        firewall.outer.id: Rect(x_left_zone, 0.0, x_wall - zone_gap - x_left_zone, height),
        firewall.inner.id: Rect(x_wall + zone_gap, 0.0, x_right_zone_end - (x_wall + zone_gap), height),
    }
    # a role's lines leave it spread along its side, in the wall's order, so they do not meet in a point
    ports: dict[tuple[str, int], float] = {}
    for which in (0, 1):
        for role_id in (side.left if which == 0 else side.right):
            mine = [c for c in side.middle if ends[c][which] == role_id]
            box = rects[role_id]
            step = min(6.0, box.height * 0.7 / max(1, len(mine)))
            for k, c in enumerate(mine):  # y upwards: the first line on the wall leaves highest
                ports[(c, which)] = box.cy + step * ((len(mine) - 1) / 2 - k)
    routes = []
    for c in side.middle:
        connection = by_id[c]
        left, right = ends[c]
        a, b = rects[left], rects[right]
        start = (a.x + a.width, ports[(c, 0)])
        end = (b.x, ports[(c, 1)])
        mid = (x_wall, up(slots[c]))
        bend = reach * 0.55
        points = (start, (start[0] + bend, start[1]), (mid[0] - bend, mid[1]), mid, (mid[0] + bend, mid[1]), (end[0] - bend, end[1]), end)
        flow = connection.first
        if flow.bidirectional:
            arrows = "both"
        else:
            arrows = "forward" if flow.source.id == left else "back"
        routes.append(Route(c, left, right, points, label_of(connection), mid, arrows))
    width = x_right_zone_end
    return Geometry(width, height, rects, zones, {}, {firewall.id: x_wall}, tuple(routes)), side
