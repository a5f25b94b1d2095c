"""lyncposter: the Microsoft Lync Server 2010 Protocol Workloads Poster, generated from data.

    >>> import lyncposter
    >>> data = lyncposter.load("workloads")
    >>> workload = data.workload("im-presence")
    >>> panel = lyncposter.render_panel(workload)
    >>> panel.svg.startswith("<?xml")
    True
    >>> lyncposter.save_panel(workload, "output/im-presence.svg")  # .svg, .png or .dot
    PosixPath('output/im-presence.svg')

The pipeline, one module per step: load (YAML → model) → graph (networkx) →
layout (DOT, Graphviz) → render (finished SVG panel) → poster (PDF) → export.
"""

from __future__ import annotations

from .errors import DataError, LyncposterError, RenderError, UsageError
from .export.ports import port_rows
from .load import load
from .model import Dataset, Flow, Workload
from .render import Panel, render_panel, render_panels
from .save import PANEL_FORMATS, save_panel

__version__ = "0.1.0"

__all__ = [
    "PANEL_FORMATS",
    "DataError",
    "Dataset",
    "Flow",
    "LyncposterError",
    "Panel",
    "RenderError",
    "UsageError",
    "Workload",
    "__version__",
    "load",
    "port_rows",
    "render_panel",
    "render_panels",
    "save_panel",
]
