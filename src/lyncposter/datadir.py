"""What a data directory holds: its files, by name, in a stable order.

A module of its own, without the model, so that a command answering from the cache (`list`,
`check`) finds the files that key it without loading the model that reads them.
"""

from __future__ import annotations

from pathlib import Path

FIXED_FILES = {
    "poster": "poster.yaml",
    "catalog": "catalog.yaml",
    "certificates": "certificates.yaml",
    "dns": "dns.yaml",
}
OPTIONAL_FILES = {"checks": "checks.yaml", "sources": "sources.yaml", "omissions": "omissions.yaml", "addresses": "addresses.yaml"}
CHANGELOG = "CHANGELOG.md"  # what the poster's What's new box prints
WORKLOAD_DIR = "flows"
REFERENCE_DIR = "reference"


def data_files(data_dir: Path) -> list[Path]:
    """Every input file of a dataset, in a stable order."""
    named, listed = _named_files(data_dir), _listed_files(data_dir)
    changelog = [data_dir / CHANGELOG] if (data_dir / CHANGELOG).is_file() else []
    return [path for path, _ in named] + changelog + [path for path, _ in listed]


def yaml_files(data_dir: Path) -> list[tuple[Path, str]]:
    """The YAML files of a dataset, each with the kind of its schema, in the order of `data_files`
    (a missing fixed file included: the loader says it is missing)."""
    return _named_files(data_dir) + _listed_files(data_dir)


def _named_files(data_dir: Path) -> list[tuple[Path, str]]:
    fixed = [(data_dir / name, kind) for kind, name in FIXED_FILES.items()]
    return fixed + [(data_dir / name, kind) for kind, name in OPTIONAL_FILES.items() if (data_dir / name).is_file()]


def _listed_files(data_dir: Path) -> list[tuple[Path, str]]:
    return [(path, "workload") for path in workload_files(data_dir)] + [(path, "port-table") for path in reference_files(data_dir)]


def reference_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / REFERENCE_DIR).glob("*.yaml")) if (data_dir / REFERENCE_DIR).is_dir() else []


def workload_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / WORKLOAD_DIR).glob("*.yaml")) if (data_dir / WORKLOAD_DIR).is_dir() else []
