"""The port matrix: one row per flow, for firewall requests and reviews."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence

from ..model import Flow, Source

COLUMNS = (
    "workload",
    "source",
    "source_label",
    "destination",
    "destination_label",
    "protocol",
    "transport",
    "ports",
    "direction",
    "description",
)
FORMATS = ("csv", "md", "json")
DIRECTIONS = {"from": "source-initiates", "both": "either-initiates"}


def port_rows(flows: Iterable[Flow], sources: Iterable[Source] = ()) -> list[dict[str, object]]:
    """One row per flow. Each row also carries its `sources` (id, title, url where known), which
    the JSON form prints and the CSV and Markdown tables leave out."""
    known = {s.id: s for s in sources}
    rows: list[dict[str, object]] = []
    for flow in flows:
        description = flow.description
        if flow.unsure:
            description = f"{description} [UNSURE: {flow.unsure}]".strip()
        rows.append(
            {
                "workload": flow.workload_id,
                "source": flow.source.id,
                "source_label": flow.source.label,
                "destination": flow.target.id,
                "destination_label": flow.target.label,
                "protocol": flow.protocol.label,
                "transport": flow.transport,
                "ports": flow.ports_text,
                "direction": DIRECTIONS[flow.initiator],
                "description": description,
                "sources": [_source(i, known) for i in flow.sources],
            }
        )
    return rows


def _source(ident: str, known: dict[str, Source]) -> dict[str, str]:
    source = known.get(ident)
    if source is None:
        return {"id": ident}
    return {"id": ident, "title": source.title, "url": source.url}


def to_csv(rows: Sequence[Mapping[str, object]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_markdown(rows: Sequence[Mapping[str, object]], columns: tuple[str, ...] = COLUMNS) -> str:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def to_json(rows: Sequence[Mapping[str, object]], columns: tuple[str, ...] = COLUMNS) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def format_rows(rows: Sequence[Mapping[str, object]], fmt: str, columns: tuple[str, ...] = COLUMNS) -> str:
    """Rows as CSV, a Markdown table or JSON; every table lyncposter prints goes through here."""
    return {"csv": to_csv, "md": to_markdown, "json": to_json}[fmt](rows, columns)
