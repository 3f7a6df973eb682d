"""Skipping float64 draws leaves a generator exactly where drawing them would; draws found by
their gaps keep the law of the full draw."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.rng import random_at, random_between, random_head, skip_random, uniforms_below


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


@pytest.mark.parametrize("kind", [np.random.PCG64, np.random.PCG64DXSM, np.random.Philox])
@pytest.mark.parametrize(
    "positions",
    [[], [0], [5, 5, 9_000], [3, 40_000, 40_000, 49_999], list(range(0, 50_000, 7))],
)
def test_random_at_is_the_full_draw_at_those_positions(
    kind: type[np.random.BitGenerator], positions: list[int]
) -> None:
    drawn, picked = _generators(kind)
    for rng in (drawn, picked):
        rng.random(dtype=np.float32)  # leaves half a 64-bit output buffered
    full = drawn.random(50_000)
    at = np.array(positions, dtype=np.intp)
    values = random_at(picked, 50_000, at)
    assert np.array_equal(values, full[at]), (
        f"{kind.__name__}: random_at({positions[:4]}...) should be the full draw there"
    )
    after_drawn = (drawn.random(dtype=np.float32), drawn.random(3))
    after_picked = (picked.random(dtype=np.float32), picked.random(3))
    for a, b in zip(after_drawn, after_picked, strict=True):
        assert np.array_equal(a, b), f"{kind.__name__}: the stream after random_at {b} != {a}"


def test_skip_random_differs_from_not_skipping() -> None:
    skipped, untouched = _generators(np.random.PCG64)
    skip_random(skipped, 1)
    assert skipped.random() != untouched.random(), "a skip of one draw should move the stream"


@pytest.mark.parametrize("first, end", [(0, 0), (5, 6), (3, 42), (0, 100), (100, 100)])
def test_random_between_is_that_slice_of_the_full_draw(first: int, end: int) -> None:
    drawn, spanned = _generators(np.random.PCG64)
    full = drawn.random(100)
    values = random_between(spanned, 100, first, end)
    assert np.array_equal(values, full[first:end]), f"expected the full draw's [{first}:{end}]"
    assert drawn.random() == spanned.random(), "after random_between the stream should be there"


@pytest.mark.parametrize("p", [0.003, 0.04, 0.3])
def test_uniforms_below_leaves_the_stream_where_the_full_draw_does(p: float) -> None:
    drawn, sparse = _generators(np.random.PCG64)
    drawn.random(84_000)
    positions, values = uniforms_below(sparse, 84_000, p)
    assert drawn.random() == sparse.random(), f"p={p}: the stream should move on by 84,000 draws"
    assert np.all(np.diff(positions) > 0) and positions[-1] < 84_000, (
        f"p={p}: expected ascending positions inside the 84,000, got {positions[:5]}..."
    )
    assert np.all((values >= 0) & (values < p)), f"p={p}: expected every value below {p}"


def test_uniforms_below_keeps_the_law_of_the_full_draw() -> None:
    """Over 400 draws of 5,000 at p = 0.01, the counts found are Binomial(5000, 0.01), the
    positions uniform over the span and the values uniform below p (chi-square and
    Kolmogorov-Smirnov tests at the 0.1% level); a planted bias is rejected."""
    rng = np.random.default_rng(11)
    count, p = 5_000, 0.01
    found = [uniforms_below(rng, count, p) for _ in range(400)]
    sizes = np.array([f[0].size for f in found])
    positions = np.concatenate([f[0] for f in found])
    values = np.concatenate([f[1] for f in found])
    z = (sizes.mean() - count * p) / np.sqrt(count * p * (1 - p) / sizes.size)
    assert abs(z) < 3.3, f"mean found {sizes.mean():.2f}, expected {count * p} (z = {z:.2f})"
    by_tenth = np.bincount(positions * 10 // count, minlength=10)
    assert stats.chisquare(by_tenth).pvalue > 0.001, f"positions not uniform: {by_tenth}"
    assert stats.kstest(values / p, "uniform").pvalue > 0.001, "values not uniform below p"
    planted = np.bincount(np.minimum(positions * 12 // count, 9), minlength=10)
    assert stats.chisquare(planted).pvalue < 0.001, "the test should reject skewed positions"


def test_uniforms_below_with_a_large_p_is_the_full_draw() -> None:
    drawn, below = _generators(np.random.PCG64)
    full = drawn.random(2_000)
    positions, values = uniforms_below(below, 2_000, 0.5)
    assert np.array_equal(positions, np.flatnonzero(full < 0.5)), "expected the full draw's"
    assert np.array_equal(values, full[full < 0.5]), "expected the full draw's values"


@pytest.mark.parametrize("p", [1e-300, 5e-324, 1e-17])
def test_uniforms_below_a_vanishing_p_finds_nothing_and_ends(p: float) -> None:
    """Gaps of ~1e300 (numpy returns the largest int64) must not overflow the positions."""
    drawn, sparse = _generators(np.random.PCG64)
    drawn.random(5_000)
    positions, values = uniforms_below(sparse, 5_000, p)
    assert positions.size == 0 and values.size == 0, f"p={p}: expected none, got {positions}"
    assert drawn.random() == sparse.random(), f"p={p}: the stream should move on by 5,000"
