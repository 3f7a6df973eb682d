"""The population scale: each simulated person (an agent) may stand for several real people.

``people_per_agent`` N (a run-level option, 1 by default) is the project's one population
scale, used by calibration searches, the classroom app and fast tests. At scale N the model
runs on :func:`at_agent_scale` of the config: every *count* is divided by N, so the siege is the
same at 1/N of its size, and every count in the outputs is multiplied back by N (so the tables
speak of real people). Divided:

- people: ``population.total_people``; fighters: each faction's and each assault group's
  and the government's ring (``front_holding_fighters``), and the strength at which a
  faction's resolve counts it as full (``resolve_full_strength_fighters``),
  and the fighters (and civilians) killed per captured cell or per clash;
- flows: each crossing's ``throughput_per_hour``, the front's
  ``walkout_throughput_per_hour_per_km``, the deal corridors'
  ``corridor_throughput_per_hour``, each medical window's ``patients_per_day`` and
  ``patients_per_day_under_deal`` (kept fractional: the components carry the remainder over);
- capacities: the bus fleet's ``buses`` and the buses of a deal's first convoy
  (``first_convoy_buses``; trips, seats and buses on the road are multiplied back),
  each reception site's ``capacity``; stocks: each convoy's ``people_fed``, the medical list's
  ``initial_patients``.

Stocks and capacities are rounded to whole agents (at least one where the full-scale count is
positive). Rates, probabilities, shares, hours and distances are not scaled: a strike kills the
same share of the people in a cell, and a cell is the same size.
"""

from __future__ import annotations

import dataclasses

from sim.params import SimConfig


def per_agent(count: float, people_per_agent: int) -> int:
    """A whole number of agents for ``count`` real ones (at least one if ``count`` > 0)."""
    if count <= 0:
        return 0
    return max(1, round(count / people_per_agent))


def at_agent_scale(config: SimConfig) -> SimConfig:
    """``config`` with every count divided by ``config.people_per_agent`` (itself if 1)."""
    n = config.people_per_agent
    if n == 1:
        return config
    replace = dataclasses.replace
    government = config.government
    dynamics = config.faction_dynamics
    return replace(
        config,
        population=replace(
            config.population, total_people=per_agent(config.population.total_people, n)
        ),
        factions={
            key: replace(f, fighters=per_agent(f.fighters, n)) for key, f in config.factions.items()
        },
        faction_dynamics=replace(
            dynamics,
            fighters_lost_per_cell_captured=dynamics.fighters_lost_per_cell_captured / n,
            infighting_fighters_killed_mean=dynamics.infighting_fighters_killed_mean / n,
            infighting_civilians_killed_mean=dynamics.infighting_civilians_killed_mean / n,
        ),
        government=replace(
            government,
            front_holding_fighters=per_agent(government.front_holding_fighters, n),
            assault_groups=tuple(
                replace(g, fighters=per_agent(g.fighters, n)) for g in government.assault_groups
            ),
        ),
        crossings=tuple(
            replace(c, throughput_per_hour=c.throughput_per_hour / n) for c in config.crossings
        ),
        exits=replace(
            config.exits,
            walkout_throughput_per_hour_per_km=config.exits.walkout_throughput_per_hour_per_km / n,
        ),
        deals=replace(
            config.deals,
            corridor_throughput_per_hour=config.deals.corridor_throughput_per_hour / n,
            resolve_full_strength_fighters=per_agent(
                config.deals.resolve_full_strength_fighters, n
            ),
            first_convoy_buses=per_agent(config.deals.first_convoy_buses, n),
        ),
        bus_fleet=replace(config.bus_fleet, buses=per_agent(config.bus_fleet.buses, n)),
        reception=replace(
            config.reception,
            sites=tuple(
                replace(s, capacity=per_agent(s.capacity, n)) for s in config.reception.sites
            ),
        ),
        timeline=replace(
            config.timeline,
            convoys=tuple(replace(c, people_fed=c.people_fed / n) for c in config.timeline.convoys),
        ),
        medevac=replace(
            config.medevac,
            initial_patients=per_agent(config.medevac.initial_patients, n),
            patients_per_day_under_deal=config.medevac.patients_per_day_under_deal / n,
            windows=tuple(
                replace(w, patients_per_day=w.patients_per_day / n) for w in config.medevac.windows
            ),
        ),
    )


class Carry:
    """Whole places from a fractional flow: each call adds ``places`` to what was carried and
    returns the whole part, keeping the fraction for the next call (flows at a population
    scale, e.g. 800 / 20 = 40 an hour, 50 / 20 = 2.5 a day)."""

    def __init__(self) -> None:
        self.fraction = 0.0

    def take(self, places: float) -> int:
        self.fraction += places
        whole = int(self.fraction)
        self.fraction -= whole
        return whole
