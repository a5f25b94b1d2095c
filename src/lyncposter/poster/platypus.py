"""reportlab's platypus, as the sheets use it: imported through here, without the one cost of
its import that lyncposter never uses.

When `reportlab.platypus.paragraph` is imported it compiles `uri_pat`, a pattern for splitting
long URIs at a line's end. Only styles with `uriWasteReduce` use it, and lyncposter's never set
it. Its character classes span the Basic Multilingual Plane and it ignores case, so Python
takes about 70 ms to compile it: a twentieth of a cold build of the main sheet. The same import
compiles `reportlab.lib.textsplit.rx` (CJK text, about 8 ms), which only `wordWrap="CJK"` uses.
Imported here, those two patterns are compiled when they are first used, and they behave as
compiled (a test holds them to the compiled patterns). Every other pattern compiles as reportlab asks.
"""

from __future__ import annotations

import re
import sys
from typing import Any

# how `reportlab.platypus.paragraph.uri_pat` begins; `reportlab.lib.textsplit.rx`, whole
DEFERRED = ("(^(?:[a-z0-9\\.\\-\\+]*)://)", "([\u2e80-\uffff])")


class DeferredPattern:
    """A regular expression compiled when it is first used; until then, only its source."""

    def __init__(self, pattern: str, flags: int):
        self.pattern, self.flags = pattern, flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self.pattern, self.flags)
        return getattr(self._compiled, name)


def _import_paragraph() -> None:
    if "reportlab.platypus.paragraph" in sys.modules:
        return
    compile_now = re.compile

    def compile_deferred(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(DEFERRED):
            return DeferredPattern(pattern, flags)
        return compile_now(pattern, flags)

    re.compile = compile_deferred  # type: ignore[assignment]
    try:
        import reportlab.platypus.paragraph  # noqa: F401
    finally:
        re.compile = compile_now


_import_paragraph()

from reportlab.platypus import Flowable, Frame, Spacer, Table, TableStyle, paragraph  # noqa: E402
from reportlab.platypus.doctemplate import LayoutError  # noqa: E402

__all__ = ["DEFERRED", "DeferredPattern", "Flowable", "Frame", "LayoutError", "Spacer", "Table", "TableStyle", "paragraph"]
