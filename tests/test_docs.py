"""docs/: the project's own reference, held to the data."""

from __future__ import annotations

import re

import pytest

from lyncposter.export.docs import PAGES, pages
from conftest import ROOT


@pytest.fixture
def generated(dataset, monkeypatch):
    monkeypatch.chdir(ROOT)  # locations are written relative to the repository
    return pages(dataset)


def test_generated_pages_are_current(generated):
    for name in PAGES:
        committed = (ROOT / "docs" / name).read_text("utf-8")
        assert committed == generated[name], f"docs/{name} is stale: run make docs"


def test_every_unconfirmed_fact_is_listed(dataset, generated):
    text = generated["unconfirmed.md"]
    unsure = [f for f in dataset.flows if f.unsure] + [c for c in dataset.certificates if c.unsure] + [r for r in dataset.dns_records if r.unsure]
    unsure += [n for w in dataset.workloads for n in w.notes if n.unsure]
    assert unsure
    for fact in unsure:
        assert f"`{fact.location}`" in text


def test_every_omission_and_source_is_listed(dataset, generated):
    for omission in dataset.omissions:
        assert omission.what in generated["omissions.md"]
    omitted_rows = [r for t in dataset.port_tables for r in t.rows if r.omitted]
    assert omitted_rows and all(r.label in generated["omissions.md"] for r in omitted_rows)
    for source in dataset.sources:
        assert f"## {source.id}: {source.title}" in generated["sources.md"]


def test_nothing_outside_the_repository_is_referred_to():
    texts = [(ROOT / "README.md").read_text("utf-8")] + [p.read_text("utf-8") for p in (ROOT / "src").rglob("*") if p.suffix in (".py", ".js", ".html", ".json")]
    texts += [p.read_text("utf-8") for p in (ROOT / "docs").glob("*.md")]
    for text in texts:
        assert not re.search(r"\.\./shared|lync2010-facts", text)
