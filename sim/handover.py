"""Hand-over of cells to the government, and what it is logged and counted as.

One change of control, whatever its cause (capture, surrender or deal): the territory changes
hands (with any fragment cut off below ``min_pocket_cells``), people on the cells are now in
government areas, and the hand-over is booked: cells lost per faction this hour, towns
captured, pockets split and pockets ended.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.civilians import Civilians
from sim.clock import HOURS_PER_DAY
from sim.geography import Geography
from sim.recorder import EventLog
from sim.territory import Territory

NEVER = -(10**9)
"""``taken_step`` of cells the army never took by force."""


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


class HandOver:
    """Applies changes of control and keeps their bookkeeping."""

    def __init__(
        self,
        territory: Territory,
        geo: Geography,
        civilians: Civilians,
        events: EventLog,
        town_cell: dict[str, int],
        faction_names: tuple[str, ...],
    ) -> None:
        """``faction_names``: by controller code - 1."""
        self.territory = territory
        self.geo = geo
        self.civilians = civilians
        self.events = events
        self.town_cell = town_cell
        self.faction_names = faction_names
        self.cells_lost = np.zeros(len(faction_names) + 1, dtype=np.int64)
        """Cells each controller code lost since :meth:`new_hour`."""
        self.residents_lost = np.zeros(len(faction_names) + 1)
        """Initial residents of the cells each controller code lost since :meth:`new_hour`."""
        self.pocket_ends: list[PocketEnd] = []
        self.taken_step = np.full(geo.n_cells, NEVER, dtype=np.int64)
        """Step at which the army last took each cell by force (``NEVER`` if it did not)."""

    def new_hour(self) -> None:
        """Cells and residents lost count from zero again."""
        self.cells_lost[:] = 0
        self.residents_lost[:] = 0.0

    def apply(self, cells: NDArray[np.intp], t: int, cause: str) -> None:
        """Apply a change of control: territory, the people on it, towns lost, pocket splits
        and pockets ended (``cause``: capture, surrender or deal)."""
        territory = self.territory
        before_all = territory.controller.copy()
        labels_before = territory.pocket_labels()
        pockets_before = territory.n_pockets
        cells = territory.capture(cells)
        if cells.size == 0:
            return
        rebel = territory.rebel()
        labels_after = territory.pocket_labels()
        # The pockets that lost cells, and in one pass where what is left of each now lies.
        touched = np.zeros(pockets_before + 1, dtype=bool)
        touched[labels_before[cells]] = True
        touched[0] = False
        was_touched = np.flatnonzero(touched[labels_before])
        left = was_touched[rebel[was_touched]]
        n_after = territory.n_pockets + 1
        pairs = np.bincount(
            labels_before[left].astype(np.int64) * n_after + labels_after[left],
            minlength=(pockets_before + 1) * n_after,
        ).reshape(pockets_before + 1, n_after)
        # A pocket splits when what is left of it lies in more than one pocket, even in an
        # hour in which another pocket ends (the count of pockets then does not grow).
        pieces = np.count_nonzero(pairs, axis=1)
        split = bool((pieces > 1).any())
        for pocket in np.flatnonzero(touched & (pieces == 0)):  # nothing left of it
            was = np.flatnonzero(labels_before == pocket)
            end = PocketEnd(t // HOURS_PER_DAY, self.geo.main_district(was), cause, int(was.size))
            self.pocket_ends.append(end)
            self.events.add(t, "pocket_ended", "", end.place, f"{cause}; {end.cells} cells")
        before = before_all[cells]
        self.cells_lost += np.bincount(before, minlength=len(self.cells_lost))
        self.residents_lost += np.bincount(
            before, weights=self.geo.people[cells], minlength=len(self.residents_lost)
        )
        captured = np.zeros(self.geo.n_cells, dtype=bool)
        captured[cells] = True
        if cause == "capture":
            self.taken_step[cells] = t
        self.civilians.capture_cells(captured, t)
        for town, cell in self.town_cell.items():
            if captured[cell]:
                holder = self.faction_names[before[np.flatnonzero(cells == cell)[0]] - 1]
                self.events.add(t, "town_captured", "government", town, f"from {holder}")
        if split:
            pockets = [np.flatnonzero(labels_after == k) for k in range(1, territory.n_pockets + 1)]
            names = [f"{self.geo.main_district(p)} ({p.size} cells)" for p in pockets]
            detail = f"{pockets_before} -> {territory.n_pockets} pockets: " + ", ".join(names)
            self.events.add(t, "pocket_split", "government", "", detail)
