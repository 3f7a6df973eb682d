"""The root of the parameters, :class:`SimConfig`, and every check across its sections:
the cross-field checks in its ``__post_init__`` (faction keys, crossing and relation names,
the start date) and :func:`check_names` against the map's tables (town, place and faction
names)."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field

from sim.clock import HOURS_PER_DAY
from sim.params.civilians import CivilianParams, ExitParams
from sim.params.core import ConfigError, _require, _unique_names
from sim.params.deals import DealParams
from sim.params.factions import FactionDynamicsParams, FactionParams, RelationParams
from sim.params.geography import GridParams, PopulationParams
from sim.params.government import GovernmentParams
from sim.params.logistics import BusFleetParams, FoodParams, MedevacParams, ReceptionParams
from sim.params.timeline import CrossingParams, TimelineParams


@dataclass(frozen=True)
class SimConfig:
    """Everything one run needs. The root of the Hydra config."""

    scenario_name: str = "ghouta_2018"
    seed: int = 0
    days: int = 55
    start_date: str = "2018-02-18"
    grid: GridParams = field(default_factory=GridParams)
    population: PopulationParams = field(default_factory=PopulationParams)
    civilians: CivilianParams = field(default_factory=CivilianParams)
    exits: ExitParams = field(default_factory=ExitParams)
    food: FoodParams = field(default_factory=FoodParams)
    factions: dict[str, FactionParams] = field(default_factory=dict)
    town_controller_overrides: dict[str, str] = field(default_factory=dict)
    """Town -> faction key, for towns whose towns.csv controller is contested or shared."""
    relations: tuple[RelationParams, ...] = ()
    """Relations between faction keys; pairs not listed are neutral."""
    faction_dynamics: FactionDynamicsParams = field(default_factory=FactionDynamicsParams)
    deals: DealParams = field(default_factory=DealParams)
    bus_fleet: BusFleetParams = field(default_factory=BusFleetParams)
    government: GovernmentParams = field(default_factory=GovernmentParams)
    crossings: tuple[CrossingParams, ...] = ()
    reception: ReceptionParams = field(default_factory=ReceptionParams)
    medevac: MedevacParams = field(default_factory=MedevacParams)
    timeline: TimelineParams = field(default_factory=TimelineParams)
    check_invariants: bool = True
    """Assert population conservation every step (cheap; on by default)."""
    people_per_agent: int = 1
    """Real people each simulated person stands for (the population scale, :mod:`sim.scale`):
    counts of people, fighters, places and rations are divided by it, and outputs multiplied
    back. 1 = full scale; e.g. 10 for the classroom, 20 for fast tests."""

    def __post_init__(self) -> None:
        _require(self.seed >= 0, "seed", f"must be >= 0, got {self.seed}")
        _require(self.days > 0, "days", f"must be > 0, got {self.days}")
        _require(
            self.people_per_agent >= 1,
            "people_per_agent",
            f"must be a whole number >= 1, got {self.people_per_agent}",
        )
        _require(len(self.factions) > 0, "factions", "must name at least one faction")
        _check_date(self.start_date, "start_date")
        key_of_name: dict[str, str] = {}
        for key, faction in self.factions.items():
            if faction.name in key_of_name:
                raise ConfigError(
                    f"factions.{key}.name: duplicate faction name {faction.name!r} (also "
                    f"factions.{key_of_name[faction.name]}.name)"
                )
            key_of_name[faction.name] = key
        _unique_names([c.name for c in self.crossings], "crossings")
        crossing_names = {c.name for c in self.crossings}
        for i, pause in enumerate(self.timeline.pauses):
            for name in pause.crossings:
                _require(
                    name in crossing_names,
                    f"timeline.pauses[{i}].crossings",
                    f"unknown crossing {name!r}; configured: {sorted(crossing_names)}",
                )
        pairs: set[frozenset[str]] = set()
        for i, rel in enumerate(self.relations):
            for side in ("a", "b"):
                key = getattr(rel, side)
                _require(
                    key in self.factions,
                    f"relations[{i}].{side}",
                    f"unknown faction key {key!r}; configured: {sorted(self.factions)}",
                )
            pair = frozenset((rel.a, rel.b))
            _require(pair not in pairs, f"relations[{i}]", f"{rel.a} and {rel.b} listed twice")
            pairs.add(pair)
        for i, holder in enumerate(self.deals.destination_held_by):
            _require(
                holder in self.factions,
                f"deals.destination_held_by[{i}]",
                f"unknown faction key {holder!r}; configured: {sorted(self.factions)}",
            )
        for town, faction in self.town_controller_overrides.items():
            _require(
                faction in self.factions,
                f"town_controller_overrides.{town}",
                f"unknown faction key {faction!r}; configured: {sorted(self.factions)}",
            )

    @property
    def n_steps(self) -> int:
        """Hourly steps in the run."""
        return self.days * HOURS_PER_DAY


def _check_date(text: str, name: str) -> None:
    """A calendar date written YYYY-MM-DD."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError as err:
        raise ConfigError(f"{name}: not a date YYYY-MM-DD, got {text!r} ({err})") from None
    _require(len(text) == 10, name, f"write the date as YYYY-MM-DD, got {text!r}")


def check_names(
    config: SimConfig,
    towns: Collection[str],
    places: Collection[str],
    factions: Collection[str],
) -> None:
    """Refuse town, place and faction names that the map's tables do not know."""

    def known(name: str, allowed: Collection[str], where: str, what: str) -> None:
        _require(name in allowed, where, f"unknown {what} {name!r}; known: {sorted(allowed)}")

    for key, faction in config.factions.items():
        known(faction.name, factions, f"factions.{key}.name", "faction")
    for town in config.town_controller_overrides:
        known(town, towns, f"town_controller_overrides.{town}", "town")
    for town in config.population.town_population_estimates:
        known(town, towns, f"population.town_population_estimates.{town}", "town")
    for i, group in enumerate(config.government.assault_groups):
        known(
            group.start,
            {*towns, *places},
            f"government.assault_groups[{i}].start",
            "town or place",
        )
        for town in group.objectives:
            known(town, towns, f"government.assault_groups[{i}].objectives", "town")
    for i, crossing in enumerate(config.crossings):
        known(crossing.place, {*places, *towns}, f"crossings[{i}].place", "place or town")
    for town in config.food.initial_stock_days_by_district:
        known(town, towns, f"food.initial_stock_days_by_district.{town}", "town")
    for i, site in enumerate(config.reception.sites):
        known(site.place, {*places, *towns}, f"reception.sites[{i}].place", "place or town")
    for i, convoy in enumerate(config.timeline.convoys):
        known(convoy.town, towns, f"timeline.convoys[{i}].town", "town")
