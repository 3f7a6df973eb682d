"""Every column of the output tables, declared once: name, unit and meaning.

:data:`TIMESERIES` lists the columns of ``timeseries.csv`` and :data:`DISTRICTS` those of
``districts.csv``, in output order; :data:`TOTALS` are the per-day totals of ``summary.json``
(``final``, ``day_43``). Everyone else reads column names from here: a constant (the column
name upper-cased; a family's prefix, e.g. ``QUEUE`` for ``queue_<crossing>``; ``districts.csv``'s
own quantities prefixed ``DISTRICT_``) or a catalogue lookup, ``TIMESERIES["queue"]``, which
raises on a name nobody declared.

A family (``per`` set) is one column per faction, crossing, site or district of the run, named
``<prefix>_<slug of its name>``. Consecutive outcomes of one family form a block written member
by member: ``cells_a, fighters_a, ..., cells_b, fighters_b, ...``.

Adding a metric: declare what the model records each step in ``sim.recorder.QUANTITIES``, pass
its value by name in ``SiegeModel._phase_record``, and declare its column here. A quantity with
the name and shape of its column is copied as is; any other column is derived in
``Recorder.timeseries`` (which refuses values for undeclared outcomes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum

SCHEMA_VERSION = 4
"""Bumped on any change of the output tables' columns; written into summary.json."""


class Per(Enum):
    """What a family of columns has one column for."""

    FACTION = "faction"
    CROSSING = "crossing"
    SITE = "site"
    """Reception site."""
    DISTRICT = "district"


class Unit(StrEnum):
    """Units, as words. Those counting persons are in :data:`PEOPLE_UNITS`."""

    PEOPLE = "people"
    PEOPLE_PER_HOUR = "people per hour"
    FIGHTERS = "fighters"
    """Fighters are numbers of each faction, not civilian agents: not in PEOPLE_UNITS."""
    HOURS = "hours"
    DAYS = "days"
    DATE = "date and time"
    HOUR_OF_DAY = "hour of day 0-23"
    NAME = "name"
    CELLS = "cells"
    POCKETS = "pockets"
    STRIKES_PER_HOUR = "strikes per hour"
    BUSES = "buses"
    TRIPS = "trips"
    SEATS = "seats"
    PERSON_DAYS = "person-days"
    INDEX_0_1 = "index 0-1"
    STAGE = "stage name"
    TRUE_FALSE = "true/false"
    PEOPLE_PER_PLACE = "people per place"


PEOPLE_UNITS = frozenset({Unit.PEOPLE, Unit.PEOPLE_PER_HOUR})
"""Units that count persons (:attr:`Outcome.counts_people`)."""

SCALED_UNITS = PEOPLE_UNITS | {
    Unit.FIGHTERS,
    Unit.BUSES,
    Unit.TRIPS,
    Unit.SEATS,
    Unit.PERSON_DAYS,
}
"""Units of counts that a population scale divides (:mod:`sim.scale`: one agent for N people,
fighters, buses and rations divided alike): their outcomes are multiplied by N when the tables
are made (:attr:`Outcome.scales`), so every table speaks of real numbers. Ratios (people per
place, food days) and counts of strikes, cells and hours are the same at any scale."""


def slug(name: str) -> str:
    """``"Hay'at Tahrir al-Sham"`` -> ``"hayat_tahrir_al_sham"``: a column-name fragment."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower().replace("'", "")).strip("_")


@dataclass(frozen=True)
class Outcome:
    """One output column, or one family of columns (``per`` set; ``name`` is their prefix)."""

    name: str
    unit: Unit
    meaning: str
    per: Per | None = None
    cumulative: bool = False
    """A running total since the start (never decreases)."""
    only_with: Per | None = None
    """Written only if the run has at least one of these (e.g. a reception site)."""

    @property
    def scales(self) -> bool:
        """Multiplied by ``people_per_agent`` in the tables (see :data:`SCALED_UNITS`)."""
        return self.unit in SCALED_UNITS

    @property
    def counts_people(self) -> bool:
        """Its unit counts persons (see :data:`PEOPLE_UNITS`)."""
        return self.unit in PEOPLE_UNITS

    def column(self, member: str) -> str:
        """A family's column for one member: ``QUEUE.column("Wafideen")`` is ``queue_wafideen``."""
        if self.per is None:
            raise ValueError(f"outcome {self.name!r} is one column, not a family per member")
        return f"{self.name}_{slug(member)}"


@dataclass(frozen=True)
class Column:
    """One column of a run's table: its name, outcome and member index (None if no family)."""

    name: str
    outcome: Outcome
    member: int | None


class Catalogue:
    """The outcomes of one table, in output order, looked up by name."""

    def __init__(self, file: str, outcomes: Sequence[Outcome]) -> None:
        self.file = file
        self.outcomes = tuple(outcomes)
        self._by_name = {o.name: o for o in self.outcomes}
        if len(self._by_name) != len(self.outcomes):
            names = [o.name for o in self.outcomes]
            twice = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"{file}: outcomes declared twice: {twice}")

    def __iter__(self) -> Iterator[Outcome]:
        return iter(self.outcomes)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Outcome:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{name!r} is not an outcome of {self.file} (sim/outcomes.py)") from None

    def layout(self, members: Mapping[Per, Sequence[str]]) -> list[Column]:
        """The table's columns for a run with these members (names, not slugs) of each kind."""
        columns: list[Column] = []
        i = 0
        while i < len(self.outcomes):
            outcome = self.outcomes[i]
            if outcome.per is None:
                if outcome.only_with is None or members[outcome.only_with]:
                    columns.append(Column(outcome.name, outcome, None))
                i += 1
                continue
            block = [outcome]
            while i + len(block) < len(self.outcomes):
                following = self.outcomes[i + len(block)]
                if following.per is not outcome.per:
                    break
                block.append(following)
            for k, member in enumerate(members[outcome.per]):
                columns += [Column(o.column(member), o, k) for o in block]
            i += len(block)
        return columns

    def columns(self, members: Mapping[Per, Sequence[str]]) -> list[str]:
        return [c.name for c in self.layout(members)]


# ---------------------------------------------------------------- time
STEP = Outcome("step", Unit.HOURS, "Hours since the start of the run (one step is one hour).")
DAY = Outcome("day", Unit.DAYS, "Whole days since the start of the run.")
DATE = Outcome("date", Unit.DATE, "Date and hour of the step's start.")
HOUR = Outcome("hour", Unit.HOUR_OF_DAY, "Hour of the day.")

# ---------------------------------------------------------------- people by state
# In sim.civilians.CivilianState order (checked by the recorder); the first five are inside.
AT_HOME = Outcome("at_home", Unit.PEOPLE, "People at home inside the enclave.")
SHELTERING = Outcome(
    "sheltering", Unit.PEOPLE, "People in basements and shelters inside the enclave."
)
MOVING = Outcome("moving", Unit.PEOPLE, "People walking towards a crossing.")
QUEUED = Outcome(
    "queued", Unit.PEOPLE, "People queued at a crossing or to walk out across the front."
)
AWAITING_CORRIDOR = Outcome(
    "awaiting_corridor",
    Unit.PEOPLE,
    "People who chose government shelters under a deal, waiting their turn at its corridor.",
)
AWAITING_BUS = Outcome(
    "awaiting_bus",
    Unit.PEOPLE,
    "People who chose the buses north under a deal, waiting for a seat.",
)
SCREENING = Outcome(
    "screening",
    Unit.PEOPLE,
    "People out by a crossing or deal corridor, held for security screening.",
)
IN_COLLECTIVE_SHELTER = Outcome(
    "in_collective_shelter", Unit.PEOPLE, "Screened people placed in a reception site."
)
IN_GOVERNMENT_AREA = Outcome(
    "in_government_area",
    Unit.PEOPLE,
    "People under government control outside the reception sites (captured, sponsored out, "
    "screened with no site, or medically evacuated).",
)
BUSSED_NORTH = Outcome("bussed_north", Unit.PEOPLE, "Civilians carried north on the deals' buses.")
KILLED = Outcome(
    "killed", Unit.PEOPLE, "Civilians killed (by shelling, infighting, or waiting for medevac)."
)
STATES = (
    AT_HOME,
    SHELTERING,
    MOVING,
    QUEUED,
    AWAITING_BUS,
    AWAITING_CORRIDOR,
    SCREENING,
    IN_COLLECTIVE_SHELTER,
    IN_GOVERNMENT_AREA,
    BUSSED_NORTH,
    KILLED,
)
"""People by state, in ``CivilianState`` order."""

# ---------------------------------------------------------------- flows out
REMAINING = Outcome(
    "remaining", Unit.PEOPLE, "People still inside the enclave (the first six states)."
)
LEFT_ENCLAVE_CUM = Outcome(
    "left_enclave_cum",
    Unit.PEOPLE,
    "People who left the enclave, as OCHA counts them: everyone who went out through a "
    "crossing, across the front, by a deal corridor or by medical evacuation, plus everyone "
    "bussed north, fighters included. People whose ground changed hands stayed: not counted.",
    cumulative=True,
)
TO_GOVERNMENT_SHELTERS_CUM = Outcome(
    "to_government_shelters_cum",
    Unit.PEOPLE,
    "People who went out to government screening and reception sites (crossings, across the "
    "front, deal corridors), sponsored out since or not: OCHA's 'to government shelters'.",
    cumulative=True,
)
LEFT_VIA_CROSSING_CUM = Outcome(
    "left_via_crossing_cum", Unit.PEOPLE, "Civilians who left through a crossing.", cumulative=True
)
LEFT_VIA_FRONT_CUM = Outcome(
    "left_via_front_cum",
    Unit.PEOPLE,
    "Civilians who walked out across the front line to the army's lines.",
    cumulative=True,
)
LEFT_VIA_DEAL_CORRIDOR_CUM = Outcome(
    "left_via_deal_corridor_cum",
    Unit.PEOPLE,
    "Civilians who chose government shelters under a deal and walked out through the ceasefire "
    "lines.",
    cumulative=True,
)
LEFT_VIA_MEDEVAC_CUM = Outcome(
    "left_via_medevac_cum",
    Unit.PEOPLE,
    "Patients evacuated from the medical list to hospitals in government areas.",
    cumulative=True,
)
BUSSED_NORTH_CUM = Outcome(
    "bussed_north_cum",
    Unit.PEOPLE,
    "Everyone carried north on the deals' buses: civilians and fighters.",
    cumulative=True,
)
BUSSED_NORTH_CIVILIANS_CUM = Outcome(
    "bussed_north_civilians_cum",
    Unit.PEOPLE,
    "Civilians carried north on the deals' buses.",
    cumulative=True,
)
BUSSED_NORTH_FIGHTERS_CUM = Outcome(
    "bussed_north_fighters_cum",
    Unit.FIGHTERS,
    "Fighters carried north under deals (excluded factions' included).",
    cumulative=True,
)
STAYED_UNDER_GOVERNMENT_CUM = Outcome(
    "stayed_under_government_cum",
    Unit.PEOPLE,
    "Civilians who stayed where they were while their ground changed hands (taken, "
    "surrendered or handed over under a deal): they did not leave.",
    cumulative=True,
)
KILLED_IN_GROUND_FIGHTING_CUM = Outcome(
    "killed_in_ground_fighting_cum",
    Unit.PEOPLE,
    "Civilians killed on cells taken by assault (part of killed_cum).",
    cumulative=True,
)
KILLED_CUM = Outcome(
    "killed_cum", Unit.PEOPLE, "Civilians killed (same as `killed`).", cumulative=True
)

# ---------------------------------------------------------------- war and deals
STRIKES = Outcome("strikes", Unit.STRIKES_PER_HOUR, "Shell strikes on the enclave this hour.")
REBEL_CELLS = Outcome("rebel_cells", Unit.CELLS, "Map cells held by the armed opposition.")
POCKETS = Outcome("pockets", Unit.POCKETS, "Separate connected areas held by the armed opposition.")
CEASEFIRE_CELLS = Outcome(
    "ceasefire_cells", Unit.CELLS, "Cells under the ceasefire of an open deal."
)
BUSES_ON_ROAD = Outcome(
    "buses_on_road",
    Unit.BUSES,
    "Buses not yet free again: sent in the last loading_hours + round_trip_hours steps, this "
    "one included.",
)
BUS_TRIPS_CUM = Outcome("bus_trips_cum", Unit.TRIPS, "Bus trips north, all deals.", cumulative=True)
BUS_SEATS_FILLED_CUM = Outcome(
    "bus_seats_filled_cum",
    Unit.SEATS,
    "Seats taken on those trips, by fighters and civilians.",
    cumulative=True,
)

# ---------------------------------------------------------------- per faction (key)
CELLS = Outcome("cells", Unit.CELLS, "Map cells the faction holds.", per=Per.FACTION)
FIGHTERS = Outcome(
    "fighters", Unit.FIGHTERS, "The faction's fighters still in the enclave.", per=Per.FACTION
)
COHESION = Outcome("cohesion", Unit.INDEX_0_1, "The faction's cohesion.", per=Per.FACTION)
MORALE = Outcome("morale", Unit.INDEX_0_1, "The faction's morale.", per=Per.FACTION)
STAGE = Outcome(
    "stage",
    Unit.STAGE,
    "The faction's stage: fighting, talking, evacuating or ended.",
    per=Per.FACTION,
)

# ---------------------------------------------------------------- per crossing (slugged name)
OPEN = Outcome(
    "open",
    Unit.TRUE_FALSE,
    "The crossing is open this hour (scheduled open and not shut for the day).",
    per=Per.CROSSING,
)
SHUT = Outcome(
    "shut",
    Unit.TRUE_FALSE,
    "The crossing is shut for the whole day by a random closure, pause or not.",
    per=Per.CROSSING,
)
QUEUE = Outcome("queue", Unit.PEOPLE, "People queueing at the crossing.", per=Per.CROSSING)
CROSSED = Outcome(
    "crossed", Unit.PEOPLE_PER_HOUR, "People who crossed this hour.", per=Per.CROSSING
)
MEAN_WAIT_HOURS = Outcome(
    "mean_wait_hours",
    Unit.HOURS,
    "Mean time queued of those who crossed this hour; empty if nobody did.",
    per=Per.CROSSING,
)

# ---------------------------------------------------------------- food, reception, medevac
HUNGER_MEAN_INSIDE = Outcome(
    "hunger_mean_inside",
    Unit.INDEX_0_1,
    "Districts' hunger weighted by their people inside; empty once nobody is inside.",
)
FOOD_STOCK_PERSON_DAYS = Outcome(
    "food_stock_person_days", Unit.PERSON_DAYS, "Food stock of all districts."
)
RELEASED_FROM_SHELTERS_CUM = Outcome(
    "released_from_shelters_cum",
    Unit.PEOPLE,
    "People sponsored out of the reception sites.",
    cumulative=True,
)
DETAINED = Outcome("detained", Unit.PEOPLE, "People held beyond screening now.")
MEDEVAC_WAITING = Outcome(
    "medevac_waiting", Unit.PEOPLE, "Patients on the medical evacuation list."
)
MEDEVAC_EVACUATED_CUM = Outcome(
    "medevac_evacuated_cum", Unit.PEOPLE, "Patients evacuated from the list.", cumulative=True
)
MEDEVAC_DIED_WAITING_CUM = Outcome(
    "medevac_died_waiting_cum", Unit.PEOPLE, "Patients who died on the list.", cumulative=True
)
OVERCROWDING_ALL_SITES = Outcome(
    "overcrowding_all_sites",
    Unit.PEOPLE_PER_PLACE,
    "People in all reception sites over all their places.",
    only_with=Per.SITE,
)

# ---------------------------------------------------------------- per reception site (slugged)
SHELTER = Outcome("shelter", Unit.PEOPLE, "People in the reception site.", per=Per.SITE)
OVERCROWDING = Outcome(
    "overcrowding", Unit.PEOPLE_PER_PLACE, "People in the site over its places.", per=Per.SITE
)

FLOWS = (
    LEFT_ENCLAVE_CUM,
    TO_GOVERNMENT_SHELTERS_CUM,
    LEFT_VIA_CROSSING_CUM,
    LEFT_VIA_FRONT_CUM,
    LEFT_VIA_DEAL_CORRIDOR_CUM,
    LEFT_VIA_MEDEVAC_CUM,
    BUSSED_NORTH_CUM,
    BUSSED_NORTH_CIVILIANS_CUM,
    BUSSED_NORTH_FIGHTERS_CUM,
    STAYED_UNDER_GOVERNMENT_CUM,
    KILLED_CUM,
    KILLED_IN_GROUND_FIGHTING_CUM,
)
"""Where everyone went, cumulated: in the time series after ``remaining``, and in the totals."""

TIMESERIES = Catalogue(
    "timeseries.csv",
    (
        STEP,
        DAY,
        DATE,
        HOUR,
        *STATES,
        REMAINING,
        *FLOWS,
        STRIKES,
        REBEL_CELLS,
        POCKETS,
        CEASEFIRE_CELLS,
        BUSES_ON_ROAD,
        BUS_TRIPS_CUM,
        BUS_SEATS_FILLED_CUM,
        CELLS,
        FIGHTERS,
        COHESION,
        MORALE,
        STAGE,
        OPEN,
        SHUT,
        QUEUE,
        CROSSED,
        MEAN_WAIT_HOURS,
        HUNGER_MEAN_INSIDE,
        FOOD_STOCK_PERSON_DAYS,
        RELEASED_FROM_SHELTERS_CUM,
        DETAINED,
        MEDEVAC_WAITING,
        MEDEVAC_EVACUATED_CUM,
        MEDEVAC_DIED_WAITING_CUM,
        OVERCROWDING_ALL_SITES,
        SHELTER,
        OVERCROWDING,
    ),
)
"""``timeseries.csv``: one row per step, values at the end of the step."""

# ---------------------------------------------------------------- districts.csv
DISTRICT = Outcome("district", Unit.NAME, "The home district (town) the row is about.")
DISTRICT_REMAINING = Outcome(
    "remaining", Unit.PEOPLE, "People of this home district still inside the enclave."
)
DISTRICT_FOOD_STOCK_PERSON_DAYS = Outcome(
    "food_stock_person_days", Unit.PERSON_DAYS, "The district's food stock."
)
DISTRICT_FOOD_STOCK_DAYS = Outcome(
    "food_stock_days",
    Unit.DAYS,
    "Days the stock lasts its people still inside; empty if nobody is left.",
)
DISTRICT_HUNGER = Outcome("hunger", Unit.INDEX_0_1, "Hunger of the district's people.")

DISTRICTS = Catalogue(
    "districts.csv",
    (
        STEP,
        DAY,
        DATE,
        DISTRICT,
        DISTRICT_REMAINING,
        DISTRICT_FOOD_STOCK_PERSON_DAYS,
        DISTRICT_FOOD_STOCK_DAYS,
        DISTRICT_HUNGER,
    ),
)
"""``districts.csv``: long table, one row per home district and step."""

TOTALS = (REMAINING, *FLOWS)
"""Timeseries columns whose value at a day's end is written into summary.json, in this order."""
