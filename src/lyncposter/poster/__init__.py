"""Panels and sections → the printable PDF sheets: the workloads poster, the firewall poster, and any
other sheet `poster.yaml` lists.

build.py builds the sheets, compose.py lays one out, packing.py places its panels, sections.py
writes its text, sizes.py names the papers; panels are painted with paint/pdf.py. Loaded on
first use, so the paper sizes the command line offers cost nothing to ask for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_attributes
from ..naming import poster_filename, sheet_filename, slug
from .sizes import DEFAULT, NAMED, PaperSize

if TYPE_CHECKING:
    from .build import PosterBuild, build_poster, build_sheets

__getattr__ = lazy_attributes(__name__, {"PosterBuild": ".build", "build_poster": ".build", "build_sheets": ".build"})

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
