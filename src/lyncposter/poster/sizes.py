"""Paper sizes: names, or custom `WxHin` / `WxHmm`, in points (72 per inch)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UsageError

INCH = 72.0
MM = 72.0 / 25.4


@dataclass(frozen=True)
class PaperSize:
    name: str
    width: float  # points, as printed (orientation applied)
    height: float

    @property
    def description(self) -> str:
        return f"{self.name} ({self.width / INCH:.4g} x {self.height / INCH:.4g} in)"


# Named sizes, given landscape (long side first).
NAMED: dict[str, tuple[float, float]] = {
    "arch-e": (48 * INCH, 36 * INCH),
    "arch-d": (36 * INCH, 24 * INCH),
    "a0": (1189 * MM, 841 * MM),
    "a1": (841 * MM, 594 * MM),
    "tabloid": (17 * INCH, 11 * INCH),
}
DEFAULT = "arch-e"
PAPERS = {"letter": (8.5 * INCH, 11 * INCH), "a4": (210 * MM, 297 * MM)}  # home printers' paper, for tiles
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|in|pt)$")


def parse_length(text: str) -> float:
    """`10mm`, `0.5in` or `12pt` in points."""
    match = _LENGTH.match(text.strip().lower())
    if not match:
        raise UsageError(f"cannot read the length '{text}'; write it like 10mm, 0.5in or 12pt")
    value = float(match.group(1))
    return value * {"mm": MM, "in": INCH, "pt": 1.0}[match.group(2)]
_CUSTOM = re.compile(r"^(\d+(?:\.\d+)?)x(\d+(?:\.\d+)?)(in|mm)$")


def paper_size(spec: str = DEFAULT, portrait: bool = False) -> PaperSize:
    """`arch-e`, `a0`, ... or `30x20in`, `900x600mm`; landscape unless `portrait`."""
    key = spec.strip().lower()
    if key in NAMED:
        long, short = NAMED[key]
        name = key
    else:
        match = _CUSTOM.match(key)
        if not match:
            raise UsageError(
                f"unknown paper size '{spec}'; use one of {', '.join(NAMED)}, or WxHin / WxHmm such as 30x20in"
            )
        unit = INCH if match.group(3) == "in" else MM
        a, b = float(match.group(1)) * unit, float(match.group(2)) * unit
        if min(a, b) < 4 * INCH:
            raise UsageError(f"paper size '{spec}' is too small for a poster; the short side must be at least 4 in")
        long, short = max(a, b), min(a, b)
        name = key
    width, height = (short, long) if portrait else (long, short)
    return PaperSize(name, round(width, 3), round(height, 3))


@dataclass(frozen=True)
class Sheet:
    """A composed sheet: its PDF, and what the build reports of it (paper, panel scale, smallest text)."""

    pdf: bytes
    paper: PaperSize
    panel_scale: float
    smallest_text: float
