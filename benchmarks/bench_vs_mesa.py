"""The civilians' rule both ways, object-per-agent Mesa 3 against the project's columns.

    python benchmarks/bench_vs_mesa.py [--people 50000] [--hours 48] [--seeds 3]
        [--full-people 393000] [--null-trials 20] [--out benchmarks/results/bench_vs_mesa.md]

One rule, from the same inputs, on a small hand-built map with one crossing (:func:`build_map`):
each hour people perceive fear from this hour's strikes (in their cell, and per km2 in their
home district); households decide together (shelter, go home, or set out for the crossing);
those under way walk along the crossing's shortest-path field at walking speed; arrivals join
its queue (one ticket per household and hour) and the first in line pass at its throughput.
The inputs shared by both sides, per seed: the map, the people (home cell, household, fear
sensitivity, drawn by :class:`sim.civilians.Civilians`), the strikes of every hour, the
crossing's distance and next-cell fields. Only the decision draws differ.

- Side A, :class:`MesaEnclave`: one ``CellAgent`` per person on an ``OrthogonalMooreGrid``
  (property layers for strikes, district and distance, as in Mesa's Sugarscape example),
  one ``Agent`` per household, one for the crossing; ``AgentSet.do`` / ``shuffle_do``;
  draws from the model's ``self.random`` as Mesa's examples do.
- Side B, :class:`ColumnsEnclave`: the project's :class:`sim.civilians.Civilians` itself
  (``perceive``, ``decide_and_apply``, ``move``, ``pass_crossing``); every call into
  ``sim/civilians.py`` is in the phases of :meth:`ColumnsEnclave.step`.

Agreement: a chi-square test of homogeneity (``scipy.stats.chi2_contingency``) on the
households per state at each hour (summed over seeds), Bonferroni across hours
(:func:`same_distribution`). Households, not people, are counted because a household's members
move together, so people are not independent draws; for the same reason households queued at
the crossing are counted with those screened (both reached it): who is still queued at the end
of an hour depends on everyone else's arrivals, not on one household's draws, and counted apart
the test rejected the columns against themselves with other decision draws in about half the
seed triples tried (:func:`null_rejections`). The queue, walking and crossing are checked exactly
instead: given the columns' decisions, the Mesa side puts the same people in the same cells,
and as many people in each state, every hour (``tests/test_bench_vs_mesa.py``). The Mesa
side run with its probability of setting out doubled plants a difference, which the test must
reject. Speed: agent-steps (people x hours) per second of stepping, set-up timed apart.
"""

from __future__ import annotations

import argparse
import gc
import math
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from heapq import heappop, heappush
from pathlib import Path

import mesa
import numpy as np
from mesa.discrete_space import Cell, CellAgent, OrthogonalMooreGrid, PropertyLayer
from numpy.typing import NDArray
from scipy.stats import chi2_contingency

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.machine import describe_machine
from sim.civilians import (
    N_STATES,
    Civilians,
    CivilianState,
    FieldWays,
    strikes_per_km2_by_district,
)
from sim.geography import Geography, apportion
from sim.mesa_ids import forget_agent_numbering
from sim.params import CivilianParams, ExitParams, PopulationParams
from sim.territory import Territory

FULL_SCALE_PEOPLE = 393_000
CROSSING_ID = 0
BENCH_RULE = CivilianParams(
    fear_half_life_hours=12.0,
    fear_per_strike_per_km2_in_district=0.1,
    leave_hazard_per_hour=0.02,
)


@dataclass(frozen=True)
class Setting:
    """Map, shelling and rule parameters of the benchmark (shared by both sides)."""

    people: int = 50_000
    hours: int = 48
    n_rows: int = 40
    n_cols: int = 40
    cell_size_m: float = 100.0
    mean_household_size: float = 5.2
    strikes_per_hour: float = 3.0
    """Mean strikes an hour on the enclave during the bombardment (Poisson, uniform cells)."""
    lull_hours: tuple[int, ...] = (0, 1, 2, 3, 30, 31, 32, 33, 34, 35, 36, 37)
    """Hours with no strikes (fear decays and households may go home)."""
    throughput_per_hour: int = 150
    """People who pass the crossing an hour."""
    civilians: CivilianParams = BENCH_RULE
    """Fear fades fast (12 h half-life) so lulls matter; setting out is likelier than by default."""


@dataclass(frozen=True)
class Inputs:
    """What both sides start from, for one seed."""

    setting: Setting
    geo: Geography
    district_area_km2: NDArray[np.float64]
    strikes: NDArray[np.int32]
    """Hours x cells."""
    distance_m: NDArray[np.float64]
    """Walking distance from each cell to the crossing's entry cells (inf where none)."""
    next_cell: NDArray[np.int32]
    """Each cell's next cell on a shortest way to the crossing."""
    population: np.random.SeedSequence
    """Seed of the people (:func:`new_people` draws the same people from it every time)."""
    mesa_decisions: np.random.SeedSequence
    columns_decisions: np.random.SeedSequence
    """Seeds of each side's decision draws: a side built again draws the same numbers."""


# ===================================================================== inputs
def build_map(setting: Setting) -> Geography:
    """A square enclave ringed by government cells, a denser centre, two districts (west and
    east) and one crossing in the middle of the south side."""
    rows, cols = setting.n_rows, setting.n_cols
    controller = np.ones((rows, cols), dtype=np.int8)
    controller[[0, -1], :] = 0
    controller[:, [0, -1]] = 0
    r, c = np.indices((rows, cols))
    district = np.where(controller > 0, (c >= cols // 2).astype(np.int32), -1)
    centre = (r - rows / 2) ** 2 + (c - cols / 2) ** 2 <= (rows / 4) ** 2
    weight = np.where(controller > 0, np.where(centre, 8.0, 1.0), 0.0)
    people = apportion(setting.people, weight.ravel()).reshape(rows, cols)
    return Geography.from_grids(
        controller,
        people,
        ("rebels",),
        cell_size_m=setting.cell_size_m,
        district=district,
        district_names=("west", "east"),
        places_rc={"crossing": (rows - 2, cols // 2)},
    )


def make_inputs(setting: Setting, seed: int) -> Inputs:
    """The map, people, strikes and the crossing's fields for ``seed``."""
    population, shelling_seed, decisions = np.random.SeedSequence(seed).spawn(3)
    geo = build_map(setting)
    shelling = np.random.default_rng(shelling_seed)
    enclave = np.flatnonzero(geo.enclave)
    strikes = np.zeros((setting.hours, geo.n_cells), dtype=np.int32)
    for hour in range(setting.hours):
        if hour not in setting.lull_hours:
            struck = shelling.choice(enclave, size=shelling.poisson(setting.strikes_per_hour))
            np.add.at(strikes[hour], struck, 1)
    sources = geo.cells_within(*geo.point_xy_m("crossing"), 1.5 * setting.cell_size_m)
    distance_m, next_cell = Territory(geo).distance_field(sources)
    district_area_km2 = (
        np.bincount(geo.district[geo.enclave], minlength=len(geo.district_names))
        * geo.cell_area_km2
    )
    mesa_decisions, columns_decisions = decisions.spawn(2)
    return Inputs(
        setting,
        geo,
        district_area_km2,
        strikes,
        distance_m,
        next_cell,
        population,
        mesa_decisions,
        columns_decisions,
    )


def new_people(setting: Setting, geo: Geography, population: np.random.SeedSequence) -> Civilians:
    """The people of ``geo`` as the project draws them (home cells, households, fear
    sensitivities), the same for the same ``population`` seed."""
    return Civilians(
        geo,
        PopulationParams(
            total_people=setting.people, mean_household_size=setting.mean_household_size
        ),
        setting.civilians,
        ExitParams(),
        np.random.default_rng(population),
    )


# ===================================================================== side A: Mesa
class Household(mesa.Agent):
    """A family: decides for its members who are at home or sheltering."""

    def __init__(self, model: MesaEnclave, home: Cell, leave_factor: float) -> None:
        super().__init__(model)
        self.home = home
        self.members: list[Person] = []
        self.leave_factor = leave_factor
        """Multiplier of the probability of setting out (1; 2 plants a difference)."""
        self.ticket_hour = -1
        self.ticket = math.inf

    def decide(self) -> None:
        settled = [
            m for m in self.members if m.state in (CivilianState.AT_HOME, CivilianState.SHELTERING)
        ]
        if not settled:
            return
        p = self.model.rule
        fear = sum(m.fear for m in settled) / len(settled)
        u_shelter = self.random.random()
        u_leave = self.random.random()
        p_leave = 0.0
        if math.isfinite(self.home.distance_m):
            hazard = p.leave_hazard_per_hour * fear / (fear + p.fear_half_saturation)
            p_leave = min(1.0, self.leave_factor * -math.expm1(-hazard))
        if u_leave < p_leave:
            for member in settled:
                member.state = CivilianState.MOVING
        elif fear > p.shelter_fear_threshold and u_shelter < -math.expm1(
            -p.shelter_hazard_per_hour
        ):
            for member in settled:
                if member.state == CivilianState.AT_HOME:
                    member.state = CivilianState.SHELTERING
        elif fear < p.return_home_fear_threshold and u_shelter < -math.expm1(
            -p.return_home_hazard_per_hour
        ):
            for member in settled:
                if member.state == CivilianState.SHELTERING:
                    member.state = CivilianState.AT_HOME

    def queue_ticket(self) -> float:
        """Place in the crossing's queue: the hour of arrival plus one draw per household and
        hour, so that a family arriving together queues together."""
        hour = self.model.hour
        if self.ticket_hour != hour:
            self.ticket_hour = hour
            self.ticket = hour + self.random.random()
        return self.ticket


class Person(CellAgent):
    """One civilian: feels fear, walks to the crossing when the household sets out."""

    def __init__(
        self, model: MesaEnclave, cell: Cell, household: Household, fear_sensitivity: float
    ) -> None:
        super().__init__(model)
        self.cell = cell
        self.household = household
        self.home_district = int(cell.district)
        self.fear_sensitivity = fear_sensitivity
        self.fear = model.rule.initial_fear
        self.state = CivilianState.AT_HOME
        household.members.append(self)

    def perceive(self) -> None:
        p = self.model.rule
        self.fear *= self.model.fear_decay
        harm = (
            p.fear_per_strike_per_km2_in_district
            * self.model.district_strikes_per_km2[self.home_district]
        )
        strikes = self.cell.strikes
        if strikes:
            harm += p.fear_per_strike_in_cell * int(strikes)
        self.fear += self.fear_sensitivity * harm

    def walk(self) -> None:
        """Follow the way to the crossing with this hour's walking budget; join its queue on
        arrival."""
        budget = self.model.rule.walking_speed_m_per_hour
        while self.cell.distance_m > 0.0:
            nxt = self.model.way[self.cell]
            (r0, c0), (r1, c1) = self.cell.coordinate, nxt.coordinate
            step_m = self.model.diagonal_m if r0 != r1 and c0 != c1 else self.model.straight_m
            if budget < step_m:
                return
            self.move_to(nxt)
            budget -= step_m
        self.state = CivilianState.QUEUED
        self.model.crossing.join(self)


class Crossing(mesa.Agent):
    """The crossing's queue: the lowest tickets pass first, ``throughput`` an hour."""

    def __init__(self, model: MesaEnclave, throughput_per_hour: int) -> None:
        super().__init__(model)
        self.throughput_per_hour = throughput_per_hour
        self.queue: list[tuple[float, float, int, Person]] = []

    def join(self, person: Person) -> None:
        """Queue on the household's ticket; its members in a random order, so that when the
        throughput splits a family, which of them cross is left to chance as in the columns
        (whose ``argpartition`` leaves the first member in line about as often as a random
        order would), not always the first member."""
        ticket = person.household.queue_ticket()
        heappush(self.queue, (ticket, self.random.random(), person.unique_id, person))

    def let_through(self) -> None:
        for _ in range(min(self.throughput_per_hour, len(self.queue))):
            *_, person = heappop(self.queue)
            person.state = CivilianState.SCREENING


class MesaEnclave(mesa.Model):
    """The rule with one object per person and per household (Mesa 3)."""

    def __init__(self, inputs: Inputs, leave_factor: float = 1.0) -> None:
        super().__init__(rng=np.random.default_rng(inputs.mesa_decisions))
        s = inputs.setting
        geo = inputs.geo
        self.rule = s.civilians
        self.strike_schedule = inputs.strikes
        self.district_of_cell = geo.district
        self.district_area_km2 = inputs.district_area_km2
        self.fear_decay = math.exp(-math.log(2) / self.rule.fear_half_life_hours)
        self.straight_m = geo.cell_size_m
        self.diagonal_m = geo.cell_size_m * math.sqrt(2.0)
        self.hour = 0
        self.district_strikes_per_km2 = [0.0] * len(geo.district_names)

        shape = (geo.n_rows, geo.n_cols)
        self.grid = OrthogonalMooreGrid(shape, torus=False, random=self.random)
        self.grid.add_property_layer(
            PropertyLayer.from_data("strikes", np.zeros(shape, dtype=np.int32))
        )
        self.grid.add_property_layer(
            PropertyLayer.from_data("district", geo.district.reshape(shape))
        )
        self.grid.add_property_layer(
            PropertyLayer.from_data("distance_m", inputs.distance_m.reshape(shape))
        )
        reachable = np.flatnonzero(np.isfinite(inputs.distance_m))
        self.way = {
            self.grid[divmod(int(i), geo.n_cols)]: self.grid[
                divmod(int(inputs.next_cell[i]), geo.n_cols)
            ]
            for i in reachable
        }
        self.crossing = Crossing(self, s.throughput_per_hour)

        people = new_people(s, geo, inputs.population)
        starts = np.flatnonzero(np.diff(people.household, prepend=-1))
        ends = np.append(starts[1:], people.n)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            home = self.grid[divmod(int(people.home_cell[start]), geo.n_cols)]
            household = Household(self, home, leave_factor)
            for sensitivity in people.fear_sensitivity[start:end].tolist():
                Person(self, home, household, sensitivity)
        self.people = self.agents_by_type[Person]
        forget_agent_numbering(self)  # else Mesa 3.3 keeps every model alive (sim/mesa_ids.py)
        self.households = self.agents_by_type[Household]

    def step(self) -> None:
        """One hour: perceive, households decide, walkers walk and the crossing lets through."""
        self.perceive()
        self.households.shuffle_do("decide")
        self.walk_and_pass()

    def perceive(self) -> None:
        """This hour's strikes onto the grid; everyone's fear decays and grows."""
        strikes = self.strike_schedule[self.hour]
        self.grid.strikes.data = strikes.reshape(self.grid.dimensions)
        struck = np.flatnonzero(strikes)
        self.district_strikes_per_km2 = (
            np.bincount(
                self.district_of_cell[struck],
                weights=strikes[struck],
                minlength=self.district_area_km2.size,
            )
            / np.where(self.district_area_km2 > 0, self.district_area_km2, np.inf)
        ).tolist()
        self.people.do("perceive")

    def walk_and_pass(self) -> None:
        """Those under way walk (arrivals queue); the first in line cross; the hour ends."""
        self.people.select(lambda p: p.state == CivilianState.MOVING).shuffle_do("walk")
        self.crossing.let_through()
        self.hour += 1

    def households_by_state(self) -> NDArray[np.int64]:
        """Households per :class:`CivilianState`, each counted by its first member."""
        counts = np.zeros(N_STATES, dtype=np.int64)
        for household in self.households:
            counts[household.members[0].state] += 1
        return counts


# ===================================================================== side B: columns
class ColumnsEnclave:
    """The rule on the project's columns: :class:`sim.civilians.Civilians` itself."""

    def __init__(self, inputs: Inputs) -> None:
        self.rng = np.random.default_rng(inputs.columns_decisions)
        self.inputs = inputs
        geo = inputs.geo
        self.civ = new_people(inputs.setting, geo, inputs.population)
        self.first_member = np.flatnonzero(np.diff(self.civ.household, prepend=-1))
        self.no_restraint = np.zeros(geo.n_cells)
        self.no_hunger = np.zeros(len(geo.district_names))
        self.open_crossings = np.array([CROSSING_ID], dtype=np.intp)
        self.ways = FieldWays(inputs.distance_m[None, :])
        self.no_danger = np.ones(1)
        self.hour = 0

    def step(self) -> None:
        """One hour: every call into ``sim/civilians.py`` is in the three phases."""
        self.perceive()
        self.decide()
        self.walk_and_pass()

    def perceive(self) -> None:
        """Fear decays and grows with this hour's strikes."""
        civ, inputs = self.civ, self.inputs
        strikes = inputs.strikes[self.hour]
        density = strikes_per_km2_by_district(
            strikes, inputs.geo.district, inputs.district_area_km2
        )
        struck = civ.inside_on(np.flatnonzero(strikes))
        civ.perceive(struck, strikes[civ.cell[struck]], density)

    def decide(self) -> None:
        """Households shelter, go home or set out for the crossing."""
        self.civ.decide_and_apply(
            self.no_restraint,
            self.open_crossings,
            self.ways,
            self.no_danger,
            None,
            self.no_hunger,
            1.0,
            self.rng,
            self.hour,
        )

    def walk_and_pass(self) -> None:
        """Those under way walk (arrivals queue); the first in line cross; the hour ends."""
        civ, inputs, t = self.civ, self.inputs, self.hour
        civ.move(CROSSING_ID, inputs.distance_m, inputs.next_cell, inputs.geo, self.rng, t)
        civ.pass_crossing(CROSSING_ID, inputs.setting.throughput_per_hour, t)
        self.hour += 1

    def households_by_state(self) -> NDArray[np.int64]:
        """Households per :class:`CivilianState`, each counted by its first member."""
        return np.bincount(self.civ.state[self.first_member], minlength=N_STATES)


# ===================================================================== running
@dataclass(frozen=True)
class Run:
    """One side's run for one seed."""

    setup_s: float
    step_s: float
    agent_steps: int
    households_by_state: NDArray[np.int64]
    """Hours x states: households per state at the end of each hour."""


def run_side(make: Callable[[], MesaEnclave | ColumnsEnclave], setting: Setting) -> Run:
    """Build one side and step it ``setting.hours`` times, timing set-up and steps (the
    counts taken after each hour are not timed). Garbage left by earlier runs is collected
    first, so that neither side pays for the other's (the cyclic collector walks every live
    object: a Mesa model's 50,000 agents slow whatever runs while they are alive)."""
    gc.collect()
    started = time.perf_counter()
    side = make()
    setup_s = time.perf_counter() - started
    counts = np.zeros((setting.hours, N_STATES), dtype=np.int64)
    step_s = 0.0
    for hour in range(setting.hours):
        started = time.perf_counter()
        side.step()
        step_s += time.perf_counter() - started
        counts[hour] = side.households_by_state()
    return Run(setup_s, step_s, setting.people * setting.hours, counts)


def run_mesa(inputs: Inputs, leave_factor: float = 1.0) -> Run:
    return run_side(lambda: MesaEnclave(inputs, leave_factor), inputs.setting)


def run_columns(inputs: Inputs) -> Run:
    return run_side(lambda: ColumnsEnclave(inputs), inputs.setting)


@dataclass(frozen=True)
class Agreement:
    """Result of :func:`same_distribution`."""

    p_min_adjusted: float
    """Smallest p-value over the hours tested, times their number (capped at 1)."""
    worst_hour: int
    hours_tested: int
    alpha: float

    @property
    def rejected(self) -> bool:
        return self.p_min_adjusted < self.alpha


def reached_crossing(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Households by state (hours x states) with those ``QUEUED`` counted as ``SCREENING``:
    both reached the crossing, and which of them are still in line at the end of an hour
    depends on the other households' arrivals, so it is not one household's own draw."""
    pooled = counts.copy()
    pooled[:, CivilianState.SCREENING] += pooled[:, CivilianState.QUEUED]
    pooled[:, CivilianState.QUEUED] = 0
    return pooled


def same_distribution(
    a: NDArray[np.int64],
    b: NDArray[np.int64],
    alpha: float = 0.01,
    min_count: int = 10,
    pool_queue: bool = True,
) -> Agreement:
    """Chi-square test of homogeneity of two sides' household counts by state (hours x states),
    hour by hour, Bonferroni across the hours tested: the two give the same outcome
    distribution unless some hour's adjusted p-value falls below ``alpha``.

    The test takes households for independent draws given the shared inputs, which holds for
    every state but the queue; with ``pool_queue`` (the default) queued households are counted
    as having reached the crossing (:func:`reached_crossing`). States with fewer than
    ``min_count`` households on both sides together are pooled into one column (the
    chi-square approximation needs expected counts of about 5 or more); hours with fewer than
    two columns left test nothing and are skipped.
    """
    if pool_queue:
        a, b = reached_crossing(a), reached_crossing(b)
    p_values = []
    hours = []
    for hour in range(a.shape[0]):
        table = np.stack([a[hour], b[hour]])
        big = table.sum(axis=0) >= min_count
        rest = table[:, ~big].sum(axis=1, keepdims=True)
        table = np.hstack([table[:, big], rest]) if rest.sum() >= min_count else table[:, big]
        if table.shape[1] < 2:
            continue
        p_values.append(chi2_contingency(table, correction=False).pvalue)
        hours.append(hour)
    if not p_values:
        return Agreement(1.0, -1, 0, alpha)
    worst = int(np.argmin(p_values))
    adjusted = min(1.0, float(p_values[worst]) * len(p_values))
    return Agreement(adjusted, hours[worst], len(p_values), alpha)


# ===================================================================== report
def rate(runs: list[Run]) -> float:
    """Agent-steps per second of stepping, over all runs."""
    return sum(r.agent_steps for r in runs) / sum(r.step_s for r in runs)


def median_run(runs: list[Run]) -> Run:
    """The run of median step time (repeats of a deterministic run differ only in time)."""
    return sorted(runs, key=lambda r: r.step_s)[len(runs) // 2]


def compare(setting: Setting, seeds: list[int], repeats: int) -> dict[str, object]:
    """Both sides for each seed (the columns ``repeats`` times, keeping the median: one run
    is too short to time on a shared machine), the planted difference, and the test on each."""
    mesa_runs, column_runs, planted_runs = [], [], []
    for seed in seeds:
        inputs = make_inputs(setting, seed)
        mesa_runs.append(run_mesa(inputs))
        column_runs.append(median_run([run_columns(inputs) for _ in range(repeats)]))
        planted_runs.append(run_mesa(inputs, leave_factor=2.0))
        print(
            f"seed {seed}: Mesa {mesa_runs[-1].step_s:.2f} s "
            f"(set-up {mesa_runs[-1].setup_s:.2f} s), columns {column_runs[-1].step_s:.3f} s "
            f"(set-up {column_runs[-1].setup_s:.3f} s)",
            flush=True,
        )
    counts_mesa = np.sum([r.households_by_state for r in mesa_runs], axis=0)
    counts_columns = np.sum([r.households_by_state for r in column_runs], axis=0)
    counts_planted = np.sum([r.households_by_state for r in planted_runs], axis=0)
    return {
        "mesa": mesa_runs,
        "columns": column_runs,
        "same": same_distribution(counts_mesa, counts_columns),
        "same_by_state": same_distribution(counts_mesa, counts_columns, pool_queue=False),
        "planted": same_distribution(counts_planted, counts_columns),
        "final_mesa": counts_mesa[-1],
        "final_columns": counts_columns[-1],
        "final_planted": counts_planted[-1],
    }


@dataclass(frozen=True)
class NullCheck:
    """Result of :func:`null_rejections`."""

    trials: int
    rejected_by_state: int
    """Trials rejected with queued households counted apart."""
    rejected_pooled: int
    """Trials rejected with queued households counted as having reached the crossing."""
    seeds: tuple[int, int]
    """First and last seed used."""


def null_rejections(setting: Setting, trials: int, first_seed: int, per_trial: int) -> NullCheck:
    """How often the test rejects the columns against themselves with other decision draws
    (the Mesa side's seeds): ``trials`` groups of ``per_trial`` seeds from ``first_seed``. The
    rule is the same, so a sound test rejects about ``alpha`` of them or fewer."""
    by_state = pooled = 0
    for trial in range(trials):
        shape = (setting.hours, N_STATES)
        a, b = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
        for seed in range(first_seed + trial * per_trial, first_seed + (trial + 1) * per_trial):
            inputs = make_inputs(setting, seed)
            a += run_columns(inputs).households_by_state
            other = replace(inputs, columns_decisions=inputs.mesa_decisions)
            b += run_columns(other).households_by_state
        by_state += same_distribution(a, b, pool_queue=False).rejected
        pooled += same_distribution(a, b).rejected
    last = first_seed + trials * per_trial - 1
    return NullCheck(trials, by_state, pooled, (first_seed, last))


def full_scale_columns(setting: Setting, seeds: list[int], repeats: int) -> list[Run]:
    runs = []
    for seed in seeds:
        inputs = make_inputs(setting, seed)
        runs.append(median_run([run_columns(inputs) for _ in range(repeats)]))
    return runs


def commit() -> str:
    """The repository's current commit (short), or 'unknown'."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def states_line(counts: NDArray[np.int64]) -> str:
    return ", ".join(f"{CivilianState(k).name} {int(n):,}" for k, n in enumerate(counts) if n)


def report(
    setting: Setting,
    seeds: list[int],
    result: dict[str, object],
    full: list[Run],
    command: str,
    null: NullCheck | None = None,
) -> str:
    mesa_rate = rate(result["mesa"])
    columns_rate = rate(result["columns"])
    same, planted = result["same"], result["planted"]
    lines = [
        "# Civilians' rule: object-per-agent Mesa against the columns (issue 12)",
        "",
        f"Measured at commit {commit()} (the working tree may differ from it).",
        "",
        f"    {command}",
        "",
        describe_machine(),
        "",
        f"{setting.people:,} people, {setting.hours} hours, seeds {seeds}; a hand-built "
        f"{setting.n_rows} x {setting.n_cols} map of {setting.cell_size_m:.0f} m cells, one "
        f"crossing passing {setting.throughput_per_hour} people an hour. Agent-steps = people "
        "x hours; rates are over stepping time (set-up apart). Mesa: one run per seed; "
        "columns: the median of `--repeats` runs per seed.",
        "",
        "| side | step time (s, all seeds) | set-up (s, all seeds) | agent-steps/s |",
        "|---|---:|---:|---:|",
    ]
    for name, runs in (
        ("Mesa 3, object per agent", result["mesa"]),
        ("columns", result["columns"]),
    ):
        lines.append(
            f"| {name} | {sum(r.step_s for r in runs):.2f} | {sum(r.setup_s for r in runs):.2f} "
            f"| {rate(runs):,.0f} |"
        )
    lines += [
        "",
        f"**Ratio columns / Mesa: {columns_rate / mesa_rate:,.0f}x** (target >= 100x: "
        f"{'met' if columns_rate >= 100 * mesa_rate else 'not met'}).",
        "",
        "Same outcome distribution: chi-square test of homogeneity "
        "(`scipy.stats.chi2_contingency`) on households per state at each hour, summed over "
        "seeds, households queued at the crossing counted with those screened (both reached "
        f"it), Bonferroni across hours, alpha {same.alpha}:",
        "",
        f"- Mesa vs columns: smallest adjusted p = {same.p_min_adjusted:.3g} (hour "
        f"{same.worst_hour}, {same.hours_tested} hours tested): "
        f"{'REJECTED' if same.rejected else 'not rejected'} (with queued households counted "
        f"apart: {result['same_by_state'].p_min_adjusted:.3g}, hour "
        f"{result['same_by_state'].worst_hour}).",
        f"- Planted difference (Mesa's probability of setting out doubled) vs columns: "
        f"smallest adjusted p = {planted.p_min_adjusted:.3g} (hour {planted.worst_hour}): "
        f"{'rejected' if planted.rejected else 'NOT REJECTED'}.",
    ]
    if null:
        lines.append(
            f"- The test's own check, columns vs columns with the Mesa side's decision seeds, "
            f"{null.trials} trials of {len(seeds)} seeds (seeds {null.seeds[0]}-{null.seeds[1]}):"
            f" rejected in {null.rejected_by_state} with queued households counted apart, "
            f"{null.rejected_pooled} as tested above."
        )
    lines += [
        "",
        "Households by state at the last hour, all seeds: "
        f"Mesa {states_line(result['final_mesa'])}; "
        f"columns {states_line(result['final_columns'])}; "
        f"planted {states_line(result['final_planted'])}.",
    ]
    lines += [
        "",
        "How: both sides start from the same map, people (home cell, household, fear "
        "sensitivity, drawn by `sim.civilians.Civilians`), strikes of every hour and crossing "
        "fields; only the decision draws differ. The Mesa side is one `CellAgent` per person on "
        "an `OrthogonalMooreGrid` with property layers (strikes, district, distance), one "
        "`Agent` per household and one for the crossing's queue, stepped with "
        "`AgentSet.do`/`shuffle_do`; the columns side calls `Civilians.perceive`, "
        "`decide_and_apply`, `move` and `pass_crossing` themselves. Given the columns' "
        "decisions, the Mesa side walks, queues and passes the same numbers of people to the "
        "same cells every hour (the lockstep test in `tests/test_bench_vs_mesa.py`); its queue "
        "differs only in the tickets it draws. Two things made the test reject Mesa against "
        "the columns at 50,000 people, 48 hours, seeds 0-2 (adjusted p 0.0074 at hour 28, "
        "where the columns had 17 households queued over the three seeds and the Mesa side "
        "none; rejected too in 4 of 4 further seed triples, 3-14). (1) Which members of a "
        "household cross when the throughput splits it: the Mesa side broke ties by agent "
        "id, so the first member always crossed first and a split household, counted by its "
        "first member, was never counted as queued, while the columns' `argpartition` leaves "
        "the first member in line about as often as a random order does (95 of 208 split "
        "households over 40 seeds, 96.6 expected); the Mesa side now queues a household's "
        "members in a random order. (2) The test took households for independent draws, but "
        "the queue couples them: whether a household is still in line at the end of an hour "
        f"depends on how many others arrived that hour ({setting.throughput_per_hour} people "
        "pass an hour; bursts of departures after heavy shelling exceed it) and on the queue "
        "tickets, so a queue forms in different hours from one run to the next, and counted "
        "apart the test rejects even the columns against themselves with other decision "
        "draws (last line of the list above). Queued households are therefore counted with "
        "the screened (both reached the crossing). With both changes, in separate runs not "
        "repeated by this command, Mesa against the columns was not rejected on any of 14 "
        "further seed triples (seeds 3-44); counted apart it was rejected on 4 of them, no "
        "more often than the columns against themselves. The crossing is open every hour "
        "here, so `decide_and_apply` computes every settled household's way out every hour; "
        "in the default scenario crossings are open a few hours a day, so its hours are "
        "cheaper per person than these.",
    ]
    if full:
        lines += [
            "",
            f"Columns alone at full scale ({full[0].agent_steps // setting.hours:,} people, "
            f"{setting.hours} hours, same map, seeds {seeds}): step time "
            f"{sum(r.step_s for r in full):.2f} s in all, "
            f"{1000 * sum(r.step_s for r in full) / (len(full) * setting.hours):.2f} ms an hour, "
            f"{rate(full):,.0f} agent-steps/s (set-up {sum(r.setup_s for r in full):.2f} s).",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--hours", type=int, default=48)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--full-people", type=int, default=FULL_SCALE_PEOPLE, help="0: skip the columns alone"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="columns runs per seed (median kept)"
    )
    parser.add_argument(
        "--null-trials",
        type=int,
        default=20,
        help="columns-vs-columns trials checking the test's false rejections (0: skip)",
    )
    parser.add_argument("--out", type=Path, help="write the markdown report here")
    args = parser.parse_args()
    setting = Setting(people=args.people, hours=args.hours)
    seeds = list(range(args.seeds))
    print(describe_machine(), flush=True)
    result = compare(setting, seeds, args.repeats)
    null = (
        null_rejections(setting, args.null_trials, 1000, len(seeds)) if args.null_trials else None
    )
    full = (
        full_scale_columns(replace(setting, people=args.full_people), seeds, args.repeats)
        if args.full_people
        else []
    )
    command = "python " + " ".join(
        [str(Path(sys.argv[0]).as_posix()) if i == 0 else a for i, a in enumerate(sys.argv)]
    )
    text = report(setting, seeds, result, full, command, null)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
