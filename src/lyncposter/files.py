"""Reading inputs with one clear line when they cannot be read; writing outputs so that a failed
run never leaves a half-written or clobbered file."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError


def read_text(path: str | os.PathLike[str], not_text: str, error: type[UsageError] = UsageError, encoding: str = "utf-8") -> str:
    """A text file's contents, or `error` with one line: that it cannot be read, or that it is not
    text (`not_text` says what it should be)."""
    try:
        return Path(path).read_text(encoding)
    except OSError as exc:
        raise error(f"{path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise error(f"{path}: {not_text}") from None


def write_atomic(path: str | os.PathLike[str], data: bytes | str, mode: int = 0o644) -> Path:
    """Write to a temporary file beside `path`, then rename it over `path`.

    The temporary file is created readable by its owner only, so a private key
    (`mode=0o600`) is never readable by others, not even for a moment.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # loaded when something is written, not by every command

        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write here ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
