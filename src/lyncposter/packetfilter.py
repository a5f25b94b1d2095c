"""A deployed Linux firewall, read back: nftables JSON (`nft -j list ruleset`) and `iptables-save` text.

Both become the same small model: chains of statements, each a list of matches and a
verdict, and the forward hook's base chains. A packet can then be run through it the
way the kernel does (first match wins, jumps and gotos, returns, the chain's policy, and
every base chain on the hook must accept), and every accept can be listed with all
that leads to it, so `verify firewall` can say what a ruleset lets through and what
it lets through that no rule needs.

What is read: addresses and prefixes (sets too), protocols, destination ports and ranges,
connection-tracking state, and the verdicts. Interface names, marks and the like are read
as matching every packet: lyncposter's rules know addresses, not interfaces.
"""

from __future__ import annotations

import ipaddress
import json
import shlex
from dataclasses import dataclass, field
from typing import Any, Union

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
FIELDS = ("saddr", "daddr", "proto", "dport", "state")
PORT_PROTOCOLS = frozenset({"tcp", "udp", "sctp", "udplite", "dccp"})
ALL_PORTS = ((0, 65535),)


class RulesetError(ValueError):
    """The file is not a ruleset lyncposter can read."""


@dataclass(frozen=True)
class Match:
    """One condition of a statement. `values` are networks, protocol names, (low, high) port ranges or states."""

    field: str
    values: tuple[Any, ...]
    negate: bool = False


@dataclass(frozen=True)
class Statement:
    matches: tuple[Match, ...]
    verdict: str  # accept, drop, reject, jump, goto, return, or "" (no verdict: go on)
    target: str = ""  # the chain of a jump or goto
    where: str = ""  # how a message names it: `line 12` or `chain rule-7, handle 9`
    line: int = 0


@dataclass
class Chain:
    name: str
    policy: str = ""  # accept or drop for a base chain; "" for a regular chain
    statements: list[Statement] = field(default_factory=list)


@dataclass
class Ruleset:
    """Chains by key, and the forward hook's base chains with the IP versions each sees."""

    chains: dict[str, Chain]
    entries: list[tuple[str, frozenset[int]]]
    kind: str  # nftables or iptables


@dataclass(frozen=True)
class Packet:
    version: int
    saddr: Any
    daddr: Any
    proto: str
    dport: int
    state: str = "new"


# --- reading nftables JSON -----------------------------------------------------------------------

_NFT_FAMILIES = {"ip": frozenset({4}), "ip6": frozenset({6}), "inet": frozenset({4, 6})}


def _network(text: str, length: int | None = None) -> Network:
    try:
        return ipaddress.ip_network(f"{text}/{length}" if length is not None else text, strict=False)
    except ValueError:
        raise RulesetError(f"'{text}' is not an address") from None


def _nft_values(right: Any, kind: str) -> tuple[Any, ...]:
    """The right side of an nftables match: a value, a prefix, a range, a set, or a list."""
    if isinstance(right, dict) and "set" in right:
        return tuple(v for item in right["set"] for v in _nft_values(item, kind))
    if isinstance(right, list):
        return tuple(v for item in right for v in _nft_values(item, kind))
    if kind == "net":
        if isinstance(right, dict) and "prefix" in right:
            return (_network(right["prefix"]["addr"], right["prefix"]["len"]),)
        if isinstance(right, dict) and "range" in right:
            low, high = (ipaddress.ip_address(a) for a in right["range"])
            return tuple(ipaddress.summarize_address_range(low, high))  # type: ignore[type-var]
        return (_network(str(right)),)
    if kind == "port":
        if isinstance(right, dict) and "range" in right:
            return ((int(right["range"][0]), int(right["range"][1])),)
        return ((int(right), int(right)),)
    return (str(right).lower(),)


def _nft_match(expression: dict[str, Any]) -> list[Match] | None:
    """An nftables match as lyncposter's matches; None for a match it does not read."""
    left, right, op = expression.get("left"), expression.get("right"), expression.get("op", "==")
    negate = op == "!="
    if not isinstance(left, dict):
        return None
    if "payload" in left:
        protocol, name = left["payload"].get("protocol"), left["payload"].get("field")
        if protocol in ("ip", "ip6") and name in ("saddr", "daddr"):
            return [Match(name, _nft_values(right, "net"), negate)]
        if protocol in ("ip", "ip6") and name in ("protocol", "nexthdr"):
            return [Match("proto", _nft_values(right, "proto"), negate)]
        if name in ("dport", "sport"):
            implied = [Match("proto", (protocol,))] if protocol in PORT_PROTOCOLS else []
            return implied + ([Match("dport", _nft_values(right, "port"), negate)] if name == "dport" else [])
        return None
    if "meta" in left:
        key = left["meta"].get("key")
        if key == "l4proto":
            return [Match("proto", _nft_values(right, "proto"), negate)]
        if key == "nfproto":
            return [Match("version", tuple(4 if v == "ipv4" else 6 for v in _nft_values(right, "proto")), negate)]
        return None
    if "ct" in left and left["ct"].get("key") == "state":
        return [Match("state", _nft_values(right, "state"), negate)]
    return None


VERDICTS = ("accept", "drop", "reject", "return", "jump", "goto")


def read_nftables(text: str) -> Ruleset:
    """`nft -j list ruleset` output → the model."""
    try:
        document = json.loads(text)
        items = document["nftables"]
    except (ValueError, TypeError, KeyError):
        raise RulesetError("not nftables JSON; give what 'nft -j list ruleset' prints") from None
    chains: dict[str, Chain] = {}
    entries: list[tuple[int, str, frozenset[int]]] = []
    for item in items:
        chain = item.get("chain") if isinstance(item, dict) else None
        if not chain or chain.get("family") not in _NFT_FAMILIES:
            continue
        key = f"{chain['family']} {chain['table']} {chain['name']}"
        chains[key] = Chain(chain["name"], chain.get("policy", "accept") if "hook" in chain else "")
        if chain.get("hook") == "forward" and chain.get("type", "filter") == "filter":
            entries.append((int(chain.get("prio", 0)), key, _NFT_FAMILIES[chain["family"]]))
    for item in items:
        rule = item.get("rule") if isinstance(item, dict) else None
        if not rule or rule.get("family") not in _NFT_FAMILIES:
            continue
        key = f"{rule['family']} {rule['table']} {rule['chain']}"
        if key not in chains:
            continue
        matches: list[Match] = []
        verdict = target = ""
        for expression in rule.get("expr", []):
            (name, value), *_ = expression.items()
            if name == "match":
                found = _nft_match(value)
                if found is not None:
                    matches += found
            elif name in VERDICTS:
                verdict = name
                if name in ("jump", "goto"):
                    target = f"{rule['family']} {rule['table']} {value['target']}"
        where = f"chain {rule['chain']}, handle {rule.get('handle', '?')}"
        chains[key].statements.append(Statement(tuple(matches), verdict, target, where))
    return Ruleset(chains, [(key, versions) for _, key, versions in sorted(entries)], "nftables")


# --- reading iptables-save -----------------------------------------------------------------------

_IPT_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "ipv6-icmp"}


def _ipt_ports(text: str) -> tuple[tuple[int, int], ...]:
    ports = []
    for part in text.split(","):
        low, _, high = part.partition(":")
        ports.append((int(low or 0), int(high or 65535) if _ else int(low)))
    return tuple(ports)


def read_iptables(text: str) -> Ruleset:
    """`iptables-save` (or `ip6tables-save`) text → the model: the filter table's FORWARD chain and what it jumps to."""
    chains: dict[str, Chain] = {}
    table = ""
    version = 4
    seen_filter = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if "ip6tables" in line:
                version = 6
            continue
        if line.startswith("*"):
            table = line[1:]
            seen_filter = seen_filter or table == "filter"
            continue
        if table != "filter" or line == "COMMIT":
            continue
        if line.startswith(":"):
            name, policy, *_ = line[1:].split() + ["-"]
            chains[name] = Chain(name, "" if policy == "-" else policy.lower())
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            raise RulesetError(f"line {number}: cannot read '{line}'") from None
        if words[:1] == ["-N"] and len(words) > 1:
            chains.setdefault(words[1], Chain(words[1]))
            continue
        if words[:1] == ["-P"] and len(words) > 2:
            chains.setdefault(words[1], Chain(words[1])).policy = words[2].lower()
            continue
        if words[:1] != ["-A"] or len(words) < 2:
            raise RulesetError(f"line {number}: '{line}' is not an iptables-save line")
        statement = _ipt_statement(words[2:], number)
        chains.setdefault(words[1], Chain(words[1])).statements.append(statement)
    if not seen_filter or "FORWARD" not in chains:
        raise RulesetError("no filter table with a FORWARD chain; give what 'iptables-save' prints")
    if any(s.target and s.target not in chains for c in chains.values() for s in c.statements):
        missing = next(s.target for c in chains.values() for s in c.statements if s.target and s.target not in chains)
        raise RulesetError(f"a rule jumps to chain '{missing}', which the file does not define")
    return Ruleset(chains, [("FORWARD", frozenset({version}))], "iptables")


def _ipt_statement(words: list[str], number: int) -> Statement:
    matches: list[Match] = []
    verdict = target = ""
    negate = False
    i = 0
    while i < len(words):
        word = words[i]
        value = words[i + 1] if i + 1 < len(words) else ""
        if word == "!":
            negate = True
            i += 1
            continue
        step = 2
        if word in ("-s", "--source", "-d", "--destination"):
            name = "saddr" if word in ("-s", "--source") else "daddr"
            matches.append(Match(name, tuple(_network(v) for v in value.split(",")), negate))
        elif word in ("-p", "--protocol"):
            if value != "all":
                matches.append(Match("proto", (_IPT_PROTOCOLS.get(value, value.lower()),), negate))
        elif word in ("--dport", "--destination-port", "--dports", "--destination-ports"):
            matches.append(Match("dport", _ipt_ports(value), negate))
        elif word in ("--state", "--ctstate"):
            matches.append(Match("state", tuple(v.lower() for v in value.split(",")), negate))
        elif word in ("-j", "--jump", "-g", "--goto"):
            verdict = value.lower() if value in ("ACCEPT", "DROP", "REJECT", "RETURN") else ("goto" if word in ("-g", "--goto") else "jump")
            target = "" if verdict in VERDICTS[:4] else value
        elif word == "-m" or word in ("-i", "-o", "--in-interface", "--out-interface", "--comment", "--sport", "--sports", "--source-port"):
            pass  # modules are named by their options; interfaces and comments match every packet here
        elif word.startswith("-"):
            step = 2 if value and not value.startswith("-") else 1  # an option lyncposter does not read
        else:
            step = 1
        negate = False
        i += step
    return Statement(tuple(matches), verdict, target, f"line {number}", number)


def read_ruleset(text: str) -> Ruleset:
    """nftables JSON or iptables-save text, told apart by their first character."""
    return read_nftables(text) if text.lstrip().startswith("{") else read_iptables(text)


# --- running packets ------------------------------------------------------------------------------


def _contains(networks: tuple[Any, ...], address: Any) -> bool:
    return any(n.version == address.version and address in n for n in networks)


def _matches(match: Match, packet: Packet) -> bool:
    if match.field == "saddr":
        hit = _contains(match.values, packet.saddr)
    elif match.field == "daddr":
        hit = _contains(match.values, packet.daddr)
    elif match.field == "proto":
        hit = packet.proto in match.values
    elif match.field == "dport":
        hit = packet.proto in PORT_PROTOCOLS and any(low <= packet.dport <= high for low, high in match.values)
    elif match.field == "state":
        hit = packet.state in match.values
    elif match.field == "version":
        hit = packet.version in match.values
    else:
        hit = True
    return hit != match.negate


def _run(ruleset: Ruleset, key: str, packet: Packet, depth: int = 0) -> str:
    """The verdict of one chain: accept, drop, or "" when it returns without one."""
    if depth > 64:
        return "drop"  # a loop the kernel would refuse to load
    for statement in ruleset.chains[key].statements:
        if not all(_matches(m, packet) for m in statement.matches):
            continue
        if statement.verdict in ("accept", "drop"):
            return statement.verdict
        if statement.verdict == "reject":
            return "drop"
        if statement.verdict == "return":
            return ""
        if statement.verdict in ("jump", "goto"):
            found = _run(ruleset, statement.target, packet, depth + 1)
            if found or statement.verdict == "goto":
                return found
    return ""


def accepts(ruleset: Ruleset, packet: Packet) -> bool:
    """Whether a new connection's first packet passes the forward hook: every base chain that sees
    it must accept it (with none, the kernel forwards it)."""
    for key, versions in ruleset.entries:
        if packet.version not in versions:
            continue
        verdict = _run(ruleset, key, packet) or ruleset.chains[key].policy or "accept"
        if verdict != "accept":
            return False
    return True


@dataclass(frozen=True)
class Accept:
    """An accept that a new connection can reach, with every condition on the way to it."""

    matches: tuple[Match, ...]
    where: str
    line: int
    chain: str

    def constraint(self, name: str) -> tuple[Any, ...] | None:
        """The intersection's values of one field, if the path constrains it positively (None: anything)."""
        found = [m for m in self.matches if m.field == name and not m.negate]
        if not found:
            return None
        values = found[0].values
        for m in found[1:]:
            values = tuple(v for v in values if v in m.values) if name != "dport" else _intersect_ports(values, m.values)
        return values


def _intersect_ports(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((max(x[0], y[0]), min(x[1], y[1])) for x in a for y in b if max(x[0], y[0]) <= min(x[1], y[1]))


def accept_paths(ruleset: Ruleset) -> list[Accept]:
    """Every accept reachable from the forward hook that a new connection could take."""
    found: list[Accept] = []

    def walk(key: str, above: tuple[Match, ...], depth: int) -> None:
        if depth > 64:
            return
        for statement in ruleset.chains[key].statements:
            path = above + statement.matches
            states = [m for m in path if m.field == "state"]
            if any(("new" in m.values) == m.negate for m in states):
                continue  # replies only (established, related)
            if statement.verdict == "accept":
                found.append(Accept(path, statement.where, statement.line, ruleset.chains[key].name))
            elif statement.verdict in ("jump", "goto"):
                walk(statement.target, path, depth + 1)

    for key, _ in ruleset.entries:
        walk(key, (), 0)
    return found
