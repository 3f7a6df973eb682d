"""The siege model: orchestrates geography, government, factions and civilians hour by hour."""

from __future__ import annotations

import logging

import mesa
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.buses import BusFleet
from sim.civilians import LAST_ENCLAVE_STATE, Civilians, strikes_per_km2_by_district
from sim.clock import HOURS_PER_DAY
from sim.compiled import start_numba
from sim.conflict import Conflict
from sim.crossings import Crossings
from sim.deals import Deal, DealBroker
from sim.events import Schedule
from sim.exit_barriers import ExitBarriers
from sim.factions import Faction, FactionStage
from sim.food import FoodStocks
from sim.geography import Geography, build_ghouta
from sim.government import GovernmentForces
from sim.handover import HandOver
from sim.invariants import check_aggregates, check_invariants, full_check_due
from sim.medevac import MedevacList
from sim.mesa_ids import forget_agent_numbering
from sim.params import ConfigError, SimConfig, check_names
from sim.reception import Reception
from sim.recorder import EventLog, Recorder
from sim.rng import make_streams
from sim.scale import at_agent_scale
from sim.tables import load_ghouta
from sim.territory import Territory
from sim.territory_record import TerritoryRecorder
from sim.walkouts import Walkouts

log = logging.getLogger(__name__)


class SiegeModel(mesa.Model):
    """Siege and evacuation of an enclave, one step per hour.

    Each step runs these phases in order; each reads the state the previous one left, and
    within a phase everyone decides before any decision is applied:

    1. Events: crossings shut for the day are drawn; the timeline's flags for this hour
       (bombardment, offensive, pauses that open crossings); at a day's first step every
       district eats its day's rations from its stocks; convoys let in refill their
       district's stocks; hunger moves towards its level for today's ration; notes are
       logged.
    2. Government: shelling units choose their strikes outside ceasefires, then casualties
       apply (critically wounded survivors join the medical evacuation list); regrouped
       assault groups are reinforced; the ring's pressure on the whole front and the assault
       groups' on their axes (a talking faction's towns spared and its farmland eased, raised
       in a renewed assault, none under a ceasefire) decide which front cells fall and what
       each group loses, then which civilians on those cells are killed; then deaths, losses
       (a group worn down stops to regroup) and captures apply (people left on captured cells
       are now in government areas; fragments cut off below ``min_pocket_cells`` fall with
       them); assault groups not regrouping move up towards ground open to attack.
    3. Factions: fighting factions' losses, desertion, morale and cohesion; hostile
       neighbours may clash (every pair decides, then clashes apply); factions hemmed into a
       pocket are drawn into talks, and ultimatums due are answered by resolve (a refusal
       brings a renewed assault under the next deadline; an acceptance a ceasefire and the
       civilians' choice: stay, the corridor to shelters, or buses); a faction not in talks
       whose morale broke surrenders its cells in every pocket (all decide, then all apply).
    4. Civilians: perceive (fear from this hour's strikes, hunger); the factions' restraint
       and the places to walk out across the front (where the army just took ground) are
       found; households decide (shelter, return home, set out for an open crossing, or walk
       out across the front), then walk towards their crossing, pass open crossings in queue
       order at the crossing's throughput, and cross the front at its places; the news of
       safe passage takes in the hour's exits.
    5. Logistics: in the order agreed, each deal's corridor passes people to shelters at its
       throughput in its open hours, and free buses come (fighters board first); a deal
       whose last bus passenger and last person at the corridor have left hands its cells
       over. Relatives sponsor households out of the reception sites (once a day); people
       whose screening is over are placed in the sites, nearest with space first. Once a
       day patients on the medical list may die; the longest-waiting are evacuated in any
       fixed-date window (a counterfactual) and, once a day, from each open deal's cells.
    6. Record the hour's numbers (and, at a day's last hour, who holds each cell and who is
       on it); check the accounting rules (:mod:`sim.invariants`): on the counts every
       step, person by person at the last step of every 7th day and of the run (every step
       with ``full_invariant_checks``).
    """

    def __init__(
        self,
        config: SimConfig,
        geography: Geography | None = None,
        *,
        full_invariant_checks: bool = False,
    ) -> None:
        """``full_invariant_checks``: when ``config.check_invariants``, check every person at
        every step, not only at the last step of every 7th day and of the run
        (:func:`sim.invariants.full_check_due`; slower; the tests do)."""
        streams = make_streams(config.seed)
        super().__init__(rng=streams.mesa)
        self.config = config
        """The config as asked (written to the run folder)."""
        self.full_invariant_checks = full_invariant_checks
        config = self.params = at_agent_scale(config)
        """The config the model runs: counts divided by ``people_per_agent`` (:mod:`sim.scale`)."""
        self.streams = streams
        if geography is None:
            data = load_ghouta()
            check_names(
                config,
                towns={t.name for t in data.towns},
                places={p.name for p in data.places},
                factions=set(data.factions) - {"Government forces"},
            )
            geography = build_ghouta(config, data)
        else:
            check_names(
                config,
                towns=set(geography.town_xy_m),
                places=set(geography.place_xy_m),
                factions={f.name for f in config.factions.values()},
            )
            if geography.faction_keys != tuple(config.factions):
                raise ConfigError(
                    f"factions: the map's factions {geography.faction_keys} differ from the "
                    f"configured {tuple(config.factions)}"
                )
        geo = geography
        for i, convoy in enumerate(config.timeline.convoys):
            if convoy.town not in geo.district_names:
                raise ConfigError(
                    f"timeline.convoys[{i}].town: {convoy.town!r} is not a district of the map "
                    f"{geo.district_names}"
                )
        for town in config.food.initial_stock_days_by_district:
            if town not in geo.district_names:
                raise ConfigError(
                    f"food.initial_stock_days_by_district.{town}: not a district of the map "
                    f"{geo.district_names}"
                )
        self.geo = geo
        self.start = pd.Timestamp(config.start_date)
        self.territory = Territory(geo, config.faction_dynamics.min_pocket_cells)
        self.town_cell = {
            name: geo.nearest_cell(x, y, geo.enclave) for name, (x, y) in geo.town_xy_m.items()
        }
        self.factions = [
            Faction(self, key, k + 1, config.factions[key])
            for k, key in enumerate(geo.faction_keys)
        ]
        for faction in self.factions:
            faction.initial_cells = faction.cells = self.territory.cells_of(faction.code)
            own = self.territory.controller == faction.code
            faction.initial_residents = float(geo.people[own].sum())
        self.events = EventLog(self.start)
        self.government = GovernmentForces(
            self, config.government, geo, self.territory, self.town_cell, self.events
        )
        self.civilians = Civilians(
            geo, config.population, config.civilians, config.exits, streams.population
        )
        families = np.array(
            [0]
            + [
                round(f.fighters * config.deals.fighter_households_per_fighter)
                for f in self.factions
            ]
        )
        self.civilians.assign_affiliation(
            geo.controller, families, streams.deals, config.people_per_agent
        )
        self.schedule = Schedule.build(config.timeline, config.crossings, config.n_steps)
        self.crossings = Crossings(
            config.crossings, self.schedule.crossing_open, geo, self.territory, config.exits
        )
        self.exit_barriers = ExitBarriers(config.exits, self.civilians.n)
        self.walkouts = Walkouts(config.exits, geo, self.territory)
        self.reception = Reception(config.reception, geo)
        self.medevac = MedevacList(config.medevac, self.civilians, streams.medevac, config.n_steps)
        self.food = FoodStocks(config.food, geo.district_names, self.civilians.inside_by_district)
        self.recorder = Recorder(
            config.n_steps,
            geo.faction_keys,
            self.crossings.names,
            geo.district_names,
            dict(zip(self.reception.site_names, self.reception.capacity.tolist(), strict=True)),
            self.start,
            config.people_per_agent,
        )
        self.territory_record = TerritoryRecorder(
            geo,
            config.days,
            self.start,
            tuple(f.name for f in self.factions),
            self.town_cell,
            {c.name: geo.point_xy_m(c.place) for c in config.crossings},
            config.people_per_agent,
        )
        self.territory_record.record_initial(
            self.territory.controller, self.civilians.cell, self.civilians.in_enclave()
        )
        self.deals = DealBroker(
            config.deals,
            BusFleet(config.bus_fleet),
            geo,
            self.territory,
            self.civilians,
            self.food,
            self.events,
            config.relations,
        )
        self.conflict = Conflict(
            config.faction_dynamics,
            config.relations,
            self.factions,
            self.territory,
            geo,
            self.civilians,
            self.events,
        )
        self.hand_over = HandOver(
            self.territory,
            geo,
            self.civilians,
            self.events,
            self.town_cell,
            tuple(f.name for f in self.factions),
        )
        self._district_area_km2 = (
            np.bincount(geo.district[geo.enclave], minlength=len(geo.district_names))
            * geo.cell_area_km2
        )
        self._district_names = geo.district_names
        self.hour_strikes = np.zeros(geo.n_cells, dtype=np.int32)
        self.killed_in_ground_fighting = 0
        """Civilians killed on cells taken by assault, so far."""
        self._anyone_inside = self.civilians.n > 0
        """Someone was inside the enclave at the end of the last step (nobody ever returns)."""
        forget_agent_numbering(self)  # every agent is made: let the model be freed after use
        if self.territory.n_pockets > 1:
            log.warning(
                "the enclave starts as %d separate pockets: pockets count as split (and "
                "factions as isolated) from the first hour",
                self.territory.n_pockets,
            )
        start_numba()  # its one-time start-up belongs to set-up, not to the first hour
        log.info(
            "model ready: %d civilians in %d households, %d factions, %d cells",
            self.civilians.n,
            self.civilians.n_households,
            len(self.factions),
            geo.n_cells,
        )

    # ================================================================= the step
    @property
    def step_index(self) -> int:
        """The hour being simulated (0-based); ``self.steps`` counts steps begun (Mesa)."""
        return self.steps - 1

    def step(self) -> None:
        t = self.step_index
        if t >= self.params.n_steps:
            self.running = False
            return
        self._phase_events(t)
        struck = self._phase_government(t)
        self._phase_factions(t)
        self._phase_civilians(t, *struck)
        self._phase_logistics(t)
        self._phase_record(t)
        if t + 1 >= self.params.n_steps:
            self.running = False

    def run(self) -> None:
        """Run every remaining step."""
        while self.running:
            self.step()

    # ----------------------------------------------------------------- 1 events
    def _phase_events(self, t: int) -> None:
        schedule = self.schedule
        self.crossings.begin_hour(t, self.streams.crossings, self.events)
        for note in schedule.notes.get(t, []):
            self.events.add(t, note.kind, "", "", note.detail)
        if schedule.bombardment[t] and (t == 0 or not schedule.bombardment[t - 1]):
            self.events.add(t, "bombardment_begins", "government")
        if schedule.ground_offensive[t] and (t == 0 or not schedule.ground_offensive[t - 1]):
            self.events.add(t, "ground_offensive_begins", "government")
        if t % HOURS_PER_DAY == 0:
            self.food.eat(t // HOURS_PER_DAY, self.civilians.inside_by_district)
        for convoy in schedule.convoys.get(t, []):
            if self.params.food.convoys_denied:
                detail = f"{convoy.trucks} trucks; food for {convoy.people_fed}; not let in"
                self.events.add(t, "aid_convoy_denied", "government", convoy.town, detail)
                continue
            person_days = self.food.deliver(self._district_names.index(convoy.town), convoy)
            detail = (
                f"{convoy.trucks} trucks ({convoy.trucks_not_unloaded} could not unload); "
                f"food for {convoy.people_fed}; {person_days:,.0f} person-days delivered"
            )
            self.events.add(t, "aid_convoy", "UN/ICRC", convoy.town, detail)
        self.food.update_hunger()

    # ----------------------------------------------------------------- 2 government
    def _phase_government(self, t: int) -> tuple[NDArray[np.intp], NDArray[np.int32]]:
        """Returns the people inside the enclave on the cells shelled this hour, and the
        strikes on each one's cell."""
        self.hand_over.new_hour()
        if self.territory.n_pockets == 0:  # no rebel-held cell left to shell or take
            self.hour_strikes = np.zeros(self.geo.n_cells, dtype=np.int32)
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.int32)
        gp = self.params.government
        intensity = float(self.schedule.bombardment[t])
        if self.schedule.pause[t]:
            intensity *= gp.pause_shelling_multiplier
        ceasefire = self.deals.ceasefire()
        strikes = self.government.shell(intensity, ~ceasefire, self.streams.shelling)
        self.hour_strikes = strikes
        struck = self.civilians.inside_on(np.flatnonzero(strikes))
        strikes_on_struck = strikes[self.civilians.cell[struck]]
        killed, struck_survivors = self.civilians.shelling_casualties(
            struck,
            strikes_on_struck,
            gp.lethality_per_strike,
            gp.shelter_protection,
            self.streams.shelling,
            t,
        )
        self.medevac.add_wounded(self.civilians, struck_survivors, killed, self.streams.medevac, t)
        if self.schedule.ground_offensive[t]:
            government = self.government
            government.resume_groups(t)
            defence = self.conflict.defence_at_cell()
            pressure = self.deals.pressure_at_cell(t, self.factions)
            assault = government.decide_assault(defence, pressure, self.streams.ground)
            on_captured = self.civilians.on_cells(assault.cells, self.geo.n_cells)
            dead = government.capture_deaths(on_captured, self.streams.ground)
            self.killed_in_ground_fighting += self.civilians.kill(dead, t)
            government.apply_losses(assault, t)
            self.hand_over.apply(assault.cells, t, "capture")
            # Groups make for ground that can be attacked now: not under a ceasefire, and not
            # the towns of a faction in talks (unless it is under a renewed assault). The
            # pressure found before the assault still holds on every cell still rebel-held:
            # a capture changes no faction's talks and no deal's cells.
            government.advance_units(self.territory.rebel() & (pressure > 0))
        return struck, strikes_on_struck

    # ----------------------------------------------------------------- 3 factions
    def _phase_factions(self, t: int) -> None:
        if not any(f.active for f in self.factions):  # every faction has ended
            return
        conflict = self.conflict
        fighting = [f for f in self.factions if f.fighting]
        hostile_borders = conflict.hostile_borders()
        for f in fighting:
            f.update(
                int(self.hand_over.cells_lost[f.code]),
                float(self.hand_over.residents_lost[f.code]),
                self.territory.isolation(f.code),
                blamed=bool(hostile_borders[f.code].any()),
                under_offensive=bool(self.schedule.ground_offensive[t]),
                dynamics=self.params.faction_dynamics,
                rng=self.streams.factions,
            )
        conflict.infighting(
            t, fighting, hostile_borders, self.deals.ceasefire(), self.streams.factions
        )
        self.deals.negotiate(t, self.factions, self.streams.deals)
        # A faction in talks answers the mediator's ultimatums rather than surrendering.
        fighting = [f for f in self.factions if f.stage == FactionStage.FIGHTING]
        surrendered = conflict.surrenders(t, fighting, self.deals.ceasefire())
        if surrendered.size:
            self.hand_over.apply(surrendered, t, "surrender")
        conflict.retire_factions(t)

    # ----------------------------------------------------------------- 4 civilians
    def _phase_civilians(
        self, t: int, struck: NDArray[np.intp], strikes_on_struck: NDArray[np.int32]
    ) -> None:
        """``struck``: people inside the enclave on the cells shelled this hour (before its
        casualties), ``strikes_on_struck`` the strikes on each one's cell."""
        if not self._anyone_inside:  # nobody comes back: nothing here can happen any more
            return
        civ = self.civilians
        density = strikes_per_km2_by_district(
            self.hour_strikes, self.geo.district, self._district_area_km2
        )
        civ.perceive(struck, strikes_on_struck, density)
        self.crossings.see_strikes(self.hour_strikes)
        self.walkouts.begin_hour(t, self.hand_over.taken_step)
        # Under a ceasefire people have made their deal choice: nobody sets out.
        restraint = self.exit_barriers.restraint_at_cell(
            self.factions,
            self.territory.controller,
            self.deals.ceasefire(),
            self.walkouts.in_reach(),
        )
        self.walkouts.open_places(restraint)
        open_now = self.crossings.open_now()
        civ.decide_and_apply(
            restraint,
            open_now,
            self.crossings.ways(),
            self.crossings.pull(open_now),
            self.walkouts.in_reach(),
            self.food.hunger,
            self.exit_barriers.word_factor(),
            self.streams.civilians,
            t,
        )
        self.crossings.walk_and_pass(civ, self.streams.civilians, t)
        self.walkouts.cross(civ, self.streams.civilians, t)
        self.exit_barriers.hear(int(self.crossings.crossed.sum()) + self.walkouts.crossed)

    # ----------------------------------------------------------------- 5 logistics
    def _phase_logistics(self, t: int) -> None:
        for deal in self.deals.evacuate(t):
            self._complete(deal, t)
        if t % HOURS_PER_DAY == 0:
            self.reception.release(self.civilians, self.streams.reception)
        self.reception.admit(self.civilians, t, self.streams.reception)
        if t % HOURS_PER_DAY == 0:
            self.medevac.deaths_while_waiting(self.civilians, self.streams.medevac, t)
        if self.medevac.places_by_step[t]:
            n = self.medevac.evacuate(self.civilians, t)
            if n:
                self.events.add(t, "medevac", "ICRC/SARC", "", f"{n} patients evacuated")
        if t % HOURS_PER_DAY == self.config.medevac.hour_under_deal:
            for k, deal in self.deals.open_deals():
                n = self.medevac.evacuate_from(self.civilians, self.deals.deal_of_cell == k, t)
                deal.patients_evacuated += n
                if n:
                    detail = f"{n} patients evacuated under the {deal.faction.name} deal"
                    self.events.add(t, "medevac", "ICRC/SARC", deal.place, detail)
        self.medevac.refresh(self.civilians)

    def _complete(self, deal: Deal, t: int) -> None:
        """The deal's last bus has left: its cells pass to the government."""
        detail = (
            f"{deal.trips} bus trips: {deal.fighters_bussed} fighters, "
            f"{deal.civilians_bussed} civilians north; {deal.corridor_passed} through the "
            f"corridor to shelters; {deal.patients_evacuated} patients evacuated"
        )
        self.events.add(t, "deal_completed", deal.faction.name, deal.place, detail)
        self.hand_over.apply(deal.cells, t, "deal")
        self.conflict.retire_factions(t, evacuated=set(deal.fighters_waiting))

    # ----------------------------------------------------------------- 6 record
    def _phase_record(self, t: int) -> None:
        civ = self.civilians
        table = civ.state_route_counts
        self._anyone_inside = bool(table[: LAST_ENCLAVE_STATE + 1].any())
        if self.params.check_invariants:
            if self.full_invariant_checks or full_check_due(t, self.params.n_steps):
                self.check_invariants(civ.state_by_route())
            else:
                check_aggregates(
                    table,
                    civ.n,
                    civ.inside_by_district,
                    self.reception.occupancy,
                    self.territory,
                    self.geo,
                    self.factions,
                )
        queue = self.crossings.queue_lengths(civ)
        self.recorder.record(
            t,
            state_counts=table.sum(axis=1),
            exits_by_route=table.sum(axis=0),
            strikes=int(self.hour_strikes.sum()),
            killed_in_ground_fighting_cum=self.killed_in_ground_fighting,
            rebel_cells=int(np.count_nonzero(self.territory.rebel())),
            pockets=self.territory.n_pockets,
            faction_cells=np.array([f.cells for f in self.factions]),
            fighters=np.array([f.fighters for f in self.factions]),
            cohesion=np.array([f.cohesion for f in self.factions]),
            morale=np.array([f.morale for f in self.factions]),
            stage=np.array([f.stage for f in self.factions]),
            bussed_north_fighters_cum=self.deals.fighters_bussed(),
            buses_on_road=self.deals.fleet.on_road(t),
            bus_trips_cum=self.deals.fleet.trips,
            bus_seats_filled_cum=self.deals.fleet.seats_filled,
            ceasefire_cells=int(np.count_nonzero(self.deals.ceasefire())),
            queue=queue,
            crossing_open=self.crossings.is_open,
            crossing_shut=self.crossings.shut_today,
            crossed=self.crossings.crossed.copy(),
            waited_hours=self.crossings.waited_hours.copy(),
            district_remaining=civ.inside_by_district,
            food_stock_person_days=self.food.stock_person_days,
            hunger=self.food.hunger,
            shelter_occupancy=self.reception.occupancy,
            released_from_shelters_cum=self.reception.released,
            detained=int(self.reception.held.size),
            medevac_waiting=self.medevac.waiting,
            medevac_evacuated_cum=self.medevac.evacuated,
            medevac_died_waiting_cum=self.medevac.died_waiting,
        )
        if self.territory_record.due(t):
            self.territory_record.record(t, self.territory.controller, civ.cell, civ.in_enclave())

    def check_invariants(
        self, state_by_route: NDArray[np.int64], inside: NDArray[np.bool_] | None = None
    ) -> None:
        """Check the accounting rules (:func:`sim.invariants.check_invariants`) on the current
        state (``inside``: who is inside the enclave, if the caller has it)."""
        civ = self.civilians
        check_invariants(
            state_by_route,
            civ.in_enclave() if inside is None else inside,
            civ,
            self.territory,
            self.geo,
            self.reception.occupancy,
            self.deals.ceasefire(),
            self.factions,
        )
