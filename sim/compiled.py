"""numba's one-time start-up, done while the model is built rather than in its first hour.

The first compiled function a process calls makes numba load its typing and target registries
(about 0.4 s here); each kernel after that loads from its cache in milliseconds. Calling a
trivial compiled function at set-up puts that cost where a run's set-up is timed.
"""

from __future__ import annotations

from numba import njit


@njit(cache=True)
def _nothing() -> int:  # pragma: no cover - compiled
    return 0


def start_numba() -> None:
    """Load numba's registries now (a no-op after the first call in a process)."""
    _nothing()
