"""SVG → PNG, for slides and documents that cannot take vector images."""

from __future__ import annotations

DEFAULT_DPI = 150


def svg_to_png(svg: str, dpi: float = DEFAULT_DPI) -> bytes:
    import cairosvg  # imported here: it costs a fifth of a second of every command's start-up

    # panels are sized in points; at `dpi` one point becomes dpi/72 pixels
    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8"), dpi=dpi))
