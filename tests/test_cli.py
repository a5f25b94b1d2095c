"""The command line, end to end, against the shipped data and real Graphviz."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
import xml.etree.ElementTree as ET

import pytest

from lyncposter.cli import main
from conftest import DATA, VERSION


def test_list_prints_ids_and_titles(capsys):
    assert main(["list", "--data", str(DATA)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 11
    assert lines[0].split(None, 1) == ["im-presence", "IM and Presence"]


def test_render_chooses_the_format_by_suffix(tmp_path):
    for suffix, magic in ((".svg", b"<?xml"), (".png", b"\x89PNG\r\n\x1a\n"), (".dot", b"digraph")):
        target = tmp_path / f"panel{suffix}"
        assert main(["render", "group-chat", "-o", str(target), "--data", str(DATA)]) == 0
        assert target.read_bytes().startswith(magic)
    ET.parse(tmp_path / "panel.svg")


def test_render_rejects_an_unknown_suffix_and_writes_nothing(tmp_path, capsys):
    target = tmp_path / "panel.pdf"
    assert main(["render", "group-chat", "-o", str(target), "--data", str(DATA)]) == 2
    assert "use one of .svg, .png, .dot" in capsys.readouterr().err
    assert not target.exists()


def test_unknown_workload_suggests(capsys):
    assert main(["render", "group-chats", "-o", "x.svg", "--data", str(DATA)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lyncposter: unknown workload 'group-chats' (did you mean 'group-chat'?)")


def test_panels_writes_one_svg_per_workload(tmp_path, capsys):
    assert main(["panels", "--out", str(tmp_path), "--data", str(DATA)]) == 0
    written = sorted(p.stem for p in tmp_path.glob("*.svg"))
    assert len(written) == 11 and "im-presence" in written
    assert not list(tmp_path.glob(".*.tmp"))


def test_bad_usage_is_one_line_and_exit_2():
    result = subprocess.run([sys.executable, "-m", "lyncposter", "render"], capture_output=True, text=True)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "required" in result.stderr


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "lyncposter", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("lyncposter ")


# the `lyncposter` command as installed (`cli.run`); at its exit it says whether the cycle collector ran
RUN = (
    "import atexit, gc, sys\n"
    "from lyncposter.cli import run\n"
    "atexit.register(lambda: print('exit functions ran; collecting', gc.isenabled(), file=sys.stderr))\n"
    "sys.argv = ['lyncposter'] + sys.argv[1:]\n"
    "run()\n"
)


def test_the_command_ends_with_its_output_its_exit_functions_and_its_exit_code(tmp_path):
    """`lyncposter` leaves without taking the interpreter apart: what it printed into a pipe
    arrives whole, what libraries registered with atexit runs, and its exit code is main's."""
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output into a pipe waits in a buffer
    listed = subprocess.run([sys.executable, "-c", RUN, "list", "--data", str(DATA)], capture_output=True, text=True, env=buffered)
    assert listed.returncode == 0 and "exit functions ran" in listed.stderr.strip().splitlines()[-1]
    rows = listed.stdout.splitlines()
    assert len(rows) == 11 and rows[-1].split(None, 1) == ["cms-replication", "Central Management Store"]
    missing = subprocess.run([sys.executable, "-c", RUN, "build", "--data", str(tmp_path / "none")], capture_output=True, text=True)
    assert missing.returncode == 2 and "no such data directory" in missing.stderr


def test_a_command_runs_without_the_cycle_collector_and_watch_with_it():
    """A command lives for seconds: `run` turns Python's collector of reference cycles off for it.
    `watch` runs for hours and collects as usual, and so does a program that calls `main`."""
    from lyncposter.cli import _long_running

    listed = subprocess.run([sys.executable, "-c", RUN, "list", "--data", str(DATA)], capture_output=True, text=True)
    assert listed.returncode == 0 and listed.stderr.strip().endswith("collecting False")
    assert _long_running(["watch", "--pdf"]) and _long_running(["--version", "watch"])
    assert not any(_long_running(argv) for argv in (["build"], ["list", "--data", "watch"], ["--help"], []))
    called = subprocess.run(
        [sys.executable, "-c", f"import gc, sys\nfrom lyncposter.cli import main\nmain(['list', '--data', {str(DATA)!r}])\nprint(gc.isenabled(), file=sys.stderr)"],
        capture_output=True, text=True,
    )
    assert called.stderr.strip().endswith("True")


@pytest.mark.parametrize("command", ["list", "ports", "check"])
def test_reading_commands_load_no_rendering_library(command):
    """`list`, `ports` and `check` start fast: no PDF, SVG or image library is imported."""
    script = (
        "import contextlib, io, sys\n"
        "from lyncposter.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    main([{command!r}, '--data', {str(DATA)!r}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'reportlab', 'svglib', 'cairosvg', 'pypdfium2', 'pypdf'}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_layout_that_hangs_is_stopped_and_the_previous_poster_stays(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text("#!/bin/sh\nsleep 30\n", "utf-8")
    (fake / "dot").chmod(0o755)
    out = tmp_path / "out"
    out.mkdir()
    poster = out / f"microsoft-lync-server-2010-protocol-workloads-poster-v{VERSION}.pdf"
    poster.write_bytes(b"the previous poster")
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}")
    lyncposter = str(Path(sys.executable).with_name("lyncposter"))
    started = time.monotonic()
    result = subprocess.run(
        [lyncposter, "build", "--data", str(DATA), "--out", str(out), "--sheet", "workloads", "--timeout", "1"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert time.monotonic() - started < 1 + 5  # the first timeout stops the build: no wave after wave of them
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "Graphviz's dot did not finish within 1 s and was stopped" in last
    assert any(f"lyncposter: {w} (" in last for w in ("im-presence", "av-conferencing", "app-sharing", "enterprise-voice", "cac", "exchange-um", "monitoring-archiving", "group-chat", "reverse-proxy", "mobility", "cms-replication"))
    assert "Traceback" not in result.stderr
    assert poster.read_bytes() == b"the previous poster"


def test_progress_on_a_terminal_and_silence_in_a_pipe(tmp_path):
    import pty

    lyncposter = str(Path(sys.executable).with_name("lyncposter"))
    args = [lyncposter, "panels", "--data", str(DATA), "--out", str(tmp_path / "panels")]
    quiet = subprocess.run(args, capture_output=True, text=True, check=True)
    assert quiet.stderr == ""  # in a pipe, a log or CI: nothing
    main_end, child_end = pty.openpty()
    with subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=child_end, env=dict(os.environ, COLUMNS="100", TERM="xterm")) as run:
        os.close(child_end)
        shown = b""
        while True:
            try:
                chunk = os.read(main_end, 4096)
            except OSError:  # the terminal closed with the command
                break
            if not chunk:
                break
            shown += chunk
        assert run.wait(timeout=60) == 0
    os.close(main_end)
    assert b"Laying out panels" in shown
