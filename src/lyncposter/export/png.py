"""SVG → PNG, for slides and documents that cannot take vector images."""

from __future__ import annotations

DEFAULT_DPI = 150


def svg_to_png(svg: str, dpi: float = DEFAULT_DPI) -> bytes:
    import cairosvg  # imported here: it costs a fifth of a second of every command's start-up

    # panels are sized in points; at `dpi` one point becomes dpi/72 pixels
    return bytes(cairosvg.svg2png(bytestring=svg.encode("utf-8"), dpi=dpi))


def pdf_to_png(pdf: bytes, dpi: float) -> bytes:
    """The first page of a PDF as a PNG at `dpi` (PDFium renders; Pillow encodes)."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
