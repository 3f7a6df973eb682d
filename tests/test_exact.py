"""Exact tests with values chosen so that plausible wrong formulas give different numbers
(issue 11): reception overflow shared by capacity (4:1, not equally), terrain defence at
capture probabilities below 1 (urban cells against farmland), a two-district tiny map
(district index), the restraint's erosion exponent and compounded strike lethality
(benchmarks/mutation_check.py plants such bugs and counts the ones these tests catch)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from sim import outcomes as o
from sim.exit_barriers import ExitBarriers
from sim.geography import Geography
from sim.government import GovernmentForces
from sim.model import SiegeModel
from sim.params import ExitParams, GovernmentParams
from tests.conftest import holding_faction, run_model, strip_map, tiny_config, with_changes
from tests.test_logistics import reception_config, strip_with_sites


def test_overflow_is_shared_by_capacity_not_equally():
    # As test_screening_then_nearest_site...: 10 people placed at hour 5, near (capacity 4)
    # fills, then far (1); the 5 left over go 4:1 by capacity (equal shares would give 3:2 or
    # 2:3), so near holds 8 and far 2.
    config = reception_config(days=1, screening_hours=2, release_share=0.0)
    sites = [
        {"name": "near", "place": "near", "capacity": 4},
        {"name": "far", "place": "far", "capacity": 1},
    ]
    config = with_changes(config, {"reception": {"sites": sites}})
    ts = run_model(config, strip_with_sites(5, 10)).recorder.timeseries()
    near, far = ts[o.SHELTER.column("near")].iloc[5], ts[o.SHELTER.column("far")].iloc[5]
    assert (near, far) == (8, 2), f"expected 8 at near and 2 at far (4:1), got {(near, far)}"


def test_urban_cells_fall_less_often_than_farmland_by_the_defence_multiplier():
    # 2,000 front cells of faction 1, half urban; no groups, so each cell's attack is the
    # ring's 2,000 holding fighters / 2,000 = 1 at pressure 1; defence 2 per cell, x3 in
    # towns. p(fall) = 1 - exp(-0.8 x 1/2) = 0.330 on farmland, 1 - exp(-0.8 x 1/6) = 0.125
    # in towns (without the multiplier both 0.330; with it on the attack, 0.699 in towns).
    n = 2000
    urban = np.arange(n) % 2 == 0
    params = GovernmentParams(
        front_holding_fighters=n, capture_rate_per_hour=0.8, urban_defence_multiplier=3.0
    )
    forces = SimpleNamespace(
        params=params,
        assault_groups=[],
        territory=SimpleNamespace(
            front=lambda: np.ones(n, dtype=bool), controller=np.ones(n, dtype=np.int8)
        ),
        geo=SimpleNamespace(urban=urban),
    )
    defence = np.full(n, 2.0)
    fallen = GovernmentForces.decide_assault(
        forces, defence, np.ones(n), np.random.default_rng(0)
    ).cells
    fell = np.zeros(n, dtype=bool)
    fell[fallen] = True
    farm, town = fell[~urban].mean(), fell[urban].mean()
    # binomial sd at n=1000: about 0.015 and 0.010; tolerances are 3-4 sd
    assert abs(farm - (1 - np.exp(-0.4))) < 0.05, f"expected ~0.330 of farmland to fall, got {farm}"
    assert abs(town - (1 - np.exp(-0.8 / 6))) < 0.04, (
        f"expected ~0.125 of towns to fall, got {town}"
    )


def two_district_map() -> Geography:
    # One row: government, 2 cells of "west" (3 people in the first), 2 of "east" (7 people
    # in the last), government.
    controller = np.array([[0, 1, 1, 1, 1, 0]])
    people = np.array([[0, 3, 0, 0, 7, 0]])
    district = np.array([[-1, 0, 0, 1, 1, -1]])
    return Geography.from_grids(
        controller,
        people,
        faction_keys=("a",),
        district=district,
        district_names=("west", "east"),
        towns_rc={"west": (0, 1), "east": (0, 4)},
    )


def test_two_district_map_counts_and_feeds_each_district_by_its_index():
    # 3 people in west and 7 in east; 10 days of stock each: 30 and 70 person-days at the
    # start (swapped indices would give 70 and 30; everyone in one district 100 and 0).
    config = tiny_config(food={"initial_stock_days": 10.0}, timeline={"bombardment_start_day": 99})
    model = run_model(config, two_district_map())
    inside = model.civilians.inside_by_district.tolist()
    assert inside == [3, 7], f"expected 3 in west and 7 in east, got {inside}"
    home = model.civilians.home_district
    assert sorted(home.tolist()) == [0] * 3 + [1] * 7, f"expected homes 3 x 0, 7 x 1, got {home}"
    table = model.recorder.districts()
    first = table.groupby(o.DISTRICT.name, sort=False).first()
    remaining = first[o.DISTRICT_REMAINING.name].to_dict()
    assert remaining == {"west": 3, "east": 7}, f"expected 3 and 7 remaining, got {remaining}"
    stock = first[o.DISTRICT_FOOD_STOCK_PERSON_DAYS.name].to_dict()
    assert stock["west"] < stock["east"], f"expected east to hold more food, got {stock}"


def test_a_place_is_named_by_its_most_populous_district():
    # Cells 1-4 of the two-district map: west (3 people in cell 1) and east (7 in cell 4).
    geo = two_district_map()
    named = [
        geo.main_district(np.array(cells)) for cells in ([1, 2, 3, 4], [1, 2, 3], [2, 3, 4], [3])
    ]
    assert named == ["east", "west", "east", "east"], (
        f"expected east (7 > 3), west, east, and east for a cell of nobody in east, got {named}"
    )


def test_restraint_erodes_by_the_exponent_of_the_lost_strength():
    # Strength s = cohesion 0.8/1 x morale 0.5/1 x ground 9/10 cells = 0.36; exponent 2:
    # hold = 1 - 0.64^2 = 0.5904, times coercion 0.5 = 0.2952 (exponent ignored: 0.18;
    # s^2 instead: 0.0648). Government ground (code 0) has none.
    faction = holding_faction(0.5, cells=9, cohesion=0.8, morale=0.5)
    barriers = ExitBarriers(ExitParams(restraint_erosion_exponent=2.0), initial_people=100)
    restraint = barriers.restraint_by_code([faction]).tolist()
    assert restraint == pytest.approx([0.0, 0.2952]), (
        f"expected restraint 0 on government ground and 0.2952 on the faction's, got {restraint}"
    )


def test_strikes_compound_their_lethality():
    # 4,000 people at home, half under 1 strike and half under 2, lethality 0.5 per strike,
    # no shelter: killed with p = 0.5 and 1 - 0.5^2 = 0.75 (summed or squared: 0.5 and 1).
    n = 4000
    model = SiegeModel(tiny_config(), strip_map(1, n))
    strikes = np.where(np.arange(n) % 2 == 0, 1, 2).astype(np.int32)
    killed, survivors = model.civilians.shelling_casualties(
        np.arange(n), strikes, 0.5, 0.0, np.random.default_rng(0), step=0
    )
    dead = np.ones(n, dtype=bool)
    dead[survivors] = False
    one, two = dead[strikes == 1].mean(), dead[strikes == 2].mean()
    assert killed == int(dead.sum()), f"expected {int(dead.sum())} killed, got {killed}"
    # binomial sd at n=2000: about 0.011 and 0.010; tolerances are 4 sd
    assert abs(one - 0.5) < 0.045, f"expected ~0.5 killed under one strike, got {one}"
    assert abs(two - 0.75) < 0.04, f"expected ~0.75 killed under two strikes, got {two}"
