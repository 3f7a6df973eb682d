"""Exact outcomes on tiny hand-built maps, where every number can be worked out by hand."""

from __future__ import annotations

import numpy as np

from sim import outcomes as o
from sim.civilians import CivilianState
from sim.geography import Geography
from sim.model import SiegeModel
from sim.outputs import summarise
from tests.conftest import run_model, strip_map, tiny_config, with_changes

CROSSING = {"name": "gate", "place": "gate", "throughput_per_hour": 3, "access_radius_m": 100.0}
EAGER = {"leave_hazard_per_hour": 1000.0}  # p(set out) = 1 - exp(-1000) == 1.0 in floating point


def walk_and_queue_config(close_hour: int, days: int = 1):
    return tiny_config(
        days=days,
        civilians=EAGER,
        crossings=[CROSSING],
        timeline={
            "bombardment_start_day": 99,
            "ground_offensive_start_day": 99,
            "pauses": [
                {
                    "start_day": 0,
                    "end_day": days,
                    "open_hour": 0,
                    "close_hour": close_hour,
                    "crossings": ["gate"],
                }
            ],
        },
    )


def test_ten_people_walk_four_cells_then_cross_three_an_hour():
    # 10 people, 400 m from the gate's entry cell at 100 m/h: they set out and walk in hour 0
    # (reaching cell 2), arrive in hour 3, and cross at 3 an hour: 3, 6, 9, 10.
    model = run_model(walk_and_queue_config(close_hour=24), strip_map(5, 10))
    ts = model.recorder.timeseries()
    crossed = ts[o.LEFT_VIA_CROSSING_CUM.name].tolist()[:8]
    assert crossed == [0, 0, 0, 3, 6, 9, 10, 10], f"expected 3 per hour from hour 3, got {crossed}"
    queued = ts[o.QUEUED.name].tolist()[:8]
    assert queued == [0, 0, 0, 7, 4, 1, 0, 0], f"expected the queue to drain by 3/h, got {queued}"
    moving = ts[o.MOVING.name].tolist()[:4]
    assert moving == [10, 10, 10, 0], f"expected all 10 walking for 3 hours, got {moving}"


def test_queue_waits_for_the_next_window():
    # Window 00:00-05:00: hours 3 and 4 pass 3 each; 4 wait overnight; next day 3 then 1.
    model = run_model(walk_and_queue_config(close_hour=5, days=2), strip_map(5, 10))
    ts = model.recorder.timeseries()
    crossed = ts[o.LEFT_VIA_CROSSING_CUM.name].to_numpy()
    assert crossed[4] == 6, f"expected 6 across by 04:00 on day 0, got {crossed[4]}"
    assert crossed[23] == 6, f"expected nobody to cross while closed, got {crossed[23]}"
    assert crossed[24] == 9 and crossed[25] == 10, (
        f"expected 9 then 10 across at 00:00 and 01:00 on day 1, got {crossed[24:26]}"
    )
    overnight = ts[o.QUEUED.name].iloc[23]
    assert overnight == 4, f"expected 4 queued overnight, got {overnight}"


def test_nobody_leaves_without_a_pause():
    config = tiny_config(civilians=EAGER, crossings=[CROSSING])
    model = run_model(config, strip_map(5, 10))
    ts = model.recorder.timeseries()
    assert ts[o.LEFT_VIA_CROSSING_CUM.name].iloc[-1] == 0, "expected no exits with no pause"
    assert ts[o.AT_HOME.name].iloc[-1] == 10, "expected all 10 still at home"


def test_coercion_keeps_everyone_home():
    config = tiny_config(
        civilians=EAGER,
        crossings=[CROSSING],
        factions={"a": {"name": "A", "fighters": 10, "cohesion": 0.5, "civilian_exit_coercion": 1}},
        timeline={
            "bombardment_start_day": 99,
            "ground_offensive_start_day": 99,
            "pauses": [{"start_day": 0, "end_day": 1, "crossings": ["gate"], "open_hour": 0}],
        },
    )
    model = run_model(config, strip_map(5, 10))
    assert model.recorder.timeseries()[o.MOVING.name].max() == 0, "full coercion: nobody sets out"


def shelled_config(protection: float, bombard_day: int, days: int = 1):
    return tiny_config(
        days=days,
        civilians={"shelter_hazard_per_hour": 1000.0, "shelter_fear_threshold": 0.5},
        government={
            "shelling_units": [{"name": "guns", "strikes_per_day": 24000.0}],
            "lethality_per_strike": 1.0,
            "shelter_protection": protection,
        },
        timeline={"bombardment_start_day": bombard_day, "ground_offensive_start_day": 99},
    )


def test_a_strike_with_lethality_one_kills_everyone_at_home():
    model = run_model(shelled_config(protection=0.0, bombard_day=0), strip_map(1, 5))
    killed = model.recorder.timeseries()[o.KILLED_CUM.name].iloc[0]
    assert killed == 5, f"expected all 5 killed in hour 0, got {killed}"


def test_full_shelter_protection_saves_those_in_basements():
    # Afraid from the start, everyone moves to a basement in hour 0; shelling starts on day 1.
    model = run_model(shelled_config(protection=1.0, bombard_day=1, days=2), strip_map(1, 5))
    ts = model.recorder.timeseries()
    assert ts[o.SHELTERING.name].iloc[0] == 5, "expected all 5 in basements after hour 0"
    assert ts[o.STRIKES.name].iloc[24:].sum() > 0, "expected strikes on day 1"
    assert ts[o.KILLED_CUM.name].iloc[-1] == 0, "expected no deaths with protection 1"


def pocket_map() -> Geography:
    # Row 1 holds three rebel cells between government rows; the group at (0, 2) reaches
    # only the middle cell (100 m away; the corner cells are 141 m away).
    controller = np.zeros((3, 5), dtype=int)
    controller[1, 1:4] = 1
    people = np.zeros_like(controller)
    people[1, 1:4] = 2
    return Geography.from_grids(
        controller,
        people,
        faction_keys=("a",),
        towns_rc={"west": (1, 1), "middle": (1, 2), "east": (1, 3), "north": (0, 2)},
    )


def assault_config(morale: float):
    return tiny_config(
        factions={"a": {"name": "A", "fighters": 10, "cohesion": 0.5, "morale_initial": morale}},
        government={
            "assault_groups": [
                {"name": "g", "fighters": 100000, "start": "north", "objectives": ["middle"]}
            ],
            "capture_rate_per_hour": 1000.0,
            "reach_m": 100.0,
        },
        faction_dynamics={
            "min_pocket_cells": 0,
            "morale_loss_per_percent_territory_lost": 0.0,
            "fighters_lost_per_cell_captured": 0.0,
        },
        timeline={"bombardment_start_day": 99, "ground_offensive_start_day": 0},
    )


def test_cutting_the_middle_splits_the_pocket_and_low_morale_surrenders_both():
    model = run_model(assault_config(morale=0.1), pocket_map())
    events = model.events.table()
    hour0 = events[events["step"] == 0]
    kinds = hour0["kind"].tolist()
    assert kinds.count("pocket_split") == 1, f"expected one split in hour 0, got {kinds}"
    assert kinds.count("surrender") == 2, f"expected both halves to surrender, got {kinds}"
    assert "faction_defeated" in kinds, f"expected the faction defeated in hour 0, got {kinds}"
    ts = model.recorder.timeseries()
    assert ts[o.STAYED_UNDER_GOVERNMENT_CUM.name].iloc[0] == 6, (
        "expected all 6 people in government areas"
    )


def test_high_morale_pockets_hold_after_the_split_until_overrun():
    model = run_model(assault_config(morale=0.9), pocket_map())
    ts = model.recorder.timeseries()
    assert ts[o.STAYED_UNDER_GOVERNMENT_CUM.name].iloc[0] == 2, (
        "expected only the middle cell's 2 people"
    )
    assert ts[o.POCKETS.name].iloc[0] == 2, "expected two pockets to hold after hour 0"
    assert "surrender" not in model.events.kinds(), "expected no surrender at morale 0.9"
    # The group then moves onto the taken cell and takes both halves by force.
    assert ts[o.STAYED_UNDER_GOVERNMENT_CUM.name].iloc[-1] == 6, (
        "expected the group to take both halves"
    )


def test_every_person_is_in_exactly_one_state_on_tiny_maps():
    model = run_model(walk_and_queue_config(close_hour=5, days=2), strip_map(5, 10))
    counts = model.recorder.recorded("state_counts")
    assert (counts.sum(axis=1) == 10).all(), "expected 10 people in every step's state counts"
    assert counts.shape[1] == len(CivilianState), "expected one column per state"


def test_waits_at_the_crossing_are_counted_from_arrival_to_passage():
    # All 10 arrive at hour 3 and pass 3 an hour: waits 0, 1, 2, 3 hours; mean 12 / 10.
    model = run_model(walk_and_queue_config(close_hour=24), strip_map(5, 10))
    ts = model.recorder.timeseries()
    waits = ts[o.MEAN_WAIT_HOURS.column("gate")].tolist()[3:7]
    assert waits == [0.0, 1.0, 2.0, 3.0], f"expected hourly mean waits 0-3 h, got {waits}"
    assert ts[o.MEAN_WAIT_HOURS.column("gate")].iloc[:3].isna().all(), (
        "expected no wait before anyone"
    )
    summary = summarise(model, ts)["crossings"]["gate"]
    assert summary == {
        "crossed": 10,
        "peak_queue": 7,
        "day_peak_queue": 0,
        "mean_wait_hours": 1.2,
        "days_shut": 0,
    }, f"unexpected crossing summary {summary}"


def test_a_crossing_shut_for_the_day_lets_nobody_through():
    config = walk_and_queue_config(close_hour=24, days=2)
    crossing = {**CROSSING, "closure_probability_per_day": 1.0}
    model = run_model(with_changes(config, {"crossings": [crossing]}), strip_map(5, 10))
    ts = model.recorder.timeseries()
    assert not ts[o.OPEN.column("gate")].any(), "expected the crossing never open"
    assert ts[o.LEFT_VIA_CROSSING_CUM.name].iloc[-1] == 0, "expected nobody across"
    shut = [r.step for r in model.events.table().itertuples() if r.kind == "crossing_shut_for_day"]
    assert shut == [0, 24], f"expected a shut-for-the-day event each day, got {shut}"


def test_a_split_is_logged_in_the_hour_another_pocket_ends():
    # Two pockets: a strip of three cells on row 1 and a lone cell at (3, 2). One hand-over
    # takes the lone cell (that pocket ends) and the strip's middle (the strip splits): the
    # number of pockets stays 2, yet a split happened and must be logged.
    controller = np.zeros((5, 5), dtype=int)
    controller[1, 1:4] = 1
    controller[3, 2] = 1
    people = 2 * (controller > 0)
    geo = Geography.from_grids(controller, people, faction_keys=("a",))
    config = with_changes(
        assault_config(morale=0.9),
        {"government": {"assault_groups": []}, "faction_dynamics": {"min_pocket_cells": 0}},
    )
    model = SiegeModel(config, geo, full_invariant_checks=True)
    assert model.territory.n_pockets == 2, "expected two pockets on the hand-built map"
    cells = np.array([3 * geo.n_cols + 2, 1 * geo.n_cols + 2], dtype=np.intp)
    model.hand_over.apply(cells, 0, "capture")
    kinds = model.events.table()["kind"].tolist()
    assert model.territory.n_pockets == 2, "expected the two halves of the strip left"
    assert kinds.count("pocket_ended") == 1, f"expected the lone cell's pocket to end: {kinds}"
    assert kinds.count("pocket_split") == 1, f"expected the strip's split logged: {kinds}"
