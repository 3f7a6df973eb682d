"""Medical evacuation: a waiting list of the critically ill and wounded, evacuations by
agreement, and deaths while waiting.

The list starts with ``initial_patients`` people drawn at random from the residents; each
hour, critically wounded survivors of the shelling join it (on average
``critically_wounded_per_death`` for each civilian the shelling killed). Every day each patient
still waiting dies with a fixed chance. Evacuations come with agreements: while a deal is open,
once a day the patients on its cells who have waited longest are evacuated to hospitals in
government areas, up to ``patients_per_day_under_deal`` (the model calls
:meth:`MedevacList.evacuate_from`). Fixed-date windows (``windows``, a counterfactual) evacuate
the longest-waiting patients anywhere. Patients who leave the enclave by any other route, or are
killed, drop off the list.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sim.civilians import LAST_ENCLAVE_STATE, Civilians, ExitRoute
from sim.clock import HOURS_PER_DAY
from sim.index_sets import is_in
from sim.params import MedevacParams
from sim.scale import Carry


class MedevacList:
    """The waiting list: patients (person indices) in the order they joined it."""

    def __init__(
        self, params: MedevacParams, civ: Civilians, rng: np.random.Generator, n_steps: int
    ) -> None:
        self.params = params
        self.places_by_step = np.zeros(n_steps, dtype=np.float64)
        """Patients that may be evacuated at each step (the windows' days at their hour);
        fractions carry over to the next window."""
        self._carry = {"windows": Carry(), "deals": Carry()}
        """Fractions of a place carried over (at a population scale, :mod:`sim.scale`)."""
        for w in params.windows:
            steps = np.arange(w.start_day, w.end_day) * HOURS_PER_DAY + w.hour
            self.places_by_step[steps[steps < n_steps]] += w.patients_per_day
        k = min(params.initial_patients, civ.n)
        self.patients = np.sort(rng.choice(civ.n, size=k, replace=False)).astype(np.intp)
        self.joined_step = np.zeros(k, dtype=np.int64)
        self.evacuated = 0
        self.died_waiting = 0
        self.left_otherwise = 0
        """Patients who left the enclave by another route (or were killed) while waiting."""
        self._death_p_per_day = -math.expm1(-params.death_rate_per_day)

    @property
    def waiting(self) -> int:
        return int(self.patients.size)

    def refresh(self, civ: Civilians) -> None:
        """Drop patients who are no longer inside the enclave (left otherwise, or killed)."""
        inside = civ.state[self.patients] <= LAST_ENCLAVE_STATE
        self.left_otherwise += int(np.count_nonzero(~inside))
        self.patients = self.patients[inside]
        self.joined_step = self.joined_step[inside]

    def add_wounded(
        self,
        civ: Civilians,
        struck_survivors: NDArray[np.intp],
        killed: int,
        rng: np.random.Generator,
        step: int,
    ) -> int:
        """Critically wounded survivors of this hour's shelling join the list."""
        rate = self.params.critically_wounded_per_death * killed
        if rate == 0.0 or struck_survivors.size == 0:
            return 0
        candidates = struck_survivors[~is_in(struck_survivors, self.patients)]
        n = min(int(rng.poisson(rate)), candidates.size)
        wounded = np.sort(rng.choice(candidates, size=n, replace=False))
        self.patients = np.concatenate([self.patients, wounded])
        self.joined_step = np.concatenate([self.joined_step, np.full(n, step)])
        return n

    def deaths_while_waiting(self, civ: Civilians, rng: np.random.Generator, step: int) -> int:
        """One day's deaths on the list (called at a day's first step)."""
        self.refresh(civ)
        if self.patients.size == 0 or self._death_p_per_day == 0.0:
            return 0
        dies = rng.random(self.patients.size) < self._death_p_per_day
        civ.kill(self.patients[dies], step)
        self.died_waiting += int(np.count_nonzero(dies))
        self.patients = self.patients[~dies]
        self.joined_step = self.joined_step[~dies]
        return int(np.count_nonzero(dies))

    def evacuate(self, civ: Civilians, step: int) -> int:
        """In a window, the longest-waiting patients (as many as it has places this step)
        leave for hospitals in government areas."""
        self.refresh(civ)
        places = self._whole_places("windows", float(self.places_by_step[step]))
        chosen = np.arange(min(places, self.patients.size))
        return self._leave(civ, chosen, step)

    def evacuate_from(self, civ: Civilians, on_cells: NDArray[np.bool_], step: int) -> int:
        """Under an agreement: the longest-waiting patients standing on ``on_cells`` (a mask
        over cells), up to ``patients_per_day_under_deal``, leave for hospitals."""
        self.refresh(civ)
        here = np.flatnonzero(on_cells[civ.cell[self.patients]])
        places = self._whole_places("deals", self.params.patients_per_day_under_deal)
        return self._leave(civ, here[:places], step)

    def _whole_places(self, kind: str, places: float) -> int:
        """Whole places now; the fraction carries over to the next evacuation of ``kind``."""
        return self._carry[kind].take(places)

    def _leave(self, civ: Civilians, chosen: NDArray[np.intp], step: int) -> int:
        """Patients at positions ``chosen`` of the list leave it by medical evacuation."""
        if chosen.size == 0:
            return 0
        civ.leave_enclave(self.patients[chosen], ExitRoute.MEDEVAC, step)
        keep = np.ones(self.patients.size, dtype=bool)
        keep[chosen] = False
        self.patients = self.patients[keep]
        self.joined_step = self.joined_step[keep]
        self.evacuated += int(chosen.size)
        return int(chosen.size)
