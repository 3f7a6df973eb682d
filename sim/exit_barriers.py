"""Exit barriers: what holds households back from leaving, and the news that draws them out.

- **Restraint.** Each faction holds civilians back on its ground (checkpoints) with its
  ``civilian_exit_coercion`` at full strength; the hold weakens with the faction's strength,
  ``s = cohesion/cohesion0 x morale/morale0 x cells/cells0`` (each ratio capped at 1):
  ``restraint = coercion x (1 - (1 - s)^k)``, ``k = restraint_erosion_exponent`` (1: in
  proportion to s; higher: the hold lasts until the faction is badly weakened, then breaks).
  Where the army has just taken ground next door (within walking reach of a place to walk
  out, :mod:`sim.walkouts`), only ``restraint_near_army_share`` of it holds: fighters pulled
  to the line cannot man the checkpoints behind it, and residents defy them. On ceasefire
  cells the restraint is 1: people there have made their deal choice.
- **News of safe passage.** People learn that others got through: ``news`` is the share of the
  initial population that got out safely, remembered with a half-life. The leaving hazard is
  multiplied by ``floor + (1 - floor) x news / (news + half_saturation)``, so a flow can start
  slowly and then surge.
- **Distrust of screening** (applied per household in :mod:`sim.civilians`) and **danger on
  the way** (per crossing, in :mod:`sim.crossings`) are the other two barriers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from sim.clock import HOURS_PER_DAY
from sim.factions import Faction
from sim.params import ExitParams


class ExitBarriers:
    """The factions' restraint on civilians and the news of safe passage."""

    def __init__(self, params: ExitParams, initial_people: int) -> None:
        self.params = params
        self.initial_people = max(initial_people, 1)
        self.news_share = 0.0
        """Share of the initial population recently out safely (decaying memory)."""
        self._news_decay = math.exp(-math.log(2) / (params.word_half_life_days * HOURS_PER_DAY))

    def restraint_by_code(self, factions: Sequence[Faction]) -> NDArray[np.float64]:
        """Restraint (0-1) by controller code; 0 for government-held ground (code 0)."""
        restraint = np.zeros(len(factions) + 1)
        for f in factions:
            ground = f.cells / f.initial_cells if f.initial_cells else 0.0
            strength = (
                _ratio(f.cohesion, f.cohesion_initial) * _ratio(f.morale, f.morale_initial) * ground
            )
            hold = 1.0 - (1.0 - strength) ** self.params.restraint_erosion_exponent
            restraint[f.code] = min(1.0, f.civilian_exit_coercion * hold)
        return restraint

    def restraint_at_cell(
        self,
        factions: Sequence[Faction],
        controller: NDArray[np.integer],
        ceasefire: NDArray[np.bool_],
        near_army: NDArray[np.bool_] | None,
    ) -> NDArray[np.float64]:
        """Restraint (0-1) on each cell: its holder's (:meth:`restraint_by_code`), times
        ``restraint_near_army_share`` on the cells ``near_army`` (within walking reach of a
        place to walk out; None: none), and 1 on ceasefire cells."""
        restraint = self.restraint_by_code(factions)[controller]
        if near_army is not None and self.params.restraint_near_army_share != 1.0:
            restraint[near_army] *= self.params.restraint_near_army_share
        restraint[ceasefire] = 1.0
        return restraint

    def word_factor(self) -> float:
        """Multiplier of the leaving hazard from the news of safe passage (floor..1)."""
        p = self.params
        news = self.news_share
        return p.word_floor + (1.0 - p.word_floor) * news / (news + p.word_half_saturation_share)

    def hear(self, people_out_safely: int) -> None:
        """The hour's news: ``people_out_safely`` got through (after the decay of old news)."""
        self.news_share = (
            self.news_share * self._news_decay + people_out_safely / self.initial_people
        )


def _ratio(value: float, initial: float) -> float:
    return min(1.0, value / initial) if initial > 0 else 0.0
