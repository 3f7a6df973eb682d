"""Walk-outs across the front line: where the army has just taken ground, households nearby
cross towards it, as tens of thousands did at Hamouriyeh in March 2018.

A rebel-held front cell (touching government ground) is a place to walk out when the army took
ground within ``walkout_army_reach_m`` of it in the last ``walkout_recent_capture_hours``: the
army stands next to the area, advancing. A quiet front (a siege line, or ground handed over
under a deal) is no such place. Settled households within ``walkout_reach_m`` of such a cell
(straight-line distance; at walking pace well under an hour)
may decide to walk out (:meth:`sim.civilians.Civilians.decide_and_apply`); they join one queue
at the front, which passes ``walkout_throughput_per_hour_per_km`` x km of such front x (1 - the
holders' mean restraint there) people an hour (fractions carried to the next hour). Each
person crossing is killed on the way with ``walkout_death_probability``; the others are
screened and sheltered like those who use a crossing. Nothing is scheduled: where and when
people walk out follows from where the army stands and what holds people back.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.civilians import ACROSS_THE_FRONT, Civilians
from sim.disk_cover import DiskCover
from sim.geography import Geography
from sim.params import ExitParams
from sim.scale import Carry
from sim.territory import Territory


class Walkouts:
    """Where the front can be crossed this hour, how many may cross, and who crossed."""

    def __init__(self, params: ExitParams, geo: Geography, territory: Territory) -> None:
        self.params = params
        self.geo = geo
        self.territory = territory
        self.places_per_hour = 0.0
        """People who may cross this hour (before the carried fraction)."""
        self.front_km = 0.0
        """Length of front where the army stands close, this hour."""
        self.crossed = 0
        self.waited_hours = 0
        self.killed = 0
        """This hour's counts: people through, their waits summed, people killed crossing."""
        self._sources = np.zeros(0, dtype=np.intp)
        self._near_advance = DiskCover(
            geo.n_rows, geo.n_cols, geo.cell_size_m, params.walkout_army_reach_m
        )
        """Cells within the army's reach of ground it took recently."""
        self._in_reach = DiskCover(geo.n_rows, geo.n_cols, geo.cell_size_m, params.walkout_reach_m)
        """Cells within walking reach of a place to walk out."""
        self._carry = Carry()

    @property
    def active(self) -> bool:
        return self.params.walkout_hazard_per_hour > 0

    def begin_hour(self, t: int, taken_step: NDArray[np.int64]) -> None:
        """Find the stretches of front where the army advances: this hour's places to walk out.

        ``taken_step``: the step at which the army last took each cell by force."""
        self.crossed = self.waited_hours = self.killed = 0
        if not self.active:
            return
        geo = self.geo
        recent = taken_step >= t - self.params.walkout_recent_capture_hours
        if recent.any():
            near_advance = self._near_advance.update(recent)
            sources = np.flatnonzero(self.territory.front() & near_advance)
        else:
            sources = np.zeros(0, dtype=np.intp)
        if not np.array_equal(sources, self._sources):
            self._sources = sources
            is_source = np.zeros(geo.n_cells, dtype=bool)
            is_source[sources] = True
            self._in_reach.update(is_source)
        self.front_km = sources.size * geo.cell_size_m / 1000.0

    def open_places(self, restraint_at_cell: NDArray[np.float64]) -> None:
        """This hour's places: the throughput of the front found by :meth:`begin_hour`, less
        the holders' mean restraint over it."""
        if not self.active:
            return
        sources = self._sources
        restraint = float(restraint_at_cell[sources].mean()) if sources.size else 1.0
        self.places_per_hour = (
            self.params.walkout_throughput_per_hour_per_km * self.front_km * (1.0 - restraint)
        )

    def in_reach(self) -> NDArray[np.bool_] | None:
        """Whether each cell lies within ``walkout_reach_m`` (straight line) of a place to walk
        out; None when there is none."""
        if not self.active or self._sources.size == 0:
            return None
        return self._in_reach.covered

    def cross(self, civ: Civilians, rng: np.random.Generator, t: int) -> None:
        """The first in the queue cross at this hour's places (the fraction carries over)."""
        if not self.active:
            return
        queued = civ.queued_at(ACROSS_THE_FRONT)
        if queued.size and self._sources.size == 0:  # the army moved away: they go home
            civ.settle(queued)
            return
        places = self._carry.take(self.places_per_hour)
        if places == 0 or queued.size == 0:
            return
        self.crossed, self.waited_hours, self.killed = civ.cross_front(
            places, self.params.walkout_death_probability, rng, t
        )
