"""Output file names, from the data: `<slug of the title>-v<version>.pdf` and its siblings."""

from __future__ import annotations

import re

from .model import Dataset, SheetSpec


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def poster_filename(data: Dataset, suffix: str = ".pdf") -> str:
    """`<slug>-v<version>.pdf`: the file name carries the one version too."""
    return f"{slug(data.poster.title)}-v{data.poster.version}{suffix}"


def sheet_filename(data: Dataset, sheet: SheetSpec, suffix: str = ".pdf") -> str:
    """The first sheet keeps the poster's name; another adds its id: `<slug>-firewall-v6.0.pdf`."""
    if sheet.main:
        return poster_filename(data, suffix)
    return f"{slug(data.poster.title)}-{sheet.id}-v{data.poster.version}{suffix}"
