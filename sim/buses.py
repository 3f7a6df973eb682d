"""The bus fleet that carries deals' evacuees north: deliberately simple and replaceable.

A free bus is sent to a waiting deal, where its passengers board in the hour it is sent; it
spends ``loading_hours`` there and leaves, arrives north half a round trip later
(:meth:`BusFleet.arrival_step`), and is back and free ``round_trip_hours`` after leaving.
All deals share the fleet: when the free buses are too few for every deal waiting, each gets
a share in proportion to its passengers (:meth:`BusFleet.share`).
"""

from __future__ import annotations

import numpy as np

from sim.params import BusFleetParams


class BusFleet:
    """Buses, each free again from a given step."""

    def __init__(self, params: BusFleetParams) -> None:
        self.seats_per_bus = params.seats_per_bus
        self.round_trip_hours = params.round_trip_hours
        self.loading_hours = params.loading_hours
        self.seats_filled = 0
        """Seats taken on all trips so far (seat use = seats_filled / (trips x seats_per_bus))."""
        self.free_from_step = np.zeros(params.buses, dtype=np.int64)
        self.trips = 0

    def arrival_step(self, step: int) -> int:
        """The step at which buses sent at ``step`` arrive north: loaded, then half their
        round trip (the way back takes as long as the way there)."""
        return step + self.loading_hours + self.round_trip_hours // 2

    def on_road(self, step: int) -> int:
        """Buses away (loading, driving north or on the way back) at ``step``."""
        return int(np.count_nonzero(self.free_from_step > step))

    def share(self, step: int, passengers: list[int]) -> list[int]:
        """Free buses for each of several pick-up points with ``passengers`` waiting: each gets
        the buses it needs if there are enough, else a share in proportion to its need (largest
        remainders first, ties to the earlier point), never more than it needs."""
        need = np.array([-(-n // self.seats_per_bus) for n in passengers], dtype=np.int64)
        free = int(np.count_nonzero(self.free_from_step <= step))
        if need.sum() <= free:
            return need.tolist()
        quota = free * need / need.sum()
        buses = np.floor(quota).astype(np.int64)
        left = free - int(buses.sum())
        order = np.argsort(-(quota - buses), kind="stable")
        buses[order[:left]] += 1
        return np.minimum(buses, need).tolist()

    def dispatch(self, step: int, passengers: int, max_buses: int | None = None) -> list[int]:
        """Send free buses (at most ``max_buses``) for up to ``passengers`` people; the seats
        filled on each bus sent.

        Every bus but the last leaves full; no more buses go than the passengers need.
        """
        free = np.flatnonzero(self.free_from_step <= step)
        n_buses = min(free.size, -(-passengers // self.seats_per_bus))
        if max_buses is not None:
            n_buses = min(n_buses, max_buses)
        if n_buses == 0:
            return []
        self.free_from_step[free[:n_buses]] = step + self.loading_hours + self.round_trip_hours
        self.trips += n_buses
        loads = [self.seats_per_bus] * n_buses
        loads[-1] = min(self.seats_per_bus, passengers - self.seats_per_bus * (n_buses - 1))
        self.seats_filled += sum(loads)
        return loads
