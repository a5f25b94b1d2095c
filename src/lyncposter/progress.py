"""Progress on stderr: a bar when a person is watching a terminal, nothing otherwise.

Commands that lay out many panels or cut many tiles say how far they are, so a long
build does not look hung; in a pipe, a log or CI they stay silent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

FEW = 3  # up to this many steps, no bar


@contextmanager
def progress(total: int, what: str) -> Iterator[Callable[[], None]]:
    """A callable that marks one step done; a rich progress bar on a terminal's stderr."""
    if total <= FEW or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rich.console import Console

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=total)
        yield lambda: bar.advance(task)
