"""The port matrix: one row per flow, for firewall requests and reviews."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from ..model import Flow

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


def port_rows(flows: Iterable[Flow]) -> list[dict[str, str]]:
    rows = []
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
            }
        )
    return rows


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_markdown(rows: list[dict[str, str]]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(row[c]) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def to_json(rows: list[dict[str, str]]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def format_rows(rows: list[dict[str, str]], fmt: str) -> str:
    return {"csv": to_csv, "md": to_markdown, "json": to_json}[fmt](rows)
