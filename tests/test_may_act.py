"""The compiled search for households that may act (sim/may_act.py) finds what numpy's
comparisons find: the numpy code it replaced is the reference, on random households."""

from __future__ import annotations

import numpy as np
import pytest

from sim.may_act import may_act, settle_options

SLACK = 1e-30


def _numpy(at_home, sheltering, upper, lower, thresholds, u_full, p, below, u_below):
    could_shelter = (at_home > 0) & (upper + SLACK > thresholds[0])
    could_go_home = (sheltering > 0) & (lower - SLACK < thresholds[1])
    needed = could_shelter | could_go_home
    u_settle = np.full(needed.size, np.nan)
    if needed.any():
        first, last = np.flatnonzero(needed)[[0, -1]]
        u_settle[first : last + 1] = u_full[first : last + 1]
    may_leave = np.zeros(needed.size, dtype=bool)
    may_leave[below] = True
    u_leave = np.full(needed.size, np.nan)
    u_leave[below] = u_below
    acting = np.flatnonzero(
        ((u_settle < p[0]) & could_shelter) | ((u_settle < p[1]) & could_go_home) | may_leave
    )
    return acting, u_settle[acting], may_leave[acting], u_leave[acting]


@pytest.mark.parametrize("seed", range(8))
def test_the_households_that_may_act_are_numpys(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3_000))
    at_home = (rng.integers(0, 3, n) * (rng.random(n) < 0.7)).astype(np.int32)
    sheltering = (rng.integers(0, 3, n) * (rng.random(n) < 0.5)).astype(np.int32)
    upper = rng.random(n) * 2.0
    lower = upper * rng.random(n)
    if seed == 0:  # nobody could shelter or go home: no span at all
        at_home[:] = 0
        sheltering[:] = 0
    elif seed % 2:  # a span in the middle, with leavers before, inside and after it
        outside = np.r_[: n // 3, 2 * n // 3 : n]
        at_home[outside] = 0
        sheltering[outside] = 0
    thresholds = (1.0, 0.3)
    p = (0.2, 0.05)
    u_full = rng.random(n)
    below = np.flatnonzero(rng.random(n) < [0.0, 0.01, 0.2][seed % 3]).astype(np.intp)
    u_below = rng.random(below.size) * 0.2

    options = np.empty(n, dtype=np.int8)
    first, end = settle_options(at_home, sheltering, upper, lower, SLACK, *thresholds, options)
    got = may_act(options, first, u_full[first:end], *p, below, u_below)
    want = _numpy(at_home, sheltering, upper, lower, thresholds, u_full, p, below, u_below)
    for name, g, w in zip(("acting", "u_settle", "may_leave", "u_leave"), got, want, strict=True):
        assert np.array_equal(g, w, equal_nan=g.dtype.kind == "f"), (
            f"{name}: expected numpy's {w[:8]}..., got {g[:8]}... ({g.size} vs {w.size})"
        )
