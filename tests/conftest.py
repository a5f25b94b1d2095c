"""Shared fixtures: the shipped dataset, and editable copies of it for breaking."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import lyncposter
from lyncposter.model import Dataset

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "workloads"
VERSION = lyncposter.load(DATA).poster.version  # the tests follow the data's one version


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return lyncposter.load(DATA)


@dataclass
class DataCopy:
    """A copy of the shipped data directory that a test may edit."""

    root: Path

    def path(self, name: str) -> Path:
        return self.root / name

    def text(self, name: str) -> str:
        return self.path(name).read_text("utf-8")

    def locate(self, name: str, needle: str) -> tuple[int, int]:
        """(line, column) of the first `needle` in file `name`, from 1."""
        text = self.text(name)
        assert needle in text, f"{needle!r} not in {name}"
        at = text.index(needle)
        return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1

    def replace(self, name: str, old: str, new: str, count: int = 1) -> tuple[int, int]:
        """Replace the first `old` in file `name`; return (line, column) where it stood."""
        where = self.locate(name, old)
        self.path(name).write_text(self.text(name).replace(old, new, count), "utf-8")
        return where


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataCopy:
    root = tmp_path / "workloads"
    shutil.copytree(DATA, root)
    monkeypatch.chdir(tmp_path)  # messages name files relative to the working directory
    return DataCopy(root)


def text_boxes(pdf: Path) -> list[tuple[float, float, float, float, str]]:
    """Every word on the first page with its box, as pdftotext -bbox reads it."""
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
                (ax0, ay0, ax1, ay1, _), (bx0, by0, bx1, by1, _) = words[i], words[j]
                w, h = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
                if w <= 0 or h <= 0:
                    continue
                smaller = min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0))
                if smaller > 0 and w * h > share * smaller:
                    found.add((min(i, j), max(i, j)))
    return [(words[i][4], words[j][4]) for i, j in sorted(found)]
