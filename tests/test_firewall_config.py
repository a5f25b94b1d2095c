"""The firewall rules as real configurations: checked by nft and iptables-restore, loaded into a
firewall in network namespaces and proven with packets, and a deployed ruleset verified."""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import lyncposter
import netbed
from lyncposter.addresses import AddressedRule, addressed_rules, allows, placeholder_plan, plan_for
from lyncposter.cli import main
from lyncposter.export.platforms import policy, render
from lyncposter.firewall import Endpoint, firewall_rules, rule_set
from lyncposter.model import Dataset, Firewall
from lyncposter.verify import verify_firewall
from conftest import DATA, ROOT

EXAMPLE = ROOT / "examples" / "nextcloud"
BED = netbed.unavailable("nft", "iptables-restore", "iptables-save")
needs_bed = pytest.mark.skipif(BED is not None, reason=f"no namespace test bed: {BED}")
LOADERS = {"nftables": ["nft", "-f", "-"], "iptables": ["iptables-restore"]}
ANY_HOSTS = ipaddress.ip_network("198.51.100.0/24")  # RFC 5737 TEST-NET-2 stands in for "anywhere"
UNNAMED = (9, 7, 1, 4444, 60999)  # ports to try for "a port no rule names"


# --- the plan's ends as test hosts -----------------------------------------------------------------


def side_of(end: Endpoint, firewall: Firewall) -> str:
    return "outer" if end.role.zone.order <= firewall.outer.order else "inner"


class Hosts:
    """Addresses for each rule end: per planned network, the address itself or a host inside the
    prefix; where the plan says any, a TEST-NET-2 address of its own."""

    def __init__(self) -> None:
        self.chosen: dict[tuple[str, str], list[str]] = {}
        self.sides: dict[str, set[str]] = {"outer": set(), "inner": set()}

    def of(self, end: Endpoint, networks: tuple[str, ...], firewall: Firewall) -> list[str]:
        key = (end.role.id, end.interface.side if end.interface else "")
        if key not in self.chosen:
            found = []
            for text in networks:
                network = ipaddress.ip_network(text)
                found.append(str(network.network_address if network.num_addresses == 1 else network[min(10, network.num_addresses - 2)]))
            if not networks:
                taken = sum(1 for hosts in self.chosen.values() for a in hosts if ipaddress.ip_address(a) in ANY_HOSTS)
                found.append(str(ANY_HOSTS[10 + taken]))
            self.chosen[key] = found
        self.sides[side_of(end, firewall)].update(self.chosen[key])
        return self.chosen[key]


def plan_probes(rules: tuple[AddressedRule, ...], firewall: Firewall) -> tuple[list[dict[str, object]], dict[str, bool], Hosts]:
    """Every rule's first and last port from the side that opens it, between each pair of its ends'
    addresses (must arrive); its first port the other way (arrives only where a rule allows that
    way); and a port no rule names (must not)."""
    hosts = Hosts()
    probes: list[dict[str, object]] = []
    expected: dict[str, bool] = {}

    def add(ident: str, side: str, src: str, dst: str, proto: str, port: int, arrives: bool) -> None:
        probes.append({"id": ident, "side": side, "src": src, "dst": dst, "proto": proto, "port": port})
        expected[ident] = arrives

    for r in rules:
        rule = r.rule
        sources = hosts.of(rule.source, r.source.networks, firewall)
        destinations = hosts.of(rule.destination, r.destination.networks, firewall)
        s_side, d_side = side_of(rule.source, firewall), side_of(rule.destination, firewall)
        for proto in r.transports:
            for src in sources:
                for dst in destinations:
                    for ports in rule.ports:
                        for port in dict.fromkeys((ports.low, ports.high)):
                            add(f"rule {rule.number} {proto}/{port} {src}->{dst}", s_side, src, dst, proto, port, True)
            src, dst = sources[0], destinations[0]
            a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
            port = rule.ports[0].low
            add(f"rule {rule.number} back {proto}/{port} {dst}->{src}", d_side, dst, src, proto, port, allows(rules, b, a, proto, port))
            unnamed = next(p for p in UNNAMED if not allows(rules, a, b, proto, p))
            add(f"rule {rule.number} unnamed {proto}/{unnamed} {src}->{dst}", s_side, src, dst, proto, unnamed, False)
    return probes, expected, hosts


def prove(data: Dataset, firewall_id: str, platform: str, plan: object = None) -> None:
    """Load the generated configuration into a firewall between two namespaces and send the packets."""
    rules_of = rule_set(data, firewall_id)
    chosen = plan_for(data.catalog, plan if plan is not None else data.addresses)  # type: ignore[arg-type]
    rules = addressed_rules(rules_of, chosen)
    probes, expected, hosts = plan_probes(rules, rules_of.firewall)
    config = render(policy(data, rules_of, chosen), platform)
    with netbed.Bed(sorted(hosts.sides["outer"]), sorted(hosts.sides["inner"])) as bed:
        loaded = bed.load(LOADERS[platform], config)
        assert loaded.returncode == 0, loaded.stderr
        got = bed.exchange(probes)
    wrong = [f"{i}: {got.get(i)}, expected {'arrived' if arrives else 'dropped'}" for i, arrives in expected.items() if got.get(i) != ("arrived" if arrives else "dropped")]
    assert not wrong, f"{firewall_id} as {platform}:\n" + "\n".join(wrong)
    assert sum(expected.values()) >= len(rules)  # every rule sent at least one connection that must arrive
    assert list(expected.values()).count(False) >= len(rules)  # and at least one that must not


# --- generated configurations ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Dataset:
    return lyncposter.load(DATA)


def test_placeholder_plan_gives_every_end_an_address(shipped):
    plan = placeholder_plan(shipped.catalog)
    (external, internal) = (addressed_rules(r, plan) for r in firewall_rules(shipped))
    (rule,) = [r for r in external if r.rule.source.role.id == "remote-client" and r.rule.label == "SIP/TLS:443"]
    assert (rule.source.text, rule.destination.text) == ("any", "203.0.113.10/32")  # remote users come from anywhere
    assert all(ipaddress.ip_network(n).is_private for r in internal for n in (*r.source.networks, *r.destination.networks))


def test_json_rows_gain_addresses_and_csv_keeps_its_header(capsys):
    assert main(["firewall", "--data", str(DATA), "--format", "json", "--firewall", "internal-firewall"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["source_address"] == "10.1.0.12/32" and rows[0]["destination_address"] == "10.2.0.18/32"
    assert main(["firewall", "--data", str(DATA)]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "address" not in header and header.endswith(",workloads,notes")


@pytest.mark.parametrize("firewall", ["external-firewall", "internal-firewall"])
def test_every_configuration_says_its_addresses_are_placeholders_and_names_every_rule(shipped, firewall):
    rules = rule_set(shipped, firewall).rules
    asa_names = {443: "https", 80: "www", 53: "domain", 5060: "sip"}  # the ASA writes well-known ports by name
    for platform in ("nftables", "iptables", "ciscoasa", "junipersrx", "paloaltofw", "windows_advfirewall"):
        text = render(policy(shipped, rule_set(shipped, firewall)), platform)
        assert "PLACEHOLDER" in text.upper(), platform
        for rule in rules:
            for ports in rule.ports:
                written = {str(ports.low), asa_names.get(ports.low, "-")} if platform == "ciscoasa" else {str(ports.low)}
                assert any(re.search(rf"(?<![\d.]){re.escape(w)}(?!\d)", text) for w in written), f"{platform}: rule {rule.number} port {ports.low}"
        if platform in ("nftables", "iptables", "ciscoasa", "junipersrx", "paloaltofw"):
            for rule in rules:
                assert re.search(rf"rule-{rule.number}(?!\d)", text), f"{platform}: rule-{rule.number}"


def test_the_same_data_gives_the_same_configuration(shipped):
    first = render(policy(shipped, rule_set(shipped, "external-firewall")), "junipersrx")
    assert first == render(policy(lyncposter.load(DATA), rule_set(lyncposter.load(DATA), "external-firewall")), "junipersrx")


def test_a_platform_needs_one_firewall(capsys):
    assert main(["firewall", "--data", str(DATA), "--format", "nftables"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--firewall" in err and "external-firewall" in err


def test_aerleon_policy_files_generate_the_same_configuration_through_aclgen(tmp_path, capsys, shipped):
    out = tmp_path / "aerleon"
    assert main(["firewall", "--data", str(DATA), "--format", "aerleon", "--out", str(out)]) == 0
    written = capsys.readouterr().out.split()
    assert {Path(p).relative_to(out).as_posix() for p in written} == {
        "policies/pol/external-firewall.yaml",
        "policies/pol/internal-firewall.yaml",
        "def/networks.yaml",
        "def/services.yaml",
    }
    aclgen = shutil.which("aclgen") or str(Path(__import__("sys").executable).with_name("aclgen"))
    generated = tmp_path / "generated"
    done = subprocess.run(
        [aclgen, "--base_directory", str(out / "policies"), "--definitions_directory", str(out / "def"), "--output_directory", str(generated)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for firewall in ("external-firewall", "internal-firewall"):
        direct = render(policy(shipped, rule_set(shipped, firewall)), "nftables")
        from_files = (generated / f"{firewall}.nft").read_text()
        assert from_files.strip() in direct  # the same ruleset; the direct one also carries the header as # lines
        assert (generated / f"{firewall}.ipt").is_file() and (generated / f"{firewall}.asa").is_file()


# --- the platforms' own tools accept them -------------------------------------------------------------


@needs_bed
@pytest.mark.parametrize("firewall", ["external-firewall", "internal-firewall"])
def test_nft_and_iptables_restore_accept_the_configurations(shipped, firewall):
    with netbed.Bed([], []) as bed:
        nft = bed.run("firewall", "nft", "-c", "-f", "-", stdin=render(policy(shipped, rule_set(shipped, firewall)), "nftables"))
        assert nft.returncode == 0, nft.stderr
        ipt = bed.run("firewall", "iptables-restore", "--test", stdin=render(policy(shipped, rule_set(shipped, firewall)), "iptables"))
        assert ipt.returncode == 0, ipt.stderr


# --- real packets through a real firewall ---------------------------------------------------------------


@needs_bed
@pytest.mark.parametrize("platform", ["nftables", "iptables"])
@pytest.mark.parametrize("firewall", ["external-firewall", "internal-firewall"])
def test_the_loaded_ruleset_lets_every_rule_through_and_nothing_else(shipped, firewall, platform):
    prove(shipped, firewall, platform)


@needs_bed
def test_the_example_dataset_passes_its_own_firewall_test():
    data = lyncposter.load(EXAMPLE)
    assert data.addresses is not None and not data.addresses.placeholder  # the example brings its own plan
    for firewall in data.catalog.firewalls:
        prove(data, firewall.id, "nftables")
    prove(data, data.catalog.firewalls[-1].id, "iptables")


# --- verify firewall: the ruleset as the kernel lists it ---------------------------------------------


def listed(shipped: Dataset, firewall: str, edit=lambda text: text, platform: str = "nftables") -> str:
    """Load the (edited) configuration and list the ruleset as the kernel has it."""
    with netbed.Bed([], []) as bed:
        loaded = bed.load(LOADERS[platform], edit(render(policy(shipped, rule_set(shipped, firewall)), platform)))
        assert loaded.returncode == 0, loaded.stderr
        done = bed.run("firewall", *(["nft", "-j", "list", "ruleset"] if platform == "nftables" else ["iptables-save"]))
        assert done.returncode == 0, done.stderr
        return done.stdout


@needs_bed
@pytest.mark.parametrize("platform", ["nftables", "iptables"])
def test_verify_finds_nothing_wrong_with_the_loaded_ruleset(shipped, tmp_path, platform, capsys):
    for firewall in ("external-firewall", "internal-firewall"):
        path = tmp_path / f"{firewall}.{platform}"
        path.write_text(listed(shipped, firewall, platform=platform))
        assert verify_firewall(shipped, path, firewall) == []
    assert main(["verify", "firewall", str(path), "--firewall", "internal-firewall", "--data", str(DATA)]) == 0
    assert capsys.readouterr().err.strip() == "0 error(s), 0 warning(s)"


@needs_bed
def test_verify_names_the_one_rule_whose_accept_is_missing(shipped, tmp_path, capsys):
    rules = rule_set(shipped, "internal-firewall").rules
    (target,) = [r for r in rules if r.label == "PSOM/MTLS:8057"]
    assert not target.either  # one way only: missing, not the other way

    def without(text: str) -> str:
        return re.sub(rf"(chain rule-{target.number} {{.*?\n)\s+ip saddr[^\n]*accept\n", r"\1", text, flags=re.S)

    path = tmp_path / "ruleset.json"
    path.write_text(listed(shipped, "internal-firewall", without))
    findings = verify_firewall(shipped, path, "internal-firewall")
    assert [f.rule for f in findings] == ["FW-MISSING"]
    assert f"rule {target.number} " in findings[0].message and "8057" in findings[0].message
    assert main(["verify", "firewall", str(path), "--firewall", "internal-firewall", "--data", str(DATA)]) == 1
    assert "FW-MISSING" in capsys.readouterr().out


@needs_bed
def test_verify_calls_an_accept_of_any_port_broad_and_a_reversed_rule_the_wrong_way(shipped, tmp_path):
    plan = addressed_rules(rule_set(shipped, "internal-firewall"), placeholder_plan(shipped.catalog))
    (psom,) = [r for r in plan if r.rule.label == "PSOM/MTLS:8057"]
    dest = psom.destination.networks[0].split("/")[0]

    def any_port(text: str) -> str:
        return text.replace("jump rule-1\n", f"ip daddr {dest} meta l4proto tcp ct state new accept\n        jump rule-1\n", 1)

    path = tmp_path / "broad.json"
    path.write_text(listed(shipped, "internal-firewall", any_port))
    findings = verify_firewall(shipped, path, "internal-firewall")
    assert [f.rule for f in findings] == ["FW-BROAD"]
    assert "any TCP port" in findings[0].message and f"rule {psom.number}" in findings[0].message

    src = psom.source.networks[0].split("/")[0]

    def reversed_rule(text: str) -> str:
        return text.replace(f"ip saddr {src}/32 ip daddr {dest}/32 tcp dport 8057", f"ip saddr {dest}/32 ip daddr {src}/32 tcp dport 8057")

    path = tmp_path / "reversed.json"
    path.write_text(listed(shipped, "internal-firewall", reversed_rule))
    rules = sorted(f.rule for f in verify_firewall(shipped, path, "internal-firewall"))
    assert rules == ["FW-DIRECTION", "FW-EXTRA"]  # the wrong way round is also an accept no rule needs


def test_verify_reads_iptables_save_and_says_what_it_cannot_read(shipped, tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_text("hello\n")
    with pytest.raises(lyncposter.UsageError, match="garbage.txt: no filter table"):
        verify_firewall(shipped, path, "internal-firewall")
    path.write_text("*filter\n:FORWARD DROP [0:0]\nCOMMIT\n")
    findings = verify_firewall(shipped, path, "internal-firewall")
    assert [f.rule for f in findings] == ["FW-MISSING"] * len(rule_set(shipped, "internal-firewall").rules)
    path.write_text("*filter\n:FORWARD ACCEPT [0:0]\nCOMMIT\n")
    assert [f.rule for f in verify_firewall(shipped, path, "internal-firewall")] == ["FW-BROAD"]  # everything passes


# --- the addressing plan -------------------------------------------------------------------------------


def test_addresses_file_overrides_and_typos_are_located(shipped, tmp_path, capsys):
    plan = tmp_path / "addresses.yaml"
    plan.write_text("zones:\n  internal: 10.20.0.0/16\n  perimeter: 172.16.0.0/24\nroles:\n  front-end: 10.20.1.10\n  access-edge: {outer: 203.0.113.50, inner: 172.16.0.5}\n")
    assert main(["firewall", "--data", str(DATA), "--format", "json", "--firewall", "internal-firewall", "--addresses", str(plan)]) == 0
    rows = {(r["source"], r["destination"], r["ports"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("front-end", "access-edge", "5061")]["source_address"] == "10.20.1.10/32"
    assert rows[("front-end", "access-edge", "5061")]["destination_address"] == "172.16.0.5/32"
    assert rows[("director", "access-edge", "5061")]["source_address"] == "10.20.0.0/16"  # no address of its own: its zone's
    # a role whose zone has no prefixes either: one line saying what to add
    plan.write_text("roles:\n  front-end: 10.20.1.10\n")
    assert main(["firewall", "--data", str(DATA), "--format", "nftables", "--firewall", "internal-firewall", "--addresses", str(plan)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "has no address" in err
    cases = [
        ("roles:\n  front-end: 10.20.1.300\n", 2, 14, "'10.20.1.300' is not an IPv4 or IPv6 address or prefix"),
        ("roles:\n  front-end: 10.20.1.10/24\n", 2, 14, "has host bits set; write 10.20.1.10 for the address, or 10.20.1.0/24 for the prefix"),
        ("roles:\n  frontend: 10.20.1.10\n", 2, 3, "unknown role 'frontend' (did you mean 'front-end'?)"),
        ("roles:\n  front-end: {outer: 10.20.1.10}\n", 2, 15, "role 'front-end' has no outer interface"),
        ("zones:\n  internal: [any, 10.0.0.0/8]\n", 2, 14, "'any' stands alone"),
        ("roles:\n  front-end: {outside: 10.20.1.10}\n", 2, 14, "an address, a prefix, a list of them or any"),
    ]
    for text, line, column, message in cases:
        plan.write_text(text)
        assert main(["firewall", "--data", str(DATA), "--format", "json", "--addresses", str(plan)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith(f"{plan}:{line}:{column}: ") or err.startswith(f"{Path(plan).name}:") or f":{line}:{column}: " in err, err
        assert message in err, err


def test_check_reads_the_data_directorys_addresses_yaml(data_copy, capsys):
    data_copy.path("addresses.yaml").write_text("zones:\n  perimiter: 172.16.0.0/24\n")
    assert main(["check", "--data", str(data_copy.root)]) == 1
    out = capsys.readouterr().out
    assert "workloads/addresses.yaml:2:3: error [REF] unknown zone 'perimiter' (did you mean 'perimeter'?)" in out
