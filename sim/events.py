"""The scenario's dated events, expanded once into per-hour flags and lists."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.clock import HOURS_PER_DAY
from sim.params import (
    ConvoyParams,
    CrossingParams,
    NoteParams,
    PauseParams,
    TimelineParams,
    WindowParams,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Schedule:
    """What the timeline says for each hourly step."""

    bombardment: NDArray[np.bool_]
    ground_offensive: NDArray[np.bool_]
    crossing_open: NDArray[np.bool_]
    """Steps x crossings: open during a humanitarian pause naming the crossing, or in one of
    the crossing's own windows."""
    pause: NDArray[np.bool_]
    """A humanitarian pause is in force (shelling eases)."""
    convoys: dict[int, list[ConvoyParams]]
    notes: dict[int, list[NoteParams]]

    @classmethod
    def build(
        cls, timeline: TimelineParams, crossings: tuple[CrossingParams, ...], n_steps: int
    ) -> Schedule:
        step = np.arange(n_steps)
        day, hour = step // HOURS_PER_DAY, step % HOURS_PER_DAY

        def within(w: PauseParams | WindowParams) -> NDArray[np.bool_]:
            now = (day >= w.start_day) & (day < w.end_day)
            return now & (hour >= w.open_hour) & (hour < w.close_hour)

        crossing_names = [c.name for c in crossings]
        crossing_open = np.zeros((n_steps, len(crossings)), dtype=bool)
        pause = np.zeros(n_steps, dtype=bool)
        for p in timeline.pauses:
            now = within(p)
            pause |= now
            for name in p.crossings:
                crossing_open[:, crossing_names.index(name)] |= now
        for k, crossing in enumerate(crossings):
            for window in crossing.windows:
                crossing_open[:, k] |= within(window)
        convoys: dict[int, list[ConvoyParams]] = defaultdict(list)
        for c in timeline.convoys:
            if c.day * HOURS_PER_DAY + c.hour < n_steps:
                convoys[c.day * HOURS_PER_DAY + c.hour].append(c)
        notes: dict[int, list[NoteParams]] = defaultdict(list)
        for n in timeline.notes:
            if n.day * HOURS_PER_DAY < n_steps:
                notes[n.day * HOURS_PER_DAY].append(n)
        log_outside_run(timeline, n_steps // HOURS_PER_DAY)
        return cls(
            bombardment=day >= timeline.bombardment_start_day,
            ground_offensive=day >= timeline.ground_offensive_start_day,
            crossing_open=crossing_open,
            pause=pause,
            convoys=dict(convoys),
            notes=dict(notes),
        )


def log_outside_run(timeline: TimelineParams, days: int) -> list[str]:
    """Log (INFO), one line each, the timeline's events that fall after a run of ``days``
    days: they do not happen in it. Not an error (a shorter run is normal). Returns the
    lines."""
    lines = []
    for i, p in enumerate(timeline.pauses):
        if p.start_day >= days:
            lines.append(
                f"timeline.pauses[{i}] (days {p.start_day}-{p.end_day - 1}): after the run"
            )
        elif p.end_day > days:
            lines.append(
                f"timeline.pauses[{i}] (days {p.start_day}-{p.end_day - 1}): cut at the run's "
                f"end (day {days - 1})"
            )
    for i, c in enumerate(timeline.convoys):
        if c.day >= days:
            lines.append(f"timeline.convoys[{i}] (day {c.day}, {c.town}): after the run")
    for i, n in enumerate(timeline.notes):
        if n.day >= days:
            lines.append(f"timeline.notes[{i}] (day {n.day}, {n.kind}): after the run")
    for kind, day in (
        ("bombardment_start_day", timeline.bombardment_start_day),
        ("ground_offensive_start_day", timeline.ground_offensive_start_day),
    ):
        if day >= days:
            lines.append(f"timeline.{kind} (day {day}): after the run")
    for line in lines:
        log.info("%s, of %d days", line, days)
    return lines
