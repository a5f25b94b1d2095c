"""The QR code every sheet prints for the poster's home page: its modules, encoded by segno.

A module of its own, so that the code can be made where reportlab is not loaded (beside the
panels' layouts, while this process loads what composing needs)."""

from __future__ import annotations

import hashlib

from ..cache import SignedCache, environment_fingerprint

_CODES: dict[str, tuple[str, ...]] = {}


def qr_code(url: str, store: SignedCache | None = None) -> tuple[str, ...]:
    """The code's modules, a row of "0"s and "1"s (dark) each: encoded once per URL in a process
    (a sheet is measured several times) and, with a cache, once for all builds."""
    if url not in _CODES:
        key = hashlib.sha256(b"qr\0" + environment_fingerprint() + url.encode("utf-8")).hexdigest() if store is not None else ""
        found = store.get(key, ".qr") if store is not None else None
        if not (isinstance(found, tuple) and found and all(isinstance(row, str) for row in found)):
            import segno

            code = segno.make_qr(url, error="m", boost_error=False)
            found = tuple("".join("1" if module else "0" for module in row) for row in code.matrix)
            if store is not None:
                store.put(key, found, ".qr")
        _CODES[url] = found
    return _CODES[url]


def keep(url: str, rows: tuple[str, ...]) -> None:
    """The code for `url` as another process made it (`qr_code` there): not encoded again here."""
    _CODES[url] = rows
