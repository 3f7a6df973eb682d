"""Crossings out of the enclave: when each is open, the way there, and who passed this hour.

A crossing is open at a step when the schedule opens it (a humanitarian pause that names it,
or one of its own windows) and it is not shut for the day: at each day's first step, each
crossing is shut for the whole day with probability ``closure_probability_per_day`` (one
draw per crossing and day, whether or not it was due to open). Its entry (queue) cells are
the rebel-held cells within ``access_radius_m``; its distance field over rebel-held cells is
cached until control changes. Who is walking or queued is kept in the civilians' columns
(:class:`sim.civilians.Civilians`); this class calls into them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.civilians import Civilians, CivilianState, FieldWays, WaysOut
from sim.clock import HOURS_PER_DAY
from sim.geography import Geography
from sim.params import CrossingParams, ExitParams
from sim.recorder import EventLog
from sim.scale import Carry
from sim.territory import Territory


class Crossings:
    """The crossings' opening state, cached walking fields and this hour's counts."""

    def __init__(
        self,
        params: Sequence[CrossingParams],
        scheduled_open: NDArray[np.bool_],
        geo: Geography,
        territory: Territory,
        exits: ExitParams,
    ) -> None:
        """``scheduled_open``: steps x crossings, opened by the schedule
        (``Schedule.crossing_open``)."""
        self.names = tuple(c.name for c in params)
        self.throughput_per_hour = np.array(
            [c.throughput_per_hour for c in params], dtype=np.float64
        )
        self._carry = [Carry() for _ in params]
        """Fractions of a place carried to the next open hour (throughput at a population scale)."""
        self.scheduled_open = scheduled_open
        self.geo = geo
        self.territory = territory
        self._sources = [
            geo.cells_within(*geo.point_xy_m(c.place), c.access_radius_m) for c in params
        ]
        self._fields: list[tuple[int, NDArray[np.float64], NDArray[np.int32]] | None] = [
            None
        ] * len(params)
        self._open_fields: tuple[tuple[int, tuple[int, ...]] | None, NDArray[np.float64]] = (
            None,
            np.zeros((0, geo.n_cells)),
        )
        """(territory version and open crossings, their stacked fields) last stacked."""
        self._closure_p = np.array([c.closure_probability_per_day for c in params])
        self.shut_today = np.zeros(len(params), dtype=bool)
        """Crossings shut for the whole of today (drawn at the day's first step)."""
        self.is_open = np.zeros(len(params), dtype=bool)
        """Crossings open this hour: opened by the schedule and not shut for the day."""
        self.crossed = np.zeros(len(params), dtype=np.int64)
        """People who passed each crossing this hour."""
        self.waited_hours = np.zeros(len(params), dtype=np.int64)
        """Hours those people waited in the queue, summed per crossing."""
        self.danger = np.zeros(len(params))
        """Remembered strikes on the rebel-held cells of each crossing's access area."""
        self._danger_per_strike = exits.route_danger_per_strike
        self._danger_decay = math.exp(-math.log(2) / exits.route_danger_half_life_hours)

    def begin_hour(self, t: int, rng: np.random.Generator, events: EventLog) -> None:
        """This hour's counts start at zero; at a day's first step, draw which crossings are
        shut for the day; open and close by the schedule, logging every change."""
        self.crossed[:] = 0
        self.waited_hours[:] = 0
        if t % HOURS_PER_DAY == 0:  # one draw per crossing and day, whether or not a pause is due
            draws = rng.random(self._closure_p.size)
            self.shut_today = draws < self._closure_p
            day = slice(t, t + HOURS_PER_DAY)
            for k in np.flatnonzero(self.shut_today & self.scheduled_open[day].any(axis=0)):
                events.add(t, "crossing_shut_for_day", "", self.names[k])
        was_open = self.is_open
        self.is_open = self.scheduled_open[t] & ~self.shut_today
        for k, name in enumerate(self.names):
            if self.is_open[k] != was_open[k]:
                kind = "crossing_opened" if self.is_open[k] else "crossing_closed"
                events.add(t, kind, "government", name)

    def see_strikes(self, strikes_per_cell: NDArray[np.int32]) -> None:
        """Remember this hour's strikes near each crossing (danger on the way)."""
        self.danger *= self._danger_decay
        for k, sources in enumerate(self._sources):
            self.danger[k] += strikes_per_cell[sources].sum()

    def pull(self, crossings: NDArray[np.intp]) -> NDArray[np.float64]:
        """Leaving-hazard multiplier of each of ``crossings``: 1 / (1 + per-strike x danger)."""
        return 1.0 / (1.0 + self._danger_per_strike * self.danger[crossings])

    def field(self, k: int) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
        """Distance (m) and next-cell fields of crossing ``k``, recomputed only after the
        territory changed."""
        cached = self._fields[k]
        if cached is None or cached[0] != self.territory.version:
            dist, nxt = self.territory.distance_field(self._sources[k])
            dist.flags.writeable = nxt.flags.writeable = False  # walkers' tables key on them
            cached = (self.territory.version, dist, nxt)
            self._fields[k] = cached
        return cached[1], cached[2]

    def open_fields(self) -> NDArray[np.float64]:
        """The distance fields of the crossings open now (:meth:`open_now` x cells; read
        only, stacked again only when the open crossings or the territory change)."""
        open_now = self.open_now()
        key = (self.territory.version, tuple(open_now.tolist()))
        if self._open_fields[0] != key:
            if open_now.size:
                fields = np.stack([self.field(int(k))[0] for k in open_now])
            else:
                fields = np.zeros((0, self.geo.n_cells))
            fields.flags.writeable = False
            self._open_fields = (key, fields)
        return self._open_fields[1]

    def open_now(self) -> NDArray[np.intp]:
        """The crossings open this hour."""
        return np.flatnonzero(self.is_open)

    def ways(self) -> WaysOut:
        """The ways to the crossings open this hour, worked out when first asked: with one
        open, by the pockets (no distance field needed); with more, by their fields."""
        open_now = self.open_now()
        if open_now.size == 1:
            return PocketWays(self.territory, self._sources[int(open_now[0])])
        return _FieldsWhenAsked(self)

    def walk_and_pass(self, civ: Civilians, rng: np.random.Generator, t: int) -> None:
        """Crossing by crossing: people heading there walk towards it, then, if it is open,
        the first in its queue pass at its throughput (counted in ``crossed`` and
        ``waited_hours``)."""
        moving = civ.in_state(CivilianState.MOVING)
        heading = set(civ.target_crossing[moving].tolist())
        for k in range(len(self.names)):
            if k in heading:  # someone is walking there
                dist, nxt = self.field(k)
                civ.move(k, dist, nxt, self.geo, rng, t)
            if self.is_open[k]:
                places = self._carry[k].take(self.throughput_per_hour[k])
                self.crossed[k], self.waited_hours[k] = civ.pass_crossing(k, places, t)

    def queue_lengths(self, civ: Civilians) -> NDArray[np.int64]:
        """People queued at each crossing."""
        target = civ.target_crossing[civ.in_state(CivilianState.QUEUED)]
        return np.bincount(target[target >= 0], minlength=len(self.names))


@dataclass(frozen=True)
class PocketWays:
    """The ways to one crossing: none needs a distance to choose the nearest, and a cell
    reaches it exactly when its pocket holds one of the crossing's entry cells (the walking
    graph of :meth:`Territory.distance_field` and the pockets join the same eight neighbours
    of rebel-held cells), so it is answered from the pocket labels."""

    territory: Territory
    entry: NDArray[np.bool_]
    """The crossing's entry (queue) cells, as a mask (rebel-held or not)."""

    def nearest(self, cells: NDArray[np.intp]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        labels = self.territory.pocket_labels()
        reached = np.unique(labels[self.entry & self.territory.rebel()])
        return np.zeros(cells.size, dtype=np.intp), np.isin(labels[cells], reached)


@dataclass(frozen=True)
class _FieldsWhenAsked:
    """The ways to several open crossings, by their distance fields, stacked when asked."""

    crossings: Crossings

    def nearest(self, cells: NDArray[np.intp]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        return FieldWays(self.crossings.open_fields()).nearest(cells)
