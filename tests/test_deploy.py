"""From poster to deployment: certificate requests, DNS zones, and checks of real certificates and zones."""

from __future__ import annotations

import csv
import datetime
import io
import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import lyncposter
from lyncposter.cli import main
from conftest import DATA

NOW = datetime.datetime.now(datetime.timezone.utc)
DAY = datetime.timedelta(days=1)
EDGE_NAMES = ["access.contoso.com", "webconf.contoso.com", "sip.contoso.com"]
EDGE = "Access Edge certificate for Edge external (Access, Web Conferencing, A/V Authentication)"


# --- issuing test certificates -------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lyncposter test CA")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - 10 * DAY)
        .not_valid_after(NOW + 3650 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="module")
def leaf_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def issue(ca, leaf_key, tmp_path):
    """Issue a certificate from the test CA and write it; return its path."""
    ca_key, ca_cert = ca

    def make(
        cn: str,
        sans: list[str],
        ekus=(ExtendedKeyUsageOID.SERVER_AUTH,),
        not_before=NOW - DAY,
        not_after=NOW + 365 * DAY,
        encoding: str = "pem",
        chain: bool = False,
        name: str = "cert",
        key=None,
    ) -> Path:
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca_cert.subject)
            .public_key((key or leaf_key).public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        )
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]), critical=False)
        if ekus:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(ekus)), critical=False)
        cert = builder.sign(ca_key, hashes.SHA256())
        if encoding == "der":
            path, data = tmp_path / f"{name}.der", cert.public_bytes(serialization.Encoding.DER)
        elif encoding == "p7b":
            path, data = tmp_path / f"{name}.p7b", pkcs7.serialize_certificates([ca_cert, cert], serialization.Encoding.PEM)
        else:
            path = tmp_path / f"{name}.pem"
            data = cert.public_bytes(serialization.Encoding.PEM)
            if chain:  # the issuer first, as some CAs send it: the leaf is still found
                data = ca_cert.public_bytes(serialization.Encoding.PEM) + data
        path.write_bytes(data)
        return path

    return make


def verdict(dataset, path, **options) -> list[tuple[str, str, str]]:
    return [(f.severity, f.rule, f.message) for f in lyncposter.verify_certificate(dataset, path, **options)]


def problems(found) -> list[tuple[str, str, str]]:
    return [f for f in found if f[0] != "info"]


# --- verify cert ------------------------------------------------------------------------------


def test_a_certificate_that_meets_the_access_edge_requirement(dataset, issue):
    found = verdict(dataset, issue("access.contoso.com", EDGE_NAMES))
    assert problems(found) == []
    assert found[0] == ("info", "CERT-MATCH", f"compared with the {EDGE}: it carries 3 of its 3 names")
    assert found[-1][:2] == ("info", "CERT-CA") and "asks for a public CA" in found[-1][2]


def test_a_missing_sip_name_is_the_original_posters_erratum(dataset, issue):
    found = verdict(dataset, issue("access.contoso.com", EDGE_NAMES[:2]))
    assert problems(found) == [("error", "CERT-SAN", f"sip.contoso.com is required on the {EDGE} and missing")]
    assert "carries 2 of its 3 names" in found[0][2]


def test_wildcards_are_matched_per_rfc_6125_and_refused_for_edge_names(dataset, issue):
    found = verdict(dataset, issue("access.contoso.com", ["access.contoso.com", "*.contoso.com"]), role="access-edge")
    assert problems(found) == [
        ("error", "CERT-WILDCARD", f"webconf.contoso.com is covered only by the wildcard SAN *.contoso.com; the {EDGE} needs the name itself (no wildcards for these names)"),
        ("error", "CERT-WILDCARD", f"sip.contoso.com is covered only by the wildcard SAN *.contoso.com; the {EDGE} needs the name itself (no wildcards for these names)"),
    ]
    # where wildcards are allowed (simple URLs on a pool's web certificate), they are reported, not refused
    found = verdict(dataset, issue("pool01.contoso.com", ["pool01.contoso.com", "*.contoso.com"]), role="front-end", interface="Web internal")
    assert problems(found) == []
    assert [m for s, r, m in found if r == "CERT-WILDCARD"] == [
        f"{n}.contoso.com is covered by the wildcard SAN *.contoso.com (RFC 6125)" for n in ("meet", "dialin", "admin", "lyncdiscoverinternal")
    ]


def test_wildcard_rules():
    from lyncposter.verify import wildcard_covers

    assert wildcard_covers("*.contoso.com", "sip.contoso.com")
    assert not wildcard_covers("*.contoso.com", "contoso.com")  # one whole label, not none
    assert not wildcard_covers("*.contoso.com", "a.sip.contoso.com")  # not two
    assert not wildcard_covers("*.com", "contoso.com")  # not a top-level domain alone
    assert not wildcard_covers("s*.contoso.com", "sip.contoso.com")


def test_an_expired_certificate(dataset, issue):
    found = verdict(dataset, issue("access.contoso.com", EDGE_NAMES, not_before=NOW - 400 * DAY, not_after=NOW - DAY))
    ((severity, rule, message),) = problems(found)
    assert (severity, rule) == ("error", "CERT-DATES") and message.startswith("expired on ")


def test_a_certificate_with_only_client_authentication(dataset, issue):
    found = verdict(dataset, issue("access.contoso.com", EDGE_NAMES, ekus=(ExtendedKeyUsageOID.CLIENT_AUTH,)))
    assert problems(found) == [("error", "CERT-EKU", f"Server Authentication is required on the {EDGE} and missing")]


def test_short_keys_and_a_wrong_subject(dataset, issue):
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    found = verdict(dataset, issue("edge.contoso.com", EDGE_NAMES, key=small), role="access-edge")
    assert problems(found) == [
        ("error", "CERT-SUBJECT", f"the subject CN is edge.contoso.com; the {EDGE} asks for access.contoso.com"),
        ("error", "CERT-KEY", "the RSA key has 1024 bits; use at least 2048"),
    ]


def test_der_and_chains_are_read(dataset, issue):
    for path in (issue("access.contoso.com", EDGE_NAMES, encoding="der"), issue("access.contoso.com", EDGE_NAMES, chain=True, name="chain"), issue("access.contoso.com", EDGE_NAMES, encoding="p7b")):
        assert problems(verdict(dataset, path)) == [], path


def test_the_command_line(issue, tmp_path, capsys):
    good = issue("access.contoso.com", EDGE_NAMES, name="good")
    assert main(["verify", "cert", str(good), "--data", str(DATA)]) == 0
    bad = issue("access.contoso.com", EDGE_NAMES[:2], name="bad")
    capsys.readouterr()
    assert main(["verify", "cert", str(bad), "--data", str(DATA), "--role", "access-edge"]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: error [CERT-SAN] sip.contoso.com is required on the {EDGE} and missing" in out.splitlines()
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    assert main(["verify", "cert", str(garbage), "--data", str(DATA)]) == 1
    err = capsys.readouterr().err
    assert err == f"lyncposter: {garbage}: not a certificate; give an X.509 certificate as PEM or DER, or a PKCS#7 chain\n"
    assert main(["verify", "cert", str(tmp_path / "nowhere.pem"), "--data", str(DATA)]) == 1
    assert capsys.readouterr().err.startswith(f"lyncposter: {tmp_path / 'nowhere.pem'}: cannot read it")
    assert main(["verify", "cert", str(good), "--data", str(DATA), "--role", "acess-edge"]) == 2
    assert "(did you mean 'access-edge'?)" in capsys.readouterr().err


def test_verify_in_the_engineers_domain(dataset, issue):
    names = [n.replace("contoso", "fabrikam") for n in EDGE_NAMES]
    fabrikam = lyncposter.for_domain(dataset, "fabrikam.com")
    assert problems(verdict(fabrikam, issue("access.fabrikam.com", names))) == []
    assert problems(verdict(dataset, issue("access.fabrikam.com", names, name="f2"), role="access-edge"))  # not contoso's


# --- certificate requests -----------------------------------------------------------------------


def test_certs_table(capsys, dataset):
    assert main(["certs", "--data", str(DATA)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == len(dataset.certificates)
    edge = next(r for r in rows if r["role"] == "access-edge")
    assert edge["sans"] == ";".join(EDGE_NAMES) and edge["ca"] == "public" and edge["exportable"] == "yes"
    assert main(["certs", "--data", str(DATA), "--role", "edge-server", "--format", "json"]) == 0
    assert [r["subject"] for r in json.loads(capsys.readouterr().out)] == ["lsedge.contoso.net"]
    assert main(["certs", "--data", str(DATA), "--role", "acces-edge"]) == 2
    assert "(did you mean 'access-edge'?)" in capsys.readouterr().err


def test_certreq_inf_per_certificate(dataset, tmp_path, capsys):
    assert main(["certs", "--data", str(DATA), "--format", "inf", "--out", str(tmp_path)]) == 0
    files = sorted(tmp_path.glob("*.inf"))
    assert len(files) == len(dataset.certificates)
    text = (tmp_path / "access-edge-edge-external.inf").read_bytes().decode("utf-8")  # CRLF, as certreq reads it
    assert '[NewRequest]\r\nSubject = "CN=access.contoso.com"\r\nKeyLength = 2048' in text
    assert "Exportable = TRUE" in text and "OID = 1.3.6.1.5.5.7.3.1 ; Server Authentication" in text
    assert '2.5.29.17 = "{text}"\r\n_continue_ = "dns=access.contoso.com&"\r\n_continue_ = "dns=webconf.contoso.com&"\r\n_continue_ = "dns=sip.contoso.com"\r\n' in text
    internal = (tmp_path / "front-end-default.inf").read_text("utf-8")
    assert "Exportable = FALSE" in internal
    assert "[Extensions]" not in (tmp_path / "mediation-default.inf").read_text("utf-8")  # no SANs, no extension


def test_csr_per_certificate_reads_back_and_verifies(dataset, tmp_path, capsys):
    fabrikam = lyncposter.for_domain(dataset, "fabrikam.com")
    assert main(["certs", "--data", str(DATA), "--format", "csr", "--out", str(tmp_path), "--domain", "fabrikam.com"]) == 0
    csrs = sorted(tmp_path.glob("*.csr"))
    assert len(csrs) == len(dataset.certificates) == len(list(tmp_path.glob("*.key")))
    from lyncposter.export.certs import file_stem

    for cert in fabrikam.certificates:
        path = tmp_path / f"{file_stem(cert)}.csr"
        request = x509.load_pem_x509_csr(path.read_bytes())
        assert request.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == cert.subject
        try:
            sans = request.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            sans = []
        assert sans == list(cert.sans)
        ekus = request.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        wanted = {"server": ExtendedKeyUsageOID.SERVER_AUTH, "client": ExtendedKeyUsageOID.CLIENT_AUTH}
        assert list(ekus) == [wanted[e] for e in cert.eku]
        key = path.with_suffix(".key")
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        private = serialization.load_pem_private_key(key.read_bytes(), password=None)
        assert private.key_size == 2048
        assert private.public_key().public_numbers() == request.public_key().public_numbers()
        checked = subprocess.run(["openssl", "req", "-verify", "-noout", "-in", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    # a private key is never overwritten without --force
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    capsys.readouterr()
    assert main(["certs", "--data", str(DATA), "--format", "csr", "--out", str(tmp_path)]) == 2
    assert "exists; not overwriting it" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert main(["certs", "--data", str(DATA), "--format", "csr", "--out", str(tmp_path), "--role", "mediation", "--force"]) == 0
    assert (tmp_path / "mediation-default.key").read_bytes() != before[tmp_path / "mediation-default.key"]


def test_request_files_need_a_directory(capsys):
    assert main(["certs", "--data", str(DATA), "--format", "inf"]) == 2
    assert "say where with --out DIR" in capsys.readouterr().err


# --- DNS --------------------------------------------------------------------------------------------


def zone(view: str, domain: str | None = None) -> str:
    args = ["dns", "--data", str(DATA), "--view", view, "--format", "zone"] + (["--domain", domain] if domain else [])
    result = subprocess.run([str(Path(sys.executable).with_name("lyncposter")), *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("view", ["internal", "external"])
@pytest.mark.parametrize("domain", [None, "fabrikam.com"])
def test_exported_zones_pass_named_checkzone_and_verify(view, domain, tmp_path, dataset):
    origin = domain or dataset.poster.example_domain
    path = tmp_path / f"{view}.zone"
    path.write_text(zone(view, domain), "utf-8")
    checked = subprocess.run(["named-checkzone", origin, str(path)], capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.strip().endswith("OK"), checked.stdout
    found = lyncposter.verify_zone(lyncposter.for_domain(dataset, domain), path, view, origin)
    assert [f for f in found if f.severity != "info"] == []


def test_a_missing_sip_record_is_one_finding_that_names_it(tmp_path, dataset):
    text = zone("external", "fabrikam.com")
    assert "\nsip IN A " in text
    path = tmp_path / "external.zone"
    path.write_text("\n".join(line for line in text.splitlines() if not line.startswith("sip IN A ")) + "\n", "utf-8")
    found = lyncposter.verify_zone(lyncposter.for_domain(dataset, "fabrikam.com"), path, "external", "fabrikam.com")
    (finding,) = found
    assert (finding.severity, finding.rule) == ("error", "DNS-MISSING")
    assert finding.message.startswith("sip.fabrikam.com has no A or CNAME record; it is needed: Remote sign-in")
    assert "named on the public Access Edge certificate" in finding.message and "the target of SRV _sip._tls.fabrikam.com" in finding.message


def test_a_wrong_srv_port_is_found_at_its_line(tmp_path, dataset, capsys):
    text = zone("external").replace("_sip._tls IN SRV 0 0 443 ", "_sip._tls IN SRV 0 0 5061 ")
    path = tmp_path / "external.zone"
    path.write_text(text, "utf-8")
    line = text.splitlines().index("_sip._tls IN SRV 0 0 5061 sip.contoso.com.") + 1
    assert main(["verify", "dns", str(path), "--view", "external", "--data", str(DATA)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:{line}: error [DNS-SRV] SRV _sip._tls.contoso.com has port 5061 on sip.contoso.com; the poster has port 443 on sip.contoso.com"
    ]


def test_an_unreadable_zone_is_one_line(tmp_path, capsys):
    path = tmp_path / "broken.zone"
    path.write_text("$ORIGIN contoso.com.\nsip IN A not-an-address\n", "utf-8")
    assert main(["verify", "dns", str(path), "--view", "external", "--data", str(DATA)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"lyncposter: {path}: not a zone file dnspython can read")


def test_powershell_lines(capsys, dataset):
    assert main(["dns", "--data", str(DATA), "--view", "external", "--format", "powershell"]) == 0
    lines = capsys.readouterr().out.splitlines()
    records = [r for r in dataset.dns_records if r.view == "external"]
    assert sum(line.startswith("Add-DnsServerResourceRecord") for line in lines) == len(records)
    assert 'Add-DnsServerResourceRecord -Srv -ZoneName $Zone -Name "_sip._tls" -DomainName "sip.contoso.com" -Priority 0 -Weight 0 -Port 443  # External automatic sign-in' in lines
    assert any(line.startswith('Add-DnsServerResourceRecordA -ZoneName $Zone -Name "sip" -IPv4Address "203.0.113.') for line in lines)
    assert main(["dns", "--data", str(DATA), "--format", "zone"]) == 2
    assert "choose --view internal or --view external" in capsys.readouterr().err


def test_every_name_in_the_engineers_domain(capsys, dataset):
    assert main(["dns", "--data", str(DATA), "--domain", "fabrikam.com", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert main(["certs", "--data", str(DATA), "--domain", "fabrikam.com", "--format", "json"]) == 0
    certificates = json.loads(capsys.readouterr().out)
    names = [r["name"] for r in records] + [r["target"] for r in records if r["type"] != "A"]
    names += [c["subject"] for c in certificates] + [n for c in certificates for n in c["sans"].split(";") if n]
    assert names and all(n == "fabrikam.com" or n.endswith(".fabrikam.com") for n in names), [n for n in names if "fabrikam" not in n]
    assert "lsedge.fabrikam.com" in names  # the Edge's internal name moved too
    assert main(["dns", "--data", str(DATA), "--domain", "fabrikam..com"]) == 2
    assert "is not a DNS domain" in capsys.readouterr().err
