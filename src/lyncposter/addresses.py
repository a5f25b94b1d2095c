"""Rules → addressed rules: each end of a firewall rule as the networks a firewall matches.

The plan comes from addresses.yaml (or `--addresses FILE`). Without one, lyncposter makes
a plan of placeholders from the catalog, so that a configuration can be generated, loaded
and tested at once: the outermost zone is the whole Internet (any address); every other
zone gets a private /16, its servers an address each, its clients a /24 each, and the
outer side of a role right behind the outermost firewall an address from the
documentation range 203.0.113.0/24 (where the real one is public). Every generated file
says when its addresses are placeholders.

A role without an address of its own is addressed by its zone's prefixes; a role with
interfaces is met by each firewall on the side that faces it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .errors import UsageError
from .firewall import Endpoint, FirewallRule, RuleSet
from .model import Addresses, AddressPlan, Catalog, Firewall, Role

PUBLIC_PLACEHOLDERS = "203.0.113.0/24"  # RFC 5737 TEST-NET-3: where the real address is public
FIRST_HOST = 10  # placeholders start at .10, leaving the low addresses to routers


def placeholder_plan(catalog: Catalog) -> AddressPlan:
    """A plan of placeholders for every zone and role of the catalog (see the module's docstring)."""
    zones: list[tuple[str, Addresses]] = []
    roles: list[tuple[tuple[str, str], Addresses]] = []
    public = ipaddress.ip_network(PUBLIC_PLACEHOLDERS)
    for zone in catalog.zones:
        if zone.order == 0:
            zones.append((zone.id, Addresses(())))  # the Internet: any address
            continue
        private = ipaddress.ip_network(f"10.{zone.order}.0.0/16")
        zones.append((zone.id, Addresses((str(private), str(public)) if zone.order == 1 else (str(private),))))
        servers = clients = 0
        for role in (r for r in catalog.roles if r.zone == zone):
            if role.kind == "client":
                roles.append(((role.id, ""), Addresses((f"10.{zone.order}.{100 + clients}.0/24",))))
                clients += 1
                continue
            host = FIRST_HOST + servers
            servers += 1
            inner = f"10.{zone.order}.0.{host}/32"
            if not role.interfaces:
                roles.append(((role.id, ""), Addresses((inner,))))
                continue
            for interface in role.interfaces:
                if interface.side == "inner":
                    roles.append(((role.id, "inner"), Addresses((inner,))))
                else:
                    outer = str(public[host]) if zone.order == 1 else f"10.{zone.order}.1.{host}"
                    roles.append(((role.id, "outer"), Addresses((f"{outer}/32",))))
            if not any(i.side == "inner" for i in role.interfaces):
                roles.append(((role.id, "inner"), Addresses((inner,))))
    return AddressPlan(tuple(zones), tuple(roles))


def plan_for(catalog: Catalog, plan: AddressPlan | None) -> AddressPlan:
    """The plan a command uses: the one given, or placeholders."""
    return plan if plan is not None else placeholder_plan(catalog)


def side_facing(role: Role, firewall: Firewall) -> str:
    """Which side of `role` a firewall meets: its outer side for a firewall further out, else its inner side."""
    return "outer" if firewall.inner.order <= role.zone.order else "inner"


@dataclass(frozen=True)
class Resolved:
    """The networks of one end of a rule, and how they were found."""

    addresses: Addresses
    by_zone: bool  # the role has no address of its own: its zone's prefixes stand for it


def resolve(plan: AddressPlan, end: Endpoint, firewall: Firewall) -> Resolved:
    role = end.role
    side = end.interface.side if end.interface else (side_facing(role, firewall) if role.interfaces else "")
    found = plan.role(role.id, side) or plan.role(role.id, "")
    if found is not None:
        return Resolved(found, False)
    zone = plan.zone(role.zone.id)
    if zone is None:
        where = plan.file or "addresses.yaml"
        what = f"{role.id}: {{{side}: ...}}" if side else f"{role.id}: ADDRESS"
        raise UsageError(
            f"{where}: role '{role.id}' has no address and its zone '{role.zone.id}' no prefixes; "
            f"add '{what}' under roles, or the zone's prefixes under zones"
        )
    return Resolved(zone, True)


@dataclass(frozen=True)
class AddressedRule:
    """A firewall rule with the networks of its two ends (none: any address)."""

    rule: FirewallRule
    source: Addresses
    destination: Addresses
    by_zone: tuple[str, ...]  # labels of the ends addressed by their zone's prefixes

    @property
    def number(self) -> int:
        return self.rule.number

    @property
    def transports(self) -> tuple[str, ...]:
        """`tcp`, `udp` or both, as packet filters name them."""
        return tuple(t.lower() for t in self.rule.transport.split("+"))


def addressed_rules(rule_set: RuleSet, plan: AddressPlan) -> tuple[AddressedRule, ...]:
    result = []
    for rule in rule_set.rules:
        ends = [resolve(plan, end, rule_set.firewall) for end in (rule.source, rule.destination)]
        by_zone = tuple(end.label for end, found in zip((rule.source, rule.destination), ends) if found.by_zone)
        result.append(AddressedRule(rule, ends[0].addresses, ends[1].addresses, by_zone))
    return tuple(result)


def families(rules: tuple[AddressedRule, ...]) -> frozenset[int]:
    """The IP versions the rules' addresses use (4 when every end is any)."""
    found = {ipaddress.ip_network(n).version for r in rules for n in (*r.source.networks, *r.destination.networks)}
    return frozenset(found or {4})


def allows(rules: tuple[AddressedRule, ...], source: object, destination: object, transport: str, port: int) -> bool:
    """Whether some rule lets a connection through: from `source` to `destination` (ip_address values),
    over `transport` (tcp or udp) to `port`."""

    def within(networks: tuple[str, ...], address: object) -> bool:
        if not networks:
            return True
        return any(address in network for network in map(ipaddress.ip_network, networks) if network.version == getattr(address, "version", 0))

    return any(
        within(r.source.networks, source)
        and within(r.destination.networks, destination)
        and transport in r.transports
        and any(port in p for p in r.rule.ports)
        for r in rules
    )
