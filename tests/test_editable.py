"""Editable drawings: every panel as Visio (.vsdx) and draw.io, read back, and opened by a real client."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import pytest
from vsdx import VisioFile

import lyncposter
from lyncposter import theme
from lyncposter.cli import main
from lyncposter.export.drawio import drawio_file
from lyncposter.export.vsdx import NS, vsdx_file
from lyncposter.layout import connections
from conftest import DATA

V = f"{{{NS}}}"


@pytest.fixture(scope="session")
def exported(tmp_path_factory, dataset):
    """`lyncposter export` in both formats, once."""
    out = tmp_path_factory.mktemp("editable")
    assert main(["export", "--format", "vsdx", "--data", str(DATA), "--out", str(out)]) == 0
    assert main(["export", "--format", "drawio", "--data", str(DATA), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def converted(exported, tmp_path_factory):
    """Every .vsdx opened by LibreOffice Draw and saved as PDF, in one run."""
    out = tmp_path_factory.mktemp("libreoffice")
    profile = tmp_path_factory.mktemp("lo-profile")
    files = sorted(str(p) for p in exported.glob("*.vsdx"))
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(out), *files],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return out


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_every_panel_and_the_sheet(exported, dataset):
    for suffix in ("vsdx", "drawio"):
        names = sorted(p.name for p in exported.glob(f"*.{suffix}"))
        sheets = [f"microsoft-lync-server-2010-protocol-workloads-poster{s}-v{dataset.poster.version}.{suffix}" for s in ("", "-firewall", "-mobility")]
        assert names == sorted([f"{w.id}.{suffix}" for w in dataset.workloads] + sheets)
    sheet = exported / f"microsoft-lync-server-2010-protocol-workloads-poster-v{dataset.poster.version}.vsdx"
    with VisioFile(str(sheet)) as vis:
        assert [p.name for p in vis.pages] == [w.title for w in dataset.workloads]


WORKLOADS = [w.id for w in lyncposter.load(DATA).workloads]


@pytest.mark.parametrize("workload_id", WORKLOADS)
def test_vsdx_read_back_with_the_library(exported, dataset, workload_id):
    workload = dataset.workload(workload_id)
    with VisioFile(str(exported / f"{workload_id}.vsdx")) as vis:
        (page,) = vis.pages
        shapes = {s.shape_name: s for s in page.child_shapes}
        for role in workload.roles:
            shape = shapes[f"role-{role.id}"]
            assert shape.text == role.label
            facts = {k: v.value for k, v in shape.data_properties.items()}
            assert facts["Role"] == role.id and facts["Zone"] == role.zone.id and facts["Kind"] == role.kind
        zones = {r.zone.id for r in workload.roles}
        for zone in dataset.catalog.zones:
            if zone.id in zones:
                assert shapes[f"zone-{zone.id}"].text == zone.label
        ids = {s.ID: s.shape_name for s in page.child_shapes}
        glued = {}
        for connect in page.connects:
            glued.setdefault(ids[connect.from_id], {})[connect.from_rel] = ids[connect.to_id]
        drawn = connections(workload.flows)
        assert len(glued) == len(drawn)
        for connection in drawn:
            ends = {f"role-{connection.first.source.id}", f"role-{connection.first.target.id}"}
            assert set(glued[connection.id].values()) == ends and set(glued[connection.id]) == {"BeginX", "EndX"}
            shape = shapes[connection.id]
            assert shape.text.startswith(connection.label)
            facts = {k: v.value for k, v in shape.data_properties.items()}
            assert facts["Protocol"] == connection.first.protocol.label and facts["Transport"] == connection.first.transport
            assert facts["Initiator"] == ("both" if connection.first.bidirectional else "source")
            assert connection.first.workload_id in facts["Workloads"]


@pytest.mark.parametrize("workload_id", WORKLOADS)
def test_vsdx_parts_are_well_formed(exported, dataset, workload_id):
    with zipfile.ZipFile(exported / f"{workload_id}.vsdx") as archive:
        names = set(archive.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "visio/document.xml", "visio/pages/pages.xml", "visio/pages/page1.xml"} <= names
        page = ET.fromstring(archive.read("visio/pages/page1.xml"))
    workload = dataset.workload(workload_id)
    shapes = {s.get("NameU"): s for s in page.iter(f"{V}Shape")}
    connectors = [s for s in shapes.values() if any(c.get("N") == "ObjType" and c.get("V") == "2" for c in s.findall(f"{V}Cell"))]
    drawn = connections(workload.flows)
    assert sorted(s.get("NameU") for s in connectors) == sorted(c.id for c in drawn)
    assert {f"role-{r.id}" for r in workload.roles} <= set(shapes)
    ids = {s.get("ID"): s.get("NameU") for s in shapes.values()}
    glue = {}
    for connect in page.iter(f"{V}Connect"):
        glue.setdefault(ids[connect.get("FromSheet")], set()).add(ids[connect.get("ToSheet")])
    for connection in drawn:
        assert glue[connection.id] == {f"role-{connection.first.source.id}", f"role-{connection.first.target.id}"}
    patterns = {c.get("V") for s in connectors for c in s.findall(f"{V}Cell") if c.get("N") == "LinePattern"}
    expected = {str({"solid": 1, "bold": 1, "dashed": 2, "dotted": 3}[theme.FAMILIES[c.first.protocol.family].style]) for c in drawn}
    assert patterns == expected  # the theme's dashes


@pytest.mark.parametrize("workload_id", WORKLOADS)
def test_drawio_parsed(exported, dataset, workload_id):
    tree = ET.parse(exported / f"{workload_id}.drawio").getroot()
    (diagram,) = tree.findall("diagram")
    objects = {o.get("id"): o for o in diagram.iter("object")}
    workload = dataset.workload(workload_id)
    for role in workload.roles:
        obj = objects[f"role-{role.id}"]
        assert (obj.get("label"), obj.get("role"), obj.get("zone"), obj.get("kind")) == (role.label, role.id, role.zone.id, role.kind)
        assert obj.find("mxCell").get("parent") == f"zone-{role.zone.id}"  # inside its zone's container
        assert "image=data:image/svg+xml," in obj.find("mxCell").get("style")  # its icon
    for connection in connections(workload.flows):
        obj = objects[connection.id]
        cell = obj.find("mxCell")
        assert {cell.get("source"), cell.get("target")} == {f"role-{connection.first.source.id}", f"role-{connection.first.target.id}"}
        assert obj.get("label").startswith(connection.label) and obj.get("protocol") == connection.first.protocol.label
        assert obj.get("ports") and obj.get("initiator") in ("source", "both")
    zones = {r.zone.id for r in workload.roles}
    assert {f"zone-{z}" for z in zones} <= set(objects)


def test_same_workloads_same_bytes(dataset):
    workload = dataset.workload("cac")
    assert vsdx_file([workload], workload.title) == vsdx_file([workload], workload.title)
    assert drawio_file([workload]) == drawio_file([workload])


def test_render_by_suffix(tmp_path):
    for suffix in (".vsdx", ".drawio"):
        assert main(["render", "group-chat", "-o", str(tmp_path / f"g{suffix}"), "--data", str(DATA)]) == 0
        assert (tmp_path / f"g{suffix}").stat().st_size > 1000


def test_libreoffice_opens_every_drawing(converted, exported, dataset):
    for workload in dataset.workloads:
        pdf = converted / f"{workload.id}.pdf"
        text = _flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
        for role in workload.roles:
            assert _flat(role.label) in text, (workload.id, role.label)
        for connection in connections(workload.flows):
            assert connection.label in text, (workload.id, connection.label)
        assert _flat(workload.title) in text, workload.id  # the panel's title, as on the poster
        zones = {f.source.zone.order for f in workload.flows} | {f.target.zone.order for f in workload.flows}
        for firewall in workload.catalog.firewalls:
            if min(zones) <= firewall.outer.order and firewall.inner.order <= max(zones):
                assert all(line in text for line in theme.firewall_name_lines(firewall.label)), (workload.id, firewall.id)  # its name above its wall
    sheet = converted / f"microsoft-lync-server-2010-protocol-workloads-poster-v{dataset.poster.version}.pdf"
    pages = subprocess.run(["pdfinfo", str(sheet)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{len(dataset.workloads)}$", pages, re.M)


def test_writing_a_drawing_leaves_svg_panels_alone(dataset):
    # ElementTree's namespace registry is global: a Visio part must not change how panels serialize
    from lyncposter.render import render_panel

    workload = dataset.workload("cac")
    before = render_panel(workload).svg
    vsdx_file([workload], workload.title)
    assert render_panel(workload).svg == before
    assert "<svg " in before and "ns0:" not in before


# --- the Firewall Poster as editable drawings ---------------------------------------------------------

FIREWALL_SHEET = "microsoft-lync-server-2010-protocol-workloads-poster-firewall-v{version}"
REFERENCE_CROSSINGS = {"external-firewall": 8, "internal-firewall": 2}  # three columns, barycentre and swaps, from today's rules


def _segments_cross(p1, p2, q1, q2):
    """Where two segments cross (not at a shared end), or None."""
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = p1, p2, q1, q2
    d = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if abs(d) < 1e-9:
        return None
    t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / d
    u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / d
    if 1e-6 < t < 1 - 1e-6 and 1e-6 < u < 1 - 1e-6:
        return x1 + t * (x2 - x1), y1 + t * (y2 - y1)
    return None


def drawio_crossings(diagram) -> int:
    """Crossings between a page's connectors, each a polyline from its source box's centre through
    its points to its target box's centre; a crossing inside a role box does not count."""
    cells = {}
    for obj in diagram.iter("object"):
        cell = obj.find("mxCell")
        geometry = cell.find("mxGeometry")
        cells[obj.get("id")] = (cell, geometry)

    def absolute(ident):
        cell, g = cells[ident]
        x, y = float(g.get("x", 0)), float(g.get("y", 0))
        parent = cell.get("parent")
        if parent in cells:
            px, py, _, _ = absolute(parent)
            x, y = x + px, y + py
        return x, y, float(g.get("width", 0)), float(g.get("height", 0))

    roles = {i: absolute(i) for i in cells if i.startswith("role-")}
    lines = []
    for ident, (cell, g) in cells.items():
        if cell.get("edge") != "1":
            continue
        sx, sy, sw, sh = roles[cell.get("source")]
        tx, ty, tw, th = roles[cell.get("target")]
        points = [(float(p.get("x")), float(p.get("y"))) for p in g.iter("mxPoint")]
        lines.append([(sx + sw / 2, sy + sh / 2), *points, (tx + tw / 2, ty + th / 2)])
    count = 0
    for i, a in enumerate(lines):
        for b in lines[i + 1 :]:
            for p1, p2 in zip(a, a[1:]):
                for q1, q2 in zip(b, b[1:]):
                    at = _segments_cross(p1, p2, q1, q2)
                    if at and not any(x <= at[0] <= x + w and y <= at[1] <= y + h for x, y, w, h in roles.values()):
                        count += 1
    return count


def test_crossings_are_counted_as_drawn():
    import xml.etree.ElementTree as ET

    page = ET.fromstring(
        '<diagram><mxGraphModel><root>'
        '<object id="role-a"><mxCell vertex="1"><mxGeometry x="0" y="0" width="10" height="10"/></mxCell></object>'
        '<object id="role-b"><mxCell vertex="1"><mxGeometry x="0" y="100" width="10" height="10"/></mxCell></object>'
        '<object id="role-c"><mxCell vertex="1"><mxGeometry x="100" y="0" width="10" height="10"/></mxCell></object>'
        '<object id="role-d"><mxCell vertex="1"><mxGeometry x="100" y="100" width="10" height="10"/></mxCell></object>'
        '<object id="x"><mxCell edge="1" source="role-a" target="role-d"><mxGeometry/></mxCell></object>'
        '<object id="y"><mxCell edge="1" source="role-b" target="role-c"><mxGeometry/></mxCell></object>'
        '<object id="z"><mxCell edge="1" source="role-a" target="role-c"><mxGeometry/></mxCell></object>'
        "</root></mxGraphModel></diagram>"
    )
    assert drawio_crossings(page) == 1  # x and y cross once; z shares its ends' boxes with them


def test_the_firewall_sheet_is_a_page_per_firewall_with_few_crossings(exported, dataset):
    import xml.etree.ElementTree as ET

    top = ET.parse(exported / (FIREWALL_SHEET.format(version=dataset.poster.version) + ".drawio")).getroot()
    pages = {d.get("id"): d for d in top.iter("diagram")}
    assert list(pages) == ["firewall-external-firewall", "firewall-internal-firewall"]
    assert [d.get("name") for d in pages.values()] == ["External firewall: 24 rules", "Internal firewall: 17 rules"]
    for firewall, reference in REFERENCE_CROSSINGS.items():
        page = pages[f"firewall-{firewall}"]
        found = drawio_crossings(page)
        assert found <= 1.25 * reference + 1, (firewall, found)
        numbers = " ".join(o.get("label", "") for o in page.iter("object"))
        rules = lyncposter.firewall_rules(dataset)[0 if firewall.startswith("external") else 1].rules
        assert all(re.search(rf"#(\d+/)?{r.number}\b|#{r.number}/", numbers) for r in rules)


def test_libreoffice_opens_the_firewall_sheet_with_every_rule_number(converted, dataset):
    pdf = converted / (FIREWALL_SHEET.format(version=dataset.poster.version) + ".pdf")
    text = _flat(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for rules in lyncposter.firewall_rules(dataset):
        for rule in rules.rules:
            assert re.search(rf"#(\d+/)*{rule.number}(/\d+)* ", text), (rules.firewall.id, rule.number)
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+2$", pages, re.M)


def test_vsdx_connectors_follow_the_curve_not_its_control_points(exported, dataset):
    """Every point of every connector, placed on the page as Visio places it (pin, angle), lies
    within the height of the zones, which reach the lowest line on the panel. A route drawn
    through Graphviz's control points (as it once was: a route keeps its arrow tips beside the
    spline) dips below them on the Enterprise Voice page."""
    import math

    for workload in dataset.workloads:
        with zipfile.ZipFile(exported / f"{workload.id}.vsdx") as archive:
            page = ET.fromstring(archive.read("visio/pages/page1.xml"))
        shapes = list(page.iter(f"{V}Shape"))

        def cells(shape):
            return {c.get("N"): float(c.get("V")) for c in shape.findall(f"{V}Cell") if re.fullmatch(r"-?[\d.]+", c.get("V") or "")}

        zones = [cells(s) for s in shapes if (s.get("NameU") or "").startswith("zone-")]
        if not zones:
            continue
        low = min(z["PinY"] - z["Height"] / 2 for z in zones)
        high = max(z["PinY"] + z["Height"] / 2 for z in zones)
        for shape in shapes:
            if not (shape.get("NameU") or "").startswith("flow-"):
                continue
            c = cells(shape)
            cos, sin = math.cos(c["Angle"]), math.sin(c["Angle"])
            for row in shape.iter(f"{V}Row"):
                at = {x.get("N"): float(x.get("V")) for x in row.findall(f"{V}Cell") if x.get("N") in ("X", "Y")}
                if row.get("T") not in ("MoveTo", "LineTo") or len(at) < 2:
                    continue
                dx, dy = at["X"] - c["LocPinX"], at["Y"] - c["LocPinY"]
                y = c["PinY"] + dx * sin + dy * cos
                assert low - 0.02 <= y <= high + 0.02, (workload.id, shape.get("NameU"), round(y, 2), round(low, 2))


def test_drawio_waypoints_lie_on_the_curve(dataset):
    """A draw.io connector curves through the spline's own points, never a control point or an
    arrow's tip: the points a route keeps are the tips, then the Bézier chain."""
    from lyncposter.export.drawio import _Page, diagram
    from lyncposter.render import render_panels

    backward = 0
    for panel, workload in zip(render_panels(dataset.workloads), dataset.workloads):
        g = panel.geometry
        page = _Page(g)
        page_xml = diagram(workload, g)
        cells = {o.get("id"): o.find("mxCell") for o in page_xml.iter("object")}
        for route in g.routes:
            joins = {tuple(page.point(p).values()) for p in route.spline[::3]}
            waypoints = {(p.get("x"), p.get("y")) for p in cells[route.connection_id].iter("mxPoint")}
            assert waypoints <= joins, (workload.id, route.connection_id)
            backward += route.arrows != "forward" and bool(waypoints)
    assert backward  # lines with a tip at their start are among them
