"""Rebel factions: Mesa agents with fighters, cohesion and morale.

A faction's fighters man its front line evenly, so its defence per front cell is
``fighters / front cells x cohesion``: a divided faction (low cohesion) fights worse and
deserts faster, so its cells fall sooner. Cohesion is a state: losses of territory (more so
when a hostile neighbour blames the loser), isolation and infighting wear it down; holding
every cell under attack restores it towards its starting value.
"""

from __future__ import annotations

from enum import IntEnum

import mesa
import numpy as np

from sim.clock import HOURS_PER_DAY
from sim.params import FactionDynamicsParams, FactionParams


class FactionStage(IntEnum):
    """Where a faction stands towards the government."""

    FIGHTING = 0
    TALKING = 1
    """In talks through a mediator, in rounds each ending in an ultimatum: its towns are not
    stormed, except in a renewed assault after a refused ultimatum."""
    EVACUATING = 2
    """Terms accepted: ceasefire on the deal's cells while buses take its people north."""
    ENDED = 3
    """No cells left: defeated, surrendered everywhere, or evacuated."""


class Faction(mesa.Agent):
    """One rebel faction and the cells it holds (controller code ``code``)."""

    def __init__(self, model: mesa.Model, key: str, code: int, params: FactionParams) -> None:
        super().__init__(model)
        self.key = key
        self.name = params.name
        self.code = code
        self.fighters = params.fighters
        self.fighters_initial = params.fighters
        self.cohesion = params.cohesion
        self.cohesion_initial = params.cohesion
        self.morale_initial = params.morale_initial
        self.morale = params.morale_initial
        self.civilian_exit_coercion = params.civilian_exit_coercion
        self.excluded_from_ceasefire = params.excluded_from_ceasefire
        self.initial_cells = 0
        self.initial_residents = 0.0
        """Residents (at the start) of the faction's initial ground."""
        self.cells = 0
        self.stage = FactionStage.FIGHTING
        self.ultimatum_step = -1
        """While talking: the step at which the current round ends in an ultimatum."""
        self.renewed_assault_until_step = -1
        """After a refused ultimatum: the renewed assault lasts until before this step."""
        self.ultimatums_refused = 0

    @property
    def active(self) -> bool:
        """Still holds ground (not ended)."""
        return self.stage != FactionStage.ENDED

    @property
    def fighting(self) -> bool:
        """Fighting or talking: not under a ceasefire, not ended."""
        return self.stage in (FactionStage.FIGHTING, FactionStage.TALKING)

    def defence_per_front_cell(self, front_cells: int) -> float:
        """Effective fighters on each of the faction's front cells."""
        return self.fighters / max(front_cells, 1) * self.cohesion

    def update(
        self,
        cells_lost: int,
        residents_lost: float,
        isolation: float,
        blamed: bool,
        under_offensive: bool,
        dynamics: FactionDynamicsParams,
        rng: np.random.Generator,
    ) -> tuple[int, int]:
        """Losses, desertion, morale and cohesion for one hour; returns (killed, deserted).

        ``cells_lost`` this hour cost fighters; the ground lost costs morale and cohesion by
        the share of the faction's initial residents who lived on it (``residents_lost`` over
        :attr:`initial_residents`): empty farmland costs little, a town much.
        ``isolation`` (0-1) is the share of the rebel-held enclave cut off from the faction's
        largest pocket (:meth:`sim.territory.Territory.isolation`); ``blamed``: a hostile
        faction borders this one; ``under_offensive``: the ground offensive is on.
        """
        killed = min(
            self.fighters, int(rng.poisson(cells_lost * dynamics.fighters_lost_per_cell_captured))
        )
        self.fighters -= killed
        p_desert = (
            dynamics.desertion_per_day_at_zero_cohesion
            / HOURS_PER_DAY
            * (1.0 - self.cohesion)
            * (1.0 - self.morale)
        )
        deserted = int(rng.binomial(self.fighters, p_desert))
        self.fighters -= deserted
        percent_lost = (
            100.0 * residents_lost / self.initial_residents if self.initial_residents else 0.0
        )
        self.morale -= dynamics.morale_loss_per_percent_territory_lost * percent_lost
        self.morale -= dynamics.isolation_morale_loss_per_day / HOURS_PER_DAY * isolation
        self.morale = min(max(self.morale, 0.0), 1.0)

        blame = 1.0 + dynamics.blame_multiplier * blamed
        self.cohesion -= dynamics.cohesion_loss_per_percent_territory_lost * percent_lost * blame
        self.cohesion -= dynamics.isolation_cohesion_loss_per_day / HOURS_PER_DAY * isolation
        if under_offensive and cells_lost == 0:
            recovered = self.cohesion + dynamics.cohesion_recovery_per_day / HOURS_PER_DAY
            self.cohesion = max(self.cohesion, min(recovered, self.cohesion_initial))
        self.cohesion = min(max(self.cohesion, 0.0), 1.0)
        return killed, deserted

    def suffer_infighting(self, fighters_killed: int, dynamics: FactionDynamicsParams) -> int:
        killed = min(self.fighters, fighters_killed)
        self.fighters -= killed
        self.cohesion = max(self.cohesion - dynamics.infighting_cohesion_loss, 0.0)
        return killed

    def under_renewed_assault(self, step: int) -> bool:
        """In talks, but refused the last ultimatum and is being assaulted again."""
        return self.stage == FactionStage.TALKING and step < self.renewed_assault_until_step

    def fighters_share(self) -> float:
        """Fighters left as a share of the faction's initial fighters (1 if it had none)."""
        return self.fighters / self.fighters_initial if self.fighters_initial else 1.0

    def will_surrender(self, dynamics: FactionDynamicsParams) -> bool:
        """An isolated pocket held by this faction gives up when morale is below threshold."""
        return self.morale < dynamics.surrender_morale_threshold
