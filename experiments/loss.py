"""The calibration loss: how far a candidate's runs lie from the calibration targets.

For each target of ``calibration_targets.csv``, the model's value on the target's date is read
from each run (seed) by :func:`sim.validation.validate` and averaged over the seeds (the mean
of simulated values, as in the simulated method of moments; the targets table shows the same
mean). Its error against the target is, by ``error``:

- ``log_ratio`` (default): ``ln(model / target)``. Scale-free and symmetric: a model at half
  the target is as far off as one at twice it, whether the target is 1,700 deaths or 133,000
  people who left. A model value below ``zero_floor_share`` x target counts as that floor, so
  a run where nobody left costs ``ln(zero_floor_share)`` (about -4.6), not minus infinity.
- ``scaled_difference``: ``(model - target) / spread``, with spread = max(half the target's
  range, ``spread_floor_share`` x target). Uses the sources' ranges, but a target given as an
  exact count (OCHA's 49,414 bussed north) then weighs as much as its floor says, and the
  narrowest stated range dominates: it measures reporting precision, not the uncertainty of
  the comparison. Hence not the default.

With ``per_run``, each target's error is instead taken run by run and its root mean square
over the seeds is kept: the loss is then the squared bias plus the spread between seeds, so it
rewards candidates whose every run comes close to the record, not only their average. (A
teacher shows one run; a check averages five. With the mean alone, a candidate whose runs
straddle the target, half far above and half far below, scores as well as one whose runs all
sit on it.)

The loss is the mean of the squared errors over the targets used. A target dated after the
run's last day is compared, by ``validate``, with the run's final value; it is left out of the
loss unless ``include_targets_after_run_end`` (a 55-day run cannot reach OCHA's May figures,
and its final value would pull the fit toward them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from sim.clock import HOURS_PER_DAY
from sim.params import ConfigError
from sim.tables import CalibrationTarget

ErrorKind = Literal["log_ratio", "scaled_difference"]
ERRORS: tuple[str, ...] = ("log_ratio", "scaled_difference")


@dataclass(frozen=True)
class LossSettings:
    """How each target's error is measured, and which targets count."""

    error: ErrorKind = "log_ratio"
    include_targets_after_run_end: bool = False
    zero_floor_share: float = 0.01
    """``log_ratio``: model values below this share of the target count as this share."""
    spread_floor_share: float = 0.1
    """``scaled_difference``: the spread is at least this share of the target."""
    per_run: bool = False
    """Each target's error is the root mean square of the runs' errors (not the error of
    the runs' mean): the loss counts the spread between seeds as well as the bias."""

    def __post_init__(self) -> None:
        if self.error not in ERRORS:
            raise ConfigError(f"loss.error: must be one of {list(ERRORS)}, got {self.error!r}")
        for name in ("include_targets_after_run_end", "per_run"):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise ConfigError(f"loss.{name}: must be true or false, got {value!r}")
        for name in ("zero_floor_share", "spread_floor_share"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
                raise ConfigError(f"loss.{name}: must be a number in (0, 1), got {value!r}")


def reached(target: CalibrationTarget, days: int) -> bool:
    """Whether a run of ``days`` days reaches the end of the target's day."""
    return target.day * HOURS_PER_DAY + HOURS_PER_DAY - 1 < days * HOURS_PER_DAY


def used_targets(
    targets: Sequence[CalibrationTarget], days: int, settings: LossSettings
) -> list[bool]:
    """For each target, whether it counts in the loss of runs of ``days`` days.

    Refuses (ConfigError) targets the chosen error cannot measure, and a loss with no target.
    """
    used = [settings.include_targets_after_run_end or reached(t, days) for t in targets]
    for target, use in zip(targets, used, strict=True):
        if not use:
            continue
        if settings.error == "log_ratio" and target.value <= 0:
            raise ConfigError(
                f"targets: {target.quantity} on day {target.day} is {target.value}; "
                "loss.error log_ratio needs positive targets (use scaled_difference)"
            )
        no_spread = target.value <= 0 and target.high <= target.low
        if settings.error == "scaled_difference" and no_spread:
            raise ConfigError(
                f"targets: {target.quantity} on day {target.day} has no spread "
                "(zero value and zero range)"
            )
    if not any(used):
        last = max(t.day for t in targets)
        raise ConfigError(
            f"loss.include_targets_after_run_end: no target falls within a {days}-day run "
            f"(days 0-{days - 1}; targets up to day {last}): run longer, or set it to true"
        )
    return used


def error(model: float, target: CalibrationTarget, settings: LossSettings) -> float:
    """The error of one (seed-averaged) model value against one target."""
    if settings.error == "log_ratio":
        floor = settings.zero_floor_share * target.value
        return math.log(max(model, floor) / target.value)
    spread = max((target.high - target.low) / 2, settings.spread_floor_share * target.value)
    return (model - target.value) / spread


def target_table(
    validations: Sequence[pd.DataFrame],
    targets: Sequence[CalibrationTarget],
    used: Sequence[bool],
    settings: LossSettings,
) -> pd.DataFrame:
    """One row per target: its range, the model over the seeds (mean, min, max), the relative
    difference of the mean, whether the mean is in range, whether it counts, and its error
    (of the mean; with ``settings.per_run`` the root mean square of the runs' errors).

    ``validations``: one :func:`sim.validation.validate` table per seed, targets in order.
    """
    if not validations:
        raise ValueError("no run to compare with the targets")
    models = np.column_stack([v["model"].to_numpy(float) for v in validations])
    first = validations[0]
    means = models.mean(axis=1)
    rows = []
    for i, (target, use) in enumerate(zip(targets, used, strict=True)):
        mean = float(means[i])
        rows.append(
            {
                "date": first["date"].iloc[i],
                "day": target.day,
                "quantity": target.quantity,
                "outcome": first["outcome"].iloc[i],
                "target": target.value,
                "low": target.low,
                "high": target.high,
                "model_mean": mean,
                "model_min": float(models[i].min()),
                "model_max": float(models[i].max()),
                "relative_difference": mean / target.value - 1.0 if target.value else np.nan,
                "within_range": bool(target.low <= mean <= target.high),
                "compared_at": first["compared_at"].iloc[i],
                "used_in_loss": bool(use),
                "error": _target_error(models[i], mean, target, settings) if use else np.nan,
                "source": target.source,
            }
        )
    return pd.DataFrame(rows)


def _target_error(
    runs: np.ndarray, mean: float, target: CalibrationTarget, settings: LossSettings
) -> float:
    """A target's error: of the runs' ``mean``, or (``per_run``) the root mean square of the
    errors of the ``runs``."""
    if not settings.per_run:
        return error(mean, target, settings)
    return math.sqrt(float(np.mean([error(float(v), target, settings) ** 2 for v in runs])))


def loss(table: pd.DataFrame) -> float:
    """The mean squared error over the targets used (a :func:`target_table`)."""
    errors = table.loc[table["used_in_loss"], "error"].to_numpy(float)
    return float(np.mean(errors**2))
