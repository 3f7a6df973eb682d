"""Fear's hourly update, compiled: decay, then the harm seen this hour (:meth:`Civilians.perceive`).

Everyone's fear and every household's bounds of it change every hour the enclave is shelled:
in numpy that is a dozen passes over arrays of 393,000 people and 84,000 households; here it
is one pass over each (numba, ``cache=True``: compiled once per machine, then loaded). The
arithmetic is numpy's, operation by operation and in the same float types, so the results
are the same floats (no ``fastmath``: nothing is reordered or contracted).

People are stored by home cell, so their home districts come in runs: a run's district harm
is read once and its inner loop is a plain loop over slices, which the compiler vectorises.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray


def run_starts(run_length: NDArray[np.integer]) -> NDArray[np.int64]:
    """Where each run begins, and where the last ends (``run_length.size + 1`` entries)."""
    starts = np.zeros(run_length.size + 1, dtype=np.int64)
    np.cumsum(run_length, out=starts[1:])
    return starts


@njit(cache=True, nogil=True, boundscheck=False)
def decay_and_harm(
    fear: NDArray[np.float32],
    sensitivity: NDArray[np.float32],
    decay: np.float32,
    run_start: NDArray[np.int64],
    run_district: NDArray[np.int64],
    by_district: NDArray[np.float32],
    struck: NDArray[np.intp],
    in_cell: NDArray[np.float32],
) -> None:  # pragma: no cover - compiled (tests compare it with the numpy arithmetic)
    """``fear = fear * decay + harm * sensitivity``, in place, where a person's harm is
    ``by_district`` of their run's district, plus ``in_cell`` for the ``struck`` (ascending,
    distinct) on their cell."""
    n_struck = struck.size
    struck_fear = np.empty(n_struck, dtype=np.float32)
    r = 0
    for j in range(n_struck):  # first, before the runs' loop below overwrites their fear
        i = struck[j]
        while run_start[r + 1] <= i:
            r += 1
        harm = by_district[run_district[r]] + in_cell[j]
        struck_fear[j] = fear[i] * decay + harm * sensitivity[i]
    for r in range(run_district.size):
        harm = by_district[run_district[r]]
        f = fear[run_start[r] : run_start[r + 1]]
        s = sensitivity[run_start[r] : run_start[r + 1]]
        for i in range(f.size):
            f[i] = f[i] * decay + harm * s[i]
    for j in range(n_struck):
        fear[struck[j]] = struck_fear[j]


@njit(cache=True, nogil=True, boundscheck=False)
def decay_and_bound_harm(
    upper: NDArray[np.float64],
    lower: NDArray[np.float64],
    decay_upper: float,
    decay_lower: float,
    sensitivity_upper: NDArray[np.float64],
    sensitivity_lower: NDArray[np.float64],
    run_start: NDArray[np.int64],
    run_district: NDArray[np.int64],
    by_district: NDArray[np.float32],
    struck_household: NDArray[np.integer],
    in_cell: NDArray[np.float32],
) -> None:  # pragma: no cover - compiled (tests compare it with the numpy arithmetic)
    """Each household's bounds of its members' fear, in place: ``bound = bound * decay +
    sensitivity * district harm`` (households in runs of one home district), then the upper
    bound of each household in ``struck_household`` (one entry per struck member, in runs)
    adds its upper sensitivity times the most harm on a member's cell."""
    for r in range(run_district.size):
        harm = np.float64(by_district[run_district[r]])
        lo, hi = run_start[r], run_start[r + 1]
        u, lo_bound = upper[lo:hi], lower[lo:hi]
        su, sl = sensitivity_upper[lo:hi], sensitivity_lower[lo:hi]
        for k in range(hi - lo):
            u[k] = u[k] * decay_upper + su[k] * harm
            lo_bound[k] = lo_bound[k] * decay_lower + sl[k] * harm
    n_struck = struck_household.size
    j = 0
    while j < n_struck:
        household = struck_household[j]
        most = np.float64(in_cell[j])
        j += 1
        while j < n_struck and struck_household[j] == household:
            most = max(most, np.float64(in_cell[j]))
            j += 1
        upper[household] += sensitivity_upper[household] * most
