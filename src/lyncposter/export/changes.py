"""What changed, as text, Markdown, JSON, or a CHANGELOG entry."""

from __future__ import annotations

import json

from ..changes import CATEGORIES, CATEGORY_TITLES, MARKS, Changes

FORMATS = ("text", "md", "json")


def as_text(changes: Changes) -> str:
    if not changes:
        return f"No change to the facts between {changes.old_version} and {changes.new_version}.\n"
    lines = [f"Changes from {changes.old_version} to {changes.new_version}: {len(changes.items)}"]
    for category in CATEGORIES:
        items = changes.of(category)
        if items:
            lines.append(f"{CATEGORY_TITLES[category]}:")
            lines += [f"  {MARKS[c.kind]} {c.text}" for c in items]
    return "\n".join(lines) + "\n"


def as_markdown(changes: Changes, heading: str | None = None) -> str:
    lines = [heading or f"## Changes from {changes.old_version} to {changes.new_version}", ""]
    if not changes:
        return "\n".join(lines + ["No change to the facts.", ""])
    for category in CATEGORIES:
        items = changes.of(category)
        if items:
            lines += [f"### {CATEGORY_TITLES[category]}", ""]
            lines += [f"- {c.kind.capitalize()}: {c.text}" for c in items]
            lines.append("")
    return "\n".join(lines)


def as_json(changes: Changes) -> str:
    payload = {"from": changes.old_version, "to": changes.new_version, "changes": [c.as_dict() for c in changes.items]}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def changelog_entry(changes: Changes, revision_date: str) -> str:
    """A CHANGELOG.md entry for the new version: its heading and one line per change."""
    lines = [f"## {changes.new_version} ({revision_date})", ""]
    if not changes:
        lines.append("- No change to the facts.")
    for category in CATEGORIES:
        lines += [f"- {CATEGORY_TITLES[category]}: {c.kind} {c.text}" for c in changes.of(category)]
    return "\n".join(lines) + "\n"


def format_changes(changes: Changes, fmt: str) -> str:
    return {"text": as_text, "md": as_markdown, "json": as_json}[fmt](changes)
