"""What changed between two versions of the data, in words a reader of the poster understands.

`compare(old, new)` pairs the facts of two datasets: flows by their workload, ends,
protocol and transport; certificates by role and interface; DNS records by view,
type and name; roles by id. A pair whose other fields differ is a change
("Enterprise Voice: Mediation Server ↔ PSTN gateway RTP/SRTP/TCP+UDP: ports
60000-64000 → 49152-57500"); what has no partner was added or removed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from .model import Certificate, Dataset, DnsRecord, Flow, Role, format_ports

T = TypeVar("T")
CATEGORIES = ("flow", "certificate", "dns", "role")
CATEGORY_TITLES = {"flow": "Flows", "certificate": "Certificates", "dns": "DNS records", "role": "Roles"}
MARKS = {"added": "+", "removed": "-", "changed": "~"}


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, changed
    category: str  # flow, certificate, dns, role
    subject: str  # what it is about, in words: "Enterprise Voice: Mediation Server → PSTN gateway RTP/SRTP/TCP+UDP"
    details: tuple[str, ...] = ()  # for a change: each difference, "ports 60000-64000 → 49152-57500"

    @property
    def text(self) -> str:
        if self.kind == "changed":
            return f"{self.subject}: {'; '.join(self.details)}"
        return f"{self.subject} ({self.kind})" if not self.details else f"{self.subject}: {'; '.join(self.details)} ({self.kind})"

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "category": self.category, "subject": self.subject, "details": list(self.details), "text": self.text}


@dataclass(frozen=True)
class Changes:
    old_version: str
    new_version: str
    items: tuple[Change, ...]

    def __bool__(self) -> bool:
        return bool(self.items)

    def of(self, category: str) -> tuple[Change, ...]:
        return tuple(c for c in self.items if c.category == category)


def _pair(old: Iterable[T], new: Iterable[T], key: Callable[[T], Hashable], same: Callable[[T], Hashable]) -> tuple[list[T], list[T], list[tuple[T, T]]]:
    """(removed, added, changed pairs): items pair by key; of several with one key, identical ones first."""
    groups_old: dict[Hashable, list[T]] = {}
    groups_new: dict[Hashable, list[T]] = {}
    for item in old:
        groups_old.setdefault(key(item), []).append(item)
    for item in new:
        groups_new.setdefault(key(item), []).append(item)
    removed: list[T] = []
    added: list[T] = []
    changed: list[tuple[T, T]] = []
    for k in list(dict.fromkeys([*groups_old, *groups_new])):
        before, after = list(groups_old.get(k, [])), list(groups_new.get(k, []))
        for item in list(before):
            twin = next((a for a in after if same(a) == same(item)), None)
            if twin is not None:
                before.remove(item)
                after.remove(twin)
        pairs = list(zip(before, after))
        changed += pairs
        removed += before[len(pairs) :]
        added += after[len(pairs) :]
    return removed, added, changed


def _flow_subject(flow: Flow, titles: dict[str, str]) -> str:
    arrow = "\u2194" if flow.bidirectional else "\u2192"
    return f"{titles.get(flow.workload_id, flow.workload_id)}: {flow.source.label} {arrow} {flow.target.label} {flow.protocol.label}/{flow.transport}"


def _flow_details(a: Flow, b: Flow) -> tuple[str, ...]:
    details = []
    if a.ports != b.ports:
        details.append(f"ports {format_ports(a.ports)} \u2192 {format_ports(b.ports)}")
    if a.initiator != b.initiator:
        details.append("now opened by either side" if b.bidirectional else "now opened by one side only")
    if a.unsure != b.unsure:
        details.append("now confirmed" if not b.unsure else f"unconfirmed: {b.unsure}")
    if a.description != b.description:
        details.append(f"described as \u201c{b.description}\u201d")
    if a.sources != b.sources:
        details.append(f"sources {', '.join(a.sources) or 'none'} \u2192 {', '.join(b.sources) or 'none'}")
    return tuple(details)


def _flow_key(flow: Flow) -> Hashable:
    return (flow.workload_id, flow.source.id, flow.target.id, flow.protocol.id, flow.transport)


def _flow_same(flow: Flow) -> Hashable:
    return (flow.ports, flow.initiator, flow.unsure, flow.description, flow.sources)


def _cert_subject(cert: Certificate) -> str:
    return f"{cert.role.label}, {cert.interface}"


def _cert_details(a: Certificate, b: Certificate) -> tuple[str, ...]:
    details = []
    if a.subject.lower() != b.subject.lower():
        details.append(f"subject {a.subject} \u2192 {b.subject}")
    gone = [n for n in a.sans if n.lower() not in {x.lower() for x in b.sans}]
    new = [n for n in b.sans if n.lower() not in {x.lower() for x in a.sans}]
    if new:
        details.append(f"SAN added: {', '.join(new)}")
    if gone:
        details.append(f"SAN removed: {', '.join(gone)}")
    if a.ca != b.ca:
        details.append(f"{a.ca} CA \u2192 {b.ca} CA")
    if a.eku != b.eku:
        details.append(f"EKU {', '.join(a.eku)} \u2192 {', '.join(b.eku)}")
    if a.exportable != b.exportable:
        details.append("the key is now exportable" if b.exportable else "the key is no longer exportable")
    if a.wildcards != b.wildcards:
        details.append("wildcard names now allowed" if b.wildcards else "no wildcard names")
    return tuple(details)


def _dns_subject(record: DnsRecord) -> str:
    return f"{record.view.capitalize()} {record.type} {record.name}"


def _dns_target(record: DnsRecord) -> str:
    return f"{record.target}:{record.port}" if record.port is not None else record.target


def _dns_details(a: DnsRecord, b: DnsRecord) -> tuple[str, ...]:
    details = []
    if (a.target, a.port) != (b.target, b.port):
        details.append(f"{_dns_target(a)} \u2192 {_dns_target(b)}")
    if a.unsure != b.unsure:
        details.append("now confirmed" if not b.unsure else f"unconfirmed: {b.unsure}")
    return tuple(details)


def _role_details(a: Role, b: Role) -> tuple[str, ...]:
    details = []
    if a.label != b.label:
        details.append(f"named {b.label} (was {a.label})")
    if a.zone.id != b.zone.id:
        details.append(f"moved to {b.zone.label}")
    if a.interfaces != b.interfaces:
        names = ", ".join(i.label for i in b.interfaces) or "none"
        details.append(f"interfaces: {names}")
    return tuple(details)


def compare(old: Dataset, new: Dataset) -> Changes:
    """Every added, removed and changed flow, certificate, DNS record and role, old to new."""
    titles = {w.id: w.title for w in (*old.workloads, *new.workloads)}
    items: list[Change] = []

    removed, added, changed = _pair(old.flows, new.flows, _flow_key, _flow_same)
    items += [Change("removed", "flow", _flow_subject(f, titles), (f"ports {f.ports_text}",)) for f in removed]
    items += [Change("added", "flow", _flow_subject(f, titles), (f"ports {f.ports_text}",)) for f in added]
    items += [Change("changed", "flow", _flow_subject(b, titles), _flow_details(a, b)) for a, b in changed]

    cert_key: Callable[[Certificate], Hashable] = lambda c: (c.role.id, c.interface)  # noqa: E731
    cert_same: Callable[[Certificate], Hashable] = lambda c: (c.subject.lower(), tuple(n.lower() for n in c.sans), c.ca, c.eku, c.exportable, c.wildcards)  # noqa: E731
    removed_c, added_c, changed_c = _pair(old.certificates, new.certificates, cert_key, cert_same)
    items += [Change("removed", "certificate", _cert_subject(c)) for c in removed_c]
    items += [Change("added", "certificate", _cert_subject(c), (f"subject {c.subject}",)) for c in added_c]
    items += [Change("changed", "certificate", _cert_subject(b), d) for a, b in changed_c if (d := _cert_details(a, b))]

    dns_key: Callable[[DnsRecord], Hashable] = lambda r: (r.view, r.type, r.name.lower())  # noqa: E731
    dns_same: Callable[[DnsRecord], Hashable] = lambda r: (r.target, r.port, r.unsure)  # noqa: E731
    removed_d, added_d, changed_d = _pair(old.dns_records, new.dns_records, dns_key, dns_same)
    items += [Change("removed", "dns", _dns_subject(r)) for r in removed_d]
    items += [Change("added", "dns", _dns_subject(r), (f"\u2192 {_dns_target(r)}",)) for r in added_d]
    items += [Change("changed", "dns", _dns_subject(b), d) for a, b in changed_d if (d := _dns_details(a, b))]

    role_same: Callable[[Role], Hashable] = lambda r: (r.label, r.zone.id, r.interfaces)  # noqa: E731
    removed_r, added_r, changed_r = _pair(old.catalog.roles, new.catalog.roles, lambda r: r.id, role_same)
    items += [Change("removed", "role", r.label) for r in removed_r]
    items += [Change("added", "role", r.label, (f"in {r.zone.label}",)) for r in added_r]
    items += [Change("changed", "role", a.label, d) for a, b in changed_r if (d := _role_details(a, b))]

    order = {c: i for i, c in enumerate(CATEGORIES)}
    kinds = {"changed": 0, "added": 1, "removed": 2}
    items.sort(key=lambda c: (order[c.category], kinds[c.kind]))  # stable: then the data's order
    return Changes(old.poster.version, new.poster.version, tuple(items))
