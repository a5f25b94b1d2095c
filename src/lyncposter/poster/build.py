"""Build the sheets `poster.yaml` lists: lay out and finish every panel once, compose each
sheet, write them all or none."""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable
from functools import partial
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache import PanelCache, SheetCache, code_fingerprint, environment_fingerprint
from ..changes import compare
from ..errors import RenderError
from ..files import write_atomic
from ..layout.engine import TIMEOUT
from ..firewall import firewall_view
from ..model import Dataset, SheetSpec, Workload
from ..naming import sheet_filename
from ..parallel import run_all, start
from .sizes import DEFAULT, INCH, PaperSize, Sheet, paper_size

if TYPE_CHECKING:
    from ..cache import SvgCache
    from ..render import Panel

__all__ = ["PosterBuild", "build_poster", "build_sheets"]


READABLE = 6.0  # points: below this a poster's text does not read on a wall
SPREADS = (1.6, 2.2, 2.8)  # how far apart a panel's roles may be spread for a taller box, tried in turn
SPREAD_WHEN_TALLER = 1.3  # a box this much taller than its panel is worth another layout


@dataclass(frozen=True)
class PosterBuild:
    path: Path
    sheet: Sheet
    spec: SheetSpec | None = None
    readable_at: str | None = None  # with text under READABLE: a --size that prints it at READABLE or more


def _larger(paper: PaperSize, smallest: float, target: float) -> PaperSize:
    """The paper grown in proportion until text of `smallest` would print at `target` (a tenth of an inch up)."""
    grow = target / smallest
    long, short = max(paper.width, paper.height) * grow / INCH, min(paper.width, paper.height) * grow / INCH
    return paper_size(f"{math.ceil(long * 10) / 10:g}x{math.ceil(short * 10) / 10:g}in", paper.height > paper.width)


def build_poster(
    data: Dataset,
    out_dir: str | os.PathLike[str] = "output",
    size: str = DEFAULT,
    portrait: bool = False,
    unchecked: bool = False,
    previous: Dataset | None = None,
) -> PosterBuild:
    """The main sheet (the first `poster.yaml` lists): render, compose, write atomically."""
    main = next((s for s in data.poster.sheets if s.main), None)
    return build_sheets(data, out_dir, size, portrait, unchecked, sheet_ids=(main.id,) if main else None, previous=previous)[0]


def _sheet_key(data: Dataset, spec: SheetSpec, paper: PaperSize, unchecked: bool, previous: Dataset | None) -> str:
    """Everything a composed sheet depends on: the code and its tools, the data, the sheet, the paper, the dates."""
    parts = [
        environment_fingerprint().hex(),
        code_fingerprint().hex(),
        data.fingerprint,
        repr(spec),
        repr(paper),
        str(unchecked),
        previous.fingerprint if previous is not None else "-",
        os.environ.get("SOURCE_DATE_EPOCH", "").strip(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def build_sheets(
    data: Dataset,
    out_dir: str | os.PathLike[str] = "output",
    size: str = DEFAULT,
    portrait: bool = False,
    unchecked: bool = False,
    sheet_ids: tuple[str, ...] | None = None,
    previous: Dataset | None = None,
    timeout: float = TIMEOUT,
    cache: PanelCache | None = None,
    min_text: float | None = None,
) -> list[PosterBuild]:
    """Build the sheets `poster.yaml` lists (or those named), each written atomically.

    Every panel any of them needs is laid out and finished once, in parallel; nothing is
    written until every sheet has composed, so a failure leaves all previous sheets as they were.
    With the `previous` version's data, the main sheet says what is new since. A sheet whose
    smallest text is under `min_text` points is an error (nothing written); one under READABLE
    comes back with the size that would print it at READABLE.
    """
    paper = paper_size(size, portrait)
    specs = [data.sheet(i) for i in sheet_ids] if sheet_ids else list(data.poster.sheets)
    sheets = SheetCache(cache.root) if cache is not None else None
    keys = {s.id: _sheet_key(data, s, paper, unchecked, previous) for s in specs} if sheets is not None else {}
    found = {i: sheets.get(k) for i, k in keys.items()} if sheets is not None else {}
    done = {i: s for i, s in found.items() if isinstance(s, _Composed)}
    if specs and len(done) == len(specs):  # nothing changed: the sheets as they were composed, same bytes
        composed = [(s, done[s.id]) for s in specs]
    else:
        composed = _compose_all(data, specs, paper, unchecked, previous, timeout, cache)
        if sheets is not None:
            for spec, made in composed:
                sheets.put(keys[spec.id], made)
    if min_text is not None:
        for spec, made in composed:
            if made.sheet.smallest_text < min_text:
                hint = f"; --size {made.readable_at} or larger prints it at {READABLE:g} pt" if made.readable_at else ""
                raise RenderError(
                    f"sheet '{spec.id}': its smallest text would print at {made.sheet.smallest_text:g} pt on {paper.description}, "
                    f"under --min-text {min_text:g}{hint}; nothing was written"
                )
    return [
        PosterBuild(write_atomic(Path(out_dir) / sheet_filename(data, spec), made.sheet.pdf), made.sheet, spec, made.readable_at)
        for spec, made in composed
    ]


@dataclass(frozen=True)
class _Composed:
    sheet: Sheet
    readable_at: str | None


def load_composing() -> None:
    """Load what composing a sheet needs (reportlab, the sheet's code, the fonts) and Graphviz's
    package, for a process that would otherwise wait: while its data is read and checked
    elsewhere (`findings.check_ahead`). A build loads them anyway; without a wait, it loads
    them while Graphviz lays out the panels."""
    import importlib

    from ..fonts import register

    importlib.import_module(f"{__package__}.compose")  # its imports are the point: reportlab's platypus and pdfgen
    register()
    importlib.import_module("lyncposter.layout.dot")  # graphviz: the process that lays out the edited panel starts with it


def _compose_all(
    data: Dataset, specs: list[SheetSpec], paper: PaperSize, unchecked: bool, previous: Dataset | None, timeout: float, cache: PanelCache | None
) -> list[tuple[SheetSpec, _Composed]]:
    from ..cache import SvgCache
    from ..fonts import register
    from ..render import known_panels, render_panels, render_rules
    from . import qr

    changes = compare(previous, data) if previous is not None else None
    views = {s.id: firewall_view(data, s) for s in specs if s.kind == "firewall"}
    needed: dict[str, Workload] = {}
    for spec in specs:
        chosen = views[spec.id].drawings if spec.kind == "firewall" else [w for w in data.workloads if w.id in spec.workloads]
        for workload in chosen:
            needed.setdefault(workload.id, workload)
    svgs = SvgCache(cache.root) if cache is not None else None
    # the workload panels: those the cache keeps are read here; the others are laid out by
    # Graphviz in another process. Meanwhile this one loads what composing needs and measures
    # the main sheet's sections, and a third process encodes the QR code every sheet shows, on
    # what time the two leave a core. A firewall sheet's rule drawings (three columns, no
    # Graphviz) are made where that sheet is composed.
    rules = {w.id for view in views.values() for w in view.drawings}
    laid_out = [w for w in needed.values() if w.id not in rules]
    kept = known_panels(laid_out, svgs) if svgs is not None else [None] * len(laid_out)
    missing = [w for w, panel in zip(laid_out, kept) if panel is None]
    pending = start(partial(render_panels, missing, timeout=timeout, cache=svgs)) if missing else None
    code = qr.begin(data.poster.home_url, cache)
    order = sorted(range(len(specs)), key=lambda i: not specs[i].main)  # the main sheet (the longest) here
    try:
        from .compose import SectionPlans, compose, compose_firewall, smallest_text  # reportlab: while Graphviz works

        register()
        first = specs[order[0]] if specs else None
        plans = None
        if first is not None and first.kind != "firewall":
            plans = SectionPlans(data.only(first.workloads), paper, (data.poster.news or changes) if first.main else None, cache)
            if pending is not None:
                plans.ahead(lambda: not pending.ready())
        made = pending.result() if pending is not None else []
    except BaseException:
        if code is not None:
            code.cancel()
        raise
    finally:
        if pending is not None:
            pending.cancel()
    laid = iter(made)
    rendered = {w.id: panel if panel is not None else next(laid) for w, panel in zip(laid_out, kept)}

    def spread(panels: list[Panel], boxes: list[tuple[float, float]]) -> list[Panel]:
        return spread_to_fit(panels, boxes, needed, timeout, svgs)

    def one(spec: SheetSpec) -> _Composed:
        if spec.kind == "firewall":
            view = views[spec.id]
            if not view.rule_sets:
                raise RenderError(f"sheet '{spec.id}': no flow of its workloads crosses a firewall, so it has no rules to show")
            drawings = [render_rules(w, w.id.removeprefix("firewall-")) for w in view.drawings]
            legend_data = replace(view.facts, workloads=view.drawings)  # the legend shows what the drawings use

            def make(on: PaperSize) -> Sheet:
                return compose_firewall(legend_data, view.facts.workloads, view.rule_sets, drawings, on, unchecked, spec.title)

            def measure(on: PaperSize) -> float:
                return make(on).smallest_text
        else:
            facts = data.only(spec.workloads)
            panels = [rendered[w.id] for w in facts.workloads]
            news = (data.poster.news or changes) if spec.main else None  # the changelog's words, else the facts that changed

            def make(on: PaperSize) -> Sheet:
                return compose(facts, panels, on, unchecked, spec.title, news, cache, spread, plans if spec is first and on == paper else None)

            def measure(on: PaperSize) -> float:
                return smallest_text(facts, panels, on, news, cache)

        sheet = make(paper)
        return _Composed(sheet, _readable_at(measure, paper, sheet.smallest_text))

    # the sheets compose at once, one process per core, the main sheet (the longest) here
    done = run_all([partial(one, specs[i]) for i in order])
    return [(specs[i], done[order.index(i)]) for i in range(len(specs))]


def spread_to_fit(
    panels: list[Panel], boxes: list[tuple[float, float]], workloads: dict[str, Workload], timeout: float = TIMEOUT, cache: SvgCache | None = None
) -> list[Panel]:
    """For a box much taller than its panel (points at 100 %), the panel laid out with its roles
    spread apart, as far as it still fits the box: the space goes between the roles, not around
    them. Other panels come back as they were."""
    from ..render import render_panels

    chosen = list(panels)
    candidates = [i for i, (p, (_, h)) in enumerate(zip(panels, boxes)) if h >= p.height * SPREAD_WHEN_TALLER]
    for factor in SPREADS:
        if not candidates:
            break
        made = render_panels([workloads[panels[i].workload_id] for i in candidates], timeout=timeout, cache=cache, spread=factor)
        fitting = [(i, p) for i, p in zip(candidates, made) if p.width <= boxes[i][0] + 0.5 and p.height <= boxes[i][1] + 0.5]
        for i, variant in fitting:
            chosen[i] = variant
        candidates = [i for i, _ in fitting]
    return chosen


def _readable_at(measure: Callable[[PaperSize], float], paper: PaperSize, smallest: float) -> str | None:
    """For text under READABLE, the paper (as --size) on which it reaches READABLE, checked by composing there."""
    if smallest >= READABLE:
        return None
    larger = paper
    for _ in range(4):
        larger = _larger(larger, smallest, READABLE)
        smallest = measure(larger)
        if smallest >= READABLE:
            break
    return larger.name
