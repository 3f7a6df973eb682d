"""The crossings on their own: opening state, daily closures, walking fields, passage counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.civilians import WALK_TABLE_AFTER_HOURS, Civilians, CivilianState, FieldWays
from sim.crossings import Crossings, PocketWays
from sim.model import SiegeModel
from sim.recorder import EventLog
from sim.territory import Territory
from tests.conftest import small_config, strip_map, tiny_config

GATE = {"name": "gate", "place": "gate", "throughput_per_hour": 3, "access_radius_m": 100.0}


def build(*crossings: dict, n_steps: int = 48) -> tuple[Crossings, Civilians, EventLog]:
    """Crossings on a 5-cell strip (10 people in its first cell), all scheduled open."""
    geo = strip_map(5, 10)
    config = tiny_config(crossings=list(crossings))
    scheduled_open = np.ones((n_steps, len(crossings)), dtype=bool)
    civ = Civilians(
        geo, config.population, config.civilians, config.exits, np.random.default_rng(0)
    )
    return (
        Crossings(config.crossings, scheduled_open, geo, Territory(geo), config.exits),
        civ,
        EventLog(pd.Timestamp("2018-02-18")),
    )


def test_a_closure_draw_shuts_a_crossing_for_the_whole_day():
    shut_always = {**GATE, "closure_probability_per_day": 1.0}
    never_shut = {**GATE, "name": "door"}
    crossings, _, events = build(shut_always, never_shut)
    rng = np.random.default_rng(0)
    for t in range(24):
        crossings.begin_hour(t, rng, events)
        assert crossings.shut_today.tolist() == [True, False], (
            f"expected gate shut and door not, all day, got {crossings.shut_today} at {t}"
        )
        assert crossings.is_open.tolist() == [False, True], (
            f"expected only door open at step {t}, got {crossings.is_open}"
        )
    assert events.rows == [
        (0, "crossing_shut_for_day", "", "gate", ""),
        (0, "crossing_opened", "government", "door", ""),
    ], f"expected gate shut for the day and door opened at step 0, got {events.rows}"
    crossings.begin_hour(24, rng, events)
    assert events.rows[-1] == (24, "crossing_shut_for_day", "", "gate", ""), (
        f"expected a new draw shutting gate again on day 1, got {events.rows[-1]}"
    )


def test_an_open_crossing_passes_its_throughput_and_counts_the_waits():
    crossings, civ, events = build(GATE)
    dist, _ = crossings.field(0)
    assert dist[1] == 400.0 and dist[5] == 0.0, (
        f"expected 400 m from the first cell to the entry cell (cell 5), got {dist[1:6]}"
    )
    # Everyone queued at the entry cell since step 1 (tickets 1.0-1.9), in order.
    civ.set_state(np.arange(civ.n), CivilianState.QUEUED)
    civ.target_crossing[:] = 0
    civ.cell[:] = 5
    civ.queue_ticket[:] = 1.0 + 0.1 * np.arange(civ.n)
    rng = np.random.default_rng(0)
    crossings.begin_hour(4, rng, events)
    crossings.walk_and_pass(civ, rng, 4)
    assert crossings.crossed.tolist() == [3], f"expected 3 across, got {crossings.crossed}"
    assert crossings.waited_hours.tolist() == [9], (
        f"expected 3 people x 3 hours waited, got {crossings.waited_hours}"
    )
    passed = np.flatnonzero(civ.state == CivilianState.SCREENING).tolist()
    assert passed == [0, 1, 2], f"expected the three lowest tickets to pass, got {passed}"
    assert crossings.queue_lengths(civ).tolist() == [7], "expected 7 left in the queue"
    crossings.begin_hour(5, rng, events)
    assert crossings.crossed.tolist() == [0] and crossings.waited_hours.tolist() == [0], (
        "expected this hour's counts to start at zero"
    )


def test_walkers_follow_a_new_field_for_the_same_crossing():
    """An hour's walk is looked up by start cell and field: a new field for the same crossing
    (as after a change of control) gives the new field's ends, not the old one's."""
    _, civ, _ = build(GATE)
    geo = strip_map(5, 10)
    inf = np.inf
    east = (
        np.array([inf, 400, 300, 200, 100, 0, inf]),
        np.array([-1, 2, 3, 4, 5, 5, -1], np.int32),
    )
    middle = (
        np.array([inf, 200, 100, 0, 100, 200, inf]),
        np.array([-1, 2, 3, 3, 3, 4, -1], np.int32),
    )
    rng = np.random.default_rng(0)
    # The tiny config walks 100 m an hour: one cell. From cell 3, east leads on to cell 4;
    # the middle field's crossing is at cell 3 itself, so there everyone has arrived. Each
    # field is walked for 5 hours: walkers one by one, then by the table of each cell's end.
    hours = 5
    assert hours > WALK_TABLE_AFTER_HOURS, "expected both ways of walking to be used"
    plan = [(east, 4, 0)] * hours + [(middle, 3, civ.n)] * hours + [(east, 4, 0)] * hours
    for step, ((dist, nxt), end, arrivals) in enumerate(plan):
        civ.set_state(np.arange(civ.n), CivilianState.MOVING)
        civ.target_crossing[:] = 0
        civ.cell[:] = 3
        arrived = civ.move(0, dist, nxt, geo, rng, step)
        assert arrived == arrivals and set(civ.cell.tolist()) == {end}, (
            f"expected all 10 on cell {end} and {arrivals} arrived in hour {step}, "
            f"got {arrived} arrived, cells {civ.cell}"
        )


def test_one_crossings_ways_by_pockets_are_its_distance_fields():
    """With one crossing open, a cell reaches it exactly where its distance field is finite:
    checked on the Ghouta map as random stretches of front fall, until the enclave splits."""
    model = SiegeModel(small_config())
    territory, crossings = model.territory, model.crossings
    rng = np.random.default_rng(2)
    cells = np.arange(model.geo.n_cells)
    pockets_seen = set()
    for _ in range(60):
        front = np.flatnonzero(territory.front())
        territory.capture(rng.choice(front, size=min(40, front.size), replace=False))
        pockets_seen.add(territory.n_pockets)
        for k in range(len(crossings.names)):
            dist, _ = territory.distance_field(crossings._sources[k])
            _, by_field = FieldWays(dist[None, :]).nearest(cells)
            nearest, by_pockets = PocketWays(territory, crossings._sources[k]).nearest(cells)
            assert np.array_equal(by_pockets, by_field), (
                f"crossing {k}: {np.count_nonzero(by_pockets != by_field)} cells differ"
            )
            assert not nearest.any(), "with one crossing the nearest is always the first"
    assert max(pockets_seen) > 1, f"expected the enclave to split, saw {sorted(pockets_seen)}"
