"""A dense, readable wall poster: large text, little blank paper, no text over text; and a
poster too small to read says so, or is refused."""

from __future__ import annotations

import re

import pytest

import lyncposter
from lyncposter.cli import main
from lyncposter.poster import build_sheets
from lyncposter.poster.measure import blank_share
from conftest import DATA, overlaps, text_boxes

SMALLEST_AT_ARCH_E = 7.0  # points
MOST_BLANK_AT_ARCH_E = 0.11
MOST_BLANK_OTHER_SHEETS = 0.20  # the firewall and Mobility sheets


@pytest.fixture(scope="module")
def wall(tmp_path_factory):
    """The main sheet as `make poster` builds it: ARCH E, with What's new since the previous version."""
    data = lyncposter.load(DATA)
    from lyncposter.findings import previous_version

    previous, _ = previous_version(data, DATA)
    (built,) = build_sheets(data, tmp_path_factory.mktemp("wall"), sheet_ids=("workloads",), previous=previous)
    return built


def test_text_is_large_and_the_paper_used(wall):
    assert wall.sheet.smallest_text >= SMALLEST_AT_ARCH_E
    assert blank_share(wall.path.read_bytes()) <= MOST_BLANK_AT_ARCH_E
    assert wall.readable_at is None


def test_no_two_text_boxes_overlap(wall):
    words = text_boxes(wall.path)
    assert len(words) > 2000  # the whole sheet's text, not an empty extraction
    assert overlaps(words) == []


def test_the_overlap_check_sees_text_over_text():
    # two words drawn over each other, and two side by side
    words = [(10.0, 10.0, 60.0, 20.0, "SIP/TLS:5061"), (30.0, 12.0, 80.0, 22.0, "HTTPS:443"), (100.0, 10.0, 140.0, 20.0, "ok"), (141.0, 10.0, 170.0, 20.0, "fine")]
    assert overlaps(words) == [("SIP/TLS:5061", "HTTPS:443")]


def test_small_papers_build_and_say_what_would_read(tmp_path, capsys):
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path / "a1"), "--sheet", "workloads", "--size", "a1"]) == 0
    capsys.readouterr()
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path / "tabloid"), "--sheet", "workloads", "--size", "tabloid"]) == 0
    err = capsys.readouterr().err
    size = re.search(r"warning: workloads: text at [\d.]+ pt is too small to read on a wall; --size (\S+) would print it at 6 pt", err)
    assert size, err
    # the size named is one where it does read
    out = tmp_path / "suggested"
    assert main(["build", "--data", str(DATA), "--out", str(out), "--sheet", "workloads", "--size", size.group(1)]) == 0
    err = capsys.readouterr().err
    assert float(re.search(r"smallest text ([\d.]+) pt", err).group(1)) >= 6.0 and "warning" not in err  # type: ignore[union-attr]


def test_a_huge_workload_warns_and_min_text_refuses(data_copy, tmp_path, capsys):
    """Three hundred flows in one workload: the build warns; with --min-text 6 it refuses and keeps the last poster."""
    roles = [r.id for r in lyncposter.load(data_copy.root).catalog.roles]
    pairs = [(a, b) for a in roles for b in roles if a != b][::17][:100]
    lines = ["id: big", "title: A very large workload", "description: Three hundred flows.", "flows:"]
    for i in range(300):
        a, b = pairs[i % len(pairs)]
        lines += [f"  - from: {a}", f"    to: {b}", "    protocol: smb", "    transport: TCP", f"    ports: {20000 + i}", f"    description: flow {i}", "    source: [GEN]"]
    data_copy.path("flows/big.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    data_copy.replace("poster.yaml", "  - cms-replication\n", "  - cms-replication\n  - big\n")
    args = ["build", "--data", str(data_copy.root), "--out", str(tmp_path / "out"), "--sheet", "workloads"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert re.search(r"warning: workloads: text at [\d.]+ pt is too small to read on a wall; --size \S+ would print it at 6 pt", err), err
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    before = pdf.read_bytes()
    data_copy.replace("flows/big.yaml", "description: flow 0\n", "description: flow zero\n")  # a change: the sheet is made again
    assert main([*args, "--min-text", "6"]) == 1
    err = capsys.readouterr().err
    assert "under --min-text 6" in err and "nothing was written" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3  # warnings from the checks, then one line
    assert pdf.read_bytes() == before


def test_no_text_over_text_on_the_other_sheets_and_little_blank(tmp_path):
    data = lyncposter.load(DATA)
    for built in build_sheets(data, tmp_path, sheet_ids=("firewall", "mobility")):
        assert overlaps(text_boxes(built.path)) == [], built.path.name
        assert blank_share(built.path.read_bytes()) <= MOST_BLANK_OTHER_SHEETS, built.path.name
        assert built.sheet.smallest_text >= SMALLEST_AT_ARCH_E, built.path.name


def test_a_much_taller_box_gets_the_roles_spread_apart():
    """A panel given a box much taller than it needs is laid out again with its roles spread over
    the height, as far as it still fits; a box about its own size keeps the panel as it is."""
    from lyncposter.poster.build import SPREAD_WHEN_TALLER, spread_to_fit
    from lyncposter.render import render_panels

    data = lyncposter.load(DATA)
    workloads = {w.id: w for w in data.workloads}
    panels = render_panels([workloads["enterprise-voice"], workloads["cac"]])
    ev, cac = panels
    boxes = [(ev.width, ev.height * 1.6), (cac.width, cac.height * (SPREAD_WHEN_TALLER - 0.1))]
    spread, same = spread_to_fit(panels, boxes, workloads)
    assert same is cac
    assert ev.height < spread.height <= boxes[0][1] + 0.5 and spread.width <= boxes[0][0] + 0.5
    assert "nodesep=0.32" in ev.dot and "nodesep=0.32" not in spread.dot
    words = lambda p: sorted(re.findall(r">([^<>]+)</text>", p.svg))  # noqa: E731
    assert words(spread) == words(ev)  # the same roles and labels, only placed apart
