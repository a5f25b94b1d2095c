"""lyncposter serves any product: the example dataset under examples/ builds every output, and the
code holds no product's name."""

from __future__ import annotations

import ast
import csv
import io
import re
import subprocess

import pytest

import lyncposter
from lyncposter.cli import main
from lyncposter.firewall import firewall_rules
from conftest import ROOT, overlaps, text_boxes

EXAMPLE = ROOT / "examples" / "nextcloud"


@pytest.fixture(scope="module")
def example():
    return lyncposter.load(EXAMPLE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("example")
    assert main(["build", "--data", str(EXAMPLE), "--out", str(out)]) == 0
    assert main(["html", "--data", str(EXAMPLE), "--out", str(out)]) == 0
    assert main(["panels", "--data", str(EXAMPLE), "--out", str(out / "panels")]) == 0
    return out


def test_a_different_layout_checks_clean(example, capsys):
    assert [z.id for z in example.catalog.zones] == ["internet", "dmz", "application", "data"]
    assert len(example.catalog.firewalls) == 3
    assert main(["check", "--data", str(EXAMPLE)]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().err


def test_every_output(built, example):
    names = sorted(p.name for p in built.iterdir() if p.is_file())
    assert names == ["nextcloud-server-protocol-poster-firewall-v1.0.pdf", "nextcloud-server-protocol-poster-v1.0.html", "nextcloud-server-protocol-poster-v1.0.pdf"]
    assert sorted(p.name for p in (built / "panels").iterdir()) == ["talk.svg", "web-access.svg"]
    text = subprocess.run(["pdftotext", str(built / names[2]), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("Nextcloud Server Protocol Poster", "Web access and sync", "Data network", "PostgreSQL/TCP:5432"):
        assert words in text
    rules = subprocess.run(["pdftotext", str(built / names[0]), "-"], capture_output=True, text=True, check=True).stdout
    for rule_set in firewall_rules(example):
        assert rule_set.firewall.label in rules
    html = (built / names[1]).read_text("utf-8")
    assert "Nextcloud Server Protocol Poster" in html and 'value="data-firewall"' in html


def test_no_text_over_text_on_its_sheets(built):
    for pdf in sorted(built.glob("*.pdf")):
        assert overlaps(text_boxes(pdf)) == [], pdf.name


def test_a_flow_from_application_to_data_is_on_the_data_firewall_only(example):
    by_firewall = {r.firewall.id: r for r in firewall_rules(example)}
    (database,) = [r for r in by_firewall["data-firewall"].rules if r.ports_text == "5432"]
    assert database.direction == "inbound" and database.source.role.id == "nextcloud"
    assert not [r for r in by_firewall["edge-firewall"].rules if r.ports_text == "5432"]


def test_port_table(capsys, example):
    assert main(["ports", "--data", str(EXAMPLE)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(example.flows)
    assert {r["workload"] for r in rows} == {"web-access", "talk"}


def _code_strings(path) -> list[str]:
    """The string constants of a module that are not docstrings, and its names: what the code says."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append(node.value)
        elif isinstance(node, ast.Name):
            found.append(node.id)
    return found


def test_no_product_name_in_the_code():
    offenders = []
    for path in (ROOT / "src" / "lyncposter").rglob("*.py"):
        offenders += [f"{path.name}: {s[:60]!r}" for s in _code_strings(path) if re.search(r"\bLync\b", s)]
    for path in (ROOT / "src" / "lyncposter").rglob("*"):
        if path.suffix in (".js", ".html", ".css", ".json"):
            text = re.sub(r"/\*.*?\*/|//[^\n]*|<!--.*?-->", "", path.read_text("utf-8"), flags=re.S)
            offenders += [f"{path.name}" for _ in re.finditer(r"\bLync\b", text)]
    assert offenders == []
