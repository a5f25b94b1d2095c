"""Panels as reportlab vector drawings: the bridge from SVG to PDF.

svglib reads each panel's SVG into reportlab shapes, so text stays text. It is
pure Python, so panels are read in parallel processes, one per core, and only
the drawings come back; a cache keeps every drawing by its SVG.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed

from reportlab.graphics.shapes import Drawing
from svglib.svglib import svg2rlg

from ..errors import RenderError
from ..fonts import register
from ..cache import PanelCache, environment_fingerprint
from ..progress import progress
from ..render import Panel


def vectorize(panel: Panel) -> Drawing:
    """A panel's SVG as reportlab vector shapes: text stays text."""
    register()
    drawing = svg2rlg(io.BytesIO(panel.svg.encode("utf-8")))
    if drawing is None:  # pragma: no cover - our own SVG always parses
        raise RenderError(f"panel {panel.workload_id} could not be read back")
    return drawing


def _vectorize_svg(svg: str) -> Drawing:
    return vectorize(Panel("", "", 0.0, 0.0, svg, ""))


def vector_key(svg: str) -> str:
    """A drawing's cache key: its SVG, and the code and tools that read it."""
    return hashlib.sha256(environment_fingerprint() + svg.encode("utf-8")).hexdigest()


class Vectorizer:
    """SVG → drawings, several at once, one process per core (svglib is pure Python); with a
    cache, an SVG drawn before is not read again. Whole panels and the content layers of
    stretched panels are kept as `.panel` entries, the small backdrops as `.backdrop`."""

    def __init__(self, cache: PanelCache | None = None, jobs: int | None = None):
        self.cache = cache
        self.jobs = jobs

    def __call__(self, svgs: list[str], kind: str = ".panel") -> list[Drawing]:
        keys = [vector_key(svg) for svg in svgs] if self.cache is not None else []
        known: dict[int, Drawing] = {}
        if self.cache is not None:
            for i, key in enumerate(keys):
                found = self.cache.get(key, kind)
                if isinstance(found, Drawing):
                    known[i] = found
        missing = [i for i in range(len(svgs)) if i not in known]
        made = dict(zip(missing, self._many([svgs[i] for i in missing]))) if missing else {}
        if self.cache is not None:
            for i, drawing in made.items():
                self.cache.put(keys[i], drawing, kind)
        return [known[i] if i in known else made[i] for i in range(len(svgs))]

    def _many(self, svgs: list[str]) -> list[Drawing]:
        jobs = self.jobs or min(len(svgs), os.cpu_count() or 1)
        with progress(len(svgs), "Reading panels as vectors") as step:
            if jobs <= 1:
                drawings = []
                for svg in svgs:
                    drawings.append(_vectorize_svg(svg))
                    step()
                return drawings
            context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = [pool.submit(_vectorize_svg, svg) for svg in svgs]
                for future in as_completed(futures):
                    future.exception()  # wait; the results are read in order below
                    step()
                return [f.result() for f in futures]
