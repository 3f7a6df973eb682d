"""The strict loader: plain nested mappings (what Hydra/OmegaConf produces) into the frozen
parameter tree, and back (:func:`to_dict`)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

from sim.params.core import ConfigError, _require


def build(cls: type, data: Any, path: str = "") -> Any:
    """Build dataclass ``cls`` from nested mappings/lists, strictly.

    Unknown keys, missing required keys and wrongly typed values raise :class:`ConfigError`
    naming the dotted path; validation errors from ``__post_init__`` are re-raised with the
    path prefixed.
    """
    return _convert(cls, data, path)


def _convert(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    where = path or "<root>"
    if dataclasses.is_dataclass(tp):
        return _build_dataclass(tp, value, path)
    if origin is tuple:
        _require(isinstance(value, list | tuple), where, f"expected a list, got {value!r}")
        return tuple(_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        _require(isinstance(value, Mapping), where, f"expected a mapping, got {value!r}")
        return {
            _convert(args[0], k, f"{path}.<key>"): _convert(args[1], v, f"{path}.{k}")
            for k, v in value.items()
        }
    if origin in (typing.Union, types.UnionType):
        raise TypeError(f"unsupported annotation {tp!r} at {where}")
    if tp is bool:
        _require(isinstance(value, bool), where, f"expected true/false, got {value!r}")
        return value
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        _require(ok, where, f"expected an integer, got {value!r}")
        return value
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        _require(ok, where, f"expected a number, got {value!r}")
        return float(value)
    if tp is str:
        _require(isinstance(value, str), where, f"expected a string, got {value!r}")
        return value
    raise TypeError(f"unsupported annotation {tp!r} at {where}")


def _build_dataclass(cls: type, value: Any, path: str) -> Any:
    where = path or "<root>"
    _require(isinstance(value, Mapping), where, f"expected a mapping, got {value!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    prefix = f"{path}." if path else ""
    unknown = sorted(set(value) - set(fields))
    _require(not unknown, f"{prefix}{unknown[0]}" if unknown else where, "unknown key")
    kwargs = {}
    for name, f in fields.items():
        if name in value:
            kwargs[name] = _convert(hints[name], value[name], f"{prefix}{name}")
        else:
            has_default = (
                f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
            )
            _require(has_default, f"{prefix}{name}", "missing required key")
    try:
        return cls(**kwargs)
    except ConfigError as err:
        if path and not str(err).startswith(prefix):
            raise ConfigError(f"{prefix}{err}") from None
        raise


def to_dict(obj: Any) -> Any:
    """The inverse of :func:`build`: plain dicts and lists, for YAML/JSON output."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_dict(v) for v in obj]
    return obj
