"""The main parameters of a concrete config, as declared next to their fields in ``sim.params``.

``sim.params`` declares each main field with :func:`sim.params.declared` (unit, plausible
bounds, meaning). Here a concrete :class:`~sim.params.SimConfig` is walked for them, giving
one :class:`Parameter` per declared value under its dotted config key, as on the command line:
items of lists by index (``crossings.0.throughput_per_hour``), of mappings by key
(``factions.jaish_al_islam.cohesion``). ``python run.py --help`` and sensitivity studies
read them here, and so can calibration or sliders: :func:`value_at` and :func:`with_value`
read and set any config key (the new config validated like any other).
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sim.params import DECLARATION, ConfigError, Declaration, SimConfig, build, to_dict


class UndeclaredKeyError(ConfigError):
    """A config key exists but has no declaration (unit, bounds) in ``sim.params``."""


@dataclass(frozen=True)
class Parameter:
    """A config key with its unit, its plausible bounds, its meaning and its value.

    ``value`` is the value in the config it was read from (the default scenario's, or the
    current one). Parameters not declared in ``sim.params`` have an empty unit and meaning.
    """

    key: str
    low: float
    high: float
    integer: bool = False
    unit: str = ""
    meaning: str = ""
    value: float | None = None

    def __post_init__(self) -> None:
        if not self.key:
            raise ConfigError("parameter key: must not be empty")
        finite = math.isfinite(self.low) and math.isfinite(self.high)
        if not (finite and self.low < self.high):
            raise ConfigError(
                f"{self.key}: bounds must be finite with low < high, got [{self.low}, {self.high}]"
            )

    @property
    def declared(self) -> bool:
        """Whether ``sim.params`` declares this parameter (it has a unit and a meaning)."""
        return bool(self.unit)

    def narrowed(self, low: float | None = None, high: float | None = None) -> Parameter:
        """The same parameter between ``low`` and ``high``, which must lie within its bounds."""
        low = self.low if low is None else low
        high = self.high if high is None else high
        if not (self.low <= low and high <= self.high):
            raise ConfigError(
                f"{self.key}: bounds [{low}, {high}] go outside the declared range "
                f"[{self.low}, {self.high}] ({self.unit})"
            )
        return dataclasses.replace(self, low=low, high=high)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies within the bounds (inclusive)."""
        return self.low <= value <= self.high


def parameters(config: SimConfig) -> Iterator[Parameter]:
    """Every declared parameter of ``config``, in the order of the fields."""
    yield from _walk(config, "")


def _walk(obj: Any, prefix: str) -> Iterator[Parameter]:
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        key = f"{prefix}{f.name}"
        if DECLARATION in f.metadata:
            yield _parameter(key, f.metadata[DECLARATION], hints[f.name], value)
        elif dataclasses.is_dataclass(value):
            yield from _walk(value, f"{key}.")
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if dataclasses.is_dataclass(item):
                    yield from _walk(item, f"{key}.{i}.")
        elif isinstance(value, dict):
            for name, item in value.items():
                if dataclasses.is_dataclass(item):
                    yield from _walk(item, f"{key}.{name}.")


def _parameter(key: str, declaration: Declaration, annotation: Any, value: Any) -> Parameter:
    if annotation not in (int, float):
        raise TypeError(f"{key}: only int and float fields can be declared, not {annotation!r}")
    return Parameter(
        key=key,
        low=declaration.low,
        high=declaration.high,
        integer=annotation is int,
        unit=declaration.unit,
        meaning=declaration.meaning,
        value=value,
    )


def parameter(config: SimConfig, key: str) -> Parameter:
    """The declared parameter at ``key``.

    A ConfigError naming the key if it is not in ``config`` (with close matches), an
    :class:`UndeclaredKeyError` if it is but has no declaration.
    """
    found = {p.key: p for p in parameters(config)}
    if key in found:
        return found[key]
    if _exists(config, key):
        raise UndeclaredKeyError(f"{key}: has no declared unit and bounds (see sim/params/)")
    close = difflib.get_close_matches(key, list(found), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ConfigError(f"{key}: not a config key{hint} (python run.py --help lists the main ones)")


def _exists(config: SimConfig, key: str) -> bool:
    try:
        value_at(config, key)
    except ConfigError:
        return False
    return True


def value_at(config: SimConfig, key: str) -> Any:
    """The value at dotted ``key`` (list items by index); a ConfigError naming a bad key."""
    node: Any = config
    for depth, part in enumerate(key.split(".")):
        where = ".".join(key.split(".")[: depth + 1])
        if dataclasses.is_dataclass(node) and part in {f.name for f in dataclasses.fields(node)}:
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, tuple) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise ConfigError(f"{where}: not a config key")
    return node


def with_value(config: SimConfig, key: str, value: Any) -> SimConfig:
    """A copy of ``config`` with ``value`` at dotted ``key``, validated like any config."""
    value_at(config, key)  # refuses an unknown key by name
    raw = to_dict(config)
    *parents, last = key.split(".")
    node = raw
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return build(SimConfig, raw)
