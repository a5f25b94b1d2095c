"""The whole poster as one self-contained, zoomable HTML page.

Panels are the same SVG the PDF is made from, inlined; the sections are HTML
built from the same data. CSS, JavaScript and the flow index are inlined too,
so the page makes no request and works from file://.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources
from dataclasses import dataclass
from typing import Any

from .. import theme
from .._version import __version__
from ..layout import connections
from ..firewall import firewall_rules
from .ports import COLUMNS as PORT_COLUMNS
from .ports import port_rows
from ..legend import legend as legend_content
from ..layout.dot import node_id
from ..model import Dataset, Flow
from ..poster.packing import pack
from ..naming import poster_filename
from ..icons import ICONS
from ..paint.svg import fragment
from ..render import Panel, stretch_panel

PANELS_WIDTH = 2700.0
PANELS_HEIGHT = 1900.0
GAP = 30.0
SIDE_WIDTH = 680.0
TABLES_HEIGHT_GUESS = 900.0
DIRECTION = {"from": "the source (arrow points away from it)", "both": "either side"}


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("viewer", name).read_text("utf-8")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _prefix_ids(svg: str, workload_id: str) -> str:
    """Node, zone and firewall ids repeat from panel to panel: qualify them by workload.

    Connection ids (`flow-<workload>-...`) and their labels are unique already and keep theirs."""

    def qualify(match: re.Match[str]) -> str:
        value = match.group(2)
        if value.startswith(("flow-", "label-flow-")):
            return match.group(0)
        return f'{match.group(1)}="{workload_id}--{value}"'

    return re.sub(r'\b(id)="([^"]*)"', qualify, svg)


def _inline_svg(panel: Panel) -> str:
    """The panel's SVG filling its box (the box, not the SVG, says where and how large)."""
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", panel.svg)
    svg = _prefix_ids(svg, panel.workload_id)
    svg = re.sub(r'width="[^"]*pt"', 'width="100%"', svg, count=1)
    return re.sub(r'height="[^"]*pt"', 'height="100%"', svg, count=1)


_PAINTED: dict[tuple[str, str, float, float], str] = {}  # a panel's inline SVG per box, for `watch`'s next rebuild
PAINTED_KEPT = 64


def _stretched_svg(panel: Panel, width: float, height: float) -> str:
    """The panel stretched to its box and painted; a long-running `watch` paints a panel whose
    layout and box did not change only once (a panel laid out by Graphviz is known by its DOT)."""
    key = (panel.workload_id, panel.dot, round(width, 2), round(height, 2))
    if not panel.dot or key not in _PAINTED:
        svg = _inline_svg(stretch_panel(panel, width, height))
        if not panel.dot:
            return svg
        if len(_PAINTED) >= PAINTED_KEPT:
            _PAINTED.pop(next(iter(_PAINTED)))
        _PAINTED[key] = svg
    return _PAINTED[key]


def _flow_record(flow: Flow, title: str, data: Dataset, row: dict[str, object]) -> dict[str, Any]:
    return {
        "id": flow.id,
        "workload": title,
        "workload_id": flow.workload_id,
        "label": flow.label,
        "from": flow.source.label,
        "to": flow.target.label,
        "from_id": flow.source.id,
        "to_id": flow.target.id,
        "protocol": flow.protocol.label,
        "protocol_name": flow.protocol.name,
        "transport": flow.transport,
        "ports": flow.ports_text,
        "ranges": [[p.low, p.high] for p in flow.ports],
        "initiator": flow.initiator,
        "direction": DIRECTION[flow.initiator],
        "description": flow.description,
        "note": flow.note,
        "sources": [{"id": s.id, "title": s.title, "url": s.url} for s in data.cited(flow.sources)],
        "unsure": flow.unsure,
        "firewalls": [f.label for f in data.catalog.firewalls_between(flow.source.zone, flow.target.zone)],
        # the flow's row of `lyncposter ports`, column for column: the page's CSV is that CSV
        "row": [str(row[c]) for c in PORT_COLUMNS],
    }


def _index(data: Dataset) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any], dict[str, str]]:
    """Every flow in the poster's order; connections (their flows by index) and roles by element id;
    and the connection that draws each flow."""
    flows: list[dict[str, Any]] = []
    conns: dict[str, Any] = {}
    roles: dict[str, Any] = {}
    drawn_by: dict[str, str] = {}
    rows = port_rows(data.flows)
    position = {f.id: i for i, f in enumerate(data.flows)}
    for workload in data.workloads:
        for role in workload.roles:
            roles[f"{workload.id}--{node_id(role.id)}"] = {"id": role.id, "label": role.label}
        for connection in connections(workload.flows):
            first = connection.first
            conns[connection.id] = {
                "source": f"{workload.id}--{node_id(first.source.id)}",
                "target": f"{workload.id}--{node_id(first.target.id)}",
                "flows": [position[f.id] for f in connection.flows],
            }
            drawn_by.update((f.id, connection.id) for f in connection.flows)
    for flow, row in zip(data.flows, rows):
        record = _flow_record(flow, next(w.title for w in data.workloads if w.id == flow.workload_id), data, row)
        record["conn"] = drawn_by[flow.id]
        flows.append(record)
    return flows, conns, roles, drawn_by


def _firewalls(data: Dataset, drawn_by: dict[str, str]) -> list[dict[str, Any]]:
    """Each firewall's numbered rules, as `lyncposter firewall` lists them, with the lines that draw their flows."""
    titles = {w.id: w.title for w in data.workloads}
    result = []
    for rule_set in firewall_rules(data):
        firewall = rule_set.firewall
        notes_of = rule_set.table_notes()
        result.append(
            {
                "id": firewall.id,
                "label": firewall.label,
                "outer": firewall.outer.label,
                "inner": firewall.inner.label,
                "rules": [
                    {
                        "number": rule.number,
                        "direction": rule.direction,
                        "from": rule.source.label,
                        "to": rule.destination.label,
                        "protocol": rule.protocol.label,
                        "port": f"{rule.transport} {rule.ports_text}",
                        "initiator": rule.initiator,
                        "workloads": [titles.get(w, w) for w in rule.workloads],
                        "notes": list(notes_of[rule.number]),
                        "unsure": list(rule.unsure),
                        "connections": list(dict.fromkeys(drawn_by[f.id] for f in rule.flows)),
                    }
                    for rule in rule_set.rules
                ],
            }
        )
    return result


def _firewall_options(firewalls: list[dict[str, Any]]) -> str:
    options = "".join(
        f'<option value="{_esc(f["id"])}">{_esc(f["label"])} ({len(f["rules"])} rule{"" if len(f["rules"]) == 1 else "s"})</option>'
        for f in firewalls
    )
    return '<option value="">Firewall rules\u2026</option>' + options


def _legend(data: Dataset) -> str:
    rows = []
    content = legend_content(data)
    for entry in content.families:
        family = entry.family
        dash = theme.DASHES.get(family.style)
        dash_attr = f' stroke-dasharray="{",".join(str(d) for d in dash)}"' if dash else ""
        sample = (
            f'<svg width="64" height="12" aria-hidden="true"><line x1="0" y1="6" x2="56" y2="6" stroke="{family.colour}" '
            f'stroke-width="{family.width}"{dash_attr}/><polygon points="56,2 64,6 56,10" fill="{family.colour}"/></svg>'
        )
        rows.append(
            f'<div class="legend-row">{sample}<span><b>{_esc(family.label)}</b><br>{_esc(", ".join(entry.protocols))}</span></div>'
        )
    for key, text in theme.ARROW_LABELS.items():
        heads = '<polygon points="8,2 0,6 8,10" fill="#52606d"/>' if key == "both" else ""
        sample = (
            f'<svg width="64" height="12" aria-hidden="true"><line x1="4" y1="6" x2="56" y2="6" stroke="#52606d" stroke-width="1.4"/>'
            f'<polygon points="56,2 64,6 56,10" fill="#52606d"/>{heads}</svg>'
        )
        rows.append(f'<div class="legend-row">{sample}<span>{_esc(text)}</span></div>')
    rows.append(
        f'<div class="legend-row"><svg width="64" height="14" aria-hidden="true"><text x="26" y="12" font-weight="bold" '
        f'fill="{theme.UNSURE_COLOUR}">{theme.UNSURE_MARK}</text></svg><span>Not confirmed by the sources at hand</span></div>'
    )
    for zone in content.zones:
        style = theme.zone_style(zone.order, len(data.catalog.zones))
        swatch = (
            f'<svg width="64" height="14" aria-hidden="true"><rect x="1" y="1" width="62" height="12" rx="3" '
            f'fill="{style.fill}" stroke="{style.border}"/></svg>'
        )
        rows.append(f'<div class="legend-row">{swatch}<span>{_esc(zone.label)}</span></div>')
    rows.append(
        f'<div class="legend-row"><svg width="64" height="14" aria-hidden="true"><rect x="25" y="0" width="14" height="14" '
        f'fill="{theme.FIREWALL_FILL}"/></svg><span>Firewall between two zones</span></div>'
    )
    for icon in content.icons:
        svg = f'<svg width="64" height="20" viewBox="-20 0 64 24" aria-hidden="true">{fragment(ICONS[icon])}</svg>'
        rows.append(f'<div class="legend-row">{svg}<span>{_esc(theme.ICON_LABELS[icon])}</span></div>')
    return "<h2>Legend</h2>" + "".join(rows)


def _unsure(reason: str) -> str:
    return f' <span class="unsure"><b>{theme.UNSURE_MARK}</b> {_esc(reason)}</span>' if reason else ""


def _notes(data: Dataset) -> str:
    parts = ["<h2>Notes</h2>"]
    for workload in data.workloads:
        if not workload.notes:
            continue
        parts.append(f"<h3>{_esc(workload.title)}</h3>")
        for note in workload.notes:
            text = f"<b>{_esc(note.title)}.</b> {_esc(note.text)}" if note.text else f"<b>{_esc(note.title)}</b>"
            parts.append(f"<p>{text}{_unsure(note.unsure)}</p>")
            if note.steps:
                parts.append("<ol>" + "".join(f"<li>{_esc(s)}</li>" for s in note.steps) + "</ol>")
    return "".join(parts)


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _certificates(data: Dataset) -> str:
    rows = [
        [
            f"<b>{_esc(c.role.label)}</b><br>{_esc(c.interface)}",
            _esc(c.subject),
            "<br>".join(_esc(s) for s in c.sans) or "(none)",
            _esc(c.ca.capitalize()),
            _esc(", ".join(e.capitalize() for e in c.eku)),
            _esc(c.notes) + (f' <span class="src">[{_esc(", ".join(c.sources))}]</span>' if c.sources else "") + _unsure(c.unsure),
        ]
        for c in data.certificates
    ]
    return "<h2>Certificates</h2>" + _table(["Role / interface", "Subject name", "Subject alternative names", "CA", "EKU", "Notes"], rows)


def _dns(data: Dataset) -> str:
    parts = ["<h2>DNS records</h2>"]
    for view, title in (("internal", "Internal DNS"), ("external", "External (public) DNS")):
        rows = [
            [_esc(r.type), _esc(r.name), _esc(r.target), _esc(str(r.port or "")), _esc(r.purpose) + _unsure(r.unsure)]
            for r in data.dns_records
            if r.view == view
        ]
        if rows:
            parts.append(f"<h3>{title}</h3>" + _table(["Type", "Name", "Points to", "Port", "Purpose"], rows))
    return "".join(parts)


def _resources(data: Dataset) -> str:
    items = "".join(f'<li><a href="{_esc(r.url)}">{_esc(r.title)}</a></li>' for r in data.poster.resources)
    cited = "".join(
        f'<li><b>{_esc(s.id)}</b> ' + (f'<a href="{_esc(s.url)}">{_esc(s.title)}</a>' if s.url else _esc(s.title)) + "</li>"
        for s in data.cited(data.citations)
    )
    home = _esc(data.poster.home_url)
    sources = f"<h3>Sources cited</h3><ul>{cited}</ul>" if cited else ""
    return f'<h2>Learn more</h2><ul>{items}</ul>{sources}<p>Home: <a href="{home}">{home}</a></p>'


LIVE = r"""
<div id="live-banner" role="alert" hidden></div>
<style>
#live-banner { position: fixed; left: 50%; transform: translateX(-50%); bottom: 16px; z-index: 20; max-width: min(900px, 94%);
  background: #fff4e5; color: #1f2933; border: 2px solid #a34500; border-radius: 8px; padding: 8px 12px; font-size: 13px;
  box-shadow: 0 4px 16px rgba(0,0,0,.25); white-space: pre-wrap; }
#live-banner[hidden] { display: none; }
</style>
<script>
// lyncposter watch: reload in place when the poster is rebuilt; say so when the data is broken
(function () {
  "use strict";
  const banner = document.getElementById("live-banner");
  const key = "lyncposter-view";
  const saved = sessionStorage.getItem(key);
  if (saved) { sessionStorage.removeItem(key); window.lyncposter.restore(JSON.parse(saved)); }
  let shown = BUILD;
  let fetching = false;
  function reload() {  // the fallback: the whole page again, with the view kept
    sessionStorage.setItem(key, JSON.stringify(window.lyncposter.viewState()));
    location.reload();
  }
  function follow(build) {
    if (fetching || build === shown) return;
    fetching = true;
    fetch("/update?from=" + shown, {cache: "no-store"})
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (patch) { window.lyncposter.update(patch); shown = patch.build; fetching = false; follow(latest); })
      .catch(reload);
  }
  let latest = BUILD;
  const source = new EventSource("/events");
  source.addEventListener("state", function (event) {
    const state = JSON.parse(event.data);
    latest = state.build;
    if (state.build !== shown && window.lyncposter.update) follow(state.build);
    else if (state.build !== shown) { reload(); return; }
    banner.hidden = !state.problems.length;
    banner.textContent = state.problems.length
      ? "The data has " + state.problems.length + " problem(s); the poster shows the last good build.\n" + state.problems.join("\n")
      : "";
  });
})();
</script>
"""


@dataclass(frozen=True)
class PageParts:
    """The page's changing parts: each panel's inline SVG, the sections, the data the script reads.

    `lyncposter watch` sends an open page the parts that changed, so a save redraws one panel
    in place instead of reloading the whole page."""

    panels: dict[str, str]  # workload id -> inline SVG, in the poster's order
    sections: str
    payload: dict[str, Any]
    firewall_options: str

    def update(self, since: PageParts | None, build: int) -> dict[str, Any]:
        """What a page showing `since` needs to show these parts (everything without `since`)."""
        old = since.panels if since is not None else {}
        return {
            "build": build,
            "order": list(self.panels),
            "panels": {i: svg for i, svg in self.panels.items() if old.get(i) != svg},
            "sections": self.sections,
            "data": self.payload,
            "firewall_options": self.firewall_options,
        }


def page_parts(data: Dataset, panels: list[Panel]) -> PageParts:
    packing = pack([(p.width, p.height) for p in panels], 0, 0, PANELS_WIDTH, PANELS_HEIGHT, GAP)
    boxes: dict[str, dict[str, float]] = {}
    svgs: dict[str, str] = {}
    for place in sorted(packing.placements, key=lambda p: p.index):
        panel = panels[place.index]
        x, y = GAP + place.x, GAP + (PANELS_HEIGHT - place.y - place.height)
        boxes[panel.workload_id] = {"x": round(x, 1), "y": round(y, 1), "width": round(place.width, 1), "height": round(place.height, 1)}
        # the panel fills its box as on the PDF: drawing at the common scale, zones stretched
        svgs[panel.workload_id] = _stretched_svg(panel, place.width / packing.scale, place.height / packing.scale)
    tables_top = GAP * 2 + PANELS_HEIGHT
    half = (PANELS_WIDTH - GAP) / 2
    sections = (
        f'<div class="sections" style="left:{GAP}px;top:{tables_top}px;width:{half:.0f}px">{_certificates(data)}</div>'
        f'<div class="sections" style="left:{GAP * 2 + half:.0f}px;top:{tables_top}px;width:{half:.0f}px">{_dns(data)}</div>'
        f'<div class="sections" style="left:{GAP * 2 + PANELS_WIDTH:.0f}px;top:{GAP}px;width:{SIDE_WIDTH:.0f}px">'
        f"{_legend(data)}{_notes(data)}{_resources(data)}</div>"
    )
    flows, conns, roles, drawn_by = _index(data)
    firewalls = _firewalls(data, drawn_by)
    payload = {
        "flows": flows,
        "csv_name": poster_filename(data, ""),
        "firewalls": firewalls,
        "title": data.poster.title,
        "version": data.poster.version,
        "width": GAP * 3 + PANELS_WIDTH + SIDE_WIDTH,
        "height": tables_top + TABLES_HEIGHT_GUESS,
        "panels": boxes,
        "connections": conns,
        "roles": roles,
    }
    return PageParts(svgs, sections, payload, _firewall_options(firewalls))


def _panel_div(workload_id: str, box: dict[str, float], svg: str) -> str:
    return (
        f'<div class="panel" id="panel-{workload_id}" data-workload="{workload_id}" '
        f'style="left:{box["x"]:.1f}px;top:{box["y"]:.1f}px;width:{box["width"]:.1f}px;height:{box["height"]:.1f}px">{svg}</div>'
    )


def render_html(data: Dataset, panels: list[Panel], live_build: int | None = None, parts: PageParts | None = None) -> str:
    """The viewer page: same data, same version, same panels as the PDF.

    With `live_build` (lyncposter watch), the page follows the server's rebuilds."""
    parts = parts or page_parts(data, panels)
    payload = parts.payload
    values = {
        "generator": _esc(__version__),
        "title": _esc(data.poster.title),
        "version": _esc(data.poster.version),
        "css": _asset("viewer.css"),
        "js": _asset("viewer.js"),
        "width": f"{payload['width']:.0f}",
        "height": f"{payload['height']:.0f}",
        "panels": "\n".join(_panel_div(i, payload["panels"][i], svg) for i, svg in parts.panels.items()),
        "sections": parts.sections,
        "firewall_options": parts.firewall_options,
        "data": json.dumps(payload, ensure_ascii=False, sort_keys=True).replace("</", "<\\/"),
        "live": LIVE.replace("BUILD", str(live_build)) if live_build is not None else "",
    }
    page = _asset("template.html")
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], page)
