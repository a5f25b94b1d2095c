"""Test a deployment from where the user stands: every connection a role opens, as the poster draws it.

For `--from ROLE`, each flow that the role opens (and each either-way flow it takes part in)
becomes a row: the target's name from the DNS data (an SRV record for that port first, then
the role's first A or CNAME record; the external view when either end is in the outermost
zone), resolved through the system resolver or a given name server, or pinned with
`--resolve`. Each row is tested at the protocol's level, all rows at once, each within the
timeout:

- TCP: a connection; UDP without a probe of its own is not tested;
- TLS (a protocol marked `tls`): a handshake with SNI; the certificate is checked against
  the poster's requirements for the target role, with the checks of `verify cert`, against
  the name it was reached by (CERT-NAME) and against the system CAs or `--ca` (CERT-TRUST);
- HTTP and HTTPS (service `http`, `https`): a GET gives a status line;
- SIP (service `sip`): an OPTIONS request gives a SIP status line;
- STUN (protocol family `relay`): a Binding request (RFC 5389) gets a STUN answer, over UDP or TCP.

A row's result: ok, refused, timeout, tls-error, no-answer, cert (the certificate has
error-level findings), unresolved (no address for the name), or skipped (a port range, which
answers only during a call, or UDP with no probe).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import secrets
import socket
import ssl
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import UsageError, did_you_mean
from .firewall import firewall_rules
from .model import Certificate, Dataset, Firewall, Flow, Protocol, Role

RESULTS = ("ok", "refused", "timeout", "tls-error", "no-answer", "cert", "unresolved", "skipped")
PASSING = ("ok", "skipped")
STUN_COOKIE = 0x2112A442
COLUMNS = ("workload", "rule", "destination", "name", "address", "port", "transport", "protocol", "result", "findings", "detail")


@dataclass(frozen=True)
class Target:
    """One connection to test: where to, on which port, and how."""

    workloads: tuple[str, ...]
    firewall: str  # the first firewall it crosses ("" for none)
    rule: int | None  # that firewall's rule number
    destination: Role
    name: str  # the DNS name it is reached by ("" when the data has none)
    view: str  # the DNS view the name comes from
    port: int
    ports: str  # as the poster prints them
    transport: str  # TCP or UDP
    protocol: Protocol
    kind: str  # tcp, tls, http, https, sip, sip-tls, stun, or skip
    requirements: tuple[Certificate, ...] = ()


@dataclass(frozen=True)
class Row:
    target: Target
    address: str = ""
    result: str = ""
    findings: tuple[Any, ...] = ()  # verify.Finding values
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        t = self.target
        return {
            "workload": ";".join(t.workloads),
            "firewall": t.firewall,
            "rule": t.rule,
            "destination": t.destination.id,
            "name": t.name,
            "address": self.address,
            "port": t.port,
            "transport": t.transport,
            "protocol": t.protocol.label,
            "result": self.result,
            "findings": [f.rule for f in self.findings],
            "detail": self.detail,
        }


def probe_kind(protocol: Protocol, transport: str) -> str:
    """How a protocol is tested: by its family and service, so any product's data gets the right probe."""
    if protocol.family == "relay":
        return "stun"
    if protocol.service == "sip":
        return "sip-tls" if protocol.tls else "sip"
    if protocol.service in ("http", "https"):
        return "https" if protocol.tls else "http"
    if transport == "UDP":
        return "skip"
    return "tls" if protocol.tls else "tcp"


def _opened_by(data: Dataset, role: Role) -> list[tuple[Flow, Role]]:
    """Every flow the role opens, with the other end."""
    found = []
    for flow in data.flows:
        if flow.source.id == role.id:
            found.append((flow, flow.target))
        elif flow.bidirectional and flow.target.id == role.id:
            found.append((flow, flow.source))
    return found


def _name(data: Dataset, destination: Role, view: str, port: int) -> str:
    records = [r for r in data.dns_records if r.view == view and r.role is not None and r.role.id == destination.id]
    for record in records:
        if record.type == "SRV" and record.port == port:
            return record.target.rstrip(".")
    return next((r.name.rstrip(".") for r in records if r.type in ("A", "AAAA", "CNAME")), "")


def targets(data: Dataset, role_id: str) -> list[Target]:
    """The rows `probe --from role_id` tests, in the poster's order, one per destination, port and transport."""
    roles = {r.id: r for r in data.catalog.roles}
    if role_id not in roles:
        raise UsageError(f"unknown role '{role_id}'{did_you_mean(role_id, roles)}; see catalog.yaml")
    role = roles[role_id]
    opened = _opened_by(data, role)
    if not opened:
        raise UsageError(f"role '{role_id}' opens no connection on the poster; choose a role that does (a client, a server that connects out)")
    rules: dict[tuple[str, str], list[tuple[Firewall, int]]] = {}
    for rule_set in firewall_rules(data):
        for rule in rule_set.rules:
            if rule.source.role.id == role.id:
                for flow in rule.flows:
                    rules.setdefault((flow.id, rule.destination.role.id), []).append((rule_set.firewall, rule.number))
    grouped: dict[tuple[str, int, str, str], Target] = {}
    for flow, destination in opened:
        view = "external" if min(role.zone.order, destination.zone.order) == 0 else "internal"
        crossed = sorted(rules.get((flow.id, destination.id), []), key=lambda fr: abs(fr[0].outer.order - role.zone.order))
        firewall, number = (crossed[0][0].id, crossed[0][1]) if crossed else ("", None)
        requirements = tuple(c for c in data.certificates if destination in c.roles)
        for transport in flow.transport.split("+"):
            for ports in flow.ports:
                key = (destination.id, ports.low, transport, flow.protocol.label)
                if key in grouped:
                    grouped[key] = replace(grouped[key], workloads=tuple(dict.fromkeys(grouped[key].workloads + (flow.workload_id,))))
                    continue
                kind = probe_kind(flow.protocol, transport) if ports.low == ports.high else "skip"
                name = _name(data, destination, view, ports.low)
                named = tuple(c for c in requirements if name.lower() in (n.lower() for n in c.names))
                grouped[key] = Target(
                    (flow.workload_id,),
                    firewall,
                    number,
                    destination,
                    name,
                    view,
                    ports.low,
                    str(ports),
                    transport,
                    flow.protocol,
                    kind,
                    named or requirements,  # the requirements that name it, where some do
                )
    return list(grouped.values())


# --- resolving --------------------------------------------------------------------------------------


def parse_pins(pins: Sequence[str]) -> dict[str, str]:
    """`--resolve NAME=ADDRESS` (or ROLE=ADDRESS) values → {name: address}."""
    found = {}
    for pin in pins:
        name, sep, address = pin.partition("=")
        try:
            ipaddress.ip_address(address.strip())
        except ValueError:
            raise UsageError(f"--resolve {pin}: write NAME=ADDRESS, e.g. sip.contoso.com=203.0.113.10") from None
        if not sep or not name.strip():
            raise UsageError(f"--resolve {pin}: write NAME=ADDRESS, e.g. sip.contoso.com=203.0.113.10")
        found[name.strip().lower().rstrip(".")] = address.strip()
    return found


def _lookup(name: str, nameserver: str | None, timeout: float) -> tuple[str, str]:
    """(address, "") or ("", why not): A first, then AAAA."""
    import dns.exception
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=nameserver is None)
    if nameserver is not None:
        resolver.nameservers = [nameserver]
    resolver.lifetime = timeout
    why = ""
    for kind in ("A", "AAAA"):
        try:
            answer = resolver.resolve(name, kind)
            return str(answer[0]), ""
        except dns.resolver.NXDOMAIN:
            return "", f"{name} does not exist in DNS (NXDOMAIN)"
        except dns.resolver.NoAnswer:
            why = f"{name} has no A or AAAA record"
        except dns.exception.Timeout:
            return "", f"no DNS answer for {name} within {timeout:g} s"
        except dns.exception.DNSException as exc:
            return "", f"{name}: {exc}"
    return "", why


# --- the probes -------------------------------------------------------------------------------------


@dataclass
class _Clock:
    deadline: float
    spent: list[str] = field(default_factory=list)

    def left(self) -> float:
        return max(0.05, self.deadline - time.monotonic())


def _connect(address: str, port: int, transport: str, clock: _Clock) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM if transport == "TCP" else socket.SOCK_DGRAM)
    sock.settimeout(clock.left())
    try:
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


def _read_line(sock: Any, clock: _Clock, limit: int = 8192) -> str:
    """The first line of an answer."""
    data = b""
    while b"\n" not in data and len(data) < limit:
        sock.settimeout(clock.left())
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n")[0].split(b"\n")[0].decode("latin-1").strip()


def _stun_request() -> tuple[bytes, bytes]:
    transaction = secrets.token_bytes(12)
    return (0x0001).to_bytes(2, "big") + (0).to_bytes(2, "big") + STUN_COOKIE.to_bytes(4, "big") + transaction, transaction


def _stun_answer(data: bytes, transaction: bytes) -> str:
    """What a STUN message says (RFC 5389: two zero bits, the magic cookie, our transaction), or ""."""
    if len(data) < 20 or data[0] & 0xC0 or int.from_bytes(data[4:8], "big") != STUN_COOKIE or data[8:20] != transaction:
        return ""
    kind = int.from_bytes(data[0:2], "big")
    klass = ((kind >> 7) & 0x2) | ((kind >> 4) & 0x1)
    return {0b10: "a Binding success response", 0b11: "a Binding error response"}.get(klass, f"STUN message type 0x{kind:04x}")


def _stun(address: str, port: int, transport: str, clock: _Clock) -> tuple[str, str]:
    request, transaction = _stun_request()
    with _connect(address, port, transport, clock) as sock:
        if transport == "TCP":
            sock.sendall(request)
            data = b""
            while len(data) < 20:
                sock.settimeout(clock.left())
                chunk = sock.recv(2048)
                if not chunk:
                    break
                data += chunk
        else:
            data = b""
            wait = 0.25
            while time.monotonic() < clock.deadline and not data:  # RFC 5389 retransmits; so do we, doubling
                sock.send(request)
                sock.settimeout(min(wait, clock.left()))
                try:
                    data = sock.recv(2048)
                except (socket.timeout, TimeoutError):
                    wait *= 2
        answer = _stun_answer(data, transaction)
    return ("ok", f"STUN: {answer}") if answer else ("no-answer", f"no STUN answer on {transport} {port}")


def _tls(sock: socket.socket, name: str, ca: str | None, clock: _Clock) -> tuple[ssl.SSLSocket, bytes]:
    """A TLS handshake with SNI, verifying the chain: the socket and the server's certificate (DER);
    `_Untrusted` (why) when the chain does not verify."""
    trusted = ssl.create_default_context(cafile=ca) if ca else ssl.create_default_context()
    trusted.check_hostname = False  # the names are checked against the poster's requirements
    sock.settimeout(clock.left())
    server_hostname = name if name and not _is_address(name) else None
    try:
        wrapped = trusted.wrap_socket(sock, server_hostname=server_hostname)
        return wrapped, wrapped.getpeercert(binary_form=True) or b""
    except ssl.SSLCertVerificationError as exc:
        why = exc.verify_message or str(exc)
    raise _Untrusted(why)


class _Untrusted(Exception):
    pass


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _tls_untrusted(address: str, port: int, name: str, clock: _Clock) -> tuple[ssl.SSLSocket, bytes]:
    """The handshake again without verification, to read the certificate that was not trusted."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    sock = _connect(address, port, "TCP", clock)
    sock.settimeout(clock.left())
    wrapped = context.wrap_socket(sock, server_hostname=name if name and not _is_address(name) else None)
    return wrapped, wrapped.getpeercert(binary_form=True) or b""


def _application(kind: str, sock: Any, target: Target, clock: _Clock) -> tuple[str, str]:
    host = target.name or "lyncposter.invalid"
    if kind in ("http", "https"):
        sock.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: lyncposter-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n".encode())
        line = _read_line(sock, clock)
        if line.startswith("HTTP/") and len(line.split()) >= 2 and line.split()[1].isdigit():
            return "ok", line
        return "no-answer", f"no HTTP status line (got {line[:40]!r})" if line else "no HTTP answer"
    if kind in ("sip", "sip-tls"):
        transport = "tls" if kind == "sip-tls" else "tcp"
        local = sock.getsockname()
        call = secrets.token_hex(8)
        request = (
            f"OPTIONS sip:{host}:{target.port};transport={transport} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport.upper()} {local[0]}:{local[1]};branch=z9hG4bK{call}\r\n"
            "Max-Forwards: 70\r\n"
            f"To: <sip:{host}>\r\n"
            f"From: <sip:probe@lyncposter.invalid>;tag={call[:8]}\r\n"
            f"Call-ID: {call}@lyncposter.invalid\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "User-Agent: lyncposter-probe\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        sock.sendall(request.encode())
        line = _read_line(sock, clock)
        if line.startswith("SIP/2.0 ") and line.split()[1].isdigit():
            return "ok", line
        return "no-answer", f"no SIP status line (got {line[:40]!r})" if line else "no SIP answer"
    return "ok", "TLS handshake" if kind == "tls" else "TCP connection"


def _certificate(data: Dataset, target: Target, address: str, ca: str | None, sock: Any, clock: _Clock, now: Any) -> tuple[Any, Row]:
    """The handshake and the certificate's findings: the TLS socket, and a row whose result is
    `cert` when a finding is an error (else empty, carrying the findings)."""
    from cryptography import x509

    from .verify import Finding, check_certificate

    shown = f"{target.name or address}:{target.port}"
    authority = f"--ca {ca}" if ca else "the system CAs"
    untrusted: list[Finding] = []
    try:
        sock, der = _tls(sock, target.name, ca, clock)
        trust = f"trusted by {authority}"
    except _Untrusted as exc:
        sock.close()
        sock, der = _tls_untrusted(address, target.port, target.name, clock)
        trust = f"not trusted by {authority}"
        untrusted.append(Finding(shown, "error", "CERT-TRUST", f"not trusted by {authority}: {exc}"))
    found = untrusted + check_certificate(data, x509.load_der_x509_certificate(der), shown, list(target.requirements), now, target.name, trust)
    errors = [f for f in found if f.severity == "error"]
    if errors:
        also = ", ".join(dict.fromkeys(f.rule for f in errors[1:] if f.rule != errors[0].rule))
        detail = f"{errors[0].rule}: {errors[0].message}" + (f" (also {also})" if also else "")
        return sock, Row(target, address, "cert", tuple(found), detail)
    return sock, Row(target, address, "", tuple(found))


def _probe(data: Dataset, target: Target, address: str, ca: str | None, timeout: float, now: Any) -> Row:
    clock = _Clock(time.monotonic() + timeout)
    row = Row(target, address)
    kind = target.kind
    try:
        if kind == "stun":
            result, detail = _stun(address, target.port, target.transport, clock)
            return replace(row, result=result, detail=detail)
        sock: Any = _connect(address, target.port, target.transport, clock)
        try:
            if kind in ("tls", "https", "sip-tls"):
                sock, verdict = _certificate(data, target, address, ca, sock, clock, now)
                if verdict.result:
                    return replace(row, result=verdict.result, findings=verdict.findings, detail=verdict.detail)
                row = replace(row, findings=verdict.findings)
            result, detail = _application(kind, sock, target, clock)
            return replace(row, result=result, detail=detail)
        finally:
            sock.close()
    except ConnectionRefusedError:
        return replace(row, result="refused", detail=f"{target.transport} {target.port} refused")
    except (socket.timeout, TimeoutError):
        return replace(row, result="timeout", detail=f"no answer within {timeout:g} s")
    except ssl.SSLError as exc:
        return replace(row, result="tls-error", detail=f"TLS: {exc.reason or exc}")
    except OSError as exc:  # no route (an ICMP unreachable): it does not get through, as a drop does not
        unreachable = exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH)
        return replace(row, result="timeout" if unreachable else "refused", detail=f"{exc.strerror or exc}")


def probe(
    data: Dataset,
    role_id: str,
    *,
    pins: dict[str, str] | None = None,
    nameserver: str | None = None,
    ca: str | None = None,
    timeout: float = 5.0,
    now: Any = None,
) -> list[Row]:
    """Test every connection `role_id` opens, all at once; each row within `timeout` seconds.
    `data` is already in the deployment's domain (`for_domain`)."""
    if not 0 < timeout <= 120:
        raise UsageError(f"--timeout {timeout:g}: choose from 0.1 to 120 seconds")
    if ca is not None and not os.path.isfile(ca):
        raise UsageError(f"--ca {ca}: no such file; give the CA certificates as PEM")
    pins = pins or {}
    wanted = targets(data, role_id)
    names = sorted({t.name.lower() for t in wanted if t.name and t.kind != "skip" and t.name.lower() not in pins})

    def resolve(name: str) -> tuple[str, tuple[str, str]]:
        return name, _lookup(name, nameserver, timeout)

    def run(target: Target, resolved: dict[str, tuple[str, str]]) -> Row:
        if target.kind == "skip":
            why = "a port range: it answers only during a call" if target.ports != str(target.port) else f"no probe for {target.protocol.label} over UDP"
            return Row(target, result="skipped", detail=why)
        address = pins.get(target.name.lower()) or pins.get(target.destination.id, "")
        if not address and target.name:
            address, why = resolved.get(target.name.lower(), ("", ""))
            if not address:
                return Row(target, result="unresolved", detail=why)
        if not address:
            return Row(
                target,
                result="unresolved",
                detail=f"no name for {target.destination.label} in the {target.view} DNS data; pin an address with --resolve {target.destination.id}=ADDRESS",
            )
        return _probe(data, target, address, ca, timeout, now)

    with ThreadPoolExecutor(max_workers=max(4, min(64, len(wanted) + len(names)))) as pool:
        resolved = dict(pool.map(resolve, names))
        return list(pool.map(lambda t: run(t, resolved), wanted))


def table(rows: list[Row]) -> str:
    """The rows as an aligned text table with a summary line."""
    header = ("WORKLOAD", "RULE", "TO", "NAME", "ADDRESS", "PORT", "PROTOCOL", "RESULT", "DETAIL")
    lines = []
    for row in rows:
        t = row.target
        rule = f"{t.firewall}#{t.rule}" if t.rule is not None else "-"
        findings = ",".join(f.rule for f in row.findings if f.severity != "info")
        detail = row.detail + (f" [{findings}]" if findings and row.result != "cert" else "")
        lines.append((";".join(t.workloads), rule, t.destination.label, t.name or "-", row.address or "-", f"{t.transport}/{t.ports}", t.protocol.label, row.result, detail))
    widths = [max(len(str(x[i])) for x in [header, *lines]) for i in range(len(header) - 1)]
    out = ["  ".join(str(v).ljust(w) for v, w in zip(r[:-1], widths)) + "  " + str(r[-1]) for r in [header, *lines]]
    counts = {r: sum(1 for x in rows if x.result == r) for r in RESULTS}
    summary = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    failing = sum(1 for x in rows if x.result not in PASSING)
    out.append(f"{len(rows)} connections: {summary}" + (f"; {failing} failing" if failing else "; all pass"))
    return "\n".join(out) + "\n"
