"""The generator's own version (the poster's is in workloads/poster.yaml)."""

__version__ = "0.1.0"
