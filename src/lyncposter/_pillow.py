"""Pillow's Image module, loaded where it is first used rather than where reportlab loads.

reportlab imports `PIL.Image` as it starts (`reportlab.lib.utils`), about 30 ms of every
process that draws a sheet, but uses it only for bitmap images, and lyncposter's drawings
have none: icons, panels and the QR code are vector paths. `defer` registers the module
with importlib's `LazyLoader`: its first use of any name (reading a PNG back, or any code
beside lyncposter that uses Pillow) loads it whole, and from then on it is the module as
Pillow makes it.
"""

from __future__ import annotations

import importlib.util
import sys

MODULE = "PIL.Image"


def defer() -> None:
    """Register Pillow's Image module to load on first use; nothing where it is loaded already
    or where Pillow is not installed."""
    if MODULE in sys.modules:
        return
    try:
        import PIL
    except ImportError:
        return
    spec = importlib.util.find_spec(MODULE)
    if spec is None or spec.loader is None:
        return
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[MODULE] = module
    loader.exec_module(module)
    # `from PIL import Image` takes the package's attribute: set, it does not look at the
    # module (which would load it)
    PIL.Image = module  # type: ignore[attr-defined]


def loaded() -> bool:
    """Whether Pillow's Image module has been loaded in this process (not just registered)."""
    module = sys.modules.get(MODULE)
    return module is not None and type(module).__name__ != "_LazyModule"
