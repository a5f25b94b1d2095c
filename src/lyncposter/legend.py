"""What the legend shows, derived from the data and the theme, for every output to draw.

The PDF poster and the HTML viewer draw the same entries, each in its own way.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import theme
from .model import Dataset, Zone


@dataclass(frozen=True)
class FamilyEntry:
    family: theme.Family
    protocols: tuple[str, ...]  # the labels the data uses, in order of first use


@dataclass(frozen=True)
class Legend:
    families: tuple[FamilyEntry, ...]
    zones: tuple[Zone, ...]
    icons: tuple[str, ...]


def legend(data: Dataset) -> Legend:
    """Only what the data uses: protocol families, zones, role icons."""
    by_family: dict[str, list[str]] = {}
    for flow in data.flows:
        labels = by_family.setdefault(flow.protocol.family, [])
        if flow.protocol.label not in labels:
            labels.append(flow.protocol.label)
    families = tuple(FamilyEntry(f, tuple(by_family[f.id])) for f in theme.FAMILIES.values() if f.id in by_family)
    roles = [r for w in data.workloads for r in w.roles]
    zones = tuple(sorted({r.zone for r in roles}, key=lambda z: z.order))
    icons = tuple(sorted({r.icon for r in roles}, key=list(theme.ICON_LABELS).index))
    return Legend(families, zones, icons)
