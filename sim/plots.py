"""Figures of one run, drawn with matplotlib's non-interactive Agg backend."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

from sim.recorder import slug
from sim.tables import load_calibration_targets

CURVES = (
    ("remaining", "still inside the enclave", "tab:gray"),
    ("left_via_crossing_cum", "left via crossings", "tab:blue"),
    ("left_by_capture_cum", "left by capture of their district", "tab:orange"),
    ("left_via_deal_corridor_cum", "left to shelters under a deal", "tab:purple"),
    ("bussed_north_cum", "civilians bussed north", "tab:green"),
    ("fighters_bussed_north_cum", "fighters bussed north", "tab:olive"),
)


def plot_evacuation_curves(ts: pd.DataFrame, path: Path, title: str) -> None:
    """Cumulative people by route (top) and civilians killed (bottom), against date."""
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 7), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
    )
    for column, label, colour in CURVES:
        top.plot(ts["date"], ts[column] / 1000, label=label, color=colour)
    start = ts["date"].iloc[0]
    for target in load_calibration_targets():
        date = start + pd.Timedelta(days=target.day)
        if target.quantity == "cumulative_left_enclave" and date <= ts["date"].iloc[-1]:
            top.errorbar(
                date,
                target.value / 1000,
                yerr=[[(target.value - target.low) / 1000], [(target.high - target.value) / 1000]],
                fmt="D",
                color="black",
                label=f"{target.source}: left the enclave (crossings + buses)",
            )
        if target.quantity == "civilian_deaths_campaign_total":
            bottom.errorbar(
                date,
                target.value,
                yerr=[[target.value - target.low], [target.high - target.value]],
                fmt="D",
                color="black",
                capsize=3,
                label=f"{target.source}: deaths, whole campaign",
            )
    top.set_ylabel("people (thousands)")
    top.set_title(f"Evacuation curves: {title}")
    top.legend(loc="center left")
    top.grid(alpha=0.3)
    bottom.plot(ts["date"], ts["killed_cum"], color="tab:red", label="civilians killed")
    bottom.set_ylabel("people killed")
    bottom.legend(loc="upper left")
    bottom.grid(alpha=0.3)
    _save_dated(fig, bottom, path)


def plot_factions(ts: pd.DataFrame, faction_keys: list[str], path: Path, title: str) -> None:
    """Fighters (top), cohesion and morale (bottom) of each faction, against date.

    Cohesion is drawn solid and morale dashed; the stage a faction was in is shaded on the
    fighters panel (talks light, ceasefire and evacuation darker).
    """
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for key, colour in zip(faction_keys, colours, strict=False):
        top.plot(ts["date"], ts[f"fighters_{key}"], color=colour, label=key.replace("_", " "))
        for stage, alpha in (("talking", 0.12), ("evacuating", 0.3)):
            top.fill_between(
                ts["date"],
                0,
                ts[f"fighters_{key}"].max(),
                where=ts[f"stage_{key}"] == stage,
                color=colour,
                alpha=alpha,
                linewidth=0,
            )
        bottom.plot(ts["date"], ts[f"cohesion_{key}"], color=colour, label=f"{key} cohesion")
        bottom.plot(ts["date"], ts[f"morale_{key}"], color=colour, linestyle="--", alpha=0.7)
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
    day_start = ts.groupby("day")["date"].first()
    for name in crossing_names:
        s = slug(name)
        queues.plot(ts["date"], ts[f"queue_{s}"] / 1000, label=name)
        crossed = ts.groupby("day")[f"crossed_{s}"].sum()
        waited = ts[f"mean_wait_hours_{s}"].fillna(0) * ts[f"crossed_{s}"]
        waited = waited.groupby(ts["day"]).sum()
        waits.plot(day_start, (waited / crossed.where(crossed > 0)), marker=".", label=name)
    queues.set_ylabel("people queueing (thousands)")
    queues.set_title("Queues at the crossings")
    waits.set_ylabel("hours")
    waits.set_title("Mean wait of those who crossed, by day")

    buses.plot(ts["date"], ts["buses_on_road"], color="tab:green", label="buses away")
    buses.set_ylabel("buses away from the depot")
    trips = buses.twinx()
    trips.plot(ts["date"], ts["bus_trips_cum"], color="tab:olive", linestyle="--", label="trips")
    trips.set_ylabel("bus trips (cumulative, dashed)")
    seats = ts["bus_seats_filled_cum"].iloc[-1]
    n_trips = ts["bus_trips_cum"].iloc[-1]
    buses.set_title(f"Buses north: {n_trips:,} trips, {seats:,} seats filled")

    for name in site_names:
        shelters.plot(ts["date"], ts[f"overcrowding_{slug(name)}"], linewidth=0.8, label=name)
    if site_names:
        shelters.plot(
            ts["date"], ts["overcrowding_all_sites"], color="black", linewidth=2, label="all sites"
        )
    shelters.axhline(1.0, color="grey", linestyle=":")
    shelters.set_ylabel("people per place")
    shelters.set_title("Reception sites: overcrowding (1 = full)")

    inside_at_start = districts[districts["step"] == 0].nlargest(6, "remaining")["district"]
    for name in inside_at_start:
        rows = districts[districts["district"] == name]
        food.plot(rows["date"], rows["food_stock_days"], label=name)
        hunger.plot(rows["date"], rows["hunger"].where(rows["remaining"] > 0), label=name)
    food.set_ylim(0, FOOD_DAYS_SHOWN)
    food.set_ylabel(f"days of food per person inside (to {FOOD_DAYS_SHOWN})")
    food.set_title("Food stocks (six largest districts)")
    hunger.plot(
        ts["date"], ts["hunger_mean_inside"], color="black", linewidth=2, label="all inside"
    )
    hunger.set_ylabel("hunger, 0-1")
    hunger.set_ylim(0, 1)
    hunger.set_title("Hunger by district (while anyone is inside)")

    medevac.plot(ts["date"], ts["medevac_waiting"], color="tab:red", label="waiting")
    medevac.plot(ts["date"], ts["medevac_evacuated_cum"], color="tab:blue", label="evacuated")
    medevac.plot(ts["date"], ts["medevac_died_waiting_cum"], color="black", label="died waiting")
    medevac.set_ylabel("patients")
    medevac.set_title("Medical evacuation list")

    stages = ("screening", "in_collective_shelter", "in_government_area", "bussed_north")
    after.stackplot(
        ts["date"],
        *(ts[stage] / 1000 for stage in stages),
        labels=[stage.replace("_", " ") for stage in stages],
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
