"""Benchmark: lyncposter's commands against Graphviz alone on the same panels, in one run.

    .venv/bin/python tools/bench.py [--data DIR] [--repeat N] [--no-watch]

Graphviz alone: `dot -Tsvg` over every panel's DOT source, one after the other, as a
shell loop would. Every lyncposter figure is a new process, as a user runs it, timed
`--repeat` times (the best run counts) and printed beside its ratio to Graphviz alone, timed
in turn with it (before each run; the best of those): a machine whose speed drifts during the
bench moves both sides of a ratio alike. The figures:
`list` and `check`; `panels`; a cold `build` of the poster sheet (no panel cache); a
rebuild after one flow changed; a rebuild with nothing changed; and, measured in
Debian's chromium, the time from saving a data file under `lyncposter watch` to the
open page showing the change (the median of five saves), and under `lyncposter watch --pdf`
to the main sheet written anew (a rebuild after one flow changed in a process that keeps
what it made; the page is redrawn before it, the other sheets after). Then, for every named paper
size, the main sheet's smallest text and its blank share (`poster/measure.py`). Builds
run on a copy of the data, so the work tree is never touched.
"""

from __future__ import annotations

import argparse
import compileall
import os
import queue
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import lyncposter
from lyncposter.layout import workload_dot
from lyncposter.naming import sheet_filename
from lyncposter.poster.measure import blank_share
from lyncposter.poster.sizes import DEFAULT as DEFAULT_SIZE
from lyncposter.poster.sizes import NAMED

GOALS = {"list": 0.15, "check": 0.15}  # seconds
RATIO_GOALS = {"panels": 1.5, "build (cold)": 4.0, "build (one flow changed)": 2.0, "build (no change)": 1.0, "every sheet (cold)": 6.0}
WATCH_GOAL = 0.5


def best_of(repeat: int, run: Callable[[], object], before: Callable[[], None] | None = None) -> float:
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def paired(repeat: int, run: Callable[[], object], alone: Callable[[], object], before: Callable[[], None] | None = None) -> tuple[float, float]:
    """The best of `repeat` runs, and the best of Graphviz alone (`alone`) timed before each of them."""
    runs, dots = [], []
    for _ in range(repeat):
        dots.append(best_of(1, alone))
        runs.append(best_of(1, run, before))
    return min(runs), min(dots)


def command(*args: str) -> Callable[[], object]:
    cli = Path(sys.executable).with_name("lyncposter")
    return lambda: subprocess.run([str(cli), *args], check=True, capture_output=True)


def unused_ports() -> int:
    """The first of a run of ports no earlier run used: the user's cache keeps the panels and sheets
    of earlier runs, which a fixed port would find, so a change is laid out and drawn anew."""
    return random.randrange(10000, 60000, 100)


def stop(server: subprocess.Popen[str]) -> None:
    """Stop `lyncposter watch` as a user does, with Ctrl-C."""
    server.send_signal(signal.SIGINT)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        print("bench: lyncposter watch did not stop within 20 s of Ctrl-C", file=sys.stderr)


def watch_latency(data: Path, saves: int = 5) -> float | None:
    """Median seconds from saving a data file to the watched page showing the change."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync"]
    cli = Path(sys.executable).with_name("lyncposter")
    server = subprocess.Popen([str(cli), "watch", "--port", "0", "--data", str(data)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        url = server.stdout.readline().split()[1]  # type: ignore[union-attr]
        flows = data / "flows" / "group-chat.yaml"
        text = flows.read_text("utf-8")
        latencies = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=flags)
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("text=SIP/MTLS:5041")
            first = unused_ports()
            for i in range(saves):
                port = str(first + i)
                flows.write_text(text.replace("ports: 5041", f"ports: {port}"), "utf-8")
                start = time.perf_counter()
                page.wait_for_selector(f"text=SIP/MTLS:{port}", timeout=30000)
                latencies.append(time.perf_counter() - start)
            browser.close()
        flows.write_text(text, "utf-8")
        return statistics.median(latencies)
    finally:
        stop(server)


def watch_pdf_latency(data: Path, out: Path, sheet_name: str, saves: int = 5) -> float | None:
    """Median seconds from saving a data file under `lyncposter watch --pdf` to the main sheet's PDF
    written anew (watch names each sheet it writes): a rebuild after one flow changed, in a process
    that keeps what it made."""
    cli = Path(sys.executable).with_name("lyncposter")
    server = subprocess.Popen([str(cli), "watch", "--pdf", "--port", "0", "--data", str(data), "--out", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()

    def read() -> None:
        for line in server.stderr:  # type: ignore[union-attr]
            lines.put((time.perf_counter(), line.strip()))

    threading.Thread(target=read, daemon=True).start()

    def until(done: Callable[[str], bool]) -> float | None:
        while True:
            try:
                when, line = lines.get(timeout=60)
            except queue.Empty:
                return None
            if done(line):
                return when

    try:
        if until(lambda line: line.startswith("lyncposter: sheets done")) is None:  # the first build, page and sheets
            return None
        flows = data / "flows" / "group-chat.yaml"
        text = flows.read_text("utf-8")
        latencies = []
        first = unused_ports()
        for i in range(saves):
            time.sleep(0.5)  # the watcher watching again
            flows.write_text(text.replace("ports: 5041", f"ports: {first + i}"), "utf-8")
            start = time.perf_counter()
            written = until(lambda line: line.endswith(sheet_name))
            if written is None or until(lambda line: line.startswith("lyncposter: sheets done")) is None:
                return None
            latencies.append(written - start)
        flows.write_text(text, "utf-8")
        return statistics.median(latencies)
    finally:
        stop(server)


TEXT_GOAL = 7.0  # points, the main sheet at the default size
BLANK_GOAL = 0.15
BLANK_SQUARES = "half-inch squares with no ink at 20 dpi"


def sheet_measures(data: Path, out: Path, sheet: str) -> dict[str, tuple[float, float, str]]:
    """Per named size: the main sheet's smallest text (as the build reports it), its blank share, and its warning."""
    cli = Path(sys.executable).with_name("lyncposter")
    found = {}
    for size in NAMED:
        run = subprocess.run([str(cli), "build", "--data", str(data), "--out", str(out / size), "--sheet", sheet, "--size", size],
                             capture_output=True, text=True, check=True)
        smallest = float(re.search(r"smallest text ([\d.]+) pt", run.stderr).group(1))  # type: ignore[union-attr]
        warning = next((line.split(": ", 2)[-1] for line in run.stderr.splitlines() if "warning:" in line), "")
        pdf = Path(run.stdout.split()[0]).read_bytes()
        found[size] = (smallest, blank_share(pdf), warning)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="workloads")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-watch", action="store_true", help="leave out the browser measurement")
    args = parser.parse_args()

    # An editable install has no bytecode until the package is first imported with writing
    # allowed; where PYTHONDONTWRITEBYTECODE is set it never has. Compile it once, as an
    # installed package is, so every figure is a user's second run, not the compiler's.
    compileall.compile_dir(str(Path(lyncposter.__file__).parent), quiet=1)
    data = lyncposter.load(args.data)
    main_sheet = data.poster.sheets[0].id
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sources = []
        for workload in data.workloads:
            path = work / f"{workload.id}.dot"
            path.write_text(workload_dot(workload), "utf-8")
            sources.append(path)

        def graphviz_alone() -> None:
            for path in sources:
                subprocess.run(["dot", "-Tsvg", "-o", os.devnull, str(path)], check=True)

        copy = work / "data"
        shutil.copytree(args.data, copy)
        out = work / "out"
        flows = copy / "flows" / "group-chat.yaml"
        original = flows.read_text("utf-8")
        flip = {"n": unused_ports()}  # a different port each time: a miss for this panel and this sheet only

        def change_one_flow() -> None:
            flip["n"] += 1
            flows.write_text(original.replace("ports: 5041", f"ports: {flip['n']}"), "utf-8")

        build = ["build", "--data", str(copy), "--out", str(out), "--sheet", main_sheet]
        graphviz_alone()  # warm the file cache and fontconfig's
        dot_time = best_of(args.repeat, graphviz_alone)
        # what any new build process pays before it does any work: the libraries a build uses
        # (reportlab's platypus as lyncposter loads it: without the two costs it never uses)
        libraries = "import lyncposter, yaml, jsonschema, graphviz, lyncposter.poster.platypus"
        floor = paired(args.repeat, lambda: subprocess.run([sys.executable, "-c", libraries], check=True), graphviz_alone)
        times = {
            "list": paired(args.repeat, command("list", "--data", str(copy)), graphviz_alone),
            "check": paired(args.repeat, command("check", "--data", str(copy)), graphviz_alone),
            "panels": paired(args.repeat, command("panels", "--data", str(copy), "--out", str(out / "panels")), graphviz_alone),
            "build (cold)": paired(args.repeat, command(*build, "--no-cache"), graphviz_alone),
        }
        command(*build)()  # fill the cache
        times["build (one flow changed)"] = paired(args.repeat, command(*build), graphviz_alone, before=change_one_flow)
        times["build (no change)"] = paired(args.repeat, command(*build), graphviz_alone)
        flows.write_text(original, "utf-8")
        times["every sheet (cold)"] = paired(args.repeat, command("build", "--data", str(copy), "--out", str(out), "--no-cache"), graphviz_alone)
        latency = None if args.no_watch else watch_latency(copy)
        main_pdf = sheet_filename(data, data.poster.sheets[0])
        dot_near_watch = best_of(args.repeat, graphviz_alone)  # the speed of the machine as the saves are timed
        pdf_latency = None if args.no_watch else watch_pdf_latency(copy, work / "watched", main_pdf)
        sheets = sheet_measures(Path(args.data), work / "sizes", main_sheet)  # the data as it ships, What's new and all

    print(f"panels:                      {len(sources)} ({os.cpu_count()} cores)")
    print(f"dot -Tsvg alone:             {dot_time:.3f} s (best of {args.repeat}; each ratio is to dot timed in turn with it, shown last)")
    for name, (seconds, dot_alone) in times.items():
        ratio = seconds / dot_alone
        goal = f"goal <= {GOALS[name]} s" if name in GOALS else f"goal <= {RATIO_GOALS[name]}" if name in RATIO_GOALS else "no goal"
        print(f"{name + ':':<29}{seconds:.3f} s  ratio {ratio:5.2f}  ({goal})  dot {dot_alone:.3f} s")
    print(f"{'imports of a build alone:':<29}{floor[0]:.3f} s  ratio {floor[0] / floor[1]:5.2f}  (the floor of any new build process)  dot {floor[1]:.3f} s")
    if latency is not None:
        print(f"{'watch, save to page:':<29}{latency:.3f} s  (median of 5; goal <= {WATCH_GOAL} s)")
    if pdf_latency is not None:
        print(f"{'watch --pdf, save to sheet:':<29}{pdf_latency:.3f} s  ratio {pdf_latency / dot_near_watch:5.2f}  (median of 5: one flow changed, in a running process; no goal)  dot {dot_near_watch:.3f} s")
    print(f"sheet '{main_sheet}' per size   smallest text   blank share ({BLANK_SQUARES})")
    for size, (smallest, blank, warning) in sheets.items():
        goals = f"  (goals at {DEFAULT_SIZE}: >= {TEXT_GOAL} pt, <= {BLANK_GOAL:.0%})" if size == DEFAULT_SIZE else ""
        print(f"  {size:<27}{smallest:6.2f} pt      {blank:6.1%}{goals}{'  warns: ' + warning if warning else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
