"""The ground war on tiny hand-built maps: pressure on the whole front, towns harder to take
than farmland, assault groups that wear down and regroup, towns spared during talks, and
civilians killed when their cell is taken (docs/ODD.md 7.3-7.3c)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import outcomes as o
from sim.factions import FactionStage
from sim.geography import Geography
from sim.model import SiegeModel
from tests.conftest import run_model, tiny_config

SEEDS = (0, 1, 2)
N_COLS = 25
MAIN = range(1, 16)
"""Row 2, columns 1-15: the main patch of faction "a"; every cell of it is on the front."""
POCKET = range(20, 23)
"""Row 2, columns 20-22: a separate farmland pocket, far from the assault group."""


def front_map(urban_cols: range = range(0), people_per_cell: int = 10) -> Geography:
    """Rows 0-4 by 25 columns, government-held but for the main patch and the pocket.

    The assault group's start "west" is the government cell (2, 0): with ``reach_m`` 100 it
    reaches only the main patch's first cell (2, 1).
    """
    controller = np.zeros((5, N_COLS), dtype=int)
    controller[2, list(MAIN) + list(POCKET)] = 1
    people = np.where(controller == 1, people_per_cell, 0)
    urban = np.zeros_like(controller, dtype=bool)
    urban[2, list(urban_cols)] = True
    return Geography.from_grids(
        controller,
        people,
        faction_keys=("a",),
        urban=urban,
        places_rc={"west": (2, 0)},
        towns_rc={"first": (2, 1), "far": (2, 15), "pocket": (2, 21)},
    )


def cell(col: int) -> int:
    return 2 * N_COLS + col


def ground_config(government: dict | None = None, **sections):
    """Faction "a" (20 fighters, cohesion 1); offensive from hour 0, nothing else on; one
    assault group of 1,000 at "west" unless ``government`` says otherwise."""
    settings = {
        "assault_groups": [{"name": "g", "fighters": 1000, "start": "west", "objectives": ["far"]}],
        "reach_m": 100.0,
        "capture_rate_per_hour": 1000.0,
        "front_holding_fighters": 0,
        **(government or {}),
    }
    return tiny_config(
        factions={"a": {"name": "A", "fighters": 20, "cohesion": 1.0}},
        government=settings,
        timeline={"bombardment_start_day": 99, "ground_offensive_start_day": 0},
        **sections,
    )


def fall_counts(model: SiegeModel, draws: int, seed: int) -> np.ndarray:
    """How often each cell falls in ``draws`` hours decided on the model's current state
    (nothing applied)."""
    rng = np.random.default_rng(seed)
    defence = model.conflict.defence_at_cell()
    pressure = model.deals.pressure_at_cell(0, model.factions)
    counts = np.zeros(model.geo.n_cells, dtype=np.int64)
    for _ in range(draws):
        np.add.at(counts, model.government.decide_assault(defence, pressure, rng).cells, 1)
    return counts


def test_front_cells_far_from_every_group_fall_only_under_whole_front_pressure():
    far = [cell(15), *(cell(c) for c in POCKET)]
    groups_only = fall_counts(SiegeModel(ground_config(), front_map()), draws=50, seed=0)
    assert groups_only[cell(1)] == 50, "expected the cell in the group's reach to fall"
    assert groups_only[far].sum() == 0, "expected nothing out of reach to fall without a ring"
    config = ground_config({"front_holding_fighters": 100})
    whole_front = fall_counts(SiegeModel(config, front_map()), draws=50, seed=0)
    assert (whole_front[far] == 50).all(), (
        f"expected the far end and the isolated pocket attacked and falling every time with "
        f"the ring pressing: {whole_front[far]}"
    )


def test_an_isolated_farmland_pocket_out_of_reach_is_taken_in_a_run():
    # The ring alone: 100 fighters over 18 front cells against 20 / 18 defenders per cell.
    ring = {"assault_groups": [], "front_holding_fighters": 100, "capture_rate_per_hour": 0.05}
    for seed in SEEDS:
        model = run_model(ground_config(ring, seed=seed, days=2), front_map())
        held = model.territory.controller[[cell(c) for c in POCKET]]
        assert (held == 0).all(), f"seed {seed}: expected the pocket taken in two days: {held}"
        taken = model.events.table().query("kind == 'town_captured' and place == 'pocket'")
        assert len(taken) == 1, f"seed {seed}: expected the pocket's town captured once"


def test_urban_cells_fall_less_often_than_farmland_under_the_same_attack():
    # The ring alone: 20 fighters over 18 front cells against 20 defenders over 18: ratio 1
    # on farmland, 1/3 in town; capture rate ln 2 gives p = 0.5 on farmland, 0.21 in town.
    ring = {
        "assault_groups": [],
        "front_holding_fighters": 20,
        "capture_rate_per_hour": float(np.log(2.0)),
    }
    model = SiegeModel(ground_config(ring), front_map(urban_cols=range(1, 9)))
    urban = [cell(c) for c in range(1, 9)]
    farmland = [cell(c) for c in range(9, 16)]
    for seed in SEEDS:
        counts = fall_counts(model, draws=400, seed=seed)
        p_urban = counts[urban].mean() / 400
        p_farmland = counts[farmland].mean() / 400
        assert p_urban < p_farmland, (
            f"seed {seed}: expected towns to fall less often: {p_urban} vs {p_farmland}"
        )
        assert abs(p_farmland - 0.5) < 0.05 and abs(p_urban - (1 - 2 ** (-1 / 3))) < 0.05, (
            f"seed {seed}: expected about 0.5 and 0.21: {p_farmland}, {p_urban}"
        )


def regroup_config(losses_per_defender_per_day: float):
    # The group (100) attacks one cell held by 20 / 15 defenders per front cell; at 1,080 a
    # day it loses Poisson(45 x 1.33 = 60) a hour: below 60% of its strength in hour 0.
    return ground_config(
        {
            "assault_groups": [
                {"name": "g", "fighters": 100, "start": "west", "objectives": ["far"]}
            ],
            "capture_rate_per_hour": 0.0,
            "group_losses_per_defender_per_day": losses_per_defender_per_day,
            "regroup_strength_share": 0.6,
            "regroup_days": 1.0,
        },
        days=2,
    )


def test_a_worn_down_group_pauses_takes_nothing_and_resumes_at_full_strength():
    model = SiegeModel(regroup_config(1080.0), front_map())
    government = model.government
    group = government.assault_groups[0]
    model.step()  # hour 0: the group attacks (no capture at rate 0), loses, and stops
    events = model.events.table()
    regroup = events[events["kind"] == "assault_group_regrouping"]
    assert regroup["step"].tolist() == [0], f"expected the group to stop in hour 0: {events}"
    assert group.regrouping and 0 < group.fighters < 60, f"expected a weak group: {group.fighters}"
    # From now on any attack takes its cell at once: while the group regroups there is none.
    government.params = dataclasses.replace(government.params, capture_rate_per_hour=1e6)
    counts = fall_counts(model, draws=20, seed=0)
    assert counts.sum() == 0, f"expected no capture while the group regroups: {counts.sum()}"
    for _ in range(23):
        model.step()  # hours 1-23
    assert model.territory.controller[cell(1)] == 1, "expected no capture during the pause"
    assert group.regrouping, "expected the group still regrouping in hour 23"
    model.step()  # hour 24: reinforced, it attacks again
    events = model.events.table()
    resumed = events[events["kind"] == "assault_group_resumes"]
    assert resumed["step"].tolist() == [24], f"expected the group back in hour 24: {events}"
    detail = resumed["detail"].iloc[0]
    assert "back to 100 fighters" in detail, f"expected full strength again: {detail}"
    assert model.territory.controller[cell(1)] == 0, "expected the cell taken on resuming"


def test_a_group_that_loses_little_never_pauses():
    model = run_model(regroup_config(1.0), front_map())
    group = model.government.assault_groups[0]
    assert 60 <= group.fighters < 100, f"expected small losses: {group.fighters} of 100"
    assert "assault_group_regrouping" not in model.events.kinds(), "expected no pause"


def talks_model() -> SiegeModel:
    """Faction "a" in talks whose ultimatum never comes; a town in columns 1-8."""
    config = ground_config({"front_holding_fighters": 100})
    model = SiegeModel(config, front_map(urban_cols=range(1, 9)))
    faction = model.factions[0]
    faction.stage = FactionStage.TALKING
    faction.ultimatum_step = 10**6
    return model


def test_towns_of_a_faction_in_talks_are_not_stormed():
    model = talks_model()
    urban = [cell(c) for c in range(1, 9)]
    farmland = [cell(c) for c in range(9, 16)]
    for _ in range(12):
        model.step()
    held = model.territory.controller
    assert (held[urban] == 1).all(), f"expected the town untouched during talks: {held[urban]}"
    assert (held[farmland] == 0).any(), "expected farmland still pressed during talks"
    model.factions[0].stage = FactionStage.FIGHTING
    model.step()
    assert (model.territory.controller[urban] == 0).any(), "expected the town attacked after talks"


def deaths_in_capture(lethality: float, seed: int) -> tuple[int, int, int]:
    """(killed in ground fighting, killed, left by capture) after everything is taken in
    hour 0, with 1,000 people on each of 18 cells."""
    government = {"front_holding_fighters": 100, "capture_civilian_lethality": lethality}
    model = run_model(ground_config(government, seed=seed), front_map(people_per_cell=1000))
    ts = model.recorder.timeseries()
    assert ts[o.REBEL_CELLS.name].iloc[0] == 0, "expected every cell taken in hour 0"
    last = ts.iloc[-1]
    return (
        int(last[o.KILLED_IN_GROUND_FIGHTING_CUM.name]),
        int(last[o.KILLED_CUM.name]),
        int(last[o.STAYED_UNDER_GOVERNMENT_CUM.name]),
    )


def test_civilians_die_when_their_cell_is_taken_more_with_higher_lethality():
    for seed in SEEDS:
        none, _, left = deaths_in_capture(0.0, seed)
        assert none == 0 and left == 18_000, f"seed {seed}: expected no deaths: {none}, {left}"
        low, low_all, low_left = deaths_in_capture(0.01, seed)
        high, high_all, high_left = deaths_in_capture(0.05, seed)
        assert 0 < low < high, f"seed {seed}: expected more deaths at 5% than 1%: {low}, {high}"
        assert abs(high - 900) < 120, f"seed {seed}: expected about 5% of 18,000: {high}"
        assert (low_all, high_all) == (low, high), "expected every death from ground fighting"
        assert low + low_left == high + high_left == 18_000, "expected everyone accounted for"


def test_a_group_past_its_plan_makes_for_farmland_before_towns():
    # The first three cells are a town, the rest farmland: with no objective listed, the group
    # at "west" heads for the nearest farmland cell (column 4), not the town next to it.
    geo = front_map(urban_cols=range(1, 4))
    model = SiegeModel(ground_config({"assault_groups": [GROUP_WITHOUT_PLAN]}), geo)
    group = model.government.assault_groups[0]
    rebel = model.territory.rebel()
    assert group.objective_xy(model.town_cell, rebel) == (geo.x_m[cell(4)], geo.y_m[cell(4)]), (
        "expected the nearest farmland cell (column 4) as the objective"
    )
    farmland_gone = rebel & geo.urban
    assert group.objective_xy(model.town_cell, farmland_gone) == (
        geo.x_m[cell(1)],
        geo.y_m[cell(1)],
    ), "expected the nearest town cell once no farmland is left"


GROUP_WITHOUT_PLAN = {"name": "g", "fighters": 1000, "start": "west", "objectives": []}


def test_ground_lost_is_booked_by_the_residents_who_lived_on_it():
    # 10 people per cell of the main patch; the pocket's cells are made empty farmland.
    geo = front_map(people_per_cell=10)
    geo.people[[cell(c) for c in POCKET]] = 0
    model = SiegeModel(ground_config(), geo)
    hand_over = model.hand_over
    hand_over.apply(np.array([cell(c) for c in POCKET]), 0, "capture")
    assert hand_over.cells_lost[1] == 3, "expected the three pocket cells lost"
    assert hand_over.residents_lost[1] == 0, "expected empty farmland to cost no residents"
    hand_over.new_hour()
    hand_over.apply(np.array([cell(1), cell(2)]), 1, "capture")
    assert hand_over.residents_lost[1] == 20, "expected the 2 x 10 residents of the cells lost"
    faction = model.factions[0]
    assert faction.initial_residents == 150, "expected 15 cells x 10 residents at the start"


def town_and_farmland_map() -> Geography:
    """:func:`front_map` with 90 residents on column 1, 10 on column 2 and none elsewhere."""
    geo = front_map(people_per_cell=0)
    people = geo.people.copy()
    people[cell(1)], people[cell(2)] = 90, 10
    return dataclasses.replace(geo, people=people)


def posted_config(share: float, government: dict | None = None):
    """Defence posted by the residents of each cell alone (a 1 m smoothing scale)."""
    dynamics = {"defence_by_residents_share": share, "defence_residents_radius_m": 1.0}
    return ground_config(government, faction_dynamics=dynamics)


def test_defence_is_posted_by_residents_and_sums_to_the_factions_whole_defence():
    # 20 fighters at cohesion 1 over 18 front cells: 20/18 each when spread evenly. The
    # residents (90, 10, then 0 on 16 cells; mean 100/18) give relative weights 16.2, 1.8
    # and 0; with share 0.5 the posting weights are 8.6, 1.4 and 0.5 (summing to 18).
    model = SiegeModel(posted_config(0.5), town_and_farmland_map())
    defence = model.conflict.defence_at_cell()
    even = 20 / 18
    front = [cell(c) for c in (*MAIN, *POCKET)]
    expected = {cell(1): 8.6 * even, cell(2): 1.4 * even, cell(3): 0.5 * even}
    for c, value in expected.items():
        assert defence[c] == pytest.approx(value), f"expected defence {value:.4f} on cell {c}"
    assert defence[front].sum() == pytest.approx(20.0), (
        f"expected the faction's 20 fighters x cohesion 1 in all, got {defence[front].sum()}"
    )
    assert defence.sum() == pytest.approx(defence[front].sum()), "expected 0 off the front"
    even_model = SiegeModel(posted_config(0.0), town_and_farmland_map())
    assert even_model.conflict.defence_at_cell()[front] == pytest.approx([even] * 18), (
        "expected defence spread evenly along the front with share 0"
    )


def test_posting_defence_by_residents_thins_farmland_and_stiffens_towns():
    # The ring alone at ratio 1 everywhere when spread evenly (p = 0.5 per hour). With share
    # 0.8, empty farmland keeps 0.2 of the even defence and falls far more often; the cell
    # with 90 residents gets 0.2 + 0.8 x 16.2 = 13.16 times it and falls far less often.
    ring = {
        "assault_groups": [],
        "front_holding_fighters": 20,
        "capture_rate_per_hour": float(np.log(2.0)),
    }
    farmland = [cell(c) for c in range(3, 16)]
    for seed in SEEDS:
        p = {}
        for share in (0.0, 0.8):
            model = SiegeModel(posted_config(share, ring), town_and_farmland_map())
            counts = fall_counts(model, draws=400, seed=seed)
            p[share] = (counts[farmland].mean() / 400, counts[cell(1)] / 400)
        assert p[0.8][0] > p[0.0][0] + 0.3, (
            f"seed {seed}: expected farmland to fall much more often when defence is posted "
            f"by residents: {p[0.8][0]:.2f} vs {p[0.0][0]:.2f} spread evenly"
        )
        assert p[0.8][1] < p[0.0][1] - 0.3, (
            f"seed {seed}: expected the town cell to fall much less often: "
            f"{p[0.8][1]:.2f} vs {p[0.0][1]:.2f} spread evenly"
        )
