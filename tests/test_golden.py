"""Golden DOT source and finished geometry per workload: every change to a panel's layout input or its layout is a reviewable diff.

Refresh deliberately with `make golden` (LYNCPOSTER_ACCEPT=1), then read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lyncposter.layout import workload_dot
from conftest import DATA

GOLDEN = Path(__file__).parent / "golden"
IDS = sorted(p.stem for p in (DATA / "flows").glob("*.yaml"))


@pytest.mark.parametrize("workload_id", IDS)
def test_dot_matches_golden(dataset, workload_id):
    source = workload_dot(dataset.workload(workload_id))
    golden = GOLDEN / f"{workload_id}.dot"
    if os.environ.get("LYNCPOSTER_ACCEPT"):
        golden.write_text(source, "utf-8")
    assert golden.is_file(), f"no golden file yet: run `make golden` and review {golden}"
    assert source == golden.read_text("utf-8"), f"{workload_id} changed: review, then `make golden`"


def _geometry_text(panel) -> str:
    """A panel's finished geometry, a line per thing, to a tenth of a point: what every painter draws from."""
    g = panel.geometry

    def n(*values: float) -> str:
        return " ".join(f"{v:.1f}" for v in values)

    lines = [f"panel {n(panel.width, panel.height)}"]
    lines += [f"role {k} {n(v.x, v.y, v.width, v.height)}" for k, v in sorted(g.roles.items())]
    lines += [f"zone {k} {n(v.x, v.y, v.width, v.height)}" for k, v in sorted(g.zones.items())]
    lines += [f"firewall {k} {n(v)}" for k, v in sorted(g.firewalls.items())]
    lines += [f"route {x.connection_id} {x.tail} -> {x.head} {x.arrows} {x.label!r}: " + " ".join(n(*p) for p in x.points) for x in g.routes]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("workload_id", IDS)
def test_geometry_matches_golden(panels_by_id, workload_id):
    """The layout as read back from Graphviz and finished (zones levelled, walls placed): a change
    of Graphviz or of the finishing steps is a reviewable diff too."""
    text = _geometry_text(panels_by_id[workload_id])
    golden = GOLDEN / f"{workload_id}.geometry"
    if os.environ.get("LYNCPOSTER_ACCEPT"):
        golden.write_text(text, "utf-8")
    assert golden.is_file(), f"no golden file yet: run `make golden` and review {golden}"
    assert text == golden.read_text("utf-8"), f"{workload_id}'s geometry changed: review, then `make golden`"


@pytest.fixture(scope="module")
def panels_by_id(dataset):
    from lyncposter.render import render_panels

    return {p.workload_id: p for p in render_panels(dataset.workloads)}
