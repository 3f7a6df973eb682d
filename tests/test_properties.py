"""Property-based tests (hypothesis): generated valid configs on tiny maps conserve
population and run deterministically; generated invalid values are always refused with the
field named, never a traceback. ``max_examples`` keeps each test under about 20 s."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim import outcomes as o
from sim.params import ConfigError, SimConfig, build, to_dict
from tests.conftest import run_model, strip_map, tiny_config

FAST = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow explain
)


@st.composite
def tiny_runs(draw: st.DrawFn) -> tuple[SimConfig, int, int]:
    n_rebel = draw(st.integers(2, 6))
    people = draw(st.integers(0, 40))
    days = draw(st.integers(1, 2))
    config = tiny_config(
        seed=draw(st.integers(0, 2**31 - 1)),
        days=days,
        civilians={
            "leave_hazard_per_hour": draw(st.floats(0.0, 5.0)),
            "walking_speed_m_per_hour": draw(st.floats(50.0, 500.0)),
        },
        crossings=[
            {
                "name": "gate",
                "place": "gate",
                "throughput_per_hour": draw(st.floats(0.0, 10.0)),
                "access_radius_m": 100.0,
                "closure_probability_per_day": draw(st.floats(0.0, 1.0)),
            }
        ],
        government={"lethality_per_strike": draw(st.floats(0.0, 0.5))},
        timeline={
            "bombardment_start_day": draw(st.integers(0, 2)),
            "ground_offensive_start_day": 99,
            "pauses": [{"start_day": 0, "end_day": days, "crossings": ["gate"]}],
        },
    )
    return config, n_rebel, people


def outcome_totals(config: SimConfig, n_rebel: int, people: int) -> pd.DataFrame:
    model = run_model(config, strip_map(n_rebel, people))  # check_invariants: every step
    ts = model.recorder.timeseries()
    counts = model.recorder.recorded("state_counts")
    assert (counts.sum(axis=1) == people).all(), (
        f"expected {people} people in exactly one state every hour, got {counts.sum(axis=1)}"
    )
    return ts


@FAST
@given(tiny_runs())
def test_generated_tiny_runs_conserve_people_and_repeat_exactly(run) -> None:
    config, n_rebel, people = run
    first = outcome_totals(config, n_rebel, people)
    again = outcome_totals(config, n_rebel, people)
    assert first.equals(again), "expected the same seed to give the same time series"
    left = first[o.LEFT_ENCLAVE_CUM.name].iloc[-1]
    assert 0 <= left <= people, f"expected 0..{people} people to have left, got {left}"


NUMBER_FIELDS = {
    # field: a strategy of values its checks must refuse
    "days": st.integers(max_value=0),
    "seed": st.integers(max_value=-1),
    "people_per_agent": st.integers(max_value=0),
    "grid.cell_size_m": st.floats(max_value=0.0) | st.just(math.nan) | st.just(math.inf),
    "population.total_people": st.integers(max_value=0),
    "civilians.fear_half_life_hours": st.floats(max_value=0.0) | st.just(math.nan),
    "civilians.walking_speed_m_per_hour": st.floats(max_value=0.0) | st.just(-math.inf),
    "exits.screening_distrust": st.floats(min_value=1.0, exclude_min=True)
    | st.floats(max_value=-1e-9),
    "food.initial_hunger": st.floats(min_value=1.0, exclude_min=True),
    "government.lethality_per_strike": st.floats(min_value=1.0, exclude_min=True),
    "reception.capacity_scale": st.floats(max_value=0.0),
    "bus_fleet.buses": st.integers(max_value=0),
}
WRONG_TYPE = st.text(max_size=5) | st.booleans() | st.lists(st.integers(), max_size=2)


@st.composite
def bad_values(draw: st.DrawFn) -> tuple[str, object]:
    field = draw(st.sampled_from(sorted(NUMBER_FIELDS)))
    value = draw(NUMBER_FIELDS[field] | WRONG_TYPE)
    return field, value


@settings(max_examples=300, deadline=None)
@given(bad_values())
def test_generated_invalid_values_are_refused_naming_the_field(bad) -> None:
    field, value = bad
    raw = to_dict(tiny_config())
    *sections, name = field.split(".")
    node = raw
    for section in sections:
        node = node[section]
    node[name] = value
    try:
        build(SimConfig, raw)
    except ConfigError as err:
        assert str(err).startswith(f"{field}:"), f"expected the error to name {field}, got {err}"
    else:
        raise AssertionError(f"expected {field}={value!r} to be refused")
