"""The package type-checks (mypy with check_untyped_defs, as configured in pyproject.toml)."""

from __future__ import annotations

from mypy import api

from conftest import ROOT


def test_mypy_is_clean(monkeypatch):
    monkeypatch.chdir(ROOT)
    out, err, status = api.run(["--no-incremental", "--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, out + err
