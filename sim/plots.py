"""Figures of one run, drawn with matplotlib's non-interactive Agg backend."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import NullLocator

from sim import outcomes as o
from sim.event_markers import draw_event_markers, event_markers
from sim.fighter_losses import CAUSES, FactionLabel, losses_by_cause
from sim.figure_axes import counts_axis, date_axes, save_tight_png
from sim.tables import load_calibration_targets
from sim.validation import WORDS, validate

CURVES = (
    (o.REMAINING, "still inside the enclave", "tab:gray"),
    (o.STAYED_UNDER_GOVERNMENT_CUM, "stayed (their ground changed hands)", "tab:orange"),
    (o.LEFT_ENCLAVE_CUM, "left the enclave (OCHA's count)", "black"),
    (o.TO_GOVERNMENT_SHELTERS_CUM, "out to government shelters", "tab:brown"),
    (o.LEFT_VIA_CROSSING_CUM, "left via crossings", "tab:blue"),
    (o.LEFT_VIA_FRONT_CUM, "left across the front", "tab:red"),
    (o.LEFT_VIA_DEAL_CORRIDOR_CUM, "left to shelters under a deal", "tab:purple"),
    (o.BUSSED_NORTH_CUM, "bussed north (fighters included)", "tab:green"),
)


def plot_evacuation_curves(ts: pd.DataFrame, events: pd.DataFrame, path: Path, title: str) -> None:
    """Cumulative people by route (top) and civilians killed (bottom), against date, with
    every target of ``calibration_targets.csv`` that falls within the run (or the day after
    its end, against its final value) drawn on the curve that measures it
    (:data:`sim.validation.TARGET_OUTCOMES`), labelled with the model's difference, and the
    run's turning points from ``events`` (:mod:`sim.event_markers`)."""
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(12, 7), gridspec_kw={"height_ratios": [3, 1.3]}
    )
    date = ts[o.DATE.name]
    colour_of = {outcome.name: colour for outcome, _, colour in CURVES}
    colour_of[o.KILLED_CUM.name] = "tab:red"
    for outcome, label, colour in CURVES:
        top.plot(date, ts[outcome.name] / 1000, label=label, color=colour)
    bottom.plot(date, ts[o.KILLED_CUM.name], color="tab:red", label="civilians killed")
    start = date.iloc[0]
    last_day = int(ts[o.DAY.name].iloc[-1])
    end = date.iloc[-1]
    for row in validate(ts, load_calibration_targets(), start).itertuples():
        after_the_run = row.compared_at == "run end"
        if after_the_run and row.day > last_day + 1:
            continue  # weeks after the run (OCHA's May figures): no point on these axes
        killed = row.outcome == o.KILLED_CUM.name
        axis, scale = (bottom, 1) if killed else (top, 1000)
        when = start + pd.Timedelta(days=row.day, hours=0 if after_the_run else 23)
        end = max(end, when)
        axis.errorbar(
            when,
            row.target / scale,
            yerr=[[(row.target - row.low) / scale], [(row.high - row.target) / scale]],
            fmt="D",
            color=colour_of[row.outcome],
            markeredgecolor="black",
            capsize=3,
            label=f"{row.source}: {WORDS[row.quantity]}",
        )
        axis.annotate(
            f"model {'(final) ' if after_the_run else ''}{row.relative_difference:+.0%}",
            (when, row.target / scale),
            textcoords="offset points",
            xytext=(-8, 4) if after_the_run else (6, 4),  # at the right edge: to the left
            ha="right" if after_the_run else "left",
            fontsize=8,
        )
    markers = draw_event_markers((top, bottom), event_markers(events))
    top.set_ylabel("people (thousands)")
    top.set_title(title, fontsize=10, pad=12)  # room for the pocket-split ticks on the edge
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    top.grid(alpha=0.3)
    counts_axis(top)
    bottom.set_ylabel("people killed")
    bottom.legend(
        handles=bottom.get_legend_handles_labels()[0] + markers,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title="events of the run",
        title_fontsize=8,
    )
    bottom.grid(alpha=0.3)
    counts_axis(bottom, "no one killed")
    _save_dated(fig, (top, bottom), path, start, end)


STAGE_SHADES = (("talking", 0.12), ("evacuating", 0.3))
"""A faction's stages shaded behind its fighters: talks light, ceasefire and buses darker."""


def plot_factions(
    ts: pd.DataFrame,
    events: pd.DataFrame,
    factions: Sequence[FactionLabel],
    people_per_agent: int,
    path: Path,
    title: str,
) -> None:
    """Fighters, cohesion and morale of each faction against date (each line stops the
    hour its faction is gone: no fighters left), the stage it was in shaded on the fighters
    panel, and beside them the fighters each lost by cause
    (:func:`sim.fighter_losses.losses_by_cause`)."""
    fig = plt.figure(figsize=(13, 9))
    grid = fig.add_gridspec(3, 2, width_ratios=[2.3, 1], hspace=0.12, wspace=0.08)
    fighters_ax = fig.add_subplot(grid[0, 0])
    cohesion_ax = fig.add_subplot(grid[1, 0])
    morale_ax = fig.add_subplot(grid[2, 0])
    losses_ax = fig.add_subplot(grid[1:, 1])
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    date = ts[o.DATE.name]
    for f, colour in zip(factions, colours, strict=False):
        fighters = ts[o.FIGHTERS.column(f.key)]
        present = _until_gone(fighters)
        fighters_ax.plot(date, fighters.where(present), color=colour, label=f.name)
        for stage, alpha in STAGE_SHADES:
            fighters_ax.fill_between(
                date,
                0,
                fighters.max(),
                where=ts[o.STAGE.column(f.key)] == stage,
                color=colour,
                alpha=alpha,
                linewidth=0,
            )
        cohesion_ax.plot(date, ts[o.COHESION.column(f.key)].where(present), color=colour)
        morale_ax.plot(date, ts[o.MORALE.column(f.key)].where(present), color=colour)
    fighters_ax.set_ylabel("fighters")
    fighters_ax.set_ylim(bottom=0)
    fighters_ax.set_title(title, fontsize=10, loc="left")
    for ax, what in ((cohesion_ax, "cohesion"), (morale_ax, "morale")):
        ax.set_ylabel(f"{what}, 0-1")
        ax.set_ylim(0, 1)
    for ax in (fighters_ax, cohesion_ax, morale_ax):
        ax.grid(alpha=0.3)
    date_axes((fighters_ax, cohesion_ax, morale_ax), date.iloc[0], date.iloc[-1])
    morale_ax.set_xlabel("date (2018)")

    losses = losses_by_cause(ts, events, factions, people_per_agent)
    left = pd.Series(0, index=losses.index)
    for cause, colour in zip(CAUSES, LOSS_COLOURS, strict=True):
        losses_ax.barh(losses.index, losses[cause], left=left, color=colour, label=cause)
        left += losses[cause]
    losses_ax.invert_yaxis()  # factions top to bottom in the legend's order
    losses_ax.set_xlabel("fighters lost over the run")
    losses_ax.set_title("Fighters lost, by cause", fontsize=10)
    losses_ax.tick_params(axis="y", labelsize=8)
    losses_ax.yaxis.tick_right()
    losses_ax.grid(alpha=0.3, axis="x")
    losses_ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), fontsize=8)
    # the top-right cell holds the legends of the factions and of the shading
    key_ax = fig.add_subplot(grid[0, 1])
    key_ax.axis("off")
    shades = [
        Patch(color="grey", alpha=0.12, label="in talks (shaded)"),
        Patch(color="grey", alpha=0.3, label="ceasefire and buses (shaded)"),
    ]
    key_ax.legend(
        handles=fighters_ax.get_legend_handles_labels()[0] + shades,
        loc="center left",
        fontsize=9,
        title="factions (lines stop when one is gone)",
        title_fontsize=9,
    )
    fig.savefig(path, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)


LOSS_COLOURS = ("tab:red", "tab:orange", "tab:gray", "black", "tab:green")
"""One colour a cause of :data:`sim.fighter_losses.CAUSES`."""


def _until_gone(fighters: pd.Series) -> pd.Series:
    """True up to and including the first hour from which a faction has no fighters left."""
    alive = fighters.to_numpy() > 0
    if alive[-1]:
        return pd.Series(True, index=fighters.index)
    last_alive = np.flatnonzero(alive)
    gone_from = last_alive[-1] + 1 if last_alive.size else 0
    return pd.Series(np.arange(len(fighters)) <= gone_from, index=fighters.index)


def _save_dated(
    fig: plt.Figure,
    column: Sequence[plt.Axes],
    path: Path,
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> None:
    """Dates on a column of panels (labelled on the bottom one), then write the PNG and
    free it."""
    date_axes(column, start, end)
    column[-1].set_xlabel("date (2018)")
    save_tight_png(fig, path, dpi=110)
    plt.close(fig)


SITES_DRAWN = 3
"""Reception sites drawn one by one (the most overcrowded); the others as a grey range."""

LINE_STYLES = ("-", "--", "-.", ":")
"""Cycled over districts so that lines lying on one another stay apart."""


def plot_logistics(
    ts: pd.DataFrame,
    districts: pd.DataFrame,
    crossing_names: tuple[str, ...],
    site_names: tuple[str, ...],
    path: Path,
    title: str,
) -> None:
    """The logistics dashboard: crossings (queues, daily mean wait), buses, reception sites'
    overcrowding, food stocks and hunger by district, and the medical evacuation list."""
    fig, axes = plt.subplots(4, 2, figsize=(13, 13))
    (queues, waits), (buses, shelters), (food, hunger), (medevac, after) = axes
    date, day = ts[o.DATE.name], ts[o.DAY.name]
    day_start = date.groupby(day).first()
    for name in crossing_names:
        queues.plot(date, ts[o.QUEUE.column(name)] / 1000, label=name)
        crossed = ts[o.CROSSED.column(name)].groupby(day).sum()
        waited = ts[o.MEAN_WAIT_HOURS.column(name)].fillna(0) * ts[o.CROSSED.column(name)]
        waited = waited.groupby(day).sum()
        waits.plot(day_start, (waited / crossed.where(crossed > 0)), marker=".", label=name)
    queues.set_ylabel("people queueing (thousands)")
    queues.set_title("Queues at the crossings")
    counts_axis(queues, "no one queued")
    waits.set_ylabel("hours")
    waits.set_title("Mean wait of those who crossed, by day")
    counts_axis(waits, "no one crossed")

    buses.plot(date, ts[o.BUSES_ON_ROAD.name], color="tab:green", label="buses away (left axis)")
    buses.set_ylabel("buses away from the depot")
    trips = buses.twinx()
    trips.plot(
        date,
        ts[o.BUS_TRIPS_CUM.name],
        color="tab:olive",
        linestyle="--",
        label="trips so far (right axis)",
    )
    trips.set_ylabel("bus trips (cumulative)")
    seats = ts[o.BUS_SEATS_FILLED_CUM.name].iloc[-1]
    n_trips = ts[o.BUS_TRIPS_CUM.name].iloc[-1]
    buses.set_title(f"Buses north: {n_trips:,} trips, {seats:,} seats filled")
    counts_axis(buses, "")
    counts_axis(trips, "no bus left")
    buses.legend(
        handles=buses.get_legend_handles_labels()[0] + trips.get_legend_handles_labels()[0],
        **COMPACT_LEGEND,
    )

    overcrowding = {name: ts[o.OVERCROWDING.column(name)] for name in site_names}
    drawn = sorted(site_names, key=lambda n: -float(overcrowding[n].max()))[:SITES_DRAWN]
    others = [n for n in site_names if n not in drawn]
    if others:
        rest = pd.concat([overcrowding[n] for n in others], axis=1)
        shelters.fill_between(
            date,
            rest.min(axis=1),
            rest.max(axis=1),
            color="grey",
            alpha=0.3,
            linewidth=0,
            label=f"{len(others)} other sites (range)",
        )
    for name, style in zip(drawn, LINE_STYLES, strict=False):
        shelters.plot(date, overcrowding[name], linewidth=1, linestyle=style, label=name)
    if site_names:
        all_sites = ts[o.OVERCROWDING_ALL_SITES.name]
        shelters.plot(date, all_sites, color="black", linewidth=2, label="all sites")
    shelters.axhline(1.0, color="grey", linestyle=":")
    shelters.set_ylabel("people per place")
    shelters.set_title("Reception sites: overcrowding (1 = full)")
    shelters.set_ylim(bottom=0)

    district, remaining = o.DISTRICT.name, o.DISTRICT_REMAINING.name
    at_start = districts[districts[o.STEP.name] == 0]
    largest = at_start.nlargest(6, remaining)[district]
    for k, name in enumerate(largest):
        rows = districts[districts[district] == name]
        when = rows[o.DATE.name]
        style = {"linestyle": LINE_STYLES[k % len(LINE_STYLES)], "linewidth": 2.2 - 0.25 * k}
        food.plot(when, rows[o.DISTRICT_FOOD_STOCK_DAYS.name], label=name, **style)
        inside = rows[remaining] > 0
        hunger.plot(when, rows[o.DISTRICT_HUNGER.name].where(inside), label=name, **style)
    food.set_yscale("symlog", linthresh=FOOD_LINEAR_DAYS, linscale=2)
    stocks = districts[o.DISTRICT_FOOD_STOCK_DAYS.name].to_numpy(dtype=float)
    highest = float(stocks[np.isfinite(stocks)].max(initial=0.0))
    top_days = max(FOOD_LINEAR_DAYS, 1.5 * highest)
    food.set_ylim(0, top_days)
    ticks = [0, 10, 20, FOOD_LINEAR_DAYS, *(10**k for k in range(2, 9) if 10**k <= top_days)]
    food.set_yticks(ticks, [f"{t:,}" for t in ticks])
    food.yaxis.set_minor_locator(NullLocator())
    food.set_ylabel(f"days of food per person inside\n(log scale above {FOOD_LINEAR_DAYS})")
    food.set_title("Food stocks (six largest districts; equal stocks overlap)")
    hunger.plot(date, ts[o.HUNGER_MEAN_INSIDE.name], color="black", linewidth=2, label="all inside")
    hunger.set_ylabel("hunger, 0-1")
    hunger.set_ylim(0, 1)
    hunger.set_title("Hunger by district (while anyone is inside)")

    medevac.plot(date, ts[o.MEDEVAC_WAITING.name], color="tab:red", label="waiting")
    medevac.plot(date, ts[o.MEDEVAC_EVACUATED_CUM.name], color="tab:blue", label="evacuated")
    medevac.plot(date, ts[o.MEDEVAC_DIED_WAITING_CUM.name], color="black", label="died waiting")
    medevac.set_ylabel("patients")
    medevac.set_title("Medical evacuation list")
    counts_axis(medevac, "no patients")

    stages = (o.SCREENING, o.IN_COLLECTIVE_SHELTER, o.IN_GOVERNMENT_AREA, o.BUSSED_NORTH)
    after.stackplot(
        date,
        *(ts[stage.name] / 1000 for stage in stages),
        labels=[stage.name.replace("_", " ") for stage in stages],
        alpha=0.8,
    )
    after.set_ylabel("people (thousands)")
    after.set_title("Where the people who left are")
    after.plot(date, sum(ts[stage.name] for stage in stages) / 1000, color="black", linewidth=0.5)
    counts_axis(after, "no one has left")

    for ax in axes.ravel():
        if ax.get_legend() is None and ax.get_legend_handles_labels()[0]:
            ax.legend(**COMPACT_LEGEND)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    for column in axes.T:
        date_axes(column, date.iloc[0], date.iloc[-1], at_most=DASHBOARD_DATE_TICKS)
        column[-1].set_xlabel("date (2018)")
    save_tight_png(fig, path, dpi=100)
    plt.close(fig)


FOOD_LINEAR_DAYS = 30
"""The food panel is linear up to this many days a person, logarithmic above (a convoy to a
nearly empty district sends its stock far up; nothing is cut off)."""

DASHBOARD_DATE_TICKS = 6
"""Date ticks at most on the dashboard's narrow panels."""

COMPACT_LEGEND = {
    "fontsize": 7,
    "loc": "best",
    "handlelength": 1.6,
    "labelspacing": 0.25,
    "borderpad": 0.3,
    "framealpha": 0.8,
}
"""The dashboard's small legends."""
