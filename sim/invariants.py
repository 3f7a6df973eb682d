"""The model's own accounting rules, checked after every step when ``check_invariants``."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.civilians import ALLOWED_ROUTES, NO_SITE, Civilians, CivilianState, ExitRoute
from sim.factions import Faction
from sim.geography import GOVERNMENT, Geography
from sim.territory import Territory


class InvariantError(AssertionError):
    """The model broke one of its own accounting rules (a bug, never bad input)."""


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
    enclave; ``ceasefire``: the cells under an open deal's ceasefire). Raises
    :class:`InvariantError` naming the first rule broken."""
    if state_by_route.shape != ALLOWED_ROUTES.shape or state_by_route.sum() != civ.n:
        raise InvariantError(
            f"state counts {state_by_route.sum(axis=1).tolist()} do not sum to {civ.n} people"
        )
    misfits = state_by_route * ~ALLOWED_ROUTES
    if misfits.any():
        state, route = np.unravel_index(int(misfits.argmax()), misfits.shape)
        raise InvariantError(
            f"{misfits.sum()} people have exit routes that do not fit their state, e.g. "
            f"{CivilianState(state).name} with route {ExitRoute(route).name}"
        )
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
    for f in factions:
        if f.fighters < 0:
            raise InvariantError(f"{f.name} has {f.fighters} fighters")
    if territory.controller[geo.controller == GOVERNMENT].any():
        raise InvariantError("a government-held cell went back to a faction")
