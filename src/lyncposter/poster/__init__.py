"""Panels and sections → the printable PDF sheets: the workloads poster, the firewall poster, and any
other sheet `poster.yaml` lists."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from typing import TYPE_CHECKING

from ..cache import PanelCache
from ..changes import compare
from ..errors import RenderError
from ..files import write_atomic
from ..layout.engine import TIMEOUT
from ..firewall import RuleSet, firewall_rules, rule_workload
from ..model import Dataset, SheetSpec, Workload
from ..naming import poster_filename, sheet_filename, slug
from .sizes import DEFAULT, NAMED, PaperSize, paper_size

if TYPE_CHECKING:  # reportlab and svglib load when a sheet is built, not when a command only reads data
    from .compose import Sheet

__all__ = [
    "NAMED",
    "DEFAULT",
    "PaperSize",
    "PosterBuild",
    "build_poster",
    "build_sheets",
    "poster_filename",
    "sheet_filename",
    "slug",
]


@dataclass(frozen=True)
class PosterBuild:
    path: Path
    sheet: Sheet
    spec: SheetSpec | None = None


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


@dataclass(frozen=True)
class _FirewallView:
    """A firewall sheet's facts: its workloads, the rule sets of the firewalls they cross, their drawings."""

    facts: Dataset
    rule_sets: tuple[RuleSet, ...]
    drawings: tuple[Workload, ...]


def _firewall_view(data: Dataset, sheet: SheetSpec) -> _FirewallView:
    facts = data.only(sheet.workloads)
    rule_sets = tuple(r for r in firewall_rules(facts) if r.rules)
    return _FirewallView(facts, rule_sets, tuple(rule_workload(r, data.catalog) for r in rule_sets))


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
) -> list[PosterBuild]:
    """Build the sheets `poster.yaml` lists (or those named), each written atomically.

    Every panel any of them needs is laid out and vectorized once, in parallel; nothing is
    written until every sheet has composed, so a failure leaves all previous sheets as they were.
    With the `previous` version's data, the main sheet says what is new since.
    """
    from .compose import compose, compose_firewall
    from .vector import render_and_vectorize

    changes = compare(previous, data) if previous is not None else None
    paper = paper_size(size, portrait)
    specs = [data.sheet(i) for i in sheet_ids] if sheet_ids else list(data.poster.sheets)
    views = {s.id: _firewall_view(data, s) for s in specs if s.kind == "firewall"}
    needed: dict[str, Workload] = {}
    for spec in specs:
        chosen = views[spec.id].drawings if spec.kind == "firewall" else [w for w in data.workloads if w.id in spec.workloads]
        for workload in chosen:
            needed.setdefault(workload.id, workload)
    rendered = dict(zip(needed, zip(*render_and_vectorize(needed.values(), timeout=timeout, cache=cache)))) if needed else {}
    composed = []
    for spec in specs:
        if spec.kind == "firewall":
            view = views[spec.id]
            if not view.rule_sets:
                raise RenderError(f"sheet '{spec.id}': no flow of its workloads crosses a firewall, so it has no rules to show")
            panels = [rendered[w.id][0] for w in view.drawings]
            drawings = [rendered[w.id][1] for w in view.drawings]
            legend_data = replace(view.facts, workloads=view.drawings)  # the legend shows what the drawings use
            sheet = compose_firewall(legend_data, view.facts.workloads, view.rule_sets, panels, paper, unchecked, drawings, spec.title)
        else:
            facts = data.only(spec.workloads)
            panels = [rendered[w.id][0] for w in facts.workloads]
            drawings = [rendered[w.id][1] for w in facts.workloads]
            sheet = compose(facts, panels, paper, unchecked, drawings, spec.title, changes if spec.main else None)
        composed.append((spec, sheet))
    return [PosterBuild(write_atomic(Path(out_dir) / sheet_filename(data, spec), sheet.pdf), sheet, spec) for spec, sheet in composed]
