"""Named random streams: one ``SeedSequence`` per run, one child ``Generator`` per mechanism.

The children are spawned in the fixed order of :data:`STREAM_NAMES`, so adding a stream at the
end, or changing how many draws one mechanism makes, leaves every other stream's draws alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

STREAM_NAMES = (
    "population",
    "shelling",
    "ground",
    "factions",
    "civilians",
    "logistics",
    "mesa",
    "deals",
    "crossings",
    "reception",
    "medevac",
)


@dataclass(frozen=True)
class Streams:
    population: np.random.Generator
    shelling: np.random.Generator
    ground: np.random.Generator
    factions: np.random.Generator
    civilians: np.random.Generator
    logistics: np.random.Generator
    """Unused at present (convoys no longer pick recipients); kept so later streams keep
    their seeds."""
    mesa: np.random.Generator
    """Handed to ``mesa.Model`` so that Mesa's own draws come from this seed too."""
    deals: np.random.Generator
    """Fighters' families, answers to terms, deal choices and bus lists."""
    crossings: np.random.Generator
    """Whether each crossing is shut for the day."""
    reception: np.random.Generator
    """Which sheltered households relatives sponsor out each day."""
    medevac: np.random.Generator
    """Patients on the medical list at the start, the wounded joining it, deaths on it."""


def make_streams(seed: int) -> Streams:
    children = np.random.SeedSequence(seed).spawn(len(STREAM_NAMES))
    return Streams(
        **{
            name: np.random.default_rng(child)
            for name, child in zip(STREAM_NAMES, children, strict=True)
        }
    )


def skip_random(rng: np.random.Generator, count: int) -> None:
    """Leave ``rng`` as ``rng.random(count)`` (float64) would, without making the numbers.

    Each float64 takes one 64-bit output, so a PCG64 generator jumps ahead ``count`` outputs
    (and keeps the buffered half of a 64-bit output that ``advance`` would drop); any other
    bit generator draws and discards them."""
    if count <= 0:
        return
    bit_generator = rng.bit_generator
    if not isinstance(bit_generator, np.random.PCG64 | np.random.PCG64DXSM):
        rng.random(count)
        return
    before = bit_generator.state
    bit_generator.advance(count)
    if before["has_uint32"]:
        after = bit_generator.state
        after["has_uint32"], after["uinteger"] = before["has_uint32"], before["uinteger"]
        bit_generator.state = after


def random_head(rng: np.random.Generator, count: int, needed: int) -> NDArray[np.float64]:
    """The first ``needed`` of ``rng.random(count)``, leaving ``rng`` as that call would."""
    head = rng.random(min(needed, count))
    skip_random(rng, count - head.size)
    return head


SPARSE_AT_SPACING = 1_000
"""Draws one position's jump costs about as many as it skips (``advance`` and the state
copies): :func:`random_at` jumps to each position when they are sparser than this."""


def random_at(
    rng: np.random.Generator, count: int, positions: NDArray[np.integer]
) -> NDArray[np.float64]:
    """``rng.random(count)[positions]`` (``positions`` ascending, repeats allowed), leaving
    ``rng`` as that call would: a few far-apart positions are reached by jumping the stream
    ahead to each (PCG64: :func:`skip_random`), else the draw up to the last one is made."""
    if positions.size == 0:
        skip_random(rng, count)
        return np.zeros(0)
    needed = int(positions[-1]) + 1
    if positions.size * SPARSE_AT_SPACING >= needed or not isinstance(
        rng.bit_generator, np.random.PCG64 | np.random.PCG64DXSM
    ):
        return random_head(rng, count, needed)[positions]
    distinct = np.flatnonzero(np.diff(positions, prepend=-1))
    values = np.empty(distinct.size)
    made = 0  # outputs of the stream used so far
    for k, position in enumerate(positions[distinct].tolist()):
        skip_random(rng, position - made)
        values[k] = rng.random()
        made = position + 1
    skip_random(rng, count - made)
    return np.repeat(values, np.diff(np.append(distinct, positions.size)))


def random_between(
    rng: np.random.Generator, count: int, first: int, end: int
) -> NDArray[np.float64]:
    """``rng.random(count)[first:end]``, the draws before and after skipped, not made;
    leaves ``rng`` as ``rng.random(count)`` would."""
    skip_random(rng, first)
    values = rng.random(end - first)
    skip_random(rng, count - end)
    return values


SPARSE_BELOW_P = 0.05
"""Largest ``p`` for which :func:`uniforms_below` finds its draws by gaps between them."""
SPARSE_BELOW_MIN_COUNT = 1024
"""Smallest ``count`` for which it does (so that its draws fit in the skipped span)."""


def uniforms_below(
    rng: np.random.Generator, count: int, p: float
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Positions (ascending) of the values of ``rng.random(count)`` below ``p``, and those
    values, leaving ``rng`` as that call would.

    Same law, other numbers: for a small ``p`` the gaps between positions are drawn
    (geometric) and each value is uniform below ``p``, so the cost is in what is found, not
    in ``count``; these draws are made from the start of the span that ``rng.random(count)``
    would take (far fewer than ``count`` of its outputs), then the stream is put back and
    skipped past the span. Otherwise the full draw is made."""
    if not (p < SPARSE_BELOW_P and count >= SPARSE_BELOW_MIN_COUNT):  # NaN: full draw
        values = rng.random(count)
        below = np.flatnonzero(values < p)
        return below, values[below]
    if p <= 0:
        skip_random(rng, count)
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    before = rng.bit_generator.state
    expected = count * p
    chunk = int(expected + 4.0 * np.sqrt(expected) + 16.0)
    found = []
    last = -1
    while last < count:
        # A gap reaching past the span ends it: clipped there, so sums cannot overflow.
        positions = last + np.cumsum(np.minimum(rng.geometric(p, chunk), count + 1))
        found.append(positions)
        last = int(positions[-1])
    positions = np.concatenate(found)
    positions = positions[positions < count].astype(np.intp)
    values = rng.random(positions.size) * p
    rng.bit_generator.state = before
    skip_random(rng, count)
    return positions, values
