"""Tiles on Letter and A4: page count and size, marks on every page, vector text, the assembly map."""

from __future__ import annotations

import math
import re
import subprocess

import pytest
from pypdf import PdfReader

from lyncposter.cli import main
from lyncposter.errors import UsageError
from lyncposter.export.tiles import MARGIN, PAPERS, plan_tiles, tile_poster
from lyncposter.poster import build_poster
from lyncposter.poster.sizes import MM, parse_length
from conftest import DATA


@pytest.fixture(scope="module")
def poster(dataset, tmp_path_factory):
    return build_poster(dataset, tmp_path_factory.mktemp("poster")).path


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_tiles_cover_the_poster_at_full_size(poster, tmp_path, paper):
    path, plan = tile_poster(poster, tmp_path, paper=paper, overlap=10 * MM)
    assert path.name == poster.stem + f"-tiles-{paper}.pdf"
    reader = PdfReader(path)
    assert len(reader.pages) == plan.pages == plan.rows * plan.columns + 1
    short, long = PAPERS[paper]
    for page in reader.pages:
        size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
        assert size == pytest.approx([short, long], abs=0.01)
    # the tiles reach every edge of the poster, and no further than one tile
    step_x, step_y = plan.region_width - plan.overlap, plan.region_height - plan.overlap
    assert plan.columns == math.ceil((plan.poster_width - plan.overlap) / step_x)
    assert plan.rows == math.ceil((plan.poster_height - plan.overlap) / step_y)


def test_every_tile_has_its_marks_and_label(poster, tmp_path):
    path, plan = tile_poster(poster, tmp_path, paper="letter")
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages[1:], start=0):
        tile = plan.tiles[number]
        text = page.extract_text()
        assert f"row {tile.row}, column {tile.column}" in text
        content = page.get_contents().get_data().decode("latin-1")
        assert "re W n" in content and "/Poster Do" in content  # the poster, clipped to the tile
        crop_marks = re.findall(r"n [\d.]+ [\d.]+ m [\d.]+ [\d.]+ l S", content)
        assert len(crop_marks) >= 8
        assert content.count(" c") >= 4  # crosshair circles


def test_assembly_map_comes_first(poster, tmp_path):
    path, plan = tile_poster(poster, tmp_path, paper="a4")
    text = PdfReader(path).pages[0].extract_text()
    assert "Assembly map" in text
    assert f"{plan.rows} rows x {plan.columns} columns" in text
    assert f"R{plan.rows} C{plan.columns}" in text


def test_text_stays_text_on_the_tiles(dataset, poster, tmp_path):
    path, _ = tile_poster(poster, tmp_path, paper="letter")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "SIP/MTLS:5041" in text
    assert "_sipfederationtls._tcp.contoso.com" in text


def test_orientation_that_needs_fewer_pages():
    plan = plan_tiles(3456, 2592, "letter", 10 * MM)
    other = plan_tiles(2592, 3456, "letter", 10 * MM)
    assert plan.rows * plan.columns <= 30
    assert plan.page_width > plan.page_height  # landscape sheets suit a landscape poster
    assert other.page_width < other.page_height
    assert plan.region_width == plan.page_width - 2 * MARGIN


def test_lengths_and_bad_input(tmp_path):
    assert parse_length("10mm") == pytest.approx(10 * MM)
    assert parse_length("0.5in") == 36
    with pytest.raises(UsageError):
        parse_length("ten")
    with pytest.raises(UsageError, match="no such poster"):
        tile_poster(tmp_path / "missing.pdf", tmp_path)


def test_cli_tile_defaults_to_the_built_poster(poster, tmp_path, capsys):
    assert main(["tile", str(poster), "--paper", "a4", "--overlap", "12mm", "--out", str(tmp_path)]) == 0
    assert (tmp_path / (poster.stem + "-tiles-a4.pdf")).is_file()
    assert main(["tile", "--data", str(DATA), "--out", str(tmp_path / "empty")]) == 2
    assert "build it first" in capsys.readouterr().err


def test_build_png(tmp_path):
    assert main(["build", "--data", str(DATA), "--out", str(tmp_path), "--png", "20", "--sheet", "workloads"]) == 0
    (png,) = tmp_path.glob("*.png")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) == (round(48 * 20), round(36 * 20))


def test_same_poster_same_tiles(poster, tmp_path):
    first, _ = tile_poster(poster, tmp_path / "a", paper="letter")
    second, _ = tile_poster(poster, tmp_path / "b", paper="letter")
    assert first.read_bytes() == second.read_bytes()


def test_same_data_same_html(dataset):
    from lyncposter.export.html import render_html
    from lyncposter.render import render_panels

    assert render_html(dataset, render_panels(dataset.workloads)) == render_html(dataset, render_panels(dataset.workloads))
