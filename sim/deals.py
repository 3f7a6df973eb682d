"""Negotiation and evacuation deals: talks in rounds, ultimatums, ceasefires, buses and corridors.

A mediator opens talks with a faction hemmed into a pocket (the largest pocket holding its
ground has at most ``talks_max_pocket_share`` of the enclave's initial cells) once the enclave
has split, or earlier if its morale or cohesion has fallen below a threshold. After
``talks_opening_days`` spent on the terms, talks run in rounds of ``talks_round_days``, each
ending in an ultimatum that the faction accepts with a probability falling with its resolve
(cohesion, fighters left, food in its main pocket, and the deals already completed by others),
and lower while an excluded faction shares its pocket or while the buses would take it to ground
held by a faction it is hostile to; a refused ultimatum brings a renewed assault on its ground,
under the next round's deadline. While talks go on its towns are not stormed. Accepted terms
bring a ceasefire on the faction's cells (and on the excluded factions' cells in the same
pockets); the civilians there choose to stay, go to government shelters through the deal's
corridor (at its throughput) or take the buses, and the shared :class:`~sim.buses.BusFleet`
carries fighters first, then civilians, north. When the last bus passenger and the last person
waiting at the corridor have left, the cells are handed over (the model does that).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sim.buses import BusFleet
from sim.civilians import Civilians, CivilianState, DealChoice
from sim.clock import HOURS_PER_DAY
from sim.factions import Faction, FactionStage
from sim.food import FoodStocks
from sim.geography import Geography
from sim.params import DealParams, RelationParams
from sim.recorder import EventLog
from sim.scale import Carry
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
    corridor_passed: int = 0
    """People who left through the deal's corridor for government shelters."""
    corridor_carry: Carry = field(default_factory=Carry)
    """Fraction of a corridor place carried to the next open hour (at a population scale)."""
    patients_evacuated: int = 0
    """Patients of the medical list evacuated from the deal's cells while it was open."""
    completed_step: int | None = None
    first_convoy_arrives_step: int | None = None
    """Step the deal's first convoy arrives north (None until it has left)."""

    def buses_due(self, t: int) -> bool:
        """Buses may go to the deal at step ``t``: from its first bus step until its first
        convoy leaves, then again once that convoy has arrived north."""
        if self.completed_step is not None or t < self.first_bus_step:
            return False
        return self.first_convoy_arrives_step is None or t >= self.first_convoy_arrives_step


@dataclass(frozen=True)
class Resolve:
    """A faction's resolve (0-1) at an offer or ultimatum, and what it is made of."""

    value: float
    cohesion: float
    strength: float
    """Fighters over ``resolve_full_strength_fighters``, at most 1."""
    food_days: float
    """Days of food per person inside the faction's main pocket (inf with nobody inside)."""
    precedents: int
    """Deals completed with buses north before now."""

    def describe(self) -> str:
        return (
            f"resolve {self.value:.2f} (cohesion {self.cohesion:.2f}, strength "
            f"{self.strength:.2f}, food {self.food_days:.1f} days, "
            f"{self.precedents} deals completed before)"
        )


class DealBroker:
    """Talks, ultimatums, ceasefires and the evacuations by bus and corridor of every deal."""

    def __init__(
        self,
        params: DealParams,
        fleet: BusFleet,
        geo: Geography,
        territory: Territory,
        civilians: Civilians,
        food: FoodStocks,
        events: EventLog,
        relations: Sequence[RelationParams],
    ) -> None:
        self.params = params
        self.fleet = fleet
        self.geo = geo
        self.territory = territory
        self.civilians = civilians
        self.food = food
        self.events = events
        self.deals: list[Deal] = []
        holders = set(params.destination_held_by)
        self.hostile_to_destination = frozenset(
            side
            for rel in relations
            if rel.relation == "hostile"
            for side, other in ((rel.a, rel.b), (rel.b, rel.a))
            if other in holders
        )
        """Keys of the factions hostile to a faction holding the buses' destination."""
        self.deal_of_cell = np.full(geo.n_cells, NO_DEAL, dtype=np.int32)
        """Index into ``deals`` of the open deal covering each cell; NO_DEAL elsewhere
        (written only through :meth:`_cover`)."""
        self._residents_weight = geo.people + 1.0
        """Initial residents + 1 per cell: what makes a pocket a faction's main one."""
        self._main_pockets = (-1, np.zeros(0, dtype=np.int64))
        """(territory version, labels by code) of the last :meth:`_main_pocket_labels`."""
        self._deal_cells_version = 0
        """Incremented on every write to ``deal_of_cell``; :meth:`ceasefire` compares it."""
        self._ceasefire: tuple[tuple[int, int], NDArray[np.bool_]] = (
            (-1, -1),
            np.zeros(0, dtype=bool),
        )
        """((territory version, deal cells version), mask) of the last :meth:`ceasefire`."""
        self._no_pressure_change = np.ones(geo.n_cells)
        self._no_pressure_change.flags.writeable = False
        """All-ones :meth:`pressure_at_cell`, shared while no faction talks and no cell is
        under a ceasefire (most offensive hours)."""

    # ----------------------------------------------------------------- views
    def ceasefire(self) -> NDArray[np.bool_]:
        """Rebel-held cells under an open deal's ceasefire: not shelled, not attacked
        (read-only; found again only after a change of control or of the deals' cells)."""
        key = (self.territory.version, self._deal_cells_version)
        cached_key, mask = self._ceasefire
        if cached_key != key:
            mask = (self.deal_of_cell != NO_DEAL) & self.territory.rebel()
            mask.flags.writeable = False
            self._ceasefire = (key, mask)
        return mask

    def _cover(self, cells: NDArray[np.intp], deal: int) -> None:
        """Mark ``cells`` as covered by deal number ``deal`` (NO_DEAL: by none)."""
        self.deal_of_cell[cells] = deal
        self._deal_cells_version += 1

    def fighters_bussed(self) -> int:
        return sum(d.fighters_bussed for d in self.deals)

    def open_deals(self) -> list[tuple[int, Deal]]:
        """(index, deal) of every deal agreed and not yet completed, in the order agreed."""
        return [(k, d) for k, d in enumerate(self.deals) if d.completed_step is None]

    def pressure_at_cell(self, step: int, factions: list[Faction]) -> NDArray[np.float64]:
        """Ground pressure multiplier on each cell at ``step``: 0 under a ceasefire; on a
        talking faction's ground 0 on urban cells (its towns are not stormed while talks go
        on) and ``talks_assault_multiplier`` on the rest, or ``ultimatum_assault_multiplier``
        there during a renewed assault. Read-only (one shared all-ones array while nobody
        talks and no cell is under a ceasefire)."""
        p = self.params
        talking = [f for f in factions if f.stage == FactionStage.TALKING]
        ceasefire = self.ceasefire()
        if not talking and not ceasefire.any():
            return self._no_pressure_change
        by_code = np.ones(len(factions) + 1)
        spared = np.zeros(len(factions) + 1, dtype=bool)
        for f in talking:
            if f.under_renewed_assault(step):
                by_code[f.code] = p.ultimatum_assault_multiplier
            else:
                by_code[f.code] = p.talks_assault_multiplier
            spared[f.code] = True
        controller = self.territory.controller
        pressure = by_code[controller]
        pressure[spared[controller] & self.geo.urban] = 0.0
        pressure[ceasefire] = 0.0
        return pressure

    def resolve(self, f: Faction) -> Resolve:
        """Resolve = (weighted mean of cohesion, strength (fighters over
        ``resolve_full_strength_fighters``, at most 1) and food in hand over
        ``resolve_food_reference_days``) x ``precedent_resolve_multiplier`` per deal
        already completed with buses north (docs/ODD.md 7.13)."""
        p = self.params
        food_days = self._food_days(f)
        supply = min(food_days / p.resolve_food_reference_days, 1.0)
        strength = min(f.fighters / p.resolve_full_strength_fighters, 1.0)
        weights = p.resolve_cohesion_weight + p.resolve_fighters_weight + p.resolve_food_weight
        mean = (
            p.resolve_cohesion_weight * f.cohesion
            + p.resolve_fighters_weight * strength
            + p.resolve_food_weight * supply
        ) / weights
        precedents = sum(
            1
            for d in self.deals
            if d.completed_step is not None and d.fighters_bussed + d.civilians_bussed > 0
        )
        return Resolve(
            value=mean * p.precedent_resolve_multiplier**precedents,
            cohesion=f.cohesion,
            strength=strength,
            food_days=food_days,
            precedents=precedents,
        )

    def acceptance_probability(
        self, resolve: float, excluded_alongside: bool, hostile_destination: bool = False
    ) -> float:
        """Chance of accepting an ultimatum: logistic in resolve, even odds at
        ``ultimatum_even_odds_resolve``; times the excluded-presence multiplier, and the
        hostile-destination multiplier."""
        p = self.params
        x = p.ultimatum_resolve_steepness * (resolve - p.ultimatum_even_odds_resolve)
        accept = 1.0 / (1.0 + math.exp(min(x, 700.0)))
        if excluded_alongside:
            accept *= p.excluded_presence_acceptance_multiplier
        if hostile_destination:
            accept *= p.hostile_destination_acceptance_multiplier
        return accept

    def _food_days(self, f: Faction) -> float:
        """Days of food per person inside the faction's main pocket (where most of the
        residents of its cells lived): each district's stock and people (by home district)
        counted in the share of its rebel-held cells that lie in that pocket."""
        territory, geo = self.territory, self.geo
        label = int(self._main_pocket_labels()[f.code])
        if label == 0:
            return math.inf
        in_pockets = territory.pocket_labels() == label
        n_districts = len(geo.district_names)
        rebel = territory.rebel()
        held = np.bincount(geo.district[rebel], minlength=n_districts)
        ours = np.bincount(geo.district[in_pockets], minlength=n_districts)
        share = np.divide(ours, held, out=np.zeros(n_districts), where=held > 0)
        civ = self.civilians
        people = np.bincount(civ.home_district[civ.in_enclave()], minlength=n_districts)
        people_here = float(share @ people)
        if people_here == 0.0:
            return math.inf
        return float(share @ self.food.stock_person_days) / people_here

    # ----------------------------------------------------------------- negotiation
    def negotiate(self, t: int, factions: list[Faction], rng: np.random.Generator) -> None:
        """Talks are opened and ultimatums answered; every faction decides, then all apply."""
        p = self.params
        territory = self.territory
        initial = territory.initial_rebel_cells
        split = np.count_nonzero(territory.pocket_cells() >= p.talks_split_pocket_share * initial)
        main_pocket = {
            f: self._main_pocket_cells(f)
            for f in factions
            if f.stage == FactionStage.FIGHTING and not f.excluded_from_ceasefire
        }
        offers = [
            f
            for f, cells in main_pocket.items()
            if cells > 0
            and (
                split > 1
                or (
                    cells <= p.talks_max_pocket_share * initial
                    and (
                        f.morale < p.negotiation_morale_threshold
                        or f.cohesion < p.negotiation_cohesion_threshold
                    )
                )
            )
        ]
        answers: list[tuple[Faction, bool, float, Resolve]] = []
        for f in factions:
            if f.stage != FactionStage.TALKING or t < f.ultimatum_step:
                continue
            if territory.cells_of(f.code) == 0:
                continue  # a faction whose last cells fell this hour is about to end
            resolve = self.resolve(f)
            alongside = bool(self._excluded_alongside(f, factions).any())
            hostile = f.key in self.hostile_to_destination
            accept = self.acceptance_probability(resolve.value, alongside, hostile)
            answers.append((f, bool(rng.random() < accept), accept, resolve))

        round_steps = max(1, round(p.talks_round_days * HOURS_PER_DAY))
        opening_steps = round(p.talks_opening_days * HOURS_PER_DAY)
        for f in offers:
            f.stage = FactionStage.TALKING
            f.ultimatum_step = t + opening_steps + round_steps
            detail = (
                f"pocket of {main_pocket[f]} cells; morale "
                f"{f.morale:.2f}; {self.resolve(f).describe()}"
            )
            self.events.add(t, "talks_started", f.name, self._place_of(f), detail)
        for f, accepted, accept, resolve in answers:
            answer = "accepted" if accepted else "refused"
            hostile = f.key in self.hostile_to_destination
            bound = "; the buses go to hostile ground" if hostile else ""
            detail = f"{answer} (chance of accepting {accept:.2f}{bound}; {resolve.describe()})"
            self.events.add(t, "ultimatum", f.name, self._place_of(f), detail)
            if accepted:
                continue
            f.ultimatums_refused += 1
            f.renewed_assault_until_step = t + round(p.renewed_assault_days * HOURS_PER_DAY)
            f.ultimatum_step = t + round_steps  # the next deadline runs under the assault
            place = self._place_of(f)
            self.events.add(t, "deal_refused", f.name, place, f"ultimatum {f.ultimatums_refused}")
            detail = (
                f"ground pressure x{p.ultimatum_assault_multiplier:g} for "
                f"{p.renewed_assault_days:g} days; next ultimatum at step {f.ultimatum_step}"
            )
            self.events.add(t, "renewed_assault", "government", place, detail)
        for f, accepted, _, _ in answers:
            if accepted:
                self._agree(t, f, factions, rng)

    def _main_pocket_cells(self, f: Faction) -> int:
        """Cells of the pocket where most of the people on ``f``'s ground lived (its towns);
        1 is added to every cell's residents so that empty farmland still counts."""
        label = int(self._main_pocket_labels()[f.code])
        return int(self.territory.pocket_cells()[label - 1]) if label else 0

    def _main_pocket_labels(self) -> NDArray[np.int64]:
        """:meth:`Territory.main_pocket_labels` by residents, once per change of control."""
        version, labels = self._main_pockets
        if version != self.territory.version:
            labels = self.territory.main_pocket_labels(self._residents_weight)
            self._main_pockets = (self.territory.version, labels)
        return labels

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
        self._cover(cells, len(self.deals))
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
    def evacuate(self, t: int) -> list[Deal]:
        """Open deals in the order agreed: people waiting at the corridor pass it at its
        throughput (in its open hours); once the first buses are due, free buses come (shared
        among the deals due in proportion to their passengers when too few) and fighters board
        first.

        Returns the deals whose last bus passengers and last people waiting at the corridor
        have left by this hour (their cells are to be handed over by the caller).
        """
        finished: list[Deal] = []
        if all(d.completed_step is not None for d in self.deals):
            return finished  # most hours: no open deal, no scan of the population
        p = self.params
        civ = self.civilians
        awaiting_bus = civ.in_state(CivilianState.AWAITING_BUS)
        deal_of_bus = self.deal_of_cell[civ.cell[awaiting_bus]]
        # People awaiting the corridor, and the deal of each: found only when first needed (the
        # corridor is open, or a deal's buses have taken everyone), as nothing in this loop
        # changes one deal's list before that deal is reached.
        corridor: tuple[NDArray[np.intp], NDArray[np.int32]] | None = None

        def at_corridor_of(k: int) -> NDArray[np.intp]:
            nonlocal corridor
            if corridor is None:
                corridor = self._awaiting_corridor()
            return corridor[0][corridor[1] == k]

        corridor_open = p.corridor_open_hour <= t % HOURS_PER_DAY < p.corridor_close_hour
        due = [k for k, deal in enumerate(self.deals) if deal.buses_due(t)]
        buses = dict(
            zip(
                due,
                self.fleet.share(
                    t, [self._bus_demand(self.deals[k], deal_of_bus == k) for k in due]
                ),
                strict=True,
            )
        )
        for k, deal in enumerate(self.deals):
            if deal.completed_step is not None:
                continue
            at_corridor = None
            if corridor_open:
                at_corridor = at_corridor_of(k)
            if at_corridor is not None and at_corridor.size:
                places = deal.corridor_carry.take(p.corridor_throughput_per_hour)
                passed = civ.pass_deal_corridor(at_corridor, places, t)
                deal.corridor_passed += passed
                at_corridor = at_corridor[civ.state[at_corridor] == CivilianState.AWAITING_CORRIDOR]
            if k not in buses:
                continue
            waiting = awaiting_bus[deal_of_bus == k]
            if not self._run_buses(t, deal, waiting, buses[k]):
                continue
            if at_corridor is None:
                at_corridor = at_corridor_of(k)
            if at_corridor.size == 0:
                deal.completed_step = t
                self._cover(deal.cells, NO_DEAL)
                finished.append(deal)
        return finished

    def _awaiting_corridor(self) -> tuple[NDArray[np.intp], NDArray[np.int32]]:
        """People awaiting a deal's corridor (ascending), and the deal of the cell of each."""
        awaiting = self.civilians.in_state(CivilianState.AWAITING_CORRIDOR)
        return awaiting, self.deal_of_cell[self.civilians.cell[awaiting]]

    def _passengers(self, deal: Deal, waiting_here: NDArray[np.bool_]) -> int:
        """Fighters still to board ``deal``'s buses plus its civilians waiting
        (``waiting_here`` over those awaiting a bus)."""
        return self._fighters_to_board(deal) + int(np.count_nonzero(waiting_here))

    def _bus_demand(self, deal: Deal, waiting_here: NDArray[np.bool_]) -> int:
        """Seats ``deal`` asks of the fleet now: its :meth:`_passengers`, or for its first
        convoy at most ``first_convoy_buses`` buses' worth."""
        passengers = self._passengers(deal, waiting_here)
        if deal.first_convoy_arrives_step is None:
            return min(passengers, self.params.first_convoy_buses * self.fleet.seats_per_bus)
        return passengers

    @staticmethod
    def _fighters_to_board(deal: Deal) -> int:
        """Fighters still to board ``deal``'s buses, each faction's capped at the fighters it
        has left (another deal's buses may have taken some of an excluded faction's)."""
        for e in deal.fighters_waiting:
            deal.fighters_waiting[e] = min(deal.fighters_waiting[e], e.fighters)
        return sum(deal.fighters_waiting.values())

    def _run_buses(self, t: int, deal: Deal, waiting: NDArray[np.intp], max_buses: int) -> bool:
        """Up to ``max_buses`` free buses go to ``deal`` for its fighters, then for the
        civilians ``waiting`` in ticket order; True when nobody is left to board."""
        civ = self.civilians
        fighters = self._fighters_to_board(deal)
        loads = self.fleet.dispatch(t, fighters + waiting.size, max_buses)
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
            if deal.first_convoy_arrives_step is None:
                deal.first_convoy_arrives_step = self.fleet.arrival_step(t)
                detail += (
                    "; first convoy: the next buses go once it has arrived north "
                    f"(step {deal.first_convoy_arrives_step})"
                )
            self.events.add(t, "bus_convoy", deal.faction.name, deal.place, detail)
        return seats >= fighters + waiting.size
