"""Parameters of the logistics layer besides the crossings: buses, reception, food and
medical evacuation (``configs/logistics/``; used by ``sim/buses.py``, ``sim/reception.py``,
``sim/food.py`` and ``sim/medevac.py``). The crossings are in :mod:`sim.params.timeline`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.clock import HOURS_PER_DAY
from sim.params.core import (
    _non_negative,
    _non_negative_values,
    _positive,
    _probability,
    _require,
    _unique_names,
    declared,
)


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
        _require(0 <= self.hour < HOURS_PER_DAY, "hour", "must be in 0..23")


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
        _require(0 <= self.hour_under_deal < HOURS_PER_DAY, "hour_under_deal", "must be in 0..23")
