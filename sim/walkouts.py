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

import math

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from sim.civilians import ACROSS_THE_FRONT, Civilians
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
        self._distance_m: NDArray[np.float64] | None = None
        self._recent = np.zeros(geo.n_cells, dtype=bool)
        self._near_advance = np.zeros(geo.n_cells, dtype=bool)
        self._carry = Carry()

    @property
    def active(self) -> bool:
        return self.params.walkout_hazard_per_hour > 0

    def begin_hour(
        self, t: int, taken_step: NDArray[np.int64], restraint_at_cell: NDArray[np.float64]
    ) -> None:
        """Find the stretches of front where the army advances, and this hour's places.

        ``taken_step``: the step at which the army last took each cell by force."""
        self.crossed = self.waited_hours = self.killed = 0
        if not self.active:
            return
        geo = self.geo
        recent = taken_step >= t - self.params.walkout_recent_capture_hours
        if recent.any():
            if not np.array_equal(recent, self._recent):
                self._recent = recent
                self._near_advance = self._within(recent, self.params.walkout_army_reach_m)
            sources = np.flatnonzero(self.territory.front() & self._near_advance)
        else:
            sources = np.zeros(0, dtype=np.intp)
        if not np.array_equal(sources, self._sources):
            self._sources = sources
            self._distance_m = self._reach(sources)
        self.front_km = sources.size * geo.cell_size_m / 1000.0
        restraint = float(restraint_at_cell[sources].mean()) if sources.size else 1.0
        self.places_per_hour = (
            self.params.walkout_throughput_per_hour_per_km * self.front_km * (1.0 - restraint)
        )

    def distance_m(self) -> NDArray[np.float64] | None:
        """Distance from each cell to the nearest place to walk out (inf beyond reach);
        None when there is none."""
        if not self.active or self._sources.size == 0:
            return None
        return self._distance_m

    def _reach(self, sources: NDArray[np.intp]) -> NDArray[np.float64] | None:
        """Distance to the nearest source (inf beyond ``walkout_reach_m``)."""
        if sources.size == 0:
            return None
        is_source = np.zeros(self.geo.n_cells, dtype=bool)
        is_source[sources] = True
        return self._distance_m_within(is_source, self.params.walkout_reach_m)

    def _within(self, cells: NDArray[np.bool_], radius_m: float) -> NDArray[np.bool_]:
        return np.isfinite(self._distance_m_within(cells, radius_m))

    def _distance_m_within(self, cells: NDArray[np.bool_], radius_m: float) -> NDArray[np.float64]:
        """Straight-line distance (m) from every cell's centre to the nearest of ``cells``
        where at most ``radius_m``, inf beyond (and everywhere if ``cells`` is empty).

        The distance transform runs on the window of the map that reaches more than
        ``radius_m`` beyond ``cells`` on every side: it holds all of ``cells``, so each
        distance in it is the one over the whole map, and every cell outside it is farther."""
        geo = self.geo
        grid = cells.reshape(geo.n_rows, geo.n_cols)
        distance_m = np.full((geo.n_rows, geo.n_cols), np.inf)
        rows, cols = np.nonzero(grid)
        if rows.size == 0:
            return distance_m.ravel()
        margin = max(geo.n_rows, geo.n_cols)
        if radius_m < margin * geo.cell_size_m:
            margin = math.ceil(radius_m / geo.cell_size_m) + 1
        r0, c0 = max(int(rows.min()) - margin, 0), max(int(cols.min()) - margin, 0)
        r1, c1 = int(rows.max()) + margin + 1, int(cols.max()) + margin + 1
        window = ndimage.distance_transform_edt(~grid[r0:r1, c0:c1], sampling=geo.cell_size_m)
        distance_m[r0:r1, c0:c1] = np.where(window <= radius_m, window, np.inf)
        return distance_m.ravel()

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
