"""Parameters of the government's shelling and ground advance (used by ``sim/government.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params.core import (
    _non_negative,
    _positive,
    _probability,
    _require,
    _unique_names,
    declared,
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
