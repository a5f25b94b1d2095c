"""Panels and sections → the printable PDF poster."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..export.files import write_atomic
from ..model import Dataset
from .compose import Sheet, compose
from .vector import render_and_vectorize
from .sizes import DEFAULT, NAMED, PaperSize, paper_size

__all__ = ["NAMED", "DEFAULT", "PaperSize", "PosterBuild", "build_poster", "poster_filename", "slug"]


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def poster_filename(data: Dataset, suffix: str = ".pdf") -> str:
    """`<slug>-v<version>.pdf`: the file name carries the one version too."""
    return f"{slug(data.poster.title)}-v{data.poster.version}{suffix}"


@dataclass(frozen=True)
class PosterBuild:
    path: Path
    sheet: Sheet


def build_poster(
    data: Dataset,
    out_dir: str | os.PathLike[str] = "output",
    size: str = DEFAULT,
    portrait: bool = False,
    unchecked: bool = False,
) -> PosterBuild:
    """Render every panel (in parallel), compose the sheet, and write it atomically."""
    paper = paper_size(size, portrait)
    panels, drawings = render_and_vectorize(data.workloads)
    sheet = compose(data, panels, paper, unchecked=unchecked, drawings=drawings)
    path = write_atomic(Path(out_dir) / poster_filename(data), sheet.pdf)
    return PosterBuild(path, sheet)
