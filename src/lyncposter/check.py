"""Consistency rules: the kinds of errata readers found on the original poster, caught from data.

Each rule has an id, a severity and a one-line summary (the README's table is
written from `RULES`). The loader's own findings (YAML, SCHEMA, REF, ID,
PORT-RANGE, FILES, META) come first; the rules here run on a dataset that
loaded.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .changes import compare
from .errors import DataError, Problem
from .firewall import firewall_rules
from .model import Dataset, DnsRecord, Flow, Location, PortRange, PortRow, Role


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str


RULES: tuple[Rule, ...] = (
    Rule("YAML", "error", "Each file is UTF-8 YAML, indented with spaces, with no key given twice."),
    Rule("SCHEMA", "error", "Each file has the fields its JSON Schema asks for, with values of the right type."),
    Rule("FILES", "error", "The data directory has poster.yaml, catalog.yaml, certificates.yaml, dns.yaml and flows/."),
    Rule("ID", "error", "Ids are unique: roles, protocols, zones, groups, workloads."),
    Rule("REF", "error", "Every role, protocol, zone, group and workload id used exists (with a 'did you mean')."),
    Rule("PORT-RANGE", "error", "Ports are 1-65535 and ranges run from low to high."),
    Rule("TRANSPORT", "error", "A flow's transport is one its protocol allows (PSOM is TCP; STUN/MS-TURN is UDP or TCP)."),
    Rule("LISTENER-CLASH", "error", "No role accepts two different services on the same port and transport."),
    Rule("CERT-PUBLIC-DNS", "error", "Every subject and SAN on a public certificate has an external A or CNAME record."),
    Rule("CERT-INTERNAL-DNS", "error", "Every name on a private-CA certificate has an internal A or CNAME record."),
    Rule("DNS-TARGET", "error", "Every SRV and CNAME target resolves to an A or CNAME record in the same view."),
    Rule("DNS-SRV-PORT", "error", "An SRV record's port is one its target role accepts in some flow (_sip._tls: 443 on the Access Edge)."),
    Rule("CERT-TLS", "error", "Every role that accepts TLS or mutual TLS has a certificate that names it."),
    Rule("STALE", "error", "No flow carries a value listed in checks.yaml as another product's or a known typo."),
    Rule("FIREWALL-PATH", "error", "A flow between two zones that are not neighbours passes a firewall at every zone boundary."),
    Rule("FIREWALL-BOTH", "warning", "No firewall needs one opening both ways from two one-way flows (write one flow with initiator: both)."),
    Rule("META", "error", "The version is like 6.0 or 6.0.1 and the revision date is a real YYYY-MM-DD date."),
    Rule("COVERAGE", "warning", "Every row of the reference port tables is drawn by a flow, or omitted with its reason (and an omitted row is not drawn)."),
    Rule("SOURCE-UNUSED", "warning", "Every source in sources.yaml is cited by some fact."),
    Rule("VERSION-BUMP", "warning", "The version changes exactly when the facts do, compared with 'previous' in poster.yaml."),
    Rule("CHANGELOG", "warning", "The version has an entry in CHANGELOG.md beside the data: the poster's What's new box prints it."),
    Rule("UNUSED-ROLE", "warning", "Every role in the catalog appears in a flow, a certificate or a DNS record."),
    Rule("ISOLATED", "warning", "No workload has roles cut off from the rest of its panel."),
)
BY_ID = {r.id: r for r in RULES}


def _finding(rule: str, location: Location, message: str) -> Problem:
    return Problem(location, message, rule=rule, severity=BY_ID[rule].severity)


Check = Callable[[Dataset], Iterable[Problem]]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def run_checks(data: Dataset) -> list[Problem]:
    """Every finding for a dataset that loaded, sorted by file and line."""
    return sorted(p for fn in CHECKS for p in fn(data))


def findings_for(load: Callable[[], Dataset]) -> tuple[Dataset | None, list[Problem]]:
    """Load, then check; the loader's problems are findings too."""
    try:
        data = load()
    except DataError as exc:
        return None, list(exc.problems)
    return data, run_checks(data)


# --- the changelog ------------------------------------------------------------------


@check
def changelog_entry(data: Dataset) -> Iterator[Problem]:
    """What's new prints the version's changelog entry; without one it falls back to the facts that changed."""
    poster = data.poster
    if poster.news is not None or not (poster.changelog or poster.previous_version):
        return
    where = poster.changelog or "CHANGELOG.md beside the data"
    yield _finding(
        "CHANGELOG",
        poster.version_location,
        f"{where} has no entry '## {poster.version} ({poster.revision_date})'; What's new lists the facts that changed instead of telling readers what is new",
    )


# --- ports and transports ---------------------------------------------------------


@check
def transport_allowed(data: Dataset) -> Iterator[Problem]:
    for flow in data.flows:
        wanted = flow.transport.split("+")
        allowed = flow.protocol.transports
        if any(t not in allowed for t in wanted):
            yield _finding(
                "TRANSPORT",
                flow.location,
                f"{flow.protocol.label} runs over {' or '.join(allowed)}, not {flow.transport} "
                f"({flow.source.id} -> {flow.target.id})",
            )


@dataclass(frozen=True)
class _Listening:
    role: Role
    transport: str
    ports: PortRange
    flow: Flow


def _listeners(data: Dataset) -> Iterator[_Listening]:
    for flow in data.flows:
        ends = [flow.target, flow.source] if flow.bidirectional else [flow.target]
        for role in ends:
            for transport in flow.transport.split("+"):
                for ports in flow.ports:
                    yield _Listening(role, transport, ports, flow)


@check
def listener_clash(data: Dataset) -> Iterator[Problem]:
    """One finding per role, transport and pair of services, at the rarer service's first flow:
    of two services on one port, the one fewer flows declare is the likelier mistake."""
    by_end: dict[tuple[str, str], list[_Listening]] = {}
    for here in _listeners(data):
        by_end.setdefault((here.role.id, here.transport), []).append(here)
    for (_, transport), listening in by_end.items():
        counts: dict[str, int] = {}
        for item in listening:
            counts[item.flow.protocol.service] = counts.get(item.flow.protocol.service, 0) + 1
        done: set[frozenset[str]] = set()
        for i, a in enumerate(listening):
            for b in listening[i + 1 :]:
                services = frozenset((a.flow.protocol.service, b.flow.protocol.service))
                if len(services) == 1 or services in done or not a.ports.overlaps(b.ports):
                    continue
                done.add(services)
                odd, usual = (a, b) if counts[a.flow.protocol.service] < counts[b.flow.protocol.service] else (b, a)
                yield _finding(
                    "LISTENER-CLASH",
                    odd.flow.location,
                    f"{odd.role.label} would accept {odd.flow.protocol.label} on {transport} {odd.ports}, "
                    f"but {usual.flow.protocol.label} already listens on {transport} {usual.ports} "
                    f"({usual.flow.location})",
                )


@check
def stale_values(data: Dataset) -> Iterator[Problem]:
    for stale in data.stale:
        for flow in data.flows:
            if stale.to is not None and flow.target != stale.to:
                continue
            if stale.protocol is not None and flow.protocol.id != stale.protocol:
                continue
            if stale.transport is not None and stale.transport not in flow.transport.split("+") + [flow.transport]:
                continue
            for ports in stale.ports:
                if ports in flow.ports:
                    yield _finding(
                        "STALE",
                        flow.location,
                        f"{flow.label} carries {ports}, listed as stale at {stale.location}: {stale.reason}",
                    )


# --- certificates and DNS -----------------------------------------------------------


def _names(data: Dataset, view: str) -> dict[str, DnsRecord]:
    return {r.name.lower(): r for r in data.dns_records if r.view == view and r.type in ("A", "CNAME")}


@check
def certificate_names_in_dns(data: Dataset) -> Iterator[Problem]:
    external, internal = _names(data, "external"), _names(data, "internal")
    for cert in data.certificates:
        public = cert.ca == "public"
        names, view, rule = (external, "external", "CERT-PUBLIC-DNS") if public else (internal, "internal", "CERT-INTERNAL-DNS")
        for name in cert.names:
            if name.startswith("*."):
                continue  # a wildcard covers names; it needs no record of its own
            if name.lower() not in names:
                yield _finding(
                    rule,
                    cert.location,
                    f"{name} is on the {cert.ca} certificate of {cert.role.label} ({cert.interface}) "
                    f"but has no {view} A or CNAME record in dns.yaml",
                )


@check
def dns_targets_resolve(data: Dataset) -> Iterator[Problem]:
    for record in data.dns_records:
        if record.type in ("SRV", "CNAME") and record.target.lower() not in _names(data, record.view):
            yield _finding(
                "DNS-TARGET",
                record.location,
                f"{record.type} {record.name} points to {record.target}, which has no A or CNAME record "
                f"in the {record.view} view",
            )


@check
def srv_ports_accepted(data: Dataset) -> Iterator[Problem]:
    from .graph import listeners

    flows = [f for w in data.workloads for f in w.flows]
    names = {view: _names(data, view) for view in ("internal", "external")}
    for record in data.dns_records:
        if record.type != "SRV" or record.port is None:
            continue
        target = names[record.view].get(record.target.lower())
        role = record.role or (target.role if target else None)
        if role is None:
            continue
        if not any(record.port in listener.ports for listener in listeners(flows, role.id)):
            yield _finding(
                "DNS-SRV-PORT",
                record.location,
                f"SRV {record.name} sends clients to port {record.port} on {role.label}, "
                f"but no flow has {role.label} accepting {record.port}",
            )


@check
def tls_roles_have_certificates(data: Dataset) -> Iterator[Problem]:
    covered = {r.id for cert in data.certificates for r in cert.roles}
    first: dict[str, Flow] = {}
    for flow in data.flows:
        if not flow.protocol.tls:
            continue
        for role in [flow.target, flow.source] if flow.bidirectional else [flow.target]:
            if role.kind != "external":  # other organisations' certificates are theirs to show
                first.setdefault(role.id, flow)
    for role_id, flow in first.items():
        if role_id not in covered:
            role = next(r for r in (flow.target, flow.source) if r.id == role_id)
            yield _finding(
                "CERT-TLS",
                flow.location,
                f"{role.label} accepts {flow.protocol.label} here but no certificate in certificates.yaml "
                f"names it (as its role, or in 'also')",
            )


# --- firewalls ------------------------------------------------------------------------


@check
def firewall_path(data: Dataset) -> Iterator[Problem]:
    walls = data.catalog.firewalls
    for flow in data.flows:
        low, high = sorted((flow.source.zone.order, flow.target.zone.order))
        if high - low < 2:
            continue  # one zone, or two neighbours: a boundary without a firewall is the catalog's choice
        guarded = {f.outer.order for f in walls if low <= f.outer.order and f.inner.order <= high}
        missing = [z for z in data.catalog.zones if low <= z.order < high and z.order not in guarded]
        if missing:
            after = {z.order - 1: z for z in data.catalog.zones}
            gaps = " or ".join(f"between {z.id} and {after[z.order].id}" for z in missing)
            yield _finding(
                "FIREWALL-PATH",
                flow.location,
                f"{flow.source.id} ({flow.source.zone.id}) to {flow.target.id} ({flow.target.zone.id}) passes "
                f"zones with no firewall {gaps} in catalog.yaml; add that firewall, so the rules can say where it opens",
            )


@check
def firewall_both_ways(data: Dataset) -> Iterator[Problem]:
    for rule_set in firewall_rules(data):
        by_opening = {
            (r.source.role.id, r.destination.role.id, r.protocol.label, r.transport, r.ports): r for r in rule_set.rules
        }
        for (source, destination, *rest), rule in by_opening.items():
            back = by_opening.get((destination, source, *rest))  # type: ignore[arg-type]
            if back is None or rule.either or back.either or rule.number > back.number:
                continue
            flow = back.flows[0]
            yield _finding(
                "FIREWALL-BOTH",
                flow.location,
                f"{rule_set.firewall.label} needs {rule.label} both ways between {rule.source.role.label} and "
                f"{rule.destination.role.label} (rules {rule.number} and {back.number}) from two one-way flows "
                f"(the other at {rule.flows[0].location}); if either side opens it, write one flow with initiator: both",
            )


# --- metadata and shape ---------------------------------------------------------------


@check
def metadata(data: Dataset) -> Iterator[Problem]:
    poster = data.poster
    if not re.fullmatch(r"\d+\.\d+(\.\d+)?", poster.version):
        yield _finding("META", poster.version_location, f"version '{poster.version}' is not like 6.0 or 6.0.1")
    try:
        datetime.date.fromisoformat(poster.revision_date)
    except ValueError:
        yield _finding("META", poster.date_location, f"revision date '{poster.revision_date}' is not a real date (YYYY-MM-DD)")


def _draws(flow: Flow, row: PortRow) -> bool:
    """Whether a flow draws a table row: one of its roles listens, on a transport and a port of the row."""
    listeners = {flow.target.id, flow.source.id} if flow.bidirectional else {flow.target.id}
    if not listeners & {r.id for r in row.roles}:
        return False
    if not set(flow.transport.split("+")) & set(row.transport.split("+")):
        return False
    return any(a.overlaps(b) for a in flow.ports for b in row.ports)


@check
def coverage(data: Dataset) -> Iterator[Problem]:
    for table in data.port_tables:
        for row in table.rows:
            drawn = next((f for f in data.flows if _draws(f, row)), None)
            if drawn is None and not row.omitted:
                yield _finding(
                    "COVERAGE",
                    row.location,
                    f"{table.title}: {row.label} is drawn by no flow; draw it, or say why in 'omitted'",
                )
            elif drawn is not None and row.omitted:
                yield _finding(
                    "COVERAGE",
                    row.location,
                    f"{table.title}: {row.label} is marked omitted, but {drawn.location} draws it; drop 'omitted'",
                )


@check
def unused_sources(data: Dataset) -> Iterator[Problem]:
    cited = set(data.citations)
    for source in data.sources:
        if source.id not in cited:
            yield _finding("SOURCE-UNUSED", source.location, f"source '{source.id}' is cited by no flow, certificate, DNS record or other fact")


@check
def unused_roles(data: Dataset) -> Iterator[Problem]:
    used = {r.id for w in data.workloads for r in w.roles}
    used |= {r.id for c in data.certificates for r in c.roles}
    used |= {r.role.id for r in data.dns_records if r.role}
    for role in data.catalog.roles:
        if role.id not in used:
            yield _finding("UNUSED-ROLE", role.location, f"role '{role.id}' appears in no flow, certificate or DNS record")


@check
def isolated_roles(data: Dataset) -> Iterator[Problem]:
    from .graph import isolated_parts

    for workload in data.workloads:
        for part in isolated_parts(workload):
            flow = next(f for f in workload.flows if f.source.id in part or f.target.id in part)
            yield _finding(
                "ISOLATED",
                flow.location,
                f"in {workload.title}, {', '.join(sorted(part))} connect to nothing else on the panel",
            )


def version_findings(data: Dataset, previous: Dataset) -> list[Problem]:
    """VERSION-BUMP: a new version with the same facts, or new facts under the same version."""
    changed = bool(compare(previous, data))
    bumped = data.poster.version != previous.poster.version
    where = data.poster.version_location
    if bumped and not changed:
        return [_finding("VERSION-BUMP", where, f"version {data.poster.version} has the same facts as {previous.poster.version}; keep {previous.poster.version}, or change what the new version says")]
    if changed and not bumped:
        return [_finding("VERSION-BUMP", where, f"the facts changed since {previous.poster.version} but the version did not; bump it and add a CHANGELOG.md entry")]
    return []
