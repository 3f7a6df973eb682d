"""Figures of one run, drawn with matplotlib's non-interactive Agg backend."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from sim import outcomes as o
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


def plot_evacuation_curves(ts: pd.DataFrame, path: Path, title: str) -> None:
    """Cumulative people by route (top) and civilians killed (bottom), against date, with
    every target of ``calibration_targets.csv`` that falls within the run (or the day after
    its end, against its final value) drawn on the curve that measures it
    (:data:`sim.validation.TARGET_OUTCOMES`), labelled with the model's difference."""
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(12, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
    )
    date = ts[o.DATE.name]
    colour_of = {outcome.name: colour for outcome, _, colour in CURVES}
    colour_of[o.KILLED_CUM.name] = "tab:red"
    for outcome, label, colour in CURVES:
        top.plot(date, ts[outcome.name] / 1000, label=label, color=colour)
    bottom.plot(date, ts[o.KILLED_CUM.name], color="tab:red", label="civilians killed")
    start = date.iloc[0]
    last_day = int(ts[o.DAY.name].iloc[-1])
    for row in validate(ts, load_calibration_targets(), start).itertuples():
        after_the_run = row.compared_at == "run end"
        if after_the_run and row.day > last_day + 1:
            continue  # weeks after the run (OCHA's May figures): no point on these axes
        killed = row.outcome == o.KILLED_CUM.name
        axis, scale = (bottom, 1) if killed else (top, 1000)
        when = start + pd.Timedelta(days=row.day, hours=0 if after_the_run else 23)
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
    top.set_ylabel("people (thousands)")
    top.set_title(f"Evacuation curves: {title}")
    top.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    top.grid(alpha=0.3)
    bottom.set_ylabel("people killed")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    bottom.grid(alpha=0.3)
    _save_dated(fig, bottom, path)


def plot_factions(ts: pd.DataFrame, faction_keys: list[str], path: Path, title: str) -> None:
    """Fighters (top), cohesion and morale (bottom) of each faction, against date.

    Cohesion is drawn solid and morale dashed; the stage a faction was in is shaded on the
    fighters panel (talks light, ceasefire and evacuation darker).
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    date = ts[o.DATE.name]
    for key, colour in zip(faction_keys, colours, strict=False):
        fighters = ts[o.FIGHTERS.column(key)]
        top.plot(date, fighters, color=colour, label=key.replace("_", " "))
        for stage, alpha in (("talking", 0.12), ("evacuating", 0.3)):
            top.fill_between(
                date,
                0,
                fighters.max(),
                where=ts[o.STAGE.column(key)] == stage,
                color=colour,
                alpha=alpha,
                linewidth=0,
            )
        bottom.plot(date, ts[o.COHESION.column(key)], color=colour, label=f"{key} cohesion")
        bottom.plot(date, ts[o.MORALE.column(key)], color=colour, linestyle="--", alpha=0.7)
    top.set_ylabel("fighters")
    top.set_title(f"Factions: {title} (shaded: light = talks, dark = ceasefire and buses)")
    top.legend(loc="upper right")
    top.grid(alpha=0.3)
    bottom.set_ylabel("cohesion (solid), morale (dashed), 0-1")
    bottom.set_ylim(0, 1)
    bottom.grid(alpha=0.3)
    _save_dated(fig, bottom, path)


def _save_dated(fig: plt.Figure, bottom: plt.Axes, path: Path) -> None:
    """Dates on the shared x axis of the bottom panel, then write the PNG and free it."""
    bottom.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    bottom.set_xlabel("date (2018)")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=110)
    plt.close(fig)


FOOD_DAYS_SHOWN = 60
"""Upper limit of the food-stock panel: a convoy to a nearly empty district sends it far up."""


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
    fig, axes = plt.subplots(4, 2, figsize=(13, 13), sharex=True)
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
    waits.set_ylabel("hours")
    waits.set_title("Mean wait of those who crossed, by day")

    buses.plot(date, ts[o.BUSES_ON_ROAD.name], color="tab:green", label="buses away")
    buses.set_ylabel("buses away from the depot")
    trips = buses.twinx()
    trips.plot(date, ts[o.BUS_TRIPS_CUM.name], color="tab:olive", linestyle="--", label="trips")
    trips.set_ylabel("bus trips (cumulative, dashed)")
    seats = ts[o.BUS_SEATS_FILLED_CUM.name].iloc[-1]
    n_trips = ts[o.BUS_TRIPS_CUM.name].iloc[-1]
    buses.set_title(f"Buses north: {n_trips:,} trips, {seats:,} seats filled")

    for name in site_names:
        shelters.plot(date, ts[o.OVERCROWDING.column(name)], linewidth=0.8, label=name)
    if site_names:
        all_sites = ts[o.OVERCROWDING_ALL_SITES.name]
        shelters.plot(date, all_sites, color="black", linewidth=2, label="all sites")
    shelters.axhline(1.0, color="grey", linestyle=":")
    shelters.set_ylabel("people per place")
    shelters.set_title("Reception sites: overcrowding (1 = full)")

    district, remaining = o.DISTRICT.name, o.DISTRICT_REMAINING.name
    at_start = districts[districts[o.STEP.name] == 0]
    for name in at_start.nlargest(6, remaining)[district]:
        rows = districts[districts[district] == name]
        when = rows[o.DATE.name]
        food.plot(when, rows[o.DISTRICT_FOOD_STOCK_DAYS.name], label=name)
        inside = rows[remaining] > 0
        hunger.plot(when, rows[o.DISTRICT_HUNGER.name].where(inside), label=name)
    food.set_ylim(0, FOOD_DAYS_SHOWN)
    food.set_ylabel(f"days of food per person inside (to {FOOD_DAYS_SHOWN})")
    food.set_title("Food stocks (six largest districts)")
    hunger.plot(date, ts[o.HUNGER_MEAN_INSIDE.name], color="black", linewidth=2, label="all inside")
    hunger.set_ylabel("hunger, 0-1")
    hunger.set_ylim(0, 1)
    hunger.set_title("Hunger by district (while anyone is inside)")

    medevac.plot(date, ts[o.MEDEVAC_WAITING.name], color="tab:red", label="waiting")
    medevac.plot(date, ts[o.MEDEVAC_EVACUATED_CUM.name], color="tab:blue", label="evacuated")
    medevac.plot(date, ts[o.MEDEVAC_DIED_WAITING_CUM.name], color="black", label="died waiting")
    medevac.set_ylabel("patients")
    medevac.set_title("Medical evacuation list")

    stages = (o.SCREENING, o.IN_COLLECTIVE_SHELTER, o.IN_GOVERNMENT_AREA, o.BUSSED_NORTH)
    after.stackplot(
        date,
        *(ts[stage.name] / 1000 for stage in stages),
        labels=[stage.name.replace("_", " ") for stage in stages],
        alpha=0.8,
    )
    after.set_ylabel("people (thousands)")
    after.set_title("Where the people who left are")

    for ax in axes.ravel():
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Humanitarian logistics: {title}")
    for ax in axes[-1]:
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
        ax.set_xlabel("date (2018)")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
