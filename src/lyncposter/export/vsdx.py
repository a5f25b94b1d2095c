"""Workload panels as a Visio drawing (.vsdx): editable shapes that keep the poster's layout.

A .vsdx is an Open Packaging Convention archive of XML parts. lyncposter writes the
parts itself with the standard library: a page per workload; zones as container
shapes behind their roles; firewalls as shapes of their own; roles as rounded boxes
with their label; connections as 1-D connectors whose route follows the Graphviz
layout, glued to their two roles (moving a role in Visio drags the connector along),
with the protocol label on the line and the theme's colour, weight and dash.
Every shape carries its facts as Shape Data (role, zone, kind; protocol, transport,
ports, initiator, workloads, description). Same workloads, same bytes.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable

from .. import theme
from ..layout import connections
from ..fonts import text_width
from ..drawing import Ellipse, Path, Rect as Box
from ..icons import ICONS
from ..layout.geometry import Geometry, Rect
from ..model import Workload
from ..render import panel_geometry

NS = "http://schemas.microsoft.com/office/visio/2012/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
INCH = 72.0
MARGIN = 0.3  # inches around the drawing
PATTERNS = {"solid": 1, "bold": 1, "dashed": 2, "dotted": 3}
FILLED_ARROW = 13  # Visio's filled triangle arrowhead
EPOCH = (2026, 1, 1, 0, 0, 0)  # zip entries carry a fixed date: same input, same bytes



def _n(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".") or "0"


def _cell(parent: ET.Element, name: str, value: object, unit: str | None = None) -> None:
    attrs = {"N": name, "V": value if isinstance(value, str) else _n(float(value))}  # type: ignore[arg-type]
    if unit:
        attrs["U"] = unit
    ET.SubElement(parent, "Cell", attrs)


def _data(shape: ET.Element, facts: dict[str, str]) -> None:
    """Shape Data: one row per fact, so the drawing stays a source of facts after editing."""
    if not facts:
        return
    section = ET.SubElement(shape, "Section", {"N": "Property"})
    for name, value in facts.items():
        row = ET.SubElement(section, "Row", {"N": re.sub(r"\W", "_", name)})
        _cell(row, "Value", value, "STR")
        _cell(row, "Label", name.replace("_", " ").capitalize())
        _cell(row, "Type", "0")


def _text_style(shape: ET.Element, size_pt: float, colour: str, bold: bool = False) -> None:
    section = ET.SubElement(shape, "Section", {"N": "Character"})
    row = ET.SubElement(section, "Row", {"IX": "0"})
    _cell(row, "Size", size_pt / INCH, "PT")
    _cell(row, "Color", colour)
    _cell(row, "Style", "1" if bold else "0")


def _rectangle(shape: ET.Element, w: float, h: float) -> None:
    section = ET.SubElement(shape, "Section", {"N": "Geometry", "IX": "0"})
    for i, (t, x, y) in enumerate([("MoveTo", 0, 0), ("LineTo", w, 0), ("LineTo", w, h), ("LineTo", 0, h), ("LineTo", 0, 0)], start=1):
        row = ET.SubElement(section, "Row", {"T": t, "IX": str(i)})
        _cell(row, "X", x)
        _cell(row, "Y", y)


class _Sheet:
    """Points on the Graphviz layout → inches on the Visio page (origin lower left, y up)."""

    def __init__(self, g: Geometry):
        self.width = g.width / INCH + 2 * MARGIN
        self.height = g.top / INCH + 2 * MARGIN  # the title too

    def at(self, x: float, y: float) -> tuple[float, float]:
        return x / INCH + MARGIN, y / INCH + MARGIN


def _box_shape(
    shapes: ET.Element, ident: int, name: str, rect: Rect, sheet: _Sheet, fill: str, line: str, text: str, facts: dict[str, str],
    rounding: float = 0.08, text_size: float = theme.NODE_FONT_SIZE, text_colour: str = theme.INK, bold: bool = False,
    container: bool = False, top_text: bool = False, line_weight: float = 1.0, bare: bool = False,
) -> ET.Element:
    x, y = sheet.at(rect.x, rect.y)
    w, h = rect.width / INCH, rect.height / INCH
    shape = ET.SubElement(shapes, "Shape", {"ID": str(ident), "NameU": name, "Name": name, "Type": "Shape"})
    for cell, value in (("PinX", x + w / 2), ("PinY", y + h / 2), ("Width", w), ("Height", h), ("LocPinX", w / 2), ("LocPinY", h / 2)):
        _cell(shape, cell, value)
    _cell(shape, "FillForegnd", fill)
    _cell(shape, "FillPattern", "0" if bare else "1")  # bare: words with no box around them
    if bare:
        _cell(shape, "LinePattern", "0")
    _cell(shape, "LineColor", line)
    _cell(shape, "LineWeight", line_weight / INCH)
    _cell(shape, "Rounding", rounding)
    if top_text:
        _cell(shape, "VerticalAlign", "0")
    if container:
        user = ET.SubElement(shape, "Section", {"N": "User"})
        row = ET.SubElement(user, "Row", {"N": "msvStructureType"})
        _cell(row, "Value", "Container", "STR")
    _text_style(shape, text_size, text_colour, bold)
    _rectangle(shape, w, h)
    _data(shape, facts)
    ET.SubElement(shape, "Text").text = text
    return shape


def _align_left(shape: ET.Element, margin: float | None = None) -> None:
    """Words from the shape's left edge, as the panel writes a zone's heading and a role's label."""
    if margin is not None:
        first_section = next(i for i, child in enumerate(shape) if child.tag == "Section")  # cells come before sections
        shape.insert(first_section, ET.Element("Cell", {"N": "LeftMargin", "V": _n(margin / INCH)}))
    section = ET.SubElement(shape, "Section", {"N": "Paragraph"})
    _cell(ET.SubElement(section, "Row", {"IX": "0"}), "HorzAlign", "0")


def _text_shape(shapes: ET.Element, ident: int, name: str, rect: Rect, sheet: _Sheet, text: str, size: float, colour: str, align_left: bool = False) -> None:
    """Words with no box around them: a panel's title, a firewall's name."""
    shape = _box_shape(shapes, ident, name, rect, sheet, theme.PAPER, theme.PAPER, text, {}, rounding=0, text_size=size, text_colour=colour, bold=True, bare=True)
    if align_left:
        section = ET.SubElement(shape, "Section", {"N": "Paragraph"})
        _cell(ET.SubElement(section, "Row", {"IX": "0"}), "HorzAlign", "0")


def _page(workload: Workload, g: Geometry) -> tuple[ET.Element, float, float, dict[str, int]]:
    """The page's contents, its size in inches, and the shape id of each role."""
    sheet = _Sheet(g)
    page = ET.Element("PageContents", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    shapes = ET.SubElement(page, "Shapes")
    connects = ET.Element("Connects")
    next_id = iter(range(1, 100000))
    count = len(workload.catalog.zones)
    for zone in workload.catalog.zones:
        rect = g.zones.get(zone.id)
        if rect is not None:
            style = theme.zone_style(zone.order, count)
            zone_shape = _box_shape(shapes, next(next_id), f"zone-{zone.id}", rect, sheet, style.fill, style.border, zone.label, {"zone": zone.id},
                                    rounding=0.1, text_size=theme.ZONE_FONT_SIZE, text_colour=theme.MUTED, bold=True, container=True, top_text=True)
            _align_left(zone_shape, 6.0)
    groups = {r.group.id: r.group for r in workload.roles if r.group}
    for group_id, rect in sorted(g.groups.items()):
        group = groups.get(group_id)
        if group is None:
            continue
        shape = _box_shape(shapes, next(next_id), f"group-{group_id}", rect, sheet, theme.GROUP_FILL, theme.ROLE_BORDER, group.label,
                           {"group": group_id}, rounding=0.08, text_colour=theme.MUTED, top_text=True)
        _cell(shape, "LinePattern", "2")  # dashed, as on the poster
    if g.zones:
        bottom = min(r.y for r in g.zones.values())
        height = max(r.height for r in g.zones.values())
        for firewall in workload.catalog.firewalls:
            x = g.firewalls.get(firewall.id)
            if x is not None:
                wall = Rect(x - theme.FIREWALL_WIDTH / 2, bottom, theme.FIREWALL_WIDTH, height)
                _box_shape(shapes, next(next_id), f"firewall-{firewall.id}", wall, sheet, theme.FIREWALL_FILL, theme.FIREWALL_FILL,
                           "", {"firewall": firewall.id, "between": f"{firewall.outer.id} {firewall.inner.id}"}, rounding=0)
                # the name stands above the wall, as on the poster
                size = theme.EDGE_FONT_SIZE + 1
                lines = theme.firewall_name_lines(firewall.label)
                width = max(text_width(line, size, bold=True) for line in lines) + 4
                above = Rect(x - width / 2, bottom + height + 2, width, size * 1.25 * len(lines) + 2)
                _text_shape(shapes, next(next_id), f"firewall-name-{firewall.id}", above, sheet, "\n".join(lines), size, theme.FIREWALL_FILL)
    size = theme.TITLE_FONT_SIZE
    tx, ty = g.title_at(size)
    title = Rect(tx, ty - size * 0.35, text_width(workload.title, size, bold=True) + 4, size * 1.4)
    _text_shape(shapes, next(next_id), "title", title, sheet, workload.title, size, theme.INK, align_left=True)
    role_ids: dict[str, int] = {}
    for member in workload.roles:
        rect = g.roles.get(member.id)
        if rect is None:
            continue
        role = member
        facts = {"role": role.id, "zone": role.zone.id, "kind": role.kind, "icon": role.icon}
        if role.group:
            facts["group"] = role.group.id
        ident = next(next_id)
        box = _box_shape(shapes, ident, f"role-{role.id}", rect, sheet, theme.ROLE_FILL.get(role.kind, theme.PAPER), theme.ROLE_BORDER, role.label,
                         facts, line_weight=1.2)
        _align_left(box, theme.ICON_SIZE + 10)  # the words beside the icon
        role_ids[role.id] = ident
        if role.icon in ICONS:
            _icon_shape(shapes, next(next_id), f"icon-{role.id}", role.icon, rect.x + 6, rect.y + rect.height / 2 - theme.ICON_SIZE / 2, sheet)
    drawn = {c.id: c for c in connections(workload.flows, workload.numbered)}
    for route in g.routes:
        connection = drawn[route.connection_id]
        if route.tail not in role_ids or route.head not in role_ids:
            continue
        flow = connection.first
        family = theme.FAMILIES[flow.protocol.family]
        facts = {
            "protocol": flow.protocol.label,
            "transport": flow.transport,
            "ports": ",".join(dict.fromkeys(str(p) for f in connection.flows for p in f.ports)),
            "initiator": "both" if flow.bidirectional else "source",
            "opened_by": "either" if flow.bidirectional else flow.source.id,
            "workloads": ";".join(dict.fromkeys(f.workload_id for f in connection.flows)),
            "description": "; ".join(f.description for f in connection.flows if f.description),
        }
        if connection.unsure:
            facts["unsure"] = "; ".join(f.unsure for f in connection.flows if f.unsure)
        ident = next(next_id)
        _connector(shapes, ident, route.connection_id, [sheet.at(*p) for p in route.points], [sheet.at(*p) for p in route.spline], sheet.at(*route.label_at),
                   route.label + (" ?" if connection.unsure else ""), family, route.arrows, facts)
        for end, role_id in (("Begin", route.tail), ("End", route.head)):
            ET.SubElement(
                connects,
                "Connect",
                {"FromSheet": str(ident), "FromCell": f"{end}X", "FromPart": "9" if end == "Begin" else "12",
                 "ToSheet": str(role_ids[role_id]), "ToCell": "PinX", "ToPart": "3"},
            )
    page.append(connects)
    return page, sheet.width, sheet.height, role_ids


CURVE_STEPS = 8  # points per Bézier segment in a Visio connector


def _icon_outline(item: object) -> tuple[list[tuple[float, float]], bool] | None:
    """An icon shape as a polyline in its 24-unit box (y downwards), and whether it is filled."""
    if isinstance(item, Box):
        x0, y0, x1, y1 = item.x, item.y, item.x + item.width, item.y + item.height
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], item.paint.fill is not None
    if isinstance(item, Ellipse):
        steps = 24
        ring = [(item.cx + item.rx * math.cos(2 * math.pi * k / steps), item.cy + item.ry * math.sin(2 * math.pi * k / steps)) for k in range(steps + 1)]
        return ring, item.paint.fill is not None
    if isinstance(item, Path):
        points = [item.start]
        for segment in item.segments:
            points += _sampled([points[-1], *segment])[1:] if len(segment) == 3 else [segment[0]]
        if item.closed:
            points.append(item.start)
        return points, item.paint.fill is not None
    return None


def _icon_shape(shapes: ET.Element, ident: int, name: str, icon: str, x: float, y: float, sheet: _Sheet) -> None:
    """A role's icon, the same shapes as on the panel, its lower-left corner at (x, y) in points."""
    size = theme.ICON_SIZE
    scale = size / 24 / INCH
    px, py = sheet.at(x, y)
    shape = ET.SubElement(shapes, "Shape", {"ID": str(ident), "NameU": name, "Name": name, "Type": "Shape"})
    w = size / INCH
    for cell, value in (("PinX", px + w / 2), ("PinY", py + w / 2), ("Width", w), ("Height", w), ("LocPinX", w / 2), ("LocPinY", w / 2)):
        _cell(shape, cell, value)
    _cell(shape, "FillForegnd", theme.MUTED)
    _cell(shape, "LineColor", theme.MUTED)
    _cell(shape, "LineWeight", 1.6 * size / 24 / INCH)
    for index, item in enumerate(ICONS[icon]):
        found = _icon_outline(item)
        if found is None:
            continue
        points, filled = found
        section = ET.SubElement(shape, "Section", {"N": "Geometry", "IX": str(index)})
        _cell(section, "NoFill", "0" if filled else "1")
        _cell(section, "NoLine", "1" if filled else "0")
        for i, (u, v) in enumerate(points, start=1):
            row = ET.SubElement(section, "Row", {"T": "MoveTo" if i == 1 else "LineTo", "IX": str(i)})
            _cell(row, "X", u * scale)
            _cell(row, "Y", (24 - v) * scale)


def _sampled(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A Graphviz spline (start, then control, control, end per segment) as a fine polyline."""
    if len(points) < 4 or (len(points) - 1) % 3:
        return points
    found = [points[0]]
    for i in range(0, len(points) - 3, 3):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[i : i + 4]
        for k in range(1, CURVE_STEPS + 1):
            t = k / CURVE_STEPS
            a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
            found.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return found


def _connector(
    shapes: ET.Element, ident: int, name: str, points: list[tuple[float, float]], spline: list[tuple[float, float]], label_at: tuple[float, float],
    text: str, family: theme.Family, arrows: str, facts: dict[str, str],
) -> None:
    """A 1-D connector from the route's first point to its last (the arrows' tips), drawn along
    the spline (`spline`, sampled), its text where Graphviz put the label."""
    (bx, by), (ex, ey) = points[0], points[-1]
    length = math.hypot(ex - bx, ey - by) or 1e-6
    angle = math.atan2(ey - by, ex - bx)
    ux, uy = (ex - bx) / length, (ey - by) / length

    def local(p: tuple[float, float]) -> tuple[float, float]:
        dx, dy = p[0] - bx, p[1] - by
        return dx * ux + dy * uy, -dx * uy + dy * ux

    shape = ET.SubElement(shapes, "Shape", {"ID": str(ident), "NameU": name, "Name": name, "Type": "Shape"})
    for cell, value in (("PinX", (bx + ex) / 2), ("PinY", (by + ey) / 2), ("Width", length), ("Height", 0), ("Angle", angle),
                        ("LocPinX", length / 2), ("LocPinY", 0), ("BeginX", bx), ("BeginY", by), ("EndX", ex), ("EndY", ey)):
        _cell(shape, cell, value)
    _cell(shape, "ObjType", "2")
    _cell(shape, "LineColor", family.colour)
    _cell(shape, "LineWeight", family.width / INCH)
    _cell(shape, "LinePattern", str(PATTERNS.get(family.style, 1)))
    _cell(shape, "EndArrow", str(FILLED_ARROW if arrows in ("forward", "both") else 0))
    _cell(shape, "BeginArrow", str(FILLED_ARROW if arrows in ("back", "both") else 0))
    tx, ty = local(label_at)
    width = max(0.6, len(text) * theme.EDGE_FONT_SIZE * 0.72 / INCH + 0.25)  # room enough that no client wraps it
    for cell, value in (("TxtPinX", tx), ("TxtPinY", ty), ("TxtWidth", width), ("TxtHeight", theme.EDGE_FONT_SIZE * 1.6 / INCH),
                        ("TxtLocPinX", width / 2), ("TxtLocPinY", theme.EDGE_FONT_SIZE * 0.8 / INCH), ("TxtAngle", -angle)):
        _cell(shape, cell, value)
    _cell(shape, "TextBkgnd", "#ffffff")
    _text_style(shape, theme.EDGE_FONT_SIZE, family.colour)
    geometry_section = ET.SubElement(shape, "Section", {"N": "Geometry", "IX": "0"})
    _cell(geometry_section, "NoFill", "1")
    # the curve the panel draws, each Bézier segment sampled finely, each arrow's tip reached by a straight stroke
    route = _sampled(spline)
    route = ([points[0]] if points[0] != route[0] else []) + route + ([points[-1]] if points[-1] != route[-1] else [])
    for i, p in enumerate(route, start=1):
        row = ET.SubElement(geometry_section, "Row", {"T": "MoveTo" if i == 1 else "LineTo", "IX": str(i)})
        x, y = local(p)
        _cell(row, "X", x)
        _cell(row, "Y", y)
    _data(shape, facts)
    ET.SubElement(shape, "Text").text = text


def _xml(element: ET.Element, namespace: str = NS) -> bytes:
    """A part's XML. Elements are built unqualified and the root declares the namespace: ElementTree's
    prefix registry is global, and registering one here would change how SVG panels serialize."""
    element.set("xmlns", namespace)
    if namespace == NS:
        element.set("xmlns:r", REL_NS)
    body = ET.tostring(element, encoding="unicode")
    return b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n' + body.encode("utf-8")


def _relationships(items: list[tuple[str, str, str]]) -> bytes:
    root = ET.Element("Relationships")
    for ident, kind, target in items:
        ET.SubElement(root, "Relationship", {"Id": ident, "Type": kind, "Target": target})
    return _xml(root, PKG_REL)


def vsdx_file(workloads: Iterable[Workload], title: str = "", layouts: dict[str, Geometry] | None = None) -> bytes:
    """A .vsdx file with one page per workload."""
    workloads = list(workloads)
    pages = [(w, _page(w, (layouts or {}).get(w.id) or panel_geometry(w))) for w in workloads]
    parts: dict[str, bytes] = {}
    types = ET.Element("Types")
    ET.SubElement(types, "Default", {"Extension": "rels", "ContentType": "application/vnd.openxmlformats-package.relationships+xml"})
    ET.SubElement(types, "Default", {"Extension": "xml", "ContentType": "application/xml"})
    overrides = [
        ("/visio/document.xml", "application/vnd.ms-visio.drawing.main+xml"),
        ("/visio/pages/pages.xml", "application/vnd.ms-visio.pages+xml"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    ] + [(f"/visio/pages/page{i}.xml", "application/vnd.ms-visio.page+xml") for i in range(1, len(pages) + 1)]
    for name, kind in overrides:
        ET.SubElement(types, "Override", {"PartName": name, "ContentType": kind})
    parts["[Content_Types].xml"] = _xml(types, CONTENT_TYPES)
    parts["_rels/.rels"] = _relationships(
        [
            ("rId1", "http://schemas.microsoft.com/visio/2010/relationships/document", "visio/document.xml"),
            ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
            ("rId3", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties", "docProps/app.xml"),
        ]
    )
    core = (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + _escape(title) + "</dc:title><dc:creator>lyncposter</dc:creator></cp:coreProperties>"
    )
    parts["docProps/core.xml"] = core.encode()
    parts["docProps/app.xml"] = (
        b'<?xml version="1.0" encoding="utf-8" standalone="yes"?>\r\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>lyncposter</Application></Properties>'
    )
    document = ET.Element("VisioDocument", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    ET.SubElement(document, "DocumentSettings", {"TopPage": "0"})
    faces = ET.SubElement(document, "FaceNames")
    ET.SubElement(faces, "FaceName", {"NameU": theme.FONT, "UnicodeRanges": "-1 -1 0 0", "CharSets": "1 0", "Panos": "2 11 6 3 3 8 4 2 2 4", "Flags": "325"})
    parts["visio/document.xml"] = _xml(document)
    parts["visio/_rels/document.xml.rels"] = _relationships([("rId1", "http://schemas.microsoft.com/visio/2010/relationships/pages", "pages/pages.xml")])
    index = ET.Element("Pages")
    page_rels = []
    for i, (workload, (contents, width, height, _)) in enumerate(pages, start=1):
        entry = ET.SubElement(index, "Page", {"ID": str(i - 1), "NameU": workload.title, "Name": workload.title})
        sheet = ET.SubElement(entry, "PageSheet")
        for cell, value in (("PageWidth", width), ("PageHeight", height), ("PageScale", 1), ("DrawingScale", 1)):
            _cell(sheet, cell, value, "IN")
        ET.SubElement(entry, "Rel", {"r:id": f"rId{i}"})
        parts[f"visio/pages/page{i}.xml"] = _xml(contents)
        page_rels.append((f"rId{i}", "http://schemas.microsoft.com/visio/2010/relationships/page", f"page{i}.xml"))
    parts["visio/pages/pages.xml"] = _xml(index)
    parts["visio/pages/_rels/pages.xml.rels"] = _relationships(page_rels)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
