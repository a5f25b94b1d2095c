"""The data's own reference, as Markdown: its sources, its unconfirmed facts, its omissions.

Written from the data by `lyncposter docs` into docs/, so what the project says of
its facts never drifts from the facts themselves (a test holds the committed files to
the data).
"""

from __future__ import annotations

from collections import Counter

from ..model import Dataset

PAGES = ("sources.md", "unconfirmed.md", "omissions.md")


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _head(data: Dataset, title: str) -> list[str]:
    p = data.poster
    return [
        f"# {title}",
        "",
        f"Generated from the data of the {p.title}, version {p.version} ({p.revision_date}), by "
        f"`lyncposter docs`; do not edit by hand.",
        "",
    ]


def sources_page(data: Dataset) -> str:
    counts: Counter[str] = Counter()
    for items in (data.flows, data.certificates, data.dns_records):
        for item in items:
            counts.update(item.sources)
    lines = _head(data, "Sources")
    lines += [
        "Every fact on the poster names its sources by these ids (`source:` in the data files).",
        "The counts are of flows, certificates and DNS records that cite each.",
        "",
    ]
    for s in data.sources:
        lines += [f"## {s.id}: {s.title}", ""]
        lines += [f"- Publisher: {s.publisher}", f"- Date: {s.date}"]
        if s.url:
            lines.append(f"- Address: <{s.url}>")
        lines += [f"- Cited by: {counts[s.id]} facts", "", " ".join(s.confidence.split()), ""]
    return "\n".join(lines)


def unconfirmed_page(data: Dataset) -> str:
    lines = _head(data, "Unconfirmed facts")
    lines += [
        "A fact the sources at hand do not confirm carries `unsure: why` in the data and is marked",
        "with a red `?` on the poster and in the viewer. These are all of them.",
        "",
        "| where | fact | why it is unconfirmed |",
        "|---|---|---|",
    ]
    for w in data.workloads:
        for f in w.flows:
            if f.unsure:
                lines.append(f"| `{f.location}` | {_cell(w.title)}: {_cell(f.source.label)} to {_cell(f.target.label)}, {_cell(f.label)} | {_cell(f.unsure)} |")
        for n in w.notes:
            if n.unsure:
                lines.append(f"| `{n.location}` | {_cell(w.title)} note: {_cell(n.title)} | {_cell(n.unsure)} |")
    for c in data.certificates:
        if c.unsure:
            lines.append(f"| `{c.location}` | Certificate: {_cell(c.role.label)}, {_cell(c.interface)} | {_cell(c.unsure)} |")
    for r in data.dns_records:
        if r.unsure:
            lines.append(f"| `{r.location}` | DNS ({r.view}): {r.type} {_cell(r.name)} | {_cell(r.unsure)} |")
    return "\n".join(lines) + "\n"


def omissions_page(data: Dataset) -> str:
    lines = _head(data, "Deliberate omissions")
    lines += [
        "What the sources give and the poster leaves out on purpose, with the reason for each.",
        "",
        "## Facts left out",
        "",
        "| what | why | sources |",
        "|---|---|---|",
    ]
    for o in data.omissions:
        lines.append(f"| {_cell(o.what)} | {_cell(o.reason)} | {', '.join(o.sources)} |")
    for table in data.port_tables:
        lines += ["", f"## Rows of \"{table.title}\" not drawn", ""]
        lines += [f"The rest of its {len(table.rows)} rows are drawn by flows (`lyncposter check`, rule COVERAGE, holds them to it).", ""]
        lines += ["| row | why | sources |", "|---|---|---|"]
        for row in table.rows:
            if row.omitted:
                lines.append(f"| {_cell(row.label)} | {_cell(row.omitted)} | {', '.join(row.sources)} |")
    return "\n".join(lines) + "\n"


def pages(data: Dataset) -> dict[str, str]:
    """The generated pages by file name."""
    return {"sources.md": sources_page(data), "unconfirmed.md": unconfirmed_page(data), "omissions.md": omissions_page(data)}

