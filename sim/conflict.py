"""Between factions, and factions giving up: relations, allied reinforcement, infighting,
surrender of factions whose morale broke, and the end of factions left without ground.

Relations (``relations``; pairs not listed are neutral): allies lend a share of their
defence to each other's front; hostile neighbours blame each other for losses and may clash.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from numpy.typing import NDArray

from sim.civilians import Civilians
from sim.clock import HOURS_PER_DAY
from sim.factions import Faction, FactionStage
from sim.geography import Geography
from sim.params import FactionDynamicsParams, RelationParams
from sim.recorder import EventLog
from sim.territory import Territory

ALLIED, NEUTRAL, HOSTILE = 1, 0, -1


def relation_matrix(
    relations: Sequence[RelationParams], factions: list[Faction]
) -> NDArray[np.int8]:
    """Controller codes x codes: ALLIED, NEUTRAL (the default) or HOSTILE."""
    code = {f.key: f.code for f in factions}
    value = {"allied": ALLIED, "neutral": NEUTRAL, "hostile": HOSTILE}
    matrix = np.zeros((len(factions) + 1, len(factions) + 1), dtype=np.int8)
    for rel in relations:
        matrix[code[rel.a], code[rel.b]] = matrix[code[rel.b], code[rel.a]] = value[rel.relation]
    return matrix


class Conflict:
    """The factions' relations and the rules that follow from them and from broken morale."""

    def __init__(
        self,
        dynamics: FactionDynamicsParams,
        relations: Sequence[RelationParams],
        factions: list[Faction],
        territory: Territory,
        geo: Geography,
        civilians: Civilians,
        events: EventLog,
    ) -> None:
        self.dynamics = dynamics
        self.factions = factions
        self.relation = relation_matrix(relations, factions)
        """Controller codes x codes: ALLIED, NEUTRAL or HOSTILE."""
        self.territory = territory
        self.geo = geo
        self.civilians = civilians
        self.events = events
        self.residents_near: NDArray[np.float64] | None = (
            geo.people_near(dynamics.defence_residents_radius_m)
            if dynamics.defence_by_residents_share > 0
            else None
        )
        """Initial residents around each cell (:meth:`Geography.people_near`), which post
        a faction's fighters along its front; None while defence is spread evenly."""

    def _borders(self) -> NDArray[np.bool_]:
        """Codes x codes: the two share a border (8-neighbour contact)."""
        return self.territory.border_pairs(len(self.factions) + 1) > 0

    def hostile_borders(self) -> NDArray[np.bool_]:
        """Codes x codes: hostile and sharing a border."""
        return self._borders() & (self.relation == HOSTILE)

    def defence_per_front_cell(self) -> NDArray[np.float64]:
        """Each faction's defence per front cell (by code), with allied neighbours' support."""
        n_codes = len(self.factions) + 1
        front = self.territory.front()
        return self._defence_per_code(
            np.bincount(self.territory.controller[front], minlength=n_codes)
        )

    def _defence_per_code(self, front_by_code: NDArray[np.int64]) -> NDArray[np.float64]:
        """:meth:`defence_per_front_cell` given each code's front cells."""
        n_codes = len(self.factions) + 1
        own = np.zeros(n_codes)
        for f in self.factions:
            own[f.code] = f.defence_per_front_cell(int(front_by_code[f.code]))
        allied_borders = (self.relation == ALLIED) & (self.territory.border_pairs(n_codes) > 0)
        return own + self.dynamics.reinforcement_share * allied_borders @ own

    def defence_at_cell(self) -> NDArray[np.float64]:
        """Defence on each front cell (0 elsewhere): the holder's defence per front cell
        (:meth:`defence_per_front_cell`) times the cell's posting weight
        ``1 - s + s x near_c / mean of near over the holder's front cells``, where ``s`` is
        ``defence_by_residents_share`` and ``near`` the residents around each cell: fighters
        stand where their towns are, and outlying farmland is thinly held."""
        front = np.flatnonzero(self.territory.front())
        codes = self.territory.controller[front]
        n_codes = len(self.factions) + 1
        front_by_code = np.bincount(codes, minlength=n_codes)
        per_code = self._defence_per_code(front_by_code)
        defence = np.zeros(self.geo.n_cells)
        if self.residents_near is None:
            defence[front] = per_code[codes]
            return defence
        share = self.dynamics.defence_by_residents_share
        near = self.residents_near[front]
        near_total = np.bincount(codes, weights=near, minlength=n_codes)
        mean_near = near_total / np.maximum(front_by_code, 1)
        mean_at = mean_near[codes]
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(mean_at > 0, near / mean_at, 1.0)
        defence[front] = per_code[codes] * (1.0 - share + share * relative)
        return defence

    def infighting(
        self,
        t: int,
        active: list[Faction],
        hostile_borders: NDArray[np.bool_],
        ceasefire: NDArray[np.bool_],
        rng: np.random.Generator,
    ) -> None:
        """Hostile neighbours may clash: every pair decides, then every clash applies
        (civilians die on the border cells outside ``ceasefire``)."""
        dyn = self.dynamics
        clashes = []
        for k, a in enumerate(active):
            for b in active[k + 1 :]:
                if not hostile_borders[a.code, b.code]:
                    continue
                strain = (1.0 - a.morale) + (1.0 - b.morale)
                p = (
                    dyn.infighting_rate_per_day
                    / HOURS_PER_DAY
                    * (1.0 + dyn.infighting_pressure_weight * strain)
                )
                if rng.random() < p:
                    clashes.append((a, b, rng.poisson(dyn.infighting_fighters_killed_mean, 2)))
        for a, b, killed in clashes:
            killed_a = a.suffer_infighting(int(killed[0]), dyn)
            killed_b = b.suffer_infighting(int(killed[1]), dyn)
            border = self.territory.border_cells(a.code, b.code)
            outside_ceasefire = border[~ceasefire[border]]
            people = self.civilians.on_cells(outside_ceasefire, self.geo.n_cells)
            n_dead = min(people.size, int(rng.poisson(dyn.infighting_civilians_killed_mean)))
            self.civilians.kill(rng.choice(people, size=n_dead, replace=False), t)
            detail = f"fighters killed {a.name} {killed_a}, {b.name} {killed_b}; civilians {n_dead}"
            self.events.add(
                t, "infighting", f"{a.name} vs {b.name}", self.geo.main_district(border), detail
            )

    def surrenders(
        self, t: int, fighting: list[Faction], ceasefire: NDArray[np.bool_]
    ) -> NDArray[np.intp]:
        """Once the enclave has split, every ``fighting`` faction whose morale broke
        surrenders its cells outside ``ceasefire`` in every pocket, losing its fighters in
        proportion. All decide on the same state; returns the cells to hand over together
        (none while the enclave is whole)."""
        territory = self.territory
        giving_up = [f for f in fighting if f.will_surrender(self.dynamics)]
        if territory.n_pockets <= 1 or not giving_up:
            return np.zeros(0, dtype=np.intp)
        fighting = giving_up  # (morale does not change below)
        fallen: list[NDArray[np.intp]] = []
        labels = territory.pocket_labels()
        open_ground = ~ceasefire
        held = {f.code: territory.cells_of(f.code) for f in fighting}
        fighters = {f.code: f.fighters for f in fighting}
        for pocket in range(1, territory.n_pockets + 1):
            cells = np.flatnonzero(labels == pocket)
            for f in fighting:
                own = cells[(territory.controller[cells] == f.code) & open_ground[cells]]
                if own.size == 0:
                    continue
                share = own.size / held[f.code]
                surrendered = min(f.fighters, round(fighters[f.code] * share))
                f.fighters -= surrendered
                detail = f"{own.size} cells; {surrendered} fighters; morale {f.morale:.2f}"
                self.events.add(t, "surrender", f.name, self.geo.main_district(cells), detail)
                fallen.append(own)
        return np.concatenate(fallen) if fallen else np.zeros(0, dtype=np.intp)

    def retire_factions(self, t: int, evacuated: Collection[Faction] = ()) -> None:
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
