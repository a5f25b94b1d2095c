"""The one place lyncposter runs Graphviz.

Every call to `dot` goes through `run_dot`, which turns a missing executable
or a failed layout into a `RenderError` with one clear line.
"""

from __future__ import annotations

import graphviz

from ..errors import RenderError

INSTALL_HINT = "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"


def run_dot(source: str, fmt: str) -> bytes:
    """Lay `source` out with dot and return the output in format `fmt` (svg, png, json, ...)."""
    try:
        return graphviz.pipe("dot", fmt, source.encode("utf-8"), quiet=True)
    except graphviz.ExecutableNotFound:
        raise RenderError(f"Graphviz's 'dot' was not found on PATH; {INSTALL_HINT}") from None
    except graphviz.CalledProcessError as exc:
        detail = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"dot failed ({detail[-1] if detail else f'exit {exc.returncode}'})") from None

