"""Laid-out SVG → finished panel: the render step.

Graphviz places the boxes and lines; this step draws what it cannot: zone
columns of equal height, the firewalls between them, each role's icon as
vector shapes inside the SVG, and a white plate behind every connection label
so it stays readable where lines cross. The result is a `Panel`, a plain value
that the PDF composer and other outputs consume without re-running layout.
"""

from __future__ import annotations

import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from . import theme
from .fonts import text_width
from .cache import SignedCache, SvgCache, alias_key, panel_key
from .errors import RenderError
from .layout.engine import TIMEOUT, LayoutTimeout, run_dot, stop_all
from .model import Workload
from .progress import progress

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)
FIREWALL_TEXT = theme.EDGE_FONT_SIZE + 1
_PAIR = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")


def _tag(name: str) -> str:
    return f"{{{SVG}}}{name}"


@dataclass(frozen=True)
class Panel:
    """One workload, laid out and drawn: everything later steps need, as plain data."""

    workload_id: str
    title: str
    width: float  # points at 100 %
    height: float
    svg: str
    dot: str


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def _shape_box(group: ET.Element) -> Box | None:
    """Bounding box of the first path or polygon in a Graphviz node or cluster group."""
    for element in group.iter():
        if element.tag in (_tag("path"), _tag("polygon")):
            text = element.get("d") or element.get("points") or ""
            pairs = [(float(x), float(y)) for x, y in _PAIR.findall(text)]
            if pairs:
                xs, ys = zip(*pairs)
                return Box(min(xs), min(ys), max(xs), max(ys))
    return None


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def render_panel(workload: Workload, timeout: float = TIMEOUT, spread: float = 1.0) -> Panel:
    """Lay out and draw one workload (its roles spread apart by `spread`, see `workload_dot`); a
    layout that takes over `timeout` seconds is stopped."""
    from .layout.dot import workload_dot  # networkx and graphviz: only when a panel is laid out

    dot = workload_dot(workload, spread)
    try:
        svg = run_dot(dot, "svg", timeout)
    except LayoutTimeout as exc:
        raise RenderError(f"{workload.id} ({workload.title}): {exc}; the previous outputs are kept") from None
    root = ET.fromstring(svg)
    graph = root.find(_tag("g"))
    assert graph is not None, "Graphviz SVG always has a top-level graph group"
    graph.remove(next(e for e in graph if e.tag == _tag("polygon")))  # Graphviz's page background
    _plate_labels(graph)  # first: a label's plate is part of the drawing the zones must hold
    zones = _level_zones(graph, workload)
    _draw_icons(graph)
    _draw_firewalls(graph, workload, zones)
    width, height = _frame(root, graph, workload.title)
    root.set("data-workload", workload.id)
    # ElementTree's prefix registry is global and other libraries set it too (the vsdx package
    # makes its own namespace the default on import): claim it for SVG right where it matters
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    text = ET.tostring(root, encoding="unicode")
    return Panel(workload.id, workload.title, width, height, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n", dot)


def render_panels(
    workloads: Iterable[Workload], jobs: int | None = None, timeout: float = TIMEOUT, cache: SvgCache | None = None, spread: float = 1.0
) -> list[Panel]:
    """Render several workloads at once, one Graphviz process per core; order is kept. With a
    cache, a panel whose inputs did not change is not laid out again."""
    workloads = list(workloads)
    jobs = jobs or min(len(workloads), os.cpu_count() or 1) or 1
    keys = panel_keys(workloads, cache, spread) if cache is not None else [""] * len(workloads)
    with progress(len(workloads), "Laying out panels") as step:

        def one(workload: Workload, key: str) -> Panel:
            panel = cache.get(key) if cache is not None else None
            if not isinstance(panel, Panel):
                panel = render_panel(workload, timeout, spread)
                if cache is not None:
                    cache.put(key, panel)
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


def panel_keys(workloads: Iterable[Workload], cache: SignedCache, spread: float = 1.0) -> list[str]:
    """Each workload's panel key: the hash of its DOT text. A workload this cache has seen
    finds its key by its content alone, so a warm cache writes no DOT (and loads no networkx)."""
    keys = []
    for workload in workloads:
        alias = alias_key(repr(workload), repr(workload.catalog), f"spread {spread!r}")
        key = cache.get(alias, ".key")
        if not isinstance(key, str):
            from .layout.dot import workload_dot

            key = panel_key(workload_dot(workload, spread))
            cache.put(alias, key, ".key")
        keys.append(key)
    return keys


def _content_box(graph: ET.Element) -> Box:
    """Everything drawn, in graph coordinates (control points bound the curves). An icon is drawn in
    its own 24-unit box, placed by a transform, so its shapes are not in graph coordinates: they
    are inside their role's box, which counts."""
    xs: list[float] = []
    ys: list[float] = []
    stack = [graph]
    while stack:
        element = stack.pop()
        if "icon" in _classes(element):
            continue
        stack.extend(element)
        tag = element.tag
        if tag == _tag("path"):  # Graphviz writes M then cubic segments: bound the curve, not its handles
            points = [(float(x), float(y)) for x, y in _PAIR.findall(element.get("d") or "")]
            for x, y in _curve_extremes(points):
                xs.append(x)
                ys.append(y)
        elif tag == _tag("polygon"):
            for x, y in _PAIR.findall(element.get("points") or ""):
                xs.append(float(x))
                ys.append(float(y))
        elif tag == _tag("text"):  # height from the font size; widths stay inside the shapes
            y, size = float(element.get("y", 0)), float(element.get("font-size", 0))
            ys += [y - size, y + size * 0.3]
        elif tag == _tag("rect"):
            x, y = float(element.get("x", 0)), float(element.get("y", 0))
            xs += [x, x + float(element.get("width", 0))]
            ys += [y, y + float(element.get("height", 0))]
    return Box(min(xs), min(ys), max(xs), max(ys))


def _curve_extremes(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points that bound a path of cubic Bézier segments (start, then three points per segment):
    each segment's ends and the points where it turns in x or in y."""
    if len(points) < 4 or (len(points) - 1) % 3:
        return points  # not a chain of cubics: its points bound it
    out = [points[0]]
    for i in range(0, len(points) - 1, 3):
        p0, p1, p2, p3 = points[i : i + 4]
        out.append(p3)
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
                    out.append(
                        tuple(u**3 * p0[k] + 3 * u * u * t * p1[k] + 3 * u * t * t * p2[k] + t**3 * p3[k] for k in (0, 1))  # type: ignore[arg-type]
                    )
    return out


def _frame(root: ET.Element, graph: ET.Element, title: str) -> tuple[float, float]:
    """Crop the canvas to what is drawn, with the title above it; return the size in points."""
    box = _content_box(graph)
    pad = 10.0
    title_size = theme.TITLE_FONT_SIZE
    x0, y0 = box.x0 - pad, box.y0 - pad - title_size * 1.6
    # wide enough for the title even when the drawing is narrow
    x1 = max(box.x1, box.x0 + text_width(title, title_size, bold=True)) + pad
    y1 = box.y1 + pad
    width, height = x1 - x0, y1 - y0
    graph.insert(
        1,
        ET.Element(
            _tag("rect"),
            {"class": "background", "x": _fmt(x0), "y": _fmt(y0), "width": _fmt(width), "height": _fmt(height), "fill": theme.PAPER},
        ),
    )
    heading = ET.Element(
        _tag("text"),
        {
            "class": "panel-title",
            "x": _fmt(box.x0),
            "y": _fmt(y0 + pad + title_size * 0.8),
            "font-family": theme.FONT,
            "font-weight": "bold",
            "font-size": _fmt(title_size),
            "fill": theme.INK,
        },
    )
    heading.text = title
    graph.insert(2, heading)
    graph.attrib.pop("transform", None)  # the viewBox now places the drawing
    root.set("viewBox", f"{_fmt(x0)} {_fmt(y0)} {_fmt(width)} {_fmt(height)}")
    root.set("width", f"{_fmt(width)}pt")
    root.set("height", f"{_fmt(height)}pt")
    return round(width, 2), round(height, 2)


@dataclass(frozen=True)
class ZoneColumns:
    """Where each zone's column stands once levelled, and the shared top and bottom."""

    boxes: dict[str, Box]
    top: float
    bottom: float


def _level_zones(graph: ET.Element, workload: Workload) -> ZoneColumns:
    """Redraw every zone as a column spanning the whole height of the drawing."""
    from .layout.dot import zone_cluster_id

    zones = []
    for zone in workload.catalog.zones:
        group = graph.find(f"{_tag('g')}[@id='{zone_cluster_id(zone.id)}']")
        if group is not None:
            box = _shape_box(group)
            if box is not None:
                zones.append((zone, group, box))
    if not zones:
        return ZoneColumns({}, 0, 0)
    drawn = _content_box(graph)  # lines routed around a cluster stay inside the columns
    top = min(drawn.y0, min(b.y0 for _, _, b in zones))
    bottom = drawn.y1
    # ... and so do lines routed around the outermost roles: the outer columns reach the drawing's sides
    zones.sort(key=lambda z: z[2].x0)
    drawn_x0 = {zone.id: box.x0 for zone, _, box in zones}
    first = zones[0]
    zones[0] = (first[0], first[1], Box(min(first[2].x0, drawn.x0), first[2].y0, first[2].x1, first[2].y1))
    last = zones[-1]
    zones[-1] = (last[0], last[1], Box(last[2].x0, last[2].y0, max(last[2].x1, drawn.x1), last[2].y1))
    for zone, group, box in zones:
        shape = next(e for e in group if e.tag in (_tag("path"), _tag("polygon")))
        style = theme.zone_style(zone.order, len(workload.catalog.zones))
        rect = ET.Element(
            _tag("rect"),
            {
                "x": _fmt(box.x0),
                "y": _fmt(top),
                "width": _fmt(box.x1 - box.x0),
                "height": _fmt(bottom - top),
                "rx": "8",
                "fill": style.fill,
                "stroke": style.border,
            },
        )
        group.insert(list(group).index(shape), rect)
        group.remove(shape)
        shift = box.x0 - drawn_x0[zone.id]  # a heading stays in its column's corner
        for label in group.findall(_tag("text")):
            label.set("y", _fmt(float(label.get("y", "0")) - box.y0 + top))
            label.set("x", _fmt(float(label.get("x", "0")) + shift))
    return ZoneColumns({zone.id: Box(box.x0, top, box.x1, bottom) for zone, _, box in zones}, top, bottom)


def _draw_firewalls(graph: ET.Element, workload: Workload, zones: ZoneColumns) -> None:
    """A wall in the gap between two neighbouring zones: above the zones, beneath lines and boxes."""
    clusters = [e for e in graph if e.tag == _tag("g") and "cluster" in _classes(e)]
    if not clusters:
        return
    position = list(graph).index(clusters[-1]) + 1
    for firewall in workload.catalog.firewalls:
        outer, inner = zones.boxes.get(firewall.outer.id), zones.boxes.get(firewall.inner.id)
        if outer is None or inner is None:
            continue
        x = (outer.x1 + inner.x0) / 2
        graph.insert(position, _firewall(firewall.id, firewall.label, x, zones.top, zones.bottom))
        position += 1
        # the zones reach the wall: a zone ends where its firewall stands
        reach = theme.FIREWALL_WIDTH / 2 + theme.WALL_GAP
        for zone_id, edge in ((firewall.outer.id, "right"), (firewall.inner.id, "left")):
            group = graph.find(f"{_tag('g')}[@id='zone-{zone_id}']")
            rect = group.find(_tag("rect")) if group is not None else None
            if rect is None:
                continue
            left, width = float(rect.get("x", "0")), float(rect.get("width", "0"))
            if edge == "right":
                rect.set("width", _fmt(max(width, x - reach - left)))
            else:
                shift = left - (x + reach)
                if shift > 0:
                    rect.set("x", _fmt(x + reach))
                    rect.set("width", _fmt(width + shift))


def _firewall(ident: str, label: str, x: float, top: float, bottom: float) -> ET.Element:
    """A brick wall the height of the panel, its name written up the middle."""
    w = theme.FIREWALL_WIDTH
    g = ET.Element(_tag("g"), {"id": f"firewall-{ident}", "class": "firewall"})
    ET.SubElement(g, _tag("title")).text = label
    ET.SubElement(
        g,
        _tag("rect"),
        {"x": _fmt(x - w / 2), "y": _fmt(top), "width": _fmt(w), "height": _fmt(bottom - top), "fill": theme.FIREWALL_FILL},
    )
    # the mortar is one path, not a line per brick: readers of the SVG (svglib, browsers) stay fast
    course = 7.0
    d = []
    row = 0
    y = top + course
    while y < bottom:
        joint = x - w / 4 if row % 2 else x + w / 4
        d.append(f"M{_fmt(x - w / 2)},{_fmt(y)}H{_fmt(x + w / 2)}M{_fmt(joint)},{_fmt(y - course)}V{_fmt(y)}")
        y += course
        row += 1
    ET.SubElement(g, _tag("path"), {"d": "".join(d), "fill": "none", "stroke": theme.FIREWALL_MORTAR, "stroke-width": "0.8"})
    # the name stands above the wall, where no line or label can hide it
    size = FIREWALL_TEXT
    for i, line in enumerate(reversed(theme.firewall_name_lines(label))):
        text = ET.SubElement(
            g,
            _tag("text"),
            {
                "x": _fmt(x),
                "y": _fmt(top - 4 - i * size * 1.15),
                "text-anchor": "middle",
                "font-family": theme.FONT,
                "font-weight": "bold",
                "font-size": _fmt(size),
                "fill": theme.FIREWALL_FILL,
            },
        )
        text.text = line
    return g


def _draw_icons(graph: ET.Element) -> None:
    for node in graph.iter(_tag("g")):
        classes = _classes(node)
        if "role" not in classes:
            continue
        icon = next((c.removeprefix("icon-") for c in classes if c.startswith("icon-")), None)
        box = _shape_box(node)
        if icon not in theme.ICONS or box is None:
            continue
        # the label's first cell is an empty spacer of icon size; Graphviz writes a blank text there
        parent, spacer = next(
            ((p, t) for p in node.iter() for t in p if t.tag == _tag("text") and not (t.text or "").strip()),
            (None, None),
        )
        if parent is None or spacer is None:
            continue
        cx = float(spacer.get("x", "0")) + text_width(" ", theme.NODE_FONT_SIZE) / 2
        parent.remove(spacer)
        size = theme.ICON_SIZE
        node.append(_icon(icon, cx - size / 2, box.cy - size / 2))


def _icon(icon: str, x: float, y: float) -> ET.Element:
    """A role's icon as vector shapes, its 24-unit drawing placed at (x, y) and scaled to ICON_SIZE."""
    group = ET.Element(
        _tag("g"),
        {
            "class": f"icon icon-{icon}",
            "transform": f"translate({_fmt(x)} {_fmt(y)}) scale({_fmt(theme.ICON_SIZE / 24)})",
            "fill": theme.MUTED,
            "stroke": theme.MUTED,
        },
    )
    group.extend(ET.fromstring(f'<g xmlns="{SVG}">{theme.ICONS[icon]}</g>'))
    return group


def _plate_labels(graph: ET.Element) -> None:
    """A white plate under each connection label, sized from the font's real metrics.

    Labels and their plates move to the end of the drawing, above every line,
    so no later line runs through a port number.
    """
    edges = [e for e in graph.iter(_tag("g")) if "edge" in _classes(e)]
    for edge in edges:
        texts = [t for t in edge if t.tag == _tag("text")]
        if not texts:
            continue
        boxes = []
        for t in texts:
            size = float(t.get("font-size", theme.EDGE_FONT_SIZE))
            width = text_width(t.text or "", size, bold=t.get("font-weight") == "bold")
            x, y = float(t.get("x", "0")), float(t.get("y", "0"))
            anchor = t.get("text-anchor", "start")
            x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
            boxes.append(Box(x0, y - size * 0.8, x0 + width, y + size * 0.25))
        pad = 1.5
        plate = ET.Element(
            _tag("rect"),
            {
                "class": "label-plate",
                "x": _fmt(min(b.x0 for b in boxes) - pad),
                "y": _fmt(min(b.y0 for b in boxes) - pad),
                "width": _fmt(max(b.x1 for b in boxes) - min(b.x0 for b in boxes) + 2 * pad),
                "height": _fmt(max(b.y1 for b in boxes) - min(b.y0 for b in boxes) + 2 * pad),
                "rx": "2",
                "fill": "#ffffff",
                "fill-opacity": "0.9",
            },
        )
        label = ET.SubElement(graph, _tag("g"), {"id": f"label-{edge.get('id')}", "class": "flow-label"})
        label.append(plate)
        for t in texts:
            edge.remove(t)
            label.append(t)


def stretch_panel(panel: Panel, width: float, height: float) -> Panel:
    """The panel on a larger canvas (points at 100 %): the drawing stays as it is, centred; the zone
    columns and the firewalls grow to the new height, the outer columns to the new width. The
    title stays in the upper-left corner. A canvas no larger than the panel gives the panel back."""
    dw, dh = max(0.0, width - panel.width), max(0.0, height - panel.height)
    if dw < 0.01 and dh < 0.01:
        return panel
    root = ET.fromstring(panel.svg)
    graph = root.find(_tag("g"))
    assert graph is not None
    x0, y0, w, h = (float(v) for v in (root.get("viewBox") or "").split())
    root.set("viewBox", f"{_fmt(x0)} {_fmt(y0)} {_fmt(w + dw)} {_fmt(h + dh)}")
    root.set("width", f"{_fmt(w + dw)}pt")
    root.set("height", f"{_fmt(h + dh)}pt")
    zones = [e for e in graph if e.tag == _tag("g") and (e.get("id") or "").startswith("zone-")]
    lefts = sorted(zones, key=lambda g: float(_zone_rect(g).get("x", "0")))
    first, last = (lefts[0], lefts[-1]) if lefts else (None, None)
    children: list[ET.Element] = []
    moved: ET.Element | None = None  # consecutive roles, lines, labels and groups move as one
    for element in list(graph):
        classes = _classes(element)
        fixed = element.tag == _tag("title") or _backdrop(element)
        if not fixed:
            if moved is None:
                moved = ET.Element(_tag("g"), {"class": "stretched", "transform": f"translate({_fmt(dw / 2)},{_fmt(dh / 2)})"})
                children.append(moved)
            moved.append(element)
            continue
        moved = None
        if "background" in classes:
            element.set("width", _fmt(float(element.get("width", "0")) + dw))
            element.set("height", _fmt(float(element.get("height", "0")) + dh))
        elif element in zones:
            rect = _zone_rect(element)
            rect.set("height", _fmt(float(rect.get("height", "0")) + dh))
            grow = (dw / 2 if element is first else 0.0) + (dw / 2 if element is last else 0.0)
            if element is not first:
                rect.set("x", _fmt(float(rect.get("x", "0")) + dw / 2))
                for label in element.findall(_tag("text")):
                    label.set("x", _fmt(float(label.get("x", "0")) + dw / 2))
            rect.set("width", _fmt(float(rect.get("width", "0")) + grow))
        elif "firewall" in classes:
            wall, title = element.find(_tag("rect")), element.find(_tag("title"))
            assert wall is not None and title is not None
            x = float(wall.get("x", "0")) + theme.FIREWALL_WIDTH / 2 + dw / 2
            top = float(wall.get("y", "0"))
            element = _firewall((element.get("id") or "").removeprefix("firewall-"), title.text or "", x, top, top + float(wall.get("height", "0")) + dh)
        children.append(element)
    for element in list(graph):
        graph.remove(element)
    graph.extend(children)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    text = ET.tostring(root, encoding="unicode")
    return Panel(panel.workload_id, panel.title, w + dw, h + dh, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n", panel.dot)


def _zone_rect(group: ET.Element) -> ET.Element:
    rect = group.find(_tag("rect"))
    assert rect is not None, "a levelled zone is drawn as a rect"
    return rect


@dataclass(frozen=True)
class Layers:
    """A stretched panel in two layers, for outputs that keep each layer's drawing: the backdrop
    (background, title, zone columns, firewalls) at the box's size, and the content (roles, lines,
    labels, groups) as laid out, to be placed at (`dx`, `dy`) from the backdrop's upper-left corner.
    The content's SVG depends on the panel alone, so a new box only redraws the small backdrop."""

    backdrop: str
    content: str
    dx: float  # points at 100 %
    dy: float


def _backdrop(element: ET.Element) -> bool:
    return bool({"panel-title", "background", "firewall"} & set(_classes(element))) or (element.get("id") or "").startswith("zone-")


def panel_layers(panel: Panel, width: float, height: float) -> Layers:
    backdrop = ET.fromstring(stretch_panel(panel, width, height).svg)
    content = ET.fromstring(panel.svg)
    for root, keep in ((backdrop, True), (content, False)):
        graph = root.find(_tag("g"))
        assert graph is not None
        for element in list(graph):
            if element.tag == _tag("title") or _backdrop(element) != keep:
                graph.remove(element)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return Layers(
        head + ET.tostring(backdrop, encoding="unicode") + "\n",
        head + ET.tostring(content, encoding="unicode") + "\n",
        max(0.0, width - panel.width) / 2,
        max(0.0, height - panel.height) / 2,
    )


# --- a firewall's rules in three columns (layout/columns.py), drawn from their geometry ---------------


def render_rules(workload: Workload, firewall_id: str) -> Panel:
    """A firewall's rule drawing (`firewall.rule_workload`) from its three-column geometry: the same
    numbers the Visio and draw.io drawings of the firewall sheet are made from."""
    from .layout.columns import firewall_geometry, label_of, role_lines
    from .layout.lines import connections

    firewall = next(f for f in workload.catalog.firewalls if f.id == firewall_id)
    g, _ = firewall_geometry(workload, firewall)
    height = g.height

    def at(x: float, y: float) -> str:
        return f"{_fmt(x)},{_fmt(height - y)}"

    root = ET.Element(_tag("svg"), {"width": "1pt", "height": "1pt", "data-workload": workload.id})
    graph = ET.SubElement(root, _tag("g"), {"id": f"panel-{workload.id}", "class": "graph"})
    ET.SubElement(graph, _tag("title")).text = workload.id
    count = len(workload.catalog.zones)
    for zone in workload.catalog.zones:
        rect = g.zones.get(zone.id)
        if rect is None:
            continue
        style = theme.zone_style(zone.order, count)
        group = ET.SubElement(graph, _tag("g"), {"id": f"zone-{zone.id}", "class": "cluster"})
        y0 = height - (rect.y + rect.height)
        ET.SubElement(group, _tag("rect"), {"x": _fmt(rect.x), "y": _fmt(y0), "width": _fmt(rect.width), "height": _fmt(rect.height), "rx": "8", "fill": style.fill, "stroke": style.border})
        heading = ET.SubElement(
            group,
            _tag("text"),
            {"x": _fmt(rect.x + 12), "y": _fmt(y0 + theme.ZONE_FONT_SIZE * 1.5), "font-family": theme.FONT, "font-weight": "bold", "font-size": _fmt(theme.ZONE_FONT_SIZE), "fill": theme.MUTED},
        )
        heading.text = zone.label
    for fw_id, x in g.firewalls.items():
        top = min(height - (r.y + r.height) for r in g.zones.values())
        bottom = max(height - r.y for r in g.zones.values())
        graph.append(_firewall(fw_id, firewall.label, x, top, bottom))
    drawn = {c.id: c for c in connections(workload.flows, numbered=True)}
    labels = []
    for route in g.routes:
        connection = drawn[route.connection_id]
        family = theme.FAMILIES[connection.first.protocol.family]
        edge = ET.SubElement(graph, _tag("g"), {"id": route.connection_id, "class": f"edge flow family-{family.id}"})
        ET.SubElement(edge, _tag("title")).text = "; ".join(f.description or f.label for f in connection.flows)
        p = route.points
        stroke = {"fill": "none", "stroke": family.colour, "stroke-width": _fmt(family.width)}
        dashes = theme.DASHES.get(family.style)
        if dashes:
            stroke["stroke-dasharray"] = ",".join(_fmt(v) for v in dashes)
        ends = {"forward": ((p[-2], p[-1]),), "back": ((p[1], p[0]),), "both": ((p[-2], p[-1]), (p[1], p[0]))}[route.arrows]
        shortened = list(p)
        for before, tip in ends:  # the line stops at the arrowhead's base
            base = _toward(tip, before, ARROW_LENGTH)
            shortened[shortened.index(tip)] = base
        d = f"M{at(*shortened[0])}" + "".join(f"C{at(*shortened[i])} {at(*shortened[i + 1])} {at(*shortened[i + 2])}" for i in range(1, len(p) - 2, 3))
        ET.SubElement(edge, _tag("path"), {"d": d, **stroke})
        for before, tip in ends:
            ET.SubElement(edge, _tag("polygon"), {"points": " ".join(at(*q) for q in _arrowhead(before, tip)), "fill": family.colour, "stroke": family.colour})
        labels.append((route, connection, family))
    for role_id, rect in g.roles.items():
        role = next(r for r in workload.roles if r.id == role_id)
        group = ET.SubElement(graph, _tag("g"), {"id": f"role-{role_id}", "class": f"node role icon-{role.icon}"})
        ET.SubElement(group, _tag("title")).text = role.description or role.label
        y0 = height - (rect.y + rect.height)
        ET.SubElement(
            group,
            _tag("rect"),
            {"x": _fmt(rect.x), "y": _fmt(y0), "width": _fmt(rect.width), "height": _fmt(rect.height), "rx": "6", "fill": theme.ROLE_FILL.get(role.kind, theme.PAPER), "stroke": theme.ROLE_BORDER, "stroke-width": "1.2"},
        )
        size = theme.ICON_SIZE
        group.append(_icon(role.icon, rect.x + 6, y0 + rect.height / 2 - size / 2))
        lines = role_lines(role)
        line_h = theme.NODE_FONT_SIZE * 1.25
        first = y0 + rect.height / 2 - line_h * (len(lines) - 1) / 2 + theme.NODE_FONT_SIZE * 0.35
        for i, line in enumerate(lines):
            written = ET.SubElement(
                group,
                _tag("text"),
                {"x": _fmt(rect.x + 12 + size), "y": _fmt(first + i * line_h), "font-family": theme.FONT, "font-size": _fmt(theme.NODE_FONT_SIZE), "fill": theme.INK},
            )
            written.text = line
    for route, connection, family in labels:  # above every line: no line runs through a rule's number
        text = label_of(connection)
        size = theme.EDGE_FONT_SIZE
        width = text_width(text, size)
        mark = text_width(" " + theme.UNSURE_MARK, size, bold=True) if connection.unsure else 0.0
        x0 = route.label_at[0] - (width + mark) / 2
        y = height - route.label_at[1] + size * 0.35
        group = ET.SubElement(graph, _tag("g"), {"id": f"label-{route.connection_id}", "class": "flow-label"})
        ET.SubElement(
            group,
            _tag("rect"),
            {"class": "label-plate", "x": _fmt(x0 - 2), "y": _fmt(y - size * 0.95), "width": _fmt(width + mark + 4), "height": _fmt(size * 1.3), "rx": "2", "fill": "#ffffff", "fill-opacity": "0.95"},
        )
        label = ET.SubElement(group, _tag("text"), {"x": _fmt(x0), "y": _fmt(y), "font-family": theme.FONT, "font-size": _fmt(size), "fill": family.colour})
        label.text = text
        if connection.unsure:
            unsure = ET.SubElement(
                group,
                _tag("text"),
                {"x": _fmt(x0 + width + text_width(" ", size)), "y": _fmt(y), "font-family": theme.FONT, "font-weight": "bold", "font-size": _fmt(size), "fill": theme.UNSURE_COLOUR},
            )
            unsure.text = theme.UNSURE_MARK
    width, panel_height = _frame(root, graph, workload.title)
    ET.register_namespace("", SVG)
    ET.register_namespace("xlink", XLINK)
    return Panel(workload.id, workload.title, width, panel_height, '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n", "")


ARROW_LENGTH = 7.0
ARROW_WIDTH = 5.0


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
