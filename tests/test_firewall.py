"""The rules each firewall needs, derived from the data: by hand, through the CLI, and as the firewall sheet."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

import lyncposter
from lyncposter.cli import main
from lyncposter.firewall import FirewallRule, RuleSet, firewall_rules, rule_workload
from lyncposter.poster import build_sheets
from lyncposter.poster.sizes import INCH
from conftest import DATA, VERSION

HEADER = (
    "firewall,rule,direction,source_zone,source,source_label,destination_zone,destination,destination_label,"
    "protocol,transport,ports,initiator,workloads,notes"
)
FIREWALL_FILE = f"microsoft-lync-server-2010-protocol-workloads-poster-firewall-v{VERSION}.pdf"


def rules_for(rule_sets: tuple[RuleSet, ...], firewall: str, source: str, destination: str, label: str) -> list[FirewallRule]:
    (rules,) = [r for r in rule_sets if r.firewall.id == firewall]
    return [r for r in rules.rules if (r.source.role.id, r.destination.role.id, r.label) == (source, destination, label)]


@pytest.fixture(scope="module")
def rule_sets(dataset) -> tuple[RuleSet, ...]:
    return firewall_rules(dataset)


# --- rules, derived by hand ---------------------------------------------------------------------


def test_both_firewalls_have_rules_in_the_catalogs_order(rule_sets, dataset):
    assert [r.firewall.id for r in rule_sets] == [f.id for f in dataset.catalog.firewalls] == ["external-firewall", "internal-firewall"]
    assert all(r.rules for r in rule_sets)


def test_remote_sign_in_is_inbound_on_the_external_firewall(rule_sets):
    (rule,) = rules_for(rule_sets, "external-firewall", "remote-client", "access-edge", "SIP/TLS:443")
    assert (rule.direction, rule.transport, rule.ports_text, rule.initiator) == ("inbound", "TCP", "443", "source")
    assert rule.destination.label == "Access Edge external"  # the interface an admin maps to an IP
    # one opening, several workloads
    assert rule.workloads == ("im-presence", "app-sharing", "group-chat")
    assert not rules_for(rule_sets, "internal-firewall", "remote-client", "access-edge", "SIP/TLS:443")


def test_front_end_to_edge_internal_is_outbound_on_the_internal_firewall(rule_sets):
    (rule,) = rules_for(rule_sets, "internal-firewall", "front-end", "access-edge", "SIP/MTLS:5061")
    assert (rule.direction, rule.transport, rule.ports_text) == ("outbound", "TCP", "5061")
    assert rule.destination.label == "Edge internal (Access Edge)"
    # the push message (its own protocol id) needs the same opening and shares the rule
    assert set(rule.workloads) == {"exchange-um", "group-chat", "mobility"}
    assert rule.initiator == "either"
    (back,) = rules_for(rule_sets, "internal-firewall", "access-edge", "front-end", "SIP/MTLS:5061")
    assert back.direction == "inbound" and back.source.label == "Edge internal (Access Edge)"


def test_edge_media_is_outbound_on_the_external_firewall(rule_sets):
    (rule,) = rules_for(rule_sets, "external-firewall", "av-edge", "federated-partner", "RTP/TCP:50000-59999")
    assert (rule.direction, rule.transport, rule.ports_text, rule.initiator) == ("outbound", "TCP", "50000-59999", "source")
    assert rule.source.label == "A/V Edge external"
    assert "public or NAT-reflexive" in " ".join(rule.notes)


def test_unconfirmed_flows_say_so_in_the_notes(rule_sets):
    (rule,) = rules_for(rule_sets, "internal-firewall", "av-edge", "bandwidth-policy", "CAC/TCP:5080")
    assert rule.direction == "inbound"
    assert any(n.startswith("[UNSURE: ") for n in rule.notes)


def test_numbering_is_per_firewall_inbound_first(rule_sets):
    for rules in rule_sets:
        assert [r.number for r in rules.rules] == list(range(1, len(rules.rules) + 1))
        directions = [r.direction for r in rules.rules]
        assert directions == sorted(directions, key=["inbound", "outbound"].index)
        assert len({(r.source.role.id, r.destination.role.id, r.protocol.label, r.transport, r.ports) for r in rules.rules}) == len(rules.rules)


def test_every_crossing_flow_is_behind_a_rule_on_each_firewall_it_passes(dataset, rule_sets):
    behind = {(r.firewall.id, f.id) for rules in rule_sets for r in rules.rules for f in r.flows}
    for flow in dataset.flows:
        for firewall in dataset.catalog.firewalls_between(flow.source.zone, flow.target.zone):
            assert (firewall.id, flow.id) in behind, (firewall.id, flow.id)
    assert all(f.source.zone != f.target.zone for rules in rule_sets for r in rules.rules for f in r.flows)


def test_a_flow_from_outside_straight_in_passes_both_firewalls(data_copy):
    text = data_copy.text("flows/reverse-proxy.yaml").replace(
        "notes:\n",
        "  - from: remote-client\n    to: front-end\n    protocol: https\n    transport: TCP\n    ports: 443\n    source: [GEN]\nnotes:\n",
        1,
    )
    data_copy.path("flows/reverse-proxy.yaml").write_text(text, "utf-8")
    rule_sets = firewall_rules(lyncposter.load(data_copy.root))
    for firewall in ("external-firewall", "internal-firewall"):
        (rule,) = rules_for(rule_sets, firewall, "remote-client", "front-end", "HTTPS:443")
        assert rule.direction == "inbound"
        assert (rule.source.label, rule.destination.label) == ("Remote user (Lync 2010)", "Front End pool / Standard Edition")


# --- the command ------------------------------------------------------------------------------


def test_csv(capsys, rule_sets):
    assert main(["firewall", "--data", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == sum(len(r.rules) for r in rule_sets)
    assert {r["firewall"] for r in rows} == {"external-firewall", "internal-firewall"}
    sign_in = [r for r in rows if (r["firewall"], r["source"], r["destination"], r["protocol"], r["ports"]) == ("external-firewall", "remote-client", "access-edge", "SIP/TLS", "443")]
    assert len(sign_in) == 1
    assert sign_in[0]["direction"] == "inbound" and sign_in[0]["workloads"] == "im-presence;app-sharing;group-chat"
    assert sign_in[0]["source_zone"] == "external" and sign_in[0]["destination_zone"] == "perimeter"
    assert {r["initiator"] for r in rows} == {"source", "either"}
    assert any("[UNSURE: " in r["notes"] for r in rows)
    assert all(re.fullmatch(r"\d+(-\d+)?(,\d+(-\d+)?)*", r["ports"]) for r in rows)


def test_one_firewall_json_and_markdown(capsys):
    assert main(["firewall", "--data", str(DATA), "--firewall", "internal-firewall", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["firewall"] for r in rows} == {"internal-firewall"}
    assert [r["rule"] for r in rows] == list(range(1, len(rows) + 1))
    assert main(["firewall", "--data", str(DATA), "--firewall", "external-firewall", "--format", "md"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| " + HEADER.replace(",", " | ") + " |"
    assert all(line.startswith("| external-firewall | ") for line in lines[2:])


def test_unknown_firewall_is_a_usage_error(capsys):
    assert main(["firewall", "--data", str(DATA), "--firewall", "external-firewal"]) == 2
    assert capsys.readouterr().err.strip() == (
        "lyncposter: unknown firewall 'external-firewal' (did you mean 'external-firewall'?); "
        "catalog.yaml defines: external-firewall, internal-firewall"
    )


# --- sheets in poster.yaml -----------------------------------------------------------------------


def test_sheets_are_read_from_poster_yaml(dataset):
    sheets = dataset.poster.sheets
    assert [(s.id, s.kind, s.main) for s in sheets] == [("workloads", "workloads", True), ("firewall", "firewall", False), ("mobility", "workloads", False)]
    assert sheets[0].workloads == tuple(w.id for w in dataset.workloads)
    assert sheets[2].workloads == ("reverse-proxy", "mobility")  # the poster's order, whatever the list's


def test_a_sheet_naming_an_unknown_workload_is_located(data_copy):
    line, col = data_copy.replace("poster.yaml", "workloads: [mobility, reverse-proxy]", "workloads: [mobility, revers-proxy]")
    with pytest.raises(lyncposter.DataError) as caught:
        lyncposter.load(data_copy.root)
    (problem,) = caught.value.problems
    assert str(problem.location) == f"workloads/poster.yaml:{line}:{col + len('workloads: [mobility, ')}"
    assert problem.message.startswith("unknown workload 'revers-proxy' (did you mean 'reverse-proxy'?)")


def test_an_unknown_sheet_is_a_usage_error(capsys, tmp_path):
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path), "--sheet", "firewal"]) == 2
    assert "unknown sheet 'firewal' (did you mean 'firewall'?); poster.yaml lists: workloads, firewall, mobility" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_without_a_sheet_list_the_poster_alone(data_copy):
    text = data_copy.text("poster.yaml")
    start, end = text.index("sheets:\n"), text.index("resources:\n")
    data_copy.path("poster.yaml").write_text(text[:start] + text[end:], "utf-8")
    (sheet,) = lyncposter.load(data_copy.root).poster.sheets
    assert (sheet.id, sheet.kind, sheet.main) == ("workloads", "workloads", True)


# --- the firewall sheet, read back -------------------------------------------------------------


@pytest.fixture(scope="module")
def firewall_sheet(dataset, tmp_path_factory):
    (built,) = build_sheets(dataset, tmp_path_factory.mktemp("firewall"), sheet_ids=("firewall",))
    return built


@pytest.fixture(scope="module")
def sheet_text(firewall_sheet) -> str:
    return subprocess.run(["pdftotext", "-layout", str(firewall_sheet.path), "-"], capture_output=True, text=True, check=True).stdout


def text_sizes(path: Path) -> Counter[float]:
    """Every piece of text on page 1 by its printed size in points (font size times the scale it is drawn at)."""
    sizes: Counter[float] = Counter()

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3], tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes[round(size * math.sqrt(abs(a * d - b * c)), 2)] += 1

    PdfReader(path).pages[0].extract_text(visitor_text=visit)
    return sizes


def test_firewall_sheet_file_and_page(firewall_sheet):
    assert firewall_sheet.path.name == FIREWALL_FILE
    box = PdfReader(firewall_sheet.path).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((48 * INCH, 36 * INCH), abs=0.01)


def test_every_rule_is_on_the_sheet(rule_sets, sheet_text):
    flat = re.sub(r"\s+", " ", sheet_text)
    arrows = Counter(int(n) for label in re.findall(r"#(\d+(?:/\d+)?) ", flat) for n in label.split("/"))
    for rules in rule_sets:
        assert f"{rules.firewall.label}: {len(rules.rules)} rules" in flat
        for rule in rules.rules:
            assert f"{rule.transport} {rule.ports_text}" in flat, (rules.firewall.id, rule.number)
    # every number has its arrow on a drawing: once per firewall that has a rule of that number
    assert arrows == Counter(r.number for rules in rule_sets for r in rules.rules)
    for title in ("Reading the rules", "Legend", "Learn more", "From (opens)", "To (listens)", "Inbound", "Outbound"):
        assert title in flat


def test_version_in_the_corner_and_title(firewall_sheet, dataset):
    corner = subprocess.run(
        ["pdftotext", "-r", "72", "-x", "0", "-y", "0", "-W", "400", "-H", "160", str(firewall_sheet.path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"v{dataset.poster.version}" in corner
    meta = PdfReader(firewall_sheet.path).metadata
    assert meta.title == "Microsoft Lync Server 2010 Firewall Poster"


def test_qr_code_scans_to_the_home_url(firewall_sheet, dataset, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(firewall_sheet.path), str(tmp_path / "page")], check=True)
    (image,) = tmp_path.glob("page*.png")
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True)
    assert scanned.stdout.strip().splitlines() == [dataset.poster.home_url]


def test_no_text_under_6pt(firewall_sheet):
    sizes = text_sizes(firewall_sheet.path)
    assert min(sizes) >= 6, sorted(sizes)[:5]
    assert firewall_sheet.sheet.smallest_text == pytest.approx(min(sizes), abs=0.05)


def test_vector_and_linked(firewall_sheet, dataset):
    page = PdfReader(firewall_sheet.path).pages[0]
    xobjects = page["/Resources"].get("/XObject", {})
    assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
    uris = {a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()}
    assert dataset.poster.home_url in uris


def test_same_data_same_bytes(firewall_sheet, dataset, tmp_path):
    (again,) = build_sheets(dataset, tmp_path, sheet_ids=("firewall",))
    assert again.path.read_bytes() == firewall_sheet.path.read_bytes()


def test_each_drawing_numbers_every_rule(rule_sets, dataset):
    for rules in rule_sets:
        svg = lyncposter.render_panel(rule_workload(rules, dataset.catalog)).svg
        labels = re.findall(r"#(\d+(?:/\d+)?) ", svg)
        numbers = sorted(int(n) for label in labels for n in label.split("/"))
        assert numbers == [r.number for r in rules.rules]
        # an either-way opening: one line, both numbers, both arrowheads
        for rule in rules.rules:
            if rule.either:
                assert any(str(rule.number) in label.split("/") and "/" in label for label in labels)


def test_a_firewall_sheet_with_no_rules_fails_before_anything_is_written(data_copy, tmp_path, capsys):
    data_copy.replace("poster.yaml", "    kind: firewall\n", "    kind: firewall\n    workloads: [monitoring-archiving]\n")
    assert main(["build", "--data", str(data_copy.root), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "lyncposter: sheet 'firewall': no flow of its workloads crosses a firewall, so it has no rules to show"
    )
    assert not (tmp_path / "out").exists()  # not even the sheets before it
