"""Parameters of talks, ultimatums and evacuation deals (used by ``sim/deals.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.clock import HOURS_PER_DAY
from sim.params.core import _non_negative, _positive, _probability, _require, declared


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
    talks_opening_days: float = declared(
        0.0,
        unit="days",
        low=0.0,
        high=10.0,
        meaning="Days of talks on the terms (lists of names, guarantees, destination) before "
        "the first round's countdown starts: the first ultimatum comes this long plus one "
        "round after talks open.",
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
        meaning="Weight of the food in its main pocket (days of stocks per person inside over "
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
        high=200.0,
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
        meaning="Length of the renewed assault after a refused ultimatum, under the next "
        "round's deadline (which runs from the refusal).",
    )
    first_bus_delay_hours: int = declared(
        24,
        unit="hours",
        low=0,
        high=96,
        meaning="Hours from agreement to the first buses.",
    )
    first_convoy_buses: int = declared(
        30,
        unit="buses",
        low=1,
        high=200,
        meaning="Buses in a deal's first convoy north; no other bus goes to the deal until "
        "that convoy has arrived (half the fleet's round trip after it left).",
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
            "talks_opening_days",
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
        _require(self.first_convoy_buses >= 1, "first_convoy_buses", "must be >= 1")
        _require(
            self.corridor_throughput_per_hour >= 0, "corridor_throughput_per_hour", "must be >= 0"
        )
        _require(
            0 <= self.corridor_open_hour < HOURS_PER_DAY, "corridor_open_hour", "must be in 0..23"
        )
        _require(
            self.corridor_open_hour < self.corridor_close_hour <= HOURS_PER_DAY,
            "corridor_close_hour",
            "must be after corridor_open_hour and at most 24",
        )
        for name in ("bus_logit", "bus_affiliation_logit", "shelter_logit", "fear_logit"):
            value = getattr(self, name)
            _require(math.isfinite(value), name, f"must be a finite number, got {value!r}")
