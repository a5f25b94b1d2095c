"""pip install and go: the bundled datasets, `init` and the CSV import, the data reference, sections
with nothing to show, the cache, and a wheel installed into a fresh virtual environment."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import lyncposter
from lyncposter import theme
from lyncposter.cli import main
from lyncposter.export.reference import reference, schema_fields
from lyncposter.schema import schema
from conftest import DATA, ROOT

LYNC = "microsoft-lync-server-2010-protocol-workloads-poster"


@pytest.fixture
def empty(tmp_path, monkeypatch):
    """An empty working directory, as a new user has one."""
    here = tmp_path / "empty"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.delenv("LYNCPOSTER_DATA", raising=False)
    return here


# --- the bundled datasets --------------------------------------------------------------------------


def test_without_data_the_bundled_poster_is_used_and_named(empty, capsys):
    assert main(["list"]) == 0
    out, err = capsys.readouterr()
    assert out.split()[0] == "im-presence"
    assert err == "lyncposter: data: the bundled lync-server-2010 dataset (there is no ./workloads here)\n"
    assert lyncposter.load().poster.title == lyncposter.load(DATA).poster.title


def test_a_bundled_name_and_the_environment_choose_the_data(empty, capsys, monkeypatch):
    assert main(["list", "--data", "nextcloud"]) == 0
    assert capsys.readouterr().out.split()[0] == "web-access"
    monkeypatch.setenv("LYNCPOSTER_DATA", "nextcloud")
    assert main(["list"]) == 0
    out, err = capsys.readouterr()
    assert out.split()[0] == "web-access" and err == "lyncposter: data: nextcloud (from LYNCPOSTER_DATA)\n"


def test_the_python_api_names_no_command_line_flag(empty):
    with pytest.raises(lyncposter.UsageError) as caught:
        lyncposter.load("mine")
    message = str(caught.value)
    assert "--data" not in message and "lync-server-2010, nextcloud" in message


def test_an_unknown_family_is_one_error_not_also_an_unknown_protocol(data_copy, capsys):
    data_copy.replace("catalog.yaml", "family: storage, transports: [TCP], show_transport: true}\n  - {id: smb", "family: databse, transports: [TCP], show_transport: true}\n  - {id: smb")
    assert main(["check", "--data", str(data_copy.root)]) == 1
    out = capsys.readouterr().out
    assert "'databse' is not allowed; allowed: signalling, federation, web, conferencing, media, relay, queueing, storage, push" in out
    assert "unknown protocol" not in out and "familys" not in out


def test_the_schemas_allow_exactly_the_themes_families_and_icons():
    items = schema("catalog")["properties"]
    assert items["protocols"]["items"]["properties"]["family"]["enum"] == list(theme.FAMILIES)
    assert items["roles"]["items"]["properties"]["icon"]["enum"] == list(theme.ICON_LABELS)


# --- the data reference --------------------------------------------------------------------------------


def test_the_data_reference_documents_every_field_of_every_schema():
    committed = (ROOT / "docs" / "data-reference.md").read_text("utf-8")
    assert committed == reference(), "docs/data-reference.md is stale: run make docs"
    rows = {line.split("|")[1].strip(): line.split("|") for line in committed.splitlines() if line.startswith("| `")}
    count = 0
    for kind, paths in schema_fields().items():
        for path in paths:
            count += 1
            assert f"`{path}`" in rows, f"{kind}: {path} is not in the data reference"
    for row in rows.values():
        _, field, kind, required, allowed, meaning, example, _ = row
        assert kind.strip() and required.strip() in ("yes", "no") and meaning.strip(), f"{field} has no meaning"
    assert count >= 130 and len(rows) >= count - 40  # paths repeat across files (title, id, source, ...)
    assert "`signalling`, `federation`, `web`" in committed and "`server`, `database`, `client`" in committed
    assert "| `url` |" not in committed or "| `sources[].url` |" in committed


# --- init ------------------------------------------------------------------------------------------------


def test_init_writes_a_commented_dataset_that_checks_and_builds(empty, capsys):
    assert main(["init", "mine"]) == 0
    written = capsys.readouterr().out.split()
    assert "mine/flows/web-access.yaml" in written and "mine/poster.yaml" in written
    for name in written:
        text = Path(name).read_text("utf-8")
        assert text.startswith("# yaml-language-server: $schema=") and text.count("\n#") >= 2, name
        assert Path(text.splitlines()[0].split("=", 1)[1]).is_file()  # the schema it names exists
    assert main(["check", "--data", "mine"]) == 0
    assert main(["build", "--data", "mine", "--out", "out"]) == 0
    assert (empty / "out" / "my-service-protocol-poster-v1.0.pdf").is_file()
    # never into a directory with something in it
    capsys.readouterr()
    assert main(["init", "mine"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err


def shipped_ports() -> str:
    out = io.StringIO()
    from contextlib import redirect_stdout

    with redirect_stdout(out):
        assert main(["ports", "--data", str(DATA)]) == 0
    return out.getvalue()


def test_ports_then_init_from_csv_then_ports_gives_the_same_rows(empty, capsys):
    matrix = shipped_ports()
    (empty / "ports.csv").write_text(matrix, "utf-8")
    assert main(["init", "imported", "--from-csv", "ports.csv"]) == 0
    capsys.readouterr()
    assert main(["ports", "--data", "imported"]) == 0
    assert capsys.readouterr().out == matrix
    assert main(["check", "--data", "imported"]) == 0  # and it checks clean


def test_a_bad_value_in_the_matrix_is_located_and_nothing_is_written(empty, capsys):
    rows = list(csv.reader(io.StringIO(shipped_ports())))
    rows[3][6] = "TPC"  # transport, on the file's fourth line
    rows[5][7] = "5061-80"  # ports, on the sixth
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (empty / "ports.csv").write_text(out.getvalue(), "utf-8")
    assert main(["init", "imported", "--from-csv", "ports.csv"]) == 1
    lines = capsys.readouterr().err.splitlines()
    text = out.getvalue().splitlines()
    assert lines[0] == f"ports.csv:4:{text[3].index(',TPC,') + 2}: transport 'TPC' is not allowed; allowed: TCP, UDP, TCP+UDP"
    assert lines[1].startswith(f"ports.csv:6:{text[5].index(',5061-80,') + 2}: ports '5061-80' is not a port list")
    assert not (empty / "imported").exists()


def test_a_matrix_without_the_columns_says_which(empty, capsys):
    (empty / "m.csv").write_text("from,to,port\na,b,1\n", "utf-8")
    assert main(["init", "x", "--from-csv", "m.csv"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("m.csv:1:1: missing column(s) workload, source, destination, protocol, transport, ports")


# --- sections with nothing to show --------------------------------------------------------------------


def test_a_sheet_prints_no_heading_for_what_the_data_lacks(empty, capsys):
    assert main(["init", "full"]) == 0 and main(["init", "bare"]) == 0
    bare = empty / "bare"
    flows = (bare / "flows" / "web-access.yaml").read_text("utf-8")
    (bare / "flows" / "web-access.yaml").write_text(flows[: flows.index("notes:")], "utf-8")
    poster = (bare / "poster.yaml").read_text("utf-8")
    (bare / "poster.yaml").write_text(poster[: poster.index("resources:")] + "resources: []\n", "utf-8")
    (bare / "certificates.yaml").write_text("certificates: []\n", "utf-8")
    (bare / "dns.yaml").write_text("records: []\n", "utf-8")
    (bare / "sources.yaml").unlink()  # the facts still name their source; there is just no list of sources to print
    catalog = (bare / "catalog.yaml").read_text("utf-8")
    (bare / "catalog.yaml").write_text(catalog.replace("family: web, transports: [TCP], tls: true}", "family: web, transports: [TCP]}"), "utf-8")  # no TLS: no certificate needed
    texts = {}
    for name in ("full", "bare"):
        assert main(["build", "--data", name, "--out", f"out-{name}"]) == 0, capsys.readouterr().err
        pdf = next((empty / f"out-{name}").glob("*.pdf"))
        texts[name] = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    headings = ("Notes", "Learn more", "Certificates", "DNS records")
    for heading in headings:
        assert heading in texts["full"], heading  # the check can fail: the full dataset prints them
        assert heading not in texts["bare"], heading
    assert "Scan for the poster's home page" in texts["bare"]  # the QR code stays


# --- the cache -------------------------------------------------------------------------------------------


def test_the_cache_lives_in_the_users_cache_directory_and_is_bounded(empty, capsys, monkeypatch, tmp_path):
    from lyncposter.cache import DataCache, cache_dir, prune

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "lyncposter"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "lyncposter"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["build", "--data", str(DATA), "--out", "out", "--sheet", "mobility"]) == 0
    assert not (empty / ".cache").exists() and not (tmp_path / ".cache").exists()  # nothing beside the output
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    info = capsys.readouterr().out
    assert info.startswith(f"{tmp_path / 'xdg' / 'lyncposter'}: ") and "finished panels" in info
    # bounded: the least recently used go first
    cache = DataCache(tmp_path / "bounded")
    for i in range(6):
        cache.put(f"k{i}", b"x" * 10_000)
        os.utime(cache.root / f"k{i}.data", (1_000_000 + i, 1_000_000 + i))
    assert cache.get("k0") is not None  # used now: the newest
    assert prune(cache.root, 35_000) == 3
    assert sorted(p.name for p in cache.root.glob("*.data")) == ["k0.data", "k4.data", "k5.data"]
    assert main(["cache", "clear"]) == 0
    assert "entries removed" in capsys.readouterr().out
    assert not list((tmp_path / "xdg" / "lyncposter").glob("*.panel"))


# --- from a wheel, in a fresh virtual environment ---------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel, installed into a fresh virtual environment; its dependencies are the test
    environment's own (a path file), so no package index is needed."""
    root = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(root / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (root / "dist").glob("lyncposter-*.whl")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    python = root / "venv" / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)  # a wheel is a zip of the files to install
    ours = next(p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site / "test-dependencies.pth").write_text(ours + "\n", "utf-8")  # a path file adds the directory, not its own .pth files
    script = root / "venv" / "bin" / "lyncposter"
    script.write_text(f"#!{python}\nimport sys\nfrom lyncposter.cli import main\nsys.exit(main())\n", "utf-8")
    script.chmod(0o755)
    return root


def test_the_wheel_carries_a_licence_urls_and_the_datasets(installed):
    (wheel,) = (installed / "dist").glob("lyncposter-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("/METADATA"))).decode()
    assert "License-Expression: MIT" in metadata and "Project-URL: Homepage" in metadata
    assert any(n.endswith("/licenses/LICENSE") for n in names)
    assert "lyncposter/datasets/lync-server-2010/flows/im-presence.yaml" in names
    assert "lyncposter/datasets/nextcloud/addresses.yaml" in names
    assert "lyncposter/starter/flows/web-access.yaml" in names


def test_from_the_wheel_in_an_empty_directory(installed, tmp_path):
    here = tmp_path / "user"
    here.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("LYNCPOSTER_DATA", "PYTHONPATH")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    lyncposter_cli = str(installed / "venv" / "bin" / "lyncposter")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([lyncposter_cli, *args], cwd=here, env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, (args, done.stderr)
        return done

    where = subprocess.run([str(installed / "venv" / "bin" / "python"), "-c", "import lyncposter; print(lyncposter.__file__)"], cwd=here, env=env, capture_output=True, text=True, check=True)
    assert str(installed) in where.stdout  # the wheel's copy, not the work tree's
    built = run("build")
    assert "the bundled lync-server-2010 dataset" in built.stderr
    assert sorted(p.name for p in (here / "output").glob("*.pdf")) == sorted(
        f"{LYNC}{suffix}-v{lyncposter.load(DATA).poster.version}.pdf" for suffix in ("", "-firewall", "-mobility")
    )
    run("init", "mine")
    run("check", "--data", "mine")
    run("build", "--data", "mine")
    ports = run("ports").stdout
    (here / "ports.csv").write_text(ports, "utf-8")
    run("init", "imported", "--from-csv", "ports.csv")
    assert run("ports", "--data", "imported").stdout == ports
    assert json.loads(run("firewall", "--format", "json", "--firewall", "internal-firewall").stdout)[0]["rule"] == 1
