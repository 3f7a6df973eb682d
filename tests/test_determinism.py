"""Reproducibility and conservation."""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest

from sim import outcomes as o
from sim.civilians import LAST_ENCLAVE_STATE, CivilianState, ExitRoute
from sim.invariants import InvariantError, full_check_due
from sim.model import SiegeModel
from sim.outputs import write_run
from sim.rng import make_streams
from tests.conftest import run_model, small_config

TABLES = ("timeseries.csv", "districts.csv", "events.csv", "summary.json", "config.yaml")


def test_same_seed_gives_bit_identical_outputs(tmp_path):
    for name in ("a", "b"):
        write_run(run_model(small_config("seed=7")), tmp_path / name, plots=False)
    for table in TABLES:
        assert filecmp.cmp(tmp_path / "a" / table, tmp_path / "b" / table, shallow=False), (
            f"expected {table} byte-identical for the same seed"
        )


def test_another_seed_gives_another_run(small_default_run):
    other = run_model(small_config("seed=1")).recorder.timeseries()
    base = small_default_run.recorder.timeseries()
    assert not base[o.KILLED_CUM.name].equals(other[o.KILLED_CUM.name]), (
        "expected seeds 0 and 1 to differ"
    )


def test_streams_are_independent_children_of_one_seed():
    a, b = make_streams(3), make_streams(3)
    assert a.shelling.random() == b.shelling.random(), "expected the same seed to repeat draws"
    c = make_streams(3)
    assert c.shelling.random() != c.civilians.random(), "expected distinct streams per mechanism"


def test_every_person_is_in_exactly_one_state_at_every_step(small_default_run):
    counts = small_default_run.recorder.recorded("state_counts")
    agents = small_default_run.civilians.n
    sums = counts.sum(axis=1)
    assert (sums == agents).all(), f"expected {agents} agents every step; got {set(sums.tolist())}"
    n = agents * small_default_run.config.people_per_agent  # the tables count real people
    ts = small_default_run.recorder.timeseries()
    inside = ts[[s.name for s in o.STATES[: LAST_ENCLAVE_STATE + 1]]].sum(axis=1)
    civilians_left = ts[o.LEFT_ENCLAVE_CUM.name] - ts[o.BUSSED_NORTH_FIGHTERS_CUM.name]
    outside = civilians_left + ts[o.STAYED_UNDER_GOVERNMENT_CUM.name] + ts[o.KILLED_CUM.name]
    assert ((inside + outside) == n).all(), (
        "expected inside + left (civilians) + stayed + killed == everyone"
    )
    assert (ts[o.REMAINING.name] == inside).all(), "expected remaining to count those inside"


def test_counts_never_decrease_for_absorbing_states(small_default_run):
    ts = small_default_run.recorder.timeseries()
    for column in (
        o.KILLED_CUM.name,
        o.LEFT_VIA_CROSSING_CUM.name,
        o.STAYED_UNDER_GOVERNMENT_CUM.name,
        o.LEFT_VIA_DEAL_CORRIDOR_CUM.name,
        o.BUSSED_NORTH_CUM.name,
        o.BUSSED_NORTH_FIGHTERS_CUM.name,
    ):
        steps = np.diff(ts[column].to_numpy())
        assert (steps >= 0).all(), f"expected {column} never to decrease"


def after_one_hour() -> SiegeModel:
    """A reduced default model after its first step, for corrupting on purpose."""
    model = SiegeModel(small_config("days=1"))
    model.step()
    return model


def test_invariant_check_catches_a_person_in_no_state():
    model = after_one_hour()
    model.civilians.state[0] = len(CivilianState)  # a state that does not exist
    with pytest.raises(InvariantError, match="do not sum"):
        model.check_invariants(model.civilians.state_by_route())


def test_invariant_check_catches_someone_inside_on_government_land():
    model = after_one_hour()
    inside = np.flatnonzero(model.civilians.state == CivilianState.AT_HOME)[0]
    model.territory.controller[model.civilians.cell[inside]] = 0
    with pytest.raises(InvariantError, match="government-held"):
        model.check_invariants(model.civilians.state_by_route())


def test_invariant_check_catches_a_route_that_does_not_exist():
    model = after_one_hour()
    model.civilians.exit_route[0] = len(ExitRoute)  # a route that does not exist
    with pytest.raises(InvariantError, match="do not sum"):
        model.check_invariants(model.civilians.state_by_route())


def test_invariant_check_catches_a_route_that_does_not_fit_the_state():
    model = after_one_hour()
    inside = np.flatnonzero(model.civilians.state == CivilianState.AT_HOME)[0]
    model.civilians.exit_route[inside] = ExitRoute.BUS  # at home, yet bussed north
    with pytest.raises(InvariantError, match="AT_HOME with route BUS"):
        model.check_invariants(model.civilians.state_by_route())


def test_invariant_check_catches_a_sheltered_person_without_a_site():
    model = after_one_hour()
    someone = np.flatnonzero(model.civilians.state == CivilianState.AT_HOME)[0]
    model.civilians.state[someone] = CivilianState.IN_COLLECTIVE_SHELTER
    model.civilians.exit_route[someone] = ExitRoute.CROSSING
    with pytest.raises(InvariantError, match="reception sites"):
        model.check_invariants(model.civilians.state_by_route())


def test_invariant_check_catches_someone_waiting_for_a_corridor_outside_any_deal():
    model = after_one_hour()
    someone = np.flatnonzero(model.civilians.state == CivilianState.AT_HOME)[0]
    model.civilians.state[someone] = CivilianState.AWAITING_CORRIDOR
    with pytest.raises(InvariantError, match="AWAITING_CORRIDOR outside any open deal"):
        model.check_invariants(model.civilians.state_by_route())


def test_invariant_check_catches_a_household_count_gone_stale():
    model = after_one_hour()
    someone = np.flatnonzero(model.civilians.state == CivilianState.AT_HOME)[0]
    model.civilians.at_home_in_household[model.civilians.household[someone]] += 1
    with pytest.raises(InvariantError, match="AT_HOME counted per household"):
        model.check_invariants(model.civilians.state_by_route())


def test_invariant_check_catches_fear_beyond_its_household_bounds():
    model = after_one_hour()
    civ = model.civilians
    someone = 0
    civ.fear[someone] = civ.fear_upper[civ.household[someone]] * 1.01 + 1.0
    with pytest.raises(InvariantError, match="fear lies outside the bounds"):
        model.check_invariants(model.civilians.state_by_route())


def test_dates_start_on_18_february_2018_hourly(small_default_run):
    dates = small_default_run.recorder.timeseries()[o.DATE.name]
    assert dates.iloc[0] == pd.Timestamp("2018-02-18 00:00"), "expected day 0 = 18 Feb 2018"
    assert dates.iloc[25] == pd.Timestamp("2018-02-19 01:00"), "expected one step per hour"


def test_full_check_is_due_every_seventh_day_and_at_the_last_step():
    n_steps = 10 * 24
    due = [t for t in range(n_steps) if full_check_due(t, n_steps)]
    assert due == [7 * 24 - 1, n_steps - 1], (
        f"expected days 7's and the run's last steps, got {due}"
    )
    assert full_check_due(4, 5), "expected a check at the last step of a run shorter than a day"
