"""The planner's measures: paragraphs' and tables' heights found fast are reportlab's own, and
they draw as reportlab's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.platypus import Flowable, Table
from reportlab.platypus import paragraph as rl

from lyncposter.changes import compare
from lyncposter.firewall import firewall_rules
from lyncposter.fonts import register
from lyncposter.model import Dataset
from lyncposter.poster import sections
from lyncposter.poster.paragraph import Paragraph

FACTORS = (0.31, 0.5, 0.73, 1.0, 1.37)  # tabloid to larger than ARCH E


def _paragraphs(flowables: Iterable[object]) -> Iterator[Paragraph]:
    for f in flowables:
        if isinstance(f, Paragraph):
            yield f
        elif isinstance(f, sections.Grid):
            yield from _paragraphs(c for row in f.cells for c in row)
        elif isinstance(f, Table):
            for row in f._cellvalues:
                for cell in row:
                    yield from _paragraphs(cell if isinstance(cell, list) else [cell])


def _story(data: Dataset, factor: float) -> list[Flowable]:
    """Every section of every sheet, at one type size."""
    register()
    t = sections.Type(factor)
    titles = {w.id: w.title for w in data.workloads}
    return [
        *[f for rules in firewall_rules(data) for f in sections.rule_table(rules, t, 2400 * factor, titles)],
        *sections.whats_new(compare(data, data), t),
        *sections.legend(data, t, 500 * factor),
        *sections.notes(data, t),
        *sections.resources(data, t, 500 * factor),
        *sections.certificates(data, t, 2000 * factor),
        *sections.dns(data, t, 1500 * factor),
    ]


def _every_paragraph(data: Dataset, factor: float) -> list[Paragraph]:
    """Every paragraph the sections of every sheet set, at one type size."""
    return list(_paragraphs(_story(data, factor)))


def _reportlabs(p: Paragraph) -> rl.Paragraph:
    """The same paragraph as reportlab's own Paragraph makes it, parsed afresh."""
    text, style, bullet = p.made
    return rl.Paragraph(text, style, bullet)


@pytest.fixture(scope="module")
def paragraphs(dataset: Dataset) -> dict[float, list[Paragraph]]:
    return {factor: _every_paragraph(dataset, factor) for factor in FACTORS}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(factor=st.sampled_from(FACTORS), share=st.floats(0.02, 1.0))
def test_heights_are_reportlabs(paragraphs: dict[float, list[Paragraph]], factor: float, share: float) -> None:
    """At any width a sheet might give it (a share of the widest column), every paragraph of the
    sections is as tall as reportlab makes it, re-sized from another type size or parsed."""
    width = 40 * factor + share * 900 * factor
    for p in paragraphs[factor]:
        assert p.wrap(width, 1e6) == _reportlabs(p).wrap(width, 1e6), (p.text[:60], factor, width)


def test_heights_come_from_the_replay(paragraphs: dict[float, list[Paragraph]]) -> None:
    """At the widths a sheet gives them, nearly every height is the replay's, not reportlab's
    line breaking (which leaves its lines behind): the fast path is the one taken."""
    found = paragraphs[1.0]
    for p in found:
        p.wrap(300.0, 1e6)
    replayed = [p for p in found if "blPara" not in p.__dict__]
    assert len(replayed) >= 0.95 * len(found) > 100


def test_a_plain_paragraph_is_set_up_as_reportlab_parses_it(paragraphs: dict[float, list[Paragraph]]) -> None:
    """A paragraph with no markup skips reportlab's parser: its text, style and pieces are the
    parser's own, attribute for attribute, for every such paragraph the sheets set at every size."""
    from lyncposter.poster import paragraph

    made = [p.made for found in paragraphs.values() for p in found if "<" not in p.made[0] and "&" not in p.made[0]]
    assert len(made) > 300
    for table in (paragraph._PARSED, paragraph._UNSIZED, paragraph._TEMPLATES):
        table.clear()  # set up afresh, before any measuring touches the pieces
    for text, style, bullet in made:
        ours, reference = Paragraph(text, style, bullet), rl.Paragraph(text, style, bullet)
        assert (ours.text, ours.style, ours.bulletText) == (reference.text, reference.style, reference.bulletText)
        assert [f.__dict__ for f in ours.frags] == [f.__dict__ for f in reference.frags], text[:60]


def test_a_drawn_paragraph_breaks_as_reportlab(paragraphs: dict[float, list[Paragraph]]) -> None:
    """Drawing and splitting break the lines with reportlab itself, after a fast measure."""
    p = max(paragraphs[1.0], key=lambda p: len(p.text))
    width = 150.0
    _, height = p.wrap(width, 1e6)
    reference = _reportlabs(p)
    reference.wrap(width, 1e6)
    halves = p.split(width, height / 2)
    expected = reference.split(width, height / 2)
    assert len(halves) == len(expected) == 2
    assert [len(h.blPara.lines) if h.wrap(width, 1e6) else 0 for h in halves] == [len(e.blPara.lines) if e.wrap(width, 1e6) else 0 for e in expected]


@pytest.fixture(scope="module")
def grids(dataset: Dataset) -> list[sections.Grid]:
    return [f for factor in FACTORS for f in _story(dataset, factor) if isinstance(f, sections.Grid)]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(share=st.floats(0.3, 1.5))
def test_table_heights_are_reportlabs(grids: list[sections.Grid], share: float) -> None:
    """The certificates, the DNS records and the rule tables, measured without building them, are as
    tall as reportlab's Table makes them, at their widths scaled by `share`."""
    assert len(grids) >= 3 * len(FACTORS)
    for grid in grids:
        widths = [w * share for w in grid.widths]
        measured = sections.Grid(grid.cells, widths, grid.t)
        assert measured.wrap(sum(widths), 1e6) == measured.table().wrap(sum(widths), 1e6)


def test_a_table_splits_as_reportlabs(grids: list[sections.Grid]) -> None:
    grid = max(grids, key=lambda g: len(g.cells))
    _, height = grid.wrap(sum(grid.widths), 1e6)
    parts = grid.split(sum(grid.widths), height / 2)
    assert len(parts) == 2 and all(isinstance(p, Table) for p in parts)
    assert sum(p.wrap(sum(grid.widths), 1e6)[1] for p in parts) >= height  # the header row repeats


def test_reportlab_patterns_lyncposter_never_uses_are_compiled_when_first_used_and_match_as_compiled() -> None:
    """Importing the sheets' composition leaves reportlab's URI and CJK patterns uncompiled (a
    twentieth of a cold build); once used, they answer as the patterns compiled at once."""
    import subprocess
    import sys

    from reportlab.lib import textsplit

    from lyncposter.poster.platypus import DeferredPattern

    source = (
        "import lyncposter.poster.compose, reportlab.platypus.paragraph as p, reportlab.lib.textsplit as t\n"
        "print(type(p.uri_pat).__name__, p.uri_pat._compiled, type(t.rx).__name__, t.rx._compiled)"
    )
    run = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["DeferredPattern", "None", "DeferredPattern", "None"]
    # this process imported reportlab first, so its patterns are compiled: the deferred ones against them
    uri, cjk = rl.uri_pat, textsplit.rx
    deferred_uri, deferred_cjk = DeferredPattern(uri.pattern, uri.flags), DeferredPattern(cjk.pattern, cjk.flags)
    matched = 0
    for text in ("https://lyncposter.example/poster/v5.2", "sip:alice@contoso.com", "HTTP://[fe80::1]:443/x", "ftp://a.b", "not a uri", "https://-bad-.com"):
        found, expected = deferred_uri.match(text), uri.match(text)
        assert (found.groups() if found else None) == (expected.groups() if expected else None)
        matched += expected is not None
    assert matched >= 2
    for text in ("Lync 服务器 2010", "plain", "한국어 text"):
        assert deferred_cjk.sub(r"\1\0 ", text) == cjk.sub(r"\1\0 ", text)
    assert deferred_cjk.sub(r"\1\0 ", "服务") != "服务"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.floats(1.0, 60.0))
def test_a_kept_width_is_reportlabs_to_the_last_bit(paragraphs: dict[float, list[Paragraph]], size: float) -> None:
    """The fonts keep each text's width at size 1; at any size it is the width reportlab measures,
    bit for bit, for every word, space and piece the sheets set (and for a paragraph's whole text)."""
    from reportlab.pdfbase.pdfmetrics import getFont
    from reportlab.pdfbase.ttfonts import TTFont

    from lyncposter import theme

    texts = {" ", "-", "", "Ωµ€ü"}
    for found in paragraphs.values():
        for p in found:
            for frag in p.frags:
                words = getattr(frag, "text", "")
                texts.add(words)
                texts.update(words.split())
    assert len(texts) > 500
    for name in (theme.FONT, theme.FONT_BOLD):
        font = getFont(name)
        assert type(font).__name__ == "MeasuredFont"
        for text in texts:
            kept = font.stringWidth(text, size)
            assert kept == TTFont.stringWidth(font, text, size), (name, text, size)
            assert font.stringWidth(text, size) == kept  # asked again, from what the font keeps
