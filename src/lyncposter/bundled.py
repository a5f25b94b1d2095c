"""Which data directory a command reads: the one named, `./workloads`, or a dataset that ships with lyncposter.

The package carries its datasets (the Lync Server 2010 poster, and the Nextcloud example) so
that `pip install lyncposter` is enough to build a poster. Without `--data` (or `data_dir`),
`LYNCPOSTER_DATA` names the data; without that, `./workloads` is used when it exists, else the
bundled Lync Server 2010 dataset. A name that is not a directory may be a bundled dataset's.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

DEFAULT_DIR = "workloads"
DEFAULT_DATASET = "lync-server-2010"
ENVIRONMENT = "LYNCPOSTER_DATA"


def bundled_root() -> Path:
    return Path(str(resources.files(__package__).joinpath("datasets")))


def bundled_names() -> tuple[str, ...]:
    root = bundled_root()
    return tuple(sorted(p.name for p in root.iterdir() if (p / "poster.yaml").is_file())) if root.is_dir() else ()


def bundled(name: str) -> Path | None:
    path = bundled_root() / name
    return path if (path / "poster.yaml").is_file() else None


def choose(data: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """The data directory to read, and (when it was not named) one line saying which it is."""
    if data is None or str(data) == "":
        named = os.environ.get(ENVIRONMENT, "").strip()
        if named:
            path, _ = choose(named)
            return path, f"data: {named} (from {ENVIRONMENT})"
        if Path(DEFAULT_DIR).is_dir():
            return Path(DEFAULT_DIR), f"data: ./{DEFAULT_DIR}"
        found = bundled(DEFAULT_DATASET)
        if found is not None:
            return found, f"data: the bundled {DEFAULT_DATASET} dataset (there is no ./{DEFAULT_DIR} here)"
        return Path(DEFAULT_DIR), ""
    path = Path(data)
    if not path.is_dir():
        found = bundled(str(data))
        if found is not None:
            return found, ""
    return path, ""
