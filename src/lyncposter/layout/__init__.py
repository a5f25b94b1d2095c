"""Graph → DOT → Graphviz: the layout step.

Its parts load on first use: DOT writing needs the graph (networkx) and the graphviz
package, and a command that only reads the data needs neither.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .dot import connections, workload_dot
    from .engine import run_dot

__all__ = ["connections", "run_dot", "workload_dot"]
_LAZY = {"connections": ".dot", "workload_dot": ".dot", "run_dot": ".engine"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lyncposter.layout' has no attribute '{name}'")
