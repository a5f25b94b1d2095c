"""Golden DOT source per workload: every change to a panel's layout input is a reviewable diff.

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
