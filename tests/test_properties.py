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
