"""The Mesa and columns sides of benchmarks/bench_vs_mesa.py follow the same rule: a small run
agrees under the chi-square test, and the test rejects a planted difference."""

from __future__ import annotations

import numpy as np

from benchmarks.bench_vs_mesa import (
    ColumnsEnclave,
    MesaEnclave,
    Setting,
    make_inputs,
    run_columns,
    run_mesa,
    same_distribution,
)
from sim.civilians import N_STATES, CivilianState
from sim.params import CivilianParams

# Heavier shelling and a likelier departure than the benchmark, so that 12 hours of 2,000
# people give the test something to see.
SMALL = Setting(
    people=2_000,
    hours=12,
    strikes_per_hour=6.0,
    lull_hours=(),
    throughput_per_hour=20,
    civilians=CivilianParams(
        fear_half_life_hours=12.0,
        fear_per_strike_per_km2_in_district=0.1,
        leave_hazard_per_hour=0.05,
    ),
)
SEEDS = (0, 1)


def households_by_state(leave_factor: float | None) -> np.ndarray:
    """Hours x states, summed over SEEDS: the columns (None) or Mesa with ``leave_factor``."""
    total = np.zeros((SMALL.hours, N_STATES), dtype=np.int64)
    for seed in SEEDS:
        inputs = make_inputs(SMALL, seed)
        run = run_columns(inputs) if leave_factor is None else run_mesa(inputs, leave_factor)
        total += run.households_by_state
    return total


def test_mesa_and_columns_agree_and_a_doubled_leave_probability_is_rejected():
    columns = households_by_state(None)
    mesa = households_by_state(1.0)
    planted = households_by_state(2.0)
    left_columns = columns[-1, 2:].sum()
    assert left_columns > 50, f"expected households to set out in 12 hours, got {left_columns}"
    assert (mesa.sum(axis=1) == columns.sum(axis=1)).all(), (
        "expected both sides to count the same households every hour"
    )
    same = same_distribution(mesa, columns)
    assert not same.rejected, f"expected Mesa and columns to agree, got {same}"
    differs = same_distribution(planted, columns)
    assert differs.rejected, f"expected the doubled leave probability to be rejected, got {differs}"


def test_each_side_built_again_draws_the_same_numbers():
    inputs = make_inputs(SMALL, 0)
    first, again = run_columns(inputs), run_columns(inputs)
    assert (first.households_by_state == again.households_by_state).all(), (
        "expected the columns side to repeat itself exactly (repeats are timed, not redrawn)"
    )
    first, again = run_mesa(inputs), run_mesa(inputs)
    assert (first.households_by_state == again.households_by_state).all(), (
        "expected the Mesa side to repeat itself exactly"
    )


def test_given_the_columns_decisions_mesa_walks_queues_and_passes_alike():
    """Lockstep: each hour the columns decide and the Mesa side takes their decisions; then both
    walk, queue and pass on their own. Everything but the decisions and the queue tickets is
    deterministic, so both hold the same numbers of people per state (tickets only choose which
    of the queued pass) and everyone stands on the same cell, every hour."""
    inputs = make_inputs(SMALL, 0)
    mesa, columns = MesaEnclave(inputs), ColumnsEnclave(inputs)
    people = list(mesa.people)  # built in the columns' person order
    n_cols = inputs.geo.n_cols
    settled = (CivilianState.AT_HOME, CivilianState.SHELTERING)
    queued_hours = 0
    for hour in range(SMALL.hours):
        mesa.perceive()
        columns.perceive()
        fear = np.array([p.fear for p in people])
        assert np.allclose(fear, columns.civ.fear, rtol=1e-4, atol=1e-5), (
            f"expected the same fear at hour {hour}"
        )
        columns.decide()
        for person, state in zip(people, columns.civ.state.tolist(), strict=True):
            if person.state in settled:
                person.state = CivilianState(state)
        mesa.walk_and_pass()
        columns.walk_and_pass()
        mesa_states = np.bincount([p.state for p in people], minlength=N_STATES)
        column_states = np.bincount(columns.civ.state, minlength=N_STATES)
        assert (mesa_states == column_states).all(), (
            f"expected the same people per state at hour {hour}: "
            f"Mesa {mesa_states}, columns {column_states}"
        )
        cells = np.array([r * n_cols + c for r, c in (p.cell.coordinate for p in people)])
        assert (cells == columns.civ.cell).all(), f"expected the same cells at hour {hour}"
        queued_hours += int(column_states[CivilianState.QUEUED] > 0)
    assert queued_hours > 0, "expected a queue at the crossing in some hour"
