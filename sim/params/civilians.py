"""Parameters of civilians' choices: fear, shelter, leaving, and what holds them back
(used by ``sim/civilians.py``, ``sim/exit_barriers.py``, ``sim/walkouts.py`` and
``sim/crossings.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params.core import _non_negative, _positive, _probability, _require, declared


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
    restraint_near_army_share: float = declared(
        1.0,
        unit="share 0-1",
        low=0.0,
        high=1.0,
        meaning="Share of a faction's restraint that still holds on its cells within "
        "walkout_reach_m of a place to walk out (where the army has just taken ground): "
        "fighters pulled to the line cannot man the checkpoints behind it, and residents defy "
        "them (1: the hold is the same everywhere).",
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
            "restraint_near_army_share",
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
