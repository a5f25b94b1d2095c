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
    fixed = [data_dir / name for name in FIXED_FILES.values()]
    optional = [data_dir / name for name in (*OPTIONAL_FILES.values(), CHANGELOG) if (data_dir / name).is_file()]
    return fixed + optional + workload_files(data_dir) + reference_files(data_dir)


def reference_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / REFERENCE_DIR).glob("*.yaml")) if (data_dir / REFERENCE_DIR).is_dir() else []


def workload_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / WORKLOAD_DIR).glob("*.yaml")) if (data_dir / WORKLOAD_DIR).is_dir() else []
