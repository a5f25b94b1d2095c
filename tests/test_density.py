"""A dense, readable wall poster: large text, little blank paper, no text over text; and a
poster too small to read says so, or is refused."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import lyncposter
from lyncposter.cli import main
from lyncposter.poster import build_sheets
from lyncposter.poster.measure import blank_share
from conftest import DATA

SMALLEST_AT_ARCH_E = 7.0  # points
MOST_BLANK_AT_ARCH_E = 0.15


@pytest.fixture(scope="module")
def wall(tmp_path_factory):
    """The main sheet as `make poster` builds it: ARCH E, with What's new since the previous version."""
    data = lyncposter.load(DATA)
    from lyncposter.cli import _previous

    (built,) = build_sheets(data, tmp_path_factory.mktemp("wall"), sheet_ids=("workloads",), previous=_previous(data, str(DATA)))
    return built


def test_text_is_large_and_the_paper_used(wall):
    assert wall.sheet.smallest_text >= SMALLEST_AT_ARCH_E
    assert blank_share(wall.path.read_bytes()) <= MOST_BLANK_AT_ARCH_E
    assert wall.readable_at is None


def _words(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [
        (float(a), float(b), float(c), float(d), w)
        for a, b, c, d, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out)
    ]


def overlaps(words: list[tuple[float, float, float, float, str]], share: float = 0.2) -> list[tuple[str, str]]:
    """Pairs of words whose boxes share more than `share` of the smaller box (a grid finds the candidates)."""
    cell = 40.0
    grid: dict[tuple[int, int], list[int]] = {}
    for i, (x0, y0, x1, y1, _) in enumerate(words):
        for gx in range(int(x0 // cell), int(x1 // cell) + 1):
            for gy in range(int(y0 // cell), int(y1 // cell) + 1):
                grid.setdefault((gx, gy), []).append(i)
    found = set()
    for members in grid.values():
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                i, j = members[a], members[b]
                (ax0, ay0, ax1, ay1, aw), (bx0, by0, bx1, by1, bw) = words[i], words[j]
                w, h = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
                if w <= 0 or h <= 0:
                    continue
                smaller = min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0))
                if smaller > 0 and w * h > share * smaller:
                    found.add((min(i, j), max(i, j)))
    return [(words[i][4], words[j][4]) for i, j in sorted(found)]


def test_no_two_text_boxes_overlap(wall):
    words = _words(wall.path)
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
