"""Civilians: every person an agent, stored as columns and updated by vectorised rules.

Each person has a state, a household, a home cell and a current cell, fear and a fear
sensitivity. Households decide together: one draw per household per decision, applied to
its members who are eligible. Nothing here draws from a global random state; every method
takes the generator it uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.fear import decay_and_bound_harm, decay_and_harm, run_starts
from sim.geography import Geography
from sim.index_sets import union
from sim.may_act import may_act, settle_options
from sim.on_cells import inside_at_home
from sim.params import CivilianParams, DealParams, ExitParams, PopulationParams
from sim.rng import random_at, random_between, skip_random, uniforms_below


class CivilianState(IntEnum):
    """Where a person is. The first six are inside the enclave."""

    AT_HOME = 0
    SHELTERING = 1
    MOVING = 2
    QUEUED = 3
    AWAITING_BUS = 4
    """Chose the buses north under a deal; waits at home for a seat."""
    AWAITING_CORRIDOR = 5
    """Chose government shelters under a deal; waits at home for their turn at its corridor."""
    SCREENING = 6
    """Left by a crossing or a deal corridor; held for security screening."""
    IN_COLLECTIVE_SHELTER = 7
    """Screened and placed in a reception site (``shelter_site``)."""
    IN_GOVERNMENT_AREA = 8
    """Under government control outside the reception sites: captured where they stood,
    sponsored out of a shelter, screened when no site is configured, or medically evacuated."""
    BUSSED_NORTH = 9
    KILLED = 10


class ExitRoute(IntEnum):
    """How a person came to be outside the enclave (``NONE`` while inside it, or if killed
    inside it). All but ``STAYED`` are ways of leaving (:data:`LEFT_ENCLAVE_ROUTES`)."""

    NONE = 0
    CROSSING = 1
    STAYED = 2
    """Did not leave: their ground changed hands around them (taken by force, surrendered,
    or handed over under a deal) and they came under government control where they were."""
    BUS = 3
    DEAL_CORRIDOR = 4
    """Chose government shelters under a deal and walked out through the ceasefire lines."""
    MEDEVAC = 5
    """Evacuated from the medical waiting list to hospitals in government areas."""
    FRONT = 6
    """Walked out across the front line towards the army (then screened like a crossing)."""


class DealChoice(IntEnum):
    """A household's answer when its faction accepts an evacuation deal."""

    STAY = 0
    """Reconciliation: stay at home and come under government control at the hand-over."""
    SHELTERS = 1
    BUS = 2


N_STATES = len(CivilianState)
N_ROUTES = len(ExitRoute)
LAST_ENCLAVE_STATE = int(CivilianState.AWAITING_CORRIDOR)
"""States up to this one (its code) are inside the enclave. Arrays are compared with codes,
not members: numpy probes an enum member's class for its array protocols at every
comparison, which costs a metaclass ``__getattr__`` (~2 us) on Python 3.11."""
NO_CROSSING = -1
ACROSS_THE_FRONT = -2
"""``target_crossing`` of people queued to walk out across the front (:mod:`sim.walkouts`)."""
NO_SITE = -1
SCREENED_ROUTES = (ExitRoute.CROSSING, ExitRoute.DEAL_CORRIDOR, ExitRoute.FRONT)
LEFT_ENCLAVE_ROUTES = (*SCREENED_ROUTES, ExitRoute.MEDEVAC, ExitRoute.BUS)
"""Routes by which people left the enclave as OCHA counts it (went out, or bussed north)."""
"""Routes whose people are screened and then sent to the reception sites."""


def _allowed_routes() -> NDArray[np.bool_]:
    """States x routes: the exit routes a person in each state can have."""
    allowed = np.zeros((N_STATES, N_ROUTES), dtype=bool)
    allowed[: LAST_ENCLAVE_STATE + 1, ExitRoute.NONE] = True
    allowed[CivilianState.SCREENING, list(SCREENED_ROUTES)] = True
    allowed[CivilianState.IN_COLLECTIVE_SHELTER, list(SCREENED_ROUTES)] = True
    in_government_area = [*SCREENED_ROUTES, ExitRoute.STAYED, ExitRoute.MEDEVAC]
    allowed[CivilianState.IN_GOVERNMENT_AREA, in_government_area] = True
    allowed[CivilianState.BUSSED_NORTH, ExitRoute.BUS] = True
    allowed[CivilianState.KILLED, ExitRoute.NONE] = True
    return allowed


ALLOWED_ROUTES = _allowed_routes()
LISTED_STATES = (
    CivilianState.MOVING,
    CivilianState.QUEUED,
    CivilianState.AWAITING_BUS,
    CivilianState.AWAITING_CORRIDOR,
    CivilianState.SCREENING,
)
"""Passing states, which hold few people and are asked for every hour: :meth:`Civilians.in_state`
reads a kept list of who may be in them instead of scanning everyone."""
WALK_TABLE_AFTER_HOURS = 4
"""Hours of walking on one field after which each cell's end of an hour's walk is tabled."""
FEAR_MARGIN = 1e-6
"""Relative margin of the kept fear bounds each hour: more than the float32 rounding of one
hour's fear update (a few units of 6e-8)."""
FEAR_SLACK = 1e-30
"""Absolute slack when a fear bound is compared with a threshold: more than float32 rounding
near zero (subnormal fear)."""


class WaysOut(Protocol):
    """The ways from cells to the crossings open this hour."""

    def nearest(self, cells: NDArray[np.intp]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """For each of ``cells``: the position (in the open crossings) of the nearest open
        crossing by walking distance, and whether any can be reached at all."""
        ...


@dataclass(frozen=True)
class FieldWays:
    """:class:`WaysOut` read from the open crossings' distance fields."""

    distance_m: NDArray[np.float64]
    """Open crossings x cells: walking distance (inf where a crossing cannot be reached)."""

    def nearest(self, cells: NDArray[np.intp]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        dist = self.distance_m[:, cells]
        nearest = np.argmin(dist, axis=0)
        return nearest, np.isfinite(dist[nearest, np.arange(cells.size)])


class Civilians:
    """The columns of all civilians and the rules that change them."""

    def __init__(
        self,
        geo: Geography,
        population: PopulationParams,
        params: CivilianParams,
        exits: ExitParams,
        rng: np.random.Generator,
    ) -> None:
        self.params = params
        self.exits = exits
        cells = np.flatnonzero(geo.people)
        counts = geo.people[cells]
        n = int(counts.sum())
        self.n = n
        self.home_cell = np.repeat(cells, counts).astype(np.int32)
        self.cell = self.home_cell.copy()
        self.home_district = geo.district[self.home_cell].astype(np.int32)
        self.household = _households(counts, population.mean_household_size, rng)
        self.mean_household_size = population.mean_household_size
        """The mean of the drawn household sizes, before households are cut at cell ends."""
        self.n_households = int(self.household[-1]) + 1 if n else 0
        self.state = np.zeros(n, dtype=np.int8)
        self.exit_route = np.zeros(n, dtype=np.int8)
        self.exit_step = np.full(n, -1, dtype=np.int32)
        self.fear = np.full(n, params.initial_fear, dtype=np.float32)
        self.fear_sensitivity = rng.lognormal(0.0, params.fear_sensitivity_sigma, n).astype(
            np.float32
        )
        self.target_crossing = np.full(n, NO_CROSSING, dtype=np.int16)
        self.queue_ticket = np.full(n, np.inf, dtype=np.float64)
        """Place in a crossing's queue, on a deal's bus list or at its corridor (lower first)."""
        self.affiliation = np.zeros(n, dtype=np.int8)
        """Controller code of the faction a person's household is a fighter's family of; 0 none."""
        self.shelter_site = np.full(n, NO_SITE, dtype=np.int8)
        """Reception site of a person ``IN_COLLECTIVE_SHELTER``; ``NO_SITE`` otherwise."""
        self.household_size = np.bincount(self.household, minlength=self.n_households)
        # People are stored household by household, so a household is a slice of the arrays.
        self._household_start = np.flatnonzero(np.diff(self.household, prepend=-1))
        self._fear_decay = np.float32(math.exp(-math.log(2) / params.fear_half_life_hours))
        runs = np.flatnonzero(np.diff(self.home_district, prepend=-1))
        self._district_runs = (
            self.home_district[runs].astype(np.int64),
            run_starts(np.diff(np.append(runs, n))),
        )
        """Home district of each run of people with the same one (people are stored by home
        cell), and where each run starts (:func:`sim.fear.run_starts`)."""
        self._away = np.zeros(0, dtype=np.intp)
        """People inside the enclave standing off their home cell (ascending), kept up to date
        by :meth:`move`; read by :meth:`inside_on`."""
        self.state_route_counts = np.zeros((N_STATES, N_ROUTES), dtype=np.int64)
        """People per (state, exit route), kept up to date by :meth:`set_state` (read only:
        :meth:`state_by_route` counts the columns afresh, the full invariant check compares)."""
        self.state_route_counts[CivilianState.AT_HOME, ExitRoute.NONE] = n
        self.inside_by_district = np.bincount(
            self.home_district, minlength=len(geo.district_names)
        ).astype(np.int64)
        """People inside the enclave by home district, kept up to date by :meth:`set_state`."""
        self.at_home_in_household = self.household_size.astype(np.int32)
        self.sheltering_in_household = np.zeros(self.n_households, dtype=np.int32)
        """Members ``AT_HOME`` and ``SHELTERING`` of each household, kept up to date by
        :meth:`set_state`."""
        self._listed: dict[int, NDArray[np.intp]] = {
            s: np.zeros(0, dtype=np.intp) for s in LISTED_STATES
        }
        """For each of :data:`LISTED_STATES`, people (ascending) who were in it when last
        asked; with those who joined it since (:attr:`_joined`), everyone in it."""
        self._joined: dict[int, list[NDArray[np.intp]]] = {s: [] for s in LISTED_STATES}
        self._reach: dict[
            int, tuple[NDArray[np.float64], NDArray[np.int32], int, NDArray[np.int32] | None]
        ] = {}
        """Per crossing: the field last walked (distance, next cell), hours walked on it and
        :meth:`_hour_reach`'s table (None until made)."""
        self._init_fear_bounds()

    def _init_fear_bounds(self) -> None:
        """Bounds of each household's members' fear, kept by :meth:`perceive` so that
        :meth:`decide_and_apply` looks member by member only at households whose fear could
        cross a threshold. Kept only where fear can never be negative (then every term of its
        update is non-negative, and a relative margin covers float32 rounding); else
        unbounded."""
        p = self.params
        first = self._household_start
        initial = float(np.float32(p.initial_fear))
        self._fear_bounds_kept = (
            initial >= 0
            and p.fear_per_strike_in_cell >= 0
            and p.fear_per_strike_per_km2_in_district >= 0
        )
        kept = self._fear_bounds_kept
        self.fear_lower = np.full(self.n_households, initial if kept else -math.inf)
        self.fear_upper = np.full(self.n_households, initial if kept else math.inf)
        """Each household's bounds (lower, upper) of every member's fear (read-only; up to
        :data:`FEAR_SLACK`)."""
        if self.n:
            sensitivity = self.fear_sensitivity.astype(np.float64)
            self._sensitivity_upper = np.maximum.reduceat(sensitivity, first) * (1 + FEAR_MARGIN)
            self._sensitivity_lower = np.minimum.reduceat(sensitivity, first) * (1 - FEAR_MARGIN)
        else:
            self._sensitivity_upper = self._sensitivity_lower = np.zeros(0)
        self._fear_decay_upper = float(self._fear_decay) * (1 + FEAR_MARGIN)
        self._fear_decay_lower = float(self._fear_decay) * (1 - FEAR_MARGIN)
        runs = np.flatnonzero(np.diff(self.home_district[first], prepend=-1))
        self._household_district_runs = (
            self.home_district[first][runs].astype(np.int64),
            run_starts(np.diff(np.append(runs, self.n_households))),
        )
        """Home district of each run of households with the same one, and where each run
        starts."""

    # ----------------------------------------------------------------- queries
    def in_state(self, state: CivilianState) -> NDArray[np.intp]:
        """People in ``state``, in order; no pass over everyone when the kept counts say
        nobody is (so the columns must change through :meth:`set_state`)."""
        if not self.state_route_counts[state].any():
            if state in self._listed:
                self._listed[state] = np.zeros(0, dtype=np.intp)
                self._joined[state].clear()
            return np.zeros(0, dtype=np.intp)
        code = int(state)  # compared as a code (:data:`LAST_ENCLAVE_STATE`)
        if state not in self._listed:
            return np.flatnonzero(self.state == code)
        listed = self._listed[state]
        if not self._joined[state]:
            # The list (distinct) holds everyone in the state and maybe some who left it:
            # nobody left if it is as long as the kept count.
            if listed.size != self.state_route_counts[state].sum():
                listed = listed[self.state[listed] == code]
                self._listed[state] = listed
            return listed.copy()
        listed = np.concatenate([listed, *self._joined[state]])
        self._joined[state].clear()
        listed = listed[self.state[listed] == code]
        if listed.size and not (listed[1:] > listed[:-1]).all():
            # Joined since: sort (runs already in order merge fast) and drop repeats (someone
            # who left and came back).
            listed.sort(kind="stable")
            listed = listed[np.concatenate(([True], listed[1:] != listed[:-1]))]
        self._listed[state] = listed
        return listed.copy()

    def in_enclave(self) -> NDArray[np.bool_]:
        return self.state <= LAST_ENCLAVE_STATE

    def exits_by_route(self) -> NDArray[np.int64]:
        """People per :class:`ExitRoute`; index ``NONE`` counts those who have not left."""
        return np.bincount(self.exit_route, minlength=len(ExitRoute))

    def state_by_route(self) -> NDArray[np.int64]:
        """People per (:class:`CivilianState`, :class:`ExitRoute`), in one pass: summed
        over routes it gives people per state, over states :meth:`exits_by_route`. People with a
        state or route outside the enums are left out (so the table's sum shows them)."""
        # 256 slots per state: an out-of-range route cannot alias a valid (state, route) pair.
        key = self.state.astype(np.int16) * 256 + self.exit_route
        table = np.bincount(key, minlength=N_STATES * 256)[: N_STATES * 256]
        return table.reshape(N_STATES, 256)[:, :N_ROUTES]

    # ----------------------------------------------------------------- transitions
    def set_state(
        self, who: NDArray[np.intp], state: CivilianState, route: ExitRoute | None = None
    ) -> None:
        """Put the distinct people ``who`` (indices) in ``state`` (and exit ``route``, if
        given), keeping :attr:`state_route_counts` and :attr:`inside_by_district` up to date:
        every change of state or route goes through here."""
        if who.size == 0:
            return
        code = int(state)  # compared as a code (:data:`LAST_ENCLAVE_STATE`)
        old_state = self.state[who].astype(np.intp)
        old_route = self.exit_route[who].astype(np.intp)
        np.subtract.at(self.state_route_counts, (old_state, old_route), 1)
        if route is None:
            np.add.at(self.state_route_counts, (code, old_route), 1)
        else:
            self.state_route_counts[code, int(route)] += who.size
        # ``who`` by old state: which of the kept tallies below can change at all.
        old_by_state = np.bincount(old_state, minlength=N_STATES).tolist()
        now_inside = code <= LAST_ENCLAVE_STATE
        if sum(old_by_state[: LAST_ENCLAVE_STATE + 1]) != (who.size if now_inside else 0):
            in_or_out = who[(old_state <= LAST_ENCLAVE_STATE) != now_inside]
            self.inside_by_district += (1 if now_inside else -1) * np.bincount(
                self.home_district[in_or_out], minlength=self.inside_by_district.size
            )
        for settled, count in (  # codes, as :data:`LAST_ENCLAVE_STATE`
            (int(CivilianState.AT_HOME), self.at_home_in_household),
            (int(CivilianState.SHELTERING), self.sheltering_in_household),
        ):
            if code == settled and old_by_state[settled] < who.size:  # some join it
                np.add.at(count, self.household[who[old_state != settled]], np.int32(1))
            elif code != settled and old_by_state[settled] > 0:  # some leave it
                np.add.at(count, self.household[who[old_state == settled]], np.int32(-1))
        self.state[who] = code
        if state in self._joined:
            self._joined[state].append(who.astype(np.intp))
        if route is not None:
            self.exit_route[who] = int(route)

    def assign_affiliation(
        self,
        code_at_cell: NDArray[np.integer],
        households_per_code: NDArray[np.int64],
        rng: np.random.Generator,
        people_per_agent: int,
    ) -> None:
        """Draw fighters' families: ``households_per_code[c]`` households living on cells of
        faction ``c`` (``code_at_cell``), without replacement, capped at all of them.

        At a population scale (``people_per_agent`` N > 1) a cell holds 1/N of the agents, so
        far more households are cut short at its end and a household has fewer agents than at
        full scale (1:10 on the default map: 2.9 instead of 4.7), and a count of households would
        hold too few people. There the families are counted in people: households are drawn in
        random order until they hold about ``households_per_code[c]`` x the mean household size
        of the full-scale population on the faction's cells (N x each cell's agents;
        :func:`expected_households`) agents."""
        code_of_household = code_at_cell[self.home_cell[self._household_start]]
        household_affiliation = np.zeros(self.n_households, dtype=np.int8)
        agents_per_cell = np.bincount(self.home_cell, minlength=code_at_cell.size)
        for code in range(1, households_per_code.size):
            candidates = np.flatnonzero(code_of_household == code)
            if people_per_agent == 1:
                k = min(int(households_per_code[code]), candidates.size)
                household_affiliation[rng.choice(candidates, size=k, replace=False)] = code
                continue
            people = agents_per_cell[(code_at_cell == code) & (agents_per_cell > 0)]
            people = people.astype(np.int64) * people_per_agent
            full_scale_size = people.sum() / max(
                expected_households(people, self.mean_household_size), 1.0
            )
            target_agents = float(households_per_code[code]) * full_scale_size
            order = rng.permutation(candidates)
            members = np.cumsum(self.household_size[order])
            k = int(np.searchsorted(members, target_agents))  # members[k - 1] < target
            if k < order.size and members[k] - target_agents < target_agents - (
                members[k - 1] if k else 0
            ):
                k += 1  # the household that reaches the target, if that is nearer
            household_affiliation[order[:k]] = code
        self.affiliation = household_affiliation[self.household]

    def leave_enclave(self, who: NDArray[np.intp], route: ExitRoute, step: int) -> None:
        """Move people out of the enclave by ``route``: north, to screening (crossings and
        deal corridors) or into government areas (captured where they stand, or
        medically evacuated)."""
        if route == ExitRoute.BUS:
            self.set_state(who, CivilianState.BUSSED_NORTH, route)
        elif route in SCREENED_ROUTES:
            self.set_state(who, CivilianState.SCREENING, route)
        else:
            self.set_state(who, CivilianState.IN_GOVERNMENT_AREA, route)
        self.exit_step[who] = step
        self.target_crossing[who] = NO_CROSSING
        self.queue_ticket[who] = np.inf

    def capture_cells(self, captured_cell: NDArray[np.bool_], step: int) -> int:
        """Everyone inside the enclave standing on a captured cell is now in government areas."""
        who = self.inside_on(np.flatnonzero(captured_cell))
        self.leave_enclave(who, ExitRoute.STAYED, step)
        return int(who.size)

    def shelling_casualties(
        self,
        struck: NDArray[np.intp],
        strikes_on_struck: NDArray[np.int32],
        lethality_per_strike: float,
        shelter_protection: float,
        rng: np.random.Generator,
        step: int,
    ) -> tuple[int, NDArray[np.intp]]:
        """Kill people in struck cells: each strike kills each person with the lethality.

        ``struck``: people (ascending) on struck cells, ``strikes_on_struck`` the strikes on
        each one's cell; those inside the enclave are hit. Returns the number killed and the
        survivors hit."""
        hit = (strikes_on_struck > 0) & (self.state[struck] <= LAST_ENCLAVE_STATE)
        who = struck[hit]
        if who.size == 0:
            return 0, who
        lethality = np.where(
            self.state[who] == CivilianState.SHELTERING,
            lethality_per_strike * (1.0 - shelter_protection),
            lethality_per_strike,
        )
        p_killed = 1.0 - (1.0 - lethality) ** strikes_on_struck[hit]
        dies = rng.random(who.size) < p_killed
        return self.kill(who[dies], step), who[~dies]

    def kill(self, who: NDArray[np.intp], step: int) -> int:
        self.set_state(who, CivilianState.KILLED)
        self.exit_step[who] = step
        self.target_crossing[who] = NO_CROSSING
        self.queue_ticket[who] = np.inf
        return int(who.size)

    def on_cells(self, cells: NDArray[np.intp], n_cells: int) -> NDArray[np.intp]:
        """People inside the enclave standing on ``cells`` (any order, repeats allowed;
        ``n_cells``: cells of the map)."""
        mask = np.zeros(n_cells, dtype=bool)
        mask[cells] = True
        return self.inside_on(np.flatnonzero(mask))

    def away_from_home(self) -> NDArray[np.intp]:
        """The kept list of people standing off their home cell (ascending): everyone inside
        the enclave who is, and maybe some who have left it since."""
        return self._away

    def inside_on(self, cells: NDArray[np.intp]) -> NDArray[np.intp]:
        """People inside the enclave standing on ``cells`` (ascending, distinct), in person
        order, found without a pass over everyone: people are stored by home cell, and the
        few standing elsewhere are kept in a list."""
        cells = cells.astype(self.home_cell.dtype)  # else searchsorted converts home_cell
        lo = np.searchsorted(self.home_cell, cells, side="left")
        hi = np.searchsorted(self.home_cell, cells, side="right")
        on_home_cell = inside_at_home(
            lo, hi, self.cell, self.home_cell, self.state, LAST_ENCLAVE_STATE
        )
        self._away = self._away[self.state[self._away] <= LAST_ENCLAVE_STATE]
        if self._away.size == 0 or cells.size == 0:
            return on_home_cell
        # The two lists are disjoint: the kept list holds only people off home (all inside).
        where = self.cell[self._away]
        at = np.minimum(np.searchsorted(cells, where), cells.size - 1)
        return np.sort(np.concatenate([on_home_cell, self._away[cells[at] == where]]))

    # ----------------------------------------------------------------- perceive
    def perceive(
        self,
        struck: NDArray[np.intp],
        strikes_on_struck: NDArray[np.int32],
        district_strikes_per_km2: NDArray[np.float64],
    ) -> None:
        """Fear decays and grows with harm seen this hour: the strikes per km2 of one's home
        district, and for ``struck`` (people inside the enclave on struck cells) the
        ``strikes_on_struck`` on their cell. (Fear outside the enclave is never read.)"""
        p = self.params
        if not district_strikes_per_km2.any():  # no harm seen this hour: fear only decays
            self.fear *= self._fear_decay
            if self._fear_bounds_kept:
                self.fear_upper *= self._fear_decay_upper
                self.fear_lower *= self._fear_decay_lower
            return
        by_district = (p.fear_per_strike_per_km2_in_district * district_strikes_per_km2).astype(
            np.float32
        )
        in_cell = p.fear_per_strike_in_cell * strikes_on_struck.astype(np.float32)
        district, run_start = self._district_runs
        decay_and_harm(
            self.fear,
            self.fear_sensitivity,
            self._fear_decay,
            run_start,
            district,
            by_district,
            struck,
            in_cell,
        )
        if self._fear_bounds_kept:
            # Between the household's district harm and that plus the most harm on a member's
            # cell, times its least and most sensitivity (all non-negative).
            district, run_start = self._household_district_runs
            decay_and_bound_harm(
                self.fear_upper,
                self.fear_lower,
                self._fear_decay_upper,
                self._fear_decay_lower,
                self._sensitivity_upper,
                self._sensitivity_lower,
                run_start,
                district,
                by_district,
                self.household[struck],  # ascending, so each household's members together
                in_cell,
            )

    # ----------------------------------------------------------------- decide
    def members(self, households: NDArray[np.intp]) -> NDArray[np.intp]:
        """Every member of ``households`` (ascending ids), in person order."""
        return _ranges(self._household_start[households], self.household_size[households])

    def _members_at(
        self, households: NDArray[np.intp]
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """:meth:`members` of ``households``, each member's position in ``households`` and
        each household's first member's position in the members (for
        :meth:`household_means`)."""
        sizes = self.household_size[households]
        who = _ranges(self._household_start[households], sizes)
        of = np.repeat(np.arange(households.size), sizes)
        return who, of, np.cumsum(sizes) - sizes

    def household_means(
        self,
        columns: tuple[NDArray[np.float32], ...],
        mask: NDArray[np.bool_],
        households: NDArray[np.intp] | None = None,
        first: NDArray[np.intp] | None = None,
    ) -> tuple[NDArray[np.float64], ...]:
        """Mean of each column over each household's members in ``mask`` (0 where none).

        With ``households`` (ascending ids), only those, and ``columns`` and ``mask`` hold
        their members (:meth:`members`); each household's sum is the same float either way.
        ``first``: the position of each one's first member there, if known
        (:meth:`_members_at`)."""
        if households is None:
            starts = self._household_start
        elif first is not None:
            starts = first
        else:
            sizes = self.household_size[households]
            starts = np.cumsum(sizes) - sizes
        if starts.size == 0 or mask.size == 0:
            return tuple(np.zeros(starts.size) for _ in columns)
        size = np.add.reduceat(mask.view(np.int8), starts, dtype=np.int32)
        means = []
        for values in columns:
            total = np.add.reduceat(values * mask, starts, dtype=np.float64)
            means.append(np.divide(total, size, out=np.zeros_like(total), where=size > 0))
        return tuple(means)

    def decide_and_apply(
        self,
        restraint_at_cell: NDArray[np.float64],
        open_crossings: NDArray[np.intp],
        ways: WaysOut,
        crossing_pull: NDArray[np.float64],
        walkout_in_reach: NDArray[np.bool_] | None,
        hunger_by_district: NDArray[np.float64],
        word_factor: float,
        rng: np.random.Generator,
        step: int,
    ) -> int:
        """Households choose to shelter, return home, set out for a crossing or walk out across
        the front; then the choices apply.

        ``ways`` finds, for the cells of those who may leave, the nearest of
        ``open_crossings`` by walking distance and whether it can be reached (asked only then:
        :class:`FieldWays`, or the crossings' own), and ``crossing_pull`` holds a hazard
        multiplier for each (danger on the way); people set out for the nearest.
        ``walkout_in_reach`` says whether each cell is within reach of a stretch of front where
        people can walk out (None: nowhere).
        ``restraint_at_cell`` is the share of the leaving hazard suppressed on each cell by its
        holders; ``hunger_by_district`` is everyone's hunger by home district (a
        household lives in one); ``word_factor`` is the pull of the news of safe passage
        (:class:`sim.exit_barriers.ExitBarriers`). Returns how many set out.

        Each household draws its three numbers every hour (the stream moves on by all of them;
        those nobody can read are skipped, not made: :func:`sim.rng.skip_random`, a NaN in
        place of a first number not made; the second made only where it falls below an upper
        bound of anyone's leaving probability, :func:`sim.rng.uniforms_below`); only the
        households whose draws
        could make them act are then looked at member by member, with the same arithmetic as
        for everyone: below the hazard of sheltering with someone at home and fear that may be
        above its threshold (:attr:`fear_upper`), below that of going home with someone
        sheltering and fear that may be below its threshold (:attr:`fear_lower`), or below an
        upper bound of anyone's leaving hazard.
        """
        p = self.params
        can_cross = open_crossings.size > 0 and p.leave_hazard_per_hour > 0
        can_walk_out = walkout_in_reach is not None and self.exits.walkout_hazard_per_hour > 0
        p_shelter = -np.expm1(-p.shelter_hazard_per_hour)
        p_home = -np.expm1(-p.return_home_hazard_per_hour)
        # Those whose fear bounds let them shelter, or go home, if the draw says so; only they
        # read u_shelter, made over the span of households they cover (skipped elsewhere).
        options = np.empty(self.n_households, dtype=np.int8)
        span_first, span_end = settle_options(
            self.at_home_in_household,
            self.sheltering_in_household,
            self.fear_upper,
            self.fear_lower,
            FEAR_SLACK,
            p.shelter_fear_threshold,
            p.return_home_fear_threshold,
            options,
        )
        u_settle = random_between(rng, self.n_households, span_first, span_end)
        below, u_below = np.zeros(0, dtype=np.intp), np.zeros(0)
        if can_cross or can_walk_out:
            # Factors of the push by home district and by cell, worked out once for both the
            # bound and the candidates (each candidate's factor is the same float either way).
            fed_by_district = 1.0 + p.hunger_weight * hunger_by_district
            free_at_cell = 1.0 - restraint_at_cell
            bound = self._leave_probability_bound(
                free_at_cell,
                crossing_pull if can_cross else None,
                can_walk_out,
                fed_by_district,
                word_factor,
            )
            # u_leave is read only where it falls below the bound: only those are made.
            below, u_below = uniforms_below(rng, self.n_households, bound)
            # u_route, the third draw per household, is made where it is read.
        else:  # nobody can leave: the two other draws are skipped, not made
            skip_random(rng, 2 * self.n_households)
        acting, u_acting, may_leave, u_leave = may_act(
            options, span_first, u_settle, p_shelter, p_home, below, u_below
        )
        who, of, first = self._members_at(acting)  # of: each one's household's index in acting
        state = self.state[who]
        home = state == int(CivilianState.AT_HOME)  # codes, as :data:`LAST_ENCLAVE_STATE`
        sheltering = state == int(CivilianState.SHELTERING)
        settled = home | sheltering
        (hh_fear,) = self.household_means((self.fear[who],), settled, acting, first)

        go_shelter = (hh_fear > p.shelter_fear_threshold) & (u_acting < p_shelter)
        go_home = (hh_fear < p.return_home_fear_threshold) & (u_acting < p_home)
        to_shelter = who[home & go_shelter[of]]
        to_home = who[sheltering & go_home[of]]

        set_out = np.zeros(0, dtype=np.intp)
        target = np.zeros(0, dtype=np.intp)
        walk_out = np.zeros(0, dtype=np.intp)
        if can_cross or can_walk_out:
            deciding = settled & may_leave[of]  # the others cannot leave
            candidates = who[deciding]
            cell = self.cell[candidates]
            hh = self.household[candidates]
            fear = hh_fear[of[deciding]]
            push = (
                fear
                / (fear + p.fear_half_saturation)
                * fed_by_district[self.home_district[candidates]]
                * free_at_cell[cell]
                * self._trust_in_screening(candidates)
                * word_factor
            )
            cross_hazard = np.zeros(candidates.size)
            nearest = np.zeros(candidates.size, dtype=np.intp)
            if can_cross:
                nearest, reachable = ways.nearest(cell)
                cross_hazard = np.where(
                    reachable, p.leave_hazard_per_hour * crossing_pull[nearest] * push, 0.0
                )
            walk_hazard = np.zeros(candidates.size)
            if can_walk_out:
                near_front = walkout_in_reach[cell]
                walk_hazard = np.where(near_front, self.exits.walkout_hazard_per_hour * push, 0.0)
            hazard = cross_hazard + walk_hazard
            leaves = u_leave[of[deciding]] < -np.expm1(-hazard)
            by_front = np.zeros(leaves.size, dtype=bool)
            if can_walk_out:
                # Only leavers read u_route: made at their households, the rest skipped
                # (``hh`` is ascending, as ``candidates`` are).
                u_route = random_at(rng, self.n_households, hh[leaves])
                by_front[leaves] = (
                    u_route * hazard[leaves] < walk_hazard[leaves]
                )  # route in proportion to the two hazards
            else:
                # Nobody reads u_route: a leaver's hazard is above 0 (u_leave >= 0 fell below
                # 1 - exp(-hazard)), so u_route x hazard is never below a walk hazard of 0.
                skip_random(rng, self.n_households)
            by_crossing = leaves & ~by_front
            set_out = candidates[by_crossing]
            target = open_crossings[nearest[by_crossing]] if can_cross else target
            walk_out = candidates[by_front]

        # Apply all choices together (decide first, commit second).
        self.set_state(to_shelter, CivilianState.SHELTERING)
        self.set_state(to_home, CivilianState.AT_HOME)
        self.set_state(set_out, CivilianState.MOVING)
        self.target_crossing[set_out] = target
        self._queue(walk_out, ACROSS_THE_FRONT, rng, step)
        return int(set_out.size + walk_out.size)

    def _leave_probability_bound(
        self,
        free_at_cell: NDArray[np.float64],
        crossing_pull: NDArray[np.float64] | None,
        can_walk_out: bool,
        fed_by_district: NDArray[np.float64],
        word_factor: float,
    ) -> float:
        """An upper bound of anyone's probability of leaving this hour (the largest value of
        every factor of the hazard, with a margin for rounding): a household whose draw is
        above it cannot leave. ``crossing_pull``: None if no crossing can be reached;
        ``free_at_cell``: 1 - restraint at each cell; ``fed_by_district``: 1 + the hunger
        weight x hunger, by district."""
        p, e = self.params, self.exits
        hazard = 0.0
        if crossing_pull is not None:
            hazard += p.leave_hazard_per_hour * float(np.abs(crossing_pull).max())
        if can_walk_out:
            hazard += e.walkout_hazard_per_hour
        for factor in (
            fed_by_district,  # the fear factor is at most 1
            free_at_cell,
            np.array([1.0 - e.screening_distrust, 1.0 - e.screening_distrust_fighter_family]),
        ):
            hazard *= float(np.abs(factor).max()) if factor.size else 0.0
        bound = hazard * abs(word_factor) * (1.0 + 1e-6)
        return bound if bound < math.inf else math.inf  # NaN: no bound, look at everyone

    def _trust_in_screening(self, who: NDArray[np.intp]) -> NDArray[np.float64]:
        """1 - distrust of government screening, higher for fighters' families."""
        e = self.exits
        return np.where(
            self.affiliation[who] > 0,
            1.0 - e.screening_distrust_fighter_family,
            1.0 - e.screening_distrust,
        )

    def _queue(
        self, who: NDArray[np.intp], crossing: int, rng: np.random.Generator, step: int
    ) -> None:
        """``who`` join the queue of ``crossing`` this step, families together (one ticket
        drawn per household, in household order)."""
        if who.size == 0:
            return
        self.set_state(who, CivilianState.QUEUED)
        self.target_crossing[who] = crossing
        household = self.household[who]
        if (household[1:] >= household[:-1]).all():  # ``who`` ascending: households in runs
            member_of = np.cumsum(_run_starts(household)) - 1
            n_households = int(member_of[-1]) + 1
        else:
            distinct, member_of = np.unique(household, return_inverse=True)
            n_households = distinct.size
        self.queue_ticket[who] = step + rng.random(n_households)[member_of]

    # ----------------------------------------------------------------- move
    def move(
        self,
        crossing: int,
        distance_m: NDArray[np.float64],
        next_cell: NDArray[np.int32],
        geo: Geography,
        rng: np.random.Generator,
        step: int,
    ) -> int:
        """People heading for ``crossing`` walk along its field; arrivals join its queue.

        People whose way is cut (no finite distance any more) stop and settle where they
        stand: the front may lie between them and home. Returns arrivals.
        """
        who = self.in_state(CivilianState.MOVING)
        who = who[self.target_crossing[who] == crossing]
        if who.size == 0:
            return 0
        cut = ~np.isfinite(distance_m[self.cell[who]])
        self.settle(who[cut])
        who = who[~cut]
        reach = self._hour_reach(crossing, distance_m, next_cell, geo)
        if reach is None:
            cell = self._walk_an_hour(self.cell[who], distance_m, next_cell, geo)
        else:
            cell = reach[self.cell[who]]
        self.cell[who] = cell
        away = self._away[self.cell[self._away] != self.home_cell[self._away]]
        self._away = union(away, who[cell != self.home_cell[who]])
        arrived = who[distance_m[cell] == 0.0]
        # Arrival order, with a household-level tie-break so families queue together.
        self._queue(arrived, crossing, rng, step)
        return int(arrived.size)

    def _hour_reach(
        self,
        crossing: int,
        distance_m: NDArray[np.float64],
        next_cell: NDArray[np.int32],
        geo: Geography,
    ) -> NDArray[np.int32] | None:
        """Cell where an hour's walk towards ``crossing`` ends, by start cell (-1 where the
        crossing cannot be reached), or None while walkers are walked one by one.

        Everyone sets out each hour with the same budget on a fixed field, so the end depends
        on the start cell alone. Working it out for every cell costs about as much as a few
        hours of walking people, so it is done in the :data:`WALK_TABLE_AFTER_HOURS`-th hour
        of walking on the same field (the same pair of arrays, held here so their ids are
        never recycled) and kept while the field lasts."""
        kept = self._reach.get(crossing)
        if kept is None or kept[0] is not distance_m or kept[1] is not next_cell:
            kept = (distance_m, next_cell, 0, None)
        field_a, field_b, hours, reach = kept
        hours += 1
        if reach is None and hours >= WALK_TABLE_AFTER_HOURS:
            reach = np.full(distance_m.size, -1, dtype=np.int32)
            reachable = np.flatnonzero(np.isfinite(distance_m)).astype(np.int32)
            reach[reachable] = self._walk_an_hour(reachable, distance_m, next_cell, geo)
        self._reach[crossing] = (field_a, field_b, hours, reach)
        return reach

    def _walk_an_hour(
        self,
        start: NDArray[np.int32],
        distance_m: NDArray[np.float64],
        next_cell: NDArray[np.int32],
        geo: Geography,
    ) -> NDArray[np.int32]:
        """Where an hour's walk from each of ``start`` ends: cell by cell along the field,
        stopping at the crossing or when the budget does not cover the next cell."""
        budget = np.full(start.size, self.params.walking_speed_m_per_hour)
        cell = start.copy()
        # Positions in ``start`` still walking: each pass drops those at the crossing and
        # those without the budget for their next cell.
        walking = np.arange(start.size)
        while walking.size:
            here = cell[walking]
            nxt = next_cell[here]
            diagonal = (nxt // geo.n_cols != here // geo.n_cols) & (
                nxt % geo.n_cols != here % geo.n_cols
            )
            step_m = np.where(diagonal, geo.cell_size_m * math.sqrt(2.0), geo.cell_size_m)
            goes = (distance_m[here] != 0.0) & (budget[walking] >= step_m)
            walking = walking[goes]
            cell[walking] = nxt[goes]
            budget[walking] -= step_m[goes]
        return cell

    def settle(self, who: NDArray[np.intp]) -> None:
        self.set_state(who, CivilianState.AT_HOME)
        self.target_crossing[who] = NO_CROSSING
        self.queue_ticket[who] = np.inf

    def queued_at(self, crossing: int) -> NDArray[np.intp]:
        """People queued at ``crossing`` (``ACROSS_THE_FRONT``: to walk out), in order."""
        queued = self.in_state(CivilianState.QUEUED)
        return queued[self.target_crossing[queued] == crossing]

    def pass_crossing(self, crossing: int, throughput: int, step: int) -> tuple[int, int]:
        """The first ``throughput`` people in the queue cross into government areas.

        Returns (people who crossed, their hours of waiting summed): a person queued in the
        step of arrival ``floor(queue_ticket)`` and crossing at ``step`` waited the difference.
        """
        passing = self._first_in_line(self.queued_at(crossing), throughput)
        waited_hours = int((step - np.floor(self.queue_ticket[passing])).sum())
        self.leave_enclave(passing, ExitRoute.CROSSING, step)
        return int(passing.size), waited_hours

    def cross_front(
        self, places: int, killed_probability: float, rng: np.random.Generator, step: int
    ) -> tuple[int, int, int]:
        """The first ``places`` people queued to walk out across the front go; each is killed
        on the way with ``killed_probability``, the others reach the army's lines and are
        screened. Returns (people who got through, their hours of waiting summed, killed)."""
        going = self._first_in_line(self.queued_at(ACROSS_THE_FRONT), places)
        dies = rng.random(going.size) < killed_probability
        killed = self.kill(going[dies], step)
        through = going[~dies]
        waited_hours = int((step - np.floor(self.queue_ticket[through])).sum())
        self.leave_enclave(through, ExitRoute.FRONT, step)
        return int(through.size), waited_hours, killed

    def _first_in_line(self, waiting: NDArray[np.intp], places: int) -> NDArray[np.intp]:
        """The ``places`` people of ``waiting`` with the lowest tickets (all if fewer)."""
        if places <= 0:
            return waiting[:0]
        if waiting.size > places:
            waiting = waiting[np.argpartition(self.queue_ticket[waiting], places - 1)[:places]]
        return waiting

    # ----------------------------------------------------------------- deals
    def choose_under_deal(
        self,
        on_deal_cell: NDArray[np.bool_],
        params: DealParams,
        rng: np.random.Generator,
        step: int,
    ) -> NDArray[np.int64]:
        """Households settled on a deal's cells choose to stay, go to shelters or take the bus.

        A multinomial logit with one draw per household (``docs/ODD.md`` 7.14); the choices
        apply together: shelter-goers wait for their turn at the deal's corridor and bus-takers
        for a seat, both in a random household order (one ticket per household). Returns the
        people per :class:`DealChoice`.
        """
        settled = (self.state == CivilianState.AT_HOME) | (self.state == CivilianState.SHELTERING)
        deciding = settled & on_deal_cell
        (hh_fear,) = self.household_means((self.fear,), deciding)
        fear_factor = hh_fear / (hh_fear + self.params.fear_half_saturation)
        affiliated = self.affiliation[self._household_start] > 0
        utility = np.stack(
            [
                np.zeros(self.n_households),
                params.shelter_logit + params.fear_logit * fear_factor,
                params.bus_logit
                + params.bus_affiliation_logit * affiliated
                + params.fear_logit * fear_factor,
            ],
            axis=1,
        )
        weight = np.exp(utility - utility.max(axis=1, keepdims=True))
        cumulative = np.cumsum(weight / weight.sum(axis=1, keepdims=True), axis=1)
        u_choice = rng.random(self.n_households)
        u_ticket = rng.random(self.n_households)
        choice = (u_choice[:, None] >= cumulative[:, :-1]).sum(axis=1)[self.household]

        who = np.flatnonzero(deciding)
        choice = choice[who]
        to_shelters = who[choice == DealChoice.SHELTERS]
        to_bus = who[choice == DealChoice.BUS]
        self.set_state(to_shelters, CivilianState.AWAITING_CORRIDOR)
        self.queue_ticket[to_shelters] = u_ticket[self.household[to_shelters]]
        self.set_state(to_bus, CivilianState.AWAITING_BUS)
        self.queue_ticket[to_bus] = u_ticket[self.household[to_bus]]
        return np.bincount(choice, minlength=len(DealChoice))

    def pass_deal_corridor(self, waiting: NDArray[np.intp], places: int, step: int) -> int:
        """The first ``places`` people waiting at a deal's corridor leave for screening."""
        passing = self._first_in_line(waiting, places)
        self.leave_enclave(passing, ExitRoute.DEAL_CORRIDOR, step)
        return int(passing.size)

    def board_bus(self, waiting: NDArray[np.intp], seats: int, step: int) -> int:
        """The first ``seats`` people on the bus list leave north."""
        boarding = self._first_in_line(waiting, seats)
        self.leave_enclave(boarding, ExitRoute.BUS, step)
        return int(boarding.size)


def _run_starts(values: NDArray[np.integer]) -> NDArray[np.bool_]:
    """Whether each of ``values`` (non-empty) starts a run of equal values."""
    starts = np.empty(values.size, dtype=bool)
    starts[0] = True
    np.not_equal(values[1:], values[:-1], out=starts[1:])
    return starts


def _ranges(starts: NDArray[np.integer], lengths: NDArray[np.integer]) -> NDArray[np.intp]:
    """The indices ``starts[k], ..., starts[k] + lengths[k] - 1`` for each k, in order."""
    before = np.cumsum(lengths) - lengths  # indices of the earlier ranges listed
    return np.repeat(starts - before, lengths) + np.arange(int(lengths.sum()))


def strikes_per_km2_by_district(
    strikes_by_cell: NDArray[np.int32],
    district_of_cell: NDArray[np.integer],
    district_area_km2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """This hour's strikes per km2 in each district (0 in a district of no area): what
    people perceive of the shelling beyond their own cell (:meth:`Civilians.perceive`)."""
    struck = np.flatnonzero(strikes_by_cell)
    district_strikes = np.bincount(
        district_of_cell[struck],
        weights=strikes_by_cell[struck],
        minlength=district_area_km2.size,
    ).astype(np.float64)  # bincount of nothing is int64 even with weights
    if (district_area_km2 > 0).all():  # the same quotients, without ``where``'s overhead
        return district_strikes / district_area_km2
    return np.divide(
        district_strikes,
        district_area_km2,
        out=np.zeros_like(district_strikes),
        where=district_area_km2 > 0,
    )


def expected_households(people_per_cell: NDArray[np.int64], mean_size: float) -> float:
    """The expected number of households :func:`_households` forms on cells of these sizes
    (people, all positive): sizes ``1 + Poisson(mean_size - 1)`` are laid end to end over the
    whole population, so a household starts at any place with probability 1 / mean_size, and
    one more starts at each cell's first place: ``1 + (P - 1) / mean_size`` in a cell of P."""
    people = np.asarray(people_per_cell, dtype=np.float64)
    return float(people.size + (people - 1.0).sum() / mean_size)


def _households(
    people_per_cell: NDArray[np.int64], mean_size: float, rng: np.random.Generator
) -> NDArray[np.int32]:
    """Household id of each person (people sorted by cell); households never span cells.

    Sizes are 1 + Poisson(mean_size - 1), cut short at the end of a cell.
    """
    n = int(people_per_cell.sum())
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    sizes = 1 + rng.poisson(mean_size - 1.0, size=n)
    ends = np.cumsum(sizes)
    starts = np.zeros(n, dtype=bool)
    starts[0] = True
    starts[ends[ends < n]] = True
    starts[np.cumsum(people_per_cell)[:-1]] = True
    return (np.cumsum(starts) - 1).astype(np.int32)
