"""Flows → the lines a panel draws: flows alike share a line, numbered ones stand alone.

Plain values, no Graphviz: the DOT writer, the rule drawings and the exporters all group
flows the same way from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..model import Flow, connection_label


@dataclass(frozen=True)
class Connection:
    """Flows drawn as one line: same ends, protocol, transport and initiator."""

    flows: tuple[Flow, ...]
    numbered: bool = False  # labelled with the flow's index, e.g. a firewall rule's number

    @property
    def first(self) -> Flow:
        return self.flows[0]

    @property
    def id(self) -> str:
        return "flow-" + "-".join(f.id.replace(".", "-") for f in self.flows)

    @property
    def label(self) -> str:
        ports = tuple(sorted({p for f in self.flows for p in f.ports}))
        return connection_label(self.first.protocol, self.first.transport, ports)

    @property
    def unsure(self) -> bool:
        return any(f.unsure for f in self.flows)


def connections(flows: Iterable[Flow], numbered: bool = False) -> list[Connection]:
    """Flows as drawn: alike flows share a line, unless each is numbered on its own."""
    if numbered:
        # a numbered flow is a line of its own, but the two directions of one either-way opening
        # share a line with both arrowheads and both numbers
        pairs: dict[tuple[object, ...], list[Flow]] = {}
        for flow in flows:
            ends = tuple(sorted((flow.source.id, flow.target.id))) if flow.bidirectional else (flow.index,)
            pairs.setdefault((ends, flow.protocol.id, flow.transport, flow.ports), []).append(flow)
        return [Connection(tuple(group), numbered=True) for group in pairs.values()]
    grouped: dict[tuple[str, ...], list[Flow]] = {}
    for flow in flows:
        key = (flow.source.id, flow.target.id, flow.protocol.id, flow.transport, flow.initiator)
        grouped.setdefault(key, []).append(flow)
    return [Connection(tuple(group)) for group in grouped.values()]
