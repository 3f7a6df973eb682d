"""The sort-based set operations give numpy's answers."""

from __future__ import annotations

import numpy as np

from sim.index_sets import is_in, union


def test_is_in_and_union_agree_with_numpy():
    rng = np.random.default_rng(0)
    for size_a, size_b in ((0, 0), (0, 5), (5, 0), (1, 1), (300, 3000), (3000, 40)):
        a = rng.integers(0, 500, size_a)
        b = rng.integers(0, 500, size_b)
        assert np.array_equal(is_in(a, b), np.isin(a, b)), (
            f"expected is_in to match np.isin for sizes {size_a}, {size_b}"
        )
        assert np.array_equal(union(a, b), np.union1d(a, b)), (
            f"expected union to match np.union1d for sizes {size_a}, {size_b}"
        )
