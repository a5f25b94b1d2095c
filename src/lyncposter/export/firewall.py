"""The firewall rules as a table: CSV, Markdown or JSON, one row per rule."""

from __future__ import annotations

from collections.abc import Iterable

from ..firewall import RuleSet

COLUMNS = (
    "firewall",
    "rule",
    "direction",
    "source_zone",
    "source",
    "source_label",
    "destination_zone",
    "destination",
    "destination_label",
    "protocol",
    "transport",
    "ports",
    "initiator",
    "workloads",
    "notes",
)


def rule_rows(rule_sets: Iterable[RuleSet]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for rule_set in rule_sets:
        for rule in rule_set.rules:
            rows.append(
                {
                    "firewall": rule.firewall.id,
                    "rule": rule.number,
                    "direction": rule.direction,
                    "source_zone": rule.source.zone.id,
                    "source": rule.source.role.id,
                    "source_label": rule.source.label,
                    "destination_zone": rule.destination.zone.id,
                    "destination": rule.destination.role.id,
                    "destination_label": rule.destination.label,
                    "protocol": rule.protocol.label,
                    "transport": rule.transport,
                    "ports": rule.ports_text,
                    "initiator": rule.initiator,
                    "workloads": ";".join(rule.workloads),
                    "notes": " ".join(rule.notes),
                }
            )
    return rows
