"""The firewall rules as a table: CSV, Markdown or JSON, one row per rule."""

from __future__ import annotations

from collections.abc import Iterable

from ..firewall import RuleSet
from ..model import AddressPlan

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
ADDRESS_COLUMNS = ("source_address", "destination_address")  # JSON only: the CSV header stays as it is


def rule_rows(rule_sets: Iterable[RuleSet], plan: AddressPlan | None = None) -> list[dict[str, object]]:
    """One row per rule; with an addressing plan, each row also gives its ends' addresses (`any`, or networks joined by commas)."""
    from ..addresses import addressed_rules

    rows: list[dict[str, object]] = []
    for rule_set in rule_sets:
        addressed = {a.number: a for a in addressed_rules(rule_set, plan)} if plan is not None else {}
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
            if rule.number in addressed:
                rows[-1]["source_address"] = addressed[rule.number].source.text
                rows[-1]["destination_address"] = addressed[rule.number].destination.text
    return rows
