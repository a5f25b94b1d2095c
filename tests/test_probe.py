"""`lyncposter probe`: every connection a role opens, tested against real servers in a private
network namespace (Python's ssl and http.server, a SIP responder, a STUN server written from
RFC 5389, a DNS server), and from outside a generated firewall."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import netbed
from lyncposter.cli import main
from lyncposter.probe import probe_kind, targets
from standins import stun_reply
from conftest import DATA

BED = netbed.unavailable("nft")
needs_namespace = pytest.mark.skipif(BED is not None, reason=f"no private network namespace: {BED}")
NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)
EDGE_NAMES = ["access.contoso.com", "webconf.contoso.com", "sip.contoso.com"]
WEB_NAMES = ["webext.contoso.com", "dirwebext.contoso.com", "meet.contoso.com", "dialin.contoso.com", "lyncdiscover.contoso.com"]


# --- what it probes ----------------------------------------------------------------------------------


def test_a_remote_user_probes_the_inbound_rules_it_needs(dataset):
    rows = {(t.destination.id, t.transport, t.port): t for t in targets(dataset, "remote-client")}
    assert set(rows) == {
        ("access-edge", "TCP", 443),
        ("reverse-proxy", "TCP", 443),
        ("reverse-proxy", "TCP", 80),
        ("av-edge", "TCP", 443),
        ("av-edge", "UDP", 3478),
    }
    sign_in = rows[("access-edge", "TCP", 443)]
    assert (sign_in.name, sign_in.kind, sign_in.firewall, sign_in.rule) == ("sip.contoso.com", "sip-tls", "external-firewall", 5)
    assert sign_in.workloads == ("im-presence", "app-sharing", "group-chat")
    assert (rows[("av-edge", "UDP", 3478)].name, rows[("av-edge", "UDP", 3478)].kind) == ("av.contoso.com", "stun")
    assert rows[("reverse-proxy", "TCP", 443)].kind == "https" and rows[("reverse-proxy", "TCP", 80)].kind == "http"


def test_every_protocol_of_the_catalog_has_a_probe(dataset):
    kinds = {p.id: probe_kind(p, p.transports[0]) for p in dataset.catalog.protocols}
    assert kinds["sip-mtls"] == "sip-tls" and kinds["sip-tcp"] == "sip" and kinds["psom-tls"] == "tls"
    assert kinds["c3p"] == "https" and kinds["tds"] == "tcp" and kinds["stun-turn"] == "stun"


def test_unknown_roles_and_bad_pins_are_one_line(capsys):
    assert main(["probe", "--from", "remote-clint", "--data", str(DATA)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "did you mean 'remote-client'" in err
    assert main(["probe", "--from", "remote-client", "--resolve", "sip.contoso.com", "--data", str(DATA)]) == 2
    assert "NAME=ADDRESS" in capsys.readouterr().err


def test_the_stun_stand_in_answers_as_rfc_5389_says():
    request = bytes.fromhex("0001 0000 2112a442") + bytes(range(12))
    reply = stun_reply(request, ("192.0.2.1", 32853))
    assert reply is not None and reply[:2] == b"\x01\x01" and reply[8:20] == bytes(range(12))
    # RFC 5769 2.2's XOR-MAPPED-ADDRESS for 192.0.2.1:32853
    assert reply[-8:] == bytes.fromhex("0001 a147 e112 a643")
    assert stun_reply(b"\x00\x01\x00\x00" + bytes(16), ("192.0.2.1", 1)) is None  # no magic cookie


# --- against real servers in a private namespace -------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A test CA and the certificates the stand-ins serve: the Access Edge's and the reverse proxy's
    as the poster requires them, and one for another name."""
    root = tmp_path_factory.mktemp("pki")
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lyncposter probe test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 30 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (root / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (root / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    for name, cn, sans in (("edge", "access.contoso.com", EDGE_NAMES), ("web", "webext.contoso.com", WEB_NAMES), ("wrong", "intranet.fabrikam.com", ["intranet.fabrikam.com"])):
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - DAY)
            .not_valid_after(NOW + 300 * DAY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        (root / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return root


def service(kind: str, address: str, port: int, pki: Path | None = None, cert: str = "") -> dict[str, object]:
    found: dict[str, object] = {"kind": kind, "address": address, "port": port}
    if cert and pki is not None:
        found.update(cert=str(pki / f"{cert}.pem"), key=str(pki / "key.pem"))
    return found


def run_probe(where: list[str], *args: str) -> tuple[int, list[dict[str, object]], float]:
    """`lyncposter probe ... --format json` in a namespace: exit status, rows, seconds taken."""
    start = time.monotonic()
    done = subprocess.run(
        [*where, sys.executable, "-m", "lyncposter", "probe", "--data", str(DATA), "--format", "json", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    took = time.monotonic() - start
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout), took


def by_target(rows: list[dict[str, object]]) -> dict[tuple[object, object, object], dict[str, object]]:
    return {(r["destination"], r["transport"], r["port"]): r for r in rows}


@needs_namespace
def test_a_wrong_certificate_a_closed_port_stun_and_the_web_services(pki):
    """The issue's case: a TLS service whose certificate does not carry its name is `cert`, STUN on
    UDP 3478 is ok, a closed TCP port is refused, HTTPS and HTTP are ok; exit 1 well within 15 s."""
    services = [
        service("sip-tls", "10.77.0.1", 443, pki, "wrong"),
        service("stun-udp", "10.77.0.2", 3478),  # and nothing on TCP 443: closed
        service("https", "10.77.0.3", 443, pki, "web"),
        service("http", "10.77.0.3", 80),
    ]
    with netbed.namespace(["10.77.0.1", "10.77.0.2", "10.77.0.3"]) as ns, netbed.standins(ns, services):
        pins = ["--resolve", "sip.contoso.com=10.77.0.1", "--resolve", "av.contoso.com=10.77.0.2", "--resolve", "webext.contoso.com=10.77.0.3"]
        status, rows, took = run_probe(["ip", "netns", "exec", ns], "--from", "remote-client", "--timeout", "2", "--ca", str(pki / "ca.pem"), *pins)
    got = by_target(rows)
    sign_in = got[("access-edge", "TCP", 443)]
    assert sign_in["result"] == "cert", sign_in
    assert "CERT-NAME" in sign_in["findings"] and "CERT-SAN" in sign_in["findings"]  # sip.contoso.com is not on it
    assert "sip.contoso.com" in str(sign_in["detail"])
    assert got[("av-edge", "UDP", 3478)]["result"] == "ok" and "Binding success" in str(got[("av-edge", "UDP", 3478)]["detail"])
    assert got[("av-edge", "TCP", 443)]["result"] == "refused"
    assert got[("reverse-proxy", "TCP", 443)]["result"] == "ok" and got[("reverse-proxy", "TCP", 443)]["detail"] == "HTTP/1.0 200 OK"
    assert got[("reverse-proxy", "TCP", 80)]["result"] == "ok"
    assert got[("reverse-proxy", "TCP", 443)]["findings"] == ["CERT-MATCH", "CERT-CA"] or "CERT-CA" in got[("reverse-proxy", "TCP", 443)]["findings"]
    assert set(rows[0]) >= {"workload", "rule", "destination", "name", "address", "port", "transport", "protocol", "result", "findings", "detail"}
    assert status == 1 and took < 15, took


@needs_namespace
def test_the_right_certificate_sip_options_stun_over_tcp_silence_and_a_name_server(pki):
    """Names from a real DNS server; a SIP responder with the Access Edge's certificate answers
    OPTIONS; STUN over TCP answers; a silent UDP port is no-answer; without --ca, CERT-TRUST."""
    services = [
        service("dns", "10.77.0.53", 53) | {"records": {"sip.contoso.com": "10.77.0.4", "av.contoso.com": "10.77.0.5", "webext.contoso.com": "10.77.0.6"}},
        service("sip-tls", "10.77.0.4", 443, pki, "edge"),
        service("stun-tcp", "10.77.0.5", 443),
        service("silent-udp", "10.77.0.5", 3478),
        service("https", "10.77.0.6", 443, pki, "web"),
        service("http", "10.77.0.6", 80),
    ]
    with netbed.namespace(["10.77.0.53", "10.77.0.4", "10.77.0.5", "10.77.0.6"]) as ns, netbed.standins(ns, services):
        status, rows, took = run_probe(["ip", "netns", "exec", ns], "--from", "remote-client", "--timeout", "2", "--nameserver", "10.77.0.53", "--ca", str(pki / "ca.pem"))
        untrusted_status, untrusted, _ = run_probe(["ip", "netns", "exec", ns], "--from", "remote-client", "--timeout", "2", "--nameserver", "10.77.0.53")
    got = by_target(rows)
    sign_in = got[("access-edge", "TCP", 443)]
    assert (sign_in["result"], sign_in["address"]) == ("ok", "10.77.0.4"), sign_in
    assert str(sign_in["detail"]).startswith("SIP/2.0 200 OK")
    assert [f for f in sign_in["findings"] if f not in ("CERT-MATCH", "CERT-CA")] == []
    assert got[("av-edge", "TCP", 443)]["result"] == "ok"
    assert got[("av-edge", "UDP", 3478)]["result"] == "no-answer"
    assert got[("reverse-proxy", "TCP", 80)]["address"] == "10.77.0.6"
    assert status == 1 and took < 10
    plain = by_target(untrusted)
    assert plain[("access-edge", "TCP", 443)]["result"] == "cert" and "CERT-TRUST" in plain[("access-edge", "TCP", 443)]["findings"]
    assert plain[("reverse-proxy", "TCP", 443)]["result"] == "cert"
    assert untrusted_status == 1


@needs_namespace
def test_the_text_table_and_an_unknown_name(pki):
    with netbed.namespace(["10.77.0.53"]) as ns, netbed.standins(ns, [service("dns", "10.77.0.53", 53) | {"records": {}}]):
        done = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, "-m", "lyncposter", "probe", "--data", str(DATA), "--from", "remote-client", "--timeout", "1", "--nameserver", "10.77.0.53"],
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["WORKLOAD", "RULE", "TO"]
    assert all("unresolved" in line and "NXDOMAIN" in line for line in lines[1:-1])
    assert re.fullmatch(r"5 connections: 5 unresolved; 5 failing", lines[-1])


# --- from outside the generated firewall ---------------------------------------------------------------


@needs_namespace
def test_a_probe_from_outside_the_firewall_sees_exactly_what_its_rules_let_through(pki, dataset):
    """The external firewall's generated ruleset between a remote user and the Edge's stand-ins at their
    planned addresses: every connection gets through; with the sign-in rule's accept removed, only sign-in fails."""
    from lyncposter.export.platforms import policy, render
    from lyncposter.firewall import rule_set

    edge, av, proxy = "203.0.113.10", "203.0.113.12", "203.0.113.14"  # the placeholder plan's
    services = [
        service("sip-tls", edge, 443, pki, "edge"),
        service("stun-tcp", av, 443),
        service("stun-udp", av, 3478),
        service("https", proxy, 443, pki, "web"),
        service("http", proxy, 80),
    ]
    pins = ["--resolve", f"sip.contoso.com={edge}", "--resolve", f"av.contoso.com={av}", "--resolve", f"webext.contoso.com={proxy}"]
    ruleset = render(policy(dataset, rule_set(dataset, "external-firewall")), "nftables")
    (sign_in,) = [r for r in rule_set(dataset, "external-firewall").rules if r.label == "SIP/TLS:443"]
    without = re.sub(rf"(chain rule-{sign_in.number} {{.*?\n)\s+ip daddr[^\n]*accept\n", r"\1", ruleset, flags=re.S)
    assert without != ruleset
    seen = {}
    for name, loaded in (("all rules", ruleset), ("without sign-in", without)):
        with netbed.Bed(["198.51.100.10"], [edge, av, proxy]) as bed:
            assert bed.load(["nft", "-f", "-"], loaded).returncode == 0
            with netbed.standins(bed.names["inner"], services):
                _, rows, _ = run_probe(["ip", "netns", "exec", bed.names["outer"]], "--from", "remote-client", "--timeout", "2", "--ca", str(pki / "ca.pem"), *pins)
        seen[name] = {k: r["result"] for k, r in by_target(rows).items()}
    assert set(seen["all rules"].values()) == {"ok"}, seen
    assert seen["without sign-in"] == {**seen["all rules"], ("access-edge", "TCP", 443): "timeout"}


@needs_namespace
def test_a_plain_server_where_tls_is_expected_is_a_tls_error():
    services = [service("http", "10.77.0.7", 443)]  # speaks HTTP where SIP over TLS is drawn
    with netbed.namespace(["10.77.0.7"]) as ns, netbed.standins(ns, services):
        _, rows, _ = run_probe(["ip", "netns", "exec", ns], "--from", "remote-client", "--timeout", "2", "--resolve", "sip.contoso.com=10.77.0.7")
    sign_in = by_target(rows)[("access-edge", "TCP", 443)]
    assert sign_in["result"] == "tls-error" and str(sign_in["detail"]).startswith("TLS: "), sign_in
