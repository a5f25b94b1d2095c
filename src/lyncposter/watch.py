"""`lyncposter watch`: edit a data file, save, see the poster change.

A small HTTP server on 127.0.0.1 only serves the HTML viewer and a stream of
server-sent events. A watcher (watchfiles) notices every save in the data
directory, checks the data and, when it loads, rebuilds the page; the open page
then reloads in place, keeping its zoom, pan and search. With `--pdf` the sheets
follow, the main sheet first, each written as soon as it is composed. While the
data is broken the last good poster stays on screen with a banner that lists the
problems, which the terminal prints too. Ctrl-C stops it.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import checked
from .export.html import PageParts
from .errors import LyncposterError

if TYPE_CHECKING:
    from .model import Dataset
    from .poster.build import PosterBuild

HOST = "127.0.0.1"  # never another interface: the poster is the user's, not the network's
KEPT_BUILDS = 8  # an open page further behind gets everything


@dataclass
class _State:
    """What the server shows: the last good page, its build number, and the current problems."""

    page: bytes = b""
    build: int = 0
    problems: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    parts: dict[int, PageParts] = field(default_factory=dict)  # the last few builds' parts, for updates in place

    def event(self) -> bytes:
        payload = json.dumps({"build": self.build, "problems": self.problems})
        return f"event: state\ndata: {payload}\n\n".encode()


class Watch:
    """The server and the watcher, sharing one state."""

    def __init__(self, data_dir: str, out_dir: str, port: int = 8000, pdf: bool = False, timeout: float = 30.0):
        self.data_dir = data_dir
        self.out_dir = out_dir
        self.pdf = pdf
        self.timeout = timeout
        self.state = _State()
        self.stop = threading.Event()
        self.server = ThreadingHTTPServer((HOST, port), self._handler())
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def rebuild(self) -> None:
        """Check and, if the data loads without errors, render the page and show it; then, with
        `--pdf`, write the sheets, the main sheet first. Say what happened."""
        from .cache import SvgCache, cache_dir
        from .export.html import page_parts, render_html
        from .render import render_panels

        found = checked(self.data_dir)  # as check and build see it: the version checks too
        data, findings = found.data, found.findings
        problems = [f.finding for f in findings if f.severity == "error"]
        for finding in findings:
            print(finding.finding, file=sys.stderr)
        page = parts = None
        if data is not None and not problems:
            try:
                panels = render_panels(data.workloads, timeout=self.timeout, cache=SvgCache(cache_dir()), remember=True)  # a save redraws what it changed
                parts = page_parts(data, panels)
                page = render_html(data, panels, live_build=self.state.build + 1, parts=parts).encode("utf-8")
            except LyncposterError as exc:
                problems = [exc.report()]
                page = None
        self._show(page, parts, problems)  # the page first: it is on screen while the sheets are composed
        if self.pdf and page is not None and data is not None:
            try:
                for built in self._sheets(data, found.previous):
                    print(built.path, file=sys.stderr)
            except LyncposterError as exc:
                self._show(None, None, [exc.report()])
            print(f"lyncposter: sheets done ({self.state.build})", file=sys.stderr)

    def _sheets(self, data: Dataset, previous: Dataset | None) -> Iterator[PosterBuild]:
        """The sheets as `build` writes them, each written as soon as it is composed: the main sheet
        (the one a user looks at) first, then the others."""
        from .cache import PanelCache, cache_dir
        from .poster import build_sheets

        cache = PanelCache(cache_dir())  # a save redraws the panels it changed
        ordered = sorted(data.poster.sheets, key=lambda s: not s.main)
        for spec in ordered:
            yield from build_sheets(data, self.out_dir, timeout=self.timeout, cache=cache, previous=previous, sheet_ids=(spec.id,))

    def _show(self, page: bytes | None, parts: PageParts | None, problems: list[str]) -> None:
        """A new page (when there is one) and the problems, to every open page; the last good page stays."""
        with self.state.changed:
            if page is not None and parts is not None:
                self.state.page = page
                self.state.build += 1
                self.state.parts[self.state.build] = parts
                self.state.parts.pop(self.state.build - KEPT_BUILDS, None)
                print(f"lyncposter: rebuilt ({self.state.build}) {self.url}", file=sys.stderr)
            elif not self.state.page:  # nothing good yet: a page that only says what is wrong
                self.state.page = _waiting_page(self.state.build)
            self.state.problems = problems
            if problems:
                print(f"lyncposter: {len(problems)} problem(s); showing the last good poster", file=sys.stderr)
            self.state.changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        watch = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet: the terminal is for findings
                return

            def _send(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")  # every answer is the state of now
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path == "/favicon.ico":  # the browser asks; there is none, and that is no error
                    self.send_response(204)
                    self.end_headers()
                elif self.path.split("?")[0] in ("/", "/index.html"):
                    with watch.state.changed:
                        body = watch.state.page
                    self._send(body, "text/html; charset=utf-8")
                elif self.path.startswith("/update?from="):
                    with watch.state.changed:
                        build, parts = watch.state.build, watch.state.parts
                        newest = parts.get(build)
                        since = self.path.rpartition("=")[2]
                        shown = parts.get(int(since)) if since.isdigit() else None
                    if newest is None:  # nothing good built yet: the page reloads instead
                        self.send_error(404)
                        return
                    self._send(json.dumps(newest.update(shown, build), ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")
                elif self.path == "/events":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    try:
                        with watch.state.changed:
                            sent = watch.state.event()
                        self.wfile.write(sent)  # where things stand now, then every change
                        self.wfile.flush()
                        while not watch.stop.is_set():
                            with watch.state.changed:
                                watch.state.changed.wait(timeout=15)
                                current = watch.state.event()
                            self.wfile.write(current if current != sent else b": still here\n\n")
                            self.wfile.flush()
                            sent = current
                    except (BrokenPipeError, ConnectionResetError):
                        return
                else:
                    self.send_error(404)

        return Handler

    def run(self) -> int:
        """Serve and watch until Ctrl-C."""
        from watchfiles import watch as watch_files

        # Ctrl-C sets the stop event: the watcher sees it within its timeout, wherever the signal lands
        previous = signal.signal(signal.SIGINT, lambda *_: self.stop.set())
        serving: threading.Thread | None = None
        try:
            self.rebuild()
            serving = threading.Thread(target=self.server.serve_forever, name="lyncposter-serve", daemon=True)
            serving.start()
            print(f"Serving {self.url} and watching {self.data_dir} (Ctrl-C to stop)", flush=True)
            for _ in watch_files(self.data_dir, stop_event=self.stop, debounce=100, step=20, rust_timeout=200, yield_on_timeout=False):
                if self.stop.is_set():
                    break
                self.rebuild()
        except KeyboardInterrupt:
            pass
        finally:
            signal.signal(signal.SIGINT, previous)
            self.stop.set()
            with self.state.changed:
                self.state.changed.notify_all()
            if serving is not None:  # shutdown waits for serve_forever: only when it runs
                self.server.shutdown()
            self.server.server_close()
        print("lyncposter: stopped", file=sys.stderr)
        return 0


def _waiting_page(build: int) -> bytes:
    from .export.html import LIVE

    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>lyncposter watch</title></head><body>"
        "<p>The data does not load yet; the poster appears here once it does.</p>"
        "<script>window.lyncposter = {restore: function () {}, viewState: function () { return {}; }};</script>"
        + LIVE.replace("BUILD", str(build))
        + "</body></html>"
    ).encode("utf-8")


def watch(data_dir: str, out_dir: str, port: int = 8000, pdf: bool = False, timeout: float = 30.0) -> int:
    if not Path(data_dir).is_dir():
        from .errors import UsageError

        raise UsageError(f"{data_dir}: no such data directory")
    try:
        server = Watch(data_dir, out_dir, port, pdf, timeout)
    except OSError as exc:
        from .errors import UsageError

        raise UsageError(f"cannot serve on {HOST}:{port} ({exc.strerror}); choose another --port") from None
    return server.run()
