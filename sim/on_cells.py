"""People inside the enclave standing on their home cells among some cells, compiled (numba).

People are stored by home cell, so each cell's residents are one slice of the columns;
:meth:`Civilians.inside_on` finds the slices by binary search and this loop keeps, in order,
those standing at home and still inside (numpy needs a range expansion and three gathers).
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True, nogil=True, boundscheck=False)
def inside_at_home(
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    cell: NDArray[np.int32],
    home_cell: NDArray[np.int32],
    state: NDArray[np.int8],
    last_inside_state: int,
) -> NDArray[np.intp]:  # pragma: no cover - compiled (tests compare it with numpy)
    """People ``p`` in the slices ``lo[k] <= p < hi[k]`` (in order) with ``cell[p] ==
    home_cell[p]`` and ``state[p] <= last_inside_state``."""
    total = 0
    for k in range(lo.size):
        total += hi[k] - lo[k]
    who = np.empty(total, dtype=np.intp)
    n = 0
    for k in range(lo.size):
        for p in range(lo[k], hi[k]):
            if cell[p] == home_cell[p] and state[p] <= last_inside_state:
                who[n] = p
                n += 1
    return who[:n]
