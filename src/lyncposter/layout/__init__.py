"""Graph → DOT → Graphviz: the layout step.

Its parts load on first use: DOT writing needs the graph (networkx) and the graphviz
package, and a command that only reads the data needs neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes

if TYPE_CHECKING:
    from .lines import connections
    from .dot import workload_dot
    from .engine import run_dot

__all__ = ["connections", "run_dot", "workload_dot"]
__getattr__ = lazy_attributes(__name__, {"connections": ".lines", "workload_dot": ".dot", "run_dot": ".engine"})
