"""The one place lyncposter runs Graphviz.

Every call to `dot` goes through `run_dot`, which turns a missing executable, a
failed layout or one that takes too long into a `RenderError` with one clear line.
"""

from __future__ import annotations

import subprocess

from ..errors import RenderError

INSTALL_HINT = "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
TIMEOUT = 30.0  # seconds a panel's layout may take before it is stopped


class LayoutTimeout(RenderError):
    """dot ran longer than allowed and was stopped."""


def run_dot(source: str, fmt: str, timeout: float = TIMEOUT) -> bytes:
    """Lay `source` out with dot and return the output in format `fmt` (svg, png, json, ...)."""
    try:
        result = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise RenderError(f"Graphviz's 'dot' was not found on PATH; {INSTALL_HINT}") from None
    except subprocess.TimeoutExpired:
        raise LayoutTimeout(f"Graphviz's dot did not finish within {timeout:g} s and was stopped") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"dot failed ({detail[-1] if detail else f'exit {result.returncode}'})")
    return result.stdout

