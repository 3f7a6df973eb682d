"""Which households may act this hour, found household by household in compiled loops (numba).

:meth:`Civilians.decide_and_apply` looks member by member only at households whose fear
bounds and draws could make them shelter, go home or leave. Finding them takes a few
comparisons per household; in numpy that is about ten passes over arrays of 84,000
households every hour, here two loops. The comparisons are numpy's, in the same float types,
so the households found are the same.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

COULD_SHELTER = 1
"""Bit of :func:`settle_options`: someone at home, and fear bounds that allow sheltering."""
COULD_GO_HOME = 2
"""Bit of :func:`settle_options`: someone sheltering, and bounds that allow going home."""


@njit(cache=True, nogil=True, boundscheck=False)
def settle_options(
    at_home: NDArray[np.int32],
    sheltering: NDArray[np.int32],
    fear_upper: NDArray[np.float64],
    fear_lower: NDArray[np.float64],
    slack: float,
    shelter_threshold: float,
    home_threshold: float,
    options: NDArray[np.int8],
) -> tuple[int, int]:  # pragma: no cover - compiled (tests compare it with numpy)
    """Fill ``options`` (one per household) with :data:`COULD_SHELTER` where someone is at
    home and ``fear_upper + slack > shelter_threshold``, plus :data:`COULD_GO_HOME` where
    someone is sheltering and ``fear_lower - slack < home_threshold``; return the span
    ``(first, end)`` of the households with any (``(0, 0)`` if none)."""
    n = options.size
    for h in range(n):  # without branches, so that it vectorises
        could_shelter = (at_home[h] > 0) & (fear_upper[h] + slack > shelter_threshold)
        could_go_home = (sheltering[h] > 0) & (fear_lower[h] - slack < home_threshold)
        options[h] = could_shelter * COULD_SHELTER + could_go_home * COULD_GO_HOME
    first = 0
    while first < n and options[first] == 0:
        first += 1
    if first == n:
        return 0, 0
    end = n
    while options[end - 1] == 0:
        end -= 1
    return first, end


@njit(cache=True, nogil=True, boundscheck=False)
def may_act(
    options: NDArray[np.int8],
    first: int,
    u_settle: NDArray[np.float64],
    p_shelter: float,
    p_home: float,
    leave_at: NDArray[np.intp],
    u_leave_at: NDArray[np.float64],
) -> tuple[
    NDArray[np.intp], NDArray[np.float64], NDArray[np.bool_], NDArray[np.float64]
]:  # pragma: no cover - compiled (tests compare it with numpy)
    """Households (ascending) that may act: in the span from ``first`` that ``u_settle``
    covers, those whose option's draw is below its probability (``u < p_shelter`` and
    :data:`COULD_SHELTER`, or ``u < p_home`` and :data:`COULD_GO_HOME`), and those at
    ``leave_at`` (ascending, distinct: their leaving draw ``u_leave_at`` fell below a bound).

    Returns them, each one's settle draw (NaN outside the span), whether it may leave, and its
    leaving draw (NaN if it may not)."""
    n_span, n_leave = u_settle.size, leave_at.size
    acting = np.empty(n_span + n_leave, dtype=np.intp)
    u_acting = np.empty(n_span + n_leave)
    may_leave = np.zeros(n_span + n_leave, dtype=np.bool_)
    u_leave = np.full(n_span + n_leave, np.nan)
    k, j = 0, 0
    for i in range(n_span):
        h = first + i
        while j < n_leave and leave_at[j] < h:  # leavers before the span, or between
            acting[k], u_acting[k] = leave_at[j], np.nan
            may_leave[k], u_leave[k] = True, u_leave_at[j]
            k += 1
            j += 1
        u, option = u_settle[i], options[h]
        leaves = j < n_leave and leave_at[j] == h
        if (
            leaves
            or (option & COULD_SHELTER and u < p_shelter)
            or (option & COULD_GO_HOME and u < p_home)
        ):
            acting[k], u_acting[k] = h, u
            if leaves:
                may_leave[k], u_leave[k] = True, u_leave_at[j]
                j += 1
            k += 1
    while j < n_leave:  # leavers after the span
        acting[k], u_acting[k] = leave_at[j], np.nan
        may_leave[k], u_leave[k] = True, u_leave_at[j]
        k += 1
        j += 1
    return acting[:k], u_acting[:k], may_leave[:k], u_leave[:k]
