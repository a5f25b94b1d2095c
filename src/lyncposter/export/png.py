"""SVG → PNG, for slides and documents that cannot take vector images."""

from __future__ import annotations

import cairosvg

DEFAULT_DPI = 150


def svg_to_png(svg: str, dpi: float = DEFAULT_DPI) -> bytes:
    # panels are sized in points; at `dpi` one point becomes dpi/72 pixels
    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8"), dpi=dpi))
