"""Shared helpers: compose configs the way run.py does, and build tiny hand-made maps."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from configs.schema import compose_config
from sim.geography import Geography
from sim.model import SiegeModel
from sim.params import SimConfig, build, to_dict


def holding_faction(
    coercion: float,
    *,
    cells: int = 10,
    initial_cells: int = 10,
    cohesion: float = 1.0,
    morale: float = 1.0,
) -> SimpleNamespace:
    """A stand-in for faction 1 with what :class:`sim.exit_barriers.ExitBarriers` reads: its
    coercion, and its ground, cohesion and morale against a start of ``initial_cells``, 1 and 1."""
    return SimpleNamespace(
        code=1,
        cells=cells,
        initial_cells=initial_cells,
        cohesion=cohesion,
        cohesion_initial=1.0,
        morale=morale,
        morale_initial=1.0,
        civilian_exit_coercion=coercion,
    )


# A reduced Ghouta: same map and mechanisms at the population scale of one agent for 20 people
# (sim/scale.py: people, fighters, throughputs, places divided alike; outputs in real people),
# on 200 m cells, 35 days. Runs in a few seconds, so effects can be averaged over several seeds.
SMALL = (
    "people_per_agent=20",
    "grid.cell_size_m=200",
    "faction_dynamics.min_pocket_cells=6",
    "days=35",
)


def small_config(*overrides: str) -> SimConfig:
    return compose_config(*SMALL, *overrides)


def run_model(config: SimConfig, geography: Geography | None = None) -> SiegeModel:
    """Run to the end, checking every person's accounting every step."""
    model = SiegeModel(config, geography, full_invariant_checks=True)
    model.run()
    return model


def with_changes(config: SimConfig, changes: dict) -> SimConfig:
    """A copy of ``config`` with nested changes, validated again: {"grid": {"cell_size_m": 50}}."""

    def merge(base: dict, new: dict) -> dict:
        out = dict(base)
        for key, value in new.items():
            out[key] = merge(base[key], value) if isinstance(value, dict) and key in base else value
        return out

    return build(SimConfig, merge(to_dict(config), changes))


@pytest.fixture(scope="session")
def small_default_run() -> SiegeModel:
    """One reduced default-scenario run shared by tests that only read it."""
    return run_model(small_config())


def tiny_config(**sections: dict) -> SimConfig:
    """A config for hand-built maps with one faction "a"; every mechanism off unless asked."""
    base = {
        "scenario_name": "tiny",
        "days": 1,
        "population": {"mean_household_size": 1.0},
        "civilians": {
            "initial_fear": 1.0,
            "fear_half_saturation": 1e-12,
            "hunger_weight": 0.0,
            "leave_hazard_per_hour": 0.0,
            "shelter_hazard_per_hour": 0.0,
            "walking_speed_m_per_hour": 100.0,
            "fear_sensitivity_sigma": 0.0,
        },
        "factions": {"a": {"name": "A", "fighters": 10, "cohesion": 0.5}},
        "faction_dynamics": {"min_pocket_cells": 0},
        # no talks: no pocket is that small, and no two pockets can each hold the whole enclave
        "deals": {"talks_max_pocket_share": 0.0, "talks_split_pocket_share": 1.0},
        "timeline": {"bombardment_start_day": 99, "ground_offensive_start_day": 99},
        "government": {"group_losses_per_defender_per_day": 0.0, "capture_civilian_lethality": 0.0},
    }
    merged = {**base}
    for key, value in sections.items():
        merged[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
    return build(SimConfig, merged)


def strip_map(
    n_rebel: int, people_in_first: int, places_rc: dict[str, tuple[int, int]] | None = None
) -> Geography:
    """One row: a government cell, ``n_rebel`` cells of faction "a", a government cell.

    People live in the first rebel cell; the crossing "gate" is at the last government cell,
    100 m beyond the last rebel cell. ``places_rc`` adds named places (row 0, column).
    """
    controller = np.array([[0] + [1] * n_rebel + [0]])
    people = np.zeros_like(controller)
    people[0, 1] = people_in_first
    return Geography.from_grids(
        controller,
        people,
        faction_keys=("a",),
        places_rc={"gate": (0, n_rebel + 1), **(places_rc or {})},
        towns_rc={"home": (0, 1)},
    )
