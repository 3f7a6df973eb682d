"""Parameters of the map and of where people live (used by ``sim/geography.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.params.core import _non_negative, _non_negative_values, _positive, _require


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
