"""What `check`, `build` and `watch` start from: the data, every finding, and the previous version.

The previous version's data (`previous` in poster.yaml, read from git, or a directory given)
feeds the version checks (VERSION-BUMP) and What's new. Findings are kept in the cache, keyed
by the data files, the previous version's git tree and the code, so an unchanged dataset is
not checked again.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DataError, Problem, UsageError

if TYPE_CHECKING:
    from .model import Dataset


@dataclass(frozen=True)
class Checked:
    data: Dataset | None  # None when the data does not load; the findings say why
    findings: list[Problem]
    previous: Dataset | None
    note: str = ""  # why there is no previous version, where poster.yaml names one
    tree: str | None = None  # the git tree the previous version was read from, when it was


def read_data(data_dir: str | os.PathLike[str]) -> Dataset:
    """The data for a command that only reads it: from the cache when nothing changed."""
    from .cache import DataCache
    from .load import load_cached

    return load_cached(data_dir, DataCache())


def _summary_key(kind: str, data_dir: str | os.PathLike[str]) -> str:
    """The key of what `kind` prints for the data as it is now (its files, the code, where it is read from)."""
    from .cache import data_key
    from .datadir import data_files

    try:
        return hashlib.sha256(kind.encode() + b" " + data_key(data_dir, data_files(Path(data_dir))).encode()).hexdigest()
    except OSError:  # a file is missing or unreadable: the loader says which
        return ""


def listed(data_dir: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """Each workload's id and title (`list`), kept beside the cached data: an unchanged dataset
    answers without loading the model."""
    from .cache import DataCache

    cache, key = DataCache(), _summary_key("workloads", data_dir)
    found: Any = cache.get(key, ".summary") if key else None
    if isinstance(found, list) and all(isinstance(pair, tuple) and len(pair) == 2 for pair in found):
        return found
    made = [(w.id, w.title) for w in read_data(data_dir).workloads]
    if key:
        cache.put(key, made, ".summary")
    return made


def _tree(data_dir: str | os.PathLike[str], rev: str) -> str | None:
    from .gitdata import revision_id

    try:
        return revision_id(data_dir, rev)
    except UsageError:
        return None


def findings(data_dir: str | os.PathLike[str]) -> tuple[list[Problem], str]:
    """Every finding and the note on the previous version (`check`): kept with the data's key and the
    previous version's git tree, so unchanged data, at an unchanged previous version, answers
    without loading the model."""
    from .cache import DataCache

    cache, key = DataCache(), _summary_key("findings", data_dir)
    found: Any = cache.get(key, ".summary") if key else None
    if isinstance(found, tuple) and len(found) == 4 and isinstance(found[2], list):
        rev, tree, problems, note = found
        if rev is None or _tree(data_dir, rev) == tree:
            return problems, note
    made = checked(data_dir)
    rev = made.data.poster.previous_rev if made.data is not None else None
    if key:
        cache.put(key, (rev, made.tree, made.findings, made.note), ".summary")
    return made.findings, made.note


def previous_version(data: Dataset, data_dir: str | os.PathLike[str], explicit: str | None = None, tree: str | None = None) -> tuple[Dataset | None, str]:
    """The previous version's data (a directory, or `previous.rev` in poster.yaml read from git),
    and, where it cannot be read, why (one line)."""
    from .cache import DataCache
    from .gitdata import load_revision
    from .load import load

    try:
        if explicit:
            return load(explicit), ""
        if data.poster.previous_rev:
            return load_revision(data_dir, data.poster.previous_rev, DataCache(), tree), ""
    except (UsageError, DataError) as exc:
        reason = str(exc).splitlines()[0]
        return None, f"the previous version's data cannot be read ({reason}); no version check, and What's new has only the changelog's words"
    return None, ""


def check_ahead(data_dir: str | os.PathLike[str], explicit_previous: str | None = None) -> bool:
    """Start reading the edited data files, loading the data and checking it in another process
    (`load.read_ahead`), for `checked` to find in the cache; True when it started: this process
    has time to load what it needs next."""
    from functools import partial

    from .load import read_ahead

    return read_ahead(data_dir, partial(checked, data_dir, explicit_previous))


def checked(data_dir: str | os.PathLike[str], explicit_previous: str | None = None) -> Checked:
    """The data, every finding (the version checks too) and the previous version's data."""
    from .cache import DataCache, data_key
    from .datadir import data_files

    cache = DataCache()
    try:
        data = read_data(data_dir)
    except DataError as exc:
        return Checked(None, list(exc.problems), None)
    # asked once, for the key and the load; where git cannot answer, previous_version says why
    tree = _tree(data_dir, data.poster.previous_rev) if data.poster.previous_rev and not explicit_previous else None
    previous, note = previous_version(data, data_dir, explicit_previous, tree)
    try:
        key = data_key(data_dir, data_files(Path(data_dir)))
        if explicit_previous:
            key += data_key(explicit_previous, data_files(Path(explicit_previous)))
        elif previous is not None and tree:
            key += tree
    except OSError:
        key = ""
    key = hashlib.sha256(b"findings " + key.encode()).hexdigest() if key else ""
    found = cache.get(key) if key else None
    if isinstance(found, list):
        return Checked(data, found, previous, note, tree)
    from .check import run_checks, version_findings

    findings = run_checks(data)
    if previous is not None:
        findings = sorted(findings + version_findings(data, previous))
    if key:
        cache.put(key, findings)
    return Checked(data, findings, previous, note, tree)
