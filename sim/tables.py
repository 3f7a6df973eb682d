"""The Eastern Ghouta tables shipped with the package (``sim/data/ghouta``, see SOURCES.md).

Every table the model reads is validated when loaded against a small declared schema
(:data:`SCHEMAS`): required columns, types (a whole number is written as one: ``1e5`` or
``12.0`` is refused), finite values in declared ranges, unique keys, and coordinates inside
the region's bounding box (:data:`REGION_LAT`, :data:`REGION_LON`). All problems of a table
are reported at once, each naming the file, row and column (:class:`DataError`).

Why not a schema library (pandera): the tables are a handful of small CSVs with a few rules
each; reading them with the standard ``csv`` module keeps exact row numbers and refuses
``1e5`` as an integer (pandas would read it as a float first), and about sixty lines here
avoid a dependency with a large transitive footprint.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DATA_PACKAGE = "sim.data.ghouta"

REGION_LAT = (33.2, 33.8)
REGION_LON = (36.0, 36.7)
"""Bounding box (degrees) of Eastern Ghouta and the Damascus countryside around it: every
town and place of the tables lies inside (a wrong sign or a swapped lat/lon does not)."""


class DataError(ValueError):
    """A data table breaks its schema; one line per problem: file, row, column, why."""


@dataclass(frozen=True)
class Column:
    """A column of a table: its type, whether it may be empty, its range, whether unique."""

    name: str
    kind: type = str
    required: bool = True
    low: float | None = None
    high: float | None = None
    unique: bool = False


def _lat(name: str = "lat") -> Column:
    return Column(name, float, low=REGION_LAT[0], high=REGION_LAT[1])


def _lon(name: str = "lon") -> Column:
    return Column(name, float, low=REGION_LON[0], high=REGION_LON[1])


SCHEMAS: dict[str, tuple[Column, ...]] = {
    "towns.csv": (
        Column("town", unique=True),
        _lat(),
        _lon(),
        Column("population_2004", int, required=False, low=0, high=2_000_000),
        Column("controlling_faction_feb2018"),
    ),
    "places.csv": (Column("place", unique=True), _lat(), _lon(), Column("kind")),
    "factions.csv": (
        Column("faction", unique=True),
        Column("fighters", int, low=0, high=1_000_000),
    ),
    "calibration_targets.csv": (
        Column("day", int, low=0, high=3650),
        Column("quantity"),
        Column("value", float, low=0, high=1e7),
        Column("low", float, low=0, high=1e7),
        Column("high", float, low=0, high=1e7),
        Column("source"),
    ),
}
"""The columns the model reads, per file; other columns (notes, sources) are free text."""


def validate_rows(name: str, header: list[str], rows: list[tuple[int, dict[str, str]]]) -> None:
    """Refuse table ``name`` if its rows break :data:`SCHEMAS`; ``rows`` are (line, row).

    Values are checked as text, the way :func:`load_ghouta` converts them.
    """
    problems = []
    columns = SCHEMAS[name]
    for col in columns:
        if col.name not in header:
            problems.append(f"{name} header (line 1), column {col.name}: missing column")
    seen: dict[str, dict[str, int]] = {c.name: {} for c in columns if c.unique}
    for line, row in rows:
        where = f"{name} row {line - 1} (line {line})"
        if None in row or any(v is None for v in row.values()):
            problems.append(f"{where}: {len(header)} columns in the header, not in this row")
            continue
        for col in columns:
            if col.name not in header:
                continue
            problem = _check_value(row[col.name].strip(), col)
            if problem:
                problems.append(f"{where}, column {col.name}: {problem}")
            elif col.unique:
                value = row[col.name].strip()
                if value in seen[col.name]:
                    first = seen[col.name][value]
                    problems.append(f"{where}, column {col.name}: {value!r} repeats row {first}")
                seen[col.name][value] = line - 1
    if problems:
        raise DataError("invalid data table:\n  " + "\n  ".join(problems))


def _check_value(text: str, col: Column) -> str:
    """Why ``text`` is not a valid value of ``col`` ("" if it is)."""
    if not text:
        return "empty" if col.required else ""
    if col.kind is str:
        return ""
    try:
        value = int(text) if col.kind is int else float(text)
    except ValueError:
        what = "a whole number" if col.kind is int else "a number"
        return f"expected {what}, got {text!r}"
    if not math.isfinite(value):
        return f"expected a finite number, got {text!r}"
    low = -math.inf if col.low is None else col.low
    high = math.inf if col.high is None else col.high
    if not low <= value <= high:
        return f"{text} is outside {low:g}..{high:g}"
    return ""


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
    ``calibration_targets.csv``, or the file at ``path`` (same columns), validated."""
    if path is None:
        rows = _rows("calibration_targets.csv")
    else:
        rows = _parse("calibration_targets.csv", Path(path).read_text(encoding="utf-8"))
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


def _parse(filename: str, text: str) -> list[dict[str, str]]:
    """The rows of table ``filename`` (its schema's name) from ``text``, validated."""
    reader = csv.DictReader(text.splitlines())
    rows = [(reader.line_num, row) for row in reader]
    validate_rows(filename, list(reader.fieldnames or []), rows)
    return [row for _, row in rows]


def _rows(filename: str, folder: Path | None = None) -> list[dict[str, str]]:
    if folder is None:
        text = resources.files(DATA_PACKAGE).joinpath(filename).read_text(encoding="utf-8")
    else:
        text = (folder / filename).read_text(encoding="utf-8")
    return _parse(filename, text)


def load_ghouta(folder: Path | None = None) -> GhoutaData:
    """Read towns, places and faction names from the packaged CSV files (or those in
    ``folder``), validated (:class:`DataError`)."""
    towns = tuple(
        Town(
            name=row["town"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            population_2004=int(row["population_2004"]) if row["population_2004"] else None,
            controller=row["controlling_faction_feb2018"],
        )
        for row in _rows("towns.csv", folder)
    )
    places = tuple(
        Place(name=row["place"], lat=float(row["lat"]), lon=float(row["lon"]), kind=row["kind"])
        for row in _rows("places.csv", folder)
    )
    factions = tuple(row["faction"] for row in _rows("factions.csv", folder))
    return GhoutaData(towns=towns, places=places, factions=factions)
