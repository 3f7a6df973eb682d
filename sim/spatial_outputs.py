"""The run folder's spatial outputs: ``territory.npz`` always; ``map.png``, ``timeline.png``
and ``siege.gif`` when figures are asked for. Each is written atomically and timed."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from sim.outputs import atomic_write

if TYPE_CHECKING:
    from sim.model import SiegeModel

log = logging.getLogger(__name__)

TERRITORY_FILE = "territory.npz"
MAP_FILE = "map.png"
TIMELINE_FILE = "timeline.png"
ANIMATION_FILE = "siege.gif"


def write_spatial_outputs(
    model: SiegeModel,
    out_dir: Path,
    ts: pd.DataFrame,
    plots: bool,
    animation: bool,
    logistics: str = "",
) -> dict[str, float]:
    """Write the territory record and (if ``plots``) the map, the timeline and (if also
    ``animation``) the animation into ``out_dir``; ``ts`` is the run's time series and
    ``logistics`` the logistics config's name (for titles; may be empty). Returns the
    seconds each took (wall clock), logged with the CPU time of them all."""
    out_dir = Path(out_dir)
    seconds: dict[str, float] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    record = model.territory_record.result()
    atomic_write(out_dir / TERRITORY_FILE, record.save)
    seconds[TERRITORY_FILE] = time.perf_counter() - started
    if plots:
        from sim.event_timeline import plot_timeline
        from sim.maps import animate_siege, plot_map

        config = model.config
        title = config.scenario_name + (f", {logistics} logistics" if logistics else "")
        events = model.events.table()
        names = tuple(f.name for f in model.factions)
        jobs = [
            (MAP_FILE, lambda p: plot_map(record, events, p, title)),
            (
                TIMELINE_FILE,
                lambda p: plot_timeline(events, p, title, model.start, config.days, names),
            ),
        ]
        if animation:
            jobs.append((ANIMATION_FILE, lambda p: animate_siege(record, ts, p, title)))
        for name, write in jobs:
            started = time.perf_counter()
            atomic_write(out_dir / name, write)
            seconds[name] = time.perf_counter() - started
    log.info(
        "spatial outputs in %.2f s (%.2f s of CPU): %s",
        sum(seconds.values()),
        time.process_time() - cpu_started,
        ", ".join(f"{name} {s:.2f} s" for name, s in seconds.items()),
    )
    return seconds
