"""Property tests for the packer: whatever the panels, they never overlap, stay in the region,
hold their drawing at the common scale, grow only within the limits, and keep reading order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lyncposter.poster.packing import MAX_GROW_TALL, MAX_GROW_WIDE, pack

sizes = st.lists(st.tuples(st.floats(80, 2500), st.floats(60, 900)), min_size=1, max_size=12)
regions = st.tuples(st.floats(400, 4000), st.floats(300, 3000))
EPS = 1e-6


@settings(max_examples=150, deadline=None)
@given(sizes, regions, st.floats(0, 40))
def test_panels_fill_the_region_without_overlap(panel_sizes, region, gap):
    width, height = region
    packing = pack(panel_sizes, 10.0, 20.0, width, height, gap)
    scale = packing.scale
    assert [p.index for p in packing.placements] == list(range(len(panel_sizes)))
    assert scale > 0
    for p in packing.placements:
        w, h = panel_sizes[p.index]
        # inside the region
        assert 10.0 - EPS <= p.x and p.x + p.width <= 10.0 + width + 1e-3
        assert 20.0 - EPS <= p.y and p.y + p.height <= 20.0 + height + 1e-3
        # the drawing fits its box at the common scale, and the box grows only so far
        assert w * scale <= p.width + 1e-6 and h * scale <= p.height + 1e-6
        assert p.width <= w * scale * MAX_GROW_WIDE + 1e-6 and p.height <= h * scale * MAX_GROW_TALL + 1e-6
    boxes = packing.placements
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a.x + a.width <= b.x + 1e-6 or b.x + b.width <= a.x + 1e-6 or a.y + a.height <= b.y + 1e-6 or b.y + b.height <= a.y + 1e-6
            assert apart, (a, b)


@settings(max_examples=100, deadline=None)
@given(sizes, regions)
def test_reading_order_runs_left_to_right_then_down(panel_sizes, region):
    """A later panel never stands above and to the left of an earlier one's box."""
    packing = pack(panel_sizes, 0.0, 0.0, region[0], region[1], 12.0)
    boxes = packing.placements
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            below = b.y + b.height <= a.y + 1e-6
            right = b.x >= a.x + a.width - 1e-6
            assert below or right, (a, b)


def test_a_panel_that_fits_alone_fills_the_region():
    packing = pack([(1000.0, 500.0)], 0.0, 0.0, 2000.0, 1000.0, 10.0)
    assert packing.scale == pytest.approx(2.0, rel=1e-3)
    (placement,) = packing.placements
    assert placement.width == pytest.approx(2000.0, rel=1e-3)


def test_a_tall_panel_stands_beside_a_stack_of_two_short_ones():
    # one tall panel and two short wide ones: side by side with the short ones stacked is the best
    packing = pack([(400.0, 800.0), (600.0, 380.0), (600.0, 380.0)], 0.0, 0.0, 1010.0, 800.0, 10.0)
    tall, first, second = packing.placements
    assert packing.scale == pytest.approx(1.0, rel=1e-3)
    assert first.x == second.x > tall.x and first.y > second.y
