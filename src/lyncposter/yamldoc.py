"""Read one YAML file safely into plain values that remember where they came from.

PyYAML keeps the last of two equal keys without a word and reports tabs and
bad bytes in its own terms; this module turns each of those into a located
`Problem` and keeps a map from every value's path to its line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .model import Location

try:  # the C loader is much faster; both are safe loaders
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


@dataclass
class Document:
    """A parsed YAML file: its value and the location of every node in it."""

    file: str
    value: Any = None
    values: dict[Path_, Location] = field(default_factory=dict)
    keys: dict[Path_, Location] = field(default_factory=dict)

    def at(self, path: Path_) -> Location:
        """Where the value at `path` starts, or its closest located ancestor."""
        path = tuple(path)
        while path and path not in self.values:
            path = path[:-1]
        return self.values.get(path, Location(self.file, 1, 1))

    def key_at(self, path: Path_) -> Location:
        """Where the key of the mapping entry at `path` is written."""
        return self.keys.get(tuple(path)) or self.at(path)


def _location(file: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(file, 1, 1)
    return Location(file, mark.line + 1, mark.column + 1)


def _decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [
            Problem(
                Location(file, line, column),
                f"byte 0x{raw[exc.start]:02x} is not UTF-8; data files must be saved as UTF-8", rule="YAML"
            )
        ]


def _tab_problems(text: str, file: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip() and not line.lstrip().startswith("#"):
            problems.append(
                Problem(
                    Location(file, number, indent.index("\t") + 1),
                    "tab used for indentation; YAML allows only spaces here", rule="YAML"
                )
            )
    return problems


class _Builder:
    def __init__(self, doc: Document):
        self.doc = doc
        self.problems: list[Problem] = []
        self._scalars = yaml.constructor.SafeConstructor()
        self._seen: set[int] = set()

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if id(node) in self._seen:
            # an alias: data files need none, and a recursive or nested one could never be expanded
            self.problems.append(
                Problem(
                    _location(self.doc.file, node.start_mark),
                    "anchors and aliases (&name, *name) are not supported; write each value out",
                    rule="YAML",
                )
            )
            return None
        self._seen.add(id(node))
        self.doc.values[path] = _location(self.doc.file, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                key_loc = _location(self.doc.file, key_node.start_mark)
                if not isinstance(key, str):
                    self.problems.append(Problem(key_loc, "a key must be a plain word", rule="YAML"))
                    continue
                if key == "<<":
                    self.problems.append(Problem(key_loc, "merge keys ('<<') are not supported; write each field out", rule="YAML"))
                    continue
                if key in result:
                    first = self.doc.keys[path + (key,)]
                    self.problems.append(
                        Problem(
                            key_loc,
                            f"duplicate key '{key}' (first given at line {first.line}); "
                            "each key may appear once in a mapping", rule="YAML"
                        )
                    )
                    continue
                self.doc.keys[path + (key,)] = key_loc
                result[key] = self.build(value_node, path + (key,))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        if node.tag in _SCALAR_TAGS:
            return self._scalars.construct_object(node)
        # strings, and dates kept as written: the schema says what each field takes
        return str(node.value)


def read_document(path: Path, display_name: str | None = None, raw: bytes | None = None) -> tuple[Document, list[Problem]]:
    """Parse `path` (or its `raw` bytes, when the caller has read them); problems come back
    located, never raised."""
    file = display_name or str(path)
    doc = Document(file)
    if raw is None:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            return doc, [Problem(Location(file), f"cannot read the file: {exc.strerror}", rule="YAML")]
    text, problems = _decode(raw, file)
    if text is None:
        return doc, problems
    problems = _tab_problems(text, file)
    if problems:
        return doc, problems
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "is not valid YAML"
        context = f" {exc.context}" if exc.context else ""
        return doc, [Problem(_location(file, mark), f"YAML syntax: {what}{context}", rule="YAML")]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return doc, [Problem(Location(file, 1, 1), f"YAML syntax: {exc}", rule="YAML")]
    if node is None:
        return doc, [Problem(Location(file, 1, 1), "the file is empty; it must hold a mapping", rule="YAML")]
    builder = _Builder(doc)
    doc.value = builder.build(node, ())
    return doc, builder.problems
