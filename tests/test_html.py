"""The HTML poster in a real browser: Playwright driving Debian's chromium, offline, from file://."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from lyncposter.export.html import render_html
from lyncposter.firewall import firewall_rules
from lyncposter.layout import connections
from lyncposter.render import render_panels

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def page_file(dataset, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "poster.html"
    path.write_text(render_html(dataset, render_panels(dataset.workloads)), "utf-8")
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser, page_file):
    """Open the poster (with an optional #fragment); fail on any console error or request."""
    opened = []

    def go(fragment: str = ""):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        requests: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri() + fragment)
        page.wait_for_function("document.getElementById('canvas').dataset.scale !== undefined")
        opened.append((page, errors, requests))
        return page

    yield go
    for page, errors, requests in opened:
        assert errors == []
        assert [r for r in requests if r.split("#")[0] != page_file.as_uri()] == []
        page.close()


def test_self_contained(page_file):
    text = page_file.read_text("utf-8")
    assert not re.search(r'<(script|link|img)[^>]+(src|href)=', text)
    assert "@import" not in text and "url(" not in text


def test_shows_the_version_and_the_whole_poster(open_page, dataset):
    page = open_page()
    assert page.inner_text("#version") == f"v{dataset.poster.version}"
    assert page.locator(".panel").count() == len(dataset.workloads)
    box = page.locator("#canvas").bounding_box()
    assert box["width"] <= 1400 and box["height"] <= 900 - 52 + 1  # fitted to the window


def test_search_highlights_matches_and_dims_the_rest(open_page, dataset):
    page = open_page()
    page.fill("#search", "5061")
    expected = sum(1 for f in dataset.flows if any(5061 in p for p in f.ports))
    assert page.inner_text("#matches") == f"{expected} flows"
    assert page.locator("#canvas.searching").count() == 1
    matched = page.locator("g.edge.match")
    assert matched.count() > 0
    for i in range(matched.count()):
        edge_id = matched.nth(i).get_attribute("id")
        label = page.locator(f"[id='label-{edge_id}']").text_content()
        ports = label.split(":")[-1].strip(" ?\n").split(",")
        ranges = [tuple(int(x) for x in (p.split("-") * 2)[:2]) for p in ports]
        assert any(low <= 5061 <= high for low, high in ranges), label  # a port, or a range that holds it
    other = page.locator("g.edge:not(.match)").first
    assert float(other.evaluate("e => getComputedStyle(e).opacity")) < 0.2
    assert float(matched.first.evaluate("e => getComputedStyle(e).opacity")) == 1
    page.fill("#search", "")
    assert page.locator("#canvas.searching").count() == 0


def test_search_by_role_name(open_page):
    page = open_page()
    page.fill("#search", "mediation")
    assert page.locator("g.node.match").count() > 0
    assert page.locator("g.edge.match").count() > 0


def test_zoom_with_buttons_wheel_and_keys(open_page):
    page = open_page()
    scale = lambda: float(page.eval_on_selector("#canvas", "c => c.dataset.scale"))  # noqa: E731
    start = scale()
    page.click("#zoom-in")
    assert scale() > start
    page.click("#zoom-out")
    assert scale() == pytest.approx(start, rel=1e-3)
    page.mouse.move(700, 450)
    page.mouse.wheel(0, -400)
    assert scale() > start
    page.keyboard.press("0")
    assert scale() == pytest.approx(start, rel=1e-3)
    page.keyboard.press("+")
    assert scale() > start


def test_drag_pans(open_page):
    page = open_page()
    before = page.locator("#canvas").bounding_box()
    page.mouse.move(700, 450)
    page.mouse.down()
    page.mouse.move(500, 350, steps=5)
    page.mouse.up()
    after = page.locator("#canvas").bounding_box()
    assert after["x"] == pytest.approx(before["x"] - 200, abs=3)
    assert after["y"] == pytest.approx(before["y"] - 100, abs=3)


def test_click_on_a_flow_shows_its_details(open_page, dataset):
    page = open_page("#workload=group-chat")
    flow = next(f for f in dataset.workload("group-chat").flows if f.ports_text == "5041")
    page.click(f"[id='label-flow-{flow.id.replace('.', '-')}']")
    details = page.inner_text("#details")
    for text in ("Group Chat", flow.source.label, flow.target.label, "SIP/MTLS", "5041", flow.description, "POSTER"):
        assert text in details


def test_deep_links(open_page, dataset, tmp_path):
    page = open_page("#workload=cms-replication")
    panel = page.locator("#panel-cms-replication").bounding_box()
    assert panel["width"] > 1000  # zoomed in on it
    assert 0 <= panel["x"] and panel["x"] + panel["width"] <= 1400
    page = open_page("#q=5061")
    assert page.input_value("#search") == "5061"
    assert page.locator("g.edge.match").count() > 0
    shot = tmp_path / "poster.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


# --- the firewall view ------------------------------------------------------------------------


def test_firewall_deep_link_shows_its_rules_and_highlights_their_flows(open_page, dataset):
    (external, _) = firewall_rules(dataset)
    page = open_page("#firewall=external-firewall")
    assert page.is_visible("#rules")
    assert page.input_value("#firewall") == "external-firewall"
    assert page.inner_text("#matches") == f"{len(external.rules)} rules"
    rows = page.locator("#rules tbody tr")
    assert rows.count() == len(external.rules)
    first_cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    for rule, cells in zip(external.rules, first_cells):
        assert cells[:6] == [str(rule.number), rule.direction, rule.source.label, rule.destination.label, rule.protocol.label, f"{rule.transport} {rule.ports_text}"]
    # every line that draws a flow behind a rule is highlighted, and only those
    drawn = {}
    for workload in dataset.workloads:
        for connection in connections(workload.flows):
            drawn.update((f.id, connection.id) for f in connection.flows)
    expected = {drawn[f.id] for rule in external.rules for f in rule.flows}
    matched = set(page.locator("g.edge.match").evaluate_all("els => els.map(e => e.id)"))
    assert matched == expected
    sign_in = next(r for r in external.rules if (r.source.role.id, r.destination.role.id, r.label) == ("remote-client", "access-edge", "SIP/TLS:443"))
    assert {drawn[f.id] for f in sign_in.flows} <= matched
    # one rule: just its flows, and the panel that draws the first of them in view
    index = external.rules.index(sign_in)
    rows.nth(index).click()
    assert page.inner_text("#matches") == f"rule {sign_in.number}"
    assert set(page.locator("g.edge.match").evaluate_all("els => els.map(e => e.id)")) == {drawn[f.id] for f in sign_in.flows}
    workload = sign_in.flows[0].workload_id
    panel = page.locator(f"#panel-{workload}").bounding_box()
    rules_box = page.locator("#rules").bounding_box()
    assert panel["x"] >= rules_box["x"] + rules_box["width"] - 1  # beside the table, not under it
    assert panel["width"] > 500


def test_firewall_menu_and_closing(open_page, dataset):
    page = open_page()
    assert not page.is_visible("#rules")
    options = page.locator("#firewall option").all_inner_texts()
    assert options[1:] == [f"{r.firewall.label} ({len(r.rules)} rules)" for r in firewall_rules(dataset)]
    page.select_option("#firewall", "internal-firewall")
    page.wait_for_function("location.hash === '#firewall=internal-firewall'")
    assert page.is_visible("#rules") and "Internal firewall" in page.inner_text("#rules h2")
    assert page.locator("#canvas.searching").count() == 1
    page.keyboard.press("Escape")
    assert not page.is_visible("#rules")
    assert page.locator("#canvas.searching").count() == 0
    # a search replaces the firewall view
    page.select_option("#firewall", "external-firewall")
    page.wait_for_selector("#rules:not([hidden])")
    page.fill("#search", "5061")
    assert not page.is_visible("#rules") and page.input_value("#firewall") == ""
    assert page.inner_text("#matches").endswith("flows")


def test_a_flows_sources_are_links(open_page, dataset):
    page = open_page("#workload=group-chat")
    flow = next(f for f in dataset.workload("group-chat").flows if f.ports_text == "5041")
    page.click(f"[id='label-flow-{flow.id.replace('.', '-')}']")
    links = page.locator("#details a.source")
    cited = dataset.cited(flow.sources)
    assert cited and links.count() == len(cited)
    for link, source in zip(links.all(), cited):
        assert link.get_attribute("href") == source.url
        assert link.inner_text() == f"{source.id}: {source.title}"


# --- the viewer as a field tool: results list, exports, phone, print, accessibility ---------------

VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=sorted(VIEWPORTS))
def field_page(request, browser, page_file):
    """The poster at a laptop's and a phone's size, with the clipboard allowed; no console error, no request."""
    phone = request.param == "phone"
    context = browser.new_context(viewport=VIEWPORTS[request.param], is_mobile=phone, has_touch=phone, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_function("document.getElementById('canvas').dataset.scale !== undefined")
    page.viewport_name = request.param
    yield page
    assert errors == []
    # a download is a blob: made in the page; nothing else may be asked for
    assert [r for r in requests if r.split("#")[0] != page_file.as_uri() and not r.startswith("blob:")] == []
    context.close()


def _flows_with(dataset, port: int):
    return [f for f in dataset.flows if any(port in p for p in f.ports)]


def test_a_search_lists_its_flows(field_page, dataset):
    page = field_page
    page.fill("#search", "5061")
    expected = _flows_with(dataset, 5061)
    rows = page.locator("#results-list li[role=option]")
    assert page.is_visible("#results")
    assert rows.count() == len(expected)
    assert page.inner_text("#matches") == f"{len(expected)} flows"
    assert page.get_attribute("#results-list", "role") == "listbox"
    first = rows.first.inner_text()
    flow = expected[0]
    for words in (flow.source.label, flow.target.label, flow.label):
        assert words in first
    assert "opened by" in first and "crosses" in first


def test_a_row_zooms_to_its_flow_and_keys_move_through_the_list(field_page, dataset):
    page = field_page
    page.fill("#search", "5061")
    before = float(page.eval_on_selector("#canvas", "c => c.dataset.scale"))
    page.locator("#results-list li").nth(2).click()
    assert page.get_attribute("#result-2", "aria-selected") == "true"
    assert float(page.eval_on_selector("#canvas", "c => c.dataset.scale")) > before
    flow = _flows_with(dataset, 5061)[2]
    line = page.locator("g.edge.active")
    assert line.count() == 1
    box, frame = line.bounding_box(), page.locator("#viewport").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert frame["x"] <= centre[0] <= frame["x"] + frame["width"] and frame["y"] <= centre[1] <= frame["y"] + frame["height"]
    assert flow.target.label in page.inner_text("#details")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#result-3", "aria-selected") == "true"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.get_attribute("#result-1", "aria-selected") == "true"


def test_sorting(field_page):
    page = field_page
    page.fill("#search", "443")
    page.select_option("#results-sort", "port")
    labels = page.locator("#results-list .label").all_inner_texts()
    firsts = [int(re.search(r":(\d+)", label).group(1)) for label in labels]
    assert firsts == sorted(firsts)
    page.select_option("#results-sort", "workload")
    workloads = page.locator("#results-list .what").all_inner_texts()
    assert workloads == sorted(workloads)


def test_csv_download_is_the_ports_csv_of_those_flows(field_page, dataset):
    from lyncposter.export.ports import port_rows, to_csv

    page = field_page
    page.fill("#search", "5061")
    with page.expect_download() as download:
        page.click("#results-csv")
    got = Path(download.value.path()).read_bytes()
    assert got == to_csv(port_rows(_flows_with(dataset, 5061))).encode("utf-8")
    assert download.value.suggested_filename.endswith("-5061.csv")


def test_copy_gives_one_line_per_row(field_page, dataset):
    page = field_page
    page.fill("#search", "5061")
    page.click("#results-copy")
    page.wait_for_function("document.getElementById('results-status').textContent.startsWith('Copied')")
    text = page.evaluate("navigator.clipboard.readText()")
    lines = text.rstrip("\n").split("\n")
    assert len(lines) == len(_flows_with(dataset, 5061))
    assert all(len(line.split("\t")) == 6 for line in lines)


def test_the_controls_stay_in_reach_and_nothing_scrolls_sideways(field_page):
    page = field_page
    width = page.evaluate("innerWidth")
    assert not page.is_visible("#results")  # no list before a search
    for selector in ("#version", "#search", "#zoom-in", "#zoom-out", "#zoom-fit", "#firewall"):
        box = page.locator(selector).bounding_box()
        assert page.is_visible(selector), selector
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, selector
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.body.scrollWidth") <= width
    if page.viewport_name == "phone":
        # the first view shows one panel across, not the whole sheet
        panel = page.locator(".panel").first.bounding_box()
        assert panel["width"] == pytest.approx(width - 32, abs=40)
    page.fill("#search", "5061")
    sheet = page.locator("#results").bounding_box()
    assert sheet["x"] >= 0 and sheet["x"] + sheet["width"] <= width
    if page.viewport_name == "phone":
        assert sheet["y"] + sheet["height"] == pytest.approx(page.evaluate("innerHeight"), abs=2)  # a bottom sheet


def test_printing_gives_the_list_and_a_panel(field_page):
    page = field_page
    page.fill("#search", "5061")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    assert not page.is_visible("#toolbar")
    assert page.is_visible("#results-list")
    visible = page.locator("#canvas > .panel").evaluate_all("els => els.filter(e => getComputedStyle(e).display !== 'none').length")
    assert visible == 1


def test_no_serious_accessibility_violations(field_page):
    page = field_page
    page.fill("#search", "5061")
    page.add_script_tag(path=str(Path(__file__).parent / "vendor" / "axe.min.js"))  # vendored: never fetched
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
