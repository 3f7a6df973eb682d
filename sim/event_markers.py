"""Unobtrusive markers of a run's turning points on its time-series figures.

Read from the run's events table (``EventLog.table()``): the ground offensive's start, the
first day the crossings open after days shut (the humanitarian pauses), each pocket split
and each deal agreed. Drawn as thin vertical lines (splits: small ticks along the top
edge) with one legend entry a kind, outside the data like the figures' other legends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from sim.figure_axes import DATE_FORMAT


@dataclass(frozen=True)
class MarkerKind:
    """How one kind of marker is drawn and named in the legend."""

    words: str
    colour: str
    linestyle: str


OFFENSIVE = MarkerKind("ground offensive begins", "black", "--")
PAUSES = MarkerKind("crossings open after days shut (pauses)", "tab:cyan", ":")
DEAL = MarkerKind("deal agreed", "tab:purple", "-.")
SPLIT = MarkerKind("pocket split", "dimgrey", "")

MARKER_ALPHA = 0.6
"""Opacity of the vertical lines: seen, but behind the curves."""


@dataclass(frozen=True)
class Marker:
    kind: MarkerKind
    when: pd.Timestamp
    who: str = ""
    """The faction, for a deal."""


def event_markers(events: pd.DataFrame) -> list[Marker]:
    """The markers of a run's events table, in time order."""
    when = pd.to_datetime(events["date"])
    markers = [Marker(OFFENSIVE, w) for w in when[events["kind"] == "ground_offensive_begins"]]
    opened = when[events["kind"] == "crossing_opened"]
    previous = None
    for w in opened:  # the first opening after a day or more with none: a pause begins
        if previous is None or w - previous > pd.Timedelta(days=1):
            markers.append(Marker(PAUSES, w))
        previous = w
    markers += [Marker(SPLIT, w) for w in when[events["kind"] == "pocket_split"]]
    deals = events["kind"] == "deal_agreed"
    markers += [
        Marker(DEAL, w, str(who))
        for w, who in zip(when[deals], events["actor"][deals], strict=True)
    ]
    return sorted(markers, key=lambda m: m.when)


def draw_event_markers(axes: Sequence[Axes], markers: Sequence[Marker]) -> list[Line2D]:
    """Draw ``markers`` on each of ``axes`` (sharing a date x axis); returns one legend
    handle a kind present, labelled with its dates (deals: with the faction)."""
    for ax in axes:
        for m in markers:
            if m.kind is SPLIT:
                ax.plot(
                    m.when,
                    1.0,
                    marker="v",
                    color=SPLIT.colour,
                    markersize=5,
                    clip_on=False,
                    transform=ax.get_xaxis_transform(),
                    linestyle="",
                    zorder=3,
                )
            else:
                ax.axvline(
                    m.when,
                    color=m.kind.colour,
                    linestyle=m.kind.linestyle,
                    linewidth=1,
                    alpha=MARKER_ALPHA,
                    zorder=1,
                )
    handles = []
    for kind in (OFFENSIVE, PAUSES, SPLIT, DEAL):
        of_kind = [m for m in markers if m.kind is kind]
        if not of_kind:
            continue
        if kind is SPLIT:
            label = f"{kind.words} (▼ at the top; {len(of_kind)})"
            handle = Line2D([], [], color=kind.colour, marker="v", linestyle="", label=label)
        else:
            dates = ", ".join(
                f"{m.who + ' ' if m.who else ''}{m.when.strftime(DATE_FORMAT)}" for m in of_kind
            )
            handle = Line2D(
                [],
                [],
                color=kind.colour,
                linestyle=kind.linestyle,
                alpha=MARKER_ALPHA,
                label=f"{kind.words}: {dates}",
            )
        handles.append(handle)
    return handles
