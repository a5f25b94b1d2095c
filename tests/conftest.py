"""Shared fixtures: the shipped dataset, and editable copies of it for breaking."""

from __future__ import annotations

import shutil
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
