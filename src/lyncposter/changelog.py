"""The data's CHANGELOG.md, read for the poster's "What's new" box.

An entry starts with `## <version> (<date>)`; its first paragraph leads, its top-level `- `
bullets follow (a bullet's indented lines and sub-bullets belong to it). Markdown marks
(backticks, emphasis, links) are dropped: the box prints plain sentences.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import ChangelogEntry, Location

FILE = "CHANGELOG.md"
_HEADING = re.compile(r"^##\s+v?(\S+?)(?:\s|$)")


def plain(text: str) -> str:
    """Markdown → the words a reader sees."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # [words](link) → words
    text = re.sub(r"(\*\*|__|`)", "", text)
    return " ".join(text.split())


def first_sentence(text: str, limit: int = 170) -> str:
    """The first sentence (up to '. ' before a capital, a digit or a quote), cut at `limit` characters."""
    match = re.search(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", text)
    sentence = text[: match.start()] if match else text
    if len(sentence) > limit:  # at the last clause that fits, else the last word
        head = sentence[: limit - 1]
        cuts = [i for i in range(len(head)) if head.startswith((" (", ", ", "; ", ": "), i) and head[:i].count("(") == head[:i].count(")")]
        cut = max(cuts, default=-1)  # outside any parenthesis
        sentence = (head[:cut] if cut > limit // 2 else head.rsplit(" ", 1)[0]).rstrip(",;: ") + "\u2026"
    return sentence


def entry(path: Path, version: str, shown: str | None = None) -> ChangelogEntry | None:
    """The entry of `version` in the changelog at `path`, or None."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    start = next((i for i, line in enumerate(lines) if (m := _HEADING.match(line)) and m.group(1) == version), None)
    if start is None:
        return None
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        body.append(line)
    lead_lines: list[str] = []
    bullets: list[list[str]] = []
    for line in body:
        if line.startswith("- "):
            bullets.append([line[2:]])
        elif bullets and line.strip():
            bullets[-1].append(line.strip().removeprefix("- "))
        elif not bullets and line.strip() and not line.startswith("#"):
            lead_lines.append(line)
        elif not bullets and lead_lines and not line.strip():
            lead_lines.append("\n")
    lead = plain(" ".join(lead_lines).split("\n")[0]) if lead_lines else ""
    return ChangelogEntry(
        version,
        first_sentence(lead) if lead else "",
        tuple(plain(" ".join(b)) for b in bullets),
        Location(shown or str(path), start + 1, 1),
    )
