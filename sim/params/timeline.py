"""Parameters of the crossings and of the scenario's dated events: pauses, convoys, notes
(used by ``sim/events.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.clock import HOURS_PER_DAY
from sim.params.core import _positive, _probability, _require, declared


def _require_daily_window(start_day: int, end_day: int, open_hour: int, close_hour: int) -> None:
    """Days ``start_day`` to before ``end_day``, hours ``open_hour`` to before ``close_hour``."""
    _require(start_day >= 0, "start_day", "must be >= 0")
    _require(end_day > start_day, "end_day", "must be after start_day")
    _require(0 <= open_hour < HOURS_PER_DAY, "open_hour", "must be in 0..23")
    _require(open_hour < close_hour <= HOURS_PER_DAY, "close_hour", "must be in open_hour+1..24")


@dataclass(frozen=True)
class WindowParams:
    """Hours of every day from ``start_day`` to before ``end_day`` when something is open."""

    start_day: int
    end_day: int
    open_hour: int = 0
    close_hour: int = 24

    def __post_init__(self) -> None:
        _require_daily_window(self.start_day, self.end_day, self.open_hour, self.close_hour)


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
        _require_daily_window(self.start_day, self.end_day, self.open_hour, self.close_hour)
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
        _require(0 <= self.hour < HOURS_PER_DAY, "hour", "must be in 0..23")
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
