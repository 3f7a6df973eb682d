"""Who holds each cell and how many people are inside on it, once a day: the run's map record.

Snapshot 0 is the state before the first hour; snapshot ``d + 1`` is the state at the end of
day ``d`` (after its last hour, step ``24 d + 23``), so a run of ``days`` days has
``days + 1`` snapshots. Each holds the controller of every cell (0 government, ``k + 1``
faction ``k`` of ``faction_keys``) and the people inside the enclave on every cell. Written
to ``territory.npz`` (compressed numpy, no pickled objects) with the coordinates needed to
draw it; :func:`load_territory` reads it back.
"""

from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.clock import HOURS_PER_DAY
from sim.geography import GOVERNMENT_BASE_KIND, Geography

GOVERNMENT_NAME = "Government"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""Fixed member timestamps, so that the same run writes the same bytes."""


@dataclass(frozen=True, eq=False)
class TerritoryRecord:
    """Daily snapshots of control and people on the grid, with the map's coordinates.

    Grids are ``snapshots x n_rows x n_cols``, row 0 in the north (as in
    :class:`sim.geography.Geography`).
    """

    controller: NDArray[np.int8]
    """Controller code of each cell: 0 government, ``k + 1`` faction ``faction_keys[k]``."""
    people: NDArray[np.int32]
    """People inside the enclave on each cell."""
    step: NDArray[np.int32]
    """The step after which each snapshot was taken; -1 for the initial state."""
    day: NDArray[np.int32]
    """Day of each snapshot (0 for the initial state, ``d`` at the end of day ``d``)."""
    date: NDArray[np.datetime64]
    """Calendar date of ``day`` (datetime64[D])."""
    x_m: NDArray[np.float64]
    """Cell centre of each column, metres east of the projection origin."""
    y_m: NDArray[np.float64]
    """Cell centre of each row, metres north of the projection origin."""
    cell_size_m: float
    lat0: float
    lon0: float
    """Projection origin (``sim.geography.project``); NaN on hand-built maps."""
    controller_names: NDArray[np.str_]
    """Name of each controller code: "Government", then the factions' names."""
    faction_keys: NDArray[np.str_]
    enclave: NDArray[np.bool_]
    """Rows x cols: the enclave at the start."""
    district: NDArray[np.int16]
    """Rows x cols: district (town) index, -1 outside the enclave."""
    district_names: NDArray[np.str_]
    """Name of each ``district`` index."""
    town_names: NDArray[np.str_]
    town_row: NDArray[np.int32]
    town_col: NDArray[np.int32]
    """The enclave cell standing for each town (``SiegeModel.town_cell``)."""
    crossing_names: NDArray[np.str_]
    crossing_x_m: NDArray[np.float64]
    crossing_y_m: NDArray[np.float64]
    base_names: NDArray[np.str_]
    base_x_m: NDArray[np.float64]
    base_y_m: NDArray[np.float64]
    """Government positions surrounded by the enclave (places.csv)."""

    @property
    def n_snapshots(self) -> int:
        return int(self.step.size)

    def index_of_day(self, day: int) -> int:
        """Snapshot at the end of ``day``."""
        if not 0 <= day < self.n_snapshots - 1:
            raise IndexError(f"day {day} is not recorded (days 0..{self.n_snapshots - 2})")
        return day + 1

    def save(self, path: Path) -> None:
        """Write as compressed ``.npz`` with fixed timestamps (same run, same bytes)."""
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for f in fields(self):
                info = zipfile.ZipInfo(f"{f.name}.npy", date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w", force_zip64=True) as member:
                    value = np.asanyarray(getattr(self, f.name))
                    np.lib.format.write_array(member, value, allow_pickle=False)


def load_territory(path: Path) -> TerritoryRecord:
    """Read a ``territory.npz`` written by :meth:`TerritoryRecord.save`."""
    with np.load(path, allow_pickle=False) as archive:
        values = {f.name: archive[f.name] for f in fields(TerritoryRecord)}
    for name in ("cell_size_m", "lat0", "lon0"):
        values[name] = float(values[name])
    return TerritoryRecord(**values)


class TerritoryRecorder:
    """Takes the daily snapshots into arrays sized for the whole run."""

    def __init__(
        self,
        geo: Geography,
        days: int,
        start: pd.Timestamp,
        faction_names: tuple[str, ...],
        town_cell: dict[str, int],
        crossing_xy_m: dict[str, tuple[float, float]],
        people_per_agent: int = 1,
    ) -> None:
        self.geo = geo
        self.people_per_agent = people_per_agent
        """Each agent on a cell counts for this many people (:mod:`sim.scale`)."""
        self.start = start
        self.faction_names = faction_names
        self.town_cell = town_cell
        self.crossing_xy_m = crossing_xy_m
        shape = (days + 1, geo.n_rows, geo.n_cols)
        self.controller = np.zeros(shape, dtype=np.int8)
        self.people = np.zeros(shape, dtype=np.int32)
        self.step = np.full(days + 1, -1, dtype=np.int32)
        self.n_recorded = 0

    def record_initial(
        self, controller: NDArray[np.int8], cell: NDArray[np.integer], inside: NDArray[np.bool_]
    ) -> None:
        """The state before the first hour."""
        self._store(0, -1, controller, cell, inside)

    def due(self, t: int) -> bool:
        """A snapshot is taken after step ``t`` (a day's last hour)."""
        return t % HOURS_PER_DAY == HOURS_PER_DAY - 1

    def record(
        self,
        t: int,
        controller: NDArray[np.int8],
        cell: NDArray[np.integer],
        inside: NDArray[np.bool_],
    ) -> None:
        """After step ``t``: a snapshot if it is a day's last hour, else nothing.

        ``controller`` per cell; ``cell`` and ``inside`` per person (``Civilians.cell``,
        ``Civilians.in_enclave()``).
        """
        if self.due(t):
            self._store(t // HOURS_PER_DAY + 1, t, controller, cell, inside)

    def _store(
        self,
        k: int,
        t: int,
        controller: NDArray[np.int8],
        cell: NDArray[np.integer],
        inside: NDArray[np.bool_],
    ) -> None:
        geo = self.geo
        self.controller[k] = controller.reshape(geo.n_rows, geo.n_cols)
        counts = np.bincount(cell[inside], minlength=geo.n_cells) * self.people_per_agent
        self.people[k] = counts.reshape(geo.n_rows, geo.n_cols)
        self.step[k] = t
        self.n_recorded = k + 1

    def result(self) -> TerritoryRecord:
        """The snapshots taken so far, with the map's coordinates."""
        geo, n = self.geo, self.n_recorded
        step = self.step[:n]
        day = np.maximum(step, 0) // HOURS_PER_DAY
        shape = (geo.n_rows, geo.n_cols)
        towns = list(self.town_cell)
        town_cells = np.array([self.town_cell[name] for name in towns], dtype=np.int64)
        bases = [name for name, kind in geo.place_kinds.items() if kind == GOVERNMENT_BASE_KIND]
        crossings = list(self.crossing_xy_m)
        return TerritoryRecord(
            controller=self.controller[:n],
            people=self.people[:n],
            step=step,
            day=day.astype(np.int32),
            date=np.datetime64(self.start.date(), "D") + day.astype("timedelta64[D]"),
            x_m=geo.x_m.reshape(shape)[0].copy(),
            y_m=geo.y_m.reshape(shape)[:, 0].copy(),
            cell_size_m=float(geo.cell_size_m),
            lat0=math.nan if geo.lat0 is None else geo.lat0,
            lon0=math.nan if geo.lon0 is None else geo.lon0,
            controller_names=np.array((GOVERNMENT_NAME, *self.faction_names), dtype=np.str_),
            faction_keys=np.array(geo.faction_keys, dtype=np.str_),
            enclave=geo.enclave.reshape(shape),
            district=geo.district.reshape(shape).astype(np.int16),
            district_names=np.array(geo.district_names, dtype=np.str_),
            town_names=np.array(towns, dtype=np.str_),
            town_row=(town_cells // geo.n_cols).astype(np.int32),
            town_col=(town_cells % geo.n_cols).astype(np.int32),
            crossing_names=np.array(crossings, dtype=np.str_),
            crossing_x_m=np.array([self.crossing_xy_m[c][0] for c in crossings], dtype=float),
            crossing_y_m=np.array([self.crossing_xy_m[c][1] for c in crossings], dtype=float),
            base_names=np.array(bases, dtype=np.str_),
            base_x_m=np.array([geo.place_xy_m[b][0] for b in bases], dtype=float),
            base_y_m=np.array([geo.place_xy_m[b][1] for b in bases], dtype=float),
        )
