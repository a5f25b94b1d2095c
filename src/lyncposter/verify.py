"""Checks of what an engineer actually deployed against the poster: an issued certificate, a zone file.

"If you don't find these settings defined in the certificate issued, it is an
indication that the server certificate wasn't properly requested" (the original
poster). Each finding is one line, `FILE: severity [RULE] message`; errors make
`lyncposter verify` exit 1. Reading a zone never looks anything up on the network.
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError, did_you_mean
from .files import read_text
from .export.zone import in_zone, records_of
from .model import Certificate, Dataset, DnsRecord

MIN_KEY_BITS = 2048
EXPIRY_WARNING = datetime.timedelta(days=30)


@dataclass(frozen=True, order=True)
class Finding:
    file: str
    severity: str  # error, warning, info
    rule: str
    message: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity} [{self.rule}] {self.message}"


class VerifyError(UsageError):
    """The file to verify cannot be read as what it should be: one line, exit 1."""

    exit_code = 1


# --- certificates --------------------------------------------------------------------------------


def _read_certificates(path: Path) -> list[Any]:
    """Every certificate in a PEM file, a DER file, or a PKCS#7 bundle (PEM or DER)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import pkcs7

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise VerifyError(f"{path}: cannot read it ({exc.strerror})") from None
    readers = [x509.load_pem_x509_certificates, lambda b: [x509.load_der_x509_certificate(b)], pkcs7.load_pem_pkcs7_certificates, pkcs7.load_der_pkcs7_certificates]
    for read in readers:
        try:
            found = list(read(raw))
        except (ValueError, TypeError):
            continue
        if found:
            return found
    raise VerifyError(f"{path}: not a certificate; give an X.509 certificate as PEM or DER, or a PKCS#7 chain")


def _leaf(certificates: list[Any]) -> Any:
    """The server's own certificate in a chain: the first that is not a CA."""
    from cryptography import x509

    for cert in certificates:
        try:
            if not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                return cert
        except x509.ExtensionNotFound:
            return cert
    return certificates[0]


def wildcard_covers(pattern: str, name: str) -> bool:
    """RFC 6125 6.4.3: `*` stands for exactly one whole left-most label, never in a public suffix alone."""
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if not pattern.startswith("*.") or "*" in pattern[2:]:
        return False
    rest = pattern[2:]
    return rest.count(".") >= 1 and name.endswith("." + rest) and "." not in name[: -len(rest) - 1]


@dataclass(frozen=True)
class _Issued:
    common_names: tuple[str, ...]
    dns_names: tuple[str, ...]
    ekus: frozenset[str] | None  # None: no EKU extension
    key: str
    key_bits: int | None
    not_before: datetime.datetime
    not_after: datetime.datetime
    issuer: str
    self_signed: bool


def _issued(cert: Any) -> _Issued:
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    names = tuple(str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME))
    try:
        sans = tuple(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        sans = ()
    ekus: frozenset[str] | None
    try:
        usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        known = {ExtendedKeyUsageOID.SERVER_AUTH: "server", ExtendedKeyUsageOID.CLIENT_AUTH: "client"}
        ekus = frozenset(known.get(oid, oid.dotted_string) for oid in usage)
    except x509.ExtensionNotFound:
        ekus = None
    public = cert.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        key, bits = "RSA", public.key_size
    elif isinstance(public, dsa.DSAPublicKey):
        key, bits = "DSA", public.key_size
    elif isinstance(public, ec.EllipticCurvePublicKey):
        key, bits = f"EC {public.curve.name}", None
    else:
        key, bits = type(public).__name__, None
    return _Issued(
        names,
        sans,
        ekus,
        key,
        bits,
        cert.not_valid_before_utc,
        cert.not_valid_after_utc,
        cert.issuer.rfc4514_string(),
        cert.issuer == cert.subject,
    )


def _covered(name: str, issued: _Issued) -> str | None:
    """How the certificate carries `name`: the name itself, a wildcard SAN that covers it, or None."""
    dns = [n.lower() for n in issued.dns_names]
    if name.lower() in dns:
        return name.lower()
    return next((n for n in dns if wildcard_covers(n, name)), None)


def _score(requirement: Certificate, issued: _Issued) -> tuple[int, int, int]:
    """How well an issued certificate fits a requirement: names carried, subject, fewest missing."""
    names = requirement.names
    carried = sum(1 for n in names if _covered(n, issued) or n.lower() in (c.lower() for c in issued.common_names))
    subject = int(requirement.subject.lower() in (c.lower() for c in issued.common_names))
    return carried, subject, -(len(names) - carried)


def verify_certificate(
    data: Dataset,
    path: str | os.PathLike[str],
    role: str | None = None,
    interface: str | None = None,
    now: datetime.datetime | None = None,
) -> list[Finding]:
    """Compare an issued certificate with the requirement it is for (named, or the one whose names it fits best)."""
    certificate = _leaf(_read_certificates(Path(path)))
    return check_certificate(data, certificate, str(path), _candidates(data, role, interface), now)


def _candidates(data: Dataset, role: str | None, interface: str | None) -> list[Certificate]:
    """The requirements a certificate may be for: all, a role's, or one interface's."""
    candidates = list(data.certificates)
    if role is not None:
        candidates = [c for c in candidates if c.role.id == role]
        if not candidates:
            known = sorted({c.role.id for c in data.certificates})
            raise UsageError(f"no certificate requirement for role '{role}'{did_you_mean(role, known)}; roles with one: {', '.join(known)}")
    if interface is not None:
        chosen = [c for c in candidates if c.interface.lower() == interface.lower()]
        if not chosen:
            known = [c.interface for c in candidates]
            raise UsageError(f"no interface '{interface}'{did_you_mean(interface, known)}; choose one of: {'; '.join(known)}")
        candidates = chosen
    return candidates


def check_certificate(
    data: Dataset,
    certificate: Any,
    shown: str,
    candidates: list[Certificate],
    now: datetime.datetime | None = None,
    reached_as: str = "",
    trust: str = "for information: trust is not checked here",
) -> list[Finding]:
    """The findings for one certificate (a `cryptography` x509 object) against the best-fitting of
    `candidates`; with `reached_as`, also whether it carries the name it was reached by."""
    issued = _issued(certificate)
    findings: list[Finding] = []

    def add(severity: str, rule: str, message: str) -> None:
        findings.append(Finding(shown, severity, rule, message))

    if reached_as and not (_covered(reached_as, issued) or reached_as.lower() in (c.lower() for c in issued.common_names)):
        carried = ", ".join(issued.dns_names or issued.common_names) or "no name"
        add("error", "CERT-NAME", f"it was reached as {reached_as}, which it does not carry (it carries {carried})")
    if not candidates:
        return findings
    requirement = max(candidates, key=lambda c: _score(c, issued))  # max keeps the first of equals: the data's order
    what = f"the {requirement.title}"
    if len(candidates) > 1:
        carried_count, _, _ = _score(requirement, issued)
        add("info", "CERT-MATCH", f"compared with {what}: it carries {carried_count} of its {len(requirement.names)} names")
    if requirement.subject.lower() not in (c.lower() for c in issued.common_names):
        got = ", ".join(issued.common_names) or "no common name"
        add("error", "CERT-SUBJECT", f"the subject CN is {got}; {what} asks for {requirement.subject}")
    for name in requirement.sans:
        carrier = _covered(name, issued)
        if carrier is None:
            add("error", "CERT-SAN", f"{name} is required on {what} and missing")
        elif carrier != name.lower():
            if requirement.wildcards:
                add("info", "CERT-WILDCARD", f"{name} is covered by the wildcard SAN {carrier} (RFC 6125)")
            else:
                add("error", "CERT-WILDCARD", f"{name} is covered only by the wildcard SAN {carrier}; {what} needs the name itself (no wildcards for these names)")
    if issued.ekus is None:
        add("error", "CERT-EKU", f"the certificate has no Enhanced Key Usage; {what} needs {', '.join(_eku_names(requirement.eku))}")
    else:
        for eku in requirement.eku:
            if eku not in issued.ekus:
                add("error", "CERT-EKU", f"{_eku_names((eku,))[0]} is required on {what} and missing")
    if issued.key_bits is not None and issued.key_bits < MIN_KEY_BITS:
        add("error", "CERT-KEY", f"the {issued.key} key has {issued.key_bits} bits; use at least {MIN_KEY_BITS}")
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    if issued.not_after < moment:
        add("error", "CERT-DATES", f"expired on {issued.not_after:%Y-%m-%d %H:%M} UTC")
    elif issued.not_before > moment:
        add("error", "CERT-DATES", f"not valid before {issued.not_before:%Y-%m-%d %H:%M} UTC")
    elif issued.not_after - moment < EXPIRY_WARNING:
        add("warning", "CERT-DATES", f"expires on {issued.not_after:%Y-%m-%d} UTC, in under {EXPIRY_WARNING.days} days")
    kind = "self-signed" if issued.self_signed else f"issued by {issued.issuer}"
    add("info", "CERT-CA", f"{kind}; {what} asks for a {requirement.ca} CA ({trust})")
    return findings


def _eku_names(ekus: tuple[str, ...]) -> list[str]:
    return [{"server": "Server Authentication", "client": "Client Authentication"}.get(e, e) for e in ekus]


# --- zone files ----------------------------------------------------------------------------------


def _zone(path: Path, origin: str) -> Any:
    import dns.exception
    import dns.zone

    try:
        return dns.zone.from_file(str(path), origin=origin + ".", relativize=False, check_origin=False)
    except OSError as exc:
        raise VerifyError(f"{path}: cannot read it ({exc.strerror})") from None
    except dns.exception.DNSException as exc:
        detail = str(exc).replace(f"{path}:", "").strip()
        raise VerifyError(f"{path}: not a zone file dnspython can read ({detail})") from None


def _lines(path: Path, origin: str) -> dict[str, int]:
    """The first line that names each owner, so a finding about a record points at it."""
    found: dict[str, int] = {}
    for number, text in enumerate(path.read_text("utf-8", "replace").splitlines(), start=1):
        match = re.match(r"^([^\s;$]+)", text)
        if not match:
            continue
        owner = match.group(1).lower()
        name = origin if owner == "@" else owner.rstrip(".") if owner.endswith(".") else f"{owner}.{origin}"
        found.setdefault(name, number)
    return found


def verify_zone(data: Dataset, path: str | os.PathLike[str], view: str, origin: str) -> list[Finding]:
    """Every record the poster requires in `view` that the zone lacks or has differently; extra records are fine.

    One finding per name: a missing `sip` A record is one error that says everything
    that needs it (its own row, the certificate that names it, the SRV records that point at it).
    """
    import dns.name
    import dns.rdataclass
    import dns.rdatatype

    file = Path(path)
    shown = str(path)
    origin = origin.rstrip(".").lower()
    zone = _zone(file, origin)
    lines = _lines(file, origin)

    def rdatas(name: str, kind: str) -> list[Any]:
        node = zone.get_node(dns.name.from_text(name.rstrip(".") + "."))
        if node is None:
            return []
        found = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.from_text(kind))
        return list(found) if found else []

    def resolves(name: str) -> bool:
        return bool(rdatas(name, "A") or rdatas(name, "AAAA") or rdatas(name, "CNAME"))

    findings: list[Finding] = []
    missing: dict[str, list[str]] = {}  # name -> why it must resolve
    wanted = [r for r in records_of(data, view) if in_zone(r.name, origin)]
    for record in wanted:
        name = record.name.rstrip(".").lower()
        if record.type == "A":
            if not resolves(name):
                missing.setdefault(name, []).append(f"{record.purpose} ({record.location})")
        elif record.type == "CNAME":
            _check_cname(record, rdatas(name, "CNAME"), resolves(name), shown, lines.get(name, 0), findings, missing)
        else:
            _check_srv(record, rdatas(name, "SRV"), shown, lines.get(name, 0), findings, missing)
    public = view == "external"
    for cert in data.certificates:
        if (cert.ca == "public") != public:
            continue
        for name in cert.names:
            name = name.lower()
            if name.startswith("*.") or not in_zone(name, origin) or name in missing or resolves(name):
                continue
            missing.setdefault(name, [])
    for name, reasons in missing.items():
        needs = list(reasons)
        needs += [f"named on the {c.ca} {c.title}" for c in data.certificates if name in (n.lower() for n in c.names) and (c.ca == "public") == public]
        needs += [f"the target of {r.type} {r.name}" for r in wanted if r.type in ("SRV", "CNAME") and r.target.rstrip(".").lower() == name]
        findings.append(Finding(shown, "error", "DNS-MISSING", f"{name} has no A or CNAME record; it is needed: {'; '.join(needs)}"))
    others = [r for r in records_of(data, view) if not in_zone(r.name, origin)]
    if others:
        names = ", ".join(sorted({r.name for r in others}))
        findings.append(Finding(shown, "info", "DNS-OTHER-ZONE", f"not checked, outside {origin}: {names}"))
    return sorted(findings, key=lambda f: (f.line == 0, f.line, f.rule, f.message))


def _check_cname(
    record: DnsRecord, found: list[Any], resolves: bool, file: str, line: int, findings: list[Finding], missing: dict[str, list[str]]
) -> None:
    name = record.name.rstrip(".").lower()
    target = record.target.rstrip(".").lower()
    if found:
        got = str(found[0].target).rstrip(".").lower()
        if got != target:
            findings.append(Finding(file, "error", "DNS-CNAME", f"CNAME {name} points to {got}; the poster has {target}", line))
    elif resolves:
        findings.append(Finding(file, "info", "DNS-CNAME", f"{name} is an A record where the poster has a CNAME to {target}; either works", line))
    else:
        missing.setdefault(name, []).append(f"{record.purpose}, a CNAME to {target} ({record.location})")


def _check_srv(record: DnsRecord, found: list[Any], file: str, line: int, findings: list[Finding], missing: dict[str, list[str]]) -> None:
    name = record.name.rstrip(".").lower()
    target = record.target.rstrip(".").lower()
    if not found:
        findings.append(
            Finding(file, "error", "DNS-SRV", f"SRV {name} is missing; the poster has port {record.port} on {target} for {record.purpose} ({record.location})")
        )
        return
    if any(str(r.target).rstrip(".").lower() == target and r.port == record.port for r in found):
        return
    got = ", ".join(f"port {r.port} on {str(r.target).rstrip('.')}" for r in found)
    findings.append(Finding(file, "error", "DNS-SRV", f"SRV {name} has {got}; the poster has port {record.port} on {target}", line))


# --- firewalls -----------------------------------------------------------------------------------

ANY_SAMPLE = {4: "192.0.2.1", 6: "2001:db8::1"}  # an address no plan names, standing for "any"


def _samples(networks: tuple[str, ...], version: int) -> list[Any]:
    """Addresses to send from or to: any stands for itself; a prefix for its first and last host."""
    import ipaddress

    if not networks:
        return [ipaddress.ip_address(ANY_SAMPLE[version])]
    found = []
    for text in networks:
        network = ipaddress.ip_network(text)
        if network.version != version:
            continue
        found += [network.network_address] if network.num_addresses <= 2 else [network[1], network[-2]]
    return list(dict.fromkeys(found))


def _versions(rule: Any) -> list[int]:
    import ipaddress

    named = {ipaddress.ip_network(n).version for n in (*rule.source.networks, *rule.destination.networks)}
    return sorted(named or {4})


def _rule_packets(rule: Any, reverse: bool = False) -> list[Any]:
    """The first packet of every connection a rule lets through: each transport, the first and last port of each range."""
    from .packetfilter import Packet

    packets = []
    for version in _versions(rule):
        sources, destinations = _samples(rule.source.networks, version), _samples(rule.destination.networks, version)
        if reverse:
            sources, destinations = destinations, sources
        for transport in rule.transports:
            for ports in rule.rule.ports:
                for port in dict.fromkeys((ports.low, ports.high)):
                    packets += [Packet(version, s, d, transport, port) for s in sources for d in destinations]
    return packets


def _ends(rule: Any) -> str:
    r = rule.rule
    return f"{r.source.label} ({rule.source.text}) -> {r.destination.label} ({rule.destination.text})"


def _ranges(ranges: Any) -> str:
    return ",".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges)


def _broad(path: Any, served: list[Any]) -> list[str]:
    """What an accept lets through beyond what the rules it serves need."""
    import ipaddress

    from .packetfilter import PORT_PROTOCOLS

    reasons = []
    protocols = path.constraint("proto")
    ports = path.constraint("dport")
    if protocols is None and ports is None:
        reasons.append("any protocol and port")
    elif ports is None and set(protocols or ()) & PORT_PROTOCOLS:
        reasons.append(f"any {'/'.join(sorted(set(protocols or ()) & PORT_PROTOCOLS)).upper()} port")
    elif ports is not None:
        needed = sorted((p.low, p.high) for r in served for p in r.rule.ports)
        extra = []
        for low, high in sorted(ports):
            start = low
            for n_low, n_high in needed:
                if n_high < start or n_low > high:
                    continue
                if n_low > start:
                    extra.append((start, n_low - 1))
                start = max(start, n_high + 1)
            if start <= high:
                extra.append((start, high))
        if extra:
            reasons.append(f"ports {_ranges(extra)} that no rule it serves names")
    for name, side in (("saddr", "source"), ("daddr", "destination")):
        wanted = [getattr(r, side).networks for r in served]
        if any(not w for w in wanted):
            continue  # a rule it serves allows any address here
        allowed = [ipaddress.ip_network(n) for w in wanted for n in w]
        given = path.constraint(name)
        if given is None:
            reasons.append(f"any {side} address where the rules name {', '.join(sorted({str(a) for a in allowed}))}")
            continue
        wider = [str(g) for g in given if not any(g.version == a.version and g.subnet_of(a) for a in allowed)]
        if wider:
            reasons.append(f"{side} {', '.join(wider)} beyond {', '.join(sorted({str(a) for a in allowed}))}")
    return reasons


def _serves(path: Any, rule: Any) -> bool:
    import ipaddress

    for name, side in (("saddr", rule.source), ("daddr", rule.destination)):
        given = path.constraint(name)
        if given is None or not side.networks:
            continue
        planned = [ipaddress.ip_network(n) for n in side.networks]
        if not any(g.version == p.version and g.overlaps(p) for g in given for p in planned):
            return False
    protocols = path.constraint("proto")
    if protocols is not None and not set(protocols) & set(rule.transports):
        return False
    ports = path.constraint("dport")
    return ports is None or any(low <= p.high and p.low <= high for low, high in ports for p in rule.rule.ports)


def _describe(path: Any) -> str:
    parts = []
    for name, label in (("proto", ""), ("saddr", "from "), ("daddr", "to "), ("dport", "port ")):
        values = path.constraint(name)
        if values is not None:
            text = _ranges(values) if name == "dport" else ",".join(str(v) for v in values)
            parts.append(label + (text.upper() if name == "proto" else text))
    return " ".join(parts) or "everything"


def verify_firewall(data: Dataset, path: str | os.PathLike[str], firewall_id: str, plan: Any = None) -> list[Finding]:
    """Compare a deployed ruleset (`nft -j list ruleset` or `iptables-save`) with one firewall's rules.

    FW-MISSING: a rule's traffic is not accepted. FW-DIRECTION: it is accepted only the other
    way. FW-BROAD: an accept lets through more than the rules it serves need (any port, a
    wider range, any address where they name one). FW-EXTRA: an accept no rule needs.
    """
    from .addresses import addressed_rules, allows, plan_for
    from .firewall import rule_set
    from .packetfilter import RulesetError, accept_paths, accepts, read_ruleset

    shown = str(path)
    text = read_text(path, "not text; give 'nft -j list ruleset' or 'iptables-save' output", VerifyError)
    try:
        ruleset = read_ruleset(text)
    except RulesetError as exc:
        raise VerifyError(f"{path}: {exc}") from None
    rules = addressed_rules(rule_set(data, firewall_id), plan_for(data.catalog, plan if plan is not None else data.addresses))
    findings: list[Finding] = []
    if not ruleset.entries:
        findings.append(Finding(shown, "warning", "FW-BROAD", "no filter chain on the forward hook: the firewall forwards everything"))
    for rule in rules:
        dropped = [p for p in _rule_packets(rule) if not accepts(ruleset, p)]
        if not dropped:
            continue
        p = dropped[0]
        what = f"rule {rule.number} ({rule.rule.label}, {_ends(rule)})"
        reverse = [q for q in _rule_packets(rule, reverse=True) if accepts(ruleset, q) and not allows(rules, q.saddr, q.daddr, q.proto, q.dport)]
        if reverse:
            findings.append(
                Finding(shown, "error", "FW-DIRECTION", f"{what} is accepted only the other way: {p.proto.upper()} {p.dport} from {p.daddr} to {p.saddr} passes, from {p.saddr} to {p.daddr} does not")
            )
        else:
            findings.append(Finding(shown, "error", "FW-MISSING", f"{what} is not accepted: {p.proto.upper()} {p.dport} from {p.saddr} to {p.daddr} is dropped"))
    for key, _ in ruleset.entries:
        chain = ruleset.chains[key]
        if chain.policy == "accept":
            findings.append(Finding(shown, "warning", "FW-BROAD", f"the forward chain {chain.name} has policy accept: whatever no rule drops passes"))
    for accept in accept_paths(ruleset):
        served = [r for r in rules if _serves(accept, r)]
        where = "" if accept.line else f"{accept.where}: "  # iptables-save: the line says where
        if not served:
            findings.append(Finding(shown, "warning", "FW-EXTRA", f"{where}accepts {_describe(accept)}, which no rule of the {firewall_id} needs", accept.line))
            continue
        reasons = _broad(accept, served)
        if reasons:
            numbers = ", ".join(str(r.number) for r in served)
            findings.append(Finding(shown, "warning", "FW-BROAD", f"{where}accepts {'; '.join(reasons)} (it serves rule {numbers})", accept.line))
    return findings
