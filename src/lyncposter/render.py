"""Geometry → finished drawing: the render step.

Graphviz places the boxes and lines (`layout/geometry.py` reads its one `-Tjson` run);
this step finishes the drawing as numbers: zone columns of equal height reaching the
drawing's sides, the firewalls between them, each role's icon, a white plate behind every
connection label so it stays readable where lines cross, the title and the frame. The
result is a `Panel`, a plain value: its `drawing` is what the SVG, PDF, Visio and draw.io
painters draw, its `geometry` the same layout as positions for the editable drawings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace

from . import theme
from .cache import SignedCache, SvgCache, alias_key, panel_key
from .drawing import Bounds, Drawing, Group, Item, Paint, Path, Rect, Strokes, Text, bounds, moved, polyline, text_box
from .errors import RenderError
from .fonts import text_width
from .icons import ICONS, icon
from .layout.engine import TIMEOUT, LayoutTimeout, run_dot, stop_all
from .layout.geometry import Geometry, Rect as Box, read_layout
from .model import Workload, Zone
from .progress import progress

FIREWALL_TEXT = theme.EDGE_FONT_SIZE + 1
PAD = 10.0  # paper around a panel's drawing, inside its frame


@dataclass(frozen=True)
class Panel:
    """One workload, laid out and drawn: everything later steps need, as plain data."""

    workload_id: str
    title: str
    width: float  # points at 100 %
    height: float
    drawing: Drawing
    dot: str
    geometry: Geometry | None = None  # the same layout as positions, zones levelled (Visio, draw.io)

    @property
    def svg(self) -> str:
        from .paint.svg import svg

        return svg(self.drawing, f"panel-{self.workload_id}", self.workload_id, {"data-workload": self.workload_id})

    def smallest_text(self) -> float:
        return self.drawing.smallest_text()


def render_panel(workload: Workload, timeout: float = TIMEOUT, spread: float = 1.0) -> Panel:
    """Lay out and draw one workload (its roles spread apart by `spread`, see `workload_dot`); a
    layout that takes over `timeout` seconds is stopped."""
    from .layout.dot import workload_dot  # networkx and graphviz: only when a panel is laid out

    dot = workload_dot(workload, spread)
    try:
        laid = json.loads(run_dot(dot, "json", timeout))
    except LayoutTimeout as exc:
        raise RenderError(f"{workload.id} ({workload.title}): {exc}; the previous outputs are kept") from None
    drawing, geometry = finish(workload, read_layout(workload, laid))
    return Panel(workload.id, workload.title, drawing.width, drawing.height, drawing, dot, geometry)


_RECENT: dict[str, Panel] = {}  # panels this process has read from the cache or made, by key
RECENT_KEPT = 64


def panel_geometry(workload: Workload, timeout: float = TIMEOUT) -> Geometry:
    """The workload's layout as positions, zones and walls as the panel draws them (Visio, draw.io)."""
    geometry = render_panel(workload, timeout).geometry
    assert geometry is not None
    return geometry


def render_panels(
    workloads: Iterable[Workload],
    jobs: int | None = None,
    timeout: float = TIMEOUT,
    cache: SvgCache | None = None,
    spread: float = 1.0,
    remember: bool = False,
) -> list[Panel]:
    """Render several workloads at once, one Graphviz process per core; order is kept. With a
    cache, a panel whose inputs did not change is not laid out again; with `remember` (a
    long-running process: `watch`), not even read from the cache again."""
    workloads = list(workloads)
    jobs = jobs or min(len(workloads), os.cpu_count() or 1) or 1
    keys = panel_keys(workloads, cache, spread) if cache is not None else [""] * len(workloads)
    with progress(len(workloads), "Laying out panels") as step:

        def one(workload: Workload, key: str) -> Panel:
            panel = _RECENT.get(key) if key and remember else None
            if panel is None and cache is not None:
                panel = cache.get(key)
            if not isinstance(panel, Panel):
                panel = render_panel(workload, timeout, spread)
                if cache is not None:
                    cache.put(key, panel)
            if key and remember:
                if len(_RECENT) >= RECENT_KEPT:
                    _RECENT.pop(next(iter(_RECENT)), None)
                _RECENT[key] = panel
            step()
            return panel

        if jobs == 1:
            return [one(w, k) for w, k in zip(workloads, keys)]
        pool = ThreadPoolExecutor(max_workers=jobs)  # dot runs outside the GIL
        futures = [pool.submit(one, w, k) for w, k in zip(workloads, keys)]
        try:
            for future in as_completed(futures):
                future.result()  # the first panel that fails stops the rest: no second wave of timeouts
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            stop_all()
            raise
        pool.shutdown()
        return [f.result() for f in futures]


def known_panels(workloads: Iterable[Workload], cache: SignedCache, spread: float = 1.0) -> list[Panel | None]:
    """Each workload's panel as the cache keeps it for this very workload, found without writing
    its DOT (None where it is not kept): what is left to lay out goes to `render_panels`. A panel
    this process remembers (`watch` drew it for the page just now) is not read again."""
    found: list[Panel | None] = []
    for workload in workloads:
        key = cache.get(_alias(workload, spread), ".key")
        panel = (_RECENT.get(key) or cache.get(key)) if isinstance(key, str) else None
        found.append(panel if isinstance(panel, Panel) else None)
    return found


def _alias(workload: Workload, spread: float) -> str:
    """What a workload's panel key is kept under: the workload itself, as the data says it."""
    return alias_key(repr(workload), repr(workload.catalog), f"spread {spread!r}")


def panel_keys(workloads: Iterable[Workload], cache: SignedCache, spread: float = 1.0) -> list[str]:
    """Each workload's panel key: the hash of its DOT text. A workload this cache has seen
    finds its key by its content alone, so a warm cache writes no DOT (and loads no networkx)."""
    keys = []
    for workload in workloads:
        alias = _alias(workload, spread)
        key = cache.get(alias, ".key")
        if not isinstance(key, str):
            from .layout.dot import workload_dot

            key = panel_key(workload_dot(workload, spread))
            cache.put(alias, key, ".key")
        keys.append(key)
    return keys


# --- finishing: Graphviz's drawing → the panel ------------------------------------------------


def finish(workload: Workload, g: Geometry) -> tuple[Drawing, Geometry]:
    """The finished drawing of a laid-out workload, and its geometry with the zones as drawn."""
    lines: list[Group] = []
    labels: list[Group] = []
    roles: list[Group] = []
    clusters: dict[str, Group] = {}
    for picture in g.pictures:
        if picture.id.startswith("role-"):
            roles.append(_with_icon(picture))
        elif picture.id.startswith(("zone-", "group-")):
            clusters[picture.id] = picture
        else:
            drawn, label = _plated(picture)
            lines.append(drawn)
            if label is not None:
                labels.append(label)
    groups = [replace(c, cls="cluster") for k, c in clusters.items() if k.startswith("group-")]
    zone_pictures = [(z, clusters[f"zone-{z.id}"]) for z in workload.catalog.zones if f"zone-{z.id}" in clusters]
    zones, walls = _zone_columns(workload, zone_pictures, [*clusters.values(), *roles], [*lines, *labels])
    items: list[Item] = [*zones, *groups, *walls, *lines, *roles, *labels]
    drawing = frame(items, workload.title)
    # the same zones and walls for the editable drawings (y upwards, as Graphviz gives them)
    boxes = {z.id.removeprefix("zone-"): _first_rect(z) for z in zones}
    levelled = {k: Box(r.x, -(r.y + r.height), r.width, r.height) for k, r in boxes.items() if r is not None}
    wall_x = {w.id.removeprefix("firewall-"): _first_rect(w) for w in walls}
    firewalls = {k: r.x + r.width / 2 for k, r in wall_x.items() if r is not None}
    return drawing, replace(g, zones=levelled, firewalls=firewalls, pictures=())


def _first_rect(group: Group) -> Rect | None:
    return next((c for c in group.children if isinstance(c, Rect)), None)


def _plated(edge: Group) -> tuple[Group, Group | None]:
    """A line without its label, and the label on a white plate sized from the font's real
    metrics: labels go last, above every line, so no later line runs through a port number."""
    words = [c for c in edge.children if isinstance(c, Text)]
    line_only = replace(edge, children=tuple(c for c in edge.children if not isinstance(c, Text)), cls=f"edge {edge.cls}".strip())
    if not words:
        return line_only, None
    boxes = [text_box(t) for t in words]
    pad = 1.5
    x0, y0 = min(b[0] for b in boxes) - pad, min(b[1] for b in boxes) - pad
    x1, y1 = max(b[2] for b in boxes) + pad, max(b[3] for b in boxes) + pad
    plate = Rect(x0, y0, x1 - x0, y1 - y0, Paint(fill=theme.PAPER, fill_opacity=0.9), rx=2, cls="label-plate")
    return line_only, Group((plate, *words), id=f"label-{edge.id}", cls="flow-label")


def _with_icon(role: Group) -> Group:
    """A role's box with its icon drawn where its label keeps room for it: the label's first
    cell is an empty spacer of icon size, which Graphviz writes as a blank text."""
    name = next((c.removeprefix("icon-") for c in role.classes if c.startswith("icon-")), None)
    shape = next((c for c in role.children if isinstance(c, Path)), None)
    spacer = next((c for c in role.children if isinstance(c, Text) and not c.text.strip()), None)
    children = [c for c in role.children if c is not spacer]
    box = bounds([shape]) if shape is not None else None
    if name in ICONS and spacer is not None and box is not None:
        cx = spacer.x + text_width(" ", spacer.size) / 2
        size = theme.ICON_SIZE
        children.append(icon(name, cx - size / 2, (box.y0 + box.y1) / 2 - size / 2))
    return replace(role, children=tuple(children), cls=f"node {role.cls}".strip())


def _zone_columns(
    workload: Workload, pictures: list[tuple[Zone, Group]], others: list[Group], lines: list[Group]
) -> tuple[list[Group], list[Group]]:
    """Every zone as a column spanning the whole height of the drawing (lines routed around a
    cluster stay inside the columns), the outer columns reaching the drawing's sides (and so do
    lines routed around the outermost roles), and a wall where each firewall stands, the zones
    on either side reaching it. A line routed around the roles, and its label, keep
    `theme.LINE_CLEARANCE` from the column's edge: a line does not run along the border (or out
    of it where a drawing program bends the curve a little differently), a label does not touch it."""
    if not pictures:
        return [], []
    everything = bounds(others)  # what is drawn besides the lines and their labels (`lines`)
    assert everything is not None
    routed = bounds(lines)
    if routed is not None:
        room = theme.LINE_CLEARANCE
        everything = Bounds(
            min(everything.x0, routed.x0 - room), min(everything.y0, routed.y0 - room), max(everything.x1, routed.x1 + room), max(everything.y1, routed.y1 + room)
        )
    found = []
    for zone, picture in pictures:
        shape = next((c for c in picture.children if isinstance(c, Path)), None)
        box = bounds([shape]) if shape is not None else None
        if box is not None:
            found.append((zone, picture, box))
    if not found:
        return [], []
    top = min(everything.y0, min(b.y0 for _, _, b in found))
    bottom = everything.y1
    found.sort(key=lambda z: z[2].x0)
    columns = {zone.id: [b.x0, b.x1] for zone, _, b in found}
    columns[found[0][0].id][0] = min(found[0][2].x0, everything.x0)
    columns[found[-1][0].id][1] = max(found[-1][2].x1, everything.x1)
    walls = []
    reach = theme.FIREWALL_WIDTH / 2 + theme.WALL_GAP
    for firewall in workload.catalog.firewalls:
        outer, inner = columns.get(firewall.outer.id), columns.get(firewall.inner.id)
        if outer is None or inner is None:
            continue
        x = (outer[1] + inner[0]) / 2
        walls.append((firewall, x))
    for firewall, x in walls:  # the zones reach the wall: a zone ends where its firewall stands
        outer, inner = columns[firewall.outer.id], columns[firewall.inner.id]
        outer[1] = max(outer[1], x - reach)
        inner[0] = min(inner[0], x + reach)
    count = len(workload.catalog.zones)
    zones = []
    for zone, picture, box in found:
        x0, x1 = columns[zone.id]
        style = theme.zone_style(zone.order, count)
        rect = Rect(x0, top, x1 - x0, bottom - top, Paint(style.fill, style.border), rx=8)
        # the heading stays in its column's upper-left corner
        headings = [moved(t, x0 - box.x0, top - box.y0) for t in picture.children if isinstance(t, Text)]
        zones.append(Group((rect, *headings), id=picture.id, cls="cluster", title=zone.label))
    return zones, [firewall_wall(f.id, f.label, x, top, bottom) for f, x in walls]


def firewall_wall(ident: str, label: str, x: float, top: float, bottom: float) -> Group:
    """A brick wall from `top` to `bottom`, its name above it, where no line or label can hide it."""
    w = theme.FIREWALL_WIDTH
    course = 7.0
    mortar = Paint(stroke=theme.FIREWALL_MORTAR, width=0.8)
    joints: list[tuple[tuple[float, float], tuple[float, float]]] = []
    row = 0
    y = top + course
    while y < bottom:
        joint = x - w / 4 if row % 2 else x + w / 4
        joints += [((x - w / 2, y), (x + w / 2, y)), ((joint, y - course), (joint, y))]
        y += course
        row += 1
    # the mortar is one path, not a line per brick: every painter and every reader stays fast
    bricks: list[Item] = [Rect(x - w / 2, top, w, bottom - top, Paint(fill=theme.FIREWALL_FILL)), Strokes(tuple(joints), mortar)]
    size = FIREWALL_TEXT
    for i, words in enumerate(reversed(theme.firewall_name_lines(label))):
        bricks.append(Text(x, top - 4 - i * size * 1.15, words, size, theme.FIREWALL_FILL, bold=True, anchor="middle"))
    return Group(tuple(bricks), id=f"firewall-{ident}", cls="firewall", title=label)


def frame(items: list[Item], title: str) -> Drawing:
    """The drawing cropped to what is drawn, with the title above it and paper around it."""
    box = bounds(items)
    assert box is not None
    size = theme.TITLE_FONT_SIZE
    x0, y0 = box.x0 - PAD, box.y0 - PAD - size * 1.6
    # wide enough for the title even when the drawing is narrow
    x1 = max(box.x1, box.x0 + text_width(title, size, bold=True)) + PAD
    y1 = box.y1 + PAD
    width, height = round(x1 - x0, 2), round(y1 - y0, 2)
    background = Rect(x0, y0, width, height, Paint(fill=theme.PAPER), cls="background")
    heading = Text(box.x0, y0 + PAD + size * 0.8, title, size, theme.INK, bold=True, cls="panel-title")
    return Drawing((background, heading, *items), x0, y0, width, height)


# --- stretching a panel to its box on a sheet ----------------------------------------------------


def _backdrop(item: Item) -> bool:
    if isinstance(item, Group):
        return item.id.startswith(("zone-", "firewall-"))
    return getattr(item, "cls", "") in ("background", "panel-title")


def stretch(drawing: Drawing, width: float, height: float) -> Drawing:
    """The drawing on a larger canvas (points at 100 %): the drawing stays as it is, centred; the
    zone columns and the firewalls grow to the new height, the outer columns to the new width. The
    title stays in the upper-left corner. A canvas no larger than the drawing gives it back."""
    dw, dh = max(0.0, width - drawing.width), max(0.0, height - drawing.height)
    if dw < 0.01 and dh < 0.01:
        return drawing
    zones = sorted((g for g in drawing.items if isinstance(g, Group) and g.id.startswith("zone-")), key=lambda g: _first_rect(g).x)  # type: ignore[union-attr]
    first, last = (zones[0], zones[-1]) if zones else (None, None)
    out: list[Item] = []
    for item in drawing.items:
        if not _backdrop(item):
            out.append(moved(item, dw / 2, dh / 2))
        elif isinstance(item, Rect):  # the background
            out.append(replace(item, width=item.width + dw, height=item.height + dh))
        elif isinstance(item, Group) and item.id.startswith("zone-"):
            rect = _first_rect(item)
            assert rect is not None
            grow = (dw / 2 if item is first else 0.0) + (dw / 2 if item is last else 0.0)
            shift = 0.0 if item is first else dw / 2
            children: list[Item] = [replace(rect, x=rect.x + shift, width=rect.width + grow, height=rect.height + dh)]
            children += [moved(c, shift, 0.0) for c in item.children if c is not rect]
            out.append(replace(item, children=tuple(children)))
        elif isinstance(item, Group):  # a firewall
            wall = _first_rect(item)
            assert wall is not None
            out.append(firewall_wall(item.id.removeprefix("firewall-"), item.title, wall.x + wall.width / 2 + dw / 2, wall.y, wall.y + wall.height + dh))
        else:
            out.append(item)
    return Drawing(tuple(out), drawing.x, drawing.y, drawing.width + dw, drawing.height + dh)


def stretch_panel(panel: Panel, width: float, height: float) -> Panel:
    """The panel on a larger canvas (see `stretch`)."""
    drawing = stretch(panel.drawing, width, height)
    if drawing is panel.drawing:
        return panel
    return replace(panel, width=drawing.width, height=drawing.height, drawing=drawing)


# --- a firewall's rules in three columns (layout/columns.py), drawn from their geometry ---------------


ARROW_LENGTH = 7.0
ARROW_WIDTH = 5.0


def render_rules(workload: Workload, firewall_id: str) -> Panel:
    """A firewall's rule drawing (`firewall.rule_workload`) from its three-column geometry: the same
    numbers the Visio and draw.io drawings of the firewall sheet are made from."""
    from .layout.columns import firewall_geometry, label_of, role_lines
    from .layout.lines import connections

    firewall = next(f for f in workload.catalog.firewalls if f.id == firewall_id)
    g, _ = firewall_geometry(workload, firewall)
    height = g.height

    def at(x: float, y: float) -> tuple[float, float]:
        return x, height - y

    items: list[Item] = []
    count = len(workload.catalog.zones)
    for zone in workload.catalog.zones:
        rect = g.zones.get(zone.id)
        if rect is None:
            continue
        style = theme.zone_style(zone.order, count)
        y0 = height - (rect.y + rect.height)
        heading = Text(rect.x + 12, y0 + theme.ZONE_FONT_SIZE * 1.5, zone.label, theme.ZONE_FONT_SIZE, theme.MUTED, bold=True)
        items.append(Group((Rect(rect.x, y0, rect.width, rect.height, Paint(style.fill, style.border), rx=8), heading), id=f"zone-{zone.id}", cls="cluster", title=zone.label))
    top = min(height - (r.y + r.height) for r in g.zones.values())
    bottom = max(height - r.y for r in g.zones.values())
    for fw_id, x in g.firewalls.items():
        items.append(firewall_wall(fw_id, firewall.label, x, top, bottom))
    drawn = {c.id: c for c in connections(workload.flows, numbered=True)}
    labels: list[Item] = []
    for route in g.routes:
        connection = drawn[route.connection_id]
        family = theme.FAMILIES[connection.first.protocol.family]
        p = [at(*q) for q in route.points]
        paint = Paint(stroke=family.colour, width=family.width, dashes=tuple(theme.DASHES.get(family.style) or ()))
        ends = {"forward": ((p[-2], p[-1]),), "back": ((p[1], p[0]),), "both": ((p[-2], p[-1]), (p[1], p[0]))}[route.arrows]
        shortened = list(p)
        for before, tip in ends:  # the line stops at the arrowhead's base
            shortened[shortened.index(tip)] = _toward(tip, before, ARROW_LENGTH)
        path = Path(shortened[0], tuple(tuple(shortened[i : i + 3]) for i in range(1, len(p) - 2, 3)), paint)
        heads = [polyline(_arrowhead(before, tip), Paint(fill=family.colour, stroke=family.colour), closed=True) for before, tip in ends]
        title = "; ".join(f.description or f.label for f in connection.flows)
        items.append(Group((path, *heads), id=route.connection_id, cls=f"edge flow family-{family.id}", title=title))
        text = label_of(connection)
        size = theme.EDGE_FONT_SIZE
        width = text_width(text, size)
        mark = text_width(" " + theme.UNSURE_MARK, size, bold=True) if connection.unsure else 0.0
        x0 = route.label_at[0] - (width + mark) / 2
        y = height - route.label_at[1] + size * 0.35
        words: list[Item] = [
            Rect(x0 - 2, y - size * 0.95, width + mark + 4, size * 1.3, Paint(fill=theme.PAPER, fill_opacity=0.95), rx=2, cls="label-plate"),
            Text(x0, y, text, size, family.colour),
        ]
        if connection.unsure:
            words.append(Text(x0 + width + text_width(" ", size), y, theme.UNSURE_MARK, size, theme.UNSURE_COLOUR, bold=True))
        labels.append(Group(tuple(words), id=f"label-{route.connection_id}", cls="flow-label"))
    for role_id, rect in g.roles.items():
        role = next(r for r in workload.roles if r.id == role_id)
        y0 = height - (rect.y + rect.height)
        size = theme.ICON_SIZE
        parts: list[Item] = [
            Rect(rect.x, y0, rect.width, rect.height, Paint(theme.ROLE_FILL.get(role.kind, theme.PAPER), theme.ROLE_BORDER, 1.2), rx=6),
            icon(role.icon, rect.x + 6, y0 + rect.height / 2 - size / 2),
        ]
        written = role_lines(role)
        line_h = theme.NODE_FONT_SIZE * 1.25
        first = y0 + rect.height / 2 - line_h * (len(written) - 1) / 2 + theme.NODE_FONT_SIZE * 0.35
        parts += [Text(rect.x + 12 + size, first + i * line_h, words_, theme.NODE_FONT_SIZE, theme.INK) for i, words_ in enumerate(written)]
        items.append(Group(tuple(parts), id=f"role-{role_id}", cls=f"node role icon-{role.icon}", title=role.description or role.label))
    drawing = frame(items + labels, workload.title)
    return Panel(workload.id, workload.title, drawing.width, drawing.height, drawing, "")


def _toward(tip: tuple[float, float], before: tuple[float, float], length: float) -> tuple[float, float]:
    """The point `length` back from `tip` toward `before`."""
    dx, dy = before[0] - tip[0], before[1] - tip[1]
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    return tip[0] + dx / norm * length, tip[1] + dy / norm * length


def _arrowhead(before: tuple[float, float], tip: tuple[float, float]) -> list[tuple[float, float]]:
    base = _toward(tip, before, ARROW_LENGTH)
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    nx, ny = -dy / norm * ARROW_WIDTH / 2, dx / norm * ARROW_WIDTH / 2
    return [tip, (base[0] + nx, base[1] + ny), (base[0] - nx, base[1] - ny)]


__all__ = ["Panel", "finish", "frame", "render_panel", "render_panels", "render_rules", "stretch", "stretch_panel"]
