"""Declared parameters: unit, plausible bounds and meaning next to each main field of
``sim/params/``, walked by ``sim.declared`` and listed by ``python run.py --help``."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from omegaconf import OmegaConf

import sim.params
from configs.schema import compose_config
from sim.declared import (
    Parameter,
    UndeclaredKeyError,
    parameter,
    parameters,
    value_at,
    with_value,
)
from sim.params import DECLARATION, ConfigError, SimConfig, to_dict

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "configs"


def declared_fields() -> list[tuple[str, dataclasses.Field]]:
    """(Class.field, field) of every declared field of every class in sim/params/."""
    found = []
    for _, cls in inspect.getmembers(sim.params, dataclasses.is_dataclass):
        if cls.__module__.startswith(f"{sim.params.__name__}."):
            found += [
                (f"{cls.__name__}.{f.name}", f)
                for f in dataclasses.fields(cls)
                if DECLARATION in f.metadata
            ]
    return found


@pytest.fixture(scope="module")
def default_config() -> SimConfig:
    return compose_config()


def test_every_declaration_has_a_unit_a_meaning_and_low_below_high():
    found = declared_fields()
    assert len(found) >= 35, f"expected at least 35 declared parameters, got {len(found)}"
    for name, f in found:
        d = f.metadata[DECLARATION]
        assert d.unit.strip() and d.meaning.strip(), f"expected {name} to have unit and meaning"
        assert d.low < d.high, f"expected low < high for {name}, got [{d.low}, {d.high}]"


def test_declared_fields_are_numbers_and_their_own_defaults_are_within_bounds():
    for name, f in declared_fields():
        cls = getattr(sim.params, name.split(".")[0])
        annotation = typing.get_type_hints(cls)[f.name]
        assert annotation in (int, float), f"expected {name} to be int or float, not {annotation}"
        d = f.metadata[DECLARATION]
        if f.default is not dataclasses.MISSING:
            assert d.low <= f.default <= d.high, (
                f"expected {name}'s default {f.default} within [{d.low}, {d.high}]"
            )


def test_the_default_scenario_lies_within_the_declared_bounds(default_config):
    found = list(parameters(default_config))
    outside = [(p.key, p.value, p.low, p.high) for p in found if not p.contains(p.value)]
    assert not outside, f"expected every default within its bounds, outside: {outside}"
    keys = {p.key for p in found}
    for key in (
        "crossings.0.throughput_per_hour",
        "factions.jaish_al_islam.cohesion",
        "factions.hts.civilian_exit_coercion",
        "timeline.pauses.0.close_hour",
        "bus_fleet.buses",
    ):
        assert key in keys, f"expected {key} among the declared parameters"
    assert parameter(default_config, "bus_fleet.buses").integer, "expected buses to be integers"
    assert not parameter(default_config, "deals.fear_logit").integer, "expected a float"


@pytest.mark.parametrize(
    "override",
    [
        *(f"scenario={p.stem}" for p in sorted((CONFIG_DIR / "scenario").glob("*.yaml"))),
        *(f"logistics={p.stem}" for p in sorted((CONFIG_DIR / "logistics").glob("*.yaml"))),
    ],
)
def test_every_scenario_and_logistics_preset_lies_within_the_bounds(override):
    found = parameters(compose_config(override))
    outside = [(p.key, p.value, p.low, p.high) for p in found if not p.contains(p.value)]
    assert not outside, f"expected {override} within the declared bounds, outside: {outside}"


def test_keys_are_config_keys_hydra_and_omegaconf_understand(default_config):
    from tests.test_config import compose_raw

    raw = compose_raw()
    for p in parameters(default_config):
        assert value_at(default_config, p.key) == p.value, f"expected value_at({p.key})"
        assert OmegaConf.select(raw, p.key) == p.value, f"expected OmegaConf to find {p.key}"
    config = compose_config("crossings.0.throughput_per_hour=1234")
    assert parameter(config, "crossings.0.throughput_per_hour").value == 1234, "override"


def test_unknown_and_undeclared_keys_are_refused_by_name(default_config):
    with pytest.raises(ConfigError, match=r"^factions.hts.cohesoin: not a config key; did you "):
        parameter(default_config, "factions.hts.cohesoin")
    with pytest.raises(UndeclaredKeyError, match=r"^days: has no declared unit and bounds"):
        parameter(default_config, "days")
    with pytest.raises(ConfigError, match=r"^crossings.7: not a config key"):
        value_at(default_config, "crossings.7.throughput_per_hour")


def test_with_value_sets_one_key_and_validates_it(default_config):
    changed = with_value(default_config, "factions.hts.cohesion", 0.25)
    assert changed.factions["hts"].cohesion == 0.25, "expected the new cohesion"
    assert default_config.factions["hts"].cohesion == 0.9, "expected the original unchanged"
    rest = to_dict(changed)
    rest["factions"]["hts"]["cohesion"] = 0.9
    assert rest == to_dict(default_config), "expected nothing else changed"
    changed = with_value(default_config, "crossings.0.throughput_per_hour", 1600)
    assert changed.crossings[0].throughput_per_hour == 1600, "expected the list item set"
    with pytest.raises(ConfigError, match=r"^factions.hts.cohesion: must be a probability"):
        with_value(default_config, "factions.hts.cohesion", 1.5)
    with pytest.raises(ConfigError, match=r"^bus_fleet.buses: expected an integer"):
        with_value(default_config, "bus_fleet.buses", 10.5)
    with pytest.raises(ConfigError, match=r"^bus_fleet.bsues: not a config key"):
        with_value(default_config, "bus_fleet.bsues", 10)


def test_narrowed_bounds_must_lie_within_the_declared_range():
    p = Parameter("bus_fleet.buses", 10, 500, integer=True, unit="buses", meaning="m")
    assert (p.narrowed(20, 400).low, p.narrowed(20, 400).high) == (20, 400), "narrowed"
    assert p.narrowed(high=50).low == 10, "expected the declared low kept"
    with pytest.raises(ConfigError, match=r"^bus_fleet.buses: bounds \[5, 400\] go outside"):
        p.narrowed(5, 400)
    with pytest.raises(ConfigError, match=r"^bus_fleet.buses: bounds must be finite"):
        p.narrowed(400, 20)


def test_declarations_leave_the_config_and_its_schema_unchanged(default_config):
    from configs.schema import mirror

    crossing = OmegaConf.structured(mirror(sim.params.CrossingParams))
    assert crossing.throughput_per_hour == 800, "expected the schema mirror's default"
    faction = OmegaConf.structured(mirror(sim.params.FactionParams))
    assert OmegaConf.is_missing(faction, "cohesion"), "expected a required field to stay required"
    assert "Declaration" not in str(to_dict(default_config)), "expected no metadata in to_dict"


def test_run_help_lists_the_parameters_with_unit_value_and_meaning(default_config):
    result = subprocess.run(
        [sys.executable, "run.py", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    text = result.stdout
    assert "crossings.0.throughput_per_hour = 800.0\n" in text, f"expected the crossing: {text}"
    about = text.split("crossings.0.throughput_per_hour = 800.0\n")[1].split("\n  ")[0]
    about = " ".join(about.split())  # the help wraps its lines
    assert "people/hour; plausible 100 to 2000. People the crossing screens" in about, (
        f"expected unit, bounds and meaning after the crossing's throughput, got {about!r}"
    )
    for p in parameters(default_config):
        assert f"  {p.key} = {p.value}\n" in text, f"expected {p.key} in the help"
    assert "logistics: generous, hamouriyeh_corridor" in text, "expected the config groups"
    assert "--cfg job" in text, "expected the pointer to the whole config"
    assert "town_population_estimates" not in text, "expected no dump of the whole config"
    assert "Powered by Hydra" not in text, "expected the project's help, not Hydra's stock one"
