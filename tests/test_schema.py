"""The JSON Schemas that editors use are valid, referenced, and accept the shipped data."""

from __future__ import annotations

import re

import jsonschema
import yaml

from lyncposter.load import FIXED_FILES
from lyncposter.schema import KINDS, schema
from conftest import DATA


def test_schemas_are_valid():
    for kind in KINDS:
        jsonschema.Draft202012Validator.check_schema(schema(kind))


def test_every_data_file_names_its_schema_and_passes_it():
    files = {kind: DATA / name for kind, name in FIXED_FILES.items()}
    files.update({p.name: p for p in (DATA / "flows").glob("*.yaml")})
    for key, path in files.items():
        kind = key if key in KINDS else "workload"
        first = path.read_text("utf-8").splitlines()[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path} does not name its schema on line 1"
        assert (path.parent / match.group(1)).resolve().name == f"{kind}.schema.json"
        assert (path.parent / match.group(1)).resolve().is_file()
        jsonschema.validate(yaml.safe_load(path.read_text("utf-8")), schema(kind))
