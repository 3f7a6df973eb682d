"""``timeline.png``: a run's events on one time axis, in lanes.

From the top: each crossing (open spans, days shut), the pockets (splits, ends), towns
captured, one lane per faction (talks, refusals, the deal from agreement to its last bus,
surrender, defeat), infighting, bus convoys, aid convoys and medical evacuations. The
campaign's milestones (bombardment and ground offensive begin, the scenario's notes) are
vertical lines across every lane. Drawn with matplotlib's non-interactive Agg backend.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.maps import CROSSING_COLOUR, faction_colour

MILESTONES = {"bombardment_begins", "ground_offensive_begins"}
"""Kinds drawn as vertical lines, with every kind no lane claims (the timeline's notes)."""
LANE_KINDS = {
    "crossing_opened",
    "crossing_closed",
    "crossing_shut_for_day",
    "pocket_split",
    "pocket_ended",
    "town_captured",
    "talks_started",
    "deal_refused",
    "deal_agreed",
    "deal_completed",
    "bus_convoy",
    "surrender",
    "faction_defeated",
    "infighting",
    "aid_convoy",
    "aid_convoy_denied",
    "medevac",
}
LABELLED_POCKET_CELLS = 100
"""Pocket ends of at least this many cells are named."""


def plot_timeline(
    events: pd.DataFrame,
    path: Path,
    title: str,
    start: pd.Timestamp,
    days: int,
    faction_names: tuple[str, ...],
) -> None:
    """The events table (``EventLog.table()``) of a run of ``days`` days from ``start``;
    ``faction_names`` in controller-code order (colours as on the maps)."""
    end = start + pd.Timedelta(days=days)
    events = events.astype({"kind": str, "actor": str, "place": str, "detail": str})
    when = events["date"]
    crossings = list(
        dict.fromkeys(events.loc[events["kind"].str.startswith("crossing_"), "place"].tolist())
    )
    lanes = [f"crossing: {c}" for c in crossings]
    lanes += ["pockets", "towns captured"]
    lanes += list(faction_names)
    lanes += ["infighting", "bus convoys", "aid convoys", "medical evacuation"]
    # Each lane's row; room above for the labels of the pockets' and towns' lanes.
    room = {"pockets": 1.6, "towns captured": 2.6}
    row: dict[str, float] = {}
    position = 0.0
    for name in lanes:
        position += room.get(name, 1.0) - 1.0
        row[name] = position
        position += 1.0
    height_in = 2.4 + 0.42 * position
    fig, ax = plt.subplots(figsize=(12, height_in))
    fig.subplots_adjust(left=0.15, right=0.98, top=1 - 0.9 / height_in, bottom=1.0 / height_in)

    for c in crossings:
        _crossing_lane(ax, events[events["place"] == c], row[f"crossing: {c}"], end)
    y = row["pockets"]
    splits = events[events["kind"] == "pocket_split"]
    ax.plot(splits["date"], np.full(len(splits), y), "v", color="black", ms=6)
    for date, group in splits.groupby("date"):
        counts = [int(n) for n in group["detail"].str.extract(r"-> (\d+) pockets")[0].dropna()]
        if counts:
            ax.annotate(
                str(max(counts)),
                (date, y),
                xytext=(0, 5),
                textcoords="offset points",
                ha="center",
                fontsize=6,
            )
    ends = events[events["kind"] == "pocket_ended"]
    ax.plot(ends["date"], np.full(len(ends), y), "x", color="tab:red", ms=5)
    cells = ends["detail"].str.extract(r"(\d+) cells")[0].astype(float)
    named = ends[cells.to_numpy() >= LABELLED_POCKET_CELLS]
    for date, group in named.groupby("date"):
        ax.annotate(
            "\n".join(group["place"]),
            (date, y),
            xytext=(3, 5),
            textcoords="offset points",
            fontsize=6,
            color="tab:red",
            va="bottom",
        )
    y = row["towns captured"]
    captures = events[events["kind"] == "town_captured"]
    ax.plot(captures["date"], np.full(len(captures), y), "o", color="0.35", ms=3.5)
    for date, group in captures.groupby("date"):
        ax.annotate(
            "\n".join(group["place"]),
            (date, y),
            xytext=(0, 4),
            textcoords="offset points",
            fontsize=5.5,
            rotation=90,
            ha="center",
            va="bottom",
            linespacing=1.0,
        )
    for code, name in enumerate(faction_names, start=1):
        _faction_lane(ax, events[events["actor"] == name], row[name], faction_colour(code), end)
    for r in events[events["kind"] == "infighting"].itertuples():
        ax.plot(r.date, row["infighting"], "*", color="tab:red", ms=6)
    buses = when[events["kind"] == "bus_convoy"]
    ax.plot(buses, np.full(len(buses), row["bus convoys"]), "|", color="tab:green", ms=9)
    for kind, marker, colour in (
        ("aid_convoy", "^", "tab:green"),
        ("aid_convoy_denied", "X", "tab:red"),
    ):
        for r in events[events["kind"] == kind].itertuples():
            ax.plot(r.date, row["aid convoys"], marker, color=colour, ms=6)
            ax.annotate(
                r.place,
                (r.date, row["aid convoys"]),
                xytext=(0, 6),
                textcoords="offset points",
                ha="center",
                fontsize=6,
            )
    medevac = when[events["kind"] == "medevac"]
    ax.plot(medevac, np.full(len(medevac), row["medical evacuation"]), "P", color="tab:blue", ms=5)

    milestones = events[events["kind"].isin(MILESTONES) | ~events["kind"].isin(LANE_KINDS)]
    for r in milestones.itertuples():
        ax.axvline(r.date, color="0.5", lw=0.8, ls="--", zorder=0)
        ax.annotate(
            r.kind.replace("_", " "),
            (r.date, -0.6),
            xytext=(2, 0),
            textcoords="offset points",
            rotation=30,
            fontsize=6.5,
            ha="left",
            va="bottom",
            color="0.3",
            annotation_clip=False,
        )

    ax.set_yticks(list(row.values()), lanes, fontsize=8)
    ax.set_ylim(position - 0.4, -0.6)
    ax.set_xlim(start, end)
    locator = mdates.AutoDateLocator(minticks=5, maxticks=14)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", alpha=0.3)
    for lane_y in row.values():
        ax.axhline(lane_y, color="0.92", lw=0.6, zorder=0)
    ax.set_title(f"Events: {title}", fontsize=11, pad=40)
    _legend(ax)
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


def _crossing_lane(ax: Axes, events: pd.DataFrame, y: float, end: pd.Timestamp) -> None:
    """Open spans (from crossing_opened to crossing_closed) and days shut, each kind drawn
    as one collection."""
    open_spans, shut_days = [], []
    opened = None
    for r in events.itertuples():
        if r.kind == "crossing_opened":
            opened = r.date
        elif r.kind == "crossing_closed" and opened is not None:
            open_spans.append((opened, r.date - opened))
            opened = None
        elif r.kind == "crossing_shut_for_day":
            shut_days.append((r.date, pd.Timedelta(days=1)))
    if opened is not None:
        open_spans.append((opened, end - opened))
    as_days = [(mdates.date2num(a), b / pd.Timedelta(days=1)) for a, b in open_spans]
    ax.broken_barh(as_days, (y - 0.25, 0.5), color=CROSSING_COLOUR)
    as_days = [(mdates.date2num(a), b / pd.Timedelta(days=1)) for a, b in shut_days]
    ax.broken_barh(
        as_days,
        (y - 0.25, 0.5),
        facecolor="tab:red",
        alpha=0.5,
        hatch="///",
        edgecolor="tab:red",
    )


def _faction_lane(ax: Axes, events: pd.DataFrame, y: int, colour: str, end: pd.Timestamp) -> None:
    """Talks, refusals, the deal as a bar from agreement to its last bus, surrender, defeat."""
    agreed = None
    for r in events.itertuples():
        if r.kind == "talks_started":
            ax.plot(r.date, y, "o", mfc="white", mec=colour, mew=1.5, ms=6)
        elif r.kind == "deal_refused":
            ax.plot(r.date, y, "x", color=colour, mew=1.5, ms=6)
        elif r.kind == "deal_agreed":
            agreed = r.date
        elif r.kind == "deal_completed" and agreed is not None:
            ax.barh(y, r.date - agreed, left=agreed, height=0.5, color=colour)
            agreed = None
        elif r.kind == "surrender":
            ax.plot(r.date, y, "s", color=colour, mec="black", mew=0.6, ms=6)
        elif r.kind == "faction_defeated":
            ax.plot(r.date, y, "X", color="black", ms=7)
    if agreed is not None:
        ax.barh(y, end - agreed, left=agreed, height=0.5, color=colour, alpha=0.6)


def _legend(ax: Axes) -> None:
    handles = [
        Patch(color=CROSSING_COLOUR, label="crossing open"),
        Patch(
            facecolor="tab:red",
            alpha=0.5,
            hatch="///",
            edgecolor="tab:red",
            label="crossing shut for the day",
        ),
        Line2D([], [], ls="", marker="v", color="black", label="pocket split (new count)"),
        Line2D([], [], ls="", marker="x", color="tab:red", label="pocket ended"),
        Line2D([], [], ls="", marker="o", mfc="white", mec="0.3", label="talks started"),
        Line2D([], [], ls="", marker="x", color="0.3", label="deal refused"),
        Patch(color="0.5", label="deal: agreed to last bus"),
        Line2D([], [], ls="", marker="s", color="0.5", mec="black", label="surrender"),
        Line2D([], [], ls="", marker="X", color="black", label="faction defeated"),
        Line2D([], [], ls="", marker="^", color="tab:green", label="aid convoy in"),
        Line2D([], [], ls="", marker="X", color="tab:red", label="aid convoy denied"),
    ]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=6,
        fontsize=7,
        frameon=False,
    )
