"""Rewrite the regression baseline: ``python -m tests.refresh_baseline``.

Run it only when a change of model behaviour is intended, and say so in the commit message.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.model import SiegeModel
from tests.conftest import run_model, small_config

BASELINE = Path(__file__).parent / "baseline" / "small_default_seed0.json"
DAILY_COLUMNS = (
    "remaining",
    "left_via_crossing_cum",
    "left_by_capture_cum",
    "killed_cum",
    "left_via_deal_corridor_cum",
    "bussed_north_cum",
    "in_collective_shelter",
    "released_from_shelters_cum",
    "rebel_cells",
    "pockets",
)


def fingerprint(model: SiegeModel) -> dict:
    """End-of-day integer series and the event log: what the baseline pins down."""
    ts = model.recorder.timeseries()
    end_of_day = ts[ts["hour"] == 23]
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
