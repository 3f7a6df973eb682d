"""Configuration: bad input gets a clear error, before the run, naming the field.

Three layers refuse bad input, and each is tested through the way users meet it (Hydra
overrides, as on the ``run.py`` command line) and directly (``build`` on a plain dict):

1. Hydra's struct mode and types (``configs/schema.py``): unknown keys, wrongly typed values.
2. ``sim.params.build`` and the dataclasses' ``__post_init__``: unknown/missing keys, ranges,
   cross-references inside the config (pause crossings, override faction keys).
3. ``sim.params.check_names`` (called first thing by ``SiegeModel``) and the geography
   helpers: town, place and faction names that the data tables do not know.

Every ``ConfigError`` message starts with the dotted path of the offending field.
"""

from __future__ import annotations

import dataclasses
import re
import reprlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hydra import compose, initialize_config_dir
from hydra.errors import ConfigCompositionException
from omegaconf import DictConfig

import sim.model
from configs.schema import config_from_hydra, register
from sim.geography import resolve_controllers, town_populations
from sim.model import SiegeModel
from sim.params import ConfigError, FactionParams, SimConfig, build, check_names, to_dict
from sim.tables import load_ghouta

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
SCENARIOS = sorted(p.stem for p in (CONFIG_DIR / "scenario").glob("*.yaml"))

register()


# --------------------------------------------------------------------------- helpers


def compose_raw(*overrides: str) -> DictConfig:
    """The composed Hydra config, as ``python run.py <overrides>`` would see it."""
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return compose(config_name="config", overrides=list(overrides))


def sim_config(*overrides: str) -> SimConfig:
    config, _output = config_from_hydra(compose_raw(*overrides))
    return config


def refused(call: Callable[..., Any], *args: Any) -> str:
    """The message of the ConfigError that ``call(*args)`` must raise."""
    try:
        call(*args)
    except ConfigError as err:
        return str(err)
    shown = ", ".join(reprlib.repr(arg) for arg in args)
    pytest.fail(f"expected {call.__name__}({shown}) to raise ConfigError, but it was accepted")


def refused_by_hydra(*overrides: str) -> ConfigCompositionException:
    try:
        compose_raw(*overrides)
    except ConfigCompositionException as err:
        return err
    pytest.fail(f"expected Hydra to refuse overrides {overrides!r}, but they composed")


def assert_names_field(message: str, field: str) -> None:
    assert message.startswith(f"{field}:"), (
        f"expected the error to start with the field path {field!r}, got {message!r}"
    )


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    """``"timeline.pauses[0].crossings"`` -> ``["timeline", "pauses", 0, "crossings"]``."""
    return [int(index) if index else key for key, index in _PART.findall(path)]


def set_path(tree: Any, path: str, value: Any) -> None:
    *parents, last = _steps(path)
    for step in parents:
        tree = tree[step]
    tree[last] = value


def del_path(tree: Any, path: str) -> None:
    *parents, last = _steps(path)
    for step in parents:
        tree = tree[step]
    del tree[last]


@pytest.fixture(scope="module")
def default_config() -> SimConfig:
    return sim_config()


@pytest.fixture
def raw(default_config: SimConfig) -> dict[str, Any]:
    """A fresh plain-dict copy of the default config, safe to mutate."""
    return to_dict(default_config)


@pytest.fixture(scope="module")
def tables():
    return load_ghouta()


# --------------------------------------------------------------------------- 1. composes


def test_default_config_composes_and_validates(default_config: SimConfig) -> None:
    assert isinstance(default_config, SimConfig), (
        f"expected config_from_hydra to return a SimConfig, got {type(default_config)!r}"
    )
    assert default_config.scenario_name == "ghouta_2018", (
        f"expected the default scenario to be ghouta_2018, got {default_config.scenario_name!r}"
    )
    _config, output = config_from_hydra(compose_raw())
    expected = {
        "progress_bar": True,
        "plots": True,
        "dashboards": True,
        "animation": True,
        "force": False,
    }
    assert output == expected, (
        f"expected the output options to be split off with their defaults, got {output!r}"
    )


def test_scenarios_are_found() -> None:
    assert {"ghouta_2018", "no_pauses", "cohesive_rebels"} <= set(SCENARIOS), (
        f"expected the three scenario files in {CONFIG_DIR / 'scenario'}, found {SCENARIOS}"
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_composes_validates_and_names_known_things(scenario: str, tables) -> None:
    config = sim_config(f"scenario={scenario}")
    assert config.scenario_name == scenario, (
        f"expected scenario={scenario} to set scenario_name {scenario!r}, "
        f"got {config.scenario_name!r}"
    )
    # The name checks and map look-ups SiegeModel does before building, without the map.
    check_names(
        config,
        towns={t.name for t in tables.towns},
        places={p.name for p in tables.places},
        factions=set(tables.factions) - {"Government forces"},
    )
    controllers = resolve_controllers(config, tables)
    assert set(controllers.values()) <= set(config.factions), (
        f"expected every town held by a configured faction key, got {controllers!r}"
    )
    populations = town_populations(config, tables)
    assert len(populations) == len(tables.towns), (
        f"expected a population for each of the {len(tables.towns)} towns, got {populations!r}"
    )


def test_default_is_the_ghouta_2018_scenario(default_config: SimConfig) -> None:
    assert sim_config("scenario=ghouta_2018") == default_config, (
        "expected the default config to equal scenario=ghouta_2018"
    )


def test_no_pauses_has_no_pauses(default_config: SimConfig) -> None:
    config = sim_config("scenario=no_pauses")
    assert config.timeline.pauses == (), (
        f"expected no humanitarian pauses in no_pauses, got {config.timeline.pauses!r}"
    )
    assert default_config.timeline.pauses, (
        "expected the baseline to have pauses, or no_pauses tests nothing"
    )


def test_cohesive_rebels_has_every_faction_at_095(default_config: SimConfig) -> None:
    config = sim_config("scenario=cohesive_rebels")
    cohesion = {key: f.cohesion for key, f in config.factions.items()}
    assert cohesion == dict.fromkeys(default_config.factions, 0.95), (
        f"expected cohesion 0.95 for every faction of the baseline, got {cohesion!r}"
    )
    # Only cohesion changes: the scenario file merges into ghouta_2018.
    for key, faction in config.factions.items():
        base = default_config.factions[key]
        assert faction.name == base.name and faction.fighters == base.fighters, (
            f"expected cohesive_rebels to keep {key}'s name and fighters, got {faction!r}"
        )


# --------------------------------------------------------------------------- 2. Hydra refuses


@pytest.mark.parametrize(
    ("override", "key"),
    [
        pytest.param("foo=1", "foo", id="unknown-top-level-key"),
        pytest.param("grid.cel_size_m=50", "grid.cel_size_m", id="unknown-nested-key-typo"),
        pytest.param("factions.hts.nme=x", "factions.hts.nme", id="unknown-faction-field"),
        pytest.param("grid.cell_size_m=abc", "grid.cell_size_m", id="float-given-text"),
        pytest.param("days=1.5", "days", id="int-given-float"),
        pytest.param("seed=true", "seed", id="int-given-bool"),
        pytest.param("factions.hts.fighters=many", "factions.hts.fighters", id="nested-int"),
    ],
)
def test_hydra_refuses_unknown_keys_and_wrong_types(override: str, key: str) -> None:
    err = refused_by_hydra(override)
    assert key in str(err), f"expected Hydra's error for {override!r} to name {key!r}, got {err}"


def test_hydra_type_error_names_the_full_key() -> None:
    err = refused_by_hydra("grid.cell_size_m=abc")
    cause = str(err.__cause__)
    assert "full_key: grid.cell_size_m" in cause and "Float" in cause, (
        f"expected the cause to say grid.cell_size_m must be a Float, got {cause!r}"
    )


def test_appended_unknown_key_passes_hydra_but_not_build() -> None:
    # '+key=value' lifts Hydra's struct mode, so build() is the backstop.
    cfg = compose_raw("+foo=1")
    assert_names_field(refused(config_from_hydra, cfg), "foo")


# --------------------------------------------------------------------------- 3. validation

# (Hydra override, dotted path in a plain dict, value there, field the error must name)
INVALID_VALUES = [
    pytest.param(
        "grid.cell_size_m=-5", "grid.cell_size_m", -5.0, "grid.cell_size_m", id="cell-size"
    ),
    pytest.param(
        "grid.cell_size_m=nan", "grid.cell_size_m", float("nan"), "grid.cell_size_m", id="nan"
    ),
    pytest.param(
        "population.total_people=-1",
        "population.total_people",
        -1,
        "population.total_people",
        id="total-people",
    ),
    pytest.param("days=0", "days", 0, "days", id="days"),
    pytest.param(
        "factions.hts.fighters=-3",
        "factions.hts.fighters",
        -3,
        "factions.hts.fighters",
        id="fighters",
    ),
    pytest.param(
        "factions.jaish_al_islam.cohesion=1.5",
        "factions.jaish_al_islam.cohesion",
        1.5,
        "factions.jaish_al_islam.cohesion",
        id="cohesion",
    ),
    pytest.param(
        "government.lethality_per_strike=-0.1",
        "government.lethality_per_strike",
        -0.1,
        "government.lethality_per_strike",
        id="lethality",
    ),
    pytest.param(
        "government.regroup_strength_share=1.5",
        "government.regroup_strength_share",
        1.5,
        "government.regroup_strength_share",
        id="regroup-share",
    ),
    pytest.param(
        "government.front_holding_fighters=-1",
        "government.front_holding_fighters",
        -1,
        "government.front_holding_fighters",
        id="ring",
    ),
    pytest.param(
        "government.capture_civilian_lethality=-0.1",
        "government.capture_civilian_lethality",
        -0.1,
        "government.capture_civilian_lethality",
        id="capture-lethality",
    ),
    pytest.param(
        "food.initial_hunger=2",
        "food.initial_hunger",
        2.0,
        "food.initial_hunger",
        id="initial-hunger",
    ),
    pytest.param(
        "timeline.pauses.0.end_day=5",
        "timeline.pauses[0].end_day",
        5,
        "timeline.pauses[0].end_day",
        id="pause-ends-before-start",
    ),
    pytest.param(
        "timeline.pauses.0.crossings=[Nowhere]",
        "timeline.pauses[0].crossings",
        ["Nowhere"],
        "timeline.pauses[0].crossings",
        id="pause-unknown-crossing",
    ),
    pytest.param(
        "town_controller_overrides.Jobar=isis",
        "town_controller_overrides.Jobar",
        "isis",
        "town_controller_overrides.Jobar",
        id="override-unknown-faction-key",
    ),
    pytest.param(
        "relations.0.a=isis", "relations[0].a", "isis", "relations[0].a", id="relation-unknown-key"
    ),
    pytest.param(
        "relations.0.relation=friends",
        "relations[0].relation",
        "friends",
        "relations[0].relation",
        id="relation-unknown-kind",
    ),
    pytest.param(
        "relations.0.b=jaish_al_islam",
        "relations[0].b",
        "jaish_al_islam",
        "relations[0].b",
        id="relation-with-itself",
    ),
    pytest.param(
        "relations.1.b=failaq_al_rahman",
        "relations[1].b",
        "failaq_al_rahman",
        "relations[1]",
        id="relation-listed-twice",
    ),
    pytest.param("bus_fleet.buses=0", "bus_fleet.buses", 0, "bus_fleet.buses", id="no-buses"),
    pytest.param(
        "crossings.0.closure_probability_per_day=2",
        "crossings[0].closure_probability_per_day",
        2.0,
        "crossings[0].closure_probability_per_day",
        id="closure-probability",
    ),
    pytest.param(
        "deals.negotiation_morale_threshold=1.5",
        "deals.negotiation_morale_threshold",
        1.5,
        "deals.negotiation_morale_threshold",
        id="negotiation-threshold",
    ),
    pytest.param(
        "deals.talks_round_days=0",
        "deals.talks_round_days",
        0.0,
        "deals.talks_round_days",
        id="talks-round-length",
    ),
    pytest.param(
        "deals.corridor_close_hour=5",
        "deals.corridor_close_hour",
        5,
        "deals.corridor_close_hour",
        id="corridor-hours",
    ),
    pytest.param(
        "deals.bus_logit=inf", "deals.bus_logit", float("inf"), "deals.bus_logit", id="logit"
    ),
    pytest.param(
        "reception.capacity_scale=0",
        "reception.capacity_scale",
        0.0,
        "reception.capacity_scale",
        id="shelter-capacity-scale",
    ),
    pytest.param(
        "reception.sites.0.capacity=0",
        "reception.sites[0].capacity",
        0,
        "reception.sites[0].capacity",
        id="site-capacity",
    ),
    pytest.param(
        "food.hunger_on_full_rations=1.5",
        "food.hunger_on_full_rations",
        1.5,
        "food.hunger_on_full_rations",
        id="hunger-level",
    ),
    pytest.param(
        "bus_fleet.loading_hours=-1",
        "bus_fleet.loading_hours",
        -1,
        "bus_fleet.loading_hours",
        id="loading-hours",
    ),
    pytest.param(
        "timeline.convoys.0.trucks_not_unloaded=99",
        "timeline.convoys[0].trucks_not_unloaded",
        99,
        "timeline.convoys[0].trucks_not_unloaded",
        id="trucks-not-unloaded",
    ),
    pytest.param(
        "medevac.hour_under_deal=24",
        "medevac.hour_under_deal",
        24,
        "medevac.hour_under_deal",
        id="medevac-hour",
    ),
]


@pytest.mark.parametrize(("override", "path", "value", "field"), INVALID_VALUES)
def test_validation_refuses_via_hydra(override: str, path: str, value: Any, field: str) -> None:
    cfg = compose_raw(override)  # Hydra accepts it: the type is right, the value is not
    assert_names_field(refused(config_from_hydra, cfg), field)


@pytest.mark.parametrize(("override", "path", "value", "field"), INVALID_VALUES)
def test_validation_refuses_via_build(
    raw: dict[str, Any], override: str, path: str, value: Any, field: str
) -> None:
    set_path(raw, path, value)
    assert_names_field(refused(build, SimConfig, raw), field)


def test_unknown_crossing_message_lists_configured_crossings() -> None:
    message = refused(config_from_hydra, compose_raw("timeline.pauses.0.crossings=[Nowhere]"))
    assert "'Nowhere'" in message and "Wafideen" in message, (
        f"expected the error to quote the bad name and list the configured crossings, "
        f"got {message!r}"
    )


# --------------------------------------------------------------------------- 4. names


# (Hydra override, dotted path in a plain dict, value there, field the error must name)
UNKNOWN_NAMES = [
    pytest.param(
        "+town_controller_overrides.Atlantis=hts",
        "town_controller_overrides.Atlantis",
        "hts",
        "town_controller_overrides.Atlantis",
        id="override-unknown-town",
    ),
    pytest.param(
        "factions.hts.name=Nobody",
        "factions.hts.name",
        "Nobody",
        "factions.hts.name",
        id="unknown-faction-name",
    ),
    pytest.param(
        "government.assault_groups.0.start=Nowhere",
        "government.assault_groups[0].start",
        "Nowhere",
        "government.assault_groups[0].start",
        id="unknown-assault-start",
    ),
    pytest.param(
        "government.assault_groups.0.objectives=[Atlantis]",
        "government.assault_groups[0].objectives",
        ["Atlantis"],
        "government.assault_groups[0].objectives",
        id="unknown-assault-objective",
    ),
    pytest.param(
        "timeline.convoys.0.town=Nowhere",
        "timeline.convoys[0].town",
        "Nowhere",
        "timeline.convoys[0].town",
        id="unknown-convoy-town",
    ),
    pytest.param(
        "crossings.0.place=Nowhere",
        "crossings[0].place",
        "Nowhere",
        "crossings[0].place",
        id="unknown-crossing-place",
    ),
    pytest.param(
        "reception.sites.0.place=Nowhere",
        "reception.sites[0].place",
        "Nowhere",
        "reception.sites[0].place",
        id="unknown-site-place",
    ),
    pytest.param(
        "+food.initial_stock_days_by_district.Atlantis=5",
        "food.initial_stock_days_by_district.Atlantis",
        5.0,
        "food.initial_stock_days_by_district.Atlantis",
        id="food-unknown-district",
    ),
    pytest.param(
        "+population.town_population_estimates.Atlantis=5",
        "population.town_population_estimates.Atlantis",
        5,
        "population.town_population_estimates.Atlantis",
        id="estimate-unknown-town",
    ),
]


@pytest.fixture
def no_map(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if SiegeModel gets as far as building the map."""

    def build_ghouta(*_args: Any) -> None:
        pytest.fail("expected the names to be refused before the map is built")

    monkeypatch.setattr(sim.model, "build_ghouta", build_ghouta)


@pytest.mark.usefixtures("no_map")
@pytest.mark.parametrize(("override", "path", "value", "field"), UNKNOWN_NAMES)
def test_unknown_names_refused_before_the_map_via_hydra(
    override: str, path: str, value: Any, field: str
) -> None:
    config = sim_config(override)  # valid in itself: only the data tables can tell
    message = refused(SiegeModel, config)
    assert_names_field(message, field)
    assert "known:" in message, f"expected the error to list the known names, got {message!r}"


@pytest.mark.usefixtures("no_map")
@pytest.mark.parametrize(("override", "path", "value", "field"), UNKNOWN_NAMES)
def test_unknown_names_refused_before_the_map_via_build(
    raw: dict[str, Any], override: str, path: str, value: Any, field: str
) -> None:
    set_path(raw, path, value)
    config = build(SimConfig, raw)
    assert_names_field(refused(SiegeModel, config), field)


def test_town_without_controller_needs_an_override(raw: dict[str, Any], tables) -> None:
    del raw["town_controller_overrides"]["Misraba"]  # towns.csv: "contested (...)"
    config = build(SimConfig, raw)
    assert_names_field(
        refused(resolve_controllers, config, tables), "town_controller_overrides.Misraba"
    )


def test_town_without_census_figure_needs_an_estimate(raw: dict[str, Any], tables) -> None:
    del raw["population"]["town_population_estimates"]["Jobar"]
    config = build(SimConfig, raw)
    assert_names_field(
        refused(town_populations, config, tables), "population.town_population_estimates.Jobar"
    )


# --------------------------------------------------------------------------- 5. build


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        pytest.param("foo", 1, "foo", id="top-level"),
        pytest.param("grid.cel_size_m", 50.0, "grid.cel_size_m", id="nested-typo"),
        pytest.param("factions.hts.nickname", "x", "factions.hts.nickname", id="in-dict-value"),
        pytest.param("crossings[0].nme", "x", "crossings[0].nme", id="in-list-item"),
    ],
)
def test_build_refuses_unknown_keys(raw: dict[str, Any], path: str, value: Any, field: str) -> None:
    set_path(raw, path, value)
    message = refused(build, SimConfig, raw)
    assert message == f"{field}: unknown key", f"expected '{field}: unknown key', got {message!r}"


@pytest.mark.parametrize(
    "path",
    [
        "factions.hts.fighters",
        "factions.hts.name",
        "crossings[0].place",
        "government.assault_groups[1].start",
        "timeline.pauses[0].crossings",
        "timeline.convoys[2].people_fed",
    ],
)
def test_build_refuses_missing_required_keys(raw: dict[str, Any], path: str) -> None:
    del_path(raw, path)
    message = refused(build, SimConfig, raw)
    assert message == f"{path}: missing required key", (
        f"expected '{path}: missing required key', got {message!r}"
    )


def test_build_refuses_a_new_faction_without_fighters(raw: dict[str, Any]) -> None:
    raw["factions"]["x"] = {"name": "X", "cohesion": 0.5}
    message = refused(build, SimConfig, raw)
    assert message == "factions.x.fighters: missing required key", (
        f"expected 'factions.x.fighters: missing required key', got {message!r}"
    )


@pytest.mark.parametrize(
    ("path", "value", "field", "expected"),
    [
        pytest.param("days", "55", "days", "expected an integer", id="int-given-str"),
        pytest.param("seed", True, "seed", "expected an integer", id="int-given-bool"),
        pytest.param("grid.cell_size_m", "100", "grid.cell_size_m", "expected a number", id="f"),
        pytest.param("check_invariants", 1, "check_invariants", "expected true/false", id="b"),
        pytest.param("grid", [], "grid", "expected a mapping", id="section-given-list"),
        pytest.param("crossings", {}, "crossings", "expected a list", id="list-given-mapping"),
        pytest.param("factions.hts.name", 7, "factions.hts.name", "expected a string", id="s"),
    ],
)
def test_build_refuses_wrong_types(
    raw: dict[str, Any], path: str, value: Any, field: str, expected: str
) -> None:
    set_path(raw, path, value)
    message = refused(build, SimConfig, raw)
    assert_names_field(message, field)
    assert expected in message, f"expected {expected!r} in the error, got {message!r}"


def test_build_accepts_ints_for_floats(raw: dict[str, Any]) -> None:
    set_path(raw, "grid.cell_size_m", 50)
    value = build(SimConfig, raw).grid.cell_size_m
    assert value == 50.0 and isinstance(value, float), (
        f"expected the int 50 to become the float 50.0, got {value!r}"
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_build_round_trips(scenario: str) -> None:
    config = sim_config(f"scenario={scenario}")
    rebuilt = build(SimConfig, to_dict(config))
    assert rebuilt == config, f"expected build(SimConfig, to_dict(cfg)) == cfg for {scenario}"
    assert isinstance(rebuilt.factions["hts"], FactionParams), (
        f"expected factions to be rebuilt as FactionParams, got {rebuilt.factions['hts']!r}"
    )
    assert isinstance(rebuilt.crossings, tuple), (
        f"expected lists to come back as tuples, got {type(rebuilt.crossings)!r}"
    )


def test_configs_are_frozen(default_config: SimConfig) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        default_config.days = 1  # type: ignore[misc]
    assert default_config.days == 55, f"expected days to stay 55, got {default_config.days}"


# --------------------------------------------------------------------------- known gaps


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param(
            ("government.shelling_units=[{strikes_per_day:3}]",),
            "government.shelling_units[0].name",
            id="shelling-unit-name",
        ),
        pytest.param(
            ("crossings=[{place:Wafideen crossing}]", "timeline.pauses=[]"),
            "crossings[0].name",
            id="crossing-name",
        ),
    ],
)
def test_missing_required_key_via_hydra_is_refused(overrides: tuple[str, ...], field: str) -> None:
    cfg = compose_raw(*overrides)
    assert_names_field(refused(config_from_hydra, cfg), field)
