"""Validated, immutable model parameters.

Every parameter of a run lives in one tree of frozen dataclasses rooted at
:class:`SimConfig`. Each class checks its own fields in ``__post_init__`` and raises
:class:`ConfigError` naming the field, so a bad value is refused before the run.
:func:`build` turns a plain nested mapping (what Hydra/OmegaConf produces) into the tree,
refusing unknown or missing keys by their dotted path. Checks against the data (town,
faction and place names) are in :func:`check_names`, which needs the tables.

This module never imports Hydra: ``configs/schema.py`` derives the Hydra schema from it.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A parameter is invalid; the message starts with the field's dotted path."""


def _require(ok: bool, name: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"{name}: {message}")


def _positive(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        _require(math.isfinite(value) and value > 0, name, f"must be > 0, got {value!r}")


def _non_negative(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        _require(math.isfinite(value) and value >= 0, name, f"must be >= 0, got {value!r}")


def _non_negative_values(mapping: Mapping[str, float], name: str) -> None:
    """Every value of a key -> number mapping is finite and >= 0 (error names the key)."""
    for key, value in mapping.items():
        ok = math.isfinite(value) and value >= 0
        _require(ok, f"{name}.{key}", f"must be >= 0, got {value!r}")


def _probability(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        _require(0.0 <= value <= 1.0, name, f"must be a probability in [0, 1], got {value!r}")


@dataclass(frozen=True)
class GridParams:
    """How the enclave and its surroundings are rasterised."""

    cell_size_m: float = 100.0
    enclave_radius_m: float = 1200.0
    """A cell belongs to the enclave when its centre is this close to an enclave town."""
    enclave_closing_radius_m: float = 600.0
    """Gaps narrower than about twice this between towns' areas are closed (farmland)."""
    margin_m: float = 2000.0
    """Government-held land kept around the enclave's bounding box."""
    urban_radius_m_per_sqrt_person: float = 3.5
    """A town's built-up radius grows with the square root of its population."""
    urban_radius_min_m: float = 300.0
    government_base_radius_m: float = 500.0
    """Radius of the government-held base inside the enclave (places.csv)."""

    def __post_init__(self) -> None:
        _positive(self, "cell_size_m", "enclave_radius_m", "urban_radius_m_per_sqrt_person")
        _non_negative(
            self,
            "margin_m",
            "urban_radius_min_m",
            "government_base_radius_m",
            "enclave_closing_radius_m",
        )
        _require(
            self.enclave_radius_m >= self.cell_size_m,
            "enclave_radius_m",
            "must be at least one cell_size_m",
        )


@dataclass(frozen=True)
class PopulationParams:
    """How many people live where, and in which households."""

    total_people: int = 393_000
    """Enclave population, Dec 2017 (OCHA, populations.csv)."""
    town_population_estimates: dict[str, int] = field(default_factory=dict)
    """2004-equivalent populations for towns without a census figure (an assumption)."""
    urban_density_ratio: float = 8.0
    """People per urban cell relative to people per farmland cell of the same town."""
    mean_household_size: float = 5.2
    """People per family (Unified Relief Office, populations.csv)."""

    def __post_init__(self) -> None:
        _positive(self, "total_people", "urban_density_ratio")
        _require(
            self.mean_household_size >= 1.0,
            "mean_household_size",
            f"must be >= 1, got {self.mean_household_size!r}",
        )
        _non_negative_values(self.town_population_estimates, "town_population_estimates")


@dataclass(frozen=True)
class CivilianParams:
    """Perception and decision rules of civilians (model assumptions, see docs/ODD.md)."""

    initial_fear: float = 0.0
    fear_half_life_hours: float = 72.0
    fear_per_strike_in_cell: float = 1.0
    fear_per_strike_per_km2_in_district: float = 0.5
    fear_sensitivity_sigma: float = 0.5
    """Log-normal spread of how strongly individuals react to harm (median 1)."""
    shelter_fear_threshold: float = 0.5
    """Household mean fear above which an at-home household seeks a basement."""
    shelter_hazard_per_hour: float = 0.5
    return_home_fear_threshold: float = 0.2
    return_home_hazard_per_hour: float = 0.05
    leave_hazard_per_hour: float = 0.006
    """Hazard that a maximally afraid, fed, uncoerced household sets out for an open crossing."""
    fear_half_saturation: float = 2.0
    """Fear at which the fear factor of leaving reaches one half."""
    hunger_weight: float = 1.0
    """Leaving hazard is multiplied by (1 + hunger_weight * hunger of the home district)."""
    walking_speed_m_per_hour: float = 2000.0

    def __post_init__(self) -> None:
        _positive(
            self,
            "fear_half_life_hours",
            "fear_half_saturation",
            "walking_speed_m_per_hour",
        )
        _non_negative(
            self,
            "initial_fear",
            "fear_per_strike_in_cell",
            "fear_per_strike_per_km2_in_district",
            "fear_sensitivity_sigma",
            "shelter_fear_threshold",
            "shelter_hazard_per_hour",
            "return_home_fear_threshold",
            "return_home_hazard_per_hour",
            "leave_hazard_per_hour",
            "hunger_weight",
        )
        _require(
            self.return_home_fear_threshold <= self.shelter_fear_threshold,
            "return_home_fear_threshold",
            "must not exceed shelter_fear_threshold",
        )


@dataclass(frozen=True)
class FoodParams:
    """Food stocks per district, rations and hunger (model assumptions, see docs/ODD.md 7.9)."""

    initial_stock_days: float = 30.0
    """Days of full rations in each district's stocks at the start, per resident."""
    initial_stock_days_by_district: dict[str, float] = field(default_factory=dict)
    """Town (district) -> days, replacing ``initial_stock_days`` there."""
    ration_days_per_person_fed: float = 30.0
    """Days of rations a convoy brings for each person it is reported to feed."""
    initial_hunger: float = 0.3
    hunger_on_full_rations: float = 0.3
    """Level hunger settles at on full (siege) rations; on none it is 1, linear in between."""
    hunger_adjustment_per_day: float = 0.1
    """Rate at which hunger closes the gap to its level: 1 - exp(-rate x days) of it."""
    convoys_denied: bool = False
    """No convoy of the timeline is let in (each is logged as denied)."""

    def __post_init__(self) -> None:
        _non_negative(
            self,
            "initial_stock_days",
            "ration_days_per_person_fed",
            "hunger_adjustment_per_day",
        )
        _probability(self, "initial_hunger", "hunger_on_full_rations")
        _non_negative_values(self.initial_stock_days_by_district, "initial_stock_days_by_district")


@dataclass(frozen=True)
class MedevacWindowParams:
    """Days on which medical evacuations were agreed, and how many patients a day."""

    start_day: int
    end_day: int
    """First day after the window (exclusive)."""
    patients_per_day: int
    hour: int = 10

    def __post_init__(self) -> None:
        _require(self.start_day >= 0, "start_day", "must be >= 0")
        _require(self.end_day > self.start_day, "end_day", "must be after start_day")
        _require(self.patients_per_day >= 0, "patients_per_day", "must be >= 0")
        _require(0 <= self.hour < 24, "hour", "must be in 0..23")


@dataclass(frozen=True)
class MedevacParams:
    """The medical evacuation list (model assumptions, see docs/ODD.md 7.17)."""

    initial_patients: int = 0
    """Critically ill people waiting for evacuation at the start."""
    critically_wounded_per_death: float = 0.0
    """Critically wounded survivors joining the list per civilian killed by shelling."""
    death_rate_per_day: float = 0.0
    """Daily hazard of dying while on the list."""
    windows: tuple[MedevacWindowParams, ...] = ()

    def __post_init__(self) -> None:
        _require(self.initial_patients >= 0, "initial_patients", "must be >= 0")
        _non_negative(self, "critically_wounded_per_death", "death_rate_per_day")


@dataclass(frozen=True)
class FactionParams:
    """One rebel faction, keyed in config by a short identifier (``jaish_al_islam``).

    ``name`` and ``fighters`` come from factions.csv; the rest are assumptions.
    """

    name: str
    fighters: int
    cohesion: float
    """0-1: how well the faction holds together; scales its defence, slows desertion."""
    morale_initial: float = 0.8
    civilian_exit_coercion: float = 0.0
    """0-1: share of civilians' leaving hazard the faction suppresses in its cells."""
    excluded_from_ceasefire: bool = False
    """Never offered terms (UNSC 2401 excludes HTS); its presence in a pocket slows a deal."""

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _require(self.fighters >= 0, "fighters", f"must be >= 0, got {self.fighters}")
        _probability(self, "cohesion", "morale_initial", "civilian_exit_coercion")


@dataclass(frozen=True)
class FactionDynamicsParams:
    """How fighting changes factions (shared by all factions)."""

    fighters_lost_per_cell_captured: float = 0.2
    desertion_per_day_at_zero_cohesion: float = 0.01
    """Daily share of fighters deserting when cohesion and morale are both 0."""
    morale_loss_per_percent_territory_lost: float = 0.005
    isolation_morale_loss_per_day: float = 0.05
    """Daily morale loss of a faction whose isolation is 1 (scaled by its isolation)."""
    surrender_morale_threshold: float = 0.3
    """After the enclave splits, a faction whose morale is below this surrenders its cells."""
    min_pocket_cells: int = 25
    """Rebel-held fragments smaller than this fall with the capture that cut them off."""
    cohesion_loss_per_percent_territory_lost: float = 0.004
    isolation_cohesion_loss_per_day: float = 0.02
    """Daily cohesion loss of a faction whose isolation is 1 (scaled by its isolation)."""
    blame_multiplier: float = 1.0
    """Territory-loss cohesion losses are multiplied by (1 + this) while a hostile faction
    borders the loser and blames it."""
    cohesion_recovery_per_day: float = 0.01
    """Cohesion regained per day of holding every cell while the offensive is on."""
    reinforcement_share: float = 0.5
    """Share of an allied neighbour's front-line defence that joins a faction's defence."""
    infighting_rate_per_day: float = 0.05
    """Daily chance of a clash between two hostile factions sharing a border, at full morale."""
    infighting_pressure_weight: float = 2.0
    """The clash rate is multiplied by 1 + this x (morale lost by the two, 0-2)."""
    infighting_fighters_killed_mean: float = 15.0
    """Mean fighters killed on each side per clash (Poisson)."""
    infighting_civilians_killed_mean: float = 1.0
    """Mean civilians killed per clash on the border cells (Poisson)."""
    infighting_cohesion_loss: float = 0.05

    def __post_init__(self) -> None:
        _non_negative(
            self,
            "fighters_lost_per_cell_captured",
            "morale_loss_per_percent_territory_lost",
            "isolation_morale_loss_per_day",
            "cohesion_loss_per_percent_territory_lost",
            "isolation_cohesion_loss_per_day",
            "blame_multiplier",
            "cohesion_recovery_per_day",
            "infighting_rate_per_day",
            "infighting_pressure_weight",
            "infighting_fighters_killed_mean",
            "infighting_civilians_killed_mean",
        )
        _probability(self, "reinforcement_share", "infighting_cohesion_loss")
        _probability(self, "desertion_per_day_at_zero_cohesion", "surrender_morale_threshold")
        _require(self.min_pocket_cells >= 0, "min_pocket_cells", "must be >= 0")


@dataclass(frozen=True)
class DealParams:
    """Negotiation and evacuation deals (model assumptions, see docs/ODD.md 7.13-7.15)."""

    talks_max_pocket_share: float = 0.5
    """A faction is offered terms only once the largest pocket holding its ground has at most
    this share of the enclave's initial cells (it is cut off or hemmed in)..."""
    negotiation_morale_threshold: float = 0.5
    """...and its morale has fallen below this..."""
    negotiation_cohesion_threshold: float = 0.35
    """...or its cohesion falls below this."""
    acceptance_rate_per_day: float = 1.0
    """Daily hazard of accepting terms for a faction with no resolve (cohesion x morale = 0)."""
    excluded_presence_acceptance_multiplier: float = 0.3
    """Acceptance hazard multiplier while a faction excluded from ceasefires shares the pocket
    (0 blocks every such deal)."""
    talks_max_days: float = 4.0
    """Talks not accepted within this many days end in refusal: the faction fights on."""
    talks_retry_days: float = 3.0
    """Days after a refusal before terms are offered again."""
    talks_assault_multiplier: float = 0.5
    """Ground pressure on a faction's cells during talks, relative to full assault."""
    first_bus_delay_hours: int = 24
    """Hours from agreement to the first buses."""
    fighter_households_per_fighter: float = 0.7
    """Fighters' families: households per fighter, drawn among households on the faction's
    cells at the start (capped at all of them)."""
    bus_logit: float = -3.0
    """Deal choice (stay = 0): utility of boarding the buses north."""
    bus_affiliation_logit: float = 5.0
    """Added to the bus utility of a fighter's family."""
    shelter_logit: float = -1.0
    """Utility of going to government shelters through the ceasefire lines."""
    fear_logit: float = 2.0
    """Added to both leaving options, times the household's fear factor F / (F + half-sat.)."""

    def __post_init__(self) -> None:
        _probability(
            self,
            "talks_max_pocket_share",
            "negotiation_morale_threshold",
            "negotiation_cohesion_threshold",
            "excluded_presence_acceptance_multiplier",
            "talks_assault_multiplier",
        )
        _non_negative(
            self,
            "acceptance_rate_per_day",
            "talks_retry_days",
            "fighter_households_per_fighter",
        )
        _positive(self, "talks_max_days")
        _require(self.first_bus_delay_hours >= 0, "first_bus_delay_hours", "must be >= 0")
        for name in ("bus_logit", "bus_affiliation_logit", "shelter_logit", "fear_logit"):
            value = getattr(self, name)
            _require(math.isfinite(value), name, f"must be a finite number, got {value!r}")


@dataclass(frozen=True)
class BusFleetParams:
    """The buses that carry deals' evacuees north, shared by all deals (first come first served)."""

    buses: int = 100
    seats_per_bus: int = 50
    round_trip_hours: int = 24
    """Hours from a bus's departure until it is back at the pick-up point."""
    loading_hours: int = 0
    """Hours a bus spends at the pick-up point being loaded before it can leave."""

    def __post_init__(self) -> None:
        for name in ("buses", "seats_per_bus", "round_trip_hours"):
            value = getattr(self, name)
            _require(value >= 1, name, f"must be >= 1, got {value}")
        hours = self.loading_hours
        _require(hours >= 0, "loading_hours", f"must be >= 0, got {hours}")


@dataclass(frozen=True)
class ShelterSiteParams:
    """A collective shelter in government areas receiving people who left the enclave."""

    name: str
    place: str
    """A row of places.csv or towns.csv giving the location."""
    capacity: int
    """People the site was built or planned for; more can be (and were) put in it."""

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _require(self.capacity >= 1, "capacity", f"must be >= 1, got {self.capacity}")


@dataclass(frozen=True)
class ReceptionParams:
    """What happens after a crossing or a deal corridor: screening, then collective shelters.

    With no ``sites`` screened people go straight to hosts in government areas.
    """

    screening_hours: int = 0
    """Hours everyone is held for security screening after crossing, before the shelters."""
    detained_share: float = 0.0
    """Share of people held beyond screening (drawn at random: people have no sex or age)."""
    detention_hours: int = 0
    """Extra hours those detained are held before the sites."""
    sponsored_release_share_per_day: float = 0.0
    """Daily chance that a sheltered household is sponsored out by relatives (leaves the site)."""
    sites: tuple[ShelterSiteParams, ...] = ()
    capacity_scale: float = 1.0
    """Multiplies every site's capacity (at least 1 place each): one knob for sweeps."""

    def __post_init__(self) -> None:
        _require(self.screening_hours >= 0, "screening_hours", "must be >= 0")
        _require(self.detention_hours >= 0, "detention_hours", "must be >= 0")
        _probability(self, "detained_share")
        _positive(self, "capacity_scale")
        _probability(self, "sponsored_release_share_per_day")
        _unique_names([s.name for s in self.sites], "sites")


RELATIONS = ("allied", "neutral", "hostile")


@dataclass(frozen=True)
class RelationParams:
    """How two factions treat each other (rivalries.csv). Pairs not listed are neutral."""

    a: str
    b: str
    relation: str
    """allied: reinforce each other's fronts; neutral: neither help nor fight; hostile:
    refuse to reinforce, blame each other for losses and may clash."""

    def __post_init__(self) -> None:
        _require(
            self.a != self.b, "b", f"a faction cannot have a relation with itself ({self.a!r})"
        )
        _require(
            self.relation in RELATIONS,
            "relation",
            f"must be one of {RELATIONS}, got {self.relation!r}",
        )


@dataclass(frozen=True)
class ShellingUnitParams:
    """An air or artillery unit of the government: strikes spread over rebel-held cells."""

    name: str
    strikes_per_day: float

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _non_negative(self, "strikes_per_day")


@dataclass(frozen=True)
class AssaultGroupParams:
    """A government ground unit advancing from outside the enclave."""

    name: str
    fighters: int
    start: str
    """A town or place; the unit starts on the government-held cell nearest it."""
    objectives: tuple[str, ...] = ()
    """Towns to take in order; afterwards the nearest rebel-held town."""

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _require(self.fighters >= 0, "fighters", f"must be >= 0, got {self.fighters}")


@dataclass(frozen=True)
class GovernmentParams:
    """Shelling and ground advance."""

    shelling_units: tuple[ShellingUnitParams, ...] = ()
    assault_groups: tuple[AssaultGroupParams, ...] = ()
    lethality_per_strike: float = 0.01
    """Probability that one strike kills a given person in the struck cell (not sheltering)."""
    shelter_protection: float = 0.8
    """Share of lethality a basement removes."""
    front_weight: float = 4.0
    """Extra targeting weight of cells on the front line."""
    density_weight: float = 4.0
    """Extra targeting weight of the most densely populated cells."""
    pause_shelling_multiplier: float = 0.3
    """Shelling during a humanitarian pause relative to outside it."""
    capture_rate_per_hour: float = 0.005
    """Hazard scale of capturing a front cell at attack/defence ratio 1."""
    reach_m: float = 800.0
    """Front cells within this distance of an assault group feel its pressure."""
    urban_defence_multiplier: float = 3.0
    """Defence of urban cells relative to farmland."""
    front_holding_fighters: int = 0
    """Troops holding the ring (in no assault group), spread evenly over every front cell
    open to attack: the base pressure on the whole front. Constant (no losses)."""
    group_losses_per_defender_per_day: float = 0.15
    """Fighters an assault group loses per day for each effective defender it attacks
    (defence of the front cells in its reach, urban multiplier included, times its share of
    the attack on each and the cell's pressure)."""
    regroup_strength_share: float = 0.6
    """An assault group below this share of its initial fighters stops attacking and
    regroups (0: never)."""
    regroup_days: float = 5.0
    """Days a group regroups; then reinforcements bring it back to its initial fighters."""
    capture_civilian_lethality: float = 0.002
    """Probability that a person inside the enclave on a cell taken by assault is killed."""

    def __post_init__(self) -> None:
        _probability(self, "lethality_per_strike", "shelter_protection")
        _probability(self, "regroup_strength_share", "capture_civilian_lethality")
        _non_negative(
            self,
            "front_weight",
            "density_weight",
            "pause_shelling_multiplier",
            "capture_rate_per_hour",
            "group_losses_per_defender_per_day",
            "regroup_days",
        )
        _require(
            self.front_holding_fighters >= 0,
            "front_holding_fighters",
            f"must be >= 0, got {self.front_holding_fighters}",
        )
        _positive(self, "reach_m", "urban_defence_multiplier")
        _unique_names([u.name for u in self.shelling_units], "shelling_units")
        _unique_names([g.name for g in self.assault_groups], "assault_groups")


@dataclass(frozen=True)
class WindowParams:
    """Hours of every day from ``start_day`` to before ``end_day`` when something is open."""

    start_day: int
    end_day: int
    open_hour: int = 0
    close_hour: int = 24

    def __post_init__(self) -> None:
        _require(self.start_day >= 0, "start_day", "must be >= 0")
        _require(self.end_day > self.start_day, "end_day", "must be after start_day")
        _require(0 <= self.open_hour < 24, "open_hour", "must be in 0..23")
        _require(self.open_hour < self.close_hour <= 24, "close_hour", "must be in open_hour+1..24")


@dataclass(frozen=True)
class CrossingParams:
    """A corridor crossing from the enclave into government areas."""

    name: str
    place: str
    """A row of places.csv or towns.csv giving the location."""
    throughput_per_hour: int = 800
    access_radius_m: float = 1000.0
    """Rebel-held cells this close to the crossing are its entry (queue) cells."""
    closure_probability_per_day: float = 0.0
    """Chance that the crossing stays shut for a whole day (shelled, or closed by a side)."""
    windows: tuple[WindowParams, ...] = ()
    """Opening hours of the crossing's own, besides the humanitarian pauses that name it."""

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _probability(self, "closure_probability_per_day")
        _require(
            self.throughput_per_hour >= 0,
            "throughput_per_hour",
            f"must be >= 0, got {self.throughput_per_hour}",
        )
        _positive(self, "access_radius_m")


@dataclass(frozen=True)
class PauseParams:
    """A daily humanitarian pause: crossings open and shelling eases between the hours."""

    start_day: int
    end_day: int
    """First day after the pause series (exclusive)."""
    crossings: tuple[str, ...]
    open_hour: int = 9
    close_hour: int = 14

    def __post_init__(self) -> None:
        _require(self.start_day >= 0, "start_day", "must be >= 0")
        _require(self.end_day > self.start_day, "end_day", "must be after start_day")
        _require(0 <= self.open_hour < 24, "open_hour", "must be in 0..23")
        _require(self.open_hour < self.close_hour <= 24, "close_hour", "must be in open_hour+1..24")
        _require(len(self.crossings) > 0, "crossings", "must name at least one crossing")


@dataclass(frozen=True)
class ConvoyParams:
    """An aid convoy (timeline.csv): food for one town's district."""

    day: int
    town: str
    trucks: int
    people_fed: int
    """People the convoy's food was reported to be for (``food.ration_days_per_person_fed``
    days each)."""
    hour: int = 10
    trucks_not_unloaded: int = 0
    """Trucks that could not unload and took their food back."""
    share_removed_at_checkpoints: float = 0.0
    """Share of the food cargo removed at checkpoints on the way in."""

    def __post_init__(self) -> None:
        _require(self.day >= 0, "day", "must be >= 0")
        _require(0 <= self.hour < 24, "hour", "must be in 0..23")
        _require(self.trucks >= 1, "trucks", f"must be >= 1, got {self.trucks}")
        _require(self.people_fed >= 0, "people_fed", "must be >= 0")
        _require(
            0 <= self.trucks_not_unloaded <= self.trucks,
            "trucks_not_unloaded",
            f"must be in 0..trucks ({self.trucks}), got {self.trucks_not_unloaded}",
        )
        _probability(self, "share_removed_at_checkpoints")


@dataclass(frozen=True)
class NoteParams:
    """A dated event that is recorded but changes nothing in the model."""

    day: int
    kind: str
    detail: str = ""

    def __post_init__(self) -> None:
        _require(self.day >= 0, "day", "must be >= 0")
        _require(bool(self.kind), "kind", "must not be empty")


@dataclass(frozen=True)
class TimelineParams:
    """Exogenous events of the scenario (timeline.csv); day 0 is 2018-02-18."""

    bombardment_start_day: int = 0
    ground_offensive_start_day: int = 7
    pauses: tuple[PauseParams, ...] = ()
    convoys: tuple[ConvoyParams, ...] = ()
    notes: tuple[NoteParams, ...] = ()

    def __post_init__(self) -> None:
        _require(self.bombardment_start_day >= 0, "bombardment_start_day", "must be >= 0")
        _require(self.ground_offensive_start_day >= 0, "ground_offensive_start_day", "must be >= 0")


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

    def __post_init__(self) -> None:
        _require(self.seed >= 0, "seed", f"must be >= 0, got {self.seed}")
        _require(self.days > 0, "days", f"must be > 0, got {self.days}")
        _require(len(self.factions) > 0, "factions", "must name at least one faction")
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
        for town, faction in self.town_controller_overrides.items():
            _require(
                faction in self.factions,
                f"town_controller_overrides.{town}",
                f"unknown faction key {faction!r}; configured: {sorted(self.factions)}",
            )

    @property
    def n_steps(self) -> int:
        """Hourly steps in the run."""
        return self.days * 24


def _unique_names(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for name in names:
        _require(name not in seen, where, f"duplicate name {name!r}")
        seen.add(name)


def build(cls: type, data: Any, path: str = "") -> Any:
    """Build dataclass ``cls`` from nested mappings/lists, strictly.

    Unknown keys, missing required keys and wrongly typed values raise :class:`ConfigError`
    naming the dotted path; validation errors from ``__post_init__`` are re-raised with the
    path prefixed.
    """
    return _convert(cls, data, path)


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    where = path or "<root>"
    if dataclasses.is_dataclass(tp):
        return _build_dataclass(tp, value, path)
    if origin is tuple:
        _require(isinstance(value, list | tuple), where, f"expected a list, got {value!r}")
        return tuple(_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        _require(isinstance(value, Mapping), where, f"expected a mapping, got {value!r}")
        return {
            _convert(args[0], k, f"{path}.<key>"): _convert(args[1], v, f"{path}.{k}")
            for k, v in value.items()
        }
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"unsupported annotation {tp!r} at {where}")
    if tp is bool:
        _require(isinstance(value, bool), where, f"expected true/false, got {value!r}")
        return value
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        _require(ok, where, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        _require(ok, where, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        _require(isinstance(value, str), where, f"expected a string, got {value!r}")
        return value
    raise TypeError(f"unsupported annotation {tp!r} at {where}")


def _build_dataclass(cls: type, value: Any, path: str) -> Any:
    where = path or "<root>"
    _require(isinstance(value, Mapping), where, f"expected a mapping, got {value!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    prefix = f"{path}." if path else ""
    unknown = sorted(set(value) - set(fields))
    _require(not unknown, f"{prefix}{unknown[0]}" if unknown else where, "unknown key")
    kwargs = {}
    for name, f in fields.items():
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], f"{prefix}{name}")
        else:
            has_default = (
                f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            )
            _require(has_default, f"{prefix}{name}", "missing required key")
    try:
        return cls(**kwargs)
    except ConfigError as err:
        if path and not str(err).startswith(prefix):
            raise ConfigError(f"{prefix}{err}") from None
        raise


def to_dict(obj: Any) -> Any:
    """The inverse of :func:`build`: plain dicts and lists, for YAML/JSON output."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_dict(v) for v in obj]
    return obj


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
