"""The compiled search for people at home on some cells (sim/on_cells.py) finds what numpy's
range expansion and filters find."""

from __future__ import annotations

import numpy as np
import pytest

from sim.on_cells import inside_at_home


@pytest.mark.parametrize("seed", range(5))
def test_people_inside_at_home_on_cells_are_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_cells = 50
    home_cell = np.sort(rng.integers(0, n_cells, 2_000)).astype(np.int32)
    cell = np.where(rng.random(home_cell.size) < 0.1, rng.integers(0, n_cells), home_cell)
    cell = cell.astype(np.int32)
    state = rng.integers(0, 11, home_cell.size).astype(np.int8)
    cells = np.sort(rng.choice(n_cells, size=int(rng.integers(0, 20)), replace=False))
    cells = cells.astype(np.int32)
    lo = np.searchsorted(home_cell, cells, side="left")
    hi = np.searchsorted(home_cell, cells, side="right")

    got = inside_at_home(lo, hi, cell, home_cell, state, 5)
    everyone = np.arange(home_cell.size)
    want = everyone[np.isin(home_cell, cells) & (cell == home_cell) & (state <= 5)]
    assert np.array_equal(got, want), f"expected {want[:10]}... ({want.size}), got {got.size}"
