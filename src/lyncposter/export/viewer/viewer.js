// lyncposter HTML viewer: zoom, pan, search, flow details, deep links. No requests.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("poster-data").textContent);
  const viewport = document.getElementById("viewport");
  const canvas = document.getElementById("canvas");
  const search = document.getElementById("search");
  const matches = document.getElementById("matches");
  const details = document.getElementById("details");
  const view = { scale: 1, x: 0, y: 0 };
  const MIN = 0.05, MAX = 8;

  function apply() {
    canvas.style.transform = "translate(" + view.x + "px," + view.y + "px) scale(" + view.scale + ")";
    canvas.dataset.scale = view.scale.toFixed(4);
  }

  function zoomAt(factor, cx, cy) {
    const scale = Math.min(MAX, Math.max(MIN, view.scale * factor));
    const k = scale / view.scale;
    view.x = cx - (cx - view.x) * k;
    view.y = cy - (cy - view.y) * k;
    view.scale = scale;
    apply();
  }

  // the part of the window an open list leaves free: beside it on a wide screen, above it on a phone
  function freeArea() {
    const vw = viewport.clientWidth, vh = viewport.clientHeight;
    const top = viewport.getBoundingClientRect().top;
    for (const id of ["results", "rules"]) {
      const panel = document.getElementById(id);
      if (!panel || panel.hidden) continue;
      const box = panel.getBoundingClientRect();
      if (vw - box.right >= 320) return { left: box.right, top: 0, width: vw - box.right, height: vh };
      const above = box.top - top;
      if (above >= 200) return { left: 0, top: 0, width: vw, height: above };
    }
    return { left: 0, top: 0, width: vw, height: vh };
  }

  function fitBox(x, y, w, h, atTop) {
    const area = freeArea(), pad = 16;
    view.scale = Math.min(MAX, Math.max(MIN, Math.min((area.width - 2 * pad) / w, (area.height - 2 * pad) / h)));
    view.x = area.left + (area.width - w * view.scale) / 2 - x * view.scale;
    view.y = area.top + (atTop ? pad : (area.height - h * view.scale) / 2) - y * view.scale;
    apply();
  }

  const narrow = window.matchMedia("(max-width: 599px)");
  function fitAll() {
    if (narrow.matches) {  // a phone: one panel across, where the text reads
      const first = Object.values(data.panels).sort(function (a, b) { return a.y - b.y || a.x - b.x; })[0];
      if (first) { fitBox(first.x, first.y, first.width, first.height, true); return; }
    }
    fitBox(0, 0, data.width, data.height);
  }

  // the viewport starts below the toolbar, whose height wraps with the window's width
  const toolbar = document.getElementById("toolbar");
  function layout() { viewport.style.top = toolbar.offsetHeight + "px"; }
  window.addEventListener("resize", layout);

  // printing: the list, and the panel that is most in view
  window.addEventListener("beforeprint", function () {
    let best = null, bestArea = 0;
    const frame = viewport.getBoundingClientRect();
    canvas.querySelectorAll(":scope > .panel").forEach(function (panel) {
      const box = panel.getBoundingClientRect();
      const w = Math.min(box.right, frame.right) - Math.max(box.left, frame.left);
      const h = Math.min(box.bottom, frame.bottom) - Math.max(box.top, frame.top);
      const area = Math.max(0, w) * Math.max(0, h);
      panel.classList.remove("print-target");
      if (area > bestArea) { best = panel; bestArea = area; }
    });
    if (best) best.classList.add("print-target");
  });

  function centre() { return [viewport.clientWidth / 2, viewport.clientHeight / 2]; }

  // --- wheel, buttons, keys -------------------------------------------------------------
  viewport.addEventListener("wheel", function (event) {
    event.preventDefault();
    const box = viewport.getBoundingClientRect();
    zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  document.getElementById("zoom-in").addEventListener("click", function () { zoomAt(1.4, ...centre()); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomAt(1 / 1.4, ...centre()); });
  document.getElementById("zoom-fit").addEventListener("click", fitAll);
  document.addEventListener("keydown", function (event) {
    if (event.target === search) { if (event.key === "Escape") { search.value = ""; runSearch(""); } return; }
    if (event.target.closest && event.target.closest("#results-list, #rules, select")) {
      if (event.key !== "Escape") return;  // controls and lists keep their own keys
    }
    const step = 80;
    const keys = {
      "+": function () { zoomAt(1.25, ...centre()); }, "=": function () { zoomAt(1.25, ...centre()); },
      "-": function () { zoomAt(0.8, ...centre()); }, "0": fitAll,
      "ArrowLeft": function () { view.x += step; apply(); }, "ArrowRight": function () { view.x -= step; apply(); },
      "ArrowUp": function () { view.y += step; apply(); }, "ArrowDown": function () { view.y -= step; apply(); },
      "/": function () { search.focus(); }, "Escape": function () { details.hidden = true; closeFirewall(); if (search.value) { search.value = ""; runSearch(""); } },
    };
    if (keys[event.key]) { event.preventDefault(); keys[event.key](); }
  });

  // --- drag to pan, pinch to zoom -----------------------------------------------------
  const pointers = new Map();
  let pinch = null, moved = false;
  viewport.addEventListener("pointerdown", function (event) {
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    moved = false;
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = { distance: Math.hypot(a[0] - b[0], a[1] - b[1]) };
    }
  });
  viewport.addEventListener("pointermove", function (event) {
    const last = pointers.get(event.pointerId);
    if (!last) return;
    const dx = event.clientX - last[0], dy = event.clientY - last[1];
    pointers.set(event.pointerId, [event.clientX, event.clientY]);
    if (Math.abs(dx) + Math.abs(dy) > 2) { moved = true; viewport.classList.add("dragging"); }
    if (pointers.size === 2 && pinch) {
      const [a, b] = [...pointers.values()];
      const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
      const box = viewport.getBoundingClientRect();
      zoomAt(distance / pinch.distance, (a[0] + b[0]) / 2 - box.left, (a[1] + b[1]) / 2 - box.top);
      pinch.distance = distance;
    } else if (pointers.size === 1) {
      view.x += dx; view.y += dy; apply();
    }
  });
  function release(event) {
    pointers.delete(event.pointerId);
    if (pointers.size < 2) pinch = null;
    if (!pointers.size) viewport.classList.remove("dragging");
  }
  viewport.addEventListener("pointerup", release);
  viewport.addEventListener("pointercancel", release);

  // --- search -------------------------------------------------------------------------
  function flowMatches(flow, q) {
    if (/^\d+$/.test(q)) {
      const port = Number(q);
      return flow.ranges.some(function (r) { return r[0] <= port && port <= r[1]; });
    }
    return [flow.protocol, flow.protocol_name, flow.from, flow.to, flow.from_id, flow.to_id, flow.transport, flow.workload, flow.workload_id]
      .some(function (text) { return text.toLowerCase().includes(q); });
  }

  function clearMatches() {
    canvas.querySelectorAll(".match, .active").forEach(function (el) { el.classList.remove("match", "active"); });
  }

  // a connection's line, its label and its two roles stand out; the rest is dimmed
  function markConnection(id) {
    const connection = data.connections[id];
    if (!connection) return;
    [id, "label-" + id, connection.source, connection.target].forEach(function (elementId) {
      const el = document.getElementById(elementId);
      if (el) el.classList.add("match");
    });
  }

  function runSearch(query) {
    const q = query.trim().toLowerCase();
    clearMatches();
    if (q) closeFirewall();
    if (!q) { canvas.classList.remove("searching"); matches.textContent = ""; closeResults(); return 0; }
    canvas.classList.add("searching");
    const found = data.flows.filter(function (f) { return flowMatches(f, q); });
    found.forEach(function (f) { markConnection(f.conn); });
    Object.entries(data.roles).forEach(function ([nodeId, role]) {
      if (role.label.toLowerCase().includes(q) || role.id.includes(q)) {
        const el = document.getElementById(nodeId);
        if (el) el.classList.add("match");
      }
    });
    matches.textContent = found.length + (found.length === 1 ? " flow" : " flows");
    showResults(found, query.trim());
    return found.length;
  }
  search.addEventListener("input", function () { runSearch(search.value); });

  // --- the results list: what a search found, to read, sort, copy and download ---------------
  const results = document.getElementById("results");
  const resultsList = document.getElementById("results-list");
  const resultsSort = document.getElementById("results-sort");
  const resultsStatus = document.getElementById("results-status");
  const listed = { flows: [], query: "", active: -1 };
  const SORTS = {
    poster: function () { return 0; },
    port: function (a, b) { return a.ranges[0][0] - b.ranges[0][0] || a.ranges[0][1] - b.ranges[0][1]; },
    workload: function (a, b) { return a.workload.localeCompare(b.workload); },
    role: function (a, b) { return a.from.localeCompare(b.from) || a.to.localeCompare(b.to); },
  };

  function opener(f) { return f.initiator === "both" ? "either side" : f.from; }

  function showResults(found, query) {
    listed.query = query;
    listed.flows = found.slice().sort(SORTS[resultsSort.value]);  // stable: ties keep the poster's order
    listed.active = -1;
    document.getElementById("results-title").textContent = found.length + (found.length === 1 ? " flow" : " flows") + " matching \u201c" + query + "\u201d";
    resultsList.innerHTML = listed.flows.map(function (f, i) {
      const crosses = f.firewalls.length ? "crosses " + f.firewalls.join(", ") : "crosses no firewall";
      return '<li role="option" id="result-' + i + '" aria-selected="false" data-index="' + i + '">' +
        '<span class="what">' + escape(f.workload) + '</span><span class="label">' + escape(f.label) + "</span>" +
        '<span class="ends">' + escape(f.from) + " \u2192 " + escape(f.to) + "</span>" +
        '<span class="meta">opened by ' + escape(opener(f)) + "; " + escape(crosses) + "</span></li>";
    }).join("");
    resultsStatus.textContent = "";
    results.hidden = false;
    layout();
  }

  function closeResults() {
    results.hidden = true;
    resultsList.innerHTML = "";
    listed.flows = [];
    layout();
  }

  // the flow's own line, brought into view beside the list, and its details
  function activate(i) {
    if (i < 0 || i >= listed.flows.length) return;
    listed.active = i;
    resultsList.querySelectorAll("li").forEach(function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
    const li = document.getElementById("result-" + i);
    resultsList.setAttribute("aria-activedescendant", li.id);
    li.scrollIntoView({ block: "nearest" });
    const flow = listed.flows[i];
    canvas.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
    const line = document.getElementById(flow.conn);
    if (line) {
      line.classList.add("active");
      zoomTo(line);
    }
    showDetails(flow.conn);
  }

  function zoomTo(element) {
    const box = element.getBoundingClientRect(), origin = canvas.getBoundingClientRect();
    const x = (box.left - origin.left) / view.scale, y = (box.top - origin.top) / view.scale;
    const w = box.width / view.scale, h = box.height / view.scale;
    const minW = 500, minH = 320;  // enough around the line to see its ends
    fitBox(x + w / 2 - Math.max(w, minW) / 2, y + h / 2 - Math.max(h, minH) / 2, Math.max(w, minW), Math.max(h, minH));
  }

  resultsList.addEventListener("click", function (event) {
    const li = event.target.closest("li");
    if (li) { activate(Number(li.dataset.index)); resultsList.focus(); }
  });
  resultsList.addEventListener("keydown", function (event) {
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      event.preventDefault();
      event.stopPropagation();
      activate(Math.min(listed.flows.length - 1, Math.max(0, listed.active + moves[event.key])));
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      event.stopPropagation();
      activate(event.key === "Home" ? 0 : listed.flows.length - 1);
    }
  });
  resultsSort.addEventListener("change", function () { showResults(listed.flows, listed.query); });
  document.getElementById("results-close").addEventListener("click", function () {
    search.value = "";
    runSearch("");
  });

  // the same columns, quoting and line ends as `lyncposter ports`
  const CSV_HEADER = ["workload", "source", "source_label", "destination", "destination_label", "protocol", "transport", "ports", "direction", "description"];
  function csvField(text) { return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text; }
  function csvText() {
    return [CSV_HEADER].concat(listed.flows.map(function (f) { return f.row; }))
      .map(function (row) { return row.map(csvField).join(","); }).join("\n") + "\n";
  }
  function tsvText() {
    return listed.flows.map(function (f) {
      return [f.workload, f.from, f.to, f.label, opener(f), f.firewalls.join("; ") || "none"].map(function (t) { return t.replace(/[\t\n]/g, " "); }).join("\t");
    }).join("\n") + "\n";
  }
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext !== false) {
      return navigator.clipboard.writeText(text).catch(function () { return copyByCommand(text); });
    }
    return Promise.resolve(copyByCommand(text));
  }
  function copyByCommand(text) {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  document.getElementById("results-copy").addEventListener("click", function () {
    copyText(tsvText()).then(function () { resultsStatus.textContent = "Copied " + listed.flows.length + " rows"; });
  });
  document.getElementById("results-csv").addEventListener("click", function () {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([csvText()], { type: "text/csv;charset=utf-8" }));
    link.download = data.csv_name + "-" + (listed.query.replace(/[^A-Za-z0-9.-]+/g, "-") || "flows") + ".csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    resultsStatus.textContent = "Downloaded " + listed.flows.length + " rows";
  });

  // --- details of a flow ---------------------------------------------------------------
  function escape(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }
  function showDetails(id) {
    const connection = data.connections[id];
    if (!connection) return;
    details.innerHTML = '<button class="close" aria-label="Close the details" id="details-close">&times;</button>' + connection.flows.map(function (i) {
      const f = data.flows[i];
      const rows = [
        ["Workload", f.workload], ["From", f.from], ["To", f.to], ["Protocol", f.protocol + " (" + f.protocol_name + ")"],
        ["Transport", f.transport], ["Ports", f.ports], ["Opened by", f.direction], ["What for", f.description],
        ["Note", f.note], ["Unconfirmed", f.unsure],
      ].filter(function (row) { return row[1]; });
      // sources as links: the reader can open what a fact rests on
      const sources = f.sources.map(function (s) {
        const title = escape(s.id + ": " + s.title);
        return s.url ? '<a class="source" href="' + escape(s.url).replace(/"/g, "&quot;") + '" target="_blank" rel="noopener">' + title + "</a>" : title;
      }).join("<br>");
      return "<h2>" + escape(f.label) + "</h2><dl>" + rows.map(function (row) {
        return "<dt>" + escape(row[0]) + "</dt><dd" + (row[0] === "Unconfirmed" ? ' class="unsure"' : "") + ">" + escape(row[1]) + "</dd>";
      }).join("") + (sources ? "<dt>Sources</dt><dd>" + sources + "</dd>" : "") + "</dl>";
    }).join("<hr>");
    details.hidden = false;
    document.getElementById("details-close").addEventListener("click", function () { details.hidden = true; });
  }
  canvas.addEventListener("click", function (event) {
    if (moved) return;
    const group = event.target.closest("g.edge, g.flow-label");
    if (!group) return;
    showDetails(group.classList.contains("flow-label") ? group.id.replace(/^label-/, "") : group.id);
  });

  // --- a firewall's rules: the table, and their flows on the panels -----------------------------
  const firewallSelect = document.getElementById("firewall");
  const rulesPanel = document.getElementById("rules");

  function rulesText(n) { return n + (n === 1 ? " rule" : " rules"); }

  function highlightRules(rules) {
    clearMatches();
    canvas.classList.add("searching");
    rules.forEach(function (rule) { rule.connections.forEach(markConnection); });
  }

  function closeFirewall() {
    if (rulesPanel.hidden) return;
    rulesPanel.hidden = true;
    rulesPanel.innerHTML = "";
    firewallSelect.value = "";
    clearMatches();
    canvas.classList.remove("searching");
    matches.textContent = "";
  }

  function showFirewall(id) {
    const firewall = data.firewalls.find(function (f) { return f.id === id; });
    if (!firewall) return false;
    search.value = "";
    closeResults();
    firewallSelect.value = id;
    const rows = firewall.rules.map(function (rule) {
      const unsure = rule.unsure.map(function (u) { return ' <span class="unsure"><b>?</b> ' + escape(u) + "</span>"; }).join("");
      return '<tr data-rule="' + rule.number + '"><td><b>' + rule.number + "</b></td><td>" + escape(rule.direction) +
        "</td><td>" + escape(rule.from) + "</td><td>" + escape(rule.to) + "</td><td>" + escape(rule.protocol) +
        "</td><td class=\"port\">" + escape(rule.port) + "</td><td>" + escape(rule.workloads.join(", ")) +
        '</td><td class="notes">' + escape(rule.notes.join(" ")) + unsure + "</td></tr>";
    }).join("");
    rulesPanel.innerHTML = '<button class="close" aria-label="Close the rules" id="rules-close">&times;</button>' +
      "<h2>" + escape(firewall.label) + ": " + rulesText(firewall.rules.length) + "</h2>" +
      "<p>Between " + escape(firewall.outer) + " and " + escape(firewall.inner) + ". Inbound: opened from " +
      escape(firewall.outer) + "; outbound: opened from " + escape(firewall.inner) + ". Click a rule to show its flows.</p>" +
      "<table><thead><tr><th>#</th><th>Direction</th><th>From (opens)</th><th>To (listens)</th><th>Protocol</th>" +
      "<th>Port</th><th>Workloads</th><th>Notes</th></tr></thead><tbody>" + rows + "</tbody></table>";
    rulesPanel.hidden = false;
    highlightRules(firewall.rules);
    matches.textContent = rulesText(firewall.rules.length);
    document.getElementById("rules-close").addEventListener("click", function () {
      closeFirewall();
      history.replaceState(null, "", location.pathname + location.search);
    });
    rulesPanel.querySelectorAll("tbody tr").forEach(function (row) {
      row.addEventListener("click", function () {
        const selected = row.classList.toggle("selected");
        rulesPanel.querySelectorAll("tbody tr.selected").forEach(function (other) { if (other !== row) other.classList.remove("selected"); });
        const rule = firewall.rules.find(function (r) { return String(r.number) === row.dataset.rule; });
        highlightRules(selected ? [rule] : firewall.rules);
        matches.textContent = selected ? "rule " + rule.number : rulesText(firewall.rules.length);
        // bring the panel that draws the rule's first flow into view
        const first = selected && data.connections[rule.connections[0]];
        const box = first && data.panels[first.source.split("--")[0]];
        if (box) fitBox(box.x, box.y, box.width, box.height); else if (!selected) fitAll();
      });
    });
    return true;
  }

  firewallSelect.addEventListener("change", function () {
    if (firewallSelect.value) location.hash = "firewall=" + encodeURIComponent(firewallSelect.value);
    else { closeFirewall(); history.replaceState(null, "", location.pathname + location.search); }
  });

  // --- deep links: #workload=im-presence, #q=5061, #firewall=external-firewall, or together ----------
  function followHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    const q = params.get("q");
    if (q !== null) { search.value = q; runSearch(q); }
    const firewall = params.get("firewall");
    if (firewall !== null && q === null) showFirewall(firewall);
    else if (q === null) closeFirewall();
    const workload = params.get("workload");
    const box = workload && data.panels[workload];
    if (box) fitBox(box.x, box.y, box.width, box.height); else if (!q) fitAll();
  }
  // the sections are HTML: their height is known only once they are laid out
  function fitHeight() {
    let bottom = 0;
    canvas.querySelectorAll(":scope > .panel, :scope > .sections").forEach(function (el) {
      bottom = Math.max(bottom, el.offsetTop + el.offsetHeight);
    });
    data.height = bottom + 30;
    canvas.style.width = data.width + "px";
    canvas.style.height = data.height + "px";
  }
  fitHeight();

  // lyncposter watch: show a rebuilt poster in place; only the panels that changed are redrawn,
  // and zoom, pan, search and an open firewall stay as they were
  function update(patch) {
    const order = new Set(patch.order);
    canvas.querySelectorAll(":scope > .panel").forEach(function (el) { if (!order.has(el.dataset.workload)) el.remove(); });
    canvas.querySelectorAll(":scope > .sections").forEach(function (el) { el.remove(); });
    patch.order.forEach(function (id) {
      let el = document.getElementById("panel-" + id);
      if (!el) {
        el = document.createElement("div");
        el.className = "panel"; el.id = "panel-" + id; el.dataset.workload = id;
      }
      canvas.appendChild(el);  // in the poster's order
      if (id in patch.panels) el.innerHTML = patch.panels[id];
      const box = patch.data.panels[id];
      el.style.left = box.x + "px"; el.style.top = box.y + "px"; el.style.width = box.width + "px"; el.style.height = box.height + "px";
    });
    canvas.insertAdjacentHTML("beforeend", patch.sections);
    Object.keys(data).forEach(function (k) { delete data[k]; });
    Object.assign(data, patch.data);
    const chosen = firewallSelect.value;
    firewallSelect.innerHTML = patch.firewall_options;
    firewallSelect.value = chosen;
    document.getElementById("version").textContent = "v" + data.version;
    document.title = data.title + " v" + data.version;
    fitHeight();
    if (search.value) runSearch(search.value);
    else if (chosen) showFirewall(chosen);
    apply();
  }

  window.addEventListener("hashchange", followHash);
  // a view to come back to after the page reloads (lyncposter watch): zoom, pan and search
  function viewState() { return { scale: view.scale, x: view.x, y: view.y, q: search.value }; }
  function restore(state) {
    if (state.q) { search.value = state.q; runSearch(state.q); }
    view.scale = state.scale; view.x = state.x; view.y = state.y; apply();
  }
  window.lyncposter = { runSearch: runSearch, view: view, showDetails: showDetails, showFirewall: showFirewall, csvText: csvText, tsvText: tsvText, viewState: viewState, restore: restore, update: update };
  layout();
  fitAll();
  followHash();
})();
