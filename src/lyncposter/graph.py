"""Model → networkx graphs, and the questions later steps ask of them.

A workload becomes a `MultiDiGraph`: one node per role (its attributes are the
role's fields), one edge per flow from the side that opens the connection,
keyed by the flow's id so parallel flows between two roles stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from .model import Catalog, Firewall, Flow, PortRange, Role, Workload


def workload_graph(workload: Workload) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(id=workload.id, title=workload.title)
    for role in workload.roles:
        graph.add_node(
            role.id,
            role=role,
            label=role.label,
            zone=role.zone.id,
            zone_order=role.zone.order,
            kind=role.kind,
            icon=role.icon,
            group=role.group.id if role.group else None,
        )
    for flow in workload.flows:
        graph.add_edge(
            flow.source.id,
            flow.target.id,
            key=flow.id,
            flow=flow,
            protocol=flow.protocol.id,
            family=flow.protocol.family,
            transport=flow.transport,
            ports=flow.ports,
            bidirectional=flow.bidirectional,
        )
    return graph


def dataset_graph(workloads: Iterable[Workload]) -> nx.MultiDiGraph:
    """All workloads in one graph: what the firewall and port views work from."""
    return nx.compose_all([workload_graph(w) for w in workloads])


@dataclass(frozen=True, order=True)
class Listener:
    """A port a role accepts connections on, and the protocol spoken there."""

    transport: str
    ports: PortRange
    protocol: str


def listening_ports(graph: nx.MultiDiGraph, role_id: str) -> list[Listener]:
    """Every (transport, ports, protocol) on which `role_id` accepts a connection.

    A role listens on the ports of the flows that reach it; for a flow either
    side may open, both ends listen.
    """
    found: set[Listener] = set()
    for source, target, data in graph.edges(data=True):
        flow: Flow = data["flow"]
        if target == role_id or (flow.bidirectional and source == role_id):
            for transport in ("TCP", "UDP"):
                if transport in flow.transport:
                    found.update(Listener(transport, p, flow.protocol.id) for p in flow.ports)
    return sorted(found)


@dataclass(frozen=True)
class Crossing:
    flow: Flow
    firewalls: tuple[Firewall, ...]  # outermost first


def zone_crossings(graph: nx.MultiDiGraph, catalog: Catalog) -> list[Crossing]:
    """The flows whose ends lie in different zones, with the firewalls each one passes."""
    result = []
    for source, target, data in graph.edges(data=True):
        a: Role = graph.nodes[source]["role"]
        b: Role = graph.nodes[target]["role"]
        if a.zone != b.zone:
            result.append(Crossing(data["flow"], catalog.firewalls_between(a.zone, b.zone)))
    return result


def isolated_parts(graph: nx.MultiDiGraph) -> list[set[str]]:
    """Groups of roles cut off from the largest connected part of the workload."""
    parts = sorted(nx.weakly_connected_components(graph), key=lambda p: (-len(p), sorted(p)))
    return parts[1:]
