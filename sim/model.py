"""The siege model: orchestrates geography, government, factions and civilians hour by hour."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass

import mesa
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sim.buses import BusFleet
from sim.civilians import (
    ALLOWED_ROUTES,
    LAST_ENCLAVE_STATE,
    NO_SITE,
    Civilians,
    CivilianState,
    ExitRoute,
)
from sim.deals import Deal, DealBroker
from sim.events import Schedule
from sim.factions import Faction, FactionStage
from sim.food import FoodStocks
from sim.geography import GOVERNMENT, Geography, build_ghouta
from sim.government import GovernmentForces
from sim.medevac import MedevacList
from sim.params import ConfigError, SimConfig, check_names
from sim.reception import Reception
from sim.recorder import EventLog, Recorder
from sim.rng import make_streams
from sim.tables import load_ghouta
from sim.territory import Territory

log = logging.getLogger(__name__)


ALLIED, NEUTRAL, HOSTILE = 1, 0, -1


def relation_matrix(config: SimConfig, factions: list[Faction]) -> NDArray[np.int8]:
    """Controller codes x codes: ALLIED, NEUTRAL (the default) or HOSTILE."""
    code = {f.key: f.code for f in factions}
    value = {"allied": ALLIED, "neutral": NEUTRAL, "hostile": HOSTILE}
    matrix = np.zeros((len(factions) + 1, len(factions) + 1), dtype=np.int8)
    for rel in config.relations:
        matrix[code[rel.a], code[rel.b]] = matrix[code[rel.b], code[rel.a]] = value[rel.relation]
    return matrix


@dataclass(frozen=True)
class PocketEnd:
    """A pocket whose last cell passed to the government."""

    day: int
    place: str
    """Its most populous district (initial residents)."""
    cause: str
    """capture, surrender or deal: what handed over its last cells."""
    cells: int
    """Its size when it was last labelled (before the final hand-over)."""


class InvariantError(AssertionError):
    """The model broke one of its own accounting rules (a bug, never bad input)."""


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
       apply (critically wounded survivors join the medical evacuation list); assault
       groups' pressure (eased on factions in talks, none under a ceasefire) decides which
       front cells fall, then all captures apply (people on captured cells are now in
       government areas; fragments cut off below ``min_pocket_cells`` fall with them);
       assault groups move up.
    3. Factions: fighting factions' losses, desertion, morale and cohesion; hostile
       neighbours may clash (every pair decides, then clashes apply); factions hemmed into a
       pocket are offered terms, and terms are answered (accepted terms bring a ceasefire and the
       civilians' choice: stay, shelters or buses); a faction whose morale broke surrenders
       its cells in every pocket (all decide, then all apply).
    4. Civilians: perceive (fear from this hour's strikes, hunger), decide by household
       (shelter, return home, set out for an open crossing), walk towards their crossing,
       pass open crossings in queue order at the crossing's throughput.
    5. Logistics: free buses go to deals in the order agreed (fighters board first); a deal
       whose last passenger has left hands its cells over. Relatives sponsor households out
       of the reception sites (once a day); people whose screening is over are placed in
       the sites, nearest with space first. Once a day patients on the medical list may
       die; in an agreed window the longest-waiting patients are evacuated.
    6. Record the hour's numbers; check that every person is in exactly one state.
    """

    def __init__(self, config: SimConfig, geography: Geography | None = None) -> None:
        streams = make_streams(config.seed)
        super().__init__(rng=streams.mesa)
        self.config = config
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
        self.relation = relation_matrix(config, self.factions)
        self.government = GovernmentForces(
            self, config.government, geo, self.territory, self.town_cell
        )
        self.civilians = Civilians(geo, config.population, config.civilians, streams.population)
        families = np.array(
            [0]
            + [
                round(f.fighters * config.deals.fighter_households_per_fighter)
                for f in self.factions
            ]
        )
        self.civilians.assign_affiliation(geo.controller, families, streams.deals)
        self.crossing_names = tuple(c.name for c in config.crossings)
        self._crossing_sources = [
            geo.cells_within(*geo.point_xy_m(c.place), c.access_radius_m) for c in config.crossings
        ]
        self._crossing_fields: list[tuple[int, NDArray, NDArray] | None] = [None] * len(
            config.crossings
        )
        self.schedule = Schedule.build(config.timeline, config.crossings, config.n_steps)
        self.reception = Reception(config.reception, geo)
        self.medevac = MedevacList(config.medevac, self.civilians, streams.medevac, config.n_steps)
        self.food = FoodStocks(config.food, geo.district_names, self._people_inside_by_district())
        self.recorder = Recorder(
            config.n_steps,
            geo.faction_keys,
            self.crossing_names,
            geo.district_names,
            dict(zip(self.reception.site_names, self.reception.capacity.tolist(), strict=True)),
            self.start,
        )
        self.events = EventLog(self.start)
        self.deals = DealBroker(
            config.deals,
            BusFleet(config.bus_fleet),
            geo,
            self.territory,
            self.civilians,
            self.events,
        )
        self._district_area_km2 = (
            np.bincount(geo.district[geo.enclave], minlength=len(geo.district_names))
            * geo.cell_area_km2
        )
        self._coercion_by_code = np.array(
            [0.0] + [f.civilian_exit_coercion for f in self.factions], dtype=np.float64
        )
        self._district_names = geo.district_names
        self._crossed = np.zeros(len(config.crossings), dtype=np.int64)
        self._waited_hours = np.zeros(len(config.crossings), dtype=np.int64)
        self._closure_p = np.array([c.closure_probability_per_day for c in config.crossings])
        self._closed_today = np.zeros(len(config.crossings), dtype=bool)
        self.crossing_open = np.zeros(len(config.crossings), dtype=bool)
        """Crossings open this hour: in a pause that names them and not shut for the day."""
        self._cells_lost = np.zeros(len(self.factions) + 1, dtype=np.int64)
        self.hour_strikes = np.zeros(geo.n_cells, dtype=np.int32)
        self._anyone_inside = self.civilians.n > 0
        """Someone was inside the enclave at the end of the last step (nobody ever returns)."""
        self.pocket_ends: list[PocketEnd] = []
        if self.territory.n_pockets > 1:
            log.warning(
                "the enclave starts as %d separate pockets: pockets count as split (and "
                "factions as isolated) from the first hour",
                self.territory.n_pockets,
            )
        log.info(
            "model ready: %d civilians in %d households, %d factions, %d cells",
            self.civilians.n,
            self.civilians.n_households,
            len(self.factions),
            geo.n_cells,
        )

    def _people_inside_by_district(
        self, inside: NDArray[np.bool_] | None = None
    ) -> NDArray[np.int64]:
        """People still inside the enclave, by home district (``inside``: who is inside,
        if the caller has it)."""
        civ = self.civilians
        if inside is None:
            inside = civ.in_enclave()
        return np.bincount(civ.home_district[inside], minlength=len(self.geo.district_names))

    # ================================================================= the step
    @property
    def step_index(self) -> int:
        """The hour being simulated (0-based); ``self.steps`` counts steps begun (Mesa)."""
        return self.steps - 1

    def step(self) -> None:
        t = self.step_index
        if t >= self.config.n_steps:
            self.running = False
            return
        self._phase_events(t)
        strikes_at_person = self._phase_government(t)
        self._phase_factions(t)
        self._phase_civilians(t, strikes_at_person)
        self._phase_logistics(t)
        self._phase_record(t)
        if t + 1 >= self.config.n_steps:
            self.running = False

    def run(self) -> None:
        """Run every remaining step."""
        while self.running:
            self.step()

    # ----------------------------------------------------------------- 1 events
    def _phase_events(self, t: int) -> None:
        schedule = self.schedule
        if t % 24 == 0:  # one draw per crossing and day, whether or not a pause is due
            draws = self.streams.crossings.random(self._closure_p.size)
            self._closed_today = draws < self._closure_p
            day = slice(t, t + 24)
            for k in np.flatnonzero(self._closed_today & schedule.crossing_open[day].any(axis=0)):
                self.events.add(t, "crossing_shut_for_day", "", self.crossing_names[k])
        was_open = self.crossing_open
        self.crossing_open = schedule.crossing_open[t] & ~self._closed_today
        for k, name in enumerate(self.crossing_names):
            if self.crossing_open[k] != was_open[k]:
                kind = "crossing_opened" if self.crossing_open[k] else "crossing_closed"
                self.events.add(t, kind, "government", name)
        for note in schedule.notes.get(t, []):
            self.events.add(t, note.kind, "", "", note.detail)
        if schedule.bombardment[t] and (t == 0 or not schedule.bombardment[t - 1]):
            self.events.add(t, "bombardment_begins", "government")
        if schedule.ground_offensive[t] and (t == 0 or not schedule.ground_offensive[t - 1]):
            self.events.add(t, "ground_offensive_begins", "government")
        if t % 24 == 0:
            self.food.eat(t // 24, self._people_inside_by_district())
        for convoy in schedule.convoys.get(t, []):
            if self.config.food.convoys_denied:
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
    def _phase_government(self, t: int) -> NDArray[np.int32]:
        self._cells_lost[:] = 0
        if self.territory.n_pockets == 0:  # no rebel-held cell left to shell or take
            self.hour_strikes = np.zeros(self.geo.n_cells, dtype=np.int32)
            return np.zeros(self.civilians.n, dtype=np.int32)
        gp = self.config.government
        intensity = float(self.schedule.bombardment[t])
        if self.schedule.pause[t]:
            intensity *= gp.pause_shelling_multiplier
        ceasefire = self.deals.ceasefire()
        strikes = self.government.shell(intensity, ~ceasefire, self.streams.shelling)
        self.hour_strikes = strikes
        strikes_at_person = strikes[self.civilians.cell]
        killed, struck_survivors = self.civilians.shelling_casualties(
            strikes_at_person,
            gp.lethality_per_strike,
            gp.shelter_protection,
            self.streams.shelling,
            t,
        )
        self.medevac.add_wounded(self.civilians, struck_survivors, killed, self.streams.medevac, t)
        if self.schedule.ground_offensive[t]:
            defence = self._defence_per_front_cell()
            pressure = self.deals.pressure_at_cell(self.factions)
            captured = self.government.decide_captures(defence, pressure, self.streams.ground)
            self._hand_over(captured, t, "capture")
            self.government.advance_units(self.territory.rebel() & ~self.deals.ceasefire())
        return strikes_at_person

    def _defence_per_front_cell(self) -> NDArray[np.float64]:
        """Each faction's defence per front cell (by code), with allied neighbours' support."""
        n_codes = len(self.factions) + 1
        front = self.territory.front()
        front_by_code = np.bincount(self.territory.controller[front], minlength=n_codes)
        own = np.zeros(n_codes)
        for f in self.factions:
            own[f.code] = f.defence_per_front_cell(int(front_by_code[f.code]))
        allied_borders = (self.relation == ALLIED) & (self.territory.border_pairs(n_codes) > 0)
        share = self.config.faction_dynamics.reinforcement_share
        return own + share * allied_borders @ own

    def _hand_over(self, cells: NDArray[np.intp], t: int, cause: str) -> None:
        """Apply a change of control: territory, the people on it, towns lost, pocket splits
        and pockets ended (``cause``: capture, surrender or deal)."""
        before_all = self.territory.controller.copy()
        labels_before = self.territory.pocket_labels()
        pockets_before = self.territory.n_pockets
        cells = self.territory.capture(cells)
        if cells.size == 0:
            return
        rebel = self.territory.rebel()
        for pocket in np.unique(labels_before[cells]):
            was = np.flatnonzero(labels_before == pocket)
            if not rebel[was].any():
                end = PocketEnd(t // 24, self.geo.main_district(was), cause, int(was.size))
                self.pocket_ends.append(end)
                self.events.add(t, "pocket_ended", "", end.place, f"{cause}; {end.cells} cells")
        before = before_all[cells]
        self._cells_lost += np.bincount(before, minlength=len(self._cells_lost))
        captured = np.zeros(self.geo.n_cells, dtype=bool)
        captured[cells] = True
        self.civilians.capture_cells(captured, t)
        for town, cell in self.town_cell.items():
            if captured[cell]:
                holder = self.factions[before[np.flatnonzero(cells == cell)[0]] - 1].name
                self.events.add(t, "town_captured", "government", town, f"from {holder}")
        if self.territory.n_pockets > pockets_before and pockets_before > 0:
            labels = self.territory.pocket_labels()
            pockets = [np.flatnonzero(labels == k) for k in range(1, self.territory.n_pockets + 1)]
            names = [f"{self.geo.main_district(p)} ({p.size} cells)" for p in pockets]
            detail = f"{pockets_before} -> {self.territory.n_pockets} pockets: " + ", ".join(names)
            self.events.add(t, "pocket_split", "government", "", detail)

    # ----------------------------------------------------------------- 3 factions
    def _phase_factions(self, t: int) -> None:
        if not any(f.active for f in self.factions):  # every faction has ended
            return
        dyn = self.config.faction_dynamics
        territory = self.territory
        fighting = [f for f in self.factions if f.fighting]
        borders = territory.border_pairs(len(self.factions) + 1) > 0
        hostile_borders = borders & (self.relation == HOSTILE)
        for f in fighting:
            f.update(
                int(self._cells_lost[f.code]),
                territory.isolation(f.code),
                blamed=bool(hostile_borders[f.code].any()),
                under_offensive=bool(self.schedule.ground_offensive[t]),
                dynamics=dyn,
                rng=self.streams.factions,
            )
        self._infighting(t, fighting, hostile_borders)
        self.deals.negotiate(t, self.factions, self.streams.deals)
        # Once the enclave has split, every fighting faction whose morale broke surrenders its
        # cells (outside ceasefires) in every pocket; all decide on the same state, then all
        # hand-overs apply together.
        fallen: list[NDArray[np.intp]] = []
        fighting = [f for f in self.factions if f.fighting]
        if territory.n_pockets > 1:
            labels = territory.pocket_labels()
            open_ground = ~self.deals.ceasefire()
            held = {f.code: territory.cells_of(f.code) for f in fighting}
            fighters = {f.code: f.fighters for f in fighting}
            for pocket in range(1, territory.n_pockets + 1):
                cells = np.flatnonzero(labels == pocket)
                for f in fighting:
                    own = cells[(territory.controller[cells] == f.code) & open_ground[cells]]
                    if own.size == 0 or not f.will_surrender(dyn):
                        continue
                    share = own.size / held[f.code]
                    surrendered = min(f.fighters, round(fighters[f.code] * share))
                    f.fighters -= surrendered
                    detail = f"{own.size} cells; {surrendered} fighters; morale {f.morale:.2f}"
                    self.events.add(t, "surrender", f.name, self.geo.main_district(cells), detail)
                    fallen.append(own)
        if fallen:
            self._hand_over(np.concatenate(fallen), t, "surrender")
        self._retire_factions(t)

    def _retire_factions(self, t: int, evacuated: Collection[Faction] = ()) -> None:
        """Refresh cell counts; a faction left without cells has ended (defeated, unless its
        fighters went north with a deal: ``evacuated``)."""
        for f in self.factions:
            if not f.active:
                continue
            f.cells = self.territory.cells_of(f.code)
            if f.cells > 0:
                continue
            if f.stage != FactionStage.EVACUATING and f not in evacuated:
                # Fighters left without ground are killed, captured or gone: out of the model.
                detail = f"{f.fighters} fighters without ground left the field"
                self.events.add(t, "faction_defeated", f.name, "", detail)
                f.fighters = 0
            f.stage = FactionStage.ENDED

    def _infighting(
        self, t: int, active: list[Faction], hostile_borders: NDArray[np.bool_]
    ) -> None:
        """Hostile neighbours may clash: every pair decides, then every clash applies."""
        dyn = self.config.faction_dynamics
        rng = self.streams.factions
        clashes = []
        for k, a in enumerate(active):
            for b in active[k + 1 :]:
                if not hostile_borders[a.code, b.code]:
                    continue
                strain = (1.0 - a.morale) + (1.0 - b.morale)
                p = (
                    dyn.infighting_rate_per_day
                    / 24.0
                    * (1.0 + dyn.infighting_pressure_weight * strain)
                )
                if rng.random() < p:
                    clashes.append((a, b, rng.poisson(dyn.infighting_fighters_killed_mean, 2)))
        for a, b, killed in clashes:
            killed_a = a.suffer_infighting(int(killed[0]), dyn)
            killed_b = b.suffer_infighting(int(killed[1]), dyn)
            border = self.territory.border_cells(a.code, b.code)
            outside_ceasefire = border[~self.deals.ceasefire()[border]]
            people = self.civilians.on_cells(outside_ceasefire, self.geo.n_cells)
            n_dead = min(people.size, int(rng.poisson(dyn.infighting_civilians_killed_mean)))
            self.civilians.kill(rng.choice(people, size=n_dead, replace=False), t)
            detail = f"fighters killed {a.name} {killed_a}, {b.name} {killed_b}; civilians {n_dead}"
            self.events.add(
                t, "infighting", f"{a.name} vs {b.name}", self.geo.main_district(border), detail
            )

    # ----------------------------------------------------------------- 4 civilians
    def crossing_field(self, k: int) -> tuple[NDArray[np.float64], NDArray[np.int32]]:
        """Distance field of crossing ``k``, recomputed only after territory changed."""
        cached = self._crossing_fields[k]
        if cached is None or cached[0] != self.territory.version:
            dist, nxt = self.territory.distance_field(self._crossing_sources[k])
            cached = (self.territory.version, dist, nxt)
            self._crossing_fields[k] = cached
        return cached[1], cached[2]

    def _phase_civilians(self, t: int, strikes_at_person: NDArray[np.int32]) -> None:
        self._crossed[:] = 0
        self._waited_hours[:] = 0
        if not self._anyone_inside:  # nobody comes back: nothing here can happen any more
            return
        civ = self.civilians
        geo = self.geo
        struck = np.flatnonzero(self.hour_strikes)
        district_strikes = np.bincount(
            geo.district[struck],
            weights=self.hour_strikes[struck],
            minlength=len(self._district_names),
        ).astype(np.float64)  # bincount of nothing is int64 even with weights
        density = np.divide(
            district_strikes,
            self._district_area_km2,
            out=np.zeros_like(district_strikes),
            where=self._district_area_km2 > 0,
        )
        civ.perceive(strikes_at_person, density)

        open_now = np.flatnonzero(self.crossing_open)
        if open_now.size:
            fields = np.stack([self.crossing_field(int(k))[0] for k in open_now])
        else:
            fields = np.zeros((0, geo.n_cells))
        coercion = self._coercion_by_code[self.territory.controller]
        # Under a ceasefire people have made their deal choice: nobody sets out for a crossing.
        coercion[self.deals.ceasefire()] = 1.0
        civ.decide_and_apply(coercion, open_now, fields, self.food.hunger, self.streams.civilians)
        for k in range(len(self.crossing_names)):
            dist, nxt = self.crossing_field(k) if self._anyone_heading_to(k) else (None, None)
            if dist is not None:
                civ.move(k, dist, nxt, geo, self.streams.civilians, t)
            if self.crossing_open[k]:
                self._crossed[k], self._waited_hours[k] = civ.pass_crossing(
                    k, self.config.crossings[k].throughput_per_hour, t
                )

    def _anyone_heading_to(self, k: int) -> bool:
        return bool(
            np.any(
                (self.civilians.state == CivilianState.MOVING)
                & (self.civilians.target_crossing == k)
            )
        )

    # ----------------------------------------------------------------- 5 logistics
    def _phase_logistics(self, t: int) -> None:
        for deal in self.deals.run_buses(t):
            self._complete(deal, t)
        if t % 24 == 0:
            self.reception.release(self.civilians, self.streams.reception)
        self.reception.admit(self.civilians, t, self.streams.reception)
        if t % 24 == 0:
            self.medevac.deaths_while_waiting(self.civilians, self.streams.medevac, t)
        if self.medevac.places_by_step[t]:
            n = self.medevac.evacuate(self.civilians, t)
            if n:
                self.events.add(t, "medevac", "ICRC/SARC", "", f"{n} patients evacuated")
        self.medevac.refresh(self.civilians)

    def _complete(self, deal: Deal, t: int) -> None:
        """The deal's last bus has left: its cells pass to the government."""
        detail = (
            f"{deal.trips} bus trips: {deal.fighters_bussed} fighters, "
            f"{deal.civilians_bussed} civilians north"
        )
        self.events.add(t, "deal_completed", deal.faction.name, deal.place, detail)
        self._hand_over(deal.cells, t, "deal")
        self._retire_factions(t, evacuated=set(deal.fighters_waiting))

    # ----------------------------------------------------------------- 6 record
    def _phase_record(self, t: int) -> None:
        civ = self.civilians
        table = civ.state_by_route()
        self._anyone_inside = bool(table[: LAST_ENCLAVE_STATE + 1].any())
        inside = civ.in_enclave()
        if self.config.check_invariants:
            self.check_invariants(table, inside)
        queue = np.array([civ.queued_at(k).size for k in range(len(self.crossing_names))])
        self.recorder.record(
            t,
            state_counts=table.sum(axis=1),
            exits_by_route=table.sum(axis=0),
            strikes=int(self.hour_strikes.sum()),
            rebel_cells=int(np.count_nonzero(self.territory.rebel())),
            pockets=self.territory.n_pockets,
            faction_cells=np.array([f.cells for f in self.factions]),
            fighters=np.array([f.fighters for f in self.factions]),
            cohesion=np.array([f.cohesion for f in self.factions]),
            morale=np.array([f.morale for f in self.factions]),
            stage=np.array([f.stage for f in self.factions]),
            fighters_bussed_north_cum=self.deals.fighters_bussed(),
            buses_on_road=self.deals.fleet.on_road(t),
            bus_trips_cum=self.deals.fleet.trips,
            bus_seats_filled_cum=self.deals.fleet.seats_filled,
            ceasefire_cells=int(np.count_nonzero(self.deals.ceasefire())),
            queue=queue,
            crossing_open=self.crossing_open,
            crossing_shut=self._closed_today,
            crossed=self._crossed.copy(),
            waited_hours=self._waited_hours.copy(),
            district_remaining=self._people_inside_by_district(inside),
            food_stock_person_days=self.food.stock_person_days,
            hunger=self.food.hunger,
            shelter_occupancy=self.reception.occupancy,
            released_from_shelters_cum=self.reception.released,
            detained=int(self.reception.held.size),
            medevac_waiting=self.medevac.waiting,
            medevac_evacuated_cum=self.medevac.evacuated,
            medevac_died_waiting_cum=self.medevac.died_waiting,
        )

    def check_invariants(
        self, state_by_route: NDArray[np.int64], inside: NDArray[np.bool_] | None = None
    ) -> None:
        """Every person is in exactly one state, with an exit route that fits it, and each
        state agrees with the map and the reception sites (``inside``: who is inside the
        enclave, if the caller has it)."""
        civ = self.civilians
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
        if inside is None:
            inside = civ.in_enclave()
        if not self.territory.rebel()[civ.cell[inside]].all():
            raise InvariantError("someone inside the enclave stands on a government-held cell")
        with_site = np.flatnonzero(civ.shelter_site != NO_SITE)
        sheltered = state_by_route[CivilianState.IN_COLLECTIVE_SHELTER].sum()
        if (
            with_site.size != sheltered
            or (civ.state[with_site] != CivilianState.IN_COLLECTIVE_SHELTER).any()
            or not np.array_equal(
                np.bincount(civ.shelter_site[with_site], minlength=self.reception.occupancy.size),
                self.reception.occupancy,
            )
        ):
            raise InvariantError("reception sites' occupancy disagrees with who is sheltered")
        awaiting = civ.state == CivilianState.AWAITING_BUS
        if not self.deals.ceasefire()[civ.cell[awaiting]].all():
            raise InvariantError("someone waits for a bus outside any open deal")
        for f in self.factions:
            if f.fighters < 0:
                raise InvariantError(f"{f.name} has {f.fighters} fighters")
        if self.territory.controller[self.geo.controller == GOVERNMENT].any():
            raise InvariantError("a government-held cell went back to a faction")
