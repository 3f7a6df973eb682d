"""Who holds each cell, and what follows from it: front line, pockets, walking distances.

Cells are 8-connected throughout: a pocket, the front line and a walking route all use the
same neighbourhood (diagonal steps cost sqrt(2) cells).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy import ndimage
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.geography import GOVERNMENT, Geography

EIGHT_CONNECTED = np.ones((3, 3), dtype=bool)
UNREACHABLE = -1


class Territory:
    """The controller grid and its derived, cached views."""

    def __init__(self, geo: Geography, min_pocket_cells: int = 0) -> None:
        self.geo = geo
        self.min_pocket_cells = min_pocket_cells
        """Rebel-held fragments smaller than this fall with the capture that cut them off."""
        self.controller = geo.controller.copy()
        self.version = 0
        """Incremented on every change of control; caches compare against it."""
        i, j, w = _neighbour_pairs(geo.n_rows, geo.n_cols, geo.cell_size_m)
        contested = (geo.controller[i] != GOVERNMENT) | (geo.controller[j] != GOVERNMENT)
        self._pairs = (i[contested], j[contested], w[contested])
        """8-neighbour pairs of cells, but for those held by the government on both sides
        from the start: government cells never go back, so these never border a faction
        and are never walked through."""
        by_row = np.lexsort((self._pairs[1], self._pairs[0]))
        self._pairs_by_row = tuple(a[by_row] for a in self._pairs)
        """The same pairs sorted by (i, j): the order of a CSR matrix's entries, so the walking
        graph is built by selecting them (:meth:`_walking_graph`)."""
        self._labels, self.n_pockets = self._label()
        self._front = self._whole_front()
        self._n_codes = int(self.controller.max(initial=GOVERNMENT)) + 1
        ci, cj = self.controller[self._pairs[0]], self.controller[self._pairs[1]]
        self._border_counts = self._pair_counts(ci, cj)
        """Adjacent cell pairs between each two codes (symmetric), kept up to date by
        :meth:`capture` from the pairs around the cells that change hands."""
        self._pocket_sizes = (-1, np.zeros(0, dtype=np.int64))
        """(version, cells of each pocket label) of the last :meth:`_sizes_of_pockets`."""
        self._largest_pocket: tuple[int, NDArray[np.int64]] = (-1, np.zeros(0, dtype=np.int64))
        """(version, cells by code) of the last :meth:`largest_pocket_cells`."""
        self._walking: tuple[int, csr_matrix | None] = (-1, None)
        """(version, graph) of the last :meth:`_walking_graph`."""
        self.initial_rebel_cells = int(np.count_nonzero(self.rebel()))

    # ----------------------------------------------------------------- views
    def rebel(self) -> NDArray[np.bool_]:
        return self.controller != GOVERNMENT

    def front(self) -> NDArray[np.bool_]:
        """Rebel-held cells touching a government-held cell (read-only; kept up to date by
        :meth:`capture`, since shelling, the assault, defence and walk-outs all read it)."""
        return self._front

    def _whole_front(self) -> NDArray[np.bool_]:
        """The front found over the whole map (the window around the rebel-held cells)."""
        rebel, window = self._rebel_window()
        front = np.zeros_like(rebel)
        touching = ndimage.binary_dilation(~rebel[window], structure=EIGHT_CONNECTED)
        front[window] = touching & rebel[window]
        front = front.ravel()
        front.flags.writeable = False
        return front

    def _front_after(self, taken: NDArray[np.intp]) -> NDArray[np.bool_]:
        """The front once the cells ``taken`` have passed to the government: they leave it, and
        their rebel-held neighbours join it (government-held cells never go back, so no
        other cell's place changes)."""
        front = self._front.copy()
        _join_front(front, self.rebel(), taken.astype(np.int64), self.geo.n_rows, self.geo.n_cols)
        front.flags.writeable = False
        return front

    def pocket_labels(self) -> NDArray[np.int32]:
        """Pocket number (1..n_pockets) of each cell; 0 for government-held cells."""
        return self._labels

    def isolation(self, code: int) -> float:
        """1 - (cells of the largest pocket holding any of ``code``'s cells) / rebel-held cells.

        0 while the enclave is whole; near 1 for a faction shut in a small pocket.
        """
        largest = self.largest_pocket_cells(code)
        return 1.0 - largest / int(self._sizes_of_pockets()[1:].sum()) if largest else 0.0

    def largest_pocket_cells(self, code: int) -> int:
        """Cells of the largest pocket holding any of ``code``'s cells (0 if it holds none;
        found for every code at once, once per change of control)."""
        version, largest = self._largest_pocket
        if version != self.version:
            rebel = self._labels > 0
            n_labels = self.n_pockets + 1
            # Which (code, pocket) pairs occur, then each code's largest pocket among them.
            pairs = np.bincount(
                self.controller[rebel].astype(np.int64) * n_labels + self._labels[rebel],
                minlength=self._n_codes * n_labels,
            ).reshape(self._n_codes, n_labels)
            largest = np.where(pairs > 0, self._sizes_of_pockets(), 0).max(axis=1)
            self._largest_pocket = (self.version, largest)
        return int(largest[code]) if 0 <= code < largest.size else 0

    def pocket_cells(self) -> NDArray[np.int64]:
        """Cells of each pocket (pocket k at index k - 1)."""
        return self._sizes_of_pockets()[1:].copy()

    def _sizes_of_pockets(self) -> NDArray[np.int64]:
        """Cells of each pocket label, 0 (government) first (read-only; once per change)."""
        version, sizes = self._pocket_sizes
        if version != self.version:
            sizes = np.bincount(self._labels, minlength=self.n_pockets + 1)
            sizes.flags.writeable = False
            self._pocket_sizes = (self.version, sizes)
        return sizes

    def main_pocket_labels(self, weight: NDArray[np.float64]) -> NDArray[np.int64]:
        """By controller code: the label of the pocket holding the most of ``weight`` over the
        code's cells (e.g. its initial residents: where its towns are), ties to the first; 0
        if it holds none. (Each pocket's sum adds the same cells in the same order as a sum
        over one code's cells alone.)"""
        rebel = np.flatnonzero(self._labels)
        n_labels = self.n_pockets + 1
        codes = self.controller[rebel].astype(np.int64)
        in_pocket = np.bincount(
            codes * n_labels + self._labels[rebel],
            weights=weight[rebel],
            minlength=self._n_codes * n_labels,
        ).reshape(self._n_codes, n_labels)
        held = np.bincount(codes, minlength=self._n_codes) > 0
        if n_labels == 1:
            return np.zeros(self._n_codes, dtype=np.int64)
        return np.where(held, 1 + np.argmax(in_pocket[:, 1:], axis=1), 0)

    def attached(self, code: int, to: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Cells of ``code`` in its own connected patches that touch the cells ``to``."""
        shape = (self.geo.n_rows, self.geo.n_cols)
        labels, _ = ndimage.label((self.controller == code).reshape(shape), EIGHT_CONNECTED)
        near = ndimage.binary_dilation(to.reshape(shape), structure=EIGHT_CONNECTED)
        touching = np.unique(labels[near & (labels > 0)])
        return np.isin(labels.ravel(), touching) & (labels.ravel() > 0)

    def border_pairs(self, n_codes: int) -> NDArray[np.int64]:
        """Adjacent cell pairs between each two controller codes (symmetric, codes x codes;
        ``n_codes`` above every code held)."""
        counts = np.zeros((n_codes, n_codes), dtype=np.int64)
        k = min(n_codes, self._n_codes)
        counts[:k, :k] = self._border_counts[:k, :k]
        return counts

    def _pair_counts(
        self, codes_a: NDArray[np.integer], codes_b: NDArray[np.integer]
    ) -> NDArray[np.int64]:
        """Pairs (a, b) of different codes, counted both ways (codes x codes)."""
        n = self._n_codes
        differ = codes_a != codes_b
        key = codes_a[differ].astype(np.int64) * n + codes_b[differ]
        counts = np.bincount(key, minlength=n * n).reshape(n, n)
        return counts + counts.T

    def _recount_borders(self, cells: NDArray[np.intp], before: NDArray[np.int8]) -> None:
        """Move the border counts from ``before`` (every cell's code) to now, for the
        8-neighbour pairs around ``cells`` (all that changed hands; each pair once)."""
        cells = np.unique(cells).astype(np.int64)
        changed = np.zeros(self.geo.n_cells, dtype=bool)
        changed[cells] = True
        _recount_pairs(
            self._border_counts,
            self.controller,
            before,
            cells,
            changed,
            self.geo.n_rows,
            self.geo.n_cols,
        )

    def border_cells(self, a: int, b: int) -> NDArray[np.intp]:
        """Cells of ``a`` or ``b`` that touch a cell of the other."""
        i, j, _ = self._pairs
        ci, cj = self.controller[i], self.controller[j]
        touching = ((ci == a) & (cj == b)) | ((ci == b) & (cj == a))
        return np.unique(np.concatenate([i[touching], j[touching]])).astype(np.intp)

    def cells_of(self, code: int) -> int:
        return int(np.count_nonzero(self.controller == code))

    # ----------------------------------------------------------------- changes
    def capture(self, cells: NDArray[np.intp]) -> NDArray[np.intp]:
        """Hand ``cells`` to the government, with any fragment this leaves below
        ``min_pocket_cells``; refresh the pockets. Returns every cell that changed hands."""
        cells = cells[self.controller[cells] != GOVERNMENT]
        if cells.size == 0:
            return cells
        before = self.controller.copy()
        self.controller[cells] = GOVERNMENT
        labels, n = self._label()
        sizes = np.bincount(labels, minlength=n + 1)
        small = np.flatnonzero(sizes < self.min_pocket_cells)
        small = small[small > 0]
        if small.size:
            kept = np.ones(n + 1, dtype=bool)
            kept[small] = False
            fragments = np.flatnonzero(~kept[labels])
            self.controller[fragments] = GOVERNMENT
            cells = np.concatenate([cells, fragments])
            # Whole pockets went: the others keep their order (labels number pockets by their
            # first cell in reading order), so they are numbered again by rank.
            kept[0] = False
            renumber = np.zeros(n + 1, dtype=labels.dtype)
            renumber[kept] = np.arange(1, np.count_nonzero(kept) + 1, dtype=labels.dtype)
            labels, n = renumber[labels], int(np.count_nonzero(kept))
            sizes = np.concatenate(([sizes[0] + fragments.size], sizes[kept]))
        self._labels, self.n_pockets = labels, n
        self._front = self._front_after(cells)
        self._recount_borders(cells, before)
        self.version += 1
        sizes.flags.writeable = False
        self._pocket_sizes = (self.version, sizes)
        return cells

    def _label(self) -> tuple[NDArray[np.int32], int]:
        rebel, window = self._rebel_window()
        labels = np.zeros(rebel.shape, dtype=np.int32)
        labels[window], n = ndimage.label(rebel[window], structure=EIGHT_CONNECTED)
        return labels.ravel(), int(n)

    def _rebel_window(self) -> tuple[NDArray[np.bool_], tuple[slice, slice]]:
        """The rebel-held cells (rows x cols), and the smallest window of the map holding them
        with one more cell on every side (within the map): what lies outside it is
        government-held and touches no rebel-held cell, so neighbourhoods of rebel-held
        cells, and their numbering in reading order, are the same in the window."""
        rebel = self.rebel().reshape(self.geo.n_rows, self.geo.n_cols)
        rows = np.flatnonzero(rebel.any(axis=1))
        cols = np.flatnonzero(rebel.any(axis=0))
        if rows.size == 0:
            return rebel, (slice(0, 0), slice(0, 0))
        return rebel, (
            slice(max(int(rows[0]) - 1, 0), int(rows[-1]) + 2),
            slice(max(int(cols[0]) - 1, 0), int(cols[-1]) + 2),
        )

    # ----------------------------------------------------------------- walking
    def distance_field(
        self, sources: NDArray[np.bool_]
    ) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
        """Walking distance (m) through rebel-held cells to the nearest source cell.

        Returns the distance (inf where unreachable) and each cell's next cell on a shortest
        way there (itself at a source, ``UNREACHABLE`` where unreachable).
        """
        n = self.geo.n_cells
        sources = np.flatnonzero(sources & self.rebel())
        if sources.size == 0:
            return np.full(n, np.inf), np.full(n, UNREACHABLE, dtype=np.int32)
        dist, pred, _ = dijkstra(
            self._walking_graph(),
            directed=False,
            indices=sources,
            min_only=True,
            return_predecessors=True,
        )
        next_cell = np.where(pred >= 0, pred, UNREACHABLE).astype(np.int32)
        next_cell[sources] = sources
        return dist, next_cell

    def _walking_graph(self) -> csr_matrix:
        """Steps between 8-neighbour rebel-held cells with their lengths (m), as a sparse
        cells x cells matrix (built once per change of control: every crossing's
        :meth:`distance_field` of one hour walks the same graph)."""
        version, graph = self._walking
        if version != self.version:
            n = self.geo.n_cells
            i, j, w = self._pairs_by_row
            rebel = self.rebel()
            keep = rebel[i] & rebel[j]
            # Entries in (row, column) order, as COO -> CSR conversion would leave them.
            indptr = np.zeros(n + 1, dtype=np.int32)
            np.cumsum(np.bincount(i[keep], minlength=n), out=indptr[1:])
            graph = csr_matrix((w[keep], j[keep], indptr), shape=(n, n))
            self._walking = (self.version, graph)
        return graph


def _neighbour_pairs(
    n_rows: int, n_cols: int, cell_size_m: float
) -> tuple[NDArray[np.int32], NDArray[np.int32], NDArray[np.float64]]:
    """Every 8-neighbour pair of cells once, with the step length in metres."""
    index = np.arange(n_rows * n_cols, dtype=np.int32).reshape(n_rows, n_cols)
    pairs = []
    for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
        a = index[: n_rows - dr, max(0, -dc) : n_cols - max(0, dc)]
        b = index[dr:, max(0, dc) : n_cols - max(0, -dc)]
        length = cell_size_m * (math.sqrt(2.0) if dr and dc else 1.0)
        pairs.append((a.ravel(), b.ravel(), np.full(a.size, length)))
    i, j, w = (np.concatenate(parts) for parts in zip(*pairs, strict=True))
    return i, j, w


@njit(cache=True, nogil=True, boundscheck=False)
def _join_front(
    front: NDArray[np.bool_],
    rebel: NDArray[np.bool_],
    taken: NDArray[np.int64],
    n_rows: int,
    n_cols: int,
) -> None:  # pragma: no cover - compiled (test_territory: equal to the whole map's front)
    """In place: the rebel-held 8-neighbours of the cells ``taken`` join ``front``, and the
    cells ``taken`` leave it."""
    for cell in taken:
        row, col = cell // n_cols, cell % n_cols
        for r in range(max(row - 1, 0), min(row + 2, n_rows)):
            for c in range(max(col - 1, 0), min(col + 2, n_cols)):
                if rebel[r * n_cols + c]:
                    front[r * n_cols + c] = True
    for cell in taken:
        front[cell] = False


@njit(cache=True, nogil=True, boundscheck=False)
def _recount_pairs(
    counts: NDArray[np.int64],
    controller: NDArray[np.int8],
    before: NDArray[np.int8],
    cells: NDArray[np.int64],
    changed: NDArray[np.bool_],
    n_rows: int,
    n_cols: int,
) -> None:  # pragma: no cover - compiled (test_territory: equal to a whole-map count)
    """In place: the counts of 8-neighbour pairs of different codes (both ways) move from
    the codes ``before`` to ``controller`` for the pairs around ``cells`` (distinct; every
    cell that changed is marked in ``changed``). A pair of two changed cells is counted from
    the lower one."""
    for cell in cells:
        row, col = cell // n_cols, cell % n_cols
        for r in range(max(row - 1, 0), min(row + 2, n_rows)):
            for c in range(max(col - 1, 0), min(col + 2, n_cols)):
                near = r * n_cols + c
                if near == cell or (changed[near] and near < cell):
                    continue
                a, b = controller[cell], controller[near]
                if a != b:
                    counts[a, b] += 1
                    counts[b, a] += 1
                a, b = before[cell], before[near]
                if a != b:
                    counts[a, b] -= 1
                    counts[b, a] -= 1
