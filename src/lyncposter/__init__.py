"""lyncposter: the Microsoft Lync Server 2010 Protocol Workloads Poster, generated from data.

    >>> import lyncposter
    >>> data = lyncposter.load("workloads")
    >>> workload = data.workload("im-presence")
    >>> panel = lyncposter.render_panel(workload)
    >>> panel.svg.startswith("<?xml")
    True
    >>> lyncposter.save_panel(workload, "output/im-presence.svg")  # .svg, .png or .dot
    PosixPath('output/im-presence.svg')
    >>> lyncposter.run_checks(data)  # findings, as `lyncposter check` prints them
    []
    >>> lyncposter.build_poster(data, "output").path.name
    'microsoft-lync-server-2010-protocol-workloads-poster-v6.1.pdf'

The pipeline, one module per step: load (YAML → model) → graph (networkx) →
layout (DOT, Graphviz) → render (finished SVG panel) → poster (PDF) → export;
check.py holds the consistency rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_attributes

from .domain import for_domain
from .export.certs import certificate_rows, certreq_inf, write_requests
from .export.zone import dns_rows, powershell, zone_file
from .errors import DataError, LyncposterError, RenderError, UsageError
from .export.firewall import rule_rows
from .export.ports import port_rows
from .firewall import FirewallRule, RuleSet, firewall_rules
from .load import load
from .model import Dataset, Flow, Workload
from .poster import build_poster, build_sheets
from .save import PANEL_FORMATS, save_panel
from .verify import Finding, verify_certificate, verify_zone

from ._version import __version__

# Loaded on first use: rendering needs Graphviz, reportlab and svglib, the checks networkx,
# and a script that only reads the data should not pay for them.
if TYPE_CHECKING:
    from .check import run_checks
    from .render import Panel, render_panel, render_panels

__getattr__ = lazy_attributes(__name__, {"Panel": ".render", "render_panel": ".render", "render_panels": ".render", "run_checks": ".check"})

__all__ = [
    "PANEL_FORMATS",
    "DataError",
    "Dataset",
    "Finding",
    "FirewallRule",
    "Flow",
    "LyncposterError",
    "Panel",
    "RenderError",
    "RuleSet",
    "UsageError",
    "Workload",
    "__version__",
    "build_poster",
    "build_sheets",
    "certificate_rows",
    "certreq_inf",
    "dns_rows",
    "firewall_rules",
    "for_domain",
    "load",
    "port_rows",
    "powershell",
    "render_panel",
    "render_panels",
    "rule_rows",
    "run_checks",
    "save_panel",
    "verify_certificate",
    "verify_zone",
    "write_requests",
    "zone_file",
]
