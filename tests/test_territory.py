"""The front kept up to date through captures equals the front found over the whole map."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage
from scipy.sparse import coo_matrix

from sim.model import SiegeModel
from sim.territory import EIGHT_CONNECTED
from tests.conftest import small_config


def test_front_kept_through_captures_equals_the_whole_map_front():
    territory = SiegeModel(small_config("days=1")).territory
    geo = territory.geo
    rng = np.random.default_rng(3)
    for capture in range(60):
        rebel_cells = np.flatnonzero(territory.rebel())
        if rebel_cells.size == 0:
            break
        territory.capture(rng.choice(rebel_cells, size=min(5, rebel_cells.size), replace=False))
        rebel = territory.rebel().reshape(geo.n_rows, geo.n_cols)
        touching = ndimage.binary_dilation(~rebel, structure=EIGHT_CONNECTED)
        expected = (rebel & touching).ravel()
        assert np.array_equal(territory.front(), expected), (
            f"expected the kept front to equal the whole map's after capture {capture}"
        )


def _border_pairs_over_the_whole_map(territory, n_codes: int) -> np.ndarray:
    """Adjacent cell pairs between each two codes, counted over every 8-neighbour pair."""
    geo = territory.geo
    grid = territory.controller.reshape(geo.n_rows, geo.n_cols).astype(np.int64)
    counts = np.zeros((n_codes, n_codes), dtype=np.int64)
    for a, b in (
        (grid[:, :-1], grid[:, 1:]),
        (grid[:-1, :], grid[1:, :]),
        (grid[:-1, :-1], grid[1:, 1:]),
        (grid[:-1, 1:], grid[1:, :-1]),
    ):
        differ = a != b
        np.add.at(counts, (a[differ], b[differ]), 1)
    return counts + counts.T


@pytest.mark.parametrize("min_pocket_cells", [0, 6])
def test_border_pairs_kept_through_captures_equal_the_whole_map_count(min_pocket_cells: int):
    """Through captures of neighbouring cells, repeated cells and (with a minimum pocket
    size) the fragments that fall with them."""
    model = SiegeModel(small_config("days=1"))
    territory = model.territory
    territory.min_pocket_cells = min_pocket_cells
    n_codes = len(model.factions) + 1
    rng = np.random.default_rng(4)
    for capture in range(40):
        assert np.array_equal(
            territory.border_pairs(n_codes), _border_pairs_over_the_whole_map(territory, n_codes)
        ), f"expected the border pairs to equal a count over the whole map after capture {capture}"
        geo = model.geo
        rebel = territory.rebel().reshape(geo.n_rows, geo.n_cols)
        labels, n = ndimage.label(rebel, structure=EIGHT_CONNECTED)
        assert n == territory.n_pockets and np.array_equal(
            territory.pocket_labels(), labels.ravel()
        ), f"expected the pockets of a labelling of the whole map after capture {capture}"
        sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:]
        assert np.array_equal(territory.pocket_cells(), sizes), (
            f"expected pockets of {sizes.tolist()} cells after capture {capture}"
        )
        rebel_cells = np.flatnonzero(territory.rebel())
        if rebel_cells.size == 0:
            break
        picked = rng.choice(rebel_cells, size=min(8, rebel_cells.size), replace=False)
        block = np.concatenate([picked, picked[:2], picked[:1] + 1, picked[:1] + model.geo.n_cols])
        territory.capture(block[block < model.geo.n_cells])


def test_walking_graph_is_the_matrix_of_steps_between_rebel_held_neighbours():
    """Through 30 captures, the walking graph (entries selected in row order) holds exactly
    the entries, in the same order, of the COO matrix of the steps between 8-neighbour
    rebel-held cells converted to CSR."""
    model = SiegeModel(small_config())
    territory = model.territory
    rng = np.random.default_rng(4)
    i, j, w = territory._pairs
    n = model.geo.n_cells
    for _ in range(30):
        front = np.flatnonzero(territory.front())
        territory.capture(rng.choice(front, size=min(30, front.size), replace=False))
        rebel = territory.rebel()
        keep = rebel[i] & rebel[j]
        expected = coo_matrix((w[keep], (i[keep], j[keep])), shape=(n, n)).tocsr()
        graph = territory._walking_graph()
        for name in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(graph, name), getattr(expected, name)), (
                f"the walking graph's {name} differ from the COO matrix's after capture"
            )


def test_main_pocket_labels_of_every_code_equal_one_code_at_a_time():
    """Through captures that split the enclave, each code's main pocket (most weight over its
    cells, ties to the first; 0 if it holds none) is what a sum over its cells alone gives."""
    model = SiegeModel(small_config("days=1"))
    territory = model.territory
    weight = model.geo.people + 1.0
    rng = np.random.default_rng(5)
    for capture in range(30):
        labels = territory.pocket_labels()
        expected = []
        for code in range(len(model.factions) + 1):
            own = (territory.controller == code) & (labels > 0)
            if not own.any():
                expected.append(0)
                continue
            sums = np.bincount(labels[own], weights=weight[own], minlength=territory.n_pockets + 1)
            expected.append(1 + int(np.argmax(sums[1:])))
        got = territory.main_pocket_labels(weight)[: len(expected)].tolist()
        assert got == expected, f"expected main pockets {expected} after {capture} captures"
        rebel_cells = np.flatnonzero(territory.rebel())
        if rebel_cells.size == 0:
            break
        territory.capture(rng.choice(rebel_cells, size=min(12, rebel_cells.size), replace=False))


def test_a_fragment_falls_and_the_pockets_left_are_numbered_in_reading_order():
    """A capture cuts a 2-cell fragment off between two pockets; with a minimum pocket of 3
    cells the fragment falls with it, and the pockets left are numbered as a labelling of the
    whole map numbers them."""
    from sim.geography import Geography
    from sim.territory import Territory

    grid = np.array(
        [
            [1, 1, 0, 0, 0, 0, 0, 0],
            [1, 1, 0, 1, 1, 0, 0, 0],
            [0, 0, 0, 1, 0, 0, 1, 1],
            [0, 0, 0, 0, 0, 0, 1, 1],
        ]
    )
    geo = Geography.from_grids(grid, np.ones_like(grid), ("a",))
    territory = Territory(geo, min_pocket_cells=3)
    assert territory.n_pockets == 3, "expected three pockets before the capture"
    taken = territory.capture(np.array([1 * 8 + 4]))  # leaves (1,3) and (2,3) alone
    assert sorted(taken.tolist()) == [1 * 8 + 3, 1 * 8 + 4, 2 * 8 + 3], (
        f"expected the captured cell and the 2-cell fragment to fall, got {sorted(taken)}"
    )
    labels, n = ndimage.label(territory.rebel().reshape(grid.shape), structure=EIGHT_CONNECTED)
    assert territory.n_pockets == n == 2, f"expected 2 pockets left, got {territory.n_pockets}"
    assert territory.pocket_labels().tolist() == labels.ravel().tolist(), (
        "expected the pockets numbered as a labelling of the whole map"
    )
    assert territory.pocket_cells().tolist() == [4, 4], (
        f"expected two pockets of 4 cells, got {territory.pocket_cells().tolist()}"
    )
