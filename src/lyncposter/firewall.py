"""Flows → the rules each firewall needs: the Firewall Poster's facts.

Firewall administrators think per firewall, not per workload. Every flow whose
ends lie in different zones passes the firewalls between those zones (a flow
from External to Internal passes both). On each firewall it needs an opening
from the side that opens the connection to the side that listens; flows that
need the same opening (same ends, protocol as printed, transport and ports)
share one rule, which lists every workload that needs it. A flow either side may open
needs a rule each way.

`inbound` means the side that opens the connection is in the less trusted
zone (zones run from the outside in); `outbound` the reverse. Rules are
numbered per firewall in a stable order: inbound first, then by destination,
then by port.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from .model import Catalog, Dataset, Firewall, Flow, Interface, PortRange, Protocol, Role, SheetSpec, Workload, Zone, connection_label

DIRECTIONS = ("inbound", "outbound")


@dataclass(frozen=True)
class Endpoint:
    """One end of a rule: the role, and the interface the firewall sees when the role has two."""

    role: Role
    interface: Interface | None = None

    @property
    def label(self) -> str:
        return self.interface.label if self.interface else self.role.label

    @property
    def zone(self) -> Zone:
        return self.role.zone


@dataclass(frozen=True)
class FirewallRule:
    firewall: Firewall
    number: int
    direction: str  # inbound or outbound
    source: Endpoint  # the side that opens the connection
    destination: Endpoint  # the side that listens on `ports`
    protocol: Protocol
    transport: str
    ports: tuple[PortRange, ...]
    flows: tuple[Flow, ...]  # every flow that needs this opening
    either: bool  # some flow behind it may be opened from either side

    @property
    def initiator(self) -> str:
        return "either" if self.either else "source"

    @property
    def label(self) -> str:
        return connection_label(self.protocol, self.transport, self.ports)

    @property
    def ports_text(self) -> str:
        return ",".join(str(p) for p in self.ports)

    @property
    def workloads(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.workload_id for f in self.flows))

    @property
    def unsure(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.unsure for f in self.flows if f.unsure))

    @property
    def notes(self) -> tuple[str, ...]:
        """What an administrator must know besides the opening: interface notes, then unconfirmed facts."""
        ends = [e.interface for e in (self.source, self.destination) if e.interface and e.interface.note]
        return tuple(dict.fromkeys([i.note for i in ends] + [f"[UNSURE: {u}]" for u in self.unsure]))


@dataclass(frozen=True)
class RuleSet:
    """One firewall and every rule it needs, numbered."""

    firewall: Firewall
    rules: tuple[FirewallRule, ...]

    def other_way(self, rule: FirewallRule) -> FirewallRule | None:
        """The rule for the same opening in the other direction, if there is one."""
        same = (rule.protocol.label, rule.transport, rule.ports)
        return next(
            (
                r
                for r in self.rules
                if (r.source.role, r.destination.role) == (rule.destination.role, rule.source.role)
                and (r.protocol.label, r.transport, r.ports) == same
            ),
            None,
        )

    def table_notes(self) -> dict[int, tuple[str, ...]]:
        """What a rule table prints in each rule's Notes, unconfirmed facts aside: the other way of
        an either-way opening, and each interface's note in full once, then a pointer to it."""
        result: dict[int, tuple[str, ...]] = {}
        first_said: dict[str, int] = {}
        for rule in self.rules:
            notes = []
            back = self.other_way(rule) if rule.either else None
            if back is not None:
                notes.append(f"Either side opens it; rule {back.number} is the other way.")
            for end in (rule.source, rule.destination):
                note = end.interface.note if end.interface else ""
                if note:
                    said = first_said.setdefault(note, rule.number)
                    notes.append(note if said == rule.number else f"Address: see rule {said}.")
            result[rule.number] = tuple(dict.fromkeys(notes))
        return result

    @property
    def roles(self) -> tuple[Role, ...]:
        """The roles that have a rule through this firewall, outermost zone first."""
        seen: dict[str, Role] = {}
        for rule in self.rules:
            seen.setdefault(rule.source.role.id, rule.source.role)
            seen.setdefault(rule.destination.role.id, rule.destination.role)
        return tuple(sorted(seen.values(), key=lambda r: r.zone.order))


def _endpoint(role: Role, firewall: Firewall) -> Endpoint:
    """A role that stands between two firewalls meets this one on its outer or inner side."""
    if role.zone == firewall.inner:
        return Endpoint(role, role.interface("outer"))
    if role.zone == firewall.outer:
        return Endpoint(role, role.interface("inner"))
    return Endpoint(role)  # beyond the next firewall: addressed as itself


@dataclass(frozen=True)
class _Opening:
    firewall: Firewall
    opener: Role
    listener: Role
    flow: Flow


def _openings(flows: Iterable[Flow], firewalls: tuple[Firewall, ...]) -> list[_Opening]:
    result = []
    for flow in flows:
        pairs = [(flow.source, flow.target)] + ([(flow.target, flow.source)] if flow.bidirectional else [])
        for opener, listener in pairs:
            low, high = sorted((opener.zone.order, listener.zone.order))
            for firewall in firewalls:
                if low <= firewall.outer.order and firewall.inner.order <= high:
                    result.append(_Opening(firewall, opener, listener, flow))
    return result


def _sort_key(rule: FirewallRule) -> tuple[object, ...]:
    return (
        DIRECTIONS.index(rule.direction),
        rule.destination.label.lower(),
        rule.ports,
        rule.transport,
        rule.protocol.label,
        rule.source.label.lower(),
    )


def firewall_rules(data: Dataset) -> tuple[RuleSet, ...]:
    """The rule set of every firewall in the catalog, in the catalog's order."""
    firewalls = data.catalog.firewalls
    grouped: dict[tuple[str, str, str, str, str, tuple[PortRange, ...]], list[_Opening]] = {}
    for opening in _openings(data.flows, firewalls):
        f = opening.flow
        # protocols are told apart as the rule prints them: a SIP push message and server SIP are one opening
        key = (opening.firewall.id, opening.opener.id, opening.listener.id, f.protocol.label, f.transport, f.ports)
        grouped.setdefault(key, []).append(opening)
    unnumbered: dict[str, list[FirewallRule]] = {fw.id: [] for fw in firewalls}
    for openings in grouped.values():
        first = openings[0]
        firewall = first.firewall
        direction = "inbound" if first.opener.zone.order < first.listener.zone.order else "outbound"
        unnumbered[firewall.id].append(
            FirewallRule(
                firewall,
                0,
                direction,
                _endpoint(first.opener, firewall),
                _endpoint(first.listener, firewall),
                first.flow.protocol,
                first.flow.transport,
                first.flow.ports,
                tuple(o.flow for o in openings),
                any(o.flow.bidirectional for o in openings),
            )
        )
    result = []
    for firewall in firewalls:
        ordered = sorted(unnumbered[firewall.id], key=_sort_key)
        rules = tuple(replace(r, number=n) for n, r in enumerate(ordered, start=1))
        result.append(RuleSet(firewall, rules))
    return tuple(result)


def rule_set(data: Dataset, firewall_id: str) -> RuleSet:
    for rules in firewall_rules(data):
        if rules.firewall.id == firewall_id:
            return rules
    from .errors import UsageError, did_you_mean

    known = [f.id for f in data.catalog.firewalls]
    raise UsageError(
        f"unknown firewall '{firewall_id}'{did_you_mean(firewall_id, known)}; catalog.yaml defines: {', '.join(known) or 'none'}"
    )


def rule_workload(rule_set: RuleSet, catalog: Catalog) -> Workload:
    """A firewall's rules as a panel to draw: one numbered line per rule, from the side that opens it.

    Each role is named as the firewall sees it (`Edge internal (Access Edge)`), so the
    drawing and the rule table agree.
    """
    firewall = rule_set.firewall

    def seen(end: Endpoint) -> Role:
        return replace(end.role, label=end.label)

    flows = tuple(
        Flow(
            workload_id=f"firewall-{firewall.id}",
            index=rule.number,
            source=seen(rule.source),
            target=seen(rule.destination),
            protocol=rule.protocol,
            transport=rule.transport,
            ports=rule.ports,
            initiator="both" if rule.either else "from",
            description=f"Rule {rule.number} ({rule.direction}): " + "; ".join(dict.fromkeys(f.description for f in rule.flows if f.description)),
            note=" ".join(n for n in rule.notes if not n.startswith("[UNSURE")),
            sources=tuple(dict.fromkeys(s for f in rule.flows for s in f.sources)),
            unsure="; ".join(rule.unsure),
            location=rule.flows[0].location,
        )
        for rule in rule_set.rules
    )
    count = len(rule_set.rules)
    return Workload(
        id=f"firewall-{firewall.id}",
        title=f"{firewall.label}: {count} rule{'s' if count != 1 else ''}",
        description=f"Rules on the {firewall.label.lower()} between {firewall.outer.label} and {firewall.inner.label}",
        flows=flows,
        notes=(),
        catalog=catalog,
        location=firewall.location,
        numbered=True,
    )


@dataclass(frozen=True)
class FirewallView:
    """A firewall sheet's facts: its workloads, the rule sets of the firewalls they cross, and
    each rule set as a drawing (`rule_workload`)."""

    facts: Dataset
    rule_sets: tuple[RuleSet, ...]
    drawings: tuple[Workload, ...]


def firewall_view(data: Dataset, sheet: SheetSpec) -> FirewallView:
    facts = data.only(sheet.workloads)
    rule_sets = tuple(r for r in firewall_rules(facts) if r.rules)
    return FirewallView(facts, rule_sets, tuple(rule_workload(r, data.catalog) for r in rule_sets))
