"""The compiled fear update (sim/fear.py) gives the same floats as numpy's arithmetic.

The reference below is the numpy code the kernels replaced (``Civilians.perceive`` before
numba): a dozen whole-array passes. Equality is asserted bit for bit, on random inputs with
runs of districts, struck people in runs of households, and values over many magnitudes.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.fear import decay_and_bound_harm, decay_and_harm, run_starts


def _numpy_fear(fear, sensitivity, decay, district_of, by_district, struck, in_cell):
    fear = fear * decay
    harm = by_district[district_of]
    harm[struck] += in_cell
    fear += harm * sensitivity
    return fear


def _numpy_bounds(upper, lower, du, dl, su, sl, district_of_household, by_district, hh, in_cell):
    upper = upper * du
    lower = lower * dl
    in_district = by_district[district_of_household].astype(np.float64)
    upper += su * in_district
    lower += sl * in_district
    if hh.size:
        first = np.flatnonzero(np.diff(hh, prepend=-1))
        most = np.maximum.reduceat(in_cell.astype(np.float64), first)
        upper[hh[first]] += su[hh[first]] * most
    return upper, lower


def _runs(rng: np.random.Generator, n: int, n_districts: int):
    lengths = rng.integers(1, 40, size=n)
    lengths = lengths[np.cumsum(lengths) <= n]
    lengths = np.append(lengths, n - lengths.sum())
    lengths = lengths[lengths > 0]
    district = rng.integers(0, n_districts, size=lengths.size).astype(np.int64)
    return district, lengths


@pytest.mark.parametrize("seed", range(5))
def test_the_compiled_fear_update_is_numpys_float_for_float(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, n_districts = 5_000, 7
    district, lengths = _runs(rng, n, n_districts)
    district_of = np.repeat(district, lengths)
    fear = (rng.random(n) * 10.0 ** rng.integers(-6, 3, n)).astype(np.float32)
    sensitivity = rng.lognormal(0.0, 0.8, n).astype(np.float32)
    decay = np.float32(np.exp(-np.log(2) / 37.0))
    by_district = (rng.random(n_districts) * (rng.random(n_districts) < 0.6)).astype(np.float32)
    struck = np.sort(rng.choice(n, size=300, replace=False)).astype(np.intp)
    in_cell = np.float32(0.3) * rng.integers(1, 5, struck.size).astype(np.float32)

    expected = _numpy_fear(fear, sensitivity, decay, district_of, by_district, struck, in_cell)
    got = fear.copy()
    decay_and_harm(
        got, sensitivity, decay, run_starts(lengths), district, by_district, struck, in_cell
    )
    assert np.array_equal(got.view(np.int32), expected.view(np.int32)), (
        f"expected numpy's floats; {np.count_nonzero(got != expected)} of {n} differ"
    )


@pytest.mark.parametrize("seed", range(5))
def test_the_compiled_bounds_update_is_numpys_float_for_float(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n_households, n_districts = 2_000, 5
    district, lengths = _runs(rng, n_households, n_districts)
    district_of = np.repeat(district, lengths)
    upper = rng.random(n_households) * 5.0
    lower = upper * rng.random(n_households)
    su = rng.lognormal(0.3, 0.5, n_households)
    sl = su * rng.random(n_households)
    du, dl = 0.98 * (1 + 1e-6), 0.98 * (1 - 1e-6)
    by_district = rng.random(n_districts).astype(np.float32)
    hh = np.sort(rng.integers(0, n_households, 400))  # members of the same household together
    in_cell = rng.random(hh.size).astype(np.float32)

    want_upper, want_lower = _numpy_bounds(
        upper, lower, du, dl, su, sl, district_of, by_district, hh, in_cell
    )
    got_upper, got_lower = upper.copy(), lower.copy()
    decay_and_bound_harm(
        got_upper,
        got_lower,
        du,
        dl,
        su,
        sl,
        run_starts(lengths),
        district,
        by_district,
        hh,
        in_cell,
    )
    assert np.array_equal(got_upper, want_upper), (
        f"expected numpy's upper bounds; {np.count_nonzero(got_upper != want_upper)} differ"
    )
    assert np.array_equal(got_lower, want_lower), (
        f"expected numpy's lower bounds; {np.count_nonzero(got_lower != want_lower)} differ"
    )


def test_nobody_struck_and_nobody_at_all_are_handled() -> None:
    fear = np.array([1.0, 2.0], dtype=np.float32)
    decay_and_harm(
        fear,
        np.ones(2, dtype=np.float32),
        np.float32(0.5),
        run_starts(np.array([2])),
        np.array([0], dtype=np.int64),
        np.array([1.0], dtype=np.float32),
        np.zeros(0, dtype=np.intp),
        np.zeros(0, dtype=np.float32),
    )
    assert fear.tolist() == [1.5, 2.0], f"expected halved fear plus 1 each, got {fear}"
    empty = np.zeros(0, dtype=np.float32)
    decay_and_harm(
        empty,
        empty,
        np.float32(0.5),
        run_starts(np.zeros(0, dtype=np.int64)),
        np.zeros(0, dtype=np.int64),
        np.array([1.0], dtype=np.float32),
        np.zeros(0, dtype=np.intp),
        empty,
    )
    assert empty.size == 0, "expected an empty population to stay empty"
