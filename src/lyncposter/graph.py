"""Model → networkx graphs, and the questions later steps ask of them.

A workload becomes a `MultiDiGraph`: one node per role (its attributes are the
role's fields), one edge per flow from the side that opens the connection,
keyed by the flow's id so parallel flows between two roles stay apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Catalog, Firewall, Flow, PortRange, Role, Workload

if TYPE_CHECKING:
    import networkx as nx


def workload_graph(workload: Workload) -> nx.MultiDiGraph:
    import networkx as nx  # loaded by the steps that walk a graph, not by every check

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
    import networkx as nx

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
    return listeners((data["flow"] for _, _, data in graph.edges(data=True)), role_id)


def listeners(flows: Iterable[Flow], role_id: str) -> list[Listener]:
    """`listening_ports` over flows, for the checks: the same answer without building a graph."""
    found: set[Listener] = set()
    for flow in flows:
        if flow.target.id == role_id or (flow.bidirectional and flow.source.id == role_id):
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


def isolated_parts(workload: Workload) -> list[set[str]]:
    """Groups of roles cut off from the largest connected part of the workload (its flows taken
    either way). Found with a union of parts rather than networkx, so the checks load no graph library."""
    parent = {role.id: role.id for role in workload.roles}

    def root(ident: str) -> str:
        while parent[ident] != ident:
            parent[ident] = parent[parent[ident]]
            ident = parent[ident]
        return ident

    for flow in workload.flows:
        parent.setdefault(flow.source.id, flow.source.id)
        parent.setdefault(flow.target.id, flow.target.id)
        parent[root(flow.source.id)] = root(flow.target.id)
    groups: dict[str, set[str]] = {}
    for ident in parent:
        groups.setdefault(root(ident), set()).add(ident)
    parts = sorted(groups.values(), key=lambda p: (-len(p), sorted(p)))
    return parts[1:]
