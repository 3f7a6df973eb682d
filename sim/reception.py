"""Reception in government areas: screening after the crossing, then collective shelters.

People who leave by a crossing or a deal corridor are held for ``screening_hours``, then
placed in the reception sites: each person goes to the nearest site (from the cell where
they left the enclave) that still has space; once every site is full, the overflow is
shared over the sites in proportion to their capacity (so overcrowding, people per place,
rises evenly rather than all at the nearest site), each person again to the nearest site
with quota left. Every day, each sheltered household is sponsored out by relatives with a
fixed chance and leaves for government areas.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from sim.civilians import NO_SITE, Civilians, CivilianState
from sim.geography import Geography, apportion
from sim.index_sets import is_in
from sim.params import ReceptionParams


class Reception:
    """Screening and the reception sites' occupancy."""

    def __init__(self, params: ReceptionParams, geo: Geography) -> None:
        self.params = params
        self.site_names = tuple(s.name for s in params.sites)
        self.capacity = np.array(
            [max(1, round(s.capacity * params.capacity_scale)) for s in params.sites],
            dtype=np.int64,
        )
        self.occupancy = np.zeros(len(params.sites), dtype=np.int64)
        self.released = 0
        """People sponsored out of the sites so far."""
        self.held = np.zeros(0, dtype=np.intp)
        """People detained beyond screening (still ``SCREENING``), and until which step."""
        self.held_until = np.zeros(0, dtype=np.int64)
        self.detained = 0
        """People detained so far."""
        if params.sites:
            xy = [geo.point_xy_m(s.place) for s in params.sites]
            site_x, site_y = (np.array(v) for v in zip(*xy, strict=True))
            dist = np.hypot(geo.x_m[:, None] - site_x, geo.y_m[:, None] - site_y)
            self._preference = np.argsort(dist, axis=1, kind="stable").astype(np.int8)
            """Sites by distance from each cell, nearest first."""

    def admit(self, civ: Civilians, step: int, rng: np.random.Generator) -> int:
        """People whose screening (and detention, for those detained) is over go to the sites
        (or to hosts if there are none)."""
        screening = civ.in_state(CivilianState.SCREENING)
        screened = screening[civ.exit_step[screening] + self.params.screening_hours <= step]
        if self.params.detained_share > 0.0:
            screened = self._detain(screened, step, rng)
        if screened.size == 0:
            return 0
        if self.capacity.size == 0:
            civ.set_state(screened, CivilianState.IN_GOVERNMENT_AREA)
            return int(screened.size)
        preference = self._preference[civ.cell[screened]]
        free = np.maximum(self.capacity - self.occupancy, 0)
        site = allocate(preference, free)
        overflow = site == NO_SITE
        if overflow.any():
            quota = apportion(int(overflow.sum()), self.capacity.astype(np.float64))
            site[overflow] = allocate(preference[overflow], quota)
        civ.set_state(screened, CivilianState.IN_COLLECTIVE_SHELTER)
        civ.shelter_site[screened] = site
        self.occupancy += np.bincount(site, minlength=self.capacity.size)
        return int(screened.size)

    def _detain(
        self, screened: NDArray[np.intp], step: int, rng: np.random.Generator
    ) -> NDArray[np.intp]:
        """Of those whose screening ends now, a random share is held ``detention_hours`` more;
        returns who goes on to the sites: the rest, and the detained whose time is up.

        A person's screening ends at exactly one step (this runs every step), so everyone
        due but not ending now is already held."""
        p = self.params
        ending_now = screened[~is_in(screened, self.held)]
        held_now = ending_now[rng.random(ending_now.size) < p.detained_share]
        self.held = np.concatenate([self.held, held_now])
        self.held_until = np.concatenate(
            [self.held_until, np.full(held_now.size, step + p.detention_hours)]
        )
        self.detained += int(held_now.size)
        freed = self.held_until <= step
        going = np.concatenate([ending_now[~is_in(ending_now, held_now)], self.held[freed]])
        self.held, self.held_until = self.held[~freed], self.held_until[~freed]
        return np.sort(going)

    def release(self, civ: Civilians, rng: np.random.Generator) -> int:
        """Sheltered households sponsored by relatives today leave the sites (one draw per
        household, for every household, so the draws do not depend on who is sheltered)."""
        share = self.params.sponsored_release_share_per_day
        if share == 0.0 or self.capacity.size == 0:
            return 0
        sponsored = rng.random(civ.n_households) < share
        leaving = np.flatnonzero(
            (civ.state == CivilianState.IN_COLLECTIVE_SHELTER) & sponsored[civ.household]
        )
        self.occupancy -= np.bincount(civ.shelter_site[leaving], minlength=self.capacity.size)
        civ.set_state(leaving, CivilianState.IN_GOVERNMENT_AREA)
        civ.shelter_site[leaving] = NO_SITE
        self.released += int(leaving.size)
        return int(leaving.size)


def allocate(preference: NDArray[np.integer], quota: NDArray[np.int64]) -> NDArray[np.int8]:
    """Each person (row of ``preference``: sites, most wanted first) gets the first site on
    their list with quota left; people earlier in the rows go first. ``NO_SITE`` for those
    left over when the quotas run out."""
    site = np.full(preference.shape[0], NO_SITE, dtype=np.int8)
    _allocate(np.ascontiguousarray(preference), np.asarray(quota, dtype=np.int64).copy(), site)
    return site


@njit(cache=True, nogil=True, boundscheck=False)
def _allocate(
    preference: NDArray[np.integer], left: NDArray[np.int64], site: NDArray[np.int8]
) -> None:  # pragma: no cover - compiled (test_logistics: the rule person by person)
    """Rank by rank, each person still without a site (``site`` < 0) takes the site of that
    rank if it has room (``left``, decremented), in row order: within a rank each person
    wants one site, so each site takes the first of those who want it, as many as it has."""
    n, n_sites = preference.shape
    for rank in range(n_sites):
        for row in range(n):
            if site[row] < 0:
                wanted = preference[row, rank]
                if left[wanted] > 0:
                    site[row] = wanted
                    left[wanted] -= 1
