"""Panels as reportlab vector drawings: the bridge from SVG to PDF.

svglib reads each panel's SVG into reportlab shapes, so text stays text. It is
pure Python, so panels are laid out, rendered and read back in parallel
processes, one per core, and only the drawings come back.
"""

from __future__ import annotations

import io
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import partial

from reportlab.graphics.shapes import Drawing
from svglib.svglib import svg2rlg

from ..errors import RenderError
from ..fonts import register
from ..model import Workload
from ..cache import PanelCache
from ..layout.engine import TIMEOUT
from ..progress import progress
from ..render import Panel, panel_keys, render_panel


def vectorize(panel: Panel) -> Drawing:
    """A panel's SVG as reportlab vector shapes: text stays text."""
    register()
    drawing = svg2rlg(io.BytesIO(panel.svg.encode("utf-8")))
    if drawing is None:  # pragma: no cover - our own SVG always parses
        raise RenderError(f"panel {panel.workload_id} could not be read back")
    return drawing


def _render_and_vectorize_one(workload: Workload, timeout: float = TIMEOUT) -> tuple[Panel, Drawing]:
    panel = render_panel(workload, timeout)
    return panel, vectorize(panel)


def render_and_vectorize(
    workloads: Iterable[Workload], jobs: int | None = None, timeout: float = TIMEOUT, cache: PanelCache | None = None
) -> tuple[list[Panel], list[Drawing]]:
    """Lay out, render and vectorize every panel, one process per core (svglib is pure Python);
    with a cache, only the panels whose inputs changed."""
    everything = list(workloads)
    keys = panel_keys(everything, cache) if cache is not None else []
    known = {i: cache.get(k) for i, k in enumerate(keys)} if cache is not None else {}
    missing = [w for i, w in enumerate(everything) if known.get(i) is None]
    made = iter(zip(*_render_and_vectorize(missing, jobs, timeout))) if missing else iter(())
    pairs = []
    for i, workload in enumerate(everything):
        pair = known.get(i)
        if pair is None:
            pair = next(made)
            if cache is not None:
                cache.put(keys[i], pair)
        pairs.append(pair)
    return [p for p, _ in pairs], [d for _, d in pairs]


def _render_and_vectorize(workloads: list[Workload], jobs: int | None, timeout: float) -> tuple[list[Panel], list[Drawing]]:
    jobs = jobs or min(len(workloads), os.cpu_count() or 1)
    with progress(len(workloads), "Laying out and drawing panels") as step:
        if jobs <= 1:
            pairs = []
            for w in workloads:
                pairs.append(_render_and_vectorize_one(w, timeout))
                step()
        else:
            context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = [pool.submit(partial(_render_and_vectorize_one, timeout=timeout), w) for w in workloads]
                for future in as_completed(futures):
                    future.exception()  # wait; the result is read in order below
                    step()
                pairs = [f.result() for f in futures]
    return [p for p, _ in pairs], [d for _, d in pairs]
