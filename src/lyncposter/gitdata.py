"""A data directory as it was at a git revision, read without touching the work tree.

`lyncposter diff --rev v6.0` and the poster's "What's new" box compare the data with
an earlier version of itself; git keeps that version. The files are read with
`git show REV:PATH` into a temporary directory and loaded like any other.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from .cache import DataCache, code_fingerprint
from .errors import UsageError

if TYPE_CHECKING:  # loaded with a revision's data, not to ask git for a revision's id
    from .model import Dataset


def _git(args: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed; install it, or compare two data directories instead") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"git {' '.join(args[:2])}: {detail[-1] if detail else 'failed'}")
    return result.stdout


def revision_id(data_dir: str | os.PathLike[str], rev: str) -> str:
    """The git object id of the data directory at `rev`: the same id, the same data."""
    data = Path(data_dir).resolve()
    return _git(["rev-parse", f"{rev}:./"], data).decode().strip()


def load_revision(data_dir: str | os.PathLike[str], rev: str, cache: DataCache | None = None, tree: str | None = None) -> Dataset:
    """The dataset in `data_dir` as it was at git revision `rev` (from the cache when it has it;
    `tree` is the revision's id when the caller has asked git for it already)."""
    data = Path(data_dir).resolve()
    if not data.is_dir():
        raise UsageError(f"{data_dir}: no such data directory")
    key = ""
    if cache is not None:
        key = hashlib.sha256(code_fingerprint() + b"git tree " + (tree or revision_id(data_dir, rev)).encode()).hexdigest()
        from .model import Dataset

        found = cache.get(key)
        if isinstance(found, Dataset):
            return found
    loaded = _load_revision(data, rev)
    if cache is not None:
        cache.put(key, loaded)
    return loaded


def _load_revision(data: Path, rev: str) -> Dataset:
    top = Path(_git(["rev-parse", "--show-toplevel"], data).decode().strip())
    inside = data.relative_to(top).as_posix()
    listing = _git(["ls-tree", "-r", "-z", rev, "--", inside], top).split(b"\0")
    entries = [line.decode().split("\t", 1) for line in listing if line]
    blobs = [(meta.split()[2], name) for meta, name in entries if meta.split()[1] == "blob"]
    if not blobs:
        raise UsageError(f"no data at {inside}/ in git revision {rev}")
    # every file in one git process: `cat-file --batch` answers "<id> blob <size>\n<bytes>\n" per id
    out = _git(["cat-file", "--batch"], top, stdin="".join(f"{blob}\n" for blob, _ in blobs).encode())
    import tempfile

    from .load import load

    with tempfile.TemporaryDirectory(prefix="lyncposter-rev-") as tmp:
        root = Path(tmp) / Path(inside).name
        at = 0
        for _, name in blobs:
            header_end = out.index(b"\n", at)
            size = int(out[at:header_end].split()[2])
            target = root / Path(name).relative_to(inside)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out[header_end + 1 : header_end + 1 + size])
            at = header_end + 1 + size + 1
        return load(root)
