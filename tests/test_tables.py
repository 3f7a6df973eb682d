"""The data tables are validated when loaded (sim/tables.py): each corruption is refused
with a message naming the file, the row and the column."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from sim.tables import DATA_PACKAGE, DataError, load_calibration_targets, load_ghouta


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the shipped tables, to corrupt."""
    for name in ("towns.csv", "places.csv", "factions.csv", "calibration_targets.csv"):
        with resources.as_file(resources.files(DATA_PACKAGE).joinpath(name)) as source:
            shutil.copy(source, tmp_path / name)
    return tmp_path


def edit(path: Path, change: Callable[[list[str]], list[str]]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set ``column`` of data row ``row`` (1-based; fields without quoted commas only)."""

    def change(lines: list[str]) -> list[str]:
        header = lines[0].split(",")
        fields = lines[row].split(",")
        fields[header.index(column)] = value
        lines[row] = ",".join(fields)
        return lines

    edit(path, change)


def test_shipped_tables_pass() -> None:
    data = load_ghouta()
    assert len(data.towns) == 23 and len(data.places) == 7, "expected the shipped tables"
    assert len(load_calibration_targets()) == 6, "expected six calibration targets"


@pytest.mark.parametrize(
    ("file", "column", "value", "why"),
    [
        ("towns.csv", "lat", "abc", "expected a number"),
        ("towns.csv", "lat", "nan", "finite"),
        ("towns.csv", "lon", "inf", "finite"),
        ("towns.csv", "population_2004", "1e5", "whole number"),
        ("towns.csv", "population_2004", "-5", "outside"),
        ("towns.csv", "lat", "-33.57", "outside"),  # a lost minus sign's opposite
        ("towns.csv", "lon", "33.57", "outside"),  # lat and lon swapped
        ("towns.csv", "controlling_faction_feb2018", "", "empty"),
        ("places.csv", "lat", "inf", "finite"),  # the crossing nobody could reach
        ("factions.csv", "fighters", "12.5", "whole number"),
        ("calibration_targets.csv", "day", "-1", "outside"),
    ],
)
def test_bad_value_is_refused_naming_file_row_and_column(
    data_dir: Path, file: str, column: str, value: str, why: str
) -> None:
    set_cell(data_dir / file, 2, column, value)
    with pytest.raises(DataError) as info:
        if file == "calibration_targets.csv":
            load_calibration_targets(data_dir / file)
        else:
            load_ghouta(data_dir)
    message = str(info.value)
    expected = f"{file} row 2 (line 3), column {column}:"
    assert expected in message, f"expected {expected!r} in {message!r}"
    assert why in message, f"expected the reason {why!r} in {message!r}"


def test_duplicate_town_is_refused_naming_both_rows(data_dir: Path) -> None:
    edit(data_dir / "towns.csv", lambda lines: [*lines, lines[1]])
    with pytest.raises(DataError) as info:
        load_ghouta(data_dir)
    assert "towns.csv row 24 (line 25), column town: 'Douma' repeats row 1" in str(info.value), (
        f"expected the repeat named, got {info.value}"
    )


def test_missing_column_is_refused(data_dir: Path) -> None:
    def drop_lat(lines: list[str]) -> list[str]:
        return [",".join(f for i, f in enumerate(line.split(",")) if i != 1) for line in lines]

    edit(data_dir / "places.csv", drop_lat)
    with pytest.raises(DataError) as info:
        load_ghouta(data_dir)
    assert "places.csv header (line 1), column lat: missing column" in str(info.value), (
        f"expected the missing column named, got {info.value}"
    )


def test_all_problems_are_reported_at_once(data_dir: Path) -> None:
    set_cell(data_dir / "towns.csv", 1, "lat", "abc")
    set_cell(data_dir / "towns.csv", 3, "population_2004", "-1")
    with pytest.raises(DataError) as info:
        load_ghouta(data_dir)
    lines = str(info.value).splitlines()[1:]
    assert len(lines) == 2, f"expected two problems listed, got {lines}"
