"""Painters: a `drawing.Drawing` as SVG text (`svg.py`) or on a reportlab canvas (`pdf.py`)."""
