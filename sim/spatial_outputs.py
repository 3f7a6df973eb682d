"""The run folder's spatial outputs: ``territory.npz`` always; ``map.png``, ``timeline.png``
and ``siege.gif`` when figures are asked for. Each is written atomically and timed."""

from __future__ import annotations

import logging
import textwrap
import time
from collections.abc import Sequence
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
GIF_TITLE_CHARS = 120
"""Characters of the run's label the animation's one-line header shows (then "…")."""


def write_spatial_outputs(
    model: SiegeModel,
    out_dir: Path,
    ts: pd.DataFrame,
    figures: bool,
    animation: bool,
    logistics: str = "",
    overrides: Sequence[str] = (),
) -> dict[str, float]:
    """Write the territory record, (if ``figures``) the map and the timeline and (if
    ``animation``) the animation into ``out_dir``; ``ts`` is the run's time series and
    ``logistics`` the logistics config's name and ``overrides`` the run's command-line
    overrides (for titles; may be empty). Returns the
    seconds each took (wall clock), logged with the CPU time of them all."""
    out_dir = Path(out_dir)
    seconds: dict[str, float] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    record = model.territory_record.result()
    atomic_write(out_dir / TERRITORY_FILE, record.save)
    seconds[TERRITORY_FILE] = time.perf_counter() - started
    if figures or animation:
        from sim.event_timeline import plot_timeline
        from sim.figure_axes import TITLE_WIDTH_CHARS, run_label
        from sim.maps import animate_siege, plot_map

        config = model.config
        label = run_label(config.scenario_name, logistics, overrides)
        title = "\n".join(textwrap.wrap(label, TITLE_WIDTH_CHARS, break_on_hyphens=False))
        # The animation's header has room for one line.
        one_line = label if len(label) <= GIF_TITLE_CHARS else label[: GIF_TITLE_CHARS - 1] + "…"
        events = model.events.table()
        names = tuple(f.name for f in model.factions)
        jobs = []
        if figures:
            jobs += [
                (MAP_FILE, lambda p: plot_map(record, events, p, title)),
                (
                    TIMELINE_FILE,
                    lambda p: plot_timeline(events, p, title, model.start, config.days, names),
                ),
            ]
        if animation:
            jobs.append((ANIMATION_FILE, lambda p: animate_siege(record, ts, p, one_line)))
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
