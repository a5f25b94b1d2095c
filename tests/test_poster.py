"""The real PDF, read back: sizes, text, links, QR code, metadata, one version, safety, stability."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

import lyncposter
from lyncposter.cli import main
from lyncposter.poster import NAMED, build_poster, poster_filename
from lyncposter.poster.compose import compose
from lyncposter.render import render_panels
from lyncposter.poster.sizes import INCH, MM, paper_size
from conftest import DATA, VERSION

FILE = f"microsoft-lync-server-2010-protocol-workloads-poster-v{VERSION}.pdf"
FIREWALL_FILE = f"microsoft-lync-server-2010-protocol-workloads-poster-firewall-v{VERSION}.pdf"
MOBILITY_FILE = f"microsoft-lync-server-2010-protocol-workloads-poster-mobility-v{VERSION}.pdf"


@pytest.fixture(scope="module")
def poster(dataset, tmp_path_factory):
    return build_poster(dataset, tmp_path_factory.mktemp("poster"))


@pytest.fixture(scope="module")
def text(poster) -> str:
    return subprocess.run(["pdftotext", "-layout", str(poster.path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def panels(dataset):
    """The panels, laid out once for every sheet composed from them."""
    return render_panels(dataset.workloads)


def test_file_name_carries_slug_and_version(poster):
    assert poster.path.name == FILE


@pytest.mark.parametrize(
    "name, portrait, expected",
    [
        ("arch-e", False, (48 * INCH, 36 * INCH)),
        ("arch-e", True, (36 * INCH, 48 * INCH)),
        ("arch-d", False, (36 * INCH, 24 * INCH)),
        ("a0", False, (1189 * MM, 841 * MM)),
        ("a1", False, (841 * MM, 594 * MM)),
        ("tabloid", False, (17 * INCH, 11 * INCH)),
        ("30x20in", False, (30 * INCH, 20 * INCH)),
        ("600x900mm", True, (600 * MM, 900 * MM)),
    ],
)
def test_page_size(dataset, panels, tmp_path, name, portrait, expected):
    sheet = compose(dataset, panels, paper_size(name, portrait))
    target = tmp_path / "p.pdf"
    target.write_bytes(sheet.pdf)
    box = PdfReader(target).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(expected, abs=0.01)


def test_named_sizes_are_all_tested():
    assert set(NAMED) == {"arch-e", "arch-d", "a0", "a1", "tabloid"}


def test_unknown_size_is_a_usage_error(capsys):
    assert main(["build", "--size", "huge", "--data", str(DATA)]) == 2
    assert "unknown paper size 'huge'; use one of arch-e, arch-d, a0, a1, tabloid" in capsys.readouterr().err


def test_no_text_under_6pt_at_the_default_size(poster):
    assert poster.sheet.paper.name == "arch-e"
    assert poster.sheet.smallest_text >= 6


def test_sections_are_on_the_poster(text):
    for title in ("Legend", "Notes", "Certificates", "DNS records", "Internal DNS", "External (public) DNS", "Learn more"):
        assert title in text
    for workload_title in ("IM and Presence", "Enterprise Voice", "Central Management Store"):
        assert workload_title in text


def test_every_port_is_text_on_the_poster(dataset, text):
    flat = re.sub(r"\s+", " ", text)
    for flow in dataset.flows:
        for ports in flow.ports:
            assert str(ports) in flat, (flow.id, str(ports))


def test_certificates_and_dns_come_from_the_data(dataset, text):
    for cert in dataset.certificates:
        assert cert.subject in text
    for record in dataset.dns_records:
        assert record.name in text


def test_unsure_marks_are_visible(dataset, text):
    unsure_cert = next(c for c in dataset.certificates if c.unsure)
    assert "?" in text
    assert unsure_cert.unsure.split()[0] in text


def test_resource_links_are_clickable(dataset, poster):
    page = PdfReader(poster.path).pages[0]
    uris = {a.get_object()["/A"]["/URI"] for a in page.get("/Annots", []) if "/A" in a.get_object()}
    for resource in dataset.poster.resources:
        assert resource.url in uris
    assert dataset.poster.home_url in uris
    # and every source the facts cite, where it has an address
    assert {s.url for s in dataset.cited(dataset.citations) if s.url} <= uris


def test_qr_code_scans_to_the_home_url(dataset, poster, tmp_path):
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(poster.path), str(tmp_path / "page")], check=True)
    (image,) = tmp_path.glob("page*.png")
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True)
    assert scanned.stdout.strip().splitlines() == [dataset.poster.home_url]


def test_vector_all_the_way(poster):
    page = PdfReader(poster.path).pages[0]
    xobjects = page["/Resources"].get("/XObject", {})
    assert not [x for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image"]
    fonts = subprocess.run(["pdffonts", str(poster.path)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts and "DejaVuSans-Bold" in fonts


def test_metadata(dataset, poster):
    meta = PdfReader(poster.path).metadata
    assert meta.title == dataset.poster.title
    assert meta.author == dataset.poster.author
    assert f"version {VERSION}" in meta.subject
    assert f"version {VERSION}" in meta["/Keywords"]
    assert meta.creator.startswith("lyncposter ")


def _corner_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-r", "72", "-x", "0", "-y", "0", "-W", "400", "-H", "160", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_one_version_everywhere(data_copy, tmp_path):
    """Corner stamp, file name, metadata and footer all follow the single version field."""
    data_copy.replace("poster.yaml", f'version: "{VERSION}"', 'version: "9.1"')
    built = build_poster(lyncposter.load(data_copy.root), tmp_path)
    assert built.path.name.endswith("-v9.1.pdf")
    assert "v9.1" in _corner_text(built.path)
    meta = PdfReader(built.path).metadata
    assert "version 9.1" in meta.subject and "version 9.1" in meta["/Keywords"]
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(built.path), "-"], capture_output=True, text=True, check=True).stdout)
    assert "Workloads Poster, version 9.1 \u00b7 generated by lyncposter" in text
    assert VERSION not in _corner_text(built.path) and f"version {VERSION}" not in text


def test_same_data_same_bytes(dataset, panels):
    first = compose(dataset, panels, paper_size("arch-d")).pdf
    assert compose(dataset, render_panels(dataset.workloads), paper_size("arch-d")).pdf == first  # fresh panels, no cache


def test_source_date_epoch_sets_the_dates(tmp_path):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    subprocess.run([sys.executable, "-m", "lyncposter", "build", "--data", str(DATA), "--out", str(tmp_path)], env=env, check=True, capture_output=True)
    meta = PdfReader(tmp_path / FILE).metadata
    assert meta["/CreationDate"].startswith("D:20231114")


def test_a_failed_build_leaves_the_previous_poster(data_copy, tmp_path):
    out = tmp_path / "out"
    assert main(["build", "--data", str(data_copy.root), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == sorted([FILE, FIREWALL_FILE, MOBILITY_FILE])
    # bad data
    data_copy.replace("flows/cac.yaml", "transport: TCP", "transport: SCTP")
    assert main(["build", "--data", str(data_copy.root), "--out", str(out)]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    # Graphviz missing: the real command, with no dot on its PATH
    shutil.copytree(DATA, tmp_path / "good")
    venv_bin = Path(sys.executable).parent
    result = subprocess.run(
        [str(venv_bin / "lyncposter"), "build", "--data", str(tmp_path / "good"), "--out", str(out)],
        env=dict(os.environ, PATH=str(venv_bin)),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("lyncposter: Graphviz's 'dot' was not found")
    assert "Traceback" not in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # every sheet as it was, nothing half-written


def test_build_reports_the_smallest_text(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "lyncposter", "build", "--data", str(DATA), "--out", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout.splitlines() == [str(tmp_path / FILE), str(tmp_path / FIREWALL_FILE), str(tmp_path / MOBILITY_FILE)]
    for sheet in ("workloads", "firewall", "mobility"):
        assert re.search(rf"^{sheet}: arch-e \(48 x 36 in\); panels at \d+%; smallest text \d+(\.\d+)? pt$", result.stderr, re.M)


def test_poster_filename_uses_the_title_slug(dataset):
    assert poster_filename(dataset) == FILE


def test_without_source_date_epoch_the_dates_are_the_revision_date(dataset, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    subprocess.run([sys.executable, "-m", "lyncposter", "build", "--data", str(DATA), "--out", str(tmp_path), "--sheet", "workloads"], env=env, check=True, capture_output=True)
    info = subprocess.run(["pdfinfo", str(tmp_path / FILE)], capture_output=True, text=True, check=True).stdout
    year, month, day = dataset.poster.revision_date.split("-")
    expected = datetime.date(int(year), int(month), int(day)).strftime("%a %b %d 00:00:00 %Y UTC")
    assert f"CreationDate:    {expected}" in info and f"ModDate:         {expected}" in info
