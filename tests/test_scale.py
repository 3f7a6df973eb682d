"""The population scale (sim/scale.py): counts divided by people_per_agent, outputs multiplied
back, rates and the map unchanged."""

from __future__ import annotations

import numpy as np
import pytest

from configs.schema import compose_config
from sim import outcomes as o
from sim.civilians import _households, expected_households
from sim.model import SiegeModel
from sim.params import ConfigError
from sim.scale import at_agent_scale, per_agent
from tests.conftest import run_model, small_config, strip_map, tiny_config


def test_counts_are_divided_and_rates_are_not():
    full = compose_config()
    scaled = at_agent_scale(compose_config("people_per_agent=20"))
    assert scaled.population.total_people == 19_650, "expected 393,000 / 20 people"
    assert scaled.factions["jaish_al_islam"].fighters == 500, "expected 10,000 / 20 fighters"
    assert scaled.government.assault_groups[0].fighters == 300, "expected 6,000 / 20 troops"
    assert scaled.crossings[0].throughput_per_hour == 40.0, "expected 800 / 20 an hour"
    assert scaled.bus_fleet.buses == 5, "expected 100 / 20 buses"
    assert scaled.deals.first_convoy_buses == 2, "expected a first convoy of 30 / 20 buses, rounded"
    assert scaled.bus_fleet.seats_per_bus == full.bus_fleet.seats_per_bus, "seats per bus stay"
    assert [s.capacity for s in scaled.reception.sites] == [400, 200, 75, 150, 200, 168, 100], (
        "expected each site's places / 20, rounded"
    )
    assert scaled.exits.walkout_throughput_per_hour_per_km == (
        full.exits.walkout_throughput_per_hour_per_km / 20
    ), "expected the front's throughput / 20"
    assert scaled.medevac.patients_per_day_under_deal == (
        full.medevac.patients_per_day_under_deal / 20
    ), "expected the patients evacuated a day under a deal / 20"
    assert scaled.government.lethality_per_strike == full.government.lethality_per_strike, (
        "expected a per-person probability to stay"
    )
    assert scaled.grid == full.grid, "expected the map unchanged"
    assert at_agent_scale(full) is full, "expected full scale to be the config itself"


def test_a_positive_count_keeps_at_least_one_agent():
    assert per_agent(3, 20) == 1, "expected 3 people at 1:20 to be one agent, not none"
    assert per_agent(0, 20) == 0, "expected nothing to stay nothing"
    assert per_agent(30, 20) == 2, "expected 1.5 to round half to even: 2"


def test_people_per_agent_must_be_a_whole_number_of_at_least_one():
    with pytest.raises(ConfigError, match="people_per_agent"):
        compose_config("people_per_agent=0")


def test_outputs_count_real_people():
    # 10 agents standing for 10 people each, on the gate's entry cell, crossing 3.5 agents (35
    # real people) an hour from hour 0: the tables say 100 people, and 3, 4, 3 agents across
    # (30, 70, 100 people cumulated).
    gate = {"name": "gate", "place": "gate", "throughput_per_hour": 35.0, "access_radius_m": 100.0}
    config = tiny_config(
        people_per_agent=10,
        civilians={"leave_hazard_per_hour": 1000.0},
        crossings=[gate],
        timeline={
            "bombardment_start_day": 99,
            "ground_offensive_start_day": 99,
            "pauses": [
                {
                    "start_day": 0,
                    "end_day": 1,
                    "open_hour": 0,
                    "close_hour": 24,
                    "crossings": ["gate"],
                }
            ],
        },
    )
    model = run_model(config, strip_map(1, 10))
    ts = model.recorder.timeseries()
    crossed = ts[o.LEFT_VIA_CROSSING_CUM.name].tolist()[:4]
    assert ts[o.REMAINING.name].iloc[0] + crossed[0] == 100, "expected 100 people in all"
    assert crossed == [30, 70, 100, 100], f"expected 3.5 agents an hour carried over: {crossed}"


def test_expected_households_counts_the_households_drawn():
    rng = np.random.default_rng(0)
    for low, high in ((1, 4), (1, 40), (50, 500)):  # a population scale's cells, full scale's
        people = rng.integers(low, high, size=3000)
        drawn = int(_households(people, 5.2, rng)[-1]) + 1
        expected = expected_households(people, 5.2)
        assert abs(drawn / expected - 1) < 0.02, (
            f"expected {expected:.0f} households on cells of {low}-{high} people, drew {drawn}"
        )


def test_fighters_families_hold_the_same_share_of_people_at_any_scale():
    # Households never span cells, so at 1:10 or 1:20 (few agents a cell) they are smaller in
    # agents; drawn as a count of households, the families held about a fifth (1:10) to a
    # third (1:20) fewer people than at full scale, and fewer chose the buses under deals.
    def family_share(people_per_agent: int) -> np.ndarray:
        civ = SiegeModel(small_config(f"people_per_agent={people_per_agent}")).civilians
        return np.bincount(civ.affiliation, minlength=5)[1:] / civ.n

    full = family_share(1)
    for scale in (10, 20):
        scaled = family_share(scale)
        assert abs(scaled.sum() / full.sum() - 1) < 0.03, (
            f"expected fighters' families to be {full.sum():.3f} of the people at 1:{scale} "
            f"as at 1:1, got {scaled.sum():.3f}"
        )
        big = slice(0, 2)  # Jaish al-Islam and Failaq al-Rahman: thousands of fighters
        assert np.allclose(scaled[big], full[big], rtol=0.05), (
            f"expected each large faction's families to keep their share at 1:{scale}: "
            f"{scaled[big].round(4)} vs {full[big].round(4)} at 1:1"
        )
