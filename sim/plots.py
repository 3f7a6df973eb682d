"""Figures of one run, drawn with matplotlib's non-interactive Agg backend."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd

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
