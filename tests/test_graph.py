"""The networkx view of a workload and the questions later features ask of it."""

from __future__ import annotations

from lyncposter.graph import Listener, isolated_parts, listening_ports, workload_graph, zone_crossings
from lyncposter.model import PortRange


def test_nodes_are_roles_and_edges_are_flows(dataset):
    workload = dataset.workload("im-presence")
    graph = workload_graph(workload)
    assert set(graph.nodes) == {r.id for r in workload.roles}
    assert graph.number_of_edges() == len(workload.flows)
    assert graph.nodes["access-edge"]["zone"] == "perimeter"
    edge = graph.edges["remote-client", "access-edge", "im-presence.7"]
    assert edge["flow"].label == "SIP/TLS:443"


def test_access_edge_listens_on_443_and_5061(dataset):
    graph = workload_graph(dataset.workload("im-presence"))
    listeners = listening_ports(graph, "access-edge")
    assert Listener("TCP", PortRange(443, 443), "sip-tls") in listeners
    assert Listener("TCP", PortRange(5061, 5061), "sip-federation") in listeners
    assert all(l.transport == "TCP" for l in listeners)


def test_both_ends_of_a_two_way_flow_listen(dataset):
    graph = workload_graph(dataset.workload("im-presence"))
    # federation is opened from either side: the partner listens on 5061 too
    assert Listener("TCP", PortRange(5061, 5061), "sip-federation") in listening_ports(graph, "federated-partner")
    # a one-way flow's source does not listen
    assert listening_ports(graph, "remote-client") == []


def test_crossings_name_the_firewalls_passed(dataset):
    crossings = {c.flow.id: [f.id for f in c.firewalls] for c in zone_crossings(workload_graph(dataset.workload("av-conferencing")), dataset.catalog)}
    remote_to_webconf = next(f for f in dataset.workload("av-conferencing").flows if f.source.id == "remote-attendee" and f.target.id == "webconf-edge")
    fe_to_webconf = next(f for f in dataset.workload("av-conferencing").flows if f.source.id == "front-end" and f.target.id == "webconf-edge")
    assert crossings[remote_to_webconf.id] == ["external-firewall"]
    assert crossings[fe_to_webconf.id] == ["internal-firewall"]
    internal = next(f for f in dataset.workload("av-conferencing").flows if f.target.id == "av-conferencing-server")
    assert internal.id not in crossings


def test_every_shipped_workload_is_connected(dataset):
    for workload in dataset.workloads:
        assert isolated_parts(workload) == [], workload.id


def test_isolated_parts_agree_with_networkx(dataset):
    """The checks find cut-off roles without networkx; its components say the same, on every
    shipped workload with each of its flows left out in turn."""
    import dataclasses

    import networkx as nx

    cut = 0
    for workload in dataset.workloads:
        for i in range(len(workload.flows)):
            case = dataclasses.replace(workload, flows=workload.flows[:i] + workload.flows[i + 1 :])
            expected = sorted(nx.weakly_connected_components(workload_graph(case)), key=lambda p: (-len(p), sorted(p)))[1:]
            assert isolated_parts(case) == expected, (case.id, i)
            cut += bool(expected)
    assert cut >= 5  # several of those leave a role cut off
