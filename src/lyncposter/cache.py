"""The panel cache: a laid-out, finished panel is made once for the inputs that determine it.

An entry is keyed by a hash of everything a panel depends on: its DOT text, the code
and theme that draw it, the font files, and the versions of lyncposter, Graphviz and
reportlab. A rebuild after one flow changed lays out that workload's panel only. Entries are signed with a key that only this cache holds
(`key`, readable by its owner only): an entry that is corrupt, or that this cache did
not write, is ignored and rewritten, never unpickled. Entries are written atomically,
so builds running at once share the cache safely; with or without it, the output is
the same bytes.

The cache lives in the user's cache directory: `$XDG_CACHE_HOME/lyncposter` when that is
set, else `~/.cache/lyncposter`. It is bounded: past `LIMIT` bytes (`$LYNCPOSTER_CACHE_SIZE`
in MB), the entries used least recently go. A process that writes looks for them when it has
written a twentieth of the bound, and so does the first to write after `PRUNE_EVERY` seconds;
the look runs in a process of its own, which the command does not wait for.
`lyncposter cache info` and `lyncposter cache clear` show and empty it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import time
from functools import cache
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import UsageError
from .files import write_atomic

FORMAT = b"lyncposter-panel-cache-1"
_SOURCES = ("theme.py", "render.py", "fonts.py", "drawing.py", "icons.py", "layout/dot.py", "layout/geometry.py")


LIMIT = 200 * 1024 * 1024  # bytes of entries kept; the least recently used go first
KINDS = {".svg-panel": "finished panels", ".key": "panel keys", ".sheet": "composed sheets", ".data": "loaded data and findings", ".reading": "data files as read and checked against the schema", ".summary": "what list and check print", ".measures": "section heights", ".qr": "QR codes", ".font": "fonts as read"}


def cache_dir() -> Path:
    """The user's cache directory for lyncposter."""
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "lyncposter"


def limit() -> int:
    """The cache's size bound in bytes: `$LYNCPOSTER_CACHE_SIZE` megabytes, else `LIMIT`."""
    try:
        return int(float(os.environ["LYNCPOSTER_CACHE_SIZE"]) * 1024 * 1024)
    except (KeyError, ValueError):
        return LIMIT


def entries(root: Path) -> list[tuple[Path, os.stat_result]]:
    """Every entry of a cache directory (the key aside), with its size and when it was last used."""
    found = []
    try:
        with os.scandir(root) as it:
            for entry in it:
                if entry.is_file() and entry.name != "key" and not entry.name.startswith("."):
                    try:
                        found.append((Path(entry.path), entry.stat()))
                    except OSError:
                        continue
    except OSError:
        return []
    return found


def prune(root: Path, bound: int | None = None) -> int:
    """Remove the least recently used entries until the rest fit in `bound` bytes; return how many went."""
    bound = limit() if bound is None else bound
    found = entries(root)
    total = sum(st.st_size for _, st in found)
    removed = 0
    for path, st in sorted(found, key=lambda item: item[1].st_mtime):
        if total <= bound:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= st.st_size
        removed += 1
    return removed


PRUNE_EVERY = 600.0  # seconds: how often writers look at the whole cache, whatever each of them wrote
_MARK = ".pruned"  # its time of change is when the cache was last looked at (not an entry)


def _due(root: Path) -> bool:
    """Whether the cache was last looked at (`prune`) more than PRUNE_EVERY seconds ago, or never."""
    try:
        return time.time() - (root / _MARK).stat().st_mtime > PRUNE_EVERY
    except OSError:
        return True


def _pruned(root: Path) -> None:
    try:
        (root / _MARK).touch()
    except OSError:
        pass


def clear(root: Path) -> int:
    """Empty the cache: every entry and the key go."""
    removed = 0
    for path, _ in entries(root):
        try:
            path.unlink()
            removed += 1
        except OSError:
            continue
    (root / "key").unlink(missing_ok=True)
    return removed


@cache
def environment_fingerprint() -> bytes:
    """Everything besides the DOT text that a panel's bytes depend on."""
    from . import theme

    digest = hashlib.sha256(FORMAT + __version__.encode())
    here = Path(__file__).parent
    for name in _SOURCES:
        digest.update((here / name).read_bytes())
    for path in theme.FONT_FILES.values():
        digest.update(Path(path).read_bytes() if Path(path).is_file() else b"-")
    import subprocess

    try:
        digest.update(subprocess.run(["dot", "-V"], capture_output=True, timeout=2).stderr)  # a hung dot costs 2 s here, no more
    except (OSError, subprocess.SubprocessError):
        digest.update(b"no dot")
    import reportlab  # its version, as the package says it (reading the installed metadata costs 25 ms)

    digest.update(reportlab.Version.encode())
    return digest.digest()


def panel_key(dot: str) -> str:
    return hashlib.sha256(environment_fingerprint() + dot.encode("utf-8")).hexdigest()


def alias_key(*texts: str) -> str:
    """A key for what the code makes of `texts` (a workload's content, say): any change to
    the code, its tools or the texts gives another key."""
    digest = hashlib.sha256(environment_fingerprint() + code_fingerprint())
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()


class SignedCache:
    """Entries signed with this cache's own key: only what this cache wrote is ever unpickled."""

    suffix = ".entry"
    _written = 0  # bytes written in this process since the cache was last pruned
    _looked = False  # whether this process has asked if the cache is due to be looked at (`_due`)

    def __init__(self, root: Path | None = None):
        root = cache_dir() if root is None else root
        self.root = root
        self._key: bytes | None = None

    def _secret(self) -> bytes:
        if self._key is None:
            path = self.root / "key"
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(secrets.token_bytes(32))
            key = path.read_bytes()
            if len(key) != 32 or (path.stat().st_mode & 0o077):
                raise OSError("the cache key is not this cache's own")
            self._key = key
        return self._key

    def get(self, key: str, suffix: str | None = None) -> Any | None:
        """The entry for `key` (of another kind with `suffix`), or None: missing, corrupt, or
        not signed by this cache."""
        try:
            blob = (self.root / f"{key}{suffix or self.suffix}").read_bytes()
            secret = self._secret()
        except OSError:
            return None
        signature, body = blob[:32], blob[32:]
        if len(blob) < 33 or not hmac.compare_digest(signature, hmac.new(secret, body, hashlib.sha256).digest()):
            return None
        try:  # used now: the last to go when the cache is pruned
            os.utime(self.root / f"{key}{suffix or self.suffix}")
        except OSError:
            pass
        try:
            return pickle.loads(body)  # signed by this cache: written by lyncposter, not planted
        except Exception:  # a signed entry from an older layout of the objects: made again
            return None

    def has(self, key: str, suffix: str | None = None) -> bool:
        """Whether an entry for `key` is there, without reading it (`get` may still find it unsound)."""
        return (self.root / f"{key}{suffix or self.suffix}").is_file()

    def put(self, key: str, value: Any, suffix: str | None = None) -> None:
        try:
            body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(self.root / f"{key}{suffix or self.suffix}", hmac.new(self._secret(), body, hashlib.sha256).digest() + body)
        except (OSError, pickle.PicklingError, UsageError):
            return  # a cache that cannot be written only costs time
        SignedCache._written += len(body)
        # look at the whole cache now and then, not on every write: when this process has written
        # a twentieth of the bound, and once in a while across processes (most write less: a
        # build that lays out one panel writes a few megabytes, and a cache only they wrote grew
        # past five times its bound)
        due = not SignedCache._looked and _due(self.root)
        SignedCache._looked = True
        if due or SignedCache._written > limit() // 20:
            SignedCache._written = 0
            _prune_elsewhere(self.root)


def _prune_elsewhere(root: Path) -> None:
    """Look at the whole cache in a process of its own (`parallel.detach`): stat-ing every entry
    and removing the oldest takes a build 0.1-0.4 s with thousands of entries. Marked as looked
    at first, so that writers meanwhile do not start a second look; where no process can be
    started, the look is made here."""
    from functools import partial

    from .parallel import detach

    _pruned(root)
    if not detach(partial(prune, root)):
        prune(root)


class PanelCache(SignedCache):
    """The build's cache: its root holds every kind of entry (panels, sheets, section heights, QR codes)."""

    suffix = ".panel"


class SvgCache(SignedCache):
    """Finished panels (their drawing and geometry), keyed by their DOT text."""

    suffix = ".svg-panel"


class SheetCache(SignedCache):
    """Composed sheets: a build with nothing changed writes them as they were."""

    suffix = ".sheet"


class FontCache(SignedCache):
    """The poster's fonts as reportlab read them: each face read again is about 30 ms of parsing."""

    suffix = ".font"


class DataCache(SignedCache):
    """Loaded datasets and their findings, for the commands that only read the data."""

    suffix = ".data"


@cache
def code_fingerprint() -> bytes:
    """Every file of the package, by name, size and time of change (as Python checks its compiled
    files): a loaded dataset or a finding depends on all of it."""
    digest = hashlib.sha256(FORMAT + __version__.encode())
    here = Path(__file__).parent
    for path in sorted(here.rglob("*")):
        if path.suffix in (".py", ".json"):
            st = path.stat()
            digest.update(f"{path.relative_to(here).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.digest()


def data_key(data_dir: str | os.PathLike[str], files: list[Path]) -> str:
    """A dataset's key: the code, where it is read from (messages name files relative to here), its files."""
    digest = hashlib.sha256(code_fingerprint() + os.getcwd().encode() + b"\0" + str(data_dir).encode())
    for path in files:
        digest.update(b"\0" + str(path).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
