"""The one place lyncposter runs Graphviz.

Every call to `dot` goes through `run_dot`, which turns a missing executable, a
failed layout or one that takes too long into a `RenderError` with one clear line.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading

from ..errors import RenderError

INSTALL_HINT = "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
TIMEOUT = 30.0  # seconds a panel's layout may take before it is stopped


class LayoutTimeout(RenderError):
    """dot ran longer than allowed and was stopped."""


_RUNNING: set[subprocess.Popen[bytes]] = set()
_LOCK = threading.Lock()


def run_dot(source: str, fmt: str, timeout: float = TIMEOUT) -> bytes:
    """Lay `source` out with dot and return the output in format `fmt` (svg, png, json, ...)."""
    try:
        # a session of its own: stopping it stops whatever it started too (a wrapper script's children)
        process = subprocess.Popen(["dot", f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except FileNotFoundError:
        raise RenderError(f"Graphviz's 'dot' was not found on PATH; {INSTALL_HINT}") from None
    with _LOCK:
        _RUNNING.add(process)
    try:
        out, err = process.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.communicate()
        raise LayoutTimeout(f"Graphviz's dot did not finish within {timeout:g} s and was stopped") from None
    finally:
        with _LOCK:
            _RUNNING.discard(process)
    if process.returncode != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"dot failed ({detail[-1] if detail else f'exit {process.returncode}'})")
    return out


def stop_all() -> None:
    """Stop every layout still running: one panel has failed, so the others are not waited for."""
    with _LOCK:
        running = list(_RUNNING)
    for process in running:
        _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:  # already gone
        pass
