"""A panel's layout as plain values, read from the one `dot -Tjson` run per panel.

Two readings of the same output: positions (where each role's box is, each zone's
column, each connection's route and label; points, origin at the lower left, y upwards,
as Graphviz gives them), which the editable drawings (Visio, draw.io) are made from once
the render step has levelled the zones and placed the walls; and `pictures`, what
Graphviz drew of each zone, group, role and line as shapes and text (`drawing.py`, y
downwards), which the render step finishes into the panel every painter draws.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any

from .. import theme
from ..drawing import Ellipse, Group, Item, Paint, Path, Text
from ..model import Workload
from .lines import connections


@dataclass(frozen=True)
class Rect:
    x: float  # lower-left corner
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Route:
    """One drawn connection: from the role it is written from to the other, through `points`."""

    connection_id: str
    tail: str  # role ids, in the direction the line is drawn (outside in)
    head: str
    points: tuple[tuple[float, float], ...]  # the spline's points, tail end first
    label: str
    label_at: tuple[float, float]
    arrows: str  # forward, back or both: where the arrowheads are

    @property
    def spline(self) -> tuple[tuple[float, float], ...]:
        """The Bézier chain alone (start, then three points per segment): `points` holds the
        arrows' tips beside it, the end's for a forward line, the start's for a backward one."""
        chain = self.points
        extra = (len(chain) - 1) % 3
        if extra == 2:
            return chain[1:-1]
        if extra == 1:
            return chain[1:] if self.arrows == "back" else chain[:-1]
        return chain


@dataclass(frozen=True)
class Geometry:
    width: float
    height: float
    roles: dict[str, Rect]
    zones: dict[str, Rect]
    groups: dict[str, Rect]
    firewalls: dict[str, float]  # firewall id -> the x of its wall
    routes: tuple[Route, ...]
    pictures: tuple[Group, ...] = ()  # what Graphviz drew of each zone, group, line and role (y downwards)

    @property
    def content(self) -> Rect:
        """Everything drawn: zones, groups, roles and routes (their control points included)."""
        xs: list[float] = []
        ys: list[float] = []
        for r in (*self.zones.values(), *self.groups.values(), *self.roles.values()):
            xs += [r.x, r.x + r.width]
            ys += [r.y, r.y + r.height]
        for route in self.routes:
            xs += [p[0] for p in route.points]
            ys += [p[1] for p in route.points]
        if not xs:
            return Rect(0, 0, self.width, self.height)
        return Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))

    @property
    def top(self) -> float:
        """The drawing's top with its title: where a page must reach to hold it all."""
        return max(self.height, self.title_at(theme.TITLE_FONT_SIZE)[1] + theme.TITLE_FONT_SIZE * 0.6)

    def title_at(self, size: float) -> tuple[float, float]:
        """Where a drawing's title stands, as on the panel: its left edge and baseline, above the content."""
        box = self.content
        names = (theme.EDGE_FONT_SIZE + 1) * 1.15 * 2 + 4 if self.firewalls else 0.0  # the firewalls' names stand above the zones
        return box.x, box.y + box.height + names + size * 0.8


def _rect(bb: str) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in bb.split(","))
    return Rect(x0, y0, x1 - x0, y1 - y0)


def _spline(pos: str) -> tuple[list[tuple[float, float]], tuple[float, float] | None, tuple[float, float] | None]:
    """Graphviz's `pos` of an edge: its points, and the arrow tips at the end and the start, if any."""
    points: list[tuple[float, float]] = []
    end = start = None
    for part in pos.split():
        fields = part.split(",")
        if fields[0] == "e":
            end = (float(fields[1]), float(fields[2]))
        elif fields[0] == "s":
            start = (float(fields[1]), float(fields[2]))
        else:
            points.append((float(fields[0]), float(fields[1])))
    return points, start, end


def read_layout(workload: Workload, laid: dict[str, Any]) -> Geometry:
    """Graphviz's `-Tjson` output as a geometry: positions, and what Graphviz drew of each object."""
    from .dot import node_id, zone_cluster_id

    objects = laid.get("objects", [])
    by_gvid = {o["_gvid"]: o for o in objects}
    # nodes and clusters by their id (a cluster's unnamed subgraphs inherit its id, but have no box)
    ids = {o.get("id", ""): o for o in objects if "pos" in o or "bb" in o}
    bb = _rect(laid["bb"])

    roles: dict[str, Rect] = {}
    for role in workload.roles:
        node = ids.get(node_id(role.id))
        if node is None:
            continue
        x, y = (float(v) for v in node["pos"].split(","))
        w, h = float(node["width"]) * 72, float(node["height"]) * 72
        roles[role.id] = Rect(x - w / 2, y - h / 2, w, h)

    zones: dict[str, Rect] = {}
    for zone in workload.catalog.zones:
        cluster = ids.get(zone_cluster_id(zone.id))
        if cluster is not None and "bb" in cluster:
            zones[zone.id] = _rect(cluster["bb"])
    groups = {o["id"].removeprefix("group-"): _rect(o["bb"]) for o in objects if o.get("id", "").startswith("group-") and "bb" in o}

    drawn = {c.id: c for c in connections(workload.flows, workload.numbered)}
    routes = []
    for edge in laid.get("edges", []):
        connection = drawn.get(edge.get("id", ""))
        if connection is None or "pos" not in edge:
            continue
        tail = by_gvid[edge["tail"]]["id"].removeprefix("role-")
        head = by_gvid[edge["head"]]["id"].removeprefix("role-")
        points, start, end = _spline(edge["pos"])
        if start is not None:
            points = [start] + points
        if end is not None:
            points = points + [end]
        label_at = tuple(float(v) for v in edge["lp"].split(",")) if "lp" in edge else points[len(points) // 2]
        routes.append(Route(connection.id, tail, head, tuple(points), connection.label, (label_at[0], label_at[1]), edge.get("dir", "forward")))

    # what Graphviz drew, y downwards: clusters, then lines, then boxes
    clusters = [o for o in objects if o.get("id", "").startswith(("zone-", "group-")) and "_draw_" in o]
    nodes = [o for o in objects if "_draw_" in o and o.get("id", "").startswith("role-")]
    lines = [e for e in laid.get("edges", []) if "_draw_" in e and e.get("id", "") in drawn]
    pictures = tuple(
        Group(_ops(o.get("_draw_", []) + o.get("_hdraw_", []) + o.get("_tdraw_", []) + o.get("_ldraw_", [])), id=o["id"], cls=o.get("class", ""), title=o.get("tooltip", ""))
        for o in clusters + lines + nodes
    )
    # the walls stand where the render step puts them, between the levelled zones: it fills `firewalls`
    return Geometry(bb.width, bb.height, roles, zones, groups, {}, tuple(routes), pictures)


def _ops(ops: list[dict[str, Any]]) -> tuple[Item, ...]:
    """xdot drawing operations as shapes and text, y downwards."""
    items: list[Item] = []
    fill: str | None = None
    stroke: str | None = "#000000"
    width, size, bold = 1.0, 14.0, False
    dashes: tuple[float, ...] = ()
    for op in ops:
        kind = op["op"]
        if kind == "c":
            stroke = op["color"]
        elif kind == "C":
            fill = op["color"]
        elif kind == "S":
            style = op["style"]
            if style.startswith("setlinewidth("):
                width = float(style[len("setlinewidth(") : -1])
            elif style in ("dashed", "dotted"):
                dashes = tuple(theme.DASHES.get(style) or (5.0, 2.0))
            elif style == "solid":
                dashes = ()
        elif kind == "F":
            size, bold = float(op["size"]), "bold" in op["face"].lower()
        elif kind == "t":
            bold = bool(int(op["fontchar"]) & 1)
        elif kind in ("b", "B", "P", "p", "L"):
            points = [(float(x), -float(y)) for x, y in op["points"]]
            filled = kind in ("b", "P") or (kind == "B" and fill is not None)
            paint = Paint(fill if filled else None, stroke, width, dashes)
            if kind in ("b", "B"):
                items.append(Path(points[0], tuple(tuple(points[i : i + 3]) for i in range(1, len(points) - 2, 3)), paint))
            else:
                items.append(Path(points[0], tuple((p,) for p in points[1:]), paint, closed=kind != "L"))
        elif kind in ("E", "e"):
            cx, cy, rx, ry = (float(v) for v in op["rect"])
            items.append(Ellipse(cx, -cy, rx, ry, Paint(fill if kind == "E" else None, stroke, width, dashes)))
        elif kind == "T":
            x, y = (float(v) for v in op["pt"])
            anchor = {"l": "start", "c": "middle", "r": "end"}[op["align"]]
            items.append(Text(x, -y, op["text"], size, stroke or theme.INK, bold, anchor))
            bold = False  # a font character applies to the text it precedes
    return tuple(items)
