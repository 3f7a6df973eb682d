"""Rewrite the regression baselines: ``python -m tests.refresh_baseline``.

Run it only when a change of model behaviour is intended, and say so in the commit message.

Two reduced runs (``tests/conftest.py`` ``SMALL``, seed 0) are pinned, each in its own file
under ``tests/baseline/``: the default scenario (:data:`DEFAULT`), and one where the logistics
limits bind (:data:`LIMITS_BIND`): queues at the crossing and for the buses and corridors,
reception sites over their places, hunger rising as the food runs out.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from sim import outcomes as o
from sim.model import SiegeModel
from tests.conftest import run_model, small_config

BASELINE_DIR = Path(__file__).parent / "baseline"


@dataclass(frozen=True)
class Baseline:
    """One pinned run: the reduced Ghouta (``SMALL``) with ``overrides``, seed 0."""

    name: str
    overrides: tuple[str, ...]

    @property
    def path(self) -> Path:
        return BASELINE_DIR / f"{self.name}.json"

    @property
    def described(self) -> str:
        extra = "".join(f" {override}" for override in self.overrides)
        return f"tests/conftest.py SMALL{extra}, seed 0"


DEFAULT = Baseline("small_default_seed0", ())
LIMITS_BIND = Baseline(
    "small_limits_bind_seed0",
    (
        "logistics=restricted",  # a third of the buses, slow screening, no aid convoys
        "reception.capacity_scale=0.2",  # a fifth of the sites' places: they overflow
        "crossings.0.throughput_per_hour=40",  # Wafideen at a tenth of restricted: it queues
    ),
)
BASELINES = (DEFAULT, LIMITS_BIND)
BASELINE = DEFAULT.path
"""The default run's file (the first baseline, kept under its old name)."""

DAILY_COLUMNS = tuple(
    outcome.name
    for outcome in (
        o.REMAINING,
        o.LEFT_ENCLAVE_CUM,
        o.LEFT_VIA_CROSSING_CUM,
        o.LEFT_VIA_FRONT_CUM,
        o.STAYED_UNDER_GOVERNMENT_CUM,
        o.KILLED_CUM,
        o.LEFT_VIA_DEAL_CORRIDOR_CUM,
        o.BUSSED_NORTH_CUM,
        o.BUSSED_NORTH_FIGHTERS_CUM,
        o.IN_COLLECTIVE_SHELTER,
        o.RELEASED_FROM_SHELTERS_CUM,
        o.REBEL_CELLS,
        o.POCKETS,
    )
)
"""End-of-day integer series pinned since the first baseline (kept as they were)."""

LIMIT_OUTCOMES = (
    o.QUEUED,
    o.AWAITING_BUS,
    o.AWAITING_CORRIDOR,
    o.SCREENING,
    o.DETAINED,
    o.QUEUE,  # one column per crossing
    o.SHELTER,  # one column per reception site
    o.OVERCROWDING_ALL_SITES,
    o.HUNGER_MEAN_INSIDE,
    o.FOOD_STOCK_PERSON_DAYS,
)
"""End-of-day series of the limits: queues, per-site occupancy, hunger and food stock."""

DECIMALS = 6
"""Fractional outcomes (hunger, food stock, overcrowding) are pinned to this many decimals."""


def limit_columns(model: SiegeModel) -> list[str]:
    """The run's columns of :data:`LIMIT_OUTCOMES`, families expanded, in table order."""
    layout = o.TIMESERIES.layout(model.recorder.members)
    return [column.name for column in layout if column.outcome in LIMIT_OUTCOMES]


def _value(value: float) -> int | float | None:
    """An integer stays an integer; a fraction is rounded; empty (NaN) is None."""
    if math.isnan(value):
        return None
    if float(value).is_integer():
        return int(value)
    return round(float(value), DECIMALS)


def fingerprint(model: SiegeModel, baseline: Baseline = DEFAULT) -> dict:
    """End-of-day series and the event log: what a baseline pins down."""
    ts = model.recorder.timeseries()
    end_of_day = ts[ts[o.HOUR.name] == 23]
    events = model.events.table()
    return {
        "config": baseline.described,
        "daily_limits": {c: [_value(v) for v in end_of_day[c]] for c in limit_columns(model)},
        "daily": {c: [int(v) for v in end_of_day[c]] for c in DAILY_COLUMNS},
        "events": [f"{r.step} {r.kind} {r.actor} {r.place}" for r in events.itertuples()],
    }


def baseline_run(baseline: Baseline) -> SiegeModel:
    return run_model(small_config(*baseline.overrides))


def main() -> None:
    BASELINE_DIR.mkdir(exist_ok=True)
    for baseline in BASELINES:
        text = json.dumps(fingerprint(baseline_run(baseline), baseline), indent=1) + "\n"
        baseline.path.write_text(text)
        print(f"wrote {baseline.path}")


if __name__ == "__main__":
    main()
