"""Validation against the record: every target of ``calibration_targets.csv`` next to the
model's value on its date, written as ``validation.csv`` by every run.

A target is compared with the model's value at the end of its day. A target dated after the
run's last hour is compared with the run's final value and marked so
(``compared_at = "run end"``): a 55-day run cannot reach OCHA's May figures, and says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim import outcomes as o
from sim.clock import HOURS_PER_DAY
from sim.tables import CalibrationTarget

TARGET_OUTCOMES: dict[str, o.Outcome] = {
    "cumulative_left_enclave": o.LEFT_ENCLAVE_CUM,
    "cumulative_to_government_shelters": o.TO_GOVERNMENT_SHELTERS_CUM,
    "cumulative_bussed_north": o.BUSSED_NORTH_CUM,
    "civilian_deaths_campaign_total": o.KILLED_CUM,
}
"""Which model outcome measures each quantity of the targets file, as its source counts it."""

WORDS: dict[str, str] = {
    "cumulative_left_enclave": "left the enclave",
    "cumulative_to_government_shelters": "to government shelters",
    "cumulative_bussed_north": "bussed north",
    "civilian_deaths_campaign_total": "civilians killed",
}

COLUMNS = [
    "date",
    "day",
    "quantity",
    "outcome",
    "target",
    "low",
    "high",
    "model",
    "relative_difference",
    "within_range",
    "compared_at",
    "source",
]


def outcome_of(quantity: str) -> o.Outcome:
    """The model outcome for a target quantity; an unknown quantity is refused by name."""
    try:
        return TARGET_OUTCOMES[quantity]
    except KeyError:
        raise KeyError(
            f"calibration target quantity {quantity!r} has no model outcome; known: "
            f"{sorted(TARGET_OUTCOMES)}"
        ) from None


def validate(
    ts: pd.DataFrame, targets: Sequence[CalibrationTarget], start: pd.Timestamp
) -> pd.DataFrame:
    """One row per target: the model's value on its date (or at the run's end), the relative
    difference (model / target - 1) and whether the model lies within the target's range."""
    rows = []
    last = len(ts) - 1
    for target in targets:
        outcome = outcome_of(target.quantity)
        step = target.day * HOURS_PER_DAY + HOURS_PER_DAY - 1
        after_end = step > last
        model = float(ts[outcome.name].iloc[min(step, last)])
        rows.append(
            {
                "date": (start + pd.Timedelta(days=target.day)).date().isoformat(),
                "day": target.day,
                "quantity": target.quantity,
                "outcome": outcome.name,
                "target": target.value,
                "low": target.low,
                "high": target.high,
                "model": model,
                "relative_difference": round(model / target.value - 1.0, 4)
                if target.value
                else np.nan,
                "within_range": bool(target.low <= model <= target.high),
                "compared_at": "run end" if after_end else "day end",
                "source": target.source,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def validation_lines(table: pd.DataFrame) -> list[str]:
    """``2 Apr 2018 (day 43): left the enclave 171,795 vs OCHA ... 133,000 (+29%)``."""
    lines = []
    for r in table.itertuples():
        date = pd.Timestamp(r.date).strftime("%-d %b %Y")
        when = f"{date} (day {r.day})"
        if r.compared_at == "run end":
            when += " [after the run: its final value]"
        sign = f"{r.relative_difference:+.0%}" if np.isfinite(r.relative_difference) else "n/a"
        mark = "in range" if r.within_range else "out of range"
        lines.append(
            f"{when}: {WORDS[r.quantity]} {r.model:,.0f} vs {r.source} {r.target:,.0f} "
            f"({sign}; {mark} {r.low:,.0f}-{r.high:,.0f})"
        )
    return lines
