"""The model's own accounting rules, checked after every step when ``check_invariants``.

Two depths. :func:`check_aggregates` reads only the counts the civilians keep up to date as
people change state (:meth:`sim.civilians.Civilians.set_state`) and the cells' controllers: it
costs nothing next to a step, so the model runs it every step. :func:`check_invariants` also
goes over every person: it recounts the states and routes from the columns, checks each person
against the map, the reception sites and the deals, and that the kept counts equal the
recount; the model runs it at the last step of every :data:`FULL_CHECK_EVERY_DAYS`-th day and
at the run's last step (:func:`full_check_due`), and at every step when built with
``full_invariant_checks=True`` (as the tests build it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.civilians import (
    ALLOWED_ROUTES,
    FEAR_SLACK,
    LAST_ENCLAVE_STATE,
    NO_SITE,
    Civilians,
    CivilianState,
    ExitRoute,
)
from sim.clock import HOURS_PER_DAY
from sim.factions import Faction
from sim.geography import GOVERNMENT, Geography
from sim.territory import Territory


class InvariantError(AssertionError):
    """The model broke one of its own accounting rules (a bug, never bad input)."""


FULL_CHECK_EVERY_DAYS = 7
"""Days between two person-by-person checks in a run not built with full checks (each costs
more than a simulated hour at full scale; the counts are checked every step)."""


def full_check_due(t: int, n_steps: int) -> bool:
    """Whether the person-by-person check is due after step ``t`` (0-based) of ``n_steps``:
    at the last step of days 7, 14, ... (:data:`FULL_CHECK_EVERY_DAYS`) and at the last step."""
    day_ends = t % HOURS_PER_DAY == HOURS_PER_DAY - 1
    every_days = (t // HOURS_PER_DAY) % FULL_CHECK_EVERY_DAYS == FULL_CHECK_EVERY_DAYS - 1
    return (day_ends and every_days) or t == n_steps - 1


def check_aggregates(
    state_by_route: NDArray[np.int64],
    n_people: int,
    inside_by_district: NDArray[np.int64],
    shelter_occupancy: NDArray[np.int64],
    territory: Territory,
    geo: Geography,
    factions: list[Faction],
) -> None:
    """The rules that hold for the counts alone: everyone is counted once in a (state, exit
    route) pair that fits, the people inside by district add up to those inside, the reception
    sites hold the people sheltered, no faction has negative fighters and no government cell
    went back. Raises :class:`InvariantError` naming the first rule broken."""
    _check_table(state_by_route, n_people)
    inside = state_by_route[: LAST_ENCLAVE_STATE + 1].sum()
    if inside_by_district.sum() != inside:
        raise InvariantError(
            f"people inside by district sum to {inside_by_district.sum()}, not {inside}"
        )
    if shelter_occupancy.sum() != state_by_route[CivilianState.IN_COLLECTIVE_SHELTER].sum():
        raise InvariantError("reception sites' occupancy disagrees with who is sheltered")
    _check_map_and_factions(territory, geo, factions)


def check_invariants(
    state_by_route: NDArray[np.int64],
    inside: NDArray[np.bool_],
    civ: Civilians,
    territory: Territory,
    geo: Geography,
    shelter_occupancy: NDArray[np.int64],
    ceasefire: NDArray[np.bool_],
    factions: list[Faction],
) -> None:
    """Every person is in exactly one state, with an exit route that fits it, and each
    state agrees with the map and the reception sites (``inside``: who is inside the
    enclave; ``ceasefire``: the cells under an open deal's ceasefire), and the counts kept
    up to date (``civ.state_route_counts``, ``civ.inside_by_district``, the settled members of
    each household) equal a recount (``state_by_route``: :meth:`Civilians.state_by_route`,
    counted afresh from the columns), and the kept fear bounds hold.
    Raises :class:`InvariantError` naming the first rule broken."""
    _check_table(state_by_route, civ.n)
    if not territory.rebel()[civ.cell[inside]].all():
        raise InvariantError("someone inside the enclave stands on a government-held cell")
    with_site = np.flatnonzero(civ.shelter_site != NO_SITE)
    sheltered = state_by_route[CivilianState.IN_COLLECTIVE_SHELTER].sum()
    if (
        with_site.size != sheltered
        or (civ.state[with_site] != CivilianState.IN_COLLECTIVE_SHELTER).any()
        or not np.array_equal(
            np.bincount(civ.shelter_site[with_site], minlength=shelter_occupancy.size),
            shelter_occupancy,
        )
    ):
        raise InvariantError("reception sites' occupancy disagrees with who is sheltered")
    for waiting_for in (CivilianState.AWAITING_BUS, CivilianState.AWAITING_CORRIDOR):
        awaiting = civ.state == waiting_for
        if not ceasefire[civ.cell[awaiting]].all():
            raise InvariantError(f"someone {waiting_for.name} outside any open deal")
    _check_map_and_factions(territory, geo, factions)
    if not np.array_equal(civ.state_route_counts, state_by_route):
        raise InvariantError(
            "the people counted per state and route as they changed state "
            "differ from a recount of the columns"
        )
    away = np.flatnonzero(inside & (civ.cell != civ.home_cell))
    if np.setdiff1d(away, civ.away_from_home()).size:
        raise InvariantError("someone inside stands off their home cell unlisted")
    recount = np.bincount(civ.home_district[inside], minlength=civ.inside_by_district.size)
    if not np.array_equal(civ.inside_by_district, recount):
        raise InvariantError(
            "the people counted inside by district as they left differ "
            "from a recount of the columns"
        )
    _check_households(civ)


def _check_households(civ: Civilians) -> None:
    """The members at home and sheltering counted per household as they changed state equal a
    recount, and every member's fear lies within the household's kept bounds."""
    for state, kept in (
        (CivilianState.AT_HOME, civ.at_home_in_household),
        (CivilianState.SHELTERING, civ.sheltering_in_household),
    ):
        recount = np.bincount(civ.household[civ.state == state], minlength=civ.n_households)
        if not np.array_equal(kept, recount):
            raise InvariantError(
                f"the members {state.name} counted per household as they changed state "
                "differ from a recount of the columns"
            )
    fear = civ.fear.astype(np.float64)
    if (fear < civ.fear_lower[civ.household] - FEAR_SLACK).any() or (
        fear > civ.fear_upper[civ.household] + FEAR_SLACK
    ).any():
        raise InvariantError("someone's fear lies outside the bounds kept for their household")


def _check_table(state_by_route: NDArray[np.int64], n_people: int) -> None:
    """Everyone is counted once, in a (state, exit route) pair that fits."""
    if state_by_route.shape != ALLOWED_ROUTES.shape or state_by_route.sum() != n_people:
        raise InvariantError(
            f"state counts {state_by_route.sum(axis=1).tolist()} do not sum to {n_people} people"
        )
    misfits = state_by_route * ~ALLOWED_ROUTES
    if misfits.any():
        state, route = np.unravel_index(int(misfits.argmax()), misfits.shape)
        raise InvariantError(
            f"{misfits.sum()} people have exit routes that do not fit their state, e.g. "
            f"{CivilianState(state).name} with route {ExitRoute(route).name}"
        )


def _check_map_and_factions(territory: Territory, geo: Geography, factions: list[Faction]) -> None:
    """No faction has negative fighters; no government-held cell went back to a faction."""
    for f in factions:
        if f.fighters < 0:
            raise InvariantError(f"{f.name} has {f.fighters} fighters")
    if territory.controller[geo.controller == GOVERNMENT].any():
        raise InvariantError("a government-held cell went back to a faction")
