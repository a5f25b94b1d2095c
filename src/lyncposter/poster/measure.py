"""How well a sheet uses its paper: the share of it left blank.

The measure the benchmark and the tests print: the sheet rendered at 20 dpi (PDFium), cut into
half-inch squares; a square is blank when none of its pixels is darker than paper (grey level
`PAPER_LEVEL` or above, so anti-aliasing noise is not ink but the palest zone tint is).
"""

from __future__ import annotations

DPI = 20
SQUARE = 0.5  # inches
PAPER_LEVEL = 250  # 0 black .. 255 white


def blank_share(pdf: bytes, dpi: int = DPI, square: float = SQUARE) -> float:
    """The fraction of whole squares on the first page with no ink."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    side = max(1, round(dpi * square))
    width, height = image.size
    blank = total = 0
    for top in range(0, height - side + 1, side):
        for left in range(0, width - side + 1, side):
            darkest, _ = image.crop((left, top, left + side, top + side)).getextrema()
            total += 1
            blank += darkest >= PAPER_LEVEL
    return blank / total if total else 0.0
