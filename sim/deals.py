"""Negotiation and evacuation deals: terms offered, accepted or refused, then buses north.

The government offers terms to a faction hemmed into a pocket (the largest pocket holding its
ground has at most ``talks_max_pocket_share`` of the enclave's initial cells) whose morale or
cohesion has fallen below a threshold. The faction answers with an hourly hazard that falls with its
resolve (cohesion x morale) and with the presence of a faction excluded from ceasefires in its
pockets; unanswered terms lapse into refusal and the assault resumes. Accepted terms bring a
ceasefire on the faction's cells (and on the excluded factions' cells in the same pockets),
the civilians there choose to stay, go to government shelters or take the buses, and the
shared :class:`~sim.buses.BusFleet` carries fighters first, then civilians, north. When the
last passenger has left, the cells are handed over (the model does that).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.buses import BusFleet
from sim.civilians import Civilians, CivilianState, DealChoice
from sim.factions import Faction, FactionStage
from sim.geography import Geography
from sim.params import DealParams
from sim.recorder import EventLog
from sim.territory import Territory

NO_DEAL = -1


@dataclass
class Deal:
    """One accepted set of terms and the evacuation it brings."""

    faction: Faction
    agreed_step: int
    cells: NDArray[np.intp]
    place: str
    first_bus_step: int
    fighters_waiting: dict[Faction, int]
    """Fighters still to board, per faction (the deal's own and excluded factions')."""
    choices: NDArray[np.int64]
    """People per :class:`~sim.civilians.DealChoice` at the agreement."""
    fighters_bussed: int = 0
    civilians_bussed: int = 0
    trips: int = 0
    completed_step: int | None = None


class DealBroker:
    """Offers, answers, ceasefires and the evacuations by bus of every deal of a run."""

    def __init__(
        self,
        params: DealParams,
        fleet: BusFleet,
        geo: Geography,
        territory: Territory,
        civilians: Civilians,
        events: EventLog,
    ) -> None:
        self.params = params
        self.fleet = fleet
        self.geo = geo
        self.territory = territory
        self.civilians = civilians
        self.events = events
        self.deals: list[Deal] = []
        self.deal_of_cell = np.full(geo.n_cells, NO_DEAL, dtype=np.int32)
        """Index into ``deals`` of the open deal covering each cell; NO_DEAL elsewhere."""

    # ----------------------------------------------------------------- views
    def ceasefire(self) -> NDArray[np.bool_]:
        """Rebel-held cells under an open deal's ceasefire: not shelled, not attacked."""
        return (self.deal_of_cell != NO_DEAL) & self.territory.rebel()

    def fighters_bussed(self) -> int:
        return sum(d.fighters_bussed for d in self.deals)

    def pressure_at_cell(self, factions: list[Faction]) -> NDArray[np.float64]:
        """Ground pressure multiplier on each cell: eased during talks, 0 under ceasefire."""
        by_code = np.ones(len(factions) + 1)
        for f in factions:
            if f.stage == FactionStage.TALKING:
                by_code[f.code] = self.params.talks_assault_multiplier
        return np.where(self.ceasefire(), 0.0, by_code[self.territory.controller])

    # ----------------------------------------------------------------- negotiation
    def negotiate(self, t: int, factions: list[Faction], rng: np.random.Generator) -> None:
        """Terms are offered and answered; every faction decides, then all answers apply."""
        p = self.params
        territory = self.territory
        max_cells = p.talks_max_pocket_share * territory.initial_rebel_cells
        offers = [
            f
            for f in factions
            if f.stage == FactionStage.FIGHTING
            and 0 < territory.largest_pocket_cells(f.code) <= max_cells
            and not f.excluded_from_ceasefire
            and t >= f.next_offer_step
            and (
                f.morale < p.negotiation_morale_threshold
                or f.cohesion < p.negotiation_cohesion_threshold
            )
        ]
        accepted, refused = [], []
        for f in factions:
            if f.stage != FactionStage.TALKING or territory.cells_of(f.code) == 0:
                continue  # a faction whose last cells fell this hour is about to end
            hazard = p.acceptance_rate_per_day / 24.0 * (1.0 - f.resolve())
            if self._excluded_alongside(f, factions).any():
                hazard *= p.excluded_presence_acceptance_multiplier
            if rng.random() < -np.expm1(-hazard):
                accepted.append(f)
            elif t >= f.talks_end_step:
                refused.append(f)

        for f in offers:
            f.stage = FactionStage.TALKING
            f.talks_end_step = t + round(p.talks_max_days * 24)
            detail = f"morale {f.morale:.2f}, cohesion {f.cohesion:.2f}"
            self.events.add(t, "talks_started", f.name, self._place_of(f), detail)
        for f in refused:
            f.stage = FactionStage.FIGHTING
            f.next_offer_step = t + round(p.talks_retry_days * 24)
            detail = f"no answer in {p.talks_max_days:g} days; the assault resumes"
            self.events.add(t, "deal_refused", f.name, self._place_of(f), detail)
        for f in accepted:
            self._agree(t, f, factions, rng)

    def _place_of(self, f: Faction) -> str:
        return self.geo.main_district(np.flatnonzero(self.territory.controller == f.code))

    def _excluded_alongside(self, f: Faction, factions: list[Faction]) -> NDArray[np.bool_]:
        """Cells of factions excluded from ceasefires whose patches touch ``f``'s ground
        (and are not under another deal already)."""
        own = self.territory.controller == f.code
        alongside = np.zeros_like(own)
        for e in factions:
            if e.excluded_from_ceasefire and e.active:
                alongside |= self.territory.attached(e.code, own)
        return alongside & ~self.ceasefire()

    def _agree(self, t: int, f: Faction, factions: list[Faction], rng: np.random.Generator) -> None:
        """Terms accepted: ceasefire on the deal's cells, civilians choose, buses are due."""
        controller = self.territory.controller
        alongside = self._excluded_alongside(f, factions)
        fighters_waiting = {f: f.fighters}
        for e in factions:
            theirs = np.count_nonzero(alongside & (controller == e.code))
            if theirs:
                held = np.count_nonzero(controller == e.code)
                fighters_waiting[e] = round(e.fighters * theirs / held)
        covered = (controller == f.code) | alongside
        cells = np.flatnonzero(covered)
        on_deal_cell = covered[self.civilians.cell]
        choices = self.civilians.choose_under_deal(on_deal_cell, self.params, rng, t)
        deal = Deal(
            faction=f,
            agreed_step=t,
            cells=cells,
            place=self.geo.main_district(cells),
            first_bus_step=t + self.params.first_bus_delay_hours,
            fighters_waiting=fighters_waiting,
            choices=choices,
        )
        self.deal_of_cell[cells] = len(self.deals)
        self.deals.append(deal)
        f.stage = FactionStage.EVACUATING
        with_others = "".join(
            f" + {e.name} {n}" for e, n in fighters_waiting.items() if e is not f and n
        )
        detail = (
            f"{cells.size} cells; fighters {f.fighters}{with_others}; civilians: "
            f"{choices[DealChoice.STAY]} stay, {choices[DealChoice.SHELTERS]} to shelters, "
            f"{choices[DealChoice.BUS]} for the buses"
        )
        self.events.add(t, "deal_agreed", f.name, deal.place, detail)

    # ----------------------------------------------------------------- evacuation
    def run_buses(self, t: int) -> list[Deal]:
        """Free buses go to open deals in the order agreed; fighters board first.

        Returns the deals whose last passengers left this hour (their cells are to be
        handed over by the caller).
        """
        finished: list[Deal] = []
        if all(d.completed_step is not None for d in self.deals):
            return finished  # most hours: no open deal, no scan of the population
        civ = self.civilians
        awaiting = np.flatnonzero(civ.state == CivilianState.AWAITING_BUS)
        deal_of_waiting = self.deal_of_cell[civ.cell[awaiting]]
        for k, deal in enumerate(self.deals):
            if deal.completed_step is not None or t < deal.first_bus_step:
                continue
            for e in deal.fighters_waiting:
                deal.fighters_waiting[e] = min(deal.fighters_waiting[e], e.fighters)
            waiting = awaiting[deal_of_waiting == k]
            fighters = sum(deal.fighters_waiting.values())
            loads = self.fleet.dispatch(t, fighters + waiting.size)
            seats = sum(loads)
            fighters_boarding = 0
            for e, n in deal.fighters_waiting.items():
                boarding = min(n, seats - fighters_boarding)
                e.fighters -= boarding
                deal.fighters_waiting[e] -= boarding
                fighters_boarding += boarding
            civilians_boarding = civ.board_bus(waiting, seats - fighters_boarding, t)
            if loads:
                deal.trips += len(loads)
                deal.fighters_bussed += fighters_boarding
                deal.civilians_bussed += civilians_boarding
                buses = f"{len(loads)} bus" + ("es" if len(loads) > 1 else "")
                detail = f"{buses}: {fighters_boarding} fighters, {civilians_boarding} civilians"
                self.events.add(t, "bus_convoy", deal.faction.name, deal.place, detail)
            if seats >= fighters + waiting.size:
                deal.completed_step = t
                self.deal_of_cell[deal.cells] = NO_DEAL
                finished.append(deal)
        return finished
