"""The territory record (territory.npz) and the figures drawn from it: map, animation, timeline."""

from __future__ import annotations

import math
import zipfile

import numpy as np
import pandas as pd
from PIL import Image, ImageSequence

from sim.maps import GIF_DPI, GIF_SIZE_IN, MAX_PANELS, key_snapshots
from sim.model import SiegeModel
from sim.outputs import write_run
from sim.spatial_outputs import (
    ANIMATION_FILE,
    MAP_FILE,
    TERRITORY_FILE,
    TIMELINE_FILE,
    write_spatial_outputs,
)
from sim.territory_record import load_territory
from tests.conftest import run_model, small_config, strip_map, tiny_config

GATE = {"name": "gate", "place": "gate", "throughput_per_hour": 3, "access_radius_m": 100.0}


def test_tiny_map_round_trips_with_its_coordinates(tmp_path):
    model = run_model(tiny_config(days=2, crossings=[GATE]), strip_map(4, 7))
    model.territory_record.result().save(tmp_path / TERRITORY_FILE)
    record = load_territory(tmp_path / TERRITORY_FILE)
    assert record.controller.shape == (3, 1, 6), (
        f"expected days + 1 = 3 snapshots of 1 x 6 cells, got {record.controller.shape}"
    )
    assert record.controller.dtype == np.int8 and record.people.dtype == np.int32, (
        f"expected int8 controller and int32 people, got {record.controller.dtype}, "
        f"{record.people.dtype}"
    )
    assert record.controller[0, 0].tolist() == [0, 1, 1, 1, 1, 0], (
        f"expected the strip's initial control, got {record.controller[0, 0].tolist()}"
    )
    assert record.people[0, 0].tolist() == [0, 7, 0, 0, 0, 0], (
        f"expected the 7 people on the first rebel cell, got {record.people[0, 0].tolist()}"
    )
    assert record.step.tolist() == [-1, 23, 47] and record.day.tolist() == [0, 0, 1], (
        f"expected snapshots before step 0 and after steps 23, 47; got steps "
        f"{record.step.tolist()}, days {record.day.tolist()}"
    )
    assert [str(d) for d in record.date] == ["2018-02-18", "2018-02-18", "2018-02-19"], (
        f"expected the calendar date of each snapshot's day, got {record.date}"
    )
    assert record.x_m.tolist() == [50, 150, 250, 350, 450, 550] and record.y_m.tolist() == [50], (
        f"expected cell centres in metres, got x {record.x_m}, y {record.y_m}"
    )
    assert record.cell_size_m == 100 and math.isnan(record.lat0), (
        f"expected 100 m cells and no projection origin, got {record.cell_size_m}, {record.lat0}"
    )
    assert record.controller_names.tolist() == ["Government", "A"], (
        f"expected controller names by code, got {record.controller_names}"
    )
    assert (record.town_names.tolist(), record.town_row.tolist(), record.town_col.tolist()) == (
        ["home"],
        [0],
        [1],
    ), "expected the town 'home' on row 0, column 1"
    assert record.crossing_names.tolist() == ["gate"] and record.crossing_x_m.tolist() == [550], (
        f"expected the crossing 'gate' at x = 550 m, got {record.crossing_names}, "
        f"{record.crossing_x_m}"
    )
    assert record.base_names.size == 0, f"expected no base on a strip, got {record.base_names}"


def test_territory_file_is_the_same_bytes_whenever_written(tmp_path):
    record = run_model(tiny_config(days=1), strip_map(2, 3)).territory_record.result()
    record.save(tmp_path / "a.npz")
    with zipfile.ZipFile(tmp_path / "a.npz") as archive:
        stamps = {info.date_time for info in archive.infolist()}
    assert stamps == {(1980, 1, 1, 0, 0, 0)}, f"expected fixed member timestamps, got {stamps}"


def test_recorded_control_and_people_match_the_model_at_each_days_end(tmp_path):
    model = SiegeModel(small_config("days=12"))
    days = (0, 8, 11)  # before and after the ground offensive (day 7) began
    expected = {}
    while model.running:
        t = model.step_index + 1
        model.step()
        if t % 24 == 23 and t // 24 in days:
            civ = model.civilians
            agents = np.bincount(civ.cell[civ.in_enclave()], minlength=model.geo.n_cells)
            people = agents * model.config.people_per_agent
            expected[t // 24] = (model.territory.controller.copy(), people)
    model.territory_record.result().save(tmp_path / TERRITORY_FILE)
    record = load_territory(tmp_path / TERRITORY_FILE)
    shape = (model.geo.n_rows, model.geo.n_cols)
    for day, (controller, people) in expected.items():
        k = record.index_of_day(day)
        assert (record.controller[k] == controller.reshape(shape)).all(), (
            f"expected the recorded control at the end of day {day} to be the model's"
        )
        assert (record.people[k] == people.reshape(shape)).all(), (
            f"expected the recorded people per cell at the end of day {day} to be the model's"
        )
    assert (record.controller[0] == model.geo.controller.reshape(shape)).all(), (
        "expected snapshot 0 to be the initial control"
    )
    assert not (record.controller[-1] == record.controller[0]).all(), (
        "expected the offensive to have taken ground by day 11 (else the test shows nothing)"
    )
    assert record.lat0 == model.geo.lat0 and 33 < record.lat0 < 34, (
        f"expected the projection origin near 33.5 N, got {record.lat0}"
    )
    assert record.base_names.tolist() == ["Armoured Vehicles Base (Harasta)"], (
        f"expected the government base from places.csv, got {record.base_names}"
    )


def test_people_per_cell_sum_to_remaining_each_day(small_default_run, tmp_path):
    model = small_default_run
    model.territory_record.result().save(tmp_path / TERRITORY_FILE)
    record = load_territory(tmp_path / TERRITORY_FILE)
    ts = model.recorder.timeseries()
    assert record.n_snapshots == model.config.days + 1, (
        f"expected days + 1 = {model.config.days + 1} snapshots, got {record.n_snapshots}"
    )
    inside = record.people[1:].sum(axis=(1, 2))
    remaining = ts.loc[record.step[1:], "remaining"].to_numpy()
    assert (inside == remaining).all(), (
        f"expected people per cell to sum to each day's remaining; first difference at day "
        f"{int(np.flatnonzero(inside != remaining)[0]) if (inside != remaining).any() else -1}"
    )
    everyone = model.civilians.n * model.config.people_per_agent
    assert record.people[0].sum() == everyone, "expected everyone inside at the start"
    rebel = record.controller != 0
    assert not (record.people[~rebel]).any(), "expected nobody inside on government ground"


def test_key_dates_keep_start_end_and_fit_the_panels(small_default_run):
    record = small_default_run.territory_record.result()
    panels = key_snapshots(record, small_default_run.events.table())
    indices = [k for k, _ in panels]
    assert indices[0] == 0 and indices[-1] == record.n_snapshots - 1, (
        f"expected the start and the end among the panels, got {indices}"
    )
    assert len(indices) == len(set(indices)) <= MAX_PANELS, (
        f"expected at most {MAX_PANELS} distinct days, got {indices}"
    )
    rows = [
        (3, "ground_offensive_begins", "government"),
        (3, "pocket_split", "government"),
        (5, "deal_agreed", "A"),
        (5, "pocket_split", "government"),
        (9, "deal_agreed", "B"),
        *((day, "pocket_split", "government") for day in range(10, 20)),
    ]
    events = pd.DataFrame(rows, columns=["day", "kind", "actor"])
    panels = dict(key_snapshots(record, events))
    assert panels[4] == "ground offensive begins; pocket split", (
        f"expected day 3's events merged in one panel, got {panels}"
    )
    assert panels[6] == "deal: A; pocket split" and "deal: B" in panels[10], (
        f"expected every deal's day among the panels, got {panels}"
    )
    assert len(panels) == MAX_PANELS, f"expected the cap of {MAX_PANELS}, got {len(panels)}"


def test_figures_are_written_and_read_back(small_default_run, tmp_path):
    model = small_default_run
    ts = model.recorder.timeseries()
    seconds = write_spatial_outputs(model, tmp_path, ts, figures=True, animation=True)
    assert set(seconds) == {TERRITORY_FILE, MAP_FILE, TIMELINE_FILE, ANIMATION_FILE}, (
        f"expected the record and three figures, got {sorted(seconds)}"
    )
    for name in (MAP_FILE, TIMELINE_FILE):
        with Image.open(tmp_path / name) as image:
            assert image.format == "PNG" and image.width > 1000 and image.height > 500, (
                f"expected {name} a PNG over 1000 x 500 px, got {image.format} {image.size}"
            )
    with Image.open(tmp_path / ANIMATION_FILE) as gif:
        n_frames = sum(1 for _ in ImageSequence.Iterator(gif))
        size = gif.size
        assert gif.format == "GIF", f"expected a GIF, got {gif.format}"
    assert n_frames == model.config.days + 1, (
        f"expected one frame per snapshot (start + each day's end) = {model.config.days + 1}, "
        f"got {n_frames}"
    )
    expected = (round(GIF_SIZE_IN[0] * GIF_DPI), round(GIF_SIZE_IN[1] * GIF_DPI))
    assert size == expected, f"expected {expected} px frames, got {size}"
    assert not list(tmp_path.glob(".*.tmp")), "expected no temporary file left behind"


def test_figures_of_a_tiny_map(tmp_path):
    model = run_model(tiny_config(days=2, crossings=[GATE]), strip_map(4, 7))
    write_spatial_outputs(model, tmp_path, model.recorder.timeseries(), True, True)
    with Image.open(tmp_path / ANIMATION_FILE) as gif:
        n_frames = sum(1 for _ in ImageSequence.Iterator(gif))
    assert n_frames == 3, f"expected 3 frames for 2 days, got {n_frames}"
    assert (tmp_path / MAP_FILE).stat().st_size > 0, "expected a map of the strip"


def test_write_run_gates_figures_and_animation(small_default_run, tmp_path):
    write_run(small_default_run, tmp_path / "none", plots=False)
    written = {p.name for p in (tmp_path / "none").iterdir()}
    assert TERRITORY_FILE in written and not {MAP_FILE, TIMELINE_FILE, ANIMATION_FILE} & written, (
        f"expected territory.npz without figures when plots are off, got {sorted(written)}"
    )
    write_run(small_default_run, tmp_path / "still", plots=True, animation=False)
    written = {p.name for p in (tmp_path / "still").iterdir()}
    assert {MAP_FILE, TIMELINE_FILE} <= written and ANIMATION_FILE not in written, (
        f"expected map and timeline but no animation, got {sorted(written)}"
    )
    write_run(small_default_run, tmp_path / "curves", dashboards=False, animation=False)
    written = {p.name for p in (tmp_path / "curves").iterdir()}
    dashboards = {"factions.png", "logistics.png", MAP_FILE, TIMELINE_FILE, ANIMATION_FILE}
    assert "evacuation_curves.png" in written and not dashboards & written, (
        f"expected the evacuation curves alone without dashboards, got {sorted(written)}"
    )
