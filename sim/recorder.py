"""Per-step numbers in preallocated arrays, turned into tidy tables at the end of a run."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.civilians import LAST_ENCLAVE_STATE, N_STATES, CivilianState, ExitRoute
from sim.factions import FactionStage

SCHEMA_VERSION = 4
"""Bumped on any change of the output tables' columns; written into summary.json."""

EVENT_COLUMNS = ["step", "day", "date", "kind", "actor", "place", "detail"]


def slug(name: str) -> str:
    """``"Hay'at Tahrir al-Sham"`` -> ``"hayat_tahrir_al_sham"``: a column-name fragment."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("'", "")).strip("_")


@dataclass(frozen=True)
class StepRecord:
    """The numbers of one step, gathered by the model before they are stored."""

    state_counts: NDArray[np.int64]
    exits_by_route: NDArray[np.int64]
    strikes: int
    killed_in_ground_fighting: int
    """Civilians killed on cells taken by assault, so far."""
    rebel_cells: int
    pockets: int
    faction_cells: NDArray[np.int64]
    fighters: NDArray[np.int64]
    cohesion: NDArray[np.float64]
    morale: NDArray[np.float64]
    stage: NDArray[np.int64]
    fighters_bussed: int
    """Fighters carried north so far."""
    buses_on_road: int
    bus_trips: int
    """Bus trips so far (all deals)."""
    bus_seats_filled: int
    """Seats taken on those trips."""
    ceasefire_cells: int
    queue: NDArray[np.int64]
    crossing_open: NDArray[np.bool_]
    crossing_shut: NDArray[np.bool_]
    """Shut for the whole day (closure_probability_per_day), pause or not."""
    crossed: NDArray[np.int64]
    waited_hours: NDArray[np.int64]
    """Hours those who crossed this hour had queued, summed per crossing."""
    district_remaining: NDArray[np.int64]
    food_stock_person_days: NDArray[np.float64]
    hunger: NDArray[np.float64]
    """Per district."""
    shelter_occupancy: NDArray[np.int64]
    """People in each reception site."""
    released_from_shelters: int
    """People sponsored out of the sites so far."""
    detained: int
    """People held beyond screening now."""
    medevac_waiting: int
    medevac_evacuated: int
    medevac_died_waiting: int
    """Patients evacuated and patients who died on the list, so far."""


class Recorder:
    """Stores one :class:`StepRecord` a step into arrays sized for the whole run."""

    def __init__(
        self,
        n_steps: int,
        faction_keys: tuple[str, ...],
        crossing_names: tuple[str, ...],
        district_names: tuple[str, ...],
        site_capacity: dict[str, int],
        start: pd.Timestamp,
    ) -> None:
        self.start = start
        self.faction_keys = faction_keys
        self.crossing_names = crossing_names
        self.district_names = district_names
        self.site_names = tuple(site_capacity)
        self.site_capacity = np.array(list(site_capacity.values()), dtype=np.int64)
        self.n_recorded = 0
        f, c, d = len(faction_keys), len(crossing_names), len(district_names)
        self.state_counts = np.zeros((n_steps, N_STATES), dtype=np.int64)
        self.exits_by_route = np.zeros((n_steps, len(ExitRoute)), dtype=np.int64)
        self.strikes = np.zeros(n_steps, dtype=np.int64)
        self.killed_in_ground_fighting = np.zeros(n_steps, dtype=np.int64)
        self.rebel_cells = np.zeros(n_steps, dtype=np.int64)
        self.pockets = np.zeros(n_steps, dtype=np.int64)
        self.faction_cells = np.zeros((n_steps, f), dtype=np.int64)
        self.fighters = np.zeros((n_steps, f), dtype=np.int64)
        self.cohesion = np.zeros((n_steps, f))
        self.morale = np.zeros((n_steps, f))
        self.stage = np.zeros((n_steps, f), dtype=np.int64)
        self.fighters_bussed = np.zeros(n_steps, dtype=np.int64)
        self.buses_on_road = np.zeros(n_steps, dtype=np.int64)
        self.bus_trips = np.zeros(n_steps, dtype=np.int64)
        self.bus_seats_filled = np.zeros(n_steps, dtype=np.int64)
        self.ceasefire_cells = np.zeros(n_steps, dtype=np.int64)
        self.queue = np.zeros((n_steps, c), dtype=np.int64)
        self.crossing_open = np.zeros((n_steps, c), dtype=bool)
        self.crossing_shut = np.zeros((n_steps, c), dtype=bool)
        self.crossed = np.zeros((n_steps, c), dtype=np.int64)
        self.waited_hours = np.zeros((n_steps, c), dtype=np.int64)
        self.district_remaining = np.zeros((n_steps, d), dtype=np.int64)
        self.food_stock_person_days = np.zeros((n_steps, d))
        self.hunger = np.zeros((n_steps, d))
        self.shelter_occupancy = np.zeros((n_steps, len(site_capacity)), dtype=np.int64)
        self.released_from_shelters = np.zeros(n_steps, dtype=np.int64)
        self.detained = np.zeros(n_steps, dtype=np.int64)
        self.medevac_waiting = np.zeros(n_steps, dtype=np.int64)
        self.medevac_evacuated = np.zeros(n_steps, dtype=np.int64)
        self.medevac_died_waiting = np.zeros(n_steps, dtype=np.int64)

    def record(self, step: int, rec: StepRecord) -> None:
        for name in StepRecord.__dataclass_fields__:
            getattr(self, name)[step] = getattr(rec, name)
        self.n_recorded = step + 1

    def dates(self) -> pd.DatetimeIndex:
        return self.start + pd.to_timedelta(np.arange(self.n_recorded), unit="h")

    def timeseries(self) -> pd.DataFrame:
        """One row per hour: people by state, cumulative flows by route, territory, factions."""
        n = self.n_recorded
        step = np.arange(n)
        cols: dict[str, NDArray] = {
            "step": step,
            "day": step // 24,
            "date": self.dates(),
            "hour": step % 24,
        }
        for state in CivilianState:
            cols[state.name.lower()] = self.state_counts[:n, state]
        counts = self.state_counts[:n]
        cols["remaining"] = counts[:, : LAST_ENCLAVE_STATE + 1].sum(axis=1)
        cols["left_via_crossing_cum"] = self.exits_by_route[:n, ExitRoute.CROSSING]
        cols["left_by_capture_cum"] = self.exits_by_route[:n, ExitRoute.CAPTURE]
        cols["left_via_deal_corridor_cum"] = self.exits_by_route[:n, ExitRoute.DEAL_CORRIDOR]
        cols["bussed_north_cum"] = self.exits_by_route[:n, ExitRoute.BUS]
        cols["left_by_medevac_cum"] = self.exits_by_route[:n, ExitRoute.MEDEVAC]
        cols["fighters_bussed_north_cum"] = self.fighters_bussed[:n]
        cols["left_enclave_cum"] = self.exits_by_route[:n, ExitRoute.CROSSING :].sum(axis=1)
        cols["killed_cum"] = counts[:, CivilianState.KILLED]
        cols["killed_in_ground_fighting_cum"] = self.killed_in_ground_fighting[:n]
        cols["strikes"] = self.strikes[:n]
        cols["rebel_cells"] = self.rebel_cells[:n]
        cols["pockets"] = self.pockets[:n]
        cols["ceasefire_cells"] = self.ceasefire_cells[:n]
        cols["buses_on_road"] = self.buses_on_road[:n]
        cols["bus_trips_cum"] = self.bus_trips[:n]
        cols["bus_seats_filled_cum"] = self.bus_seats_filled[:n]
        stage_names = np.array([s.name.lower() for s in FactionStage], dtype=object)
        for k, name in enumerate(self.faction_keys):
            s = slug(name)
            cols[f"cells_{s}"] = self.faction_cells[:n, k]
            cols[f"fighters_{s}"] = self.fighters[:n, k]
            cols[f"cohesion_{s}"] = self.cohesion[:n, k]
            cols[f"morale_{s}"] = self.morale[:n, k]
            cols[f"stage_{s}"] = stage_names[self.stage[:n, k]]
        for k, name in enumerate(self.crossing_names):
            s = slug(name)
            cols[f"open_{s}"] = self.crossing_open[:n, k]
            cols[f"shut_{s}"] = self.crossing_shut[:n, k]
            cols[f"queue_{s}"] = self.queue[:n, k]
            cols[f"crossed_{s}"] = self.crossed[:n, k]
            crossed = self.crossed[:n, k]
            cols[f"mean_wait_hours_{s}"] = np.divide(
                self.waited_hours[:n, k],
                crossed,
                out=np.full(n, np.nan),
                where=crossed > 0,
            )
        remaining = self.district_remaining[:n]
        inside = remaining.sum(axis=1)
        cols["hunger_mean_inside"] = np.divide(
            (self.hunger[:n] * remaining).sum(axis=1),
            inside,
            out=np.full(n, np.nan),
            where=inside > 0,
        )
        cols["food_stock_person_days"] = self.food_stock_person_days[:n].sum(axis=1).round(1)
        cols["released_from_shelters_cum"] = self.released_from_shelters[:n]
        cols["detained"] = self.detained[:n]
        cols["medevac_waiting"] = self.medevac_waiting[:n]
        cols["medevac_evacuated_cum"] = self.medevac_evacuated[:n]
        cols["medevac_died_waiting_cum"] = self.medevac_died_waiting[:n]
        if self.site_names:
            sheltered = self.shelter_occupancy[:n]
            cols["overcrowding_all_sites"] = sheltered.sum(axis=1) / self.site_capacity.sum()
            for k, name in enumerate(self.site_names):
                cols[f"shelter_{slug(name)}"] = sheltered[:, k]
                cols[f"overcrowding_{slug(name)}"] = sheltered[:, k] / self.site_capacity[k]
        return pd.DataFrame(cols)

    def districts(self) -> pd.DataFrame:
        """Long table per home district and hour: people still inside the enclave, their
        food stock (person-days, and days at today's headcount) and hunger."""
        n, d = self.n_recorded, len(self.district_names)
        step = np.arange(n)
        return pd.DataFrame(
            {
                "step": np.repeat(step, d),
                "day": np.repeat(step // 24, d),
                "date": np.repeat(self.dates(), d),
                "district": np.tile(np.array(self.district_names, dtype=object), n),
                "remaining": self.district_remaining[:n].ravel(),
                "food_stock_person_days": self.food_stock_person_days[:n].ravel().round(1),
                "food_stock_days": np.divide(
                    self.food_stock_person_days[:n],
                    self.district_remaining[:n],
                    out=np.full((n, d), np.nan),
                    where=self.district_remaining[:n] > 0,
                )
                .ravel()
                .round(2),
                "hunger": self.hunger[:n].ravel(),
            }
        )


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
