"""Government forces: shelling units and assault groups (Mesa agents) and their plan."""

from __future__ import annotations

import math

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.geography import GOVERNMENT, Geography
from sim.params import AssaultGroupParams, GovernmentParams, ShellingUnitParams
from sim.territory import Territory


class ShellingUnit(mesa.Agent):
    """Air or artillery: a Poisson number of strikes an hour, aimed by target weight."""

    def __init__(self, model: mesa.Model, params: ShellingUnitParams) -> None:
        super().__init__(model)
        self.name = params.name
        self.strikes_per_day = params.strikes_per_day

    def plan(
        self, target_p: NDArray[np.float64], intensity: float, rng: np.random.Generator
    ) -> NDArray[np.int64]:
        """Strikes on each candidate cell this hour."""
        n = rng.poisson(self.strikes_per_day / 24.0 * intensity)
        return rng.multinomial(n, target_p)


class AssaultGroup(mesa.Agent):
    """Ground troops pressing the front near their position towards an objective town."""

    def __init__(
        self, model: mesa.Model, params: AssaultGroupParams, geo: Geography, start_cell: int
    ) -> None:
        super().__init__(model)
        self.name = params.name
        self.fighters = params.fighters
        self.cell = start_cell
        self.objectives = list(params.objectives)
        self.geo = geo

    def objective_xy(
        self, town_cell: dict[str, int], rebel: NDArray[np.bool_]
    ) -> tuple[float, float] | None:
        """The first listed objective still in ``rebel`` (rebel-held cells open to attack),
        else the nearest such town, else the nearest such cell."""
        geo = self.geo
        while self.objectives and not rebel[town_cell[self.objectives[0]]]:
            self.objectives.pop(0)
        if self.objectives:
            return geo.town_xy_m[self.objectives[0]]
        held = [name for name, cell in town_cell.items() if rebel[cell]]
        x, y = geo.x_m[self.cell], geo.y_m[self.cell]
        if held:
            name = min(held, key=lambda t: math.dist((x, y), geo.town_xy_m[t]))
            return geo.town_xy_m[name]
        if rebel.any():
            cell = geo.nearest_cell(x, y, rebel)
            return float(geo.x_m[cell]), float(geo.y_m[cell])
        return None

    def in_reach(self, cells: NDArray[np.intp], reach_m: float) -> NDArray[np.bool_]:
        geo = self.geo
        d2 = (geo.x_m[cells] - geo.x_m[self.cell]) ** 2 + (geo.y_m[cells] - geo.y_m[self.cell]) ** 2
        return d2 <= reach_m**2

    def advance(self, target: tuple[float, float], territory: Territory, reach_m: float) -> None:
        """Move to the government-held cell within reach that is nearest the objective."""
        geo = self.geo
        near = geo.cells_within(geo.x_m[self.cell], geo.y_m[self.cell], reach_m)
        self.cell = geo.nearest_cell(*target, near & (territory.controller == GOVERNMENT))


class GovernmentForces:
    """The government's units and the rules by which they shell and advance."""

    def __init__(
        self,
        model: mesa.Model,
        params: GovernmentParams,
        geo: Geography,
        territory: Territory,
        town_cell: dict[str, int],
    ) -> None:
        self.params = params
        self.geo = geo
        self.territory = territory
        self.town_cell = town_cell
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
        target_p = weight / weight.sum()
        for unit in self.shelling_units:
            strikes[targets] += unit.plan(target_p, intensity, rng).astype(np.int32)
        return strikes

    def decide_captures(
        self,
        defence_per_front_cell: NDArray[np.float64],
        pressure_at_cell: NDArray[np.float64],
        rng: np.random.Generator,
    ) -> NDArray[np.intp]:
        """Front cells that fall this hour (decided, not yet applied).

        ``defence_per_front_cell`` is indexed by controller code. Only front cells with a
        positive ``pressure_at_cell`` are attacked. A cell in reach of groups with total attack
        A (each group's fighters shared over the attacked cells in its reach, times the cell's
        pressure) and defence D falls with probability 1 - exp(-capture_rate x A / D), where
        urban cells multiply D by ``urban_defence_multiplier``.
        """
        p = self.params
        front = np.flatnonzero(self.territory.front() & (pressure_at_cell > 0))
        if front.size == 0:
            return front
        attack = np.zeros(front.size)
        for group in self.assault_groups:
            reach = group.in_reach(front, p.reach_m)
            if reach.any():
                attack[reach] += group.fighters / reach.sum()
        attack *= pressure_at_cell[front]
        defence = defence_per_front_cell[self.territory.controller[front]]
        defence = defence * np.where(self.geo.urban[front], p.urban_defence_multiplier, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(attack > 0, attack / defence, 0.0)
        p_fall = -np.expm1(-p.capture_rate_per_hour * ratio)
        return front[rng.random(front.size) < p_fall]

    def advance_units(self, open_to_attack: NDArray[np.bool_]) -> None:
        """Each group moves towards its objective among rebel-held cells ``open_to_attack``."""
        for group in self.assault_groups:
            target = group.objective_xy(self.town_cell, open_to_attack)
            if target is not None:
                group.advance(target, self.territory, self.params.reach_m)
