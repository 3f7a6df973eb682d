"""Rough memory and disk estimates of a run, checked before it starts.

A config can be valid yet impossible to run: ``bus_fleet.buses=1000000000000`` asks for a
7 TiB array, a tenfold population or 1 m cells exhaust memory an hour into the run, and a
full disk is found only when the outputs are written. :func:`check_resources` refuses such
a run before anything is built, showing the estimate.

The estimates are upper-end orders of magnitude, not measurements: the coefficients below
were set from the arrays the model allocates (``sim/civilians.py``, ``sim/recorder.py``,
``sim/territory_record.py``) with room for temporaries. A reduced run (20,000 people, 200 m
cells, 35 days) peaked at 0.17 GiB against an estimate of 0.41 GiB.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sim.geography import grid_shape
from sim.params import ConfigError, SimConfig
from sim.tables import load_ghouta

GIB = 2**30

BASE_BYTES = 400 * 2**20
"""Python, numpy, pandas, Mesa and the tables, before any array of the run."""
BYTES_PER_PERSON = 600
"""About 25 per-person arrays (8 bytes) of the civilians, plus temporaries of a step."""
BYTES_PER_CELL = 400
"""Static grids of the map, territory, fronts and distance queries, per cell."""
BYTES_PER_CELL_DAY = 10
"""Daily maps of control (1 byte) and people (4 bytes) per cell, and their copy when saved."""
BYTES_PER_STEP = 8192
"""Hourly recorder rows (per district, faction, crossing and site) and the time series table."""
BYTES_PER_BUS = 24
"""Each bus's next free hour (8 bytes), and temporaries when buses are sent."""

DISK_BYTES_PER_STEP = 4096
"""timeseries.csv and districts.csv text per hourly row."""
DISK_BYTES_PER_CELL_DAY = 2
"""territory.npz, compressed (upper end)."""
DISK_BASE_BYTES = 20 * 2**20
"""Figures, the animation, events and summaries."""


@dataclass(frozen=True)
class Estimate:
    """Estimated bytes of a run, by what they are for."""

    people: int
    cells: int
    cell_days: int
    steps: int
    buses: int
    base: int = BASE_BYTES

    @property
    def total(self) -> int:
        return self.people + self.cells + self.cell_days + self.steps + self.buses + self.base

    def describe(self) -> str:
        parts = (
            ("people", self.people),
            ("map cells", self.cells),
            ("daily maps", self.cell_days),
            ("hourly records", self.steps),
            ("buses", self.buses),
            ("base", self.base),
        )
        shown = ", ".join(f"{name} {_gib(n)}" for name, n in parts)
        return f"{_gib(self.total)} ({shown})"


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / GIB:,.2f} GiB"


def estimate_memory(config: SimConfig, n_cells: int) -> Estimate:
    """Peak memory of a run of ``config`` on a map of ``n_cells`` cells (order of magnitude)."""
    agents = config.population.total_people // config.people_per_agent
    buses = config.bus_fleet.buses
    return Estimate(
        people=agents * BYTES_PER_PERSON,
        cells=n_cells * BYTES_PER_CELL,
        cell_days=n_cells * (config.days + 1) * BYTES_PER_CELL_DAY,
        steps=config.n_steps * BYTES_PER_STEP,
        buses=buses * BYTES_PER_BUS,
    )


def estimate_disk_bytes(config: SimConfig, n_cells: int) -> int:
    """Bytes the run folder takes at most (order of magnitude)."""
    return (
        DISK_BASE_BYTES
        + config.n_steps * DISK_BYTES_PER_STEP
        + n_cells * (config.days + 1) * DISK_BYTES_PER_CELL_DAY
    )


def check_memory(config: SimConfig, n_cells: int, budget_gib: float) -> Estimate:
    """Refuse a run whose estimated memory exceeds ``budget_gib`` (``limits.memory_budget_gib``)."""
    estimate = estimate_memory(config, n_cells)
    if estimate.total > budget_gib * GIB:
        raise ConfigError(
            f"limits.memory_budget_gib: this run needs about {estimate.describe()}, more than "
            f"the budget of {budget_gib:g} GiB; reduce population.total_people, days, "
            "bus_fleet.buses or the grid (grid.cell_size_m up), or raise the budget"
        )
    return estimate


def check_output_folder(out_dir: Path, needed_bytes: int) -> None:
    """Refuse a run whose folder cannot be written, or whose disk is nearly full.

    Writes and removes a probe file (permission bits alone do not tell: root ignores them,
    and a read-only mount or a full quota refuses writes too).
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write_check_", dir=out_dir)
        try:
            os.write(fd, b"ok")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as err:
        raise ConfigError(
            f"output folder {out_dir}: cannot be written ({type(err).__name__}: {err}); "
            "choose another with hydra.run.dir=... (or hydra.sweep.dir=...)"
        ) from None
    free = shutil.disk_usage(out_dir).free
    if free < needed_bytes:
        raise ConfigError(
            f"output folder {out_dir}: {_gib(free)} free on its disk, and the run's outputs "
            f"take up to about {_gib(needed_bytes)}; free space or choose another folder"
        )


def check_run(config: SimConfig, out_dir: Path, memory_budget_gib: float) -> Estimate:
    """Both checks for a run of ``config`` on the Ghouta map, writing into ``out_dir``."""
    n_rows, n_cols = grid_shape(config.grid, load_ghouta())
    estimate = check_memory(config, n_rows * n_cols, memory_budget_gib)
    check_output_folder(out_dir, estimate_disk_bytes(config, n_rows * n_cols))
    return estimate
