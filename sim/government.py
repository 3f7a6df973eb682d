"""Government forces: shelling units and assault groups (Mesa agents) and their plan.

On the ground, troops holding the ring press every front cell a little
(``front_holding_fighters``); assault groups add their weight on the front within
``reach_m`` of them. Groups lose fighters to the defenders they attack; a group worn below
``regroup_strength_share`` of its strength stops for ``regroup_days`` and comes back at full
strength.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.clock import HOURS_PER_DAY
from sim.geography import GOVERNMENT, Geography
from sim.params import AssaultGroupParams, GovernmentParams, ShellingUnitParams
from sim.recorder import EventLog
from sim.territory import Territory

NOT_REGROUPING = -1


class ShellingUnit(mesa.Agent):
    """Air or artillery: a Poisson number of strikes an hour, aimed by target weight."""

    def __init__(self, model: mesa.Model, params: ShellingUnitParams) -> None:
        super().__init__(model)
        self.name = params.name
        self.strikes_per_day = params.strikes_per_day

    def plan(
        self, cumulative_p: NDArray[np.float64], intensity: float, rng: np.random.Generator
    ) -> NDArray[np.intp]:
        """This hour's strikes, each a candidate index drawn by target weight (inverse of the
        ``cumulative_p`` distribution: the same law as a multinomial of the count, at the
        cost of the strikes rather than of the candidates)."""
        n = rng.poisson(self.strikes_per_day / HOURS_PER_DAY * intensity)
        drawn = np.searchsorted(cumulative_p, rng.random(n) * cumulative_p[-1], side="right")
        return np.minimum(drawn, cumulative_p.size - 1)


class AssaultGroup(mesa.Agent):
    """Ground troops pressing the front near their position towards an objective town;
    worn down, they stop to regroup and come back at full strength."""

    def __init__(
        self, model: mesa.Model, params: AssaultGroupParams, geo: Geography, start_cell: int
    ) -> None:
        super().__init__(model)
        self.name = params.name
        self.fighters = params.fighters
        self.initial_fighters = params.fighters
        self.cell = start_cell
        self.objectives = list(params.objectives)
        self.geo = geo
        self.regroup_end_step = NOT_REGROUPING
        """While regrouping: the step at which the group is back at full strength."""

    @property
    def regrouping(self) -> bool:
        """Paused to regroup: it neither attacks nor moves."""
        return self.regroup_end_step != NOT_REGROUPING

    def objective_xy(
        self,
        town_cell: dict[str, int],
        rebel: NDArray[np.bool_],
        open_cells: tuple[NDArray[np.intp], NDArray[np.intp]] | None = None,
    ) -> tuple[float, float] | None:
        """The first listed objective still in ``rebel`` (rebel-held cells open to attack);
        once the plan is done, the nearest such farmland (towns are isolated first, not
        stormed), else the nearest such town cell. ``open_cells``: those farmland cells and
        all of ``rebel``'s (flat indices, ascending), if already found."""
        geo = self.geo
        while self.objectives and not rebel[town_cell[self.objectives[0]]]:
            self.objectives.pop(0)
        if self.objectives:
            return geo.town_xy_m[self.objectives[0]]
        x, y = geo.x_m[self.cell], geo.y_m[self.cell]
        if open_cells is None:
            open_cells = (np.flatnonzero(rebel & ~geo.urban), np.flatnonzero(rebel))
        for candidates in open_cells:
            if candidates.size:
                cell = geo.nearest_of(x, y, candidates)
                return float(geo.x_m[cell]), float(geo.y_m[cell])
        return None

    def in_reach(self, cells: NDArray[np.intp], reach_m: float) -> NDArray[np.bool_]:
        geo = self.geo
        d2 = (geo.x_m[cells] - geo.x_m[self.cell]) ** 2 + (geo.y_m[cells] - geo.y_m[self.cell]) ** 2
        return d2 <= reach_m**2

    def advance(self, target: tuple[float, float], held: NDArray[np.bool_], reach_m: float) -> None:
        """Move to the government-``held`` cell within reach that is nearest the objective."""
        geo = self.geo
        self.cell = geo.nearest_within(
            float(geo.x_m[self.cell]), float(geo.y_m[self.cell]), reach_m, held, *target
        )


@dataclass(frozen=True)
class Assault:
    """One hour's ground assault, decided and not yet applied."""

    cells: NDArray[np.intp]
    """Front cells that fall."""
    group_losses: NDArray[np.int64]
    """Fighters each assault group loses (in config order)."""


class GovernmentForces:
    """The government's units and the rules by which they shell and advance."""

    def __init__(
        self,
        model: mesa.Model,
        params: GovernmentParams,
        geo: Geography,
        territory: Territory,
        town_cell: dict[str, int],
        events: EventLog,
    ) -> None:
        self.params = params
        self.geo = geo
        self.territory = territory
        self.town_cell = town_cell
        self.events = events
        self.shelling_units = [ShellingUnit(model, p) for p in params.shelling_units]
        government = territory.controller == GOVERNMENT
        named = {**geo.place_xy_m, **geo.town_xy_m}
        self.assault_groups = [
            AssaultGroup(model, p, geo, geo.nearest_cell(*named[p.start], government))
            for p in params.assault_groups
        ]

    def shell(
        self, intensity: float, open_to_fire: NDArray[np.bool_], rng: np.random.Generator
    ) -> NDArray[np.int32]:
        """Strikes per cell this hour, spread over rebel-held cells in ``open_to_fire``
        (not under a ceasefire) by target weight.

        Weight = 1 + front_weight (on the front) + density_weight x (initial people / max).
        """
        p = self.params
        strikes = np.zeros(self.geo.n_cells, dtype=np.int32)
        targets = np.flatnonzero(self.territory.rebel() & open_to_fire)
        if targets.size == 0 or intensity <= 0:
            return strikes
        people = self.geo.people[targets].astype(np.float64)
        weight = 1.0 + p.front_weight * self.territory.front()[targets]
        weight += p.density_weight * people / max(people.max(), 1.0)
        cumulative_p = np.cumsum(weight)
        for unit in self.shelling_units:
            np.add.at(strikes, targets[unit.plan(cumulative_p, intensity, rng)], 1)
        return strikes

    def decide_assault(
        self,
        defence_at_cell: NDArray[np.float64],
        pressure_at_cell: NDArray[np.float64],
        rng: np.random.Generator,
    ) -> Assault:
        """Front cells that fall this hour and the fighters each group loses (decided, not
        yet applied).

        ``defence_at_cell`` is each front cell's defence (``Conflict.defence_at_cell``).
        Only front cells with a positive ``pressure_at_cell`` are attacked. The ring's
        ``front_holding_fighters`` are spread evenly over all of them; each group not
        regrouping adds its fighters shared over the attacked cells in its reach. A cell
        with attack A (that sum times the cell's pressure) and defence D falls with
        probability 1 - exp(-capture_rate x A / D), where urban cells multiply D by
        ``urban_defence_multiplier``. A group loses Poisson(group_losses_per_defender_per_day
        / 24 x the defence it attacked: D of each cell times its share of the attack there
        times the cell's pressure) fighters.
        """
        p = self.params
        groups = self.assault_groups
        front = np.flatnonzero(self.territory.front() & (pressure_at_cell > 0))
        if front.size == 0:
            return Assault(front, np.zeros(len(groups), dtype=np.int64))
        holding = np.full(front.size, p.front_holding_fighters / front.size)
        by_group = np.zeros((len(groups), front.size))
        for k, group in enumerate(groups):
            if group.regrouping:
                continue
            reach = group.in_reach(front, p.reach_m)
            if reach.any():
                by_group[k, reach] = group.fighters / reach.sum()
        pressure = pressure_at_cell[front]
        total = holding + by_group.sum(axis=0)
        attack = total * pressure
        urban = np.where(self.geo.urban[front], p.urban_defence_multiplier, 1.0)
        defence = defence_at_cell[front] * urban
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(attack > 0, attack / defence, 0.0)
            share = np.where(total > 0, by_group / total, 0.0)
        p_fall = -np.expm1(-p.capture_rate_per_hour * ratio)
        fallen = front[rng.random(front.size) < p_fall]
        met = share @ (defence * pressure)
        losses = rng.poisson(p.group_losses_per_defender_per_day / HOURS_PER_DAY * met)
        fighters = np.array([g.fighters for g in groups], dtype=np.int64)
        return Assault(fallen, np.minimum(losses, fighters))

    def capture_deaths(
        self, people: NDArray[np.intp], rng: np.random.Generator
    ) -> NDArray[np.intp]:
        """Which of ``people`` (inside the enclave on cells that fall) are killed: each with
        probability ``capture_civilian_lethality``. One integer from ``rng`` seeds the draws per
        person, so however many people there are, ``rng``'s later draws (the captures) stay
        the same: runs that differ only on the civilians' side keep the same ground war."""
        per_person = np.random.default_rng(rng.integers(2**63))
        return people[per_person.random(people.size) < self.params.capture_civilian_lethality]

    def apply_losses(self, assault: Assault, t: int) -> None:
        """Groups lose the fighters decided; a group below ``regroup_strength_share`` of its
        initial fighters starts to regroup (logged)."""
        p = self.params
        for group, lost in zip(self.assault_groups, assault.group_losses, strict=True):
            group.fighters -= int(lost)
            if (
                group.regrouping
                or group.fighters >= p.regroup_strength_share * group.initial_fighters
            ):
                continue
            group.regroup_end_step = t + round(p.regroup_days * HOURS_PER_DAY)
            detail = (
                f"{group.fighters} of {group.initial_fighters} fighters left; "
                f"regroups for {p.regroup_days:g} days"
            )
            self.events.add(t, "assault_group_regrouping", group.name, self._place(group), detail)

    def resume_groups(self, t: int) -> None:
        """Groups whose regrouping is over are reinforced to full strength (logged)."""
        for group in self.assault_groups:
            if not group.regrouping or t < group.regroup_end_step:
                continue
            group.regroup_end_step = NOT_REGROUPING
            reinforcements = group.initial_fighters - group.fighters
            group.fighters = group.initial_fighters
            detail = f"{reinforcements} reinforcements; back to {group.fighters} fighters"
            self.events.add(t, "assault_group_resumes", group.name, self._place(group), detail)

    def _place(self, group: AssaultGroup) -> str:
        """The district most of the front in the group's reach belongs to ("" if none)."""
        front = np.flatnonzero(self.territory.front())
        return self.geo.main_district(front[group.in_reach(front, self.params.reach_m)])

    def advance_units(self, open_to_attack: NDArray[np.bool_]) -> None:
        """Each group not regrouping moves towards its objective among rebel-held cells
        ``open_to_attack``."""
        held = self.territory.controller == GOVERNMENT
        open_cells = None  # found once, for the first group past its listed objectives
        for group in self.assault_groups:
            if group.regrouping:
                continue
            if open_cells is None and not any(
                open_to_attack[self.town_cell[town]] for town in group.objectives
            ):
                open_cells = (
                    np.flatnonzero(open_to_attack & ~self.geo.urban),
                    np.flatnonzero(open_to_attack),
                )
            target = group.objective_xy(self.town_cell, open_to_attack, open_cells)
            if target is not None:
                group.advance(target, held, self.params.reach_m)
