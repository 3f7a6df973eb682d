"""The Eastern Ghouta tables shipped with the package (``sim/data/ghouta``, see SOURCES.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DATA_PACKAGE = "sim.data.ghouta"


@dataclass(frozen=True)
class Town:
    name: str
    lat: float
    lon: float
    population_2004: int | None
    controller: str
    """Controlling faction as written in towns.csv (may be shared or contested)."""


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    kind: str


@dataclass(frozen=True)
class GhoutaData:
    towns: tuple[Town, ...]
    places: tuple[Place, ...]
    factions: tuple[str, ...]

    def town(self, name: str) -> Town:
        for town in self.towns:
            if town.name == name:
                return town
        raise KeyError(name)

    def place(self, name: str) -> Place:
        for place in self.places:
            if place.name == name:
                return place
        raise KeyError(name)


@dataclass(frozen=True)
class CalibrationTarget:
    day: int
    quantity: str
    value: float
    low: float
    high: float
    source: str


def load_calibration_targets(path: Path | None = None) -> tuple[CalibrationTarget, ...]:
    """The aggregate outcomes a run is compared with (never a model input): the packaged
    ``calibration_targets.csv``, or the file at ``path`` (same columns)."""
    rows = _rows("calibration_targets.csv") if path is None else _file_rows(Path(path))
    return tuple(
        CalibrationTarget(
            day=int(row["day"]),
            quantity=row["quantity"],
            value=float(row["value"]),
            low=float(row["low"]),
            high=float(row["high"]),
            source=row["source"],
        )
        for row in rows
    )


def _file_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def load_ghouta() -> GhoutaData:
    """Read towns, places and faction names from the packaged CSV files."""
    towns = tuple(
        Town(
            name=row["town"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population_2004=int(row["population_2004"]) if row["population_2004"] else None,
            controller=row["controlling_faction_feb2018"],
        )
        for row in _rows("towns.csv")
    )
    places = tuple(
        Place(name=row["place"], lat=float(row["lat"]), lon=float(row["lon"]), kind=row["kind"])
        for row in _rows("places.csv")
    )
    factions = tuple(row["faction"] for row in _rows("factions.csv"))
    return GhoutaData(towns=towns, places=places, factions=factions)
