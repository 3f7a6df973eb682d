"""Factions on tiny maps: cohesion as a state, relations, infighting; exact where possible."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim import outcomes as o
from sim.factions import Faction
from sim.geography import Geography
from sim.params import FactionDynamicsParams, FactionParams
from tests.conftest import run_model, tiny_config

TWO_FACTIONS = {
    "a": {"name": "A", "fighters": 100, "cohesion": 0.5, "morale_initial": 0.9},
    "b": {"name": "B", "fighters": 100, "cohesion": 0.5, "morale_initial": 0.9},
}


def two_faction_map() -> Geography:
    """Row 1: cells 1-3 of faction a, 4-6 of b, between government rows and ends.

    Two people live on each rebel cell, so the a|b border cells (3 and 4) hold 4 people.
    """
    controller = np.zeros((3, 8), dtype=int)
    controller[1, 1:4] = 1
    controller[1, 4:7] = 2
    people = np.zeros_like(controller)
    people[1, 1:7] = 2
    return Geography.from_grids(
        controller, people, faction_keys=("a", "b"), towns_rc={"west": (1, 1), "east": (1, 6)}
    )


def clash_config(relation: str, **dynamics: float):
    return tiny_config(
        factions=TWO_FACTIONS,
        relations=[{"a": "a", "b": "b", "relation": relation}],
        faction_dynamics={
            "min_pocket_cells": 0,
            "infighting_rate_per_day": 1e9,  # a clash every hour between hostile neighbours
            "infighting_fighters_killed_mean": 0.0,
            "infighting_civilians_killed_mean": 0.0,
            "infighting_cohesion_loss": 0.1,
            **dynamics,
        },
    )


def test_hostile_neighbours_clash_every_hour_and_lose_cohesion_each_time():
    model = run_model(clash_config("hostile"), two_faction_map())
    ts = model.recorder.timeseries()
    for key in ("a", "b"):
        cohesion = ts[o.COHESION.column(key)].round(6).tolist()[:6]
        assert cohesion == [0.4, 0.3, 0.2, 0.1, 0.0, 0.0], (
            f"expected {key}'s cohesion to drop 0.1 per clash down to 0, got {cohesion}"
        )
    clashes = model.events.kinds().count("infighting")
    assert clashes == 24, f"expected one clash in each of the 24 hours, got {clashes}"


def test_neutral_and_allied_neighbours_never_clash():
    for relation in ("neutral", "allied"):
        model = run_model(clash_config(relation), two_faction_map())
        assert "infighting" not in model.events.kinds(), f"expected no clash when {relation}"
        ts = model.recorder.timeseries()
        assert (ts[o.COHESION.column("a")] == 0.5).all(), (
            f"expected a's cohesion to stay 0.5 ({relation})"
        )


def test_a_clash_kills_civilians_only_on_the_border_cells():
    model = run_model(
        clash_config("hostile", infighting_civilians_killed_mean=1e6), two_faction_map()
    )
    killed = model.recorder.timeseries()[o.KILLED_CUM.name].tolist()
    assert killed[0] == 4, f"expected the 4 people on the two border cells killed, got {killed[0]}"
    assert killed[-1] == 4, f"expected nobody else killed in clashes, got {killed[-1]}"


def test_a_clash_costs_fighters_on_both_sides():
    model = run_model(
        clash_config("hostile", infighting_fighters_killed_mean=5.0), two_faction_map()
    )
    ts = model.recorder.timeseries()
    for key in ("a", "b"):
        assert ts[o.FIGHTERS.column(key)].iloc[-1] < 100, (
            f"expected {key} to lose fighters in clashes"
        )


def test_allied_neighbours_lend_a_share_of_their_front_defence():
    # Every rebel cell is on the front (government rows above and below): a and b each man
    # 3 front cells with 100 fighters at cohesion 0.5, so their own defence is 100/3*0.5.
    own = 100 / 3 * 0.5
    for relation, expected in (("allied", own * 1.5), ("neutral", own), ("hostile", own)):
        config = clash_config(relation, reinforcement_share=0.5, infighting_rate_per_day=0.0)
        model = run_model(config, two_faction_map())
        defence = model.conflict.defence_per_front_cell()
        assert defence[1:] == pytest.approx([expected, expected]), (
            f"expected defence {expected:.2f} per front cell when {relation}, got {defence[1:]}"
        )


def faction(cohesion: float = 0.5, morale: float = 0.8) -> Faction:
    params = FactionParams(name="A", fighters=1000, cohesion=cohesion, morale_initial=morale)
    f = Faction(mesa.Model(rng=np.random.default_rng(0)), "a", 1, params)
    f.initial_cells = 100
    f.initial_residents = 1000.0
    return f


QUIET = FactionDynamicsParams(
    fighters_lost_per_cell_captured=0.0,
    desertion_per_day_at_zero_cohesion=0.0,
    morale_loss_per_percent_territory_lost=0.0,
    isolation_morale_loss_per_day=0.0,
    cohesion_loss_per_percent_territory_lost=0.004,
    isolation_cohesion_loss_per_day=0.24,
    blame_multiplier=1.0,
    cohesion_recovery_per_day=0.24,
)


def test_losing_ground_costs_cohesion_and_blame_doubles_it():
    rng = np.random.default_rng(0)
    alone, blamed = faction(), faction()
    alone.update(10, 100.0, 0.0, blamed=False, under_offensive=True, dynamics=QUIET, rng=rng)
    blamed.update(10, 100.0, 0.0, blamed=True, under_offensive=True, dynamics=QUIET, rng=rng)
    # Ground where 100 of its 1,000 residents lived = 10%: 0.004 x 10 = 0.04, doubled by blame.
    assert alone.cohesion == pytest.approx(0.46), f"expected 0.5 - 0.04, got {alone.cohesion}"
    assert blamed.cohesion == pytest.approx(0.42), f"expected 0.5 - 0.08, got {blamed.cohesion}"


def test_isolation_wears_cohesion_down_and_holding_firm_restores_it_to_the_start():
    rng = np.random.default_rng(0)
    f = faction(cohesion=0.5)
    f.update(0, 0.0, 0.5, blamed=False, under_offensive=False, dynamics=QUIET, rng=rng)
    assert f.cohesion == pytest.approx(0.495), f"expected 0.5 - 0.24/24 x 0.5, got {f.cohesion}"
    for _ in range(5):
        f.update(0, 0.0, 0.0, blamed=False, under_offensive=True, dynamics=QUIET, rng=rng)
    assert f.cohesion == pytest.approx(0.5), f"expected recovery capped at 0.5, got {f.cohesion}"
