"""Property tests for the small parsers everything else relies on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lyncposter.errors import Problem
from lyncposter.load import parse_ports
from lyncposter.model import Location, PortRange, format_ports

ports = st.integers(min_value=1, max_value=65535)
ranges = st.tuples(ports, ports).map(lambda t: PortRange(min(t), max(t)))


@given(st.lists(ranges, min_size=1, max_size=6))
def test_ports_survive_printing_and_parsing(items):
    problems: list[Problem] = []
    text = format_ports(tuple(items)).split(",")
    values = [int(t) if "-" not in t else t for t in text]
    assert parse_ports(values, Location("x"), problems) == tuple(sorted(items))
    assert problems == []


@given(st.integers(min_value=1, max_value=65535), st.integers(min_value=1, max_value=65535))
def test_a_backwards_range_is_always_refused(a, b):
    problems: list[Problem] = []
    parse_ports(f"{max(a, b)}-{min(a, b)}", Location("x"), problems)
    assert bool(problems) == (a != b)


# --- the loader never lets anything but a located DataError out -----------------------------

import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, settings  # noqa: E402

import lyncposter  # noqa: E402
from lyncposter.errors import DataError  # noqa: E402
from conftest import DATA  # noqa: E402

PIECES = [b":", b"-", b" ", b"\t", b"\n", b"[", b"]", b"{", b"}", b"'", b'"', b"#", b"&a", b"*a", b"!!python/object", b"0", b"99999", b"-1",
          b"x", b"\xff", b"\xc3", b"<<: *a", b"&r [*r]", b"&a x", b"*a", b"? ", b"|", b">", b"%YAML 1.1\n", b"---\n", b"...\n", b"\x00"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["flows/im-presence.yaml", "catalog.yaml", "poster.yaml", "dns.yaml", "certificates.yaml", "checks.yaml"]),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 12), st.sampled_from(PIECES)), min_size=1, max_size=4),
)
def test_any_edit_gives_data_or_a_located_error(name, edits):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "workloads"
        shutil.copytree(DATA, root)
        path = root / name
        raw = path.read_bytes()
        for where, cut, piece in edits:
            at = int(where * len(raw))
            raw = raw[:at] + piece + raw[at + cut :]
        path.write_bytes(raw)
        try:
            lyncposter.load(root)
        except DataError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert problem.location.file.endswith(".yaml") or problem.location.file.endswith("flows")
                assert problem.message
