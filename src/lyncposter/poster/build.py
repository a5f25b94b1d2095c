"""Build the sheets `poster.yaml` lists: lay out and vectorise every panel once, compose each
sheet, write them all or none."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from ..cache import PanelCache, SheetCache, code_fingerprint, environment_fingerprint
from ..changes import compare
from ..errors import RenderError
from ..files import write_atomic
from ..layout.engine import TIMEOUT
from ..firewall import RuleSet, firewall_rules, rule_workload
from ..model import Dataset, SheetSpec, Workload
from ..naming import sheet_filename
from .sizes import DEFAULT, PaperSize, Sheet, paper_size

__all__ = ["PosterBuild", "build_poster", "build_sheets"]


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
) -> list[PosterBuild]:
    """Build the sheets `poster.yaml` lists (or those named), each written atomically.

    Every panel any of them needs is laid out and vectorized once, in parallel; nothing is
    written until every sheet has composed, so a failure leaves all previous sheets as they were.
    With the `previous` version's data, the main sheet says what is new since.
    """
    paper = paper_size(size, portrait)
    specs = [data.sheet(i) for i in sheet_ids] if sheet_ids else list(data.poster.sheets)
    sheets = SheetCache(cache.root) if cache is not None else None
    keys = {s.id: _sheet_key(data, s, paper, unchecked, previous) for s in specs} if sheets is not None else {}
    found = {i: sheets.get(k) for i, k in keys.items()} if sheets is not None else {}
    done = {i: s for i, s in found.items() if isinstance(s, Sheet)}
    if specs and len(done) == len(specs):  # nothing changed: the sheets as they were composed, same bytes
        return [PosterBuild(write_atomic(Path(out_dir) / sheet_filename(data, s), done[s.id].pdf), done[s.id], s) for s in specs]

    from .compose import compose, compose_firewall
    from .vector import render_and_vectorize

    changes = compare(previous, data) if previous is not None else None
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
        if sheets is not None:
            sheets.put(keys[spec.id], sheet)
    return [PosterBuild(write_atomic(Path(out_dir) / sheet_filename(data, spec), sheet.pdf), sheet, spec) for spec, sheet in composed]
