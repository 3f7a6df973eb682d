"""The teaching app's model and drawings (``app.py`` alone imports this; it never imports Solara).

:class:`ClassroomModel` is a :class:`sim.model.SiegeModel` built from the same Hydra configs
as ``python run.py`` (:func:`configs.schema.compose_config`): a lesson preset
(``configs/lesson/``), a scenario and logistics preset, the population scale
(``people_per_agent``), a seed, and the levers. A lever is a declared parameter
(:mod:`sim.declared`: unit, bounds, meaning) with a slider; a lever left at its starting
position (the default config's value) keeps the preset's value, a lever moved sets it.
:func:`draw_map`, :func:`draw_curves` and :func:`totals_markdown` show a model as it runs, in
real people (the recorder multiplies every count back by ``people_per_agent``).
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from configs.schema import CONFIG_DIR, compose_config
from sim import outcomes as o
from sim.declared import Parameter, parameter, value_at
from sim.maps import CROSSING_COLOUR, GOVERNMENT_RGB, OUTSIDE_RGB, Renderer, faction_colour
from sim.model import SiegeModel
from sim.params import ConfigError, SimConfig
from sim.territory_record import TerritoryRecord

CLASSROOM_PEOPLE_PER_AGENT = 10
"""The classroom scale: one simulated person for 10 real ones (a 55-day campaign in about a
minute on a 2-core laptop)."""
SCALES = (CLASSROOM_PEOPLE_PER_AGENT, 20, 1)
"""People per agent offered by the app: classroom, quick, full scale."""
PRESET = "preset"
"""Chooser value meaning: keep what the lesson (or the default config) sets."""
NO_LESSON = "none"


def group_options(group: str) -> tuple[str, ...]:
    """The presets of a Hydra config group (``configs/<group>/*.yaml``), sorted."""
    return tuple(sorted(p.stem for p in (Path(CONFIG_DIR) / group).glob("*.yaml")))


@dataclass(frozen=True)
class Lever:
    """A slider of the app over one declared parameter.

    ``keys`` are the config keys it sets (several for one lever applied to every pause or
    every faction); ``key`` (the first) gives its unit, bounds and starting value.
    """

    name: str
    """The keyword of :class:`ClassroomModel` (snake_case, with its unit)."""
    label: str
    keys: tuple[str, ...]
    step: float

    def declared(self) -> Parameter:
        """The declared parameter (bounds, unit, meaning) and its value in the default config
        (for ``*``: the first pause's, the first faction's)."""
        return parameter(default_config(), _expand(self.keys[0], default_config())[0])


LEVERS = (
    Lever(
        "crossing_throughput_per_hour",
        "Crossing throughput",
        ("crossings.0.throughput_per_hour",),
        50,
    ),
    Lever("pause_open_hour", "Pause opens", ("timeline.pauses.*.open_hour",), 1),
    Lever("pause_close_hour", "Pause closes", ("timeline.pauses.*.close_hour",), 1),
    Lever("buses", "Bus fleet", ("bus_fleet.buses",), 10),
    Lever("shelter_capacity_scale", "Shelter places x", ("reception.capacity_scale",), 0.25),
    Lever(
        "civilian_exit_coercion",
        "Exit coercion, all factions",
        ("factions.*.civilian_exit_coercion",),
        0.05,
    ),
)
"""The sliders. ``*`` stands for every item of the preset (every pause, every faction)."""

COHESION_KEY = "factions.{faction}.cohesion"
CONVOYS_KEY = "food.convoys_denied"
CONVOY_CHOICES = (PRESET, "let in", "denied")


@cache
def default_config() -> SimConfig:
    """The default config (``python run.py`` with no override): the levers' starting values."""
    return compose_config()


def lever_start(lever: Lever) -> float:
    """The slider's starting position: the default config's value (a plain ``int``/``float``)."""
    value = lever.declared().value
    if value is None:
        raise ConfigError(f"{lever.keys[0]}: has no value in the default config")
    return int(value) if lever.declared().integer else float(value)


def _expand(key: str, config: SimConfig) -> list[str]:
    """``key`` with ``*`` replaced by every pause index or faction key of ``config``."""
    if "*" not in key:
        return [key]
    head, tail = key.split(".*.")
    if head == "timeline.pauses":
        return [f"{head}.{i}.{tail}" for i in range(len(config.timeline.pauses))]
    if head == "factions":
        return [f"{head}.{k}.{tail}" for k in config.factions]
    raise ValueError(f"{key}: no rule to expand '*' under {head}")


def preset_overrides(
    lesson: str, scenario: str, logistics: str, people_per_agent: int, seed: int
) -> list[str]:
    """Hydra overrides choosing the presets, the scale and the seed (as on run.py's line)."""
    overrides = [] if lesson == NO_LESSON else [f"+lesson={lesson}"]
    if scenario != PRESET:
        overrides.append(f"scenario={scenario}")
    if logistics != PRESET:
        overrides.append(f"logistics={logistics}")
    return [*overrides, f"people_per_agent={int(people_per_agent)}", f"seed={int(seed)}"]


def lever_overrides(
    preset: SimConfig,
    values: dict[str, float],
    convoys: str = PRESET,
    cohesion_faction: str = PRESET,
    cohesion: float = 0.5,
) -> list[str]:
    """Hydra overrides for the levers moved from their starting position (others: the preset's).

    ``values`` maps each :data:`LEVERS` name to its slider value; ``convoys`` is one of
    :data:`CONVOY_CHOICES`; ``cohesion`` applies to faction key ``cohesion_faction`` unless it
    is :data:`PRESET`.
    """
    unknown = sorted(values.keys() - {lever.name for lever in LEVERS})
    if unknown:
        raise ConfigError(f"levers: unknown {unknown}; known: {[lv.name for lv in LEVERS]}")
    overrides = []
    for lever in LEVERS:
        value = values[lever.name]
        if value == lever_start(lever):
            continue
        declared = lever.declared()
        if not declared.contains(value):
            raise ConfigError(
                f"{lever.name}: {value} outside [{declared.low}, {declared.high}] {declared.unit}"
            )
        for pattern in lever.keys:
            overrides += [f"{key}={value}" for key in _expand(pattern, preset)]
    if convoys not in CONVOY_CHOICES:
        raise ConfigError(f"convoys: {convoys!r} is not one of {CONVOY_CHOICES}")
    if convoys != PRESET:
        overrides.append(f"{CONVOYS_KEY}={'true' if convoys == 'denied' else 'false'}")
    if cohesion_faction != PRESET:
        if cohesion_faction not in preset.factions:
            raise ConfigError(
                f"cohesion_faction: {cohesion_faction!r} is not a faction of the preset "
                f"{sorted(preset.factions)}"
            )
        overrides.append(f"{COHESION_KEY.format(faction=cohesion_faction)}={cohesion}")
    return overrides


def build_config(
    lesson: str = NO_LESSON,
    scenario: str = PRESET,
    logistics: str = PRESET,
    people_per_agent: int = CLASSROOM_PEOPLE_PER_AGENT,
    seed: int = 0,
    levers: dict[str, float] | None = None,
    convoys: str = PRESET,
    cohesion_faction: str = PRESET,
    cohesion: float = 0.5,
    extra_overrides: tuple[str, ...] = (),
) -> tuple[SimConfig, list[str]]:
    """The validated config the app runs, and the Hydra overrides that make it.

    ``python run.py <overrides>`` runs the same model. ``extra_overrides`` come last (e.g. a
    smaller population for tests).
    """
    chosen = preset_overrides(lesson, scenario, logistics, people_per_agent, seed)
    preset = compose_config(*chosen, *extra_overrides)
    start = {lever.name: lever_start(lever) for lever in LEVERS}
    moved = lever_overrides(
        preset, {**start, **(levers or {})}, convoys, cohesion_faction, cohesion
    )
    overrides = [*chosen, *moved, *extra_overrides]
    if not moved:
        return preset, overrides  # the same overrides: no second composition (~2 s)
    return compose_config(*overrides), overrides


class ClassroomModel(SiegeModel):
    """The siege model as the app builds it: one keyword per chooser and lever (SolaraViz
    rebuilds it with these on Reset). One step is one hour.

    The scenario chooser is ``scenario_preset``, not ``scenario``: from Mesa 3.5 on, every
    model has a ``scenario`` (a :class:`mesa.experimental.scenarios.Scenario`) and SolaraViz's
    Reset passes it as the keyword ``scenario`` to a model whose ``__init__`` takes one.
    """

    def __init__(
        self,
        lesson: str = NO_LESSON,
        scenario_preset: str = PRESET,
        logistics: str = PRESET,
        people_per_agent: int | str = CLASSROOM_PEOPLE_PER_AGENT,
        seed: int | str = 0,
        crossing_throughput_per_hour: float | None = None,
        pause_open_hour: int | None = None,
        pause_close_hour: int | None = None,
        buses: int | None = None,
        shelter_capacity_scale: float | None = None,
        civilian_exit_coercion: float | None = None,
        convoys: str = PRESET,
        cohesion_faction: str = PRESET,
        cohesion: float = 0.5,
        extra_overrides: tuple[str, ...] = (),
    ) -> None:
        given = {
            "crossing_throughput_per_hour": crossing_throughput_per_hour,
            "pause_open_hour": pause_open_hour,
            "pause_close_hour": pause_close_hour,
            "buses": buses,
            "shelter_capacity_scale": shelter_capacity_scale,
            "civilian_exit_coercion": civilian_exit_coercion,
        }
        config, overrides = build_config(
            lesson,
            scenario_preset,
            logistics,
            int(people_per_agent),
            int(seed),
            {name: value for name, value in given.items() if value is not None},
            convoys,
            cohesion_faction,
            cohesion,
            tuple(extra_overrides),
        )
        super().__init__(config)
        self.overrides = overrides
        """The Hydra overrides of this model: ``python run.py <these>`` runs it too."""
        self.lesson = lesson
        self._map_renderer: Renderer | None = None
        self._initial_record: TerritoryRecord | None = None

    def timeseries(self) -> pd.DataFrame:
        """The hours simulated so far, in real people (``timeseries.csv``'s columns)."""
        return self.recorder.timeseries()


# --------------------------------------------------------------------------- the map
def _map_renderer(model: ClassroomModel) -> tuple[Renderer, TerritoryRecord]:
    """The map's colours and crop, fixed at the start (people scale from the first snapshot)."""
    if model._map_renderer is None or model._initial_record is None:
        initial = model.territory_record.result()
        initial = dataclasses.replace(
            initial, controller=initial.controller[:1], people=initial.people[:1]
        )
        model._initial_record = initial
        model._map_renderer = Renderer(initial)
    return model._map_renderer, model._initial_record


def live_rgb(model: ClassroomModel) -> tuple[np.ndarray, Renderer, TerritoryRecord]:
    """The map now: who holds each cell, and the people inside on it, as an RGB image."""
    renderer, initial = _map_renderer(model)
    geo = model.geo
    civ = model.civilians
    people = np.bincount(civ.cell[civ.in_enclave()], minlength=geo.n_cells)
    people = (people * model.config.people_per_agent).reshape(geo.n_rows, geo.n_cols)
    controller = model.territory.controller.reshape(geo.n_rows, geo.n_cols)
    renderer.record = dataclasses.replace(
        initial, controller=controller[None].astype(np.int8), people=people[None].astype(np.int32)
    )
    return renderer.rgb(0), renderer, initial


def _last(ts: pd.DataFrame, column: str) -> float:
    return float(ts[column].iloc[-1]) if len(ts) else 0.0


def draw_map(model: ClassroomModel) -> Figure:
    """Ground by faction and government, the front, people per cell, crossings with their
    queues, and the bus fleet (away or free, trips so far)."""
    rgb, renderer, record = live_rgb(model)
    ts = model.timeseries()
    fig = Figure(figsize=(7.6, 4.6), dpi=80)
    ax = fig.add_axes((0.0, 0.0, 0.66, 0.93))
    x0, x1, y0, y1 = renderer.extent_km
    ax.imshow(rgb, extent=(x0, x1, y0, y1), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    by_district = np.bincount(
        record.district[record.enclave], weights=record.people[0][record.enclave]
    )
    x_town = record.x_m[record.town_col] / 1000
    y_town = record.y_m[record.town_row] / 1000
    ax.plot(x_town, y_town, "o", ms=1.5, color="black")
    town_people = by_district[record.district[record.town_row, record.town_col]]
    for i in np.argsort(-town_people, kind="stable")[:8]:
        ax.annotate(
            str(record.town_names[i]),
            (x_town[i], y_town[i]),
            fontsize=6,
            xytext=(2, 2),
            textcoords="offset points",
        )
    for k, name in enumerate(record.crossing_names):
        x, y = record.crossing_x_m[k] / 1000, record.crossing_y_m[k] / 1000
        queue = _last(ts, o.QUEUE.column(str(name)))
        is_open = bool(ts[o.OPEN.column(str(name))].iloc[-1]) if len(ts) else False
        ax.plot(x, y, "^", ms=9, mfc=CROSSING_COLOUR, mec="black")
        ax.annotate(
            f"{name} ({'open' if is_open else 'shut'})\nqueue {queue:,.0f} people",
            (x, y),
            xytext=(6, -14),
            textcoords="offset points",
            fontsize=7,
            color="white",
            bbox={"boxstyle": "round", "fc": CROSSING_COLOUR, "alpha": 0.85},
        )
    ax.plot(record.base_x_m / 1000, record.base_y_m / 1000, "s", ms=4, mfc="black", mec="white")
    scale = model.config.people_per_agent
    buses = model.params.bus_fleet.buses * scale
    away = _last(ts, o.BUSES_ON_ROAD.name)
    trips = _last(ts, o.BUS_TRIPS_CUM.name)
    day = model.step_index + 1
    date = (model.start + pd.Timedelta(hours=max(day, 0))).strftime("%d %b %Y %H:00")
    ax.set_title(f"{date} (hour {max(day, 0)})   scale: 1 agent = {scale} people", fontsize=9)
    ax.text(
        0.01,
        0.99,
        f"Bus fleet: {buses:,} buses\naway {away:,.0f}, free {buses - away:,.0f}\n"
        f"trips so far {trips:,.0f}",
        transform=ax.transAxes,
        va="top",
        fontsize=7,
        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85},
    )
    names = [str(n) for n in record.controller_names]
    handles = [Patch(facecolor=faction_colour(c), label=names[c]) for c in range(1, len(names))] + [
        Patch(facecolor=GOVERNMENT_RGB, label="government (taken)"),
        Patch(facecolor=OUTSIDE_RGB, edgecolor="0.6", label="government (outside)"),
        Patch(facecolor="#2b0a0a", label="front line"),
        Line2D([], [], ls="", marker="^", ms=7, mfc=CROSSING_COLOUR, mec="black", label="crossing"),
    ]
    fig.legend(
        handles=handles,
        loc="center left",
        bbox_to_anchor=(0.66, 0.5),
        ncol=1,
        fontsize=7,
        frameon=False,
        title="darker = more people inside on the cell",
        title_fontsize=7,
    )
    return fig


# --------------------------------------------------------------------------- the curves
OUT_BY_ROUTE = (
    o.LEFT_VIA_CROSSING_CUM,
    o.LEFT_VIA_FRONT_CUM,
    o.LEFT_VIA_DEAL_CORRIDOR_CUM,
    o.LEFT_VIA_MEDEVAC_CUM,
    o.BUSSED_NORTH_CUM,
    o.STAYED_UNDER_GOVERNMENT_CUM,
)
"""Left by each route, bussed north, and stayed: in the curves and in the numbers."""
PEOPLE_CURVES = (o.REMAINING, *OUT_BY_ROUTE)
"""Top panel: inside, left by each route, bussed north, stayed."""
HARM_CURVES = (o.KILLED_CUM, o.QUEUED)
"""Middle panel: killed, and people queueing (crossings and the front)."""


def draw_curves(model: ClassroomModel) -> Figure:
    """The curves so far, in real people, labelled with the outcomes' names and units: inside,
    left by each route, bussed north, stayed; killed and queueing; the wait at each crossing;
    overcrowding of the shelters."""
    ts = model.timeseries()
    fig = Figure(figsize=(6.4, 7.0), dpi=80)
    axes = fig.subplots(4, 1, sharex=True, height_ratios=(2.2, 1.3, 1, 1))
    days = ts[o.STEP.name] / 24
    waits = tuple(o.MEAN_WAIT_HOURS.column(name) for name in model.crossings.names)
    panels = (
        (PEOPLE_CURVES, o.Unit.PEOPLE, "-"),
        (HARM_CURVES, o.Unit.PEOPLE, "-"),
        (waits, o.MEAN_WAIT_HOURS.unit, "."),
        ((o.OVERCROWDING_ALL_SITES.name,), o.OVERCROWDING_ALL_SITES.unit, "-"),
    )
    for ax, (curves, unit, style) in zip(axes, panels, strict=True):
        for curve in curves:
            name = curve if isinstance(curve, str) else curve.name
            if name in ts:
                ax.plot(days, ts[name], style, ms=2, lw=1.2, label=name)
        ax.set_ylabel(str(unit), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.yaxis.set_major_formatter("{x:,.0f}" if unit == o.Unit.PEOPLE else "{x:,.2g}")
        ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax.grid(alpha=0.3)
    axes[-1].axhline(1.0, color="0.4", ls=":", lw=0.8)
    axes[-1].set_xlabel("day of the siege", fontsize=8)
    axes[-1].set_xlim(0, model.config.days)
    fig.suptitle(
        f"Counts in real people (1 agent = {model.config.people_per_agent} people)", fontsize=9
    )
    fig.subplots_adjust(left=0.15, right=0.62, top=0.95, bottom=0.07, hspace=0.12)
    return fig


# --------------------------------------------------------------------------- the numbers
TOTALS = (
    o.REMAINING,
    o.LEFT_ENCLAVE_CUM,
    *OUT_BY_ROUTE,
    o.KILLED_CUM,
    o.QUEUED,
)


def lever_values(model: ClassroomModel) -> list[tuple[str, str]]:
    """Each lever's label and the value the model runs with (real units)."""
    config = model.config
    rows = []
    for lever in LEVERS:
        keys = [k for pattern in lever.keys for k in _expand(pattern, config)]
        unit = lever.declared().unit
        values = sorted({value_at(config, k) for k in keys})
        shown = ", ".join(f"{v:g}" for v in values) if values else "none in this scenario"
        rows.append((lever.label, f"{shown} {unit}"))
    places = sum(s.capacity for s in config.reception.sites) * config.reception.capacity_scale
    rows.append(("Shelter places", f"{places:,.0f} places"))
    rows.append(("Aid convoys", "denied" if config.food.convoys_denied else "let in"))
    rows.append(
        ("Cohesion", ", ".join(f"{f.name} {f.cohesion:g}" for f in config.factions.values()))
    )
    return rows


def totals_markdown(model: ClassroomModel) -> str:
    """The running totals in real people, the scale and the levers in force, as Markdown."""
    ts = model.timeseries()
    hours = len(ts)
    scale = model.config.people_per_agent
    scale_text = "full scale (1 agent = 1 person)" if scale == 1 else f"1 agent = {scale} people"
    lines = [
        f"**Day {hours / 24:.0f} of {model.config.days}** ({hours} hours simulated). "
        f"Scale: **{scale_text}**; every number is in real people.",
        "",
        "| outcome | people |",
        "|---|---|",
    ]
    lines += [f"| {t.name} | {_last(ts, t.name):,.0f} |" for t in TOTALS]
    lines += ["", "| lever | in this run |", "|---|---|"]
    lines += [f"| {label} | {value} |" for label, value in lever_values(model)]
    lines += ["", f"Same run on the command line: `python run.py {' '.join(model.overrides)}`"]
    return "\n".join(lines)


def days_per_second(model: SiegeModel, days: int) -> float:
    """Simulated days per second of wall time over the next ``days`` days (no drawing)."""
    start = time.perf_counter()
    for _ in range(24 * days):
        if not model.running:
            break
        model.step()
    elapsed = time.perf_counter() - start
    return days / elapsed if elapsed > 0 else math.inf
