"""The run and experiment figures' shared conventions (issue 10): date ticks, titles, event
markers, the 5-95% band, fighter losses by cause, and the run summary on short runs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from PIL import Image

from sim import outcomes as o
from sim.event_markers import DEAL, OFFENSIVE, PAUSES, SPLIT, event_markers
from sim.fighter_losses import CAUSES, FactionLabel, losses_by_cause
from sim.figure_axes import date_axes, date_axis, mean_and_band, run_label, run_title
from sim.outputs import summary_text, write_run
from tests.conftest import run_model, strip_map, tiny_config

START = pd.Timestamp("2018-02-18")


@pytest.mark.parametrize("days", [1, 2, 3, 10, 35, 80])
def test_date_ticks_are_each_a_different_date_and_few(days):
    fig, ax = plt.subplots()
    when = pd.date_range(START, periods=days * 24, freq="h")
    ax.plot(when, range(len(when)))
    date_axis(ax, when[0], when[-1])
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    plt.close(fig)
    assert len(labels) == len(set(labels)), f"expected no date twice, got {labels}"
    assert 2 <= len(labels) <= 9, f"expected 2 to 9 date labels for {days} days, got {labels}"


def test_a_single_point_gets_a_one_day_axis_not_years_of_hourly_ticks():
    fig, ax = plt.subplots()
    ax.plot([START], [1.0])
    date_axis(ax, START, START)
    fig.canvas.draw()
    low, high = ax.get_xlim()
    minor = len(ax.xaxis.get_minorticklocs())
    plt.close(fig)
    assert high - low == 1.0, f"expected the axis to span one day, got {high - low} days"
    assert minor <= 10, f"expected a few hourly ticks on one day, got {minor}"


def test_titles_name_scenario_logistics_and_the_overrides_that_change_the_run():
    title = run_title(
        "Evacuation curves",
        "ghouta_2018",
        "generous",
        ["logistics=generous", "bus_fleet.buses=25", "output.progress_bar=false"],
    )
    assert title.startswith("Evacuation curves: ghouta_2018, generous logistics"), title
    assert "bus_fleet.buses=25" in title, f"expected the override in {title!r}"
    assert "output." not in title and "logistics=" not in title, (
        f"expected reporting options and the named logistics left out of {title!r}"
    )


def test_event_markers_come_from_the_events_table():
    events = pd.DataFrame(
        [
            (168, "ground_offensive_begins", "government", ""),
            (225, "crossing_opened", "government", "Wafideen"),
            (249, "crossing_opened", "government", "Wafideen"),  # the next day: same pause
            (254, "pocket_split", "government", ""),
            (400, "crossing_opened", "government", "Wafideen"),  # after days shut: a new one
            (605, "deal_agreed", "Jaish al-Islam", "Douma"),
        ],
        columns=["step", "kind", "actor", "place"],
    ).assign(date=lambda e: START + pd.to_timedelta(e["step"], unit="h"))
    markers = event_markers(events)
    kinds = [m.kind for m in markers]
    assert kinds == [OFFENSIVE, PAUSES, SPLIT, PAUSES, DEAL], (
        f"expected offensive, pause, split, pause, deal in time order, got "
        f"{[k.words for k in kinds]}"
    )
    assert markers[-1].who == "Jaish al-Islam", f"expected the deal's faction, got {markers[-1]}"


def test_band_is_5_to_95_percent():
    values = pd.DataFrame({"x": [0] * 101, "y": range(101)}).groupby("x")["y"]
    mean, low, high = mean_and_band(values)
    assert (mean.iloc[0], low.iloc[0], high.iloc[0]) == (50, 5, 95), (
        f"expected mean 50, band 5-95, got {mean.iloc[0]}, {low.iloc[0]}, {high.iloc[0]}"
    )


def test_fighter_losses_by_cause_add_up_to_what_each_faction_lost(small_default_run):
    model = small_default_run
    ts, events = model.recorder.timeseries(), model.events.table()
    per_agent = model.config.people_per_agent
    factions = [FactionLabel(f.key, f.name, f.fighters_initial * per_agent) for f in model.factions]
    losses = losses_by_cause(ts, events, factions, per_agent)
    assert list(losses.columns) == list(CAUSES), f"expected the causes as columns: {losses}"
    assert (losses >= 0).all().all(), f"expected no negative loss:\n{losses}"
    for f in factions:
        lost = f.fighters_initial - int(ts[o.FIGHTERS.column(f.key)].iloc[-1])
        assert losses.loc[f.name].sum() == lost, (
            f"expected {f.name}'s causes to sum to its loss {lost}:\n{losses.loc[f.name]}"
        )
    bussed = int(ts[o.BUSSED_NORTH_FIGHTERS_CUM.name].iloc[-1])
    assert losses[CAUSES[-1]].sum() == bussed, (
        f"expected the fighters bussed north by faction to sum to {bussed}:\n{losses}"
    )


def test_a_two_day_run_has_its_figures_and_a_summary_without_none(tmp_path):
    model = run_model(tiny_config(days=2), strip_map(3, 10))
    summary = write_run(model, tmp_path, animation=False, overrides=("days=2",))
    for name in ("evacuation_curves.png", "factions.png", "logistics.png"):
        with Image.open(tmp_path / name) as image:
            width, height = image.size
        assert width > 600 and height > 400, f"expected a readable {name}, got {image.size}"
    text = summary_text(summary)
    assert "None" not in text, f"expected words, not None, on a short run:\n{text}"


def test_the_map_and_timeline_label_names_what_ran_with_its_overrides():
    label = run_label("ghouta_2018", "generous", ["bus_fleet.buses=50", "output.plots=false"])
    assert label == "ghouta_2018, generous logistics (bus_fleet.buses=50)", (
        f"expected scenario, logistics and the model overrides only, got {label!r}"
    )


def test_a_column_of_date_panels_labels_and_marks_days_on_the_bottom_panel_only():
    fig, axes = plt.subplots(3, 1)
    when = pd.date_range(START, periods=40 * 24, freq="h")
    for ax in axes:
        ax.plot(when, range(len(when)))
    date_axes(axes, when[0], when[-1])
    fig.canvas.draw()
    limits = {ax.get_xlim() for ax in axes}
    minor = [len(ax.xaxis.get_minorticklocs()) for ax in axes]
    labelled = [any(t.get_text() for t in ax.get_xticklabels()) for ax in axes]
    plt.close(fig)
    assert len(limits) == 1, f"expected every panel over the same dates, got {limits}"
    assert minor[:-1] == [0, 0] and minor[-1] >= 30, (
        f"expected daily minor ticks on the bottom panel only, got {minor} per panel"
    )
    assert labelled == [False, False, True], (
        f"expected dates under the bottom panel only, got {labelled}"
    )


def test_a_column_of_date_panels_refuses_panels_that_share_their_x_axis():
    fig, axes = plt.subplots(2, 1, sharex=True)
    with pytest.raises(ValueError, match="must not share"):
        date_axes(axes, START, START + pd.Timedelta(days=10))
    plt.close(fig)
