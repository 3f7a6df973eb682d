"""The error, the check helpers and the field declarations shared by every parameter module.

The ``_``-prefixed helpers are private to the ``sim.params`` package: each raises
:class:`ConfigError` with the field's name, which :func:`sim.params.build` prefixes with the
field's dotted path.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """A parameter is invalid; the message starts with the field's dotted path."""


def _require(ok: bool, name: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"{name}: {message}")


def _positive(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        _require(math.isfinite(value) and value > 0, name, f"must be > 0, got {value!r}")


def _non_negative(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        _require(math.isfinite(value) and value >= 0, name, f"must be >= 0, got {value!r}")


def _non_negative_values(mapping: Mapping[str, float], name: str) -> None:
    """Every value of a key -> number mapping is finite and >= 0 (error names the key)."""
    for key, value in mapping.items():
        ok = math.isfinite(value) and value >= 0
        _require(ok, f"{name}.{key}", f"must be >= 0, got {value!r}")


def _probability(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        _require(0.0 <= value <= 1.0, name, f"must be a probability in [0, 1], got {value!r}")


def _unique_names(names: list[str], where: str) -> None:
    seen: set[str] = set()
    for name in names:
        _require(name not in seen, where, f"duplicate name {name!r}")
        seen.add(name)


DECLARATION = "declaration"
"""Key of a field's :class:`Declaration` in its ``dataclasses.field`` metadata."""


@dataclass(frozen=True)
class Declaration:
    """What a main parameter means, its unit, and the range it plausibly takes.

    The bounds are for sweeps, calibration, sensitivity studies and sliders; the validity
    checks in ``__post_init__`` are separate (and wider). Whether values are integers follows
    from the field's type. ``sim.declared`` walks a config for these.
    """

    unit: str
    low: float
    high: float
    meaning: str

    def __post_init__(self) -> None:
        if not (self.unit and self.meaning):
            raise ValueError(f"a declaration needs a unit and a meaning, got {self!r}")
        if not (math.isfinite(self.low) and math.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"a declaration needs finite bounds low < high, got {self!r}")


def declared(
    default: Any = dataclasses.MISSING, *, unit: str, low: float, high: float, meaning: str
) -> Any:
    """A dataclass field carrying a :class:`Declaration`; no ``default``: a required field."""
    return field(default=default, metadata={DECLARATION: Declaration(unit, low, high, meaning)})
