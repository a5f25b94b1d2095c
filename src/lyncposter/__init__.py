"""lyncposter: the Microsoft Lync Server 2010 Protocol Workloads Poster, generated from data.

    >>> import lyncposter
    >>> data = lyncposter.load()  # ./workloads, else the bundled Lync Server 2010 dataset
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

from . import _pillow
from ._lazy import lazy_attributes
from ._version import __version__

_pillow.defer()  # reportlab imports Pillow's Image as it starts; the sheets draw no bitmap

# Every name loads on first use: `lyncposter list` and a script that only reads the data
# should not pay for Graphviz, networkx or reportlab, nor for the parts they skip.
_WHERE = {
    "for_domain": ".domain",
    "certificate_rows": ".export.certs",
    "certreq_inf": ".export.certs",
    "write_requests": ".export.certs",
    "dns_rows": ".export.zone",
    "powershell": ".export.zone",
    "zone_file": ".export.zone",
    "DataError": ".errors",
    "LyncposterError": ".errors",
    "RenderError": ".errors",
    "UsageError": ".errors",
    "rule_rows": ".export.firewall",
    "port_rows": ".export.ports",
    "FirewallRule": ".firewall",
    "RuleSet": ".firewall",
    "firewall_rules": ".firewall",
    "load": ".load",
    "Dataset": ".model",
    "Flow": ".model",
    "Workload": ".model",
    "build_poster": ".poster",
    "build_sheets": ".poster",
    "PANEL_FORMATS": ".save",
    "save_panel": ".save",
    "Finding": ".verify",
    "verify_certificate": ".verify",
    "verify_zone": ".verify",
    "run_checks": ".check",
    "Panel": ".render",
    "render_panel": ".render",
    "render_panels": ".render",
}

if TYPE_CHECKING:
    from .check import run_checks
    from .domain import for_domain
    from .errors import DataError, LyncposterError, RenderError, UsageError
    from .export.certs import certificate_rows, certreq_inf, write_requests
    from .export.firewall import rule_rows
    from .export.ports import port_rows
    from .export.zone import dns_rows, powershell, zone_file
    from .firewall import FirewallRule, RuleSet, firewall_rules
    from .load import load
    from .model import Dataset, Flow, Workload
    from .poster import build_poster, build_sheets
    from .render import Panel, render_panel, render_panels
    from .save import PANEL_FORMATS, save_panel
    from .verify import Finding, verify_certificate, verify_zone

__getattr__ = lazy_attributes(__name__, _WHERE)


def _workload_svg(workload: Workload) -> str:
    """Jupyter shows a workload as its rendered panel: a display hook the package registers,
    so the model knows nothing of drawing."""
    from .render import render_panel

    return render_panel(workload).svg


def _register_display_hooks() -> None:
    from . import display

    display.SVG["Workload"] = _workload_svg


_register_display_hooks()


def __dir__() -> list[str]:
    return sorted(__all__)


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
