"""lyncposter watch: the page follows the data, keeps its view, and says when the data is broken."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lyncposter.load import load
from lyncposter.watch import HOST, Watch
from conftest import DATA
from test_html import CHROMIUM, FLAGS


@pytest.fixture
def served(data_copy):
    """`lyncposter watch` on a free port, over a copy of the data; stopped with Ctrl-C (SIGINT)."""
    lyncposter = str(Path(sys.executable).with_name("lyncposter"))
    process = subprocess.Popen(
        [lyncposter, "watch", "--port", "0", "--data", str(data_copy.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    first = process.stdout.readline()
    assert first.startswith(f"Serving http://{HOST}:"), first + process.stderr.read()
    url = first.split()[1]
    yield url, data_copy, process
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def test_the_server_binds_the_loopback_address_only(data_copy):
    watch = Watch(str(data_copy.root), str(data_copy.root.parent / "out"), port=0)
    try:
        assert watch.server.server_address[0] == "127.0.0.1"
        assert watch.url.startswith("http://127.0.0.1:")
    finally:
        watch.server.server_close()


def test_save_see_break_fix(served, browser_for_watch):
    url, data, process = served
    page = browser_for_watch.new_page(viewport={"width": 1366, "height": 768})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("window.lyncposter && document.getElementById('canvas')")
    page.fill("#search", "group chat")
    page.click("#zoom-in")
    scale = float(page.eval_on_selector("#canvas", "c => c.dataset.scale"))
    assert page.locator("text=SIP/MTLS:5041").count() > 0
    # save an edit: the page updates in place (no reload) with the change, the same search and zoom;
    # only the changed panel is redrawn
    page.evaluate("window.sameDocument = true; window.untouched = document.querySelector('#panel-im-presence svg')")
    data.replace("flows/group-chat.yaml", "ports: 5041", "ports: 5042")
    page.wait_for_selector("text=SIP/MTLS:5042", timeout=20000)
    assert page.evaluate("window.sameDocument === true")
    assert page.evaluate("window.untouched.isConnected && document.querySelector('#panel-im-presence svg') === window.untouched")
    assert page.locator("text=SIP/MTLS:5041").count() == 0
    assert page.input_value("#search") == "group chat"
    assert page.locator("#results li").count() > 0  # the search ran again over the new data
    assert float(page.eval_on_selector("#canvas", "c => c.dataset.scale")) == pytest.approx(scale, rel=1e-3)
    # a broken edit: a banner says so, the last good poster stays
    good = data.text("flows/group-chat.yaml")
    data.path("flows/group-chat.yaml").write_text(good.replace("ports: 5042", "ports: 70000"), "utf-8")
    page.wait_for_selector("#live-banner:not([hidden])", timeout=20000)
    assert "PORT-RANGE" in page.inner_text("#live-banner")
    assert page.locator("text=SIP/MTLS:5042").count() > 0
    # the fix: the banner goes, the poster follows
    data.path("flows/group-chat.yaml").write_text(good.replace("ports: 5042", "ports: 5043"), "utf-8")
    page.wait_for_selector("text=SIP/MTLS:5043", timeout=20000)
    assert page.evaluate("window.sameDocument === true")
    assert not page.is_visible("#live-banner")
    assert errors == []
    # Ctrl-C stops it cleanly
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    assert "lyncposter: stopped" in process.stderr.read()


@pytest.fixture(scope="module")
def browser_for_watch():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


def test_watch_pdf_writes_what_build_writes(tmp_path, capsys):
    """`watch --pdf` writes the sheets `build` writes, byte for byte (What's new included): the
    page is shown first, then the sheets are written, the main sheet first."""
    from lyncposter.cli import main
    from lyncposter.naming import sheet_filename

    watch = Watch(str(DATA), str(tmp_path / "watched"), port=0, pdf=True)
    try:
        watch.rebuild()
    finally:
        watch.server.server_close()
    said = [line for line in capsys.readouterr().err.splitlines() if line.startswith("lyncposter: ") or line.endswith(".pdf")]
    data = load(DATA)
    main_sheet = sheet_filename(data, next(s for s in data.poster.sheets if s.main))
    assert said[0].startswith("lyncposter: rebuilt (1) ") and said[1].endswith(main_sheet) and said[-1] == "lyncposter: sheets done (1)"
    assert len(said) == 5
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path / "built")]) == 0
    watched = sorted((tmp_path / "watched").glob("*.pdf"))
    assert [p.name for p in watched] == sorted(p.name for p in (tmp_path / "built").glob("*.pdf")) and len(watched) == 3
    for path in watched:
        assert path.read_bytes() == (tmp_path / "built" / path.name).read_bytes(), path.name
