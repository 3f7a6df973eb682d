"""The Ghouta map built from the towns table."""

from __future__ import annotations

import numpy as np
import pytest

from sim.geography import GOVERNMENT, apportion, build_ghouta, project
from sim.params import ConfigError, SimConfig, build, to_dict
from sim.tables import load_ghouta
from tests.conftest import compose_config


@pytest.fixture(scope="module")
def ghouta():
    config = compose_config()
    return config, build_ghouta(config, load_ghouta())


def test_population_is_exactly_the_configured_total(ghouta):
    config, geo = ghouta
    assert geo.people.sum() == config.population.total_people == 393_000, "expected 393,000"
    assert (geo.people[geo.controller == GOVERNMENT] == 0).all(), "nobody on government cells"


def test_enclave_area_is_near_the_reported_105_km2(ghouta):
    _, geo = ghouta
    area = geo.enclave.sum() * geo.cell_area_km2
    assert 100 <= area <= 112, f"expected an enclave of about 105-110 km2, got {area:.1f}"


def test_every_town_is_its_own_nearest_district(ghouta):
    _, geo = ghouta
    data = load_ghouta()
    for k, town in enumerate(data.towns):
        x, y = geo.town_xy_m[town.name]
        cell = geo.nearest_cell(x, y, np.ones(geo.n_cells, dtype=bool))
        assert geo.district[cell] == k, f"expected {town.name}'s centre in its own district"


def test_douma_is_held_by_jaish_al_islam_and_the_base_by_the_government(ghouta):
    config, geo = ghouta
    douma = geo.nearest_cell(*geo.town_xy_m["Douma"], geo.enclave)
    code = list(config.factions).index("jaish_al_islam") + 1
    assert geo.controller[douma] == code, "expected Douma held by Jaish al-Islam"
    base = geo.place_xy_m["Armoured Vehicles Base (Harasta)"]
    assert geo.controller[geo.nearest_cell(*base, geo.enclave)] == GOVERNMENT, "expected base"


def test_urban_cells_are_denser_than_farmland(ghouta):
    _, geo = ghouta
    held = geo.controller != GOVERNMENT
    urban = geo.people[geo.urban & held].mean()
    farm = geo.people[~geo.urban & held].mean()
    assert urban > 4 * farm, f"expected urban density well above farmland: {urban} vs {farm}"


def test_projection_is_metric():
    # One degree of latitude is about 111.2 km anywhere.
    _, y = project(np.array(34.0), np.array(36.0), 33.0, 36.0)
    assert abs(float(y) - 111_195) < 10, f"expected ~111,195 m per degree, got {float(y):.0f}"


def test_apportion_keeps_the_total_and_the_proportions():
    counts = apportion(10, np.array([1.0, 1.0, 1.0]))
    assert counts.sum() == 10 and sorted(counts.tolist()) == [3, 3, 4], f"got {counts}"


def test_a_town_without_a_census_figure_needs_an_estimate():
    raw = to_dict(compose_config())
    del raw["population"]["town_population_estimates"]["Hamouriyeh"]
    broken = build(SimConfig, raw)
    with pytest.raises(ConfigError, match=r"town_population_estimates\.Hamouriyeh"):
        build_ghouta(broken, load_ghouta())


def test_nearest_within_is_the_nearest_allowed_cell_the_whole_map_mask_gives(ghouta):
    """On the Ghouta grid, at points inside, on and off its edges, ``nearest_within`` (a
    compiled pass over the rows and columns around the point) finds what ``nearest_of`` finds
    among the allowed cells ``cells_within`` marks over the whole map: the same cell, the first
    on a tie, or an error if there is none."""
    _, geo = ghouta
    rng = np.random.default_rng(6)
    allowed = rng.random(geo.n_cells) < 0.3
    xs = np.concatenate([rng.uniform(-13000, 13000, 60), [geo.x_m[0], geo.x_m[-1]]])
    ys = np.concatenate([rng.uniform(-10000, 13000, 60), [geo.y_m[0], geo.y_m[-1]]])
    for x, y in zip(xs, ys, strict=True):
        target = (float(rng.uniform(-13000, 13000)), float(rng.uniform(-10000, 13000)))
        if rng.random() < 0.3:  # a target on a cell centre, where ties are likeliest
            cell = int(rng.integers(geo.n_cells))
            target = (float(geo.x_m[cell]), float(geo.y_m[cell]))
        for radius in (0.0, 50.0, 150.0, 800.0, 2500.0):
            candidates = np.flatnonzero(geo.cells_within(x, y, radius) & allowed)
            if candidates.size == 0:
                with pytest.raises(ValueError, match="no candidate cell"):
                    geo.nearest_within(x, y, radius, allowed, *target)
                continue
            expected = geo.nearest_of(*target, candidates)
            got = geo.nearest_within(x, y, radius, allowed, *target)
            assert got == expected, f"at ({x:.0f}, {y:.0f}) within {radius} m: {got} != {expected}"
