"""The teaching app: ``solara run app.py`` (install with ``python -m pip install -e ".[app]"``).

A Mesa SolaraViz page over :class:`app_parts.ClassroomModel`: the map, the curves and the
running totals in real people; in the sidebar, Reset / Play / Step (one step is one hour; a
click on Step plays ``Render Interval`` hours, a day to begin with), the lesson, scenario and
logistics presets (``configs/lesson/``, ``configs/scenario/``, ``configs/logistics/``), the
population scale, the seed and the levers. Choices and levers take effect on Reset. Runs
offline: Solara's front end comes from the ``solara-assets`` package, and everything is drawn
with matplotlib.

``GHOUTA_APP_OVERRIDES`` (Hydra overrides separated by spaces, e.g.
``population.total_people=20000``) is added to every model the app builds; the browser test
uses it for a small, fast siege.
"""

from __future__ import annotations

import logging
import os

import solara
from mesa.visualization import SolaraViz

from app_parts import (
    CONVOY_CHOICES,
    LEVERS,
    NO_LESSON,
    PRESET,
    SCALES,
    ClassroomModel,
    default_config,
    draw_curves,
    draw_map,
    group_options,
    lever_start,
    totals_markdown,
)
from sim.declared import parameter

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO

EXTRA_OVERRIDES = tuple(os.environ.get("GHOUTA_APP_OVERRIDES", "").split())
HOURS_PER_CLICK = 24
"""Hours a click on Step plays (SolaraViz's Render Interval), and between redraws on Play."""


def lever_inputs() -> dict[str, dict]:
    """One slider per lever: its declared bounds and unit, starting at the default value."""
    inputs = {}
    for lever in LEVERS:
        declared = lever.declared()
        inputs[lever.name] = {
            "type": "SliderInt" if declared.integer else "SliderFloat",
            "label": f"{lever.label} ({declared.unit})",
            "value": lever_start(lever),
            "min": int(declared.low) if declared.integer else declared.low,
            "max": int(declared.high) if declared.integer else declared.high,
            "step": int(lever.step) if declared.integer else lever.step,
        }
    return inputs


def model_params() -> dict[str, dict | tuple]:
    """SolaraViz's inputs: the keywords of :class:`ClassroomModel`."""
    factions = list(default_config().factions)
    cohesion = parameter(default_config(), f"factions.{factions[0]}.cohesion")
    return {
        "lesson": {
            "type": "Select",
            "label": "Lesson preset (docs/teaching)",
            "value": NO_LESSON,
            "values": [NO_LESSON, *group_options("lesson")],
        },
        "scenario_preset": {
            "type": "Select",
            "label": "Scenario",
            "value": PRESET,
            "values": [PRESET, *group_options("scenario")],
        },
        "logistics": {
            "type": "Select",
            "label": "Logistics",
            "value": PRESET,
            "values": [PRESET, *group_options("logistics")],
        },
        "people_per_agent": {
            "type": "Select",
            "label": "People per agent (10 classroom, 1 full scale)",
            "value": str(SCALES[0]),
            "values": [str(n) for n in SCALES],
        },
        "seed": {"type": "InputText", "label": "Seed", "value": "0"},
        **lever_inputs(),
        "convoys": {
            "type": "Select",
            "label": "Aid convoys",
            "value": PRESET,
            "values": list(CONVOY_CHOICES),
        },
        "cohesion_faction": {
            "type": "Select",
            "label": "Set the cohesion of",
            "value": PRESET,
            "values": [PRESET, *factions],
        },
        "cohesion": {
            "type": "SliderFloat",
            "label": f"... to ({cohesion.unit})",
            "value": cohesion.value,
            "min": cohesion.low,
            "max": cohesion.high,
            "step": 0.05,
        },
        "extra_overrides": EXTRA_OVERRIDES,
    }


def SiegeMap(model: ClassroomModel):  # noqa: N802 (Solara components are PascalCase)
    return solara.FigureMatplotlib(
        draw_map(model), format="png", dependencies=[id(model), model.steps]
    )


def Curves(model: ClassroomModel):  # noqa: N802
    return solara.FigureMatplotlib(
        draw_curves(model), format="png", dependencies=[id(model), model.steps]
    )


def Numbers(model: ClassroomModel):  # noqa: N802
    return solara.Markdown(totals_markdown(model))


@solara.component
def Page():  # noqa: N802
    """One model per browser session (a new tab starts its own siege)."""
    model = solara.use_memo(lambda: ClassroomModel(extra_overrides=EXTRA_OVERRIDES), [])
    return SolaraViz(
        model,
        components=[SiegeMap, Curves, Numbers],
        model_params=model_params(),
        name="Eastern Ghouta 2018: who gets out, when, at what cost (a model, not a forecast)",
        render_interval=HOURS_PER_CLICK,
        play_interval=10,
    )
