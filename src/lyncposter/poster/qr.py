"""The QR code every sheet prints for the poster's home page: its modules, encoded by segno.

A module of its own, so that the code can be made where reportlab is not loaded: in another
process, at the lowest priority, while a build lays out and measures (`begin`)."""

from __future__ import annotations

import hashlib
from functools import partial

from ..cache import SignedCache, environment_fingerprint
from ..errors import RenderError
from ..parallel import Pending, start

_CODES: dict[str, tuple[str, ...]] = {}
_COMING: dict[str, Pending[tuple[str, ...]]] = {}


def qr_code(url: str, store: SignedCache | None = None) -> tuple[str, ...]:
    """The code's modules, a row of "0"s and "1"s (dark) each: encoded once per URL in a process
    (a sheet is measured several times) and, with a cache, once for all builds."""
    coming = _COMING.pop(url, None)
    if coming is not None:
        try:
            _CODES[url] = coming.result()
        except RenderError:  # stopped, or its process lost: encoded here
            pass
    if url not in _CODES:
        _CODES[url] = _kept(url, store) or _encode(url, store)
    return _CODES[url]


def _key(url: str) -> str:
    return hashlib.sha256(b"qr\0" + environment_fingerprint() + url.encode("utf-8")).hexdigest()


def _kept(url: str, store: SignedCache | None) -> tuple[str, ...] | None:
    found = store.get(_key(url), ".qr") if store is not None else None
    return found if isinstance(found, tuple) and found and all(isinstance(row, str) for row in found) else None


def _encode(url: str, store: SignedCache | None) -> tuple[str, ...]:
    import segno

    code = segno.make_qr(url, error="m", boost_error=False)
    rows = tuple("".join("1" if module else "0" for module in row) for row in code.matrix)
    if store is not None:
        store.put(_key(url), rows, ".qr")
    return rows


def begin(url: str, store: SignedCache | None = None) -> Pending[tuple[str, ...]] | None:
    """Start encoding the code for `url` in the background (another process, at the lowest
    priority) unless it is known; `qr_code` takes it from there when it is first asked for.
    The answer, for `cancel` when the build stops first; None when there is nothing to wait for."""
    if url in _CODES or url in _COMING:
        return None
    found = _kept(url, store)
    if found is not None:
        _CODES[url] = found
        return None
    coming = _COMING[url] = start(partial(_encode, url, store), background=True)
    return coming
