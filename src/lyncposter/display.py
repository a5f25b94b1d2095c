"""How a notebook shows the model's objects: the package registers the drawing here, so the
model knows nothing of drawing and loading the package does not load the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SVG: dict[str, Callable[[Any], str]] = {}  # class name → what draws one of its objects as SVG


def svg(thing: Any) -> str | None:
    """`thing` as SVG, where a drawing is registered for its kind; else None (the notebook shows its repr)."""
    draw = SVG.get(type(thing).__name__)
    return draw(thing) if draw is not None else None
