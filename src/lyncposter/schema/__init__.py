"""JSON Schemas for the data files, and their errors in the data's own terms.

The same schema files are referenced from the YAML files (editors complete and
validate with them) and checked here, so the two cannot drift apart.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from ..errors import Problem, did_you_mean
from ..yamldoc import Document

KINDS = ("poster", "catalog", "workload", "certificates", "dns", "checks", "sources", "port-table", "omissions", "addresses")

_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty"


@cache
def schema(kind: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(f"{kind}.schema.json").read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schema(kind))


def _field(path: tuple[str | int, ...]) -> str:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return "value"


def _message(error: jsonschema.ValidationError) -> str:
    where = _field(tuple(error.absolute_path))
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None
    v = error.validator
    if v == "required":
        missing = error.message.split("'")[1]
        required = ", ".join(error.schema.get("required", []))
        return f"missing field '{missing}'; this mapping needs: {required}"
    if v == "enum":
        allowed = ", ".join(str(x) for x in error.validator_value)
        return f"{where}: '{error.instance}' is not allowed; allowed: {allowed}"
    if v == "type":
        wanted = error.validator_value
        wanted_names = " or ".join(_TYPE_NAMES.get(t, t) for t in ([wanted] if isinstance(wanted, str) else wanted))
        return f"{where} must be {wanted_names}, not {_type_of(error.instance)}" + (f" ({hint})" if hint else "")
    if v in ("minimum", "maximum"):
        return f"{where}: {error.instance} is out of range; " + (hint or f"the {v} is {error.validator_value}")
    if v == "minItems":
        return f"{where} must list at least {error.validator_value} item(s)"
    if v == "maxItems":
        return f"{where} must list at most {error.validator_value} item(s)"
    if v == "minLength":
        return f"{where} must not be empty"
    if v == "uniqueItems":
        return f"{where} lists an item twice; each may appear once"
    if hint:
        return f"{where}: {error.instance!r} is not valid; {hint}"
    return f"{where}: {error.message}"


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For anyOf/oneOf, prefer the schema's own hint; otherwise the most specific cause."""
    if isinstance(error.schema, dict) and error.schema.get("x-hint"):
        # a number out of range says so, rather than listing every form the field takes
        for cause in error.context or ():
            if cause.validator in ("minimum", "maximum") and not cause.path:
                return cause
        return error
    if error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None:
            return _deepest(best)
    return error


def validate(doc: Document, kind: str) -> list[Problem]:
    problems = []
    for error in _validator(kind).iter_errors(doc.value):
        error = _deepest(error)
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = sorted(error.schema.get("properties", {}))
            for name in sorted(set(error.instance) - set(allowed)):
                problems.append(
                    Problem(
                        doc.key_at(path + (name,)),
                        f"unknown field '{name}'{did_you_mean(name, allowed)}; allowed: {', '.join(allowed)}",
                        rule="SCHEMA",
                    )
                )
            continue
        rule = error.schema.get("x-rule", "SCHEMA") if isinstance(error.schema, dict) else "SCHEMA"
        problems.append(Problem(doc.at(path), _message(error), rule=rule))
    return problems
