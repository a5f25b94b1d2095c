"""Save one workload panel in the format its file name asks for."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError
from .export.png import DEFAULT_DPI
from .files import write_atomic
from .model import Workload

PANEL_FORMATS = (".svg", ".png", ".dot", ".vsdx", ".drawio")


def save_panel(workload: Workload, path: str | os.PathLike[str], dpi: float = DEFAULT_DPI, timeout: float = 30.0) -> Path:
    """Write `workload` to `path` as SVG, PNG, DOT source, a Visio drawing or a draw.io file, chosen by the suffix."""
    from .export.png import svg_to_png
    from .layout import workload_dot
    from .render import render_panel

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".dot":
        return write_atomic(target, workload_dot(workload))
    if suffix == ".svg":
        return write_atomic(target, render_panel(workload, timeout).svg)
    if suffix == ".png":
        return write_atomic(target, svg_to_png(render_panel(workload, timeout).svg, dpi))
    if suffix == ".vsdx":
        from .export.vsdx import vsdx_file

        return write_atomic(target, vsdx_file([workload], workload.title))
    if suffix == ".drawio":
        from .export.drawio import drawio_file

        return write_atomic(target, drawio_file([workload]))
    raise UsageError(f"{target}: cannot tell the format from '{suffix or 'no suffix'}'; use one of {', '.join(PANEL_FORMATS)}")
