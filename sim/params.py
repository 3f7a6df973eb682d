"""Validated, immutable model parameters.

Every parameter of a run lives in one tree of frozen dataclasses rooted at
:class:`SimConfig`. Each class checks its own fields in ``__post_init__`` and raises
:class:`ConfigError` naming the field, so a bad value is refused before the run.
:func:`build` turns a plain nested mapping (what Hydra/OmegaConf produces) into the tree,
refusing unknown or missing keys by their dotted path. Checks against the data (town,
faction and place names) are in :func:`check_names`, which needs the tables. The main fields
are declared with :func:`declared` (unit, plausible bounds, meaning) where they are defined;
``sim.declared`` reads the declarations of a concrete config.

This module never imports Hydra: ``configs/schema.py`` derives the Hydra schema from it.
"""

from __future__ import annotations

import dataclasses
import datetime
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


DECLARATION = "declaration"
"""Key of a field's :class:`Declaration` in its ``dataclasses.field`` metadata."""


@dataclass(frozen=True)
class Declaration:
    """What a main parameter means, its unit, and the range it plausibly takes.

    The bounds are for sweeps, calibration, sensitivity studies and sliders; the validity
    checks in ``__post_init__`` are separate (and wider). Whether values are integers follows
    from the field's type. ``sim.declared`` walks a config for these.
    """

    unit: str
    low: float
    high: float
    meaning: str

    def __post_init__(self) -> None:
        if not (self.unit and self.meaning):
            raise ValueError(f"a declaration needs a unit and a meaning, got {self!r}")
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"a declaration needs finite bounds low < high, got {self!r}")


def declared(
    default: Any = dataclasses.MISSING, *, unit: str, low: float, high: float, meaning: str
) -> Any:
    """A dataclass field carrying a :class:`Declaration`; no ``default``: a required field."""
    return field(default=default, metadata={DECLARATION: Declaration(unit, low, high, meaning)})


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
    fear_half_life_hours: float = declared(
        72.0, unit="hours", low=12.0, high=336.0, meaning="Half-life of fear with no new harm."
    )
    fear_per_strike_in_cell: float = declared(
        1.0, unit="fear per strike", low=0.25, high=4.0, meaning="Fear a strike adds in its cell."
    )
    fear_per_strike_per_km2_in_district: float = declared(
        0.5,
        unit="fear per (strike/km2)",
        low=0.1,
        high=2.0,
        meaning="Fear added district-wide per strike per km2 of the district.",
    )
    fear_sensitivity_sigma: float = declared(
        0.5,
        unit="log-normal sigma",
        low=0.0,
        high=1.5,
        meaning="Spread of how strongly individuals react to harm (median 1).",
    )
    shelter_fear_threshold: float = declared(
        0.5,
        unit="fear",
        low=0.2,
        high=2.0,
        meaning="Household mean fear above which an at-home household seeks a basement.",
    )
    shelter_hazard_per_hour: float = declared(
        0.5,
        unit="1/hour",
        low=0.05,
        high=2.0,
        meaning="Hazard that a household above the shelter threshold goes to a basement.",
    )
    return_home_fear_threshold: float = declared(
        0.2,
        unit="fear",
        low=0.0,
        high=0.2,
        meaning="Household mean fear below which a sheltering household may go home.",
    )
    return_home_hazard_per_hour: float = declared(
        0.05,
        unit="1/hour",
        low=0.005,
        high=0.5,
        meaning="Hazard that a household below the return threshold goes home.",
    )
    leave_hazard_per_hour: float = declared(
        0.006,
        unit="1/hour",
        low=0.0005,
        high=0.05,
        meaning="Hazard that a maximally afraid, fed, uncoerced household sets out for an "
        "open crossing.",
    )
    fear_half_saturation: float = declared(
        2.0,
        unit="fear",
        low=0.5,
        high=8.0,
        meaning="Fear at which the fear factor of leaving reaches one half.",
    )
    hunger_weight: float = declared(
        1.0,
        unit="multiplier",
        low=0.0,
        high=4.0,
        meaning="Leaving hazard is multiplied by (1 + this x hunger of the home district).",
    )
    walking_speed_m_per_hour: float = declared(
        2000.0, unit="m/hour", low=1000.0, high=5000.0, meaning="Walking speed to a crossing."
    )

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
class ExitParams:
    """What holds households back from leaving and what draws them out (docs/ODD.md 7.6c),
    and walk-outs across the front line (7.6d). Python defaults switch every mechanism off."""

    screening_distrust: float = declared(
        0.0,
        unit="share 0-1",
        low=0.0,
        high=0.9,
        meaning="Share of the leaving hazard removed by distrust of government screening "
        "(arrest, conscription of men of fighting age).",
    )
    screening_distrust_fighter_family: float = declared(
        0.0,
        unit="share 0-1",
        low=0.0,
        high=1.0,
        meaning="The same for fighters' families, who have most to fear from screening.",
    )
    word_floor: float = declared(
        1.0,
        unit="multiplier",
        low=0.01,
        high=1.0,
        meaning="Leaving hazard multiplier before anyone has got out safely (1: nobody waits "
        "for news of safe passage).",
    )
    word_half_saturation_share: float = declared(
        0.01,
        unit="share of people",
        low=0.001,
        high=0.1,
        meaning="Share of the initial population recently out safely at which the news has "
        "lifted the multiplier half way from word_floor to 1.",
    )
    word_half_life_days: float = declared(
        3.0,
        unit="days",
        low=0.5,
        high=14.0,
        meaning="Half-life of the news of safe passage.",
    )
    route_danger_per_strike: float = declared(
        0.0,
        unit="1/strike",
        low=0.0,
        high=1.0,
        meaning="A crossing's leaving hazard is divided by 1 + this x remembered strikes on the "
        "rebel-held cells of its access area.",
    )
    route_danger_half_life_hours: float = declared(
        24.0,
        unit="hours",
        low=6.0,
        high=96.0,
        meaning="Half-life of the memory of strikes near a crossing.",
    )
    restraint_erosion_exponent: float = declared(
        1.0,
        unit="exponent",
        low=1.0,
        high=4.0,
        meaning="How long a faction's hold lasts as it weakens: restraint = coercion x (1 - (1 - "
        "strength)^k), strength = cohesion, morale and ground relative to the start multiplied; "
        "1 = in proportion, higher = held until the faction is badly weakened.",
    )
    walkout_hazard_per_hour: float = declared(
        0.0,
        unit="1/hour",
        low=0.0,
        high=0.05,
        meaning="Hazard that a maximally afraid, fed, unrestrained household near an army-held "
        "stretch of front walks out across it.",
    )
    walkout_reach_m: float = declared(
        1000.0,
        unit="m",
        low=200.0,
        high=3000.0,
        meaning="Households this close to such a stretch of front can walk out.",
    )
    walkout_army_reach_m: float = declared(
        1500.0,
        unit="m",
        low=300.0,
        high=3000.0,
        meaning="A front cell is a place to walk out where the army took ground this close to it "
        "in the last walkout_recent_capture_hours.",
    )
    walkout_recent_capture_hours: float = declared(
        48.0,
        unit="hours",
        low=6.0,
        high=168.0,
        meaning="How long after the army takes ground nearby a stretch of front stays a place "
        "to walk out.",
    )
    walkout_throughput_per_hour_per_km: float = declared(
        200.0,
        unit="people/hour/km",
        low=20.0,
        high=2000.0,
        meaning="People who can cross per hour per km of such front, before the holders' "
        "restraint.",
    )
    walkout_death_probability: float = declared(
        0.0,
        unit="probability",
        low=0.0,
        high=0.02,
        meaning="Chance that a person crossing the front is killed on the way (fire, mines).",
    )

    def __post_init__(self) -> None:
        _probability(
            self,
            "screening_distrust",
            "screening_distrust_fighter_family",
            "word_floor",
            "walkout_death_probability",
        )
        _positive(
            self,
            "word_half_saturation_share",
            "word_half_life_days",
            "route_danger_half_life_hours",
            "restraint_erosion_exponent",
            "walkout_reach_m",
            "walkout_army_reach_m",
            "walkout_recent_capture_hours",
        )
        _non_negative(
            self,
            "route_danger_per_strike",
            "walkout_hazard_per_hour",
            "walkout_throughput_per_hour_per_km",
        )


@dataclass(frozen=True)
class FoodParams:
    """Food stocks per district, rations and hunger (model assumptions, see docs/ODD.md 7.9)."""

    initial_stock_days: float = declared(
        30.0,
        unit="days",
        low=0.0,
        high=60.0,
        meaning="Days of full rations in each district's stocks at the start, per resident.",
    )
    initial_stock_days_by_district: dict[str, float] = field(default_factory=dict)
    """Town (district) -> days, replacing ``initial_stock_days`` there."""
    ration_days_per_person_fed: float = declared(
        30.0,
        unit="days",
        low=7.0,
        high=60.0,
        meaning="Days of rations a convoy brings for each person it is reported to feed.",
    )
    initial_hunger: float = declared(
        0.3, unit="share 0-1", low=0.0, high=1.0, meaning="Hunger of every district at the start."
    )
    hunger_on_full_rations: float = declared(
        0.3,
        unit="share 0-1",
        low=0.0,
        high=0.8,
        meaning="Level hunger settles at on full (siege) rations; on none it is 1, linear in "
        "between.",
    )
    hunger_adjustment_per_day: float = declared(
        0.1,
        unit="1/day",
        low=0.02,
        high=0.5,
        meaning="Rate at which hunger closes the gap to its level: 1 - exp(-rate x days) of it.",
    )
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
    """Days on which medical evacuations take place whatever the talks (a counterfactual),
    and how many patients a day."""

    start_day: int
    end_day: int
    """First day after the window (exclusive)."""
    patients_per_day: float = declared(
        unit="patients/day",
        low=0,
        high=200,
        meaning="Patients evacuated each day of the window (if that many are listed); "
        "fractions (at a population scale) carry over to the next window.",
    )
    hour: int = 10

    def __post_init__(self) -> None:
        _require(self.start_day >= 0, "start_day", "must be >= 0")
        _require(self.end_day > self.start_day, "end_day", "must be after start_day")
        _require(self.patients_per_day >= 0, "patients_per_day", "must be >= 0")
        _require(0 <= self.hour < 24, "hour", "must be in 0..23")


@dataclass(frozen=True)
class MedevacParams:
    """The medical evacuation list (model assumptions, see docs/ODD.md 7.17)."""

    initial_patients: int = declared(
        0,
        unit="patients",
        low=0,
        high=3000,
        meaning="Critically ill people waiting for evacuation at the start.",
    )
    critically_wounded_per_death: float = declared(
        0.0,
        unit="patients per death",
        low=0.0,
        high=2.0,
        meaning="Critically wounded survivors joining the list per civilian killed by shelling.",
    )
    death_rate_per_day: float = declared(
        0.0,
        unit="1/day",
        low=0.0,
        high=0.05,
        meaning="Daily hazard of dying while on the medical evacuation list.",
    )
    patients_per_day_under_deal: float = declared(
        0.0,
        unit="patients/day",
        low=0.0,
        high=200.0,
        meaning="Patients on an agreed deal's cells evacuated each day until the deal completes "
        "(fractions at a population scale carry over).",
    )
    hour_under_deal: int = 10
    """Hour of the day at which evacuations under a deal leave."""
    windows: tuple[MedevacWindowParams, ...] = ()
    """Evacuations on fixed dates regardless of any agreement: a counterfactual option
    (empty in ``historical_2018``)."""

    def __post_init__(self) -> None:
        _require(self.initial_patients >= 0, "initial_patients", "must be >= 0")
        _non_negative(self, "critically_wounded_per_death", "death_rate_per_day")
        _require(
            self.patients_per_day_under_deal >= 0, "patients_per_day_under_deal", "must be >= 0"
        )
        _require(0 <= self.hour_under_deal < 24, "hour_under_deal", "must be in 0..23")


@dataclass(frozen=True)
class FactionParams:
    """One rebel faction, keyed in config by a short identifier (``jaish_al_islam``).

    ``name`` and ``fighters`` come from factions.csv; the rest are assumptions.
    """

    name: str
    fighters: int = declared(
        unit="fighters", low=0, high=20000, meaning="Fighters of the faction at the start."
    )
    cohesion: float = declared(
        unit="share 0-1",
        low=0.1,
        high=1.0,
        meaning="How well the faction holds together; scales its defence, slows desertion.",
    )
    morale_initial: float = declared(
        0.8, unit="share 0-1", low=0.2, high=1.0, meaning="Morale of the faction at the start."
    )
    civilian_exit_coercion: float = declared(
        0.0,
        unit="share 0-1",
        low=0.0,
        high=1.0,
        meaning="Share of civilians' leaving hazard the faction suppresses in its cells "
        "(checkpoints) at full strength; erodes with its cohesion, morale and ground.",
    )
    excluded_from_ceasefire: bool = False
    """Never offered terms (UNSC 2401 excludes HTS); its presence in a pocket slows a deal."""

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _require(self.fighters >= 0, "fighters", f"must be >= 0, got {self.fighters}")
        _probability(self, "cohesion", "morale_initial", "civilian_exit_coercion")


@dataclass(frozen=True)
class FactionDynamicsParams:
    """How fighting changes factions (shared by all factions)."""

    fighters_lost_per_cell_captured: float = declared(
        0.2,
        unit="fighters per cell",
        low=0.0,
        high=1.0,
        meaning="Fighters a faction loses per cell captured from it.",
    )
    desertion_per_day_at_zero_cohesion: float = declared(
        0.01,
        unit="1/day",
        low=0.001,
        high=0.05,
        meaning="Daily share of fighters deserting when cohesion and morale are both 0.",
    )
    morale_loss_per_percent_territory_lost: float = declared(
        0.005,
        unit="morale per % of cells",
        low=0.0,
        high=0.02,
        meaning="Morale lost per percent of its initial cells a faction loses.",
    )
    isolation_morale_loss_per_day: float = declared(
        0.05,
        unit="morale/day",
        low=0.0,
        high=0.2,
        meaning="Daily morale loss of a faction whose isolation is 1 (scaled by its isolation).",
    )
    surrender_morale_threshold: float = declared(
        0.3,
        unit="morale",
        low=0.05,
        high=0.6,
        meaning="After the enclave splits, a faction whose morale is below this surrenders "
        "its cells.",
    )
    min_pocket_cells: int = 25
    """Rebel-held fragments smaller than this fall with the capture that cut them off."""
    cohesion_loss_per_percent_territory_lost: float = declared(
        0.004,
        unit="cohesion per % of cells",
        low=0.0,
        high=0.02,
        meaning="Cohesion lost per percent of its initial cells a faction loses.",
    )
    isolation_cohesion_loss_per_day: float = declared(
        0.02,
        unit="cohesion/day",
        low=0.0,
        high=0.1,
        meaning="Daily cohesion loss of a faction whose isolation is 1 (scaled by its isolation).",
    )
    blame_multiplier: float = declared(
        1.0,
        unit="multiplier",
        low=0.0,
        high=3.0,
        meaning="Territory-loss cohesion losses are multiplied by (1 + this) while a hostile "
        "faction borders the loser and blames it.",
    )
    cohesion_recovery_per_day: float = declared(
        0.01,
        unit="cohesion/day",
        low=0.0,
        high=0.05,
        meaning="Cohesion regained per day of holding every cell while the offensive is on.",
    )
    reinforcement_share: float = declared(
        0.5,
        unit="share 0-1",
        low=0.0,
        high=1.0,
        meaning="Share of an allied neighbour's front-line defence that joins a faction's defence.",
    )
    infighting_rate_per_day: float = declared(
        0.05,
        unit="1/day",
        low=0.0,
        high=0.3,
        meaning="Daily chance of a clash between two hostile factions sharing a border, at "
        "full morale.",
    )
    infighting_pressure_weight: float = declared(
        2.0,
        unit="multiplier",
        low=0.0,
        high=5.0,
        meaning="The clash rate is multiplied by 1 + this x (morale lost by the two, 0-2).",
    )
    infighting_fighters_killed_mean: float = declared(
        15.0,
        unit="fighters per clash",
        low=0.0,
        high=50.0,
        meaning="Mean fighters killed on each side per clash (Poisson).",
    )
    infighting_civilians_killed_mean: float = declared(
        1.0,
        unit="people per clash",
        low=0.0,
        high=5.0,
        meaning="Mean civilians killed per clash on the border cells (Poisson).",
    )
    infighting_cohesion_loss: float = declared(
        0.05,
        unit="cohesion per clash",
        low=0.0,
        high=0.2,
        meaning="Cohesion each side loses per clash.",
    )

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

    talks_split_pocket_share: float = declared(
        0.05,
        unit="share 0-1",
        low=0.01,
        high=0.3,
        meaning="The enclave has split (and the mediator opens talks with every faction in it) "
        "once two pockets each hold at least this share of the enclave's initial cells; "
        "smaller fragments cut off do not count.",
    )
    talks_max_pocket_share: float = declared(
        0.5,
        unit="share 0-1",
        low=0.2,
        high=1.0,
        meaning="Before any split, a faction is offered talks once the pocket where most of "
        "its people live has at most this share of the enclave's initial cells (hemmed in) "
        "and its morale or cohesion is below its threshold.",
    )
    negotiation_morale_threshold: float = declared(
        0.5,
        unit="morale",
        low=0.2,
        high=0.8,
        meaning="Morale below which a hemmed-in faction is offered talks before any split.",
    )
    negotiation_cohesion_threshold: float = declared(
        0.35,
        unit="cohesion",
        low=0.1,
        high=0.6,
        meaning="Cohesion below which a hemmed-in faction is offered talks before any split.",
    )
    talks_round_days: float = declared(
        3.0,
        unit="days",
        low=1.0,
        high=10.0,
        meaning="Length of a round of talks through the mediator; it ends in an ultimatum.",
    )
    resolve_cohesion_weight: float = declared(
        0.4,
        unit="weight",
        low=0.0,
        high=1.0,
        meaning="Weight of cohesion in a faction's resolve (weights are normalised by their sum).",
    )
    resolve_fighters_weight: float = declared(
        0.3,
        unit="weight",
        low=0.0,
        high=1.0,
        meaning="Weight of the faction's strength (fighters over resolve_full_strength_fighters, "
        "at most 1) in its resolve.",
    )
    resolve_full_strength_fighters: int = declared(
        8000,
        unit="fighters",
        low=1000,
        high=20000,
        meaning="Fighters at which a faction's strength term of resolve is full: a small "
        "faction (or one worn down) counts as weak, whatever its share of its own start.",
    )
    resolve_food_weight: float = declared(
        0.3,
        unit="weight",
        low=0.0,
        high=1.0,
        meaning="Weight of the food in its pockets (days of stocks per person inside over "
        "resolve_food_reference_days, at most 1) in its resolve.",
    )
    resolve_food_reference_days: float = declared(
        14.0,
        unit="days",
        low=3.0,
        high=60.0,
        meaning="Days of food in hand at which the food term of resolve is full.",
    )
    precedent_resolve_multiplier: float = declared(
        0.85,
        unit="multiplier",
        low=0.5,
        high=1.0,
        meaning="Resolve is multiplied by this for every deal already completed with buses north.",
    )
    ultimatum_even_odds_resolve: float = declared(
        0.5,
        unit="resolve",
        low=0.2,
        high=0.9,
        meaning="Resolve at which an ultimatum is accepted with probability 1/2.",
    )
    ultimatum_resolve_steepness: float = declared(
        10.0,
        unit="1/resolve",
        low=2.0,
        high=30.0,
        meaning="Logistic steepness of acceptance in resolve.",
    )
    excluded_presence_acceptance_multiplier: float = declared(
        0.3,
        unit="multiplier",
        low=0.0,
        high=1.0,
        meaning="Acceptance probability multiplier while a faction excluded from ceasefires "
        "shares the pocket (0 blocks every such deal).",
    )
    destination_held_by: tuple[str, ...] = ()
    """Faction keys of the groups holding the place the buses take people to (none: no
    modelled faction holds it). A faction hostile to one of them accepts less readily."""
    hostile_destination_acceptance_multiplier: float = declared(
        0.3,
        unit="multiplier",
        low=0.0,
        high=1.0,
        meaning="Acceptance probability multiplier for a faction hostile to the one holding the "
        "buses' destination (0 blocks its deals; 1 ignores the destination).",
    )
    talks_assault_multiplier: float = declared(
        0.5,
        unit="multiplier",
        low=0.0,
        high=1.0,
        meaning="Ground pressure on a talking faction's farmland cells, relative to full assault "
        "(its urban cells are not stormed during talks).",
    )
    ultimatum_assault_multiplier: float = declared(
        2.0,
        unit="multiplier",
        low=1.0,
        high=4.0,
        meaning="Ground pressure on every cell of a faction that refused an ultimatum, relative "
        "to full assault, during the renewed assault.",
    )
    renewed_assault_days: float = declared(
        2.0,
        unit="days",
        low=0.5,
        high=7.0,
        meaning="Length of the renewed assault after a refused ultimatum; then another round "
        "begins.",
    )
    first_bus_delay_hours: int = declared(
        24,
        unit="hours",
        low=0,
        high=96,
        meaning="Hours from agreement to the first buses.",
    )
    corridor_throughput_per_hour: float = declared(
        400.0,
        unit="people/hour",
        low=50.0,
        high=2000.0,
        meaning="People choosing government shelters who pass a deal's corridor per open hour "
        "(fractions carry over).",
    )
    corridor_open_hour: int = 7
    corridor_close_hour: int = 17
    """A deal's corridor is open from ``corridor_open_hour`` to before this hour each day."""
    fighter_households_per_fighter: float = declared(
        0.7,
        unit="households per fighter",
        low=0.0,
        high=1.5,
        meaning="Fighters' families, drawn among households on the faction's cells at the start "
        "(capped at all of them).",
    )
    bus_logit: float = declared(
        -3.0,
        unit="logit",
        low=-6.0,
        high=0.0,
        meaning="Deal choice (stay = 0): utility of boarding the buses north.",
    )
    bus_affiliation_logit: float = declared(
        5.0,
        unit="logit",
        low=0.0,
        high=10.0,
        meaning="Added to the bus utility of a fighter's family.",
    )
    shelter_logit: float = declared(
        -1.0,
        unit="logit",
        low=-4.0,
        high=2.0,
        meaning="Deal choice (stay = 0): utility of going to government shelters through the "
        "ceasefire lines.",
    )
    fear_logit: float = declared(
        2.0,
        unit="logit",
        low=0.0,
        high=5.0,
        meaning="Added to both leaving options, times the household's fear factor "
        "F / (F + half-saturation).",
    )

    def __post_init__(self) -> None:
        _probability(
            self,
            "talks_split_pocket_share",
            "talks_max_pocket_share",
            "negotiation_morale_threshold",
            "negotiation_cohesion_threshold",
            "excluded_presence_acceptance_multiplier",
            "hostile_destination_acceptance_multiplier",
            "talks_assault_multiplier",
            "precedent_resolve_multiplier",
            "ultimatum_even_odds_resolve",
        )
        _non_negative(
            self,
            "resolve_cohesion_weight",
            "resolve_fighters_weight",
            "resolve_food_weight",
            "ultimatum_resolve_steepness",
            "ultimatum_assault_multiplier",
            "renewed_assault_days",
            "fighter_households_per_fighter",
        )
        _positive(
            self,
            "talks_round_days",
            "resolve_food_reference_days",
            "resolve_full_strength_fighters",
        )
        weights = (
            self.resolve_cohesion_weight + self.resolve_fighters_weight + self.resolve_food_weight
        )
        _require(weights > 0, "resolve_cohesion_weight", "the three resolve weights sum to 0")
        _require(self.first_bus_delay_hours >= 0, "first_bus_delay_hours", "must be >= 0")
        _require(
            self.corridor_throughput_per_hour >= 0, "corridor_throughput_per_hour", "must be >= 0"
        )
        _require(0 <= self.corridor_open_hour < 24, "corridor_open_hour", "must be in 0..23")
        _require(
            self.corridor_open_hour < self.corridor_close_hour <= 24,
            "corridor_close_hour",
            "must be after corridor_open_hour and at most 24",
        )
        for name in ("bus_logit", "bus_affiliation_logit", "shelter_logit", "fear_logit"):
            value = getattr(self, name)
            _require(math.isfinite(value), name, f"must be a finite number, got {value!r}")


@dataclass(frozen=True)
class BusFleetParams:
    """The buses that carry deals' evacuees north, shared by all deals (first come first served)."""

    buses: int = declared(
        100, unit="buses", low=10, high=500, meaning="Buses shared by all deals' evacuations."
    )
    seats_per_bus: int = declared(
        50, unit="seats", low=20, high=80, meaning="People one bus carries per trip."
    )
    round_trip_hours: int = declared(
        24,
        unit="hours",
        low=12,
        high=72,
        meaning="Hours from a bus's departure until it is back at the pick-up point.",
    )
    loading_hours: int = declared(
        0,
        unit="hours",
        low=0,
        high=8,
        meaning="Hours a bus spends at the pick-up point being loaded before it can leave.",
    )

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

    screening_hours: int = declared(
        0,
        unit="hours",
        low=0,
        high=72,
        meaning="Hours everyone is held for security screening after crossing, before the "
        "shelters.",
    )
    detained_share: float = declared(
        0.0,
        unit="share 0-1",
        low=0.0,
        high=0.3,
        meaning="Share of people held beyond screening (drawn at random: people have no sex or "
        "age).",
    )
    detention_hours: int = declared(
        0,
        unit="hours",
        low=0,
        high=336,
        meaning="Extra hours those detained are held before the sites.",
    )
    sponsored_release_share_per_day: float = declared(
        0.0,
        unit="probability/day",
        low=0.0,
        high=0.1,
        meaning="Daily chance that a sheltered household is sponsored out by relatives "
        "(leaves the site).",
    )
    sites: tuple[ShelterSiteParams, ...] = ()
    capacity_scale: float = declared(
        1.0,
        unit="multiplier",
        low=0.25,
        high=4.0,
        meaning="Multiplies every site's capacity (at least 1 place each): one knob for sweeps.",
    )

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
    strikes_per_day: float = declared(
        unit="strikes/day", low=0.0, high=1000.0, meaning="Strikes the unit makes per day."
    )

    def __post_init__(self) -> None:
        _require(bool(self.name), "name", "must not be empty")
        _non_negative(self, "strikes_per_day")


@dataclass(frozen=True)
class AssaultGroupParams:
    """A government ground unit advancing from outside the enclave."""

    name: str
    fighters: int = declared(
        unit="fighters", low=0, high=10000, meaning="Troops of the assault group."
    )
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
    lethality_per_strike: float = declared(
        0.01,
        unit="probability",
        low=0.001,
        high=0.05,
        meaning="Probability that one strike kills a given person in the struck cell (not "
        "sheltering).",
    )
    shelter_protection: float = declared(
        0.8,
        unit="share 0-1",
        low=0.5,
        high=0.95,
        meaning="Share of lethality a basement removes.",
    )
    front_weight: float = declared(
        4.0,
        unit="multiplier",
        low=0.0,
        high=10.0,
        meaning="Extra targeting weight of cells on the front line.",
    )
    density_weight: float = declared(
        4.0,
        unit="multiplier",
        low=0.0,
        high=10.0,
        meaning="Extra targeting weight of the most densely populated cells.",
    )
    pause_shelling_multiplier: float = declared(
        0.3,
        unit="multiplier",
        low=0.0,
        high=1.0,
        meaning="Shelling during a humanitarian pause relative to outside it.",
    )
    capture_rate_per_hour: float = declared(
        0.005,
        unit="1/hour",
        low=0.001,
        high=0.02,
        meaning="Hazard scale of capturing a front cell at attack/defence ratio 1.",
    )
    reach_m: float = declared(
        800.0,
        unit="m",
        low=200.0,
        high=2000.0,
        meaning="Front cells within this distance of an assault group feel its pressure.",
    )
    urban_defence_multiplier: float = declared(
        3.0,
        unit="multiplier",
        low=1.0,
        high=6.0,
        meaning="Defence of urban cells relative to farmland.",
    )
    front_holding_fighters: int = declared(
        0,
        unit="fighters",
        low=0,
        high=10000,
        meaning="Troops holding the ring (in no assault group), spread evenly over every front "
        "cell open to attack: the base pressure on the whole front. Constant (no losses).",
    )
    group_losses_per_defender_per_day: float = declared(
        0.15,
        unit="fighters per defender per day",
        low=0.0,
        high=2.0,
        meaning="Fighters an assault group loses per day for each effective defender it attacks.",
    )
    regroup_strength_share: float = declared(
        0.6,
        unit="share 0-1",
        low=0.0,
        high=0.9,
        meaning="An assault group below this share of its initial fighters stops attacking and "
        "regroups (0: never).",
    )
    regroup_days: float = declared(
        5.0,
        unit="days",
        low=1.0,
        high=14.0,
        meaning="Days a group regroups; then reinforcements bring it back to its initial fighters.",
    )
    capture_civilian_lethality: float = declared(
        0.002,
        unit="probability",
        low=0.0,
        high=0.02,
        meaning="Probability that a person inside the enclave on a cell taken by assault is "
        "killed.",
    )

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
    throughput_per_hour: float = declared(
        800.0,
        unit="people/hour",
        low=100,
        high=2000,
        meaning="People the crossing screens and lets through per open hour (fractions carry "
        "over to the next open hour).",
    )
    access_radius_m: float = declared(
        1000.0,
        unit="m",
        low=300.0,
        high=3000.0,
        meaning="Rebel-held cells this close to the crossing are its entry (queue) cells.",
    )
    closure_probability_per_day: float = declared(
        0.0,
        unit="probability/day",
        low=0.0,
        high=0.5,
        meaning="Chance that the crossing stays shut for a whole day (shelled, or closed by a "
        "side).",
    )
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
    open_hour: int = declared(
        9, unit="hour of day", low=6, high=10, meaning="Hour the daily pause begins."
    )
    close_hour: int = declared(
        14,
        unit="hour of day",
        low=11,
        high=20,
        meaning="Hour the daily pause ends (crossings shut, shelling resumes).",
    )

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
        return self.days * 24


def _check_date(text: str, name: str) -> None:
    """A calendar date written YYYY-MM-DD."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError as err:
        raise ConfigError(f"{name}: not a date YYYY-MM-DD, got {text!r} ({err})") from None
    _require(len(text) == 10, name, f"write the date as YYYY-MM-DD, got {text!r}")


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
