"""A firewall in network namespaces, for tests that send real packets.

Three namespaces: the firewall's outer side, the firewall itself (forwarding on, a ruleset
loaded) and its inner side, joined by two veth pairs. Every address a test needs lives on
its side's loopback; each side routes everything through the firewall, and the firewall
routes each address to its side. Names carry the process id, so parallel test workers
never meet. `unavailable()` says in one line why a machine cannot run it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

AGENT = Path(__file__).with_name("netbed_agent.py")
LINKS = {"outer": ("169.254.1.1", "169.254.1.2"), "inner": ("169.254.2.1", "169.254.2.2")}  # firewall end, side end
_serial = count()


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=False)


def unavailable(*commands: str) -> str | None:
    """Why the test bed cannot run here, in one line; None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for command in ("ip", *commands):
        if shutil.which(command) is None:
            return f"'{command}' is not installed"
    probe = f"lpprobe{os.getpid()}"
    made = _ip("netns", "add", probe)
    if made.returncode != 0:
        return f"cannot make a network namespace: {made.stderr.strip()}"
    _ip("netns", "del", probe)
    return None


@dataclass
class Bed:
    """One firewall between two sides. Use as a context manager; it removes its namespaces."""

    outer_addresses: Iterable[str]
    inner_addresses: Iterable[str]
    names: dict[str, str] = field(default_factory=dict)

    def __enter__(self) -> Bed:
        tag = f"lp{os.getpid()}x{next(_serial)}"
        self.names = {side: f"{tag}{side[0]}" for side in ("outer", "firewall", "inner")}
        try:
            self._build()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.names.values():
            _ip("netns", "del", name)

    def run(self, where: str, *command: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.names[where], *command], input=stdin, capture_output=True, text=True, check=False)

    def _must(self, *args: str) -> None:
        done = _ip(*args)
        if done.returncode != 0:
            raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")

    def _build(self) -> None:
        fw = self.names["firewall"]
        for name in self.names.values():
            self._must("netns", "add", name)
            self._must("-n", name, "link", "set", "lo", "up")
        for side, addresses in (("outer", self.outer_addresses), ("inner", self.inner_addresses)):
            ns = self.names[side]
            near, far = LINKS[side]
            self._must("-n", fw, "link", "add", f"fw{side[0]}", "type", "veth", "peer", "name", "eth0", "netns", ns)
            self._must("-n", fw, "addr", "add", f"{near}/30", "dev", f"fw{side[0]}")
            self._must("-n", fw, "link", "set", f"fw{side[0]}", "up")
            self._must("-n", ns, "addr", "add", f"{far}/30", "dev", "eth0")
            self._must("-n", ns, "link", "set", "eth0", "up")
            self._must("-n", ns, "route", "add", "default", "via", near)
            for address in dict.fromkeys(addresses):
                if ipaddress.ip_address(address).version != 4:
                    raise RuntimeError(f"{address}: the test bed routes IPv4 only")
                self._must("-n", ns, "addr", "add", f"{address}/32", "dev", "lo")
                self._must("-n", fw, "route", "add", f"{address}/32", "via", far)
        done = self.run("firewall", "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
        if done.returncode != 0:
            raise RuntimeError(f"cannot turn forwarding on: {done.stderr.strip()}")

    def load(self, command: list[str], ruleset: str) -> subprocess.CompletedProcess[str]:
        """Load a ruleset into the firewall namespace (`nft -f -`, `iptables-restore`)."""
        return self.run("firewall", *command, stdin=ruleset)

    def exchange(self, probes: list[dict[str, object]]) -> dict[str, str]:
        """Send every probe from the side its source is on, all at once; both sides listen on every
        port probed. Returns each probe's id → arrived, dropped or refused."""
        sides = {side: [p for p in probes if p["side"] == side] for side in ("outer", "inner")}
        ports = {
            "tcp": sorted({int(p["port"]) for p in probes if p["proto"] == "tcp"}),  # type: ignore[call-overload]
            "udp": sorted({int(p["port"]) for p in probes if p["proto"] == "udp"}),  # type: ignore[call-overload]
        }
        agents = {
            side: subprocess.Popen(
                ["ip", "netns", "exec", self.names[side], sys.executable, str(AGENT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for side in sides
        }
        results: dict[str, str] = {}
        try:
            for agent in agents.values():
                assert agent.stdin and agent.stdout
                agent.stdin.write(json.dumps(ports) + "\n")
                agent.stdin.flush()
            for side, agent in agents.items():
                assert agent.stdout
                line = agent.stdout.readline().strip()
                if line != "ready":
                    raise RuntimeError(f"the {side} agent did not start: {line} {agent.stderr.read() if agent.stderr else ''}")
            for side, agent in agents.items():
                assert agent.stdin
                agent.stdin.write(json.dumps([{k: v for k, v in p.items() if k != "side"} for p in sides[side]]) + "\n")
                agent.stdin.flush()
            for agent in agents.values():
                assert agent.stdout
                results.update(json.loads(agent.stdout.readline()))
        finally:
            for agent in agents.values():
                _stop(agent)
        return results


def _stop(process: subprocess.Popen[str]) -> None:
    """Close a helper's input (it exits when its input closes); kill it if it does not within 5 s."""
    if process.stdin:
        process.stdin.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


STANDINS = Path(__file__).with_name("standins.py")


@contextmanager
def namespace(addresses: Iterable[str]) -> Iterator[str]:
    """One namespace of its own with these addresses on its loopback: a private network to serve and probe in."""
    name = f"lp{os.getpid()}x{next(_serial)}s"
    try:
        for args in (("netns", "add", name), ("-n", name, "link", "set", "lo", "up")):
            done = _ip(*args)
            if done.returncode != 0:
                raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
        for address in addresses:
            done = _ip("-n", name, "addr", "add", f"{address}/32", "dev", "lo")
            if done.returncode != 0:
                raise RuntimeError(f"{address}: {done.stderr.strip()}")
        yield name
    finally:
        _ip("netns", "del", name)


@contextmanager
def standins(name: str, services: list[dict[str, object]]) -> Iterator[None]:
    """Run the stand-in servers (tests/standins.py) in namespace `name` while the block runs."""
    server = subprocess.Popen(
        ["ip", "netns", "exec", name, sys.executable, str(STANDINS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdin and server.stdout
        server.stdin.write(json.dumps(services) + "\n")
        server.stdin.flush()
        line = server.stdout.readline().strip()
        if line != "ready":
            raise RuntimeError(f"the stand-in servers did not start: {server.stderr.read() if server.stderr else ''}")
        yield
    finally:
        _stop(server)
