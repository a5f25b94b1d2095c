"""A firewall's rules as real configurations, through aerleon's generators.

lyncposter writes one aerleon policy per firewall: a term per rule, named `rule-N` and
commented with its number, direction, ends, connection and workloads, and the network
and service definitions its terms name. aerleon's generators write the platforms:

- nftables and iptables (iptables-restore input, aerleon's speedway generator) for a
  Linux firewall that forwards between its two zones: default drop, replies to accepted
  connections allowed by connection tracking, each rule accepted from the side that opens
  it (an either-way opening is two rules, one each way);
- Cisco ASA: one access list for the traffic that enters from each zone's interface;
- Juniper SRX and Palo Alto: a from-zone/to-zone policy each way;
- Windows Firewall (netsh advfirewall): the rules as inbound rules on the listening servers.

Each configuration says in its header where its addresses come from, and that they are
placeholders when the data directory has no addresses.yaml.
"""

from __future__ import annotations

import contextlib
import re
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import RenderError, UsageError
from ..files import write_atomic

if TYPE_CHECKING:  # the command line reads FORMATS at start-up: the rules and addresses load when used
    from ..addresses import AddressedRule
    from ..firewall import RuleSet
    from ..model import AddressPlan, Dataset


@dataclass(frozen=True)
class Platform:
    name: str  # as `--format` says it
    target: str  # aerleon's generator
    title: str


PLATFORMS = {
    p.name: p
    for p in (
        Platform("nftables", "nftables", "nftables (nft -f)"),
        Platform("iptables", "speedway", "iptables (iptables-restore)"),
        Platform("ip6tables", "speedway", "ip6tables (ip6tables-restore)"),
        Platform("ciscoasa", "ciscoasa", "Cisco ASA"),
        Platform("junipersrx", "srx", "Juniper SRX"),
        Platform("paloaltofw", "paloalto", "Palo Alto Networks"),
        Platform("windows_advfirewall", "windows_advfirewall", "Windows Firewall with Advanced Security (netsh)"),
    )
}
FORMATS = tuple(PLATFORMS)
REPLIES = "replies"  # the iptables term that lets replies to accepted connections back


def _name(text: str) -> str:
    """An aerleon definition name: upper case, letters, digits and underscores."""
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _clean(text: str) -> str:
    """Comment text every generator carries safely: no quotes, no arrows outside ASCII."""
    return text.replace('"', "'").replace("→", "->").encode("ascii", "replace").decode()


def _lines(*paragraphs: str, width: int = 70) -> str:
    """Comment lines short enough that no generator wraps them again (iptables and SRX wrap at 70)."""
    return "\n".join(line for text in paragraphs for line in textwrap.wrap(_clean(text), width, break_on_hyphens=False))


@dataclass(frozen=True)
class Policy:
    """One firewall's aerleon policy: definitions, the terms, and what the headers say."""

    rule_set: RuleSet
    rules: tuple[AddressedRule, ...]
    plan: AddressPlan
    networks: dict[str, dict[str, Any]]
    services: dict[str, list[dict[str, str]]]
    terms: dict[int, dict[str, Any]]  # rule number → term
    comment: str
    brief: dict[int, str]  # rule number → its comment on one line (0: the header's)

    @property
    def firewall_id(self) -> str:
        return self.rule_set.firewall.id

    def definitions(self) -> dict[str, Any]:
        return {"networks": self.networks, "services": self.services}

    def filters(self, platform: Platform) -> list[dict[str, Any]]:
        """The filters of one platform: a header naming it and the terms it carries."""
        firewall = self.rule_set.firewall
        outer, inner = firewall.outer.id, firewall.inner.id
        inbound = [self.terms[r.number] for r in self.rules if r.rule.direction == "inbound"]
        outbound = [self.terms[r.number] for r in self.rules if r.rule.direction == "outbound"]
        every = [self.terms[r.number] for r in self.rules]
        from ..addresses import families

        versions = families(self.rules)

        def header(options: str, note: str = "") -> dict[str, Any]:
            return {"targets": {platform.target: options}, "comment": self.comment + (f"\n{note}" if note else "")}

        if platform.name == "nftables":
            # nft takes one comment of at most 128 characters per chain: the header goes in `#` lines (see render)
            family = "mixed" if versions == {4, 6} else ("inet6" if versions == {6} else "inet")
            brief = [dict(t, comment=self.brief[r.number]) for t, r in zip(every, self.rules)]
            return [{"header": {"targets": {platform.target: f"{family} forward"}, "comment": self.brief[0]}, "terms": brief}]
        if platform.name in ("iptables", "ip6tables"):
            family = "inet6" if platform.name == "ip6tables" else "inet"
            replies = {
                "name": REPLIES,
                "comment": "Replies to accepted connections (connection tracking)",
                "option": "established",
                "action": "accept",
            }
            other = "ip6tables" if family == "inet" else "iptables"
            note = f"The IPv{6 if family == 'inet' else 4} rules: --format {other}" if versions == {4, 6} else ""
            return [{"header": header(f"FORWARD DROP {family}", note), "terms": [replies, *every]}]
        if platform.name == "ciscoasa":
            return [
                {"header": header(f"{self.firewall_id}-from-{zone}", _lines(f"Apply with: access-group {self.firewall_id}-from-{zone} in interface <the interface facing {label}>")), "terms": terms}
                for zone, label, terms in ((outer, firewall.outer.label, inbound), (inner, firewall.inner.label, outbound))
                if terms
            ]
        if platform.name in ("junipersrx", "paloaltofw"):
            return [
                {"header": header(f"from-zone {a} to-zone {b}"), "terms": terms}
                for a, b, terms in ((outer, inner, inbound), (inner, outer, outbound))
                if terms
            ]
        if platform.name == "windows_advfirewall":
            return [{"header": header("in inet", _lines("Windows Firewall on each listening server: every rule as an inbound rule")), "terms": every}]
        raise UsageError(f"unknown platform '{platform.name}'; choose one of: {', '.join(FORMATS)}")  # pragma: no cover

    def aerleon(self, platforms: tuple[Platform, ...]) -> dict[str, Any]:
        """The policy as aerleon reads it (a YAML policy file has this shape)."""
        filters = [f for p in platforms for f in self.filters(p)]
        return {"filename": self.firewall_id, "filters": filters}


def policy(data: Dataset, rule_set: RuleSet, plan: AddressPlan | None = None) -> Policy:
    """The aerleon policy for one firewall, with the data's plan (or `plan`, or placeholders)."""
    from ..addresses import addressed_rules, plan_for

    chosen = plan_for(data.catalog, plan if plan is not None else data.addresses)
    rules = addressed_rules(rule_set, chosen)
    networks: dict[str, dict[str, Any]] = {}
    services: dict[str, list[dict[str, str]]] = {}
    terms: dict[int, dict[str, Any]] = {}
    brief = {0: _brief(f"{rule_set.firewall.label}: {len(rules)} rules, lyncposter {__version__}" + ("; PLACEHOLDER ADDRESSES" if chosen.placeholder else ""))}
    for addressed in rules:
        rule = addressed.rule
        term: dict[str, Any] = {"name": f"rule-{rule.number}"}
        term["comment"] = _lines(
            f"Rule {rule.number}, {rule.direction}: {rule.label}",
            f"From {rule.source.label} to {rule.destination.label}",
            f"Workloads: {', '.join(rule.workloads)}",
            *(n for n in rule.notes if n.startswith("[UNSURE")),
        )
        brief[rule.number] = _brief(
            f"Rule {rule.number} {rule.direction} {rule.label}{' [UNSURE]' if rule.unsure else ''}; "
            f"{rule.source.label} -> {rule.destination.label}; {', '.join(rule.workloads)}"
        )
        for key, end, addresses in (
            ("source-address", rule.source, addressed.source),
            ("destination-address", rule.destination, addressed.destination),
        ):
            if not addresses.networks:
                continue  # any address: no match
            side = end.interface.side.upper() if end.interface else ""
            name = _name(f"{end.role.id} {side}")
            networks[name] = {"values": [{"address": n, "comment": _clean(end.label)} for n in addresses.networks]}
            term[key] = name
        term["protocol"] = list(addressed.transports)
        service = _name(f"{rule.protocol.id} {rule.transport} {rule.ports_text}")
        services[service] = [
            {"port": str(p), "protocol": t} for p in rule.ports for t in addressed.transports
        ]
        term["destination-port"] = service
        term["action"] = "accept"
        terms[rule.number] = term
    return Policy(rule_set, rules, chosen, networks, services, terms, _header(data, rule_set, chosen, rules), brief)


def _brief(text: str, limit: int = 128) -> str:
    """One line for nft, which takes comments of at most 128 characters."""
    text = _clean(text)
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _header(data: Dataset, rule_set: RuleSet, plan: AddressPlan, rules: tuple[AddressedRule, ...]) -> str:
    firewall = rule_set.firewall
    poster = data.poster
    lines = [
        f"{firewall.label}: {len(rules)} rules between {firewall.outer.label} and {firewall.inner.label}",
        f"Generated by lyncposter {__version__} from {poster.title} v{poster.version}",
    ]
    if plan.placeholder:
        lines.append(
            "ADDRESSES ARE PLACEHOLDERS (documentation and private ranges): set the real ones in "
            "addresses.yaml in the data directory, or pass --addresses FILE"
        )
    else:
        lines.append(f"Addresses from {plan.file}")
        by_zone = sorted({label for r in rules for label in r.by_zone})
        if by_zone:
            lines.append(f"Addressed by their zone's prefixes (no address of their own in {plan.file}): {', '.join(by_zone)}")
    return _lines(*lines)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """aerleon logs through absl at INFO and WARNING: keep its chatter off the user's terminal."""
    from absl import logging

    before = logging.get_verbosity()
    logging.set_verbosity(logging.ERROR)
    try:
        yield
    finally:
        logging.set_verbosity(before)


def render(policy_: Policy, platform: str) -> str:
    """One platform's configuration for the policy's firewall, as aerleon generates it."""
    chosen = PLATFORMS.get(platform)
    if chosen is None:
        raise UsageError(f"unknown platform '{platform}'; choose one of: {', '.join(FORMATS)}")
    from ..addresses import families

    if platform == "ip6tables" and 6 not in families(policy_.rules):
        raise UsageError(f"{policy_.firewall_id}: no IPv6 addresses in the plan; --format iptables carries its rules")
    with _quiet():
        from aerleon import api
        from aerleon.lib import naming

        try:
            definitions = naming.Naming()
            definitions.ParseDefinitionsObject(policy_.definitions(), "")
            generated = api.Generate([policy_.aerleon((chosen,))], definitions)  # type: ignore[list-item]
        except Exception as exc:  # aerleon's own errors: one line, not its traceback
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise RenderError(f"{policy_.firewall_id}: aerleon cannot generate {platform}: {reason}") from None
    if not generated:
        raise UsageError(f"{policy_.firewall_id}: aerleon generated nothing for {platform}")
    (text,) = generated.values()
    text = text.rstrip("\n") + "\n"
    if platform == "nftables":  # the header in full, as comments nft skips
        text = "".join(f"# {line}\n" for line in policy_.comment.splitlines()) + text
    return text


def write_aerleon(policies: list[Policy], out: str | Path) -> list[Path]:
    """The policies and definitions as files, for a team's own aerleon repository:
    `policies/pol/<firewall>.yaml` (every platform's filters) and `def/networks.yaml`, `def/services.yaml`."""
    import yaml

    from ..addresses import families

    out = Path(out)
    networks: dict[str, Any] = {}
    services: dict[str, Any] = {}
    written = []
    for p in policies:
        networks.update(p.networks)
        services.update(p.services)
        ipv6 = 6 in families(p.rules)  # ip6tables only where the plan has IPv6 addresses
        body = p.aerleon(tuple(x for x in PLATFORMS.values() if x.name != "ip6tables" or ipv6))
        text = "# " + "\n# ".join(p.comment.splitlines()) + "\n" + yaml.safe_dump({"filters": body["filters"]}, sort_keys=False, width=120)
        written.append(write_atomic(out / "policies" / "pol" / f"{p.firewall_id}.yaml", text))
    for name, value in (("networks", {"networks": dict(sorted(networks.items()))}), ("services", {"services": dict(sorted(services.items()))})):
        written.append(write_atomic(out / "def" / f"{name}.yaml", yaml.safe_dump(value, sort_keys=False, width=120)))
    return written
