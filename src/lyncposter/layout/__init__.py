"""Graph → DOT → Graphviz: the layout step."""

from .dot import connections, workload_dot
from .engine import run_dot

__all__ = ["connections", "run_dot", "workload_dot"]
