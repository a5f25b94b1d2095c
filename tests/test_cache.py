"""The panel cache: same bytes with and without it, one panel redone per change, bad entries never trusted."""

from __future__ import annotations

import os
import pickle
import stat

import pytest

import lyncposter
from lyncposter.cache import PanelCache, SvgCache, panel_key
from lyncposter.layout import workload_dot
from lyncposter.poster import build_sheets


def build(data, out, cache):
    (built,) = build_sheets(data, out, sheet_ids=("workloads",), cache=cache)
    return built.path.read_bytes()


def test_same_bytes_with_and_without_the_cache_and_one_panel_per_change(data_copy, tmp_path):
    data = lyncposter.load(data_copy.root)
    cache = PanelCache(tmp_path / "cache")
    plain = build(data, tmp_path / "a", None)
    assert build(data, tmp_path / "b", cache) == plain  # a cold cache
    entries = {p.name for p in (tmp_path / "cache").glob("*.svg-panel")}  # every panel, and those laid out again for a taller box
    assert {f"{panel_key(workload_dot(w))}.svg-panel" for w in data.workloads} <= entries
    assert build(data, tmp_path / "c", cache) == plain  # a warm one
    assert stat.S_IMODE((tmp_path / "cache" / "key").stat().st_mode) == 0o600
    # one flow changed: one panel laid out again; every panel is painted from its drawing
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 5042")
    changed = lyncposter.load(data_copy.root)
    laid_out = set((tmp_path / "cache").glob("*.svg-panel"))
    assert build(changed, tmp_path / "d", cache) == build(changed, tmp_path / "e", None)
    assert [p.name for p in set((tmp_path / "cache").glob("*.svg-panel")) - laid_out] == [f"{panel_key(workload_dot(changed.workload('group-chat')))}.svg-panel"]


def test_corrupt_and_foreign_entries_are_ignored_and_rewritten(dataset, tmp_path):
    cache = PanelCache(tmp_path / "cache")
    plain = build(dataset, tmp_path / "a", cache)
    entries = sorted((tmp_path / "cache").glob("*.svg-panel"))
    corrupt, foreign = entries[0], entries[1]
    corrupt.write_bytes(corrupt.read_bytes()[:100])  # cut short
    foreign.write_bytes(b"\0" * 32 + pickle.dumps(("not", "a panel")))  # not signed by this cache
    panels = SvgCache(tmp_path / "cache")
    assert panels.get(corrupt.stem) is None and panels.get(foreign.stem) is None
    for sheet in (tmp_path / "cache").glob("*.sheet"):  # the composed sheet is cached too: compose again
        sheet.unlink()
    assert build(dataset, tmp_path / "b", cache) == plain
    assert panels.get(corrupt.stem) is not None and panels.get(foreign.stem) is not None  # made again


def test_a_build_with_nothing_changed_writes_the_cached_sheet(data_copy, tmp_path):
    import subprocess
    import sys

    data = lyncposter.load(data_copy.root)
    cache = PanelCache(tmp_path / "cache")
    first = build(data, tmp_path / "a", cache)
    assert len(list((tmp_path / "cache").glob("*.sheet"))) == 1
    assert build(data, tmp_path / "b", cache) == first
    # and a changed date (SOURCE_DATE_EPOCH) is a new sheet, not the cached one
    script = (
        "import lyncposter\n"
        "from lyncposter.cache import PanelCache\n"
        "from lyncposter.poster import build_sheets\n"
        "from pathlib import Path\n"
        f"(b,) = build_sheets(lyncposter.load({str(data_copy.root)!r}), {str(tmp_path / 'c')!r}, sheet_ids=('workloads',), cache=PanelCache(Path({str(tmp_path / 'cache')!r})))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
    (name,) = [p.name for p in (tmp_path / "a").iterdir()]
    assert (tmp_path / "c" / name).read_bytes() != first
    assert len(list((tmp_path / "cache").glob("*.sheet"))) == 2


def test_a_warm_cache_never_hides_a_change(data_copy, capsys):
    from lyncposter.cli import main

    assert main(["check", "--data", str(data_copy.root)]) == 0
    assert main(["check", "--data", str(data_copy.root)]) == 0  # answered from the cache
    capsys.readouterr()
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 70000")
    assert main(["check", "--data", str(data_copy.root)]) == 1
    assert "[PORT-RANGE]" in capsys.readouterr().out
    data_copy.replace("flows/group-chat.yaml", "ports: 70000", "ports: 5041")
    assert main(["check", "--data", str(data_copy.root)]) == 0
    assert main(["list", "--data", str(data_copy.root)]) == 0
    data_copy.replace("flows/group-chat.yaml", "title: Group Chat", "title: Persistent Group Chat")
    capsys.readouterr()
    assert main(["list", "--data", str(data_copy.root)]) == 0
    assert "Persistent Group Chat" in capsys.readouterr().out


def test_a_warm_cache_spares_reading_yaml_and_loading_the_model(data_copy):
    """`list` and `check` on unchanged data answer from the cache: no YAML read, no model loaded."""
    import subprocess
    import sys

    def run(command: str) -> tuple[str, str]:
        script = (
            "import contextlib, io, sys\n"
            "from lyncposter.cli import main\n"
            "out = io.StringIO()\n"
            "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):\n"
            f"    main([{command!r}, '--data', {str(data_copy.root)!r}])\n"
            "print(sorted({m for m in sys.modules} & {'yaml', 'jsonschema', 'networkx', 'lyncposter.model'}))\n"
            "print(out.getvalue())\n"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=data_copy.root.parent)
        loaded, _, printed = done.stdout.partition("\n")
        return loaded, printed

    for command in ("list", "check"):
        first, printed = run(command)
        again, printed_again = run(command)
        assert first == ("['jsonschema', 'lyncposter.model', 'yaml']" if command == "list" else "['lyncposter.model']"), command  # check: the data list read
        assert again == "[]", command
        assert printed_again == printed


def test_panels_from_the_cache_need_no_graphviz(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from conftest import DATA

    lyncposter_cli = str(Path(sys.executable).with_name("lyncposter"))
    out = tmp_path / "output" / "panels"
    subprocess.run([lyncposter_cli, "panels", "--data", str(DATA), "--out", str(out)], check=True, capture_output=True, cwd=tmp_path)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    broken = tmp_path / "bin"
    broken.mkdir()
    real = subprocess.run(["sh", "-c", "command -v dot"], capture_output=True, text=True, check=True).stdout.strip()
    # the same Graphviz when asked its version (the cache key holds it), but it lays nothing out
    (broken / "dot").write_text(f'#!/bin/sh\nif [ "$1" = "-V" ]; then exec {real} -V; fi\nexit 3\n', "utf-8")
    (broken / "dot").chmod(0o755)
    env = {**os.environ, "PATH": f"{broken}:{os.environ['PATH']}"}
    subprocess.run([lyncposter_cli, "panels", "--data", str(DATA), "--out", str(out)], check=True, capture_output=True, cwd=tmp_path, env=env)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_kept_section_heights_follow_the_sections(data_copy, tmp_path):
    """The sections' measured heights are kept between builds: a flow's port leaves them as they
    were, a longer DNS purpose is measured again, and either way the sheet is the one a build
    without the cache makes."""
    cache = PanelCache(tmp_path / "cache")
    data = lyncposter.load(data_copy.root)
    build(data, tmp_path / "a", cache)
    kept = set((tmp_path / "cache").glob("*.measures"))
    assert len(kept) == 1
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 5042")
    changed = lyncposter.load(data_copy.root)
    assert build(changed, tmp_path / "b", cache) == build(changed, tmp_path / "c", None)
    assert set((tmp_path / "cache").glob("*.measures")) == kept  # nothing the sections show changed
    record = changed.dns_records[0]
    data_copy.replace("dns.yaml", f"purpose: {record.purpose}", f"purpose: {record.purpose}" + " and a much longer purpose" * 12)
    longer = lyncposter.load(data_copy.root)
    assert build(longer, tmp_path / "d", cache) == build(longer, tmp_path / "e", None)
    assert len(set((tmp_path / "cache").glob("*.measures")) - kept) == 1


def test_after_one_file_changed_one_file_is_read(data_copy, tmp_path, monkeypatch):
    """The data cache keeps each file as it was read and checked: after an edit, only the edited
    file is parsed and validated again, and the data is what a plain load makes of it."""
    import importlib

    import lyncposter.yamldoc as yamldoc
    from lyncposter.cache import DataCache

    loading = importlib.import_module("lyncposter.load")  # the module; the package's `load` is the function

    read = []
    real = yamldoc.read_document
    monkeypatch.setattr(yamldoc, "read_document", lambda path, *rest: read.append(path.name) or real(path, *rest))
    cache = DataCache(tmp_path / "cache")
    loading._READINGS.clear()  # what this process read before
    first = loading.load_cached(data_copy.root, cache)
    assert len(read) == len([f for f in loading.data_files(data_copy.root) if f.suffix == ".yaml"]) > 10
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 5042")
    read.clear()
    loading._READINGS.clear()
    changed = loading.load_cached(data_copy.root, cache)
    assert read == ["group-chat.yaml"]
    assert changed != first and changed == lyncposter.load(data_copy.root)


def test_a_font_the_cache_keeps_draws_the_same_bytes_as_one_read_anew(tmp_path, monkeypatch):
    """The fonts reportlab read are kept (reading a face costs about 30 ms): a font restored from
    the cache holds every value a new read holds, and a PDF drawn with it is the same bytes."""
    import io

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    from lyncposter import fonts, theme
    from lyncposter.cache import FontCache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    measured = fonts._measured_font_class()
    name, path = theme.FONT_BOLD, theme.FONT_FILES[theme.FONT_BOLD]
    read = measured.read(name, path)  # nothing kept yet: read, and kept
    kept = FontCache().get(fonts._font_key(name, path))
    assert isinstance(kept, fonts.KeptFont) and kept.name == name
    again = measured.read(name, path)
    assert type(again) is measured and again.face is not read.face
    def values(font) -> dict:  # reportlab's objects by their values (its encoding has no ==)
        return {k: vars(v) if k == "encoding" else v for k, v in vars(font).items() if k not in ("face", "state")}

    assert values(again) == values(read) and type(again.encoding) is type(read.encoding)
    assert vars(again.face) == {k: v for k, v in vars(read.face).items() if k != "_pdfScale"}
    assert again.stringWidth("Edge Server: SIP/MTLS 5061 – Ωµ€", 9.5) == read.stringWidth("Edge Server: SIP/MTLS 5061 – Ωµ€", 9.5)

    def drawn(font) -> bytes:
        pdfmetrics.registerFont(font)
        out = io.BytesIO()
        canvas = Canvas(out, invariant=1)
        canvas.setFont(name, 12)
        canvas.drawString(20, 700, "Lync Server 2010 — Front End Pool, SIP/TLS 5061, Ωµ€ü 服")
        canvas.save()
        return out.getvalue()

    try:
        assert drawn(again) == drawn(read)
    finally:
        pdfmetrics.registerFont(measured(name, path))  # as fonts.register leaves it for the other tests
    # another file (or the same file changed) is another key: never the kept face of the old one
    assert fonts._font_key(name, theme.FONT_FILES[theme.FONT]) != fonts._font_key(name, path)


def test_a_build_reads_the_edited_file_in_another_process_meanwhile(data_copy, tmp_path, monkeypatch):
    """`build` starts reading the files the cache does not keep (after an edit, the edited one)
    in another process while it loads its own code: the reading reaches the cache, this process
    parses nothing, and the data is what a plain load makes of it. With nothing changed, nothing starts."""
    import importlib

    import lyncposter.yamldoc as yamldoc
    from lyncposter.cache import DataCache
    from lyncposter.parallel import forking

    if not forking():
        pytest.skip("jobs run in this process here (not Linux, one core, or other threads): no reading elsewhere")
    loading = importlib.import_module("lyncposter.load")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    read = []  # files parsed in this process (a forked one appends to its own copy)
    real = yamldoc.read_document
    monkeypatch.setattr(yamldoc, "read_document", lambda path, *rest: read.append(path.name) or real(path, *rest))
    loading._READINGS.clear()
    loading.load_cached(data_copy.root, DataCache())  # every file read and kept
    assert not loading.read_ahead(data_copy.root) and not loading._AHEAD
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 5042")
    read.clear()
    loading._READINGS.clear()
    assert loading.read_ahead(data_copy.root)
    changed = loading.load_cached(data_copy.root, DataCache())
    assert read == [] and not loading._AHEAD
    assert changed == lyncposter.load(data_copy.root)  # (a plain load: it reads every file here)
    # an edit that breaks a file: its problems come from the reading elsewhere, word for word
    data_copy.replace("flows/group-chat.yaml", "ports: 5042", "ports: banana")
    read.clear()
    loading._READINGS.clear()
    assert loading.read_ahead(data_copy.root)
    with pytest.raises(lyncposter.DataError) as ahead:
        loading.load_cached(data_copy.root, DataCache())
    assert read == []
    loading._READINGS.clear()
    with pytest.raises(lyncposter.DataError) as plain:
        lyncposter.load(data_copy.root)
    assert [str(p) for p in ahead.value.problems] == [str(p) for p in plain.value.problems] and "banana" in str(plain.value.problems[0])


def test_a_build_loads_and_checks_the_edited_data_in_another_process_meanwhile(data_copy, tmp_path, monkeypatch):
    """After an edit, `build` has the data read, loaded whole and checked in another process
    (`findings.check_ahead`) while it loads its own code: this process then neither loads nor
    checks, and what it gets is what a plain load and check give, findings and all."""
    import importlib

    import lyncposter.check as checking
    from lyncposter import findings
    from lyncposter.parallel import forking

    if not forking():
        pytest.skip("jobs run in this process here (not Linux, one core, or other threads): no checking elsewhere")
    loading = importlib.import_module("lyncposter.load")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    here = []  # loads and checks in this process (a forked one appends to its own copy)
    real_load, real_checks = loading.load, checking.run_checks
    monkeypatch.setattr(loading, "load", lambda *a: here.append("load") or real_load(*a))
    monkeypatch.setattr(checking, "run_checks", lambda data: here.append("check") or real_checks(data))
    findings.checked(data_copy.root)  # kept: loaded and checked once
    data_copy.replace("flows/group-chat.yaml", "ports: 5041", "ports: 443")  # a listener clash: an error
    loading._READINGS.clear()
    here.clear()
    assert findings.check_ahead(data_copy.root)
    found = findings.checked(data_copy.root)
    assert here == [] and not loading._AHEAD
    assert found.data == real_load(data_copy.root)
    plain = real_checks(found.data)
    assert found.findings == plain and [p.rule for p in plain] == ["LISTENER-CLASH"]
    # an edit that breaks a file: this process reports the reading's problems, as a plain load does
    data_copy.replace("flows/group-chat.yaml", "ports: 443", "ports: banana")
    loading._READINGS.clear()
    assert findings.check_ahead(data_copy.root)
    broken = findings.checked(data_copy.root)
    assert broken.data is None and "banana" in str(broken.findings[0])


def test_many_writers_that_each_write_little_keep_the_cache_bounded(tmp_path, monkeypatch):
    """A process looks at the whole cache when it has written a twentieth of the bound; a build
    that lays out one panel writes less. So the first writer after PRUNE_EVERY seconds looks all
    the same, and many small builds keep the cache within its bound (one grew past five times it)."""
    import time

    import lyncposter.cache as c

    monkeypatch.setenv("LYNCPOSTER_CACHE_SIZE", "0.1")  # 104,857 bytes: a process alone looks after 5,242
    cache = c.DataCache(tmp_path / "cache")

    def one_process(i: int) -> None:  # nothing written yet, not yet looked
        monkeypatch.setattr(c.SignedCache, "_written", 0)
        monkeypatch.setattr(c.SignedCache, "_looked", False)
        cache.put(f"k{i}", b"x" * 4000)

    def size() -> int:
        return sum(st.st_size for _, st in c.entries(cache.root))

    cache.root.mkdir(parents=True, exist_ok=True)
    c._pruned(cache.root)  # just looked at: the writers within PRUNE_EVERY do not look
    for i in range(60):
        one_process(i)
    assert size() > c.limit()
    past = time.time() - c.PRUNE_EVERY - 1
    os.utime(cache.root / c._MARK, (past, past))
    one_process(60)
    assert time.time() - (cache.root / c._MARK).stat().st_mtime < 60  # marked at once, looked at elsewhere
    for _ in range(400):
        if size() <= c.limit():
            break
        time.sleep(0.05)
    assert 0 < size() <= c.limit()
    assert cache.get("k60") == b"x" * 4000  # the newest stays
