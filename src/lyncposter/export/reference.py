"""The data reference: every field of every data file, generated from the JSON Schemas.

For each file, a table: the field (its path, `[]` for the items of a list, `*` for any key),
its type, whether it is required, the values it allows, what it means, and an example taken
from the datasets that ship with lyncposter. The schemas are the one definition: the loader
checks the data against them and editors complete with them, so the reference cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..schema import schema

FILES = (
    ("poster", "poster.yaml", "What the poster is, the order of its panels, its links and its sheets."),
    ("catalog", "catalog.yaml", "Everything the workloads refer to by id: zones, firewalls, groups, roles, protocols."),
    ("workload", "flows/<id>.yaml", "One workload: a panel of the poster, its connections and notes."),
    ("certificates", "certificates.yaml", "The certificate each listener needs."),
    ("dns", "dns.yaml", "The DNS records to publish."),
    ("sources", "sources.yaml", "(optional) Where the facts come from."),
    ("omissions", "omissions.yaml", "(optional) Facts deliberately left out."),
    ("checks", "checks.yaml", "(optional) Values that must not come back."),
    ("port-table", "reference/<name>.yaml", "(optional) An official port table, for the COVERAGE check."),
    ("addresses", "addresses.yaml", "(optional) The addressing plan behind the firewall configurations."),
)
TYPES = {"string": "text", "integer": "whole number", "number": "number", "boolean": "true or false", "array": "list", "object": "mapping"}


def fields(node: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every field under a schema node: (path, its schema, whether it must be given)."""
    wanted = set(node.get("required", ()))
    for name, sub in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        yield path, sub, name in wanted
        yield from _below(sub, path)


def _below(sub: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """The fields inside one field: its list's items, its mapping's keys, its alternatives' fields."""
    items = sub.get("items")
    if isinstance(items, dict) and "properties" in items:
        yield from fields(items, f"{path}[].")
    if "properties" in sub:
        yield from fields(sub, f"{path}.")
    extra = sub.get("additionalProperties")
    if isinstance(extra, dict):
        yield f"{path}.*", extra, False
        yield from _below(extra, f"{path}.*")
    for branch in sub.get("anyOf", []) + sub.get("oneOf", []):
        if isinstance(branch, dict) and "properties" in branch:
            yield from fields(branch, f"{path}.")


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    if ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _type(node: dict[str, Any], root: dict[str, Any]) -> str:
    node = _resolve(node, root)
    if "type" in node:
        kinds: list[str] = node["type"] if isinstance(node["type"], list) else [node["type"]]
        text = " or ".join(TYPES.get(k) or k for k in kinds)
        items = node.get("items")
        if node["type"] == "array" and isinstance(items, dict) and "type" in items and "properties" not in items:
            text += f" of {TYPES.get(items['type'], items['type'])}"
        return text
    if "enum" in node:
        return "text"
    branches = node.get("anyOf") or node.get("oneOf") or []
    return " or ".join(dict.fromkeys(_type(b, root) for b in branches)) or "any"


def _allowed(node: dict[str, Any], root: dict[str, Any]) -> str:
    node = _resolve(node, root)
    if "enum" in node:
        return ", ".join(f"`{v}`" for v in node["enum"])
    items = node.get("items")
    if isinstance(items, dict) and "enum" in items:
        return ", ".join(f"`{v}`" for v in items["enum"])
    if node.get("x-hint"):
        return str(node["x-hint"])
    for branch in node.get("anyOf", []) + node.get("oneOf", []):
        if isinstance(branch, dict) and branch.get("x-hint"):
            return str(branch["x-hint"])
    if "pattern" in node:
        return f"matches `{node['pattern']}`"
    return ""


def _examples(kind: str) -> list[Any]:
    """The values of this kind of file in the bundled datasets, to take examples from."""
    import yaml

    from ..bundled import bundled_names, bundled

    found = []
    names = {"workload": "flows/*.yaml", "port-table": "reference/*.yaml"}
    for dataset in bundled_names():
        root = bundled(dataset)
        if root is None:
            continue
        pattern = names.get(kind, f"{kind}.yaml")
        for path in sorted(root.glob(pattern)):
            found.append(yaml.safe_load(path.read_text("utf-8")))
    return found


def _example(documents: list[Any], path: str) -> str:
    for document in documents:
        for value in _walk(document, path.split(".")):
            text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
            if isinstance(value, (dict, list)) and len(text) > 70:
                continue
            text = " ".join(text.split())
            return f"`{text[:67] + '...' if len(text) > 70 else text}`".replace("|", "\\|")
    return ""


def _walk(value: Any, parts: list[str]) -> Iterator[Any]:
    if not parts:
        yield value
        return
    part, rest = parts[0], parts[1:]
    if part.endswith("[]"):
        inner = _walk(value, [part[:-2]]) if part[:-2] else iter([value])
        for items in inner:
            for item in items if isinstance(items, list) else []:
                yield from _walk(item, rest)
    elif part == "*":
        for item in (value.values() if isinstance(value, dict) else []):
            yield from _walk(item, rest)
    elif isinstance(value, dict) and part in value:
        yield from _walk(value[part], rest)


def reference() -> str:
    """docs/data-reference.md."""
    lines = [
        "# Data reference",
        "",
        "Generated from lyncposter's JSON Schemas (`src/lyncposter/schema/`) by `lyncposter docs`; do not",
        "edit by hand. Every field of every data file: its type, whether it is required, the values it",
        "allows, what it means, and an example from a dataset that ships with lyncposter. A path reads",
        "`roles[].interfaces.outer.label`: `[]` stands for each item of a list, `*` for any key of a mapping.",
        "Ids are lower-case letters, digits and `-`. `lyncposter init DIR` writes a small commented dataset",
        "to start from.",
        "",
    ]
    for kind, name, what in FILES:
        root = schema(kind)
        lines += [f"## {name}", "", f"{what} {root.get('description', '')}".strip(), ""]
        lines += ["| field | type | required | allowed values | meaning | example |", "|---|---|---|---|---|---|"]
        documents = _examples(kind)
        for path, node, required in fields(root):
            meaning = " ".join(str(_resolve(node, root).get("description", "")).split()).replace("|", "\\|")
            lines.append(
                f"| `{path}` | {_type(node, root)} | {'yes' if required else 'no'} | {_allowed(node, root).replace('|', chr(92) + '|')} | {meaning} | {_example(documents, path)} |"
            )
        lines.append("")
    return "\n".join(lines)


def schema_fields() -> dict[str, list[str]]:
    """Every field path of every schema, for the test that holds the reference to them."""
    return {kind: [path for path, _, _ in fields(schema(kind))] for kind, _, _ in FILES}
