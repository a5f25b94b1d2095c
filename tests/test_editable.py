"""Editable drawings: every panel as Visio (.vsdx) and draw.io, read back, and opened by a real client."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

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
        assert names == sorted([f"{w.id}.{suffix}" for w in dataset.workloads] + [f"microsoft-lync-server-2010-protocol-workloads-poster-v{dataset.poster.version}.{suffix}"])
    sheet = next(exported.glob("microsoft-*.vsdx"))
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
