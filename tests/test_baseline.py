"""Regression baselines: the reduced runs must not change unless on purpose
(``tests/refresh_baseline.py``: the default scenario, and one where the logistics limits bind).
"""

from __future__ import annotations

import json

import pytest

from sim import outcomes as o
from sim.model import SiegeModel
from tests.conftest import small_config
from tests.refresh_baseline import DEFAULT, LIMITS_BIND, Baseline, baseline_run, fingerprint

HOW = "if the change is intended, run `python -m tests.refresh_baseline` and commit the files"


@pytest.fixture(scope="session")
def limits_bind_run() -> SiegeModel:
    return baseline_run(LIMITS_BIND)


def assert_matches(baseline: Baseline, model: SiegeModel) -> None:
    expected = json.loads(baseline.path.read_text())
    got = fingerprint(model, baseline)
    assert got["config"] == expected["config"], f"{baseline.path.name}: another config; {HOW}"
    for section in ("daily", "daily_limits"):
        assert sorted(got[section]) == sorted(expected[section]), (
            f"{baseline.path.name}: expected the columns {sorted(expected[section])} in "
            f"{section}, got {sorted(got[section])}; {HOW}"
        )
        for column, series in expected[section].items():
            assert got[section][column] == series, f"{baseline.path.name}: {column} changed; {HOW}"
    assert got["events"] == expected["events"], (
        f"{baseline.path.name}: the event log changed; {HOW}"
    )


def test_small_default_run_matches_the_baseline(small_default_run):
    assert_matches(DEFAULT, small_default_run)


def test_run_where_the_limits_bind_matches_its_baseline(limits_bind_run):
    assert_matches(LIMITS_BIND, limits_bind_run)


def test_the_limits_bind_in_their_baseline():
    """The second baseline must keep pinning a run at its limits, even after a refresh."""
    config = small_config(*LIMITS_BIND.overrides)
    daily = json.loads(LIMITS_BIND.path.read_text())["daily_limits"]
    (crossing,) = config.crossings
    queue = max(daily[o.QUEUE.column(crossing.name)])
    assert queue > crossing.throughput_per_hour, (
        f"expected a queue at {crossing.name} longer than one hour's throughput "
        f"({crossing.throughput_per_hour:g}), got at most {queue}"
    )
    overcrowding = max(v for v in daily[o.OVERCROWDING_ALL_SITES.name] if v is not None)
    assert overcrowding > 1.0, f"expected the sites over their places, got {overcrowding} per place"
    sites = [o.SHELTER.column(site.name) for site in config.reception.sites]
    full = [
        s
        for s, site in zip(sites, config.reception.sites, strict=True)
        if max(daily[s]) > site.capacity * config.reception.capacity_scale
    ]
    assert full == sites, f"expected every site over its scaled capacity, only {full} were"
    seats = config.bus_fleet.buses * config.bus_fleet.seats_per_bus
    waiting = max(daily[o.AWAITING_BUS.name])
    assert waiting > seats, (
        f"expected more waiting for buses than the fleet's {seats} seats: {waiting}"
    )
    hunger = [v for v in daily[o.HUNGER_MEAN_INSIDE.name] if v is not None]
    assert hunger[-1] > hunger[0], f"expected hunger to rise, got {hunger[0]} then {hunger[-1]}"
    food = daily[o.FOOD_STOCK_PERSON_DAYS.name]
    assert food[-1] < food[0] / 10, (
        f"expected the food stock to run down, got {food[0]} -> {food[-1]}"
    )
