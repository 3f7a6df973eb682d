"""Per-step numbers in preallocated arrays, turned into tidy tables at the end of a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import DTypeLike, NDArray

from sim import outcomes
from sim.civilians import (
    LAST_ENCLAVE_STATE,
    LEFT_ENCLAVE_ROUTES,
    N_ROUTES,
    N_STATES,
    SCREENED_ROUTES,
    CivilianState,
    ExitRoute,
)
from sim.clock import HOURS_PER_DAY
from sim.factions import FactionStage
from sim.outcomes import DISTRICTS, TIMESERIES, Catalogue, Per

EVENT_COLUMNS = ["step", "day", "date", "kind", "actor", "place", "detail"]


@dataclass(frozen=True)
class Quantity:
    """A number the model records every step: the keyword of :meth:`Recorder.record`, its
    dtype and its shape in one step."""

    name: str
    dtype: DTypeLike
    per: Per | int | None = None
    """None: one number; a :class:`Per`: one per faction, crossing, district or site of the
    run; an int: that many."""

    def shape(self, sizes: dict[Per, int]) -> tuple[int, ...]:
        if self.per is None:
            return ()
        return (sizes[self.per],) if isinstance(self.per, Per) else (self.per,)


QUANTITIES = (
    Quantity("state_counts", np.int64, N_STATES),
    Quantity("exits_by_route", np.int64, N_ROUTES),
    Quantity("strikes", np.int64),
    Quantity("killed_in_ground_fighting_cum", np.int64),
    Quantity("rebel_cells", np.int64),
    Quantity("pockets", np.int64),
    Quantity("faction_cells", np.int64, Per.FACTION),
    Quantity("fighters", np.int64, Per.FACTION),
    Quantity("cohesion", np.float64, Per.FACTION),
    Quantity("morale", np.float64, Per.FACTION),
    Quantity("stage", np.int64, Per.FACTION),
    Quantity("bussed_north_fighters_cum", np.int64),
    Quantity("buses_on_road", np.int64),
    Quantity("bus_trips_cum", np.int64),
    Quantity("bus_seats_filled_cum", np.int64),
    Quantity("ceasefire_cells", np.int64),
    Quantity("queue", np.int64, Per.CROSSING),
    Quantity("crossing_open", np.bool_, Per.CROSSING),
    Quantity("crossing_shut", np.bool_, Per.CROSSING),
    Quantity("crossed", np.int64, Per.CROSSING),
    Quantity("waited_hours", np.int64, Per.CROSSING),
    Quantity("district_remaining", np.int64, Per.DISTRICT),
    Quantity("food_stock_person_days", np.float64, Per.DISTRICT),
    Quantity("hunger", np.float64, Per.DISTRICT),
    Quantity("shelter_occupancy", np.int64, Per.SITE),
    Quantity("released_from_shelters_cum", np.int64),
    Quantity("detained", np.int64),
    Quantity("medevac_waiting", np.int64),
    Quantity("medevac_evacuated_cum", np.int64),
    Quantity("medevac_died_waiting_cum", np.int64),
)
"""What the model records each step (``SiegeModel._phase_record``). A quantity named like a
timeseries outcome of the same shape becomes that column as is; the others are turned into
columns in :meth:`Recorder.timeseries` and :meth:`Recorder.districts`. ``state_counts``:
people by ``CivilianState``; ``exits_by_route``: people by ``ExitRoute``; ``stage``: a
``FactionStage``; ``crossing_shut``: shut for the whole day (closure_probability_per_day);
``waited_hours``: hours those who crossed this hour had queued, summed."""


class Recorder:
    """Stores the :data:`QUANTITIES` of each step into arrays sized for the whole run."""

    def __init__(
        self,
        n_steps: int,
        faction_keys: tuple[str, ...],
        crossing_names: tuple[str, ...],
        district_names: tuple[str, ...],
        site_capacity: dict[str, int],
        start: pd.Timestamp,
        people_per_agent: int = 1,
    ) -> None:
        self.start = start
        self.people_per_agent = people_per_agent
        """Outcomes whose unit scales (:data:`sim.outcomes.SCALED_UNITS`) are multiplied by
        it in the tables: they count real people, fighters, buses and rations."""
        self.faction_keys = faction_keys
        self.crossing_names = crossing_names
        self.district_names = district_names
        self.site_names = tuple(site_capacity)
        self.site_capacity = np.array(list(site_capacity.values()), dtype=np.int64)
        self.members: dict[Per, tuple[str, ...]] = {
            Per.FACTION: faction_keys,
            Per.CROSSING: crossing_names,
            Per.DISTRICT: district_names,
            Per.SITE: self.site_names,
        }
        sizes = {per: len(names) for per, names in self.members.items()}
        self.arrays: dict[str, NDArray[Any]] = {
            q.name: np.zeros((n_steps, *q.shape(sizes)), dtype=q.dtype) for q in QUANTITIES
        }
        """Every quantity's values, one row per step (rows past ``n_recorded`` are zeros)."""
        self.n_recorded = 0

    def record(self, step: int, **values: Any) -> None:
        """Store one step: a value for every quantity of :data:`QUANTITIES`, by name."""
        if values.keys() != self.arrays.keys():
            missing = sorted(self.arrays.keys() - values.keys())
            unknown = sorted(values.keys() - self.arrays.keys())
            raise TypeError(
                f"Recorder.record at step {step}: missing {missing}, unknown {unknown} "
                "(quantities are declared in sim.recorder.QUANTITIES)"
            )
        for name, value in values.items():
            self.arrays[name][step] = value
        self.n_recorded = step + 1

    def recorded(self, name: str) -> NDArray[Any]:
        """The recorded steps of one quantity (a view: rows 0 .. n_recorded - 1)."""
        if name not in self.arrays:
            raise KeyError(f"{name!r} is not a recorded quantity (sim.recorder.QUANTITIES)")
        return self.arrays[name][: self.n_recorded]

    def dates(self) -> pd.DatetimeIndex:
        return self.start + pd.to_timedelta(np.arange(self.n_recorded), unit="h")

    def timeseries(self) -> pd.DataFrame:
        """One row per hour, the columns of :data:`sim.outcomes.TIMESERIES`."""
        return self._table(TIMESERIES, self._timeseries_values())

    def _timeseries_values(self) -> dict[str, NDArray[Any]]:
        """Each timeseries outcome's values: (steps,), or (steps, members) for a family.

        Quantities named like an outcome of their shape are taken as they are."""
        n = self.n_recorded
        step = np.arange(n)
        a = {name: self.recorded(name) for name in self.arrays}
        counts, exits = a["state_counts"], a["exits_by_route"]
        values: dict[str, NDArray[Any]] = {
            outcomes.STEP.name: step,
            outcomes.DAY.name: step // HOURS_PER_DAY,
            outcomes.DATE.name: self.dates(),
            outcomes.HOUR.name: step % HOURS_PER_DAY,
        }
        for outcome, state in zip(outcomes.STATES, CivilianState, strict=True):
            values[outcome.name] = counts[:, state]
        values[outcomes.REMAINING.name] = counts[:, : LAST_ENCLAVE_STATE + 1].sum(axis=1)
        for outcome, route in (
            (outcomes.LEFT_VIA_CROSSING_CUM, ExitRoute.CROSSING),
            (outcomes.LEFT_VIA_FRONT_CUM, ExitRoute.FRONT),
            (outcomes.LEFT_VIA_DEAL_CORRIDOR_CUM, ExitRoute.DEAL_CORRIDOR),
            (outcomes.LEFT_VIA_MEDEVAC_CUM, ExitRoute.MEDEVAC),
            (outcomes.BUSSED_NORTH_CIVILIANS_CUM, ExitRoute.BUS),
            (outcomes.STAYED_UNDER_GOVERNMENT_CUM, ExitRoute.STAYED),
        ):
            values[outcome.name] = exits[:, route]
        fighters_north = a[outcomes.BUSSED_NORTH_FIGHTERS_CUM.name]
        values[outcomes.BUSSED_NORTH_CUM.name] = exits[:, ExitRoute.BUS] + fighters_north
        values[outcomes.TO_GOVERNMENT_SHELTERS_CUM.name] = exits[:, list(SCREENED_ROUTES)].sum(
            axis=1
        )
        values[outcomes.LEFT_ENCLAVE_CUM.name] = (
            exits[:, list(LEFT_ENCLAVE_ROUTES)].sum(axis=1) + fighters_north
        )
        values[outcomes.KILLED_CUM.name] = counts[:, CivilianState.KILLED]
        values[outcomes.CELLS.name] = a["faction_cells"]
        stage_names = np.array([s.name.lower() for s in FactionStage], dtype=object)
        values[outcomes.STAGE.name] = stage_names[a["stage"]]
        values[outcomes.OPEN.name] = a["crossing_open"]
        values[outcomes.SHUT.name] = a["crossing_shut"]
        crossed = a["crossed"]
        values[outcomes.MEAN_WAIT_HOURS.name] = np.divide(
            a["waited_hours"], crossed, out=np.full(crossed.shape, np.nan), where=crossed > 0
        )
        remaining, inside = a["district_remaining"], a["district_remaining"].sum(axis=1)
        values[outcomes.HUNGER_MEAN_INSIDE.name] = np.divide(
            (a["hunger"] * remaining).sum(axis=1),
            inside,
            out=np.full(n, np.nan),
            where=inside > 0,
        )
        values[outcomes.FOOD_STOCK_PERSON_DAYS.name] = (
            a["food_stock_person_days"].sum(axis=1).round(1)
        )
        if self.site_names:
            sheltered = a["shelter_occupancy"]
            values[outcomes.OVERCROWDING_ALL_SITES.name] = (
                sheltered.sum(axis=1) / self.site_capacity.sum()
            )
            values[outcomes.SHELTER.name] = sheltered
            values[outcomes.OVERCROWDING.name] = sheltered / self.site_capacity
        for outcome in TIMESERIES:
            if outcome.name not in values and outcome.name in a:
                values[outcome.name] = a[outcome.name]
        return values

    def districts(self) -> pd.DataFrame:
        """Long table per home district and hour, the columns of
        :data:`sim.outcomes.DISTRICTS`: people still inside the enclave, their food stock
        (person-days, and days at today's headcount) and hunger."""
        n, d = self.n_recorded, len(self.district_names)
        step = np.arange(n)
        remaining = self.recorded("district_remaining")
        stock = self.recorded("food_stock_person_days")
        values: dict[str, NDArray[Any]] = {
            outcomes.STEP.name: np.repeat(step, d),
            outcomes.DAY.name: np.repeat(step // HOURS_PER_DAY, d),
            outcomes.DATE.name: np.repeat(self.dates(), d),
            outcomes.DISTRICT.name: np.tile(np.array(self.district_names, dtype=object), n),
            outcomes.DISTRICT_REMAINING.name: remaining.ravel(),
            outcomes.DISTRICT_FOOD_STOCK_PERSON_DAYS.name: stock.ravel().round(1),
            outcomes.DISTRICT_FOOD_STOCK_DAYS.name: np.divide(
                stock, remaining, out=np.full((n, d), np.nan), where=remaining > 0
            )
            .ravel()
            .round(2),
            outcomes.DISTRICT_HUNGER.name: self.recorded("hunger").ravel(),
        }
        return self._table(DISTRICTS, values)

    def _table(self, catalogue: Catalogue, values: dict[str, NDArray[Any]]) -> pd.DataFrame:
        """The catalogue's columns for this run, in its order, from each outcome's values."""
        layout = catalogue.layout(self.members)
        undeclared = sorted(name for name in values if name not in catalogue)
        missing = sorted({c.outcome.name for c in layout} - values.keys())
        if undeclared or missing:
            raise KeyError(
                f"{catalogue.file}: values for undeclared outcomes {undeclared} "
                f"(declare them in sim/outcomes.py), none for {missing}"
            )
        columns: dict[str, NDArray[Any]] = {}
        for column in layout:
            value = values[column.outcome.name]
            if value.ndim != (1 if column.member is None else 2):
                raise ValueError(f"{catalogue.file}: {column.name} has shape {value.shape}")
            value = value if column.member is None else value[:, column.member]
            if column.outcome.scales and self.people_per_agent != 1:
                value = value * self.people_per_agent
            columns[column.name] = value
        return pd.DataFrame(columns)


class EventLog:
    """Rows of the events table, appended as things happen."""

    def __init__(self, start: pd.Timestamp) -> None:
        self.start = start
        self.rows: list[tuple[int, str, str, str, str]] = []

    def add(self, step: int, kind: str, actor: str = "", place: str = "", detail: str = "") -> None:
        self.rows.append((step, kind, actor, place, detail))

    def kinds(self) -> list[str]:
        return [row[1] for row in self.rows]

    def table(self) -> pd.DataFrame:
        steps = np.array([r[0] for r in self.rows], dtype=np.int64)
        return pd.DataFrame(
            {
                "step": steps,
                "day": steps // 24,
                "date": self.start + pd.to_timedelta(steps, unit="h"),
                "kind": [r[1] for r in self.rows],
                "actor": [r[2] for r in self.rows],
                "place": [r[3] for r in self.rows],
                "detail": [r[4] for r in self.rows],
            },
            columns=EVENT_COLUMNS,
        )
