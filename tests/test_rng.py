"""Skipping float64 draws leaves a generator exactly where drawing them would."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rng import random_head, random_span, skip_random


def _generators(kind: type[np.random.BitGenerator]) -> tuple[np.random.Generator, ...]:
    return np.random.Generator(kind(7)), np.random.Generator(kind(7))


@pytest.mark.parametrize("kind", [np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937])
@pytest.mark.parametrize("buffered", [False, True])
def test_skip_random_matches_drawing(kind: type[np.random.BitGenerator], buffered: bool) -> None:
    drawn, skipped = _generators(kind)
    if buffered:  # a float32 draw leaves half of a 64-bit output buffered
        drawn.random(dtype=np.float32)
        skipped.random(dtype=np.float32)
    drawn.random(12_345)
    skip_random(skipped, 12_345)
    after_drawn = (drawn.random(dtype=np.float32), drawn.random(5), drawn.integers(0, 9, 5))
    after_skipped = (skipped.random(dtype=np.float32), skipped.random(5), skipped.integers(0, 9, 5))
    for a, b in zip(after_drawn, after_skipped, strict=True):
        assert np.array_equal(a, b), f"{kind.__name__}: draws after a skip {b} != after drawing {a}"


def test_random_head_is_the_start_of_the_full_draw() -> None:
    drawn, headed = _generators(np.random.PCG64)
    full = drawn.random(1000)
    head = random_head(headed, 1000, 37)
    assert np.array_equal(head, full[:37]), "random_head should return the first 37 of the draw"
    assert drawn.random() == headed.random(), "after random_head the stream should be where it was"
    assert random_head(headed, 10, 0).size == 0, "needing none should return no numbers"


def test_skip_random_differs_from_not_skipping() -> None:
    skipped, untouched = _generators(np.random.PCG64)
    skip_random(skipped, 1)
    assert skipped.random() != untouched.random(), "a skip of one draw should move the stream"


@pytest.mark.parametrize("positions", [[], [5], [3, 40, 41], [0, 99]])
def test_random_span_makes_the_draws_over_the_span_and_nan_outside(positions: list[int]) -> None:
    drawn, spanned = _generators(np.random.PCG64)
    full = drawn.random(100)
    needed = np.zeros(100, dtype=bool)
    needed[positions] = True
    values = random_span(spanned, 100, needed)
    made = ~np.isnan(values)
    expected_made = np.zeros(100, dtype=bool)
    if positions:
        expected_made[min(positions) : max(positions) + 1] = True
    assert np.array_equal(made, expected_made), "values should be made from first to last needed"
    assert np.array_equal(values[made], full[made]), "made values should equal the full draw's"
    assert drawn.random() == spanned.random(), "after random_span the stream should be where it was"
