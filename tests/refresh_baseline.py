"""Rewrite the regression baseline: ``python -m tests.refresh_baseline``.

Run it only when a change of model behaviour is intended, and say so in the commit message.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim import outcomes as o
from sim.model import SiegeModel
from tests.conftest import run_model, small_config

BASELINE = Path(__file__).parent / "baseline" / "small_default_seed0.json"
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


def fingerprint(model: SiegeModel) -> dict:
    """End-of-day integer series and the event log: what the baseline pins down."""
    ts = model.recorder.timeseries()
    end_of_day = ts[ts[o.HOUR.name] == 23]
    events = model.events.table()
    return {
        "config": "tests/conftest.py SMALL, seed 0",
        "daily": {c: [int(v) for v in end_of_day[c]] for c in DAILY_COLUMNS},
        "events": [f"{r.step} {r.kind} {r.actor} {r.place}" for r in events.itertuples()],
    }


def main() -> None:
    BASELINE.parent.mkdir(exist_ok=True)
    BASELINE.write_text(json.dumps(fingerprint(run_model(small_config())), indent=1) + "\n")
    print(f"wrote {BASELINE}")


if __name__ == "__main__":
    main()
