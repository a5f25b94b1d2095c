"""Each rule, broken on purpose in a copy of the real dataset, gives exactly its finding."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path


import lyncposter
from lyncposter.check import RULES, findings_for
from lyncposter.cli import main
from conftest import DATA, ROOT, VERSION


def findings(root: Path) -> list[tuple[str, str, str, str]]:
    """(location, severity, rule, message) for every finding."""
    _, found = findings_for(lambda: lyncposter.load(root))
    return [(str(f.location), f.severity, f.rule, f.message) for f in found]


def only(root: Path) -> tuple[str, str, str, str]:
    found = findings(root)
    assert len(found) == 1, found
    return found[0]


def test_the_shipped_dataset_is_clean(capsys):
    assert main(["check", "--data", str(DATA)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "0 error(s), 0 warning(s)" in captured.err


def test_yaml(data_copy):
    line, _ = data_copy.replace("dns.yaml", "records:\n", "records:\nrecords:\n")
    assert only(data_copy.root)[:3] == (f"workloads/dns.yaml:{line + 1}:1", "error", "YAML")


def test_schema(data_copy):
    line, col = data_copy.replace("certificates.yaml", "    ca: private\n    eku: [server]\n    notes: With TLS", "    ca: private\n    notes: With TLS")
    location, severity, rule, message = only(data_copy.root)
    assert (severity, rule) == ("error", "SCHEMA")
    assert message.startswith("missing field 'eku'")


def test_files(data_copy):
    (data_copy.root / "dns.yaml").unlink()
    assert only(data_copy.root) == ("workloads/dns.yaml", "error", "FILES", "missing file: a data directory needs dns.yaml")


def test_id(data_copy):
    first, _ = data_copy.locate("catalog.yaml", "  - id: apns\n")
    line, col = data_copy.replace("catalog.yaml", "  - id: mpns\n", "  - id: apns\n    label: Apple Push again\n    zone: external\n    kind: external\n    icon: cloud\n  - id: mpns\n")
    assert only(data_copy.root) == (f"workloads/catalog.yaml:{line}:9", "error", "ID", f"role id 'apns' is already defined at line {first}")


def test_ref(data_copy):
    line, col = data_copy.replace("dns.yaml", "role: exchange-um,", "role: exchange-umm,")
    location, severity, rule, message = only(data_copy.root)
    assert (location, rule) == (f"workloads/dns.yaml:{line}:{col + 6}", "REF")
    assert message.startswith("unknown role 'exchange-umm' (did you mean 'exchange-um'?)")


def test_port_range(data_copy):
    line, col = data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 70000")
    assert only(data_copy.root)[:3] == (f"workloads/flows/group-chat.yaml:{line}:{col + 7}", "error", "PORT-RANGE")


def test_transport(data_copy):
    line, _ = data_copy.locate("flows/av-conferencing.yaml", "  - from: front-end\n    to: webconf-edge")
    data_copy.replace("flows/av-conferencing.yaml", "    to: webconf-edge\n    protocol: psom-mtls\n    transport: TCP", "    to: webconf-edge\n    protocol: psom-mtls\n    transport: UDP")
    assert only(data_copy.root) == (
        f"workloads/flows/av-conferencing.yaml:{line}:5",
        "error",
        "TRANSPORT",
        "PSOM/MTLS runs over TCP, not UDP (front-end -> webconf-edge)",
    )


def test_listener_clash(data_copy):
    text = data_copy.text("flows/im-presence.yaml")
    text = text.replace("notes:\n", "  - from: remote-client\n    to: access-edge\n    protocol: https\n    transport: TCP\n    ports: 443\n    source: [GEN]\nnotes:\n", 1)
    data_copy.path("flows/im-presence.yaml").write_text(text, "utf-8")
    line, _ = data_copy.locate("flows/im-presence.yaml", "  - from: remote-client\n    to: access-edge\n    protocol: https")
    location, severity, rule, message = only(data_copy.root)
    assert (location, rule) == (f"workloads/flows/im-presence.yaml:{line}:5", "LISTENER-CLASH")
    assert message.startswith("Access Edge would accept HTTPS on TCP 443, but SIP/TLS already listens on TCP 443")


def test_certificate_name_without_public_dns(data_copy):
    """The sip.<domain> erratum: a SAN on the public Edge certificate with no public A record."""
    data_copy.replace("certificates.yaml", "sans: [access.contoso.com, webconf.contoso.com, sip.contoso.com]", "sans: [access.contoso.com, webconf.contoso.com, sip.contoso.com, sip.fabrikam.com]")
    line, _ = data_copy.locate("certificates.yaml", "  - role: access-edge")
    assert only(data_copy.root) == (
        f"workloads/certificates.yaml:{line}:5",
        "error",
        "CERT-PUBLIC-DNS",
        "sip.fabrikam.com is on the public certificate of Access Edge (Edge external (Access, Web Conferencing, "
        "A/V Authentication)) but has no external A or CNAME record in dns.yaml",
    )


def test_certificate_name_without_internal_dns(data_copy):
    data_copy.replace("dns.yaml", "  - {view: internal, type: A, name: med01.contoso.com, target: Mediation Server IP, role: mediation, purpose: Server FQDN, source: [GEN]}\n", "")
    line, _ = data_copy.locate("certificates.yaml", "  - role: mediation")
    assert only(data_copy.root)[:3] == (f"workloads/certificates.yaml:{line}:5", "error", "CERT-INTERNAL-DNS")


def test_dns_target(data_copy):
    line, col = data_copy.replace("dns.yaml", "target: access.contoso.com, port: 5061", "target: edge.contoso.com, port: 5061")
    assert only(data_copy.root) == (
        f"workloads/dns.yaml:{line}:5",
        "error",
        "DNS-TARGET",
        "SRV _sipfederationtls._tcp.contoso.com points to edge.contoso.com, which has no A or CNAME record in the external view",
    )


def test_dns_srv_port(data_copy):
    line, _ = data_copy.replace("dns.yaml", "target: sip.contoso.com, port: 443", "target: sip.contoso.com, port: 4443")
    assert only(data_copy.root) == (
        f"workloads/dns.yaml:{line}:5",
        "error",
        "DNS-SRV-PORT",
        "SRV _sip._tls.contoso.com sends clients to port 4443 on Access Edge, but no flow has Access Edge accepting 4443",
    )


def test_tls_role_without_certificate(data_copy):
    text = data_copy.text("certificates.yaml")
    start = text.index("  - role: exchange-cas")
    end = text.index("  - role: reporting-services")
    data_copy.path("certificates.yaml").write_text(text[:start] + text[end:], "utf-8")
    line, _ = data_copy.locate("flows/exchange-um.yaml", "  - from: internal-client\n    to: exchange-cas")
    assert only(data_copy.root) == (
        f"workloads/flows/exchange-um.yaml:{line}:5",
        "error",
        "CERT-TLS",
        "Exchange Client Access (EWS) accepts HTTPS here but no certificate in certificates.yaml names it (as its role, or in 'also')",
    )


def test_stale_value(data_copy):
    data_copy.replace("flows/enterprise-voice.yaml", "    ports: 49152-57500\n    initiator: both", "    ports: 60000-64000\n    initiator: both")
    line, _ = data_copy.locate("flows/enterprise-voice.yaml", "  - from: pstn-gateway\n    to: mediation\n    protocol: rtp-srtp")
    stale_line, _ = data_copy.locate("checks.yaml", "  - ports: 60000-64000")
    location, severity, rule, message = only(data_copy.root)
    assert (location, severity, rule) == (f"workloads/flows/enterprise-voice.yaml:{line}:5", "error", "STALE")
    assert message.startswith(f"RTP/SRTP/TCP+UDP:60000-64000 carries 60000-64000, listed as stale at workloads/checks.yaml:{stale_line}:5: OCS 2007 R2")


def test_stale_typo_in_one_copy(data_copy):
    line, _ = data_copy.locate("flows/av-conferencing.yaml", "  - from: remote-attendee\n    to: av-edge\n    protocol: stun-turn\n    transport: UDP")
    data_copy.replace("flows/av-conferencing.yaml", "  - from: remote-attendee\n    to: av-edge\n    protocol: stun-turn\n    transport: UDP", "  - from: remote-attendee\n    to: av-edge\n    protocol: stun-turn\n    transport: TCP")
    location, _, rule, message = only(data_copy.root)
    assert (location, rule) == (f"workloads/flows/av-conferencing.yaml:{line}:5", "STALE")
    assert "STUN/MS-TURN uses UDP 3478" in message


def test_meta_version_form(data_copy):
    line, col = data_copy.replace("poster.yaml", f'version: "{VERSION}"', 'version: "6.x"')
    assert only(data_copy.root)[:3] == (f"workloads/poster.yaml:{line}:{col + 9}", "error", "META")


def test_meta_revision_date_is_real(data_copy):
    revised = lyncposter.load(DATA).poster.revision_date
    line, col = data_copy.replace("poster.yaml", f'revision_date: "{revised}"', 'revision_date: "2026-02-30"')
    assert only(data_copy.root) == (f"workloads/poster.yaml:{line}:{col + 15}", "error", "META", "revision date '2026-02-30' is not a real date (YYYY-MM-DD)")


def test_unused_role_is_a_warning(data_copy, capsys):
    text = data_copy.text("catalog.yaml").replace("\nprotocols:", "\n  - {id: sip-trunk-provider, label: SIP trunk provider, zone: external, kind: external, icon: cloud}\n\n# again\nprotocols:", 1)
    data_copy.path("catalog.yaml").write_text(text, "utf-8")
    line, _ = data_copy.locate("catalog.yaml", "  - {id: sip-trunk-provider")
    assert only(data_copy.root) == (f"workloads/catalog.yaml:{line}:5", "warning", "UNUSED-ROLE", "role 'sip-trunk-provider' appears in no flow, certificate or DNS record")
    assert main(["check", "--data", str(data_copy.root)]) == 0  # warnings alone do not fail
    assert "0 error(s), 1 warning(s)" in capsys.readouterr().err


def test_isolated_roles_are_a_warning(data_copy):
    text = data_copy.text("flows/cms-replication.yaml").replace("notes:\n", "  - from: archiving-server\n    to: archiving-sql\n    protocol: tds\n    transport: TCP\n    ports: 1433\n    source: [GEN]\nnotes:\n", 1)
    data_copy.path("flows/cms-replication.yaml").write_text(text, "utf-8")
    line, _ = data_copy.locate("flows/cms-replication.yaml", "  - from: archiving-server")
    assert only(data_copy.root) == (
        f"workloads/flows/cms-replication.yaml:{line}:5",
        "warning",
        "ISOLATED",
        "in Central Management Store, archiving-server, archiving-sql connect to nothing else on the panel",
    )


def test_firewall_path(data_copy):
    data_copy.replace("catalog.yaml", "  - {id: internal-firewall, label: Internal firewall, between: [perimeter, internal]}\n", "")
    text = data_copy.text("flows/cms-replication.yaml").replace("notes:\n", "  - from: remote-client\n    to: admin-workstation\n    protocol: http\n    transport: TCP\n    ports: 80\n    source: [GEN]\nnotes:\n", 1)
    data_copy.path("flows/cms-replication.yaml").write_text(text, "utf-8")
    line, _ = data_copy.locate("flows/cms-replication.yaml", "  - from: remote-client")
    assert only(data_copy.root) == (
        f"workloads/flows/cms-replication.yaml:{line}:5",
        "error",
        "FIREWALL-PATH",
        "remote-client (external) to admin-workstation (internal) passes zones with no firewall between perimeter "
        "and internal in catalog.yaml; add that firewall, so the rules can say where it opens",
    )


def test_firewall_path_is_silent_for_neighbouring_zones(data_copy):
    # perimeter <-> internal flows with no internal firewall: open, not wrong
    data_copy.replace("catalog.yaml", "  - {id: internal-firewall, label: Internal firewall, between: [perimeter, internal]}\n", "")
    assert findings(data_copy.root) == []


def test_firewall_both(data_copy):
    text = data_copy.text("flows/reverse-proxy.yaml").replace("notes:\n", "  - from: reverse-proxy\n    to: remote-client\n    protocol: http\n    transport: TCP\n    ports: 80\n    source: [GEN]\nnotes:\n", 1)
    data_copy.path("flows/reverse-proxy.yaml").write_text(text, "utf-8")
    line, _ = data_copy.locate("flows/reverse-proxy.yaml", "  - from: reverse-proxy\n    to: remote-client")
    first, _ = data_copy.locate("flows/reverse-proxy.yaml", "  - from: remote-client\n    to: reverse-proxy\n    protocol: http\n")
    location, severity, rule, message = only(data_copy.root)
    assert (location, severity, rule) == (f"workloads/flows/reverse-proxy.yaml:{line}:5", "warning", "FIREWALL-BOTH")
    assert message.startswith("External firewall needs HTTP:80 both ways between Remote user (Lync 2010) and Reverse proxy")
    assert f"(the other at workloads/flows/reverse-proxy.yaml:{first}:5)" in message
    assert message.endswith("write one flow with initiator: both")


def test_either_way_flows_are_not_flagged(data_copy):
    # the same two openings from one flow that either side may open are what the data should say
    data_copy.replace(
        "flows/reverse-proxy.yaml",
        "  - from: remote-client\n    to: reverse-proxy\n    protocol: http\n    transport: TCP\n    ports: 80\n",
        "  - from: remote-client\n    to: reverse-proxy\n    protocol: http\n    transport: TCP\n    ports: 80\n    initiator: both\n",
    )
    assert findings(data_copy.root) == []


def test_unknown_source_is_located(data_copy):
    line, col = data_copy.replace("flows/group-chat.yaml", "source: [POSTER", "source: [POSTR")
    location, severity, rule, message = only(data_copy.root)
    assert (location, severity, rule) == (f"workloads/flows/group-chat.yaml:{line}:{col + 9}", "error", "REF")
    assert message.startswith("unknown source 'POSTR' (did you mean 'POSTER'?); known sources: 3RD, BLOG, DOC2010")


def test_source_unused(data_copy):
    text = data_copy.text("sources.yaml") + "  - id: RFC3261\n    title: SIP\n    publisher: IETF\n    date: \"2002\"\n    confidence: The standard.\n"
    data_copy.path("sources.yaml").write_text(text, "utf-8")
    line, _ = data_copy.locate("sources.yaml", "  - id: RFC3261")
    assert only(data_copy.root) == (f"workloads/sources.yaml:{line}:5", "warning", "SOURCE-UNUSED", "source 'RFC3261' is cited by no flow, certificate, DNS record or other fact")


def test_coverage_names_the_row_a_removed_flow_drew(data_copy):
    data_copy.replace(
        "flows/enterprise-voice.yaml",
        "  - from: front-end\n    to: voice-applications\n    protocol: sip\n    transport: TCP\n    ports: 5076\n    description: Audio Test service\n    source: [DOC2013]\n",
        "",
    )
    line, _ = data_copy.locate("reference/ports-internal.yaml", "  - {roles: [voice-applications], ports: 5076")
    assert only(data_copy.root) == (
        f"workloads/reference/ports-internal.yaml:{line}:5",
        "warning",
        "COVERAGE",
        "Ports and Protocols for Internal Servers (Lync Server 2010): Voice applications (Front End) TCP 5076 (Audio Test) "
        "is drawn by no flow; draw it, or say why in 'omitted'",
    )


def test_coverage_flags_an_omitted_row_that_is_drawn(data_copy):
    text = data_copy.text("flows/im-presence.yaml").replace("notes:\n", "  - from: internal-client\n    to: front-end\n    protocol: sip-tcp\n    transport: TCP\n    ports: 5060\n    source: [DOC2010]\nnotes:\n", 1)
    data_copy.path("flows/im-presence.yaml").write_text(text, "utf-8")
    line, _ = data_copy.locate("reference/ports-internal.yaml", "  - roles: [front-end]\n    ports: 5060")
    location, severity, rule, message = only(data_copy.root)
    assert (location, severity, rule) == (f"workloads/reference/ports-internal.yaml:{line}:5", "warning", "COVERAGE")
    assert "TCP 5060 (Front-End) is marked omitted, but workloads/flows/im-presence.yaml:" in message


def test_every_omission_has_its_reason(dataset):
    rows = [r for t in dataset.port_tables for r in t.rows]
    assert len(rows) >= 35
    assert all(len(r.omitted.split()) >= 8 for r in rows if r.omitted)  # a reason, not a word


def test_version_bump_through_the_command(data_copy, capsys):
    # previous names a directory here: the bumped version says nothing new
    data_copy.replace("poster.yaml", 'version: "6.1"', 'version: "6.2"')
    assert main(["build", "--data", str(data_copy.root), "--previous", str(DATA), "--sheet", "workloads", "--out", str(data_copy.root.parent / "out")]) == 0
    err = capsys.readouterr().err
    rule = "VERSION-BUMP"
    assert re.search(rf"poster\.yaml:\d+:\d+: warning \[{rule}\] version 6\.2 has the same facts as 6\.1", err)


def test_every_rule_has_a_test_here():
    source = Path(__file__).read_text("utf-8")
    for rule in RULES:
        assert f'"{rule.id}"' in source, rule.id


def test_every_rule_is_in_the_readme():
    readme = (ROOT / "README.md").read_text("utf-8")
    for rule in RULES:
        assert f"| `{rule.id}` | {rule.severity} | {rule.summary} |" in readme, rule.id


def test_text_and_json_output(data_copy, capsys):
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 70000")
    assert main(["check", "--data", str(data_copy.root)]) == 1
    text = capsys.readouterr().out.strip().splitlines()
    assert len(text) == 1 and re.match(r"^workloads/flows/group-chat\.yaml:\d+:\d+: error \[PORT-RANGE\] ", text[0])
    assert main(["check", "--data", str(data_copy.root), "--format", "json"]) == 1
    (item,) = json.loads(capsys.readouterr().out)
    assert set(item) == {"file", "line", "column", "severity", "rule", "message"}
    assert item["file"] == "workloads/flows/group-chat.yaml" and item["rule"] == "PORT-RANGE"


def test_build_refuses_on_errors_and_force_marks_unchecked(data_copy, tmp_path, capsys):
    data_copy.replace("dns.yaml", "target: sip.contoso.com, port: 443", "target: sip.contoso.com, port: 4443")
    out = tmp_path / "out"
    assert main(["build", "--data", str(data_copy.root), "--out", str(out), "--sheet", "workloads"]) == 1
    err = capsys.readouterr().err
    assert "[DNS-SRV-PORT]" in err and "not building" in err
    assert not out.exists()
    assert main(["build", "--data", str(data_copy.root), "--out", str(out), "--force", "--sheet", "workloads"]) == 0
    (pdf,) = out.glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "UNCHECKED" in text


def test_a_clean_build_says_nothing_of_checks(tmp_path):
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path), "--size", "tabloid", "--sheet", "workloads"]) == 0
    (pdf,) = tmp_path.glob("*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "UNCHECKED" not in text


def test_changelog(data_copy):
    version = lyncposter.load(DATA).poster.version
    data_copy.replace("CHANGELOG.md", f"## {version} (", "## 0.9 (")
    location, severity, rule, message = only(data_copy.root)
    assert (severity, rule) == ("warning", "CHANGELOG")
    assert location == f"workloads/poster.yaml:{data_copy.locate('poster.yaml', 'version: ')[0]}:10"
    assert message.startswith(f"workloads/CHANGELOG.md has no entry '## {version} (")
