"""Cells within a straight-line radius of a changing set of marked cells, kept up to date.

Each marked cell stamps its disk (the cell offsets within the radius) onto a count per cell;
marking or unmarking a cell adds or removes one stamp, so an hour in which a few cells change
costs a few stamps instead of a distance transform of the map. A cell is covered when its count
is positive.

The result equals thresholding scipy's Euclidean distance transform at the radius (distance
``sqrt((dr * cell_size_m) ** 2 + (dc * cell_size_m) ** 2)`` to the nearest marked cell, the same
floats): the nearest marked cell has the least ``dr**2 + dc**2``, and offsets with equal
``dr**2 + dc**2`` are on the same side of the radius. Where rounding would put two such offsets
on either side of it (a cell size and radius that make that happen), or the disk is too large
to stamp cheaply, the distance transform is used instead.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy import ndimage

MAX_STAMP_CELLS = 20_000
"""Largest disk (cells) stamped; beyond it the distance transform is cheaper."""


class DiskCover:
    """Which cells of an ``n_rows`` x ``n_cols`` grid lie within ``radius_m`` of a marked cell."""

    def __init__(self, n_rows: int, n_cols: int, cell_size_m: float, radius_m: float) -> None:
        self.n_rows, self.n_cols = n_rows, n_cols
        self.cell_size_m = cell_size_m
        self.radius_m = radius_m
        self._marked = np.zeros(n_rows * n_cols, dtype=bool)
        self._covered = np.zeros(n_rows * n_cols, dtype=bool)
        self._offsets = _disk_offsets(n_rows, n_cols, cell_size_m, radius_m)
        """(row, col) offsets within the radius, or None: use the distance transform."""
        if self._offsets is not None:
            margin = int(np.abs(self._offsets).max(initial=0))
            self._margin = margin
            self._padded_cols = n_cols + 2 * margin
            self._count = np.zeros((n_rows + 2 * margin) * self._padded_cols, dtype=np.int32)
            """Stamps on each cell of the grid padded by the disk's reach on every side."""
            self._flat_offsets = self._offsets[:, 0] * self._padded_cols + self._offsets[:, 1]

    @property
    def stamps(self) -> bool:
        """Whether disks are stamped (False: the distance transform is used)."""
        return self._offsets is not None

    @property
    def covered(self) -> NDArray[np.bool_]:
        """The covered cells (a flat mask, read-only, valid until the next update)."""
        return self._covered

    def update(self, marked: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Mark exactly the cells of ``marked`` (flat mask); returns the covered cells (a flat
        mask, read-only, valid until the next update)."""
        changed = marked != self._marked
        if not changed.any():
            return self._covered
        if self._offsets is None:
            covered = _within_by_transform(
                marked.reshape(self.n_rows, self.n_cols), self.cell_size_m, self.radius_m
            )
        else:
            self._stamp(np.flatnonzero(changed & marked), +1)
            self._stamp(np.flatnonzero(changed & self._marked), -1)
            m = self._margin
            padded = self._count.reshape(-1, self._padded_cols)
            covered = padded[m : m + self.n_rows, m : m + self.n_cols] > 0
        self._marked = marked.copy()
        self._covered = covered.ravel()
        self._covered.flags.writeable = False
        return self._covered

    def _stamp(self, cells: NDArray[np.intp], sign: int) -> None:
        """Add (``sign`` +1) or remove (-1) the disks of ``cells``."""
        if cells.size == 0:
            return
        m = self._margin
        centre = (cells // self.n_cols + m) * self._padded_cols + cells % self.n_cols + m
        _add_disks(self._count, centre.astype(np.int64), self._flat_offsets, sign)


@njit(cache=True, nogil=True, boundscheck=False)
def _add_disks(
    count: NDArray[np.int32], centre: NDArray[np.int64], offsets: NDArray[np.int64], sign: int
) -> None:  # pragma: no cover - compiled (tests compare the cover with the distance transform)
    """``count[c + o] += sign`` for every centre ``c`` and offset ``o`` (numba: the loop
    ``np.add.at`` makes, without its per-element dispatch)."""
    for c in centre:
        for o in offsets:
            count[c + o] += sign


def _distance_m(
    d_row: NDArray[np.int64], d_col: NDArray[np.int64], cell_size_m: float
) -> NDArray[np.float64]:
    """Distance of cell offsets as scipy's distance transform computes it (same operations)."""
    row_m = d_row.astype(np.float64) * cell_size_m
    col_m = d_col.astype(np.float64) * cell_size_m
    return np.sqrt(row_m * row_m + col_m * col_m)


def _disk_offsets(
    n_rows: int, n_cols: int, cell_size_m: float, radius_m: float
) -> NDArray[np.int64] | None:
    """(row, col) offsets within ``radius_m`` (none farther than the grid spans), or None when
    stamping them could differ from the distance transform or would cost more."""
    if not (cell_size_m > 0 and radius_m >= 0):
        return None
    span = max(n_rows, n_cols)  # no two cells of the grid are farther apart in rows or cols
    ratio = radius_m / cell_size_m
    reach = span if ratio >= span else math.floor(ratio) + 1
    if (2 * reach + 1) ** 2 > MAX_STAMP_CELLS:
        return None
    d_row, d_col = np.mgrid[-reach : reach + 1, -reach : reach + 1].reshape(2, -1)
    inside = _distance_m(d_row, d_col, cell_size_m) <= radius_m
    squared = d_row * d_row + d_col * d_col
    # Offsets as far apart as each other must fall on the same side of the radius, and (unless
    # the square spans the grid) the disk must end within the square.
    if np.intersect1d(squared[inside], squared[~inside]).size:
        return None
    on_edge = (np.abs(d_row) == reach) | (np.abs(d_col) == reach)
    if reach < span and (inside & on_edge).any():
        return None
    return np.stack([d_row[inside], d_col[inside]], axis=1)


def _within_by_transform(
    grid: NDArray[np.bool_], cell_size_m: float, radius_m: float
) -> NDArray[np.bool_]:
    """Cells within ``radius_m`` of a true cell of ``grid``, by a distance transform of the
    window of the map that reaches past the true cells by more than the radius (so each
    distance in it is the one over the whole map, and every cell outside it is farther)."""
    n_rows, n_cols = grid.shape
    within = np.zeros(grid.shape, dtype=bool)
    rows, cols = np.nonzero(grid)
    if rows.size == 0:
        return within
    margin = max(n_rows, n_cols)
    if radius_m < margin * cell_size_m:
        margin = math.ceil(radius_m / cell_size_m) + 1
    r0, c0 = max(int(rows.min()) - margin, 0), max(int(cols.min()) - margin, 0)
    r1, c1 = int(rows.max()) + margin + 1, int(cols.max()) + margin + 1
    window = ndimage.distance_transform_edt(~grid[r0:r1, c0:c1], sampling=cell_size_m)
    within[r0:r1, c0:c1] = window <= radius_m
    return within
