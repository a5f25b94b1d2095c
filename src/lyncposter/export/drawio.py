"""Workload panels as a draw.io (diagrams.net) file: editable shapes that keep the poster's layout.

Zones are containers holding their roles (moving a zone moves its roles), firewalls
are shapes of their own, roles carry their label and icon, connections are
connectors attached to their two roles with the protocol label on the line, in the
theme's colour and dash. Every shape and connector carries its facts as object
attributes (role, zone, kind; protocol, transport, ports, initiator, workloads,
description). One page per workload. The format is documented XML, written with the
standard library; the same workloads give the same bytes.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from .. import theme
from ..layout import connections
from ..fonts import text_width
from ..icons import ICONS
from ..layout.geometry import Geometry, Rect
from ..paint.svg import fragment
from ..model import Workload
from ..render import panel_geometry

MARGIN = 20.0


def _style(**items: object) -> str:
    """draw.io's style string; a key given None stands alone (`text;` names the text shape)."""
    return ";".join(k if v is None else f"{k}={v}" for k, v in items.items()) + ";"


def _icon(icon: str) -> str:
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
        f"{fragment(ICONS[icon])}</svg>"
    )
    return "data:image/svg+xml," + base64.b64encode(svg.encode()).decode()  # draw.io's form: no ';base64'


def _dash(style: str) -> dict[str, object]:
    dashes = theme.DASHES.get(style)
    return {"dashed": 1, "dashPattern": " ".join(f"{d:g}" for d in dashes)} if dashes else {"dashed": 0}


class _Page:
    """Coordinates in draw.io's frame: origin top left, y down, with a margin."""

    def __init__(self, g: Geometry):
        self.height = g.top  # the title too

    def box(self, r: Rect, parent: Rect | None = None) -> dict[str, str]:
        x, y = r.x + MARGIN, self.height - (r.y + r.height) + MARGIN
        if parent is not None:  # children are placed relative to their container
            x -= parent.x + MARGIN
            y -= self.height - (parent.y + parent.height) + MARGIN
        return {"x": f"{x:.2f}", "y": f"{y:.2f}", "width": f"{r.width:.2f}", "height": f"{r.height:.2f}", "as": "geometry"}

    def point(self, p: tuple[float, float]) -> dict[str, str]:
        return {"x": f"{p[0] + MARGIN:.2f}", "y": f"{self.height - p[1] + MARGIN:.2f}"}


def _object(root: ET.Element, ident: str, label: str, facts: dict[str, str]) -> ET.Element:
    return ET.SubElement(root, "object", {"id": ident, "label": label, **{k: v for k, v in facts.items()}})


def _text(root: ET.Element, ident: str, label: str, rect: Rect, page: _Page, size: float, colour: str, align: str) -> None:
    """Words with no box around them: a panel's title, a firewall's name."""
    obj = _object(root, ident, label, {})
    cell = ET.SubElement(
        obj,
        "mxCell",
        {
            "style": _style(text=None, html=1, align=align, verticalAlign="middle", fontStyle=1, fontSize=f"{size:g}", fontColor=colour, fontFamily=theme.FONT,
                            strokeColor="none", fillColor="none", whiteSpace="nowrap"),
            "vertex": "1",
            "parent": "1",
        },
    )
    ET.SubElement(cell, "mxGeometry", page.box(rect))


def diagram(workload: Workload, layout: Geometry | None = None) -> ET.Element:
    """One workload as a draw.io <diagram> page."""
    g = layout or panel_geometry(workload)
    page = _Page(g)
    diagram = ET.Element("diagram", {"id": workload.id, "name": workload.title})
    model = ET.SubElement(
        diagram,
        "mxGraphModel",
        {"grid": "0", "page": "1", "pageWidth": f"{g.width + 2 * MARGIN:.0f}", "pageHeight": f"{g.top + 2 * MARGIN:.0f}", "connect": "1", "arrows": "1"},
    )
    root = ET.SubElement(model, "root")
    ET.SubElement(root, "mxCell", {"id": "0"})
    ET.SubElement(root, "mxCell", {"id": "1", "parent": "0"})
    count = len(workload.catalog.zones)
    zone_of = {}
    for zone in workload.catalog.zones:
        rect = g.zones.get(zone.id)
        if rect is None:
            continue
        style = theme.zone_style(zone.order, count)
        obj = _object(root, f"zone-{zone.id}", zone.label, {"zone": zone.id})
        cell = ET.SubElement(
            obj,
            "mxCell",
            {
                "style": _style(rounded=1, arcSize=4, whiteSpace="wrap", html=1, container=1, collapsible=0, fillColor=style.fill,
                                strokeColor=style.border, verticalAlign="top", align="left", spacingLeft=8, fontStyle=1,
                                fontColor=theme.MUTED, fontSize=f"{theme.ZONE_FONT_SIZE:g}", fontFamily=theme.FONT),
                "vertex": "1",
                "parent": "1",
            },
        )
        ET.SubElement(cell, "mxGeometry", page.box(rect))
        zone_of[zone.id] = rect
    groups = {r.group.id: r.group for r in workload.roles if r.group}
    orders = {z.id: z.order for z in workload.catalog.zones}
    for group_id, rect in sorted(g.groups.items()):
        group = groups.get(group_id)
        zone_id = next((r.zone.id for r in workload.roles if r.group and r.group.id == group_id), None)
        if group is None or zone_id not in zone_of:
            continue
        obj = _object(root, f"group-{group_id}", group.label, {"group": group_id})
        cell = ET.SubElement(
            obj,
            "mxCell",
            {
                "style": _style(rounded=1, arcSize=6, html=1, dashed=1, fillColor=theme.GROUP_FILL, strokeColor=theme.zone_style(orders[zone_id], count).border,
                                verticalAlign="top", align="left", spacingLeft=6, fontColor=theme.MUTED, fontSize=f"{theme.NODE_FONT_SIZE:g}", fontFamily=theme.FONT),
                "vertex": "1",
                "parent": f"zone-{zone_id}",
            },
        )
        ET.SubElement(cell, "mxGeometry", page.box(rect, zone_of[zone_id]))
    for firewall in workload.catalog.firewalls:
        x = g.firewalls.get(firewall.id)
        if x is None:
            continue
        wall = Rect(x - theme.FIREWALL_WIDTH / 2, min(r.y for r in g.zones.values()), theme.FIREWALL_WIDTH, max(r.height for r in g.zones.values()))
        obj = _object(root, f"firewall-{firewall.id}", "", {"firewall": firewall.id, "name": firewall.label, "between": f"{firewall.outer.id} {firewall.inner.id}"})
        cell = ET.SubElement(
            obj,
            "mxCell",
            {"style": _style(rounded=0, html=1, fillColor=theme.FIREWALL_FILL, strokeColor="none"), "vertex": "1", "parent": "1"},
        )
        ET.SubElement(cell, "mxGeometry", page.box(wall))
        # the name stands above the wall, as on the poster
        size = theme.EDGE_FONT_SIZE + 1
        lines = theme.firewall_name_lines(firewall.label)
        width = max(text_width(line, size, bold=True) for line in lines) + 4
        _text(root, f"firewall-name-{firewall.id}", "<br>".join(lines), Rect(x - width / 2, wall.y + wall.height + 2, width, size * 1.25 * len(lines) + 2), page, size, theme.FIREWALL_FILL, "center")
    size = theme.TITLE_FONT_SIZE
    tx, ty = g.title_at(size)
    _text(root, "title", workload.title, Rect(tx, ty - size * 0.35, text_width(workload.title, size, bold=True) + 6, size * 1.4), page, size, theme.INK, "left")
    for role in workload.roles:
        rect = g.roles.get(role.id)
        if rect is None:
            continue
        parent = zone_of.get(role.zone.id)
        facts = {"role": role.id, "zone": role.zone.id, "kind": role.kind}
        if role.group:
            facts["group"] = role.group.id
        obj = _object(root, f"role-{role.id}", role.label, facts)
        cell = ET.SubElement(
            obj,
            "mxCell",
            {
                "style": _style(shape="label", rounded=1, whiteSpace="wrap", html=1, fillColor=theme.ROLE_FILL.get(role.kind, theme.PAPER),
                                strokeColor=theme.ROLE_BORDER, fontColor=theme.INK, fontSize=f"{theme.NODE_FONT_SIZE:g}", fontFamily=theme.FONT,
                                image=_icon(role.icon), imageWidth=f"{theme.ICON_SIZE:g}", imageHeight=f"{theme.ICON_SIZE:g}",
                                imageAlign="left", align="left", spacingLeft=f"{theme.ICON_SIZE + 6:g}"),
                "vertex": "1",
                "parent": f"zone-{role.zone.id}" if parent is not None else "1",
            },
        )
        ET.SubElement(cell, "mxGeometry", page.box(rect, parent))
    drawn = {c.id: c for c in connections(workload.flows, workload.numbered)}
    for route in g.routes:
        connection = drawn[route.connection_id]
        flow = connection.first
        family = theme.FAMILIES[flow.protocol.family]
        facts = {
            "protocol": flow.protocol.label,
            "transport": flow.transport,
            "ports": ",".join(sorted({str(p) for f in connection.flows for p in f.ports}, key=lambda s: int(s.split("-")[0]))),
            "initiator": "both" if flow.bidirectional else "source",
            "opened_by": flow.source.id if not flow.bidirectional else "either",
            "workloads": ";".join(dict.fromkeys(f.workload_id for f in connection.flows)),
            "description": "; ".join(f.description for f in connection.flows if f.description),
        }
        if connection.unsure:
            facts["unsure"] = "; ".join(f.unsure for f in connection.flows if f.unsure)
        obj = _object(root, route.connection_id, route.label + (" ?" if connection.unsure else ""), facts)
        cell = ET.SubElement(
            obj,
            "mxCell",
            {
                "style": _style(edgeStyle="none", curved=1, html=1, strokeColor=family.colour, strokeWidth=f"{family.width:g}",
                                fontColor=family.colour, fontSize=f"{theme.EDGE_FONT_SIZE:g}", fontFamily=theme.FONT, labelBackgroundColor="#ffffff",
                                endArrow="block" if route.arrows in ("forward", "both") else "none",
                                startArrow="block" if route.arrows in ("back", "both") else "none",
                                endFill=1, startFill=1, **_dash(family.style)),
                "edge": "1",
                "parent": "1",
                "source": f"role-{route.tail}",
                "target": f"role-{route.head}",
            },
        )
        geometry_el = ET.SubElement(cell, "mxGeometry", {"relative": "1", "as": "geometry"})
        on_curve = route.spline[3:-1:3]  # the spline's own points between its ends (no control point, no arrow tip)
        if on_curve:
            points = ET.SubElement(geometry_el, "Array", {"as": "points"})
            for p in on_curve:
                ET.SubElement(points, "mxPoint", page.point(p))
    return diagram


def drawio_file(workloads: Iterable[Workload], layouts: dict[str, Geometry] | None = None) -> bytes:
    """A .drawio file with one page per workload (laid out by Graphviz unless `layouts` has its geometry)."""
    top = ET.Element("mxfile", {"host": "lyncposter", "type": "device"})
    for workload in workloads:
        top.append(diagram(workload, (layouts or {}).get(workload.id)))
    ET.indent(top, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(top, encoding="utf-8") + b"\n"
