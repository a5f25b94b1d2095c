"""Every workload renders with real Graphviz into a portable, readable, stable SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from lyncposter.layout import connections, workload_dot
from lyncposter.render import render_panel, render_panels

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def panels(dataset):
    return {p.workload_id: p for p in render_panels(dataset.workloads)}


def _text(element: ET.Element) -> str:
    return " ".join(t.text or "" for t in element.iter(f"{SVG}text"))


def test_every_workload_renders_and_parses(dataset, panels):
    assert list(panels) == [w.id for w in dataset.workloads]
    for panel in panels.values():
        root = ET.fromstring(panel.svg.encode())
        assert root.tag == f"{SVG}svg"
        assert panel.width > 100 and panel.height > 100
        assert root.get("width") == f"{panel.width:g}pt"


def test_every_flow_label_is_on_its_panel(dataset, panels):
    for workload in dataset.workloads:
        root = ET.fromstring(panels[workload.id].svg.encode())
        labels = {g.get("id"): _text(g) for g in root.iter(f"{SVG}g") if g.get("class") == "flow-label"}
        for connection in connections(workload.flows):
            text = labels[f"label-{connection.id}"]
            for flow in connection.flows:
                assert flow.protocol.label in text, (flow.id, text)
                for port in flow.ports:
                    assert str(port) in text, (flow.id, text)


def test_unsure_flows_are_marked(dataset, panels):
    workload = dataset.workload("cac")
    root = ET.fromstring(panels["cac"].svg.encode())
    for connection in connections(workload.flows):
        label = next(g for g in root.iter(f"{SVG}g") if g.get("id") == f"label-{connection.id}")
        assert ("?" in _text(label)) == connection.unsure


def test_every_role_has_its_icon_drawn_inline(dataset, panels):
    for workload in dataset.workloads:
        root = ET.fromstring(panels[workload.id].svg.encode())
        for role in workload.roles:
            node = next(g for g in root.iter(f"{SVG}g") if g.get("id") == f"role-{role.id}")
            icons = [g for g in node.iter(f"{SVG}g") if (g.get("class") or "").startswith("icon ")]
            assert [i.get("class") for i in icons] == [f"icon icon-{role.icon}"]
            assert len(list(icons[0].iter())) > 1


def test_panels_are_portable(panels):
    for panel in panels.values():
        assert "<image" not in panel.svg
        assert "file:" not in panel.svg
        assert not re.search(r'href="(?!#)', panel.svg)


def test_firewalls_stand_between_the_zones(panels):
    root = ET.fromstring(panels["im-presence"].svg.encode())
    walls = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class") == "firewall"}
    assert set(walls) == {"firewall-external-firewall", "firewall-internal-firewall"}
    zones = {g.get("id"): g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("zone-")}
    right_of_external = float(zones["zone-external"].get("x")) + float(zones["zone-external"].get("width"))
    wall = walls["firewall-external-firewall"].find(f"{SVG}rect")
    assert right_of_external < float(wall.get("x")) < float(zones["zone-perimeter"].get("x"))
    # zone columns share one top and one height
    assert len({(z.get("y"), z.get("height")) for z in zones.values()}) == 1


def test_text_is_readable_at_full_size(panels):
    for panel in panels.values():
        sizes = {float(s) for s in re.findall(r'font-size="([\d.]+)"', panel.svg)}
        assert min(sizes) >= 9, panel.workload_id


def test_an_internal_only_workload_has_no_firewall(dataset):
    workload = dataset.workload("monitoring-archiving")
    assert {r.zone.id for r in workload.roles} == {"internal"}
    assert 'class="firewall"' not in render_panel(workload).svg


def test_same_data_same_bytes(dataset):
    workload = dataset.workload("enterprise-voice")
    assert workload_dot(workload) == workload_dot(workload)
    assert render_panel(workload).svg == render_panel(workload).svg


def test_repr_svg_for_notebooks(dataset):
    svg = dataset.workload("group-chat")._repr_svg_()
    assert "SIP/MTLS:5041" in svg


def test_a_skipped_zone_still_shows_with_both_firewalls(data_copy):
    import lyncposter

    tiny = data_copy.path("flows/tiny.yaml")
    tiny.write_text(
        "id: tiny\ntitle: A connection straight from the Internet to the inside\nflows:\n"
        "  - {from: remote-client, to: front-end, protocol: https, transport: TCP, ports: 443, source: [GEN]}\n",
        "utf-8",
    )
    data_copy.replace("poster.yaml", "  - cms-replication\n", "  - cms-replication\n  - tiny\n")
    panel = render_panel(lyncposter.load(data_copy.root).workload("tiny"))
    root = ET.fromstring(panel.svg.encode())
    ids = {g.get("id") for g in root.iter(f"{SVG}g")}
    assert {"zone-external", "zone-perimeter", "zone-internal"} <= ids
    assert {"firewall-external-firewall", "firewall-internal-firewall"} <= ids


def test_a_narrow_panel_is_as_wide_as_its_title(data_copy):
    import lyncposter
    from lyncposter import theme
    from lyncposter.fonts import text_width

    title = "A very long title for a workload with a single connection inside the network"
    data_copy.path("flows/tiny.yaml").write_text(
        f"id: tiny\ntitle: {title}\nflows:\n"
        "  - {from: internal-client, to: front-end, protocol: https, transport: TCP, ports: 443, source: [GEN]}\n",
        "utf-8",
    )
    data_copy.replace("poster.yaml", "  - cms-replication\n", "  - cms-replication\n  - tiny\n")
    panel = render_panel(lyncposter.load(data_copy.root).workload("tiny"))
    assert panel.width >= text_width(title, theme.TITLE_FONT_SIZE, bold=True)


def test_a_stretched_panel_keeps_its_drawing_and_grows_its_zones(panels):
    from lyncposter.render import stretch_panel

    panel = panels["im-presence"]
    dw, dh = 300.0, 200.0
    big = stretch_panel(panel, panel.width + dw, panel.height + dh)
    assert (big.width, big.height) == pytest.approx((panel.width + dw, panel.height + dh))
    before, after = ET.fromstring(panel.svg), ET.fromstring(big.svg)
    assert after.get("viewBox").split()[2:] == [f"{panel.width + dw:g}", f"{panel.height + dh:g}"]
    # the same words; zone columns and walls as tall as the canvas grew; the drawing moved to the middle
    assert sorted(_text(t) for t in before.iter(f"{SVG}text")) == sorted(_text(t) for t in after.iter(f"{SVG}text"))

    def heights(root, selector):
        return [float(r.get("height")) for g in root.iter(f"{SVG}g") if selector(g) for r in g.findall(f"{SVG}rect")]

    def zone(g):
        return (g.get("id") or "").startswith("zone-")

    def wall(g):
        return "firewall" in (g.get("class") or "")

    assert heights(after, zone) == pytest.approx([h + dh for h in heights(before, zone)])
    assert heights(after, wall) == pytest.approx([h + dh for h in heights(before, wall)])
    # roles, lines and labels move to the middle, as they are
    def placed(p, prefix):
        return {g.id: (g.dx, g.dy, g.children) for g in p.drawing.items if getattr(g, "id", "").startswith(prefix)}

    for prefix in ("role-", "label-"):
        small, grown = placed(panel, prefix), placed(big, prefix)
        assert small and small.keys() == grown.keys()
        for ident, (dx, dy, children) in small.items():
            assert grown[ident] == (pytest.approx(dx + dw / 2), pytest.approx(dy + dh / 2), children)
    assert stretch_panel(panel, panel.width, panel.height) is panel  # no larger: the panel itself


def test_a_panel_is_framed_tight_around_its_drawing(panels):
    """The frame is the drawing plus its padding: an icon's shapes, drawn in their own 24-unit box
    and placed by a transform, must not widen it (they once added a blank band on the left and below)."""
    pair = re.compile(r"(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)")
    for panel in panels.values():
        root = ET.fromstring(panel.svg)
        x0, y0, width, height = (float(v) for v in root.get("viewBox").split())
        xs, ys = [], []
        stack = [root]
        while stack:
            element = stack.pop()
            if "icon" in (element.get("class") or "").split():
                continue
            stack.extend(element)
            if element.tag.endswith(("path", "polygon")):
                for x, y in pair.findall(element.get("d") or element.get("points") or ""):
                    xs.append(float(x))
                    ys.append(float(y))
            elif element.tag.endswith("rect") and "background" not in (element.get("class") or ""):
                x, y = float(element.get("x", 0)), float(element.get("y", 0))
                xs += [x, x + float(element.get("width", 0))]
                ys += [y, y + float(element.get("height", 0))]
        assert min(xs) - x0 <= 10.5, (panel.workload_id, min(xs) - x0)  # the padding, and no more
        assert x0 + width - max(xs) <= 10.5 or panel.width <= 400, panel.workload_id  # a narrow panel is as wide as its title
        assert y0 + height - max(ys) <= 10.5, (panel.workload_id, y0 + height - max(ys))


def test_the_outer_zones_reach_the_drawings_sides(panels):
    """A line routed around the outermost roles stays inside the outer zone, and the frame is set
    by the curve itself, not by its control points: no strip of bare paper beside the zones
    (the Mobility panel's push line once left one a hundred points wide)."""
    for panel in panels.values():
        root = ET.fromstring(panel.svg)
        x0, _, width, _ = (float(v) for v in root.get("viewBox").split())
        zones = [g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("zone-")]
        left = min(float(r.get("x")) for r in zones)
        right = max(float(r.get("x")) + float(r.get("width")) for r in zones)
        assert left - x0 <= 10.5, (panel.workload_id, left - x0)
        assert x0 + width - right <= 10.5 or panel.width <= 400, (panel.workload_id, x0 + width - right)


def test_lines_keep_clear_of_their_zones_edges(panels):
    """A line routed around the roles, and its label, run inside the zones, `theme.LINE_CLEARANCE`
    from their edges: the Reverse Proxy's HTTPS:4443 once ran along the Internal network's top
    border (and LibreOffice, bending it a little higher, drew it outside), lines around the Edge
    along the bottom, and Mobility's APNS label touched the External zone's side."""
    from lyncposter import theme
    from lyncposter.drawing import Group, bounds

    for panel in panels.values():
        items = panel.drawing.items
        zones = bounds([i for i in items if isinstance(i, Group) and i.id.startswith("zone-")])
        lines = bounds([i for i in items if isinstance(i, Group) and ("edge" in i.classes or "flow-label" in i.classes)])
        assert zones is not None and lines is not None, panel.workload_id
        room = theme.LINE_CLEARANCE - 0.01
        gaps = (lines.x0 - zones.x0, lines.y0 - zones.y0, zones.x1 - lines.x1, zones.y1 - lines.y1)
        assert min(gaps) >= room, (panel.workload_id, gaps)


def test_every_icon_has_its_shapes_and_its_legend_words():
    """The icons live in one place (icons.py), as shapes every painter draws; the legend names each."""
    from lyncposter import theme
    from lyncposter.drawing import bounds
    from lyncposter.icons import ICONS

    assert list(ICONS) == list(theme.ICON_LABELS)
    for name, shapes in ICONS.items():
        box = bounds(shapes)
        assert box is not None and 0 <= box.x0 and box.x1 <= 24 and 0 <= box.y0 and box.y1 <= 24, name  # inside the 24-unit box
