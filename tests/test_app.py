"""The teaching app without a browser: how it builds its model, and the classroom scale.

``app_parts`` needs no Solara: these tests run with the project's own dependencies.
"""

from __future__ import annotations

import importlib.util
import inspect

import pytest

from app_parts import (
    LEVERS,
    PRESET,
    ClassroomModel,
    build_config,
    draw_curves,
    draw_map,
    group_options,
    lever_start,
    totals_markdown,
)
from configs.schema import compose_config
from sim import outcomes as o
from sim.params import ConfigError

SMALL_MAP = ("grid.cell_size_m=200", "faction_dynamics.min_pocket_cells=6")


def test_levers_are_declared_parameters_starting_at_the_default_value():
    default = compose_config()
    for lever in LEVERS:
        declared = lever.declared()
        assert declared.unit, f"expected {lever.name} to have a declared unit"
        assert declared.contains(lever_start(lever)), (
            f"expected {lever.name}'s start {lever_start(lever)} within its declared bounds"
        )
    assert lever_start(LEVERS[0]) == default.crossings[0].throughput_per_hour, (
        "expected the throughput slider to start at the default config's value"
    )


def test_untouched_levers_keep_the_presets_and_the_app_matches_run_py():
    config, overrides = build_config(logistics="restricted", seed=3)
    same = compose_config("logistics=restricted", "people_per_agent=10", "seed=3")
    assert config == same, "expected the app's config to be run.py's with the same overrides"
    assert overrides == ["logistics=restricted", "people_per_agent=10", "seed=3"], (
        f"expected only the chosen presets, scale and seed as overrides, got {overrides}"
    )
    assert config.bus_fleet.buses == 30, "expected the restricted preset's 30 buses kept"


def test_moved_levers_set_every_pause_and_faction_and_lessons_apply():
    config, overrides = build_config(
        lesson="fleet_and_deals",
        levers={"buses": 250, "pause_close_hour": 17, "civilian_exit_coercion": 0.4},
        convoys="denied",
        cohesion_faction="hts",
        cohesion=0.3,
    )
    assert overrides[0] == "+lesson=fleet_and_deals", f"expected the lesson first: {overrides}"
    assert config.bus_fleet.buses == 250, "expected the moved fleet lever to win over the lesson"
    assert all(p.close_hour == 17 for p in config.timeline.pauses), "expected every pause at 17"
    assert {f.civilian_exit_coercion for f in config.factions.values()} == {0.4}, (
        "expected every faction's exit coercion at 0.4"
    )
    assert config.factions["hts"].cohesion == 0.3, "expected HTS's cohesion at 0.3"
    assert config.food.convoys_denied, "expected convoys denied"
    lesson_only, _ = build_config(lesson="fleet_and_deals")
    assert lesson_only.bus_fleet.buses == 30, "expected the lesson's 30 buses when not moved"


def test_every_lesson_composes_and_bad_choices_are_refused_by_name():
    assert len(group_options("lesson")) >= 4, "expected at least four lesson presets"
    for lesson in group_options("lesson"):
        config, _ = build_config(lesson=lesson)
        assert config.people_per_agent == 10, f"expected {lesson} at the classroom scale"
    with pytest.raises(ConfigError, match="buses"):
        build_config(levers={"buses": 5000})
    with pytest.raises(ConfigError, match="cohesion_faction"):
        build_config(cohesion_faction="nobody")
    with pytest.raises(ConfigError, match="convoys"):
        build_config(convoys="sometimes")


def test_the_classroom_model_steps_and_draws_in_real_people():
    model = ClassroomModel(
        seed="2", extra_overrides=("population.total_people=20000", *SMALL_MAP, "days=3")
    )
    assert model.config.people_per_agent == 10, "expected the classroom scale by default"
    assert model.civilians.n == 2000, "expected one agent for 10 of the 20,000 people"
    assert model.config.seed == 2, "expected the seed field's text as the seed"
    for _ in range(30):
        model.step()
    ts = model.timeseries()
    assert len(ts) == 30, f"expected 30 hours recorded, got {len(ts)}"
    people = ts[o.REMAINING.name].iloc[-1] + ts[o.LEFT_ENCLAVE_CUM.name].iloc[-1]
    assert 19_000 <= people <= 20_100, f"expected counts in real people (~20,000), got {people}"
    text = totals_markdown(model)
    assert "1 agent = 10 people" in text and "remaining" in text, "expected scale and totals"
    assert len(draw_map(model).axes) >= 1 and len(draw_curves(model).axes) >= 4, (
        "expected a map and four panels of curves"
    )
    assert PRESET in ClassroomModel.__init__.__defaults__, "expected presets as the defaults"


# Mesa 3.3's SolaraViz trips Solara's rules-of-hooks check on import (its code, not the app's).
@pytest.mark.filterwarnings("ignore:.*`use_state` found despite early return:UserWarning")
def test_the_app_inputs_are_the_model_keywords_and_none_is_mesas_scenario():
    keywords = set(inspect.signature(ClassroomModel.__init__).parameters) - {"self"}
    # Mesa >= 3.5: SolaraViz's Reset passes the model's own Scenario object as ``scenario``.
    assert "scenario" not in keywords, (
        "expected no ClassroomModel keyword named 'scenario' (Mesa 3.5's Reset overwrites it)"
    )
    if importlib.util.find_spec("solara") is None:
        pytest.skip("solara is not installed (python -m pip install -e '.[app]')")
    from app import model_params

    assert set(model_params()) == keywords, (
        f"expected one SolaraViz input per ClassroomModel keyword, got "
        f"{sorted(set(model_params()) ^ keywords)} on one side only"
    )


# The classroom scale against 1:1 is measured at full size in benchmarks/bench_app_scale.py
# (not here: a reduced population keeps full-size factions, so it would compare a different
# siege, and full-size runs take minutes).
