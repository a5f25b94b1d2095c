"""The README's Python examples run as written."""

from __future__ import annotations

import doctest

from conftest import ROOT


def test_readme_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # as written, in an empty directory: the bundled dataset
    monkeypatch.delenv("LYNCPOSTER_DATA", raising=False)
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_package_docstring_examples(tmp_path, monkeypatch):
    import lyncposter

    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(lyncposter, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_changelog_has_the_current_version(dataset):
    changelog = (ROOT / "CHANGELOG.md").read_text("utf-8")
    heading = f"## {dataset.poster.version} ({dataset.poster.revision_date})"
    assert heading in changelog, f"add a CHANGELOG.md entry '{heading}' for the poster's version"
