"""Workload → DOT source.

Zones become clusters laid out left to right, outside in. A hidden node per
firewall sits on its own rank between two zones, joined by hidden edges to
every role on either side, so the zones keep their order whatever the flows
are; the render step later draws the firewall there. Every connection is
written from the outer zone to the inner one (with `dir=back` when the flow
really goes outward), so rank order follows the network, not the arrows.
"""

from __future__ import annotations

import html
import textwrap

import graphviz

from .. import theme
from ..model import Role, Workload, Zone
from .lines import Connection, connections

ANCHOR_WEIGHT = "50"
ICON_CELL = theme.ICON_SIZE + 4


def node_id(role_id: str) -> str:
    return f"role-{role_id}"


def zone_cluster_id(zone_id: str) -> str:
    return f"zone-{zone_id}"


def zone_anchor_id(zone_id: str) -> str:
    return f"anchor-{zone_id}"


def firewall_node_id(firewall_id: str) -> str:
    return f"firewall-{firewall_id}"


def _html_text(text: str, width: int) -> str:
    lines = textwrap.wrap(text, width) or [""]
    return '<BR ALIGN="LEFT"/>'.join(html.escape(line) for line in lines) + '<BR ALIGN="LEFT"/>'


def _node_label(role: Role) -> str:
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR>'
        f'<TD WIDTH="{ICON_CELL:g}" HEIGHT="{ICON_CELL:g}" FIXEDSIZE="TRUE"> </TD>'
        f'<TD ALIGN="LEFT" BALIGN="LEFT">{_html_text(role.label, theme.NODE_WRAP)}</TD>'
        "</TR></TABLE>>"
    )


def _edge_label(connection: Connection) -> str:
    text = html.escape(connection.label)
    if connection.numbered:
        text = f"#{'/'.join(str(f.index) for f in connection.flows)} {text}"  # one text run: spaces survive
    if connection.unsure:
        text += f' <FONT COLOR="{theme.UNSURE_COLOUR}"><B>{theme.UNSURE_MARK}</B></FONT>'
    return f"<{text}>"


def workload_dot(workload: Workload, spread: float = 1.0) -> str:
    """The DOT source of one workload panel. Same workload → same text.

    `spread` multiplies the space between the roles of a column: a panel given a taller box than
    it needs is laid out again with its roles spread over the height, not packed in the middle."""
    nodesep = 0.1 if workload.numbered else 0.32
    dot = graphviz.Digraph(
        name=workload.id,
        graph_attr={
            "rankdir": "LR",
            "newrank": "true",
            "splines": "true",
            # numbered rules stack their labels in one column: packed closer, with room to fan out
            "nodesep": f"{nodesep * spread:g}",
            "ranksep": "1.1" if workload.numbered else "0.55",
            "pad": "0.3",
            "bgcolor": theme.PAPER,
            "fontname": theme.FONT,
            "id": f"panel-{workload.id}",
        },
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fontname": theme.FONT,
            "fontsize": f"{theme.NODE_FONT_SIZE:g}",
            "fontcolor": theme.INK,
            "color": theme.ROLE_BORDER,
            "margin": "0.06,0.03",
            "penwidth": "1.2",
        },
        edge_attr={
            "fontname": theme.FONT,
            "fontsize": f"{theme.EDGE_FONT_SIZE:g}",
            "arrowsize": "0.7",
        },
    )
    # every zone from the outermost used to the innermost, so a connection that skips one
    # (External to Internal) still shows the zone and both firewalls it passes
    used = [role.zone.order for role in workload.roles]
    zones = [z for z in workload.catalog.zones if min(used) <= z.order <= max(used)] if used else []
    for zone in zones:
        style = theme.zone_style(zone.order, len(workload.catalog.zones))
        with dot.subgraph(name=f"cluster_{zone.id}") as cluster:
            cluster.attr(
                id=zone_cluster_id(zone.id),
                label=f"<<B>{html.escape(zone.label)}</B>>",
                labeljust="l",
                labelloc="t",
                style="filled,rounded",
                fillcolor=style.fill,
                color=style.border,
                fontsize=f"{theme.ZONE_FONT_SIZE:g}",
                fontcolor=theme.MUTED,
                margin="14",
            )
            # an invisible anchor per zone, chained through the firewalls, keeps the columns level
            cluster.node(zone_anchor_id(zone.id), label="", shape="point", style="invis", width="0.01")
            roles = [role for role in workload.roles if role.zone == zone]
            groups = sorted({r.group for r in roles if r.group}, key=lambda g: g.id)
            for group in groups:
                with cluster.subgraph(name=f"cluster_group_{group.id}") as box:
                    box.attr(
                        id=f"group-{group.id}",
                        label=html.escape(group.label),
                        style="filled,rounded,dashed",
                        fillcolor=theme.GROUP_FILL,
                        color=style.border,
                        fontsize=f"{theme.NODE_FONT_SIZE:g}",
                        fontcolor=theme.MUTED,
                        margin="10",
                    )
                    for role in roles:
                        if role.group == group:
                            _add_role(box, role)
            for role in roles:
                if not role.group:
                    _add_role(cluster, role)
            if zone.order < zones[-1].order:
                # outer zones form one column each, so lines into them need not detour
                with cluster.subgraph() as column:
                    column.attr(rank="same")
                    column.node(zone_anchor_id(zone.id))
                    for role in roles:
                        column.node(node_id(role.id))
            else:
                # the innermost zone may take several ranks, but none left of its anchor
                for role in roles:
                    cluster.edge(zone_anchor_id(zone.id), node_id(role.id), style="invis", weight="0", minlen="0")

    _add_firewalls(dot, workload, zones)
    for connection in connections(workload.flows, workload.numbered):
        _add_connection(dot, connection)
    return dot.source


def _add_role(dot: graphviz.Digraph, role: Role) -> None:
    dot.node(
        node_id(role.id),
        label=_node_label(role),
        id=node_id(role.id),
        tooltip=role.description or role.label,
        fillcolor=theme.ROLE_FILL.get(role.kind, theme.PAPER),
        **{"class": f"role icon-{role.icon}"},
    )


def _add_firewalls(dot: graphviz.Digraph, workload: Workload, zones: list[Zone]) -> None:
    """A hidden node per firewall between two present zones, chained to the zone anchors."""
    for outer, inner in zip(zones, zones[1:]):
        for firewall in workload.catalog.firewalls_between(outer, inner):
            fw = firewall_node_id(firewall.id)
            dot.node(fw, label="", shape="point", style="invis", width="0.01", id=fw)
            dot.edge(zone_anchor_id(outer.id), fw, style="invis", weight=ANCHOR_WEIGHT)
            dot.edge(fw, zone_anchor_id(inner.id), style="invis", weight=ANCHOR_WEIGHT)


def _add_connection(dot: graphviz.Digraph, connection: Connection) -> None:
    flow = connection.first
    family = theme.FAMILIES[flow.protocol.family]
    tail, head = flow.source, flow.target
    direction = "both" if flow.bidirectional else "forward"
    if tail.zone.order > head.zone.order:  # written outside-in so ranks follow the zones
        tail, head = head, tail
        direction = "both" if flow.bidirectional else "back"
    tooltip = "; ".join(f.description or f.label for f in connection.flows)
    dot.edge(
        node_id(tail.id),
        node_id(head.id),
        label=_edge_label(connection),
        id=connection.id,
        dir=direction,
        color=family.colour,
        fontcolor=family.colour,
        style=family.style,
        penwidth=f"{family.width:g}",
        tooltip=tooltip,
        **{"class": f"flow family-{family.id}"},
    )
