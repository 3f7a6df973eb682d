"""Parameters of the rebel factions, how fighting changes them and how they treat each other
(used by ``sim/factions.py`` and ``sim/conflict.py``)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params.core import _non_negative, _positive, _probability, _require, declared


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
    defence_by_residents_share: float = declared(
        0.0,
        unit="share 0-1",
        low=0.0,
        high=1.0,
        meaning="Share of a faction's front-line defence posted by the residents near each "
        "front cell (its towns); the rest is spread evenly along its front.",
    )
    defence_residents_radius_m: float = declared(
        500.0,
        unit="m",
        low=100.0,
        high=2000.0,
        meaning="Scale (Gaussian sigma) over which the residents near a front cell are counted.",
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
        _probability(
            self, "reinforcement_share", "defence_by_residents_share", "infighting_cohesion_loss"
        )
        _positive(self, "defence_residents_radius_m")
        _probability(self, "desertion_per_day_at_zero_cohesion", "surrender_morale_threshold")
        _require(self.min_pocket_cells >= 0, "min_pocket_cells", "must be >= 0")


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
