"""The port matrix agrees with the data files, read here independently of the loader."""

from __future__ import annotations

import csv
import io
import json

import yaml

from lyncposter.cli import main
from conftest import DATA

HEADER = "workload,source,source_label,destination,destination_label,protocol,transport,ports,direction,description"


def raw_flows():
    for path in sorted((DATA / "flows").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        for flow in doc["flows"]:
            yield doc["id"], flow


def expected_ports(value) -> str:
    items = value if isinstance(value, list) else [value]
    return ",".join(str(i) for i in sorted(items, key=lambda i: int(str(i).split("-")[0])))


def run(capsys, *args: str) -> str:
    assert main(["ports", "--data", str(DATA), *args]) == 0
    return capsys.readouterr().out


def test_csv_lists_every_flow_of_the_dataset(capsys):
    out = run(capsys)
    assert out.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(out)))
    raw = list(raw_flows())
    assert len(rows) == len(raw)
    as_rows = {(r["workload"], r["source"], r["destination"], r["transport"], r["ports"]) for r in rows}
    for workload, flow in raw:
        assert (workload, flow["from"], flow["to"], flow["transport"], expected_ports(flow["ports"])) in as_rows


def test_port_ranges_print_as_ranges(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys, "--workload", "enterprise-voice"))))
    assert {r["workload"] for r in rows} == {"enterprise-voice"}
    assert any(r["ports"] == "49152-57500" for r in rows)
    assert all(r["direction"] in ("source-initiates", "either-initiates") for r in rows)


def test_no_stale_ranges_from_other_products(capsys):
    text = run(capsys)
    assert "60000-64000" not in text  # OCS 2007 R2 Mediation range (erratum)
    assert "65335" not in text  # typo in copies of the 2010 table
    assert "23456" not in text  # Lync 2013 XMPP proxy


def test_json_and_markdown_carry_the_same_rows(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys))))
    full = json.loads(run(capsys, "--format", "json"))
    assert [{k: v for k, v in r.items() if k != "sources"} for r in full] == rows
    # JSON also carries each flow's sources, with their titles and links
    assert full[0]["sources"] and all(s["title"] and s["url"].startswith("https://") for s in full[0]["sources"])
    md = run(capsys, "--format", "md").splitlines()
    assert md[0] == "| " + HEADER.replace(",", " | ") + " |"
    assert len(md) == len(rows) + 2


def test_unsure_facts_stay_marked(capsys):
    rows = list(csv.DictReader(io.StringIO(run(capsys, "--workload", "cac"))))
    fivethousand = next(r for r in rows if r["ports"] == "5080")
    assert "[UNSURE:" in fivethousand["description"]


def test_errata_of_the_original_poster_are_fixed(dataset):
    flows = dataset.flows
    assert all(f.transport == "UDP" for f in flows if any(3478 in p for p in f.ports))
    group_chat = [f for f in dataset.workload("group-chat").flows if f.target.id == "group-chat-server" and f.protocol.id == "sip-mtls"]
    assert [str(p) for f in group_chat for p in f.ports] == ["5041"]
    video = [f for f in flows if f.target.id == "av-conferencing-server" and f.protocol.id == "srtp"]
    assert video and all(p.high == 65535 for f in video for p in f.ports)
