"""Food: stocks per district, daily rations, hunger, and aid convoys that refill the stocks.

Each district holds a stock in person-days of food. At a day's first step, the people of the
district still inside the enclave (by home district) eat one day's ration each, as far as the
stock goes; the share of the ration they got sets the level the district's hunger moves
towards. Everyone shares their district's hunger: people eat from their district's stocks.
A convoy that is let in adds the food of the trucks that unloaded, less what was removed at
checkpoints.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sim.clock import HOURS_PER_DAY
from sim.params import ConvoyParams, FoodParams


class FoodStocks:
    """Stocks, rations and hunger of each district."""

    def __init__(
        self,
        params: FoodParams,
        district_names: tuple[str, ...],
        people_per_district: NDArray[np.int64],
    ) -> None:
        self.params = params
        days = np.full(len(district_names), params.initial_stock_days)
        for town, town_days in params.initial_stock_days_by_district.items():
            days[district_names.index(town)] = town_days
        self.stock_person_days = days * people_per_district
        self.ration_share = np.ones(len(district_names))
        """Share of a day's ration each district's people got today."""
        self.hunger = np.full(len(district_names), params.initial_hunger)
        """0-1, shared by everyone of a district."""
        self.day_ran_out = np.full(len(district_names), -1, dtype=np.int64)
        """First day a district's people got less than a full ration; -1 if never."""

    def eat(self, day: int, people_inside: NDArray[np.int64]) -> None:
        """The day's rations: each person inside eats one person-day, as far as stocks go."""
        eaten = np.minimum(self.stock_person_days, people_inside)
        self.stock_person_days = self.stock_person_days - eaten
        self.ration_share = np.divide(
            eaten,
            people_inside,
            out=np.ones_like(self.ration_share),
            where=people_inside > 0,
        )
        short = (self.ration_share < 1.0) & (self.day_ran_out < 0)
        self.day_ran_out[short] = day

    def update_hunger(self) -> None:
        """One hour: hunger moves towards its level for today's ration (``hunger_on_full_rations``
        on a full ration, 1 on none, linear in between) by a fixed share of the gap."""
        p = self.params
        level = p.hunger_on_full_rations + (1.0 - p.hunger_on_full_rations) * (
            1.0 - self.ration_share
        )
        self.hunger = self.hunger + (level - self.hunger) * self._hourly_share

    @property
    def _hourly_share(self) -> float:
        return -math.expm1(-self.params.hunger_adjustment_per_day / HOURS_PER_DAY)

    def deliver(self, district: int, convoy: ConvoyParams) -> float:
        """A convoy let in: the food of the trucks that unloaded, less what checkpoints took.
        Returns the person-days added."""
        unloaded = (convoy.trucks - convoy.trucks_not_unloaded) / convoy.trucks
        person_days = (
            convoy.people_fed
            * self.params.ration_days_per_person_fed
            * unloaded
            * (1.0 - convoy.share_removed_at_checkpoints)
        )
        self.stock_person_days[district] += person_days
        return person_days
