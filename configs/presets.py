"""Checks of the scenario and logistics preset files, and of ``key={}`` overrides.

Hydra merges a preset over its ``defaults`` and over the schema, which hides three mistakes
that :func:`sim.params.build` cannot see in the merged config:

- a scenario file that sets logistics keys (``bus_fleet``, ...): the logistics preset, merged
  after it, silently overrides them. Refused, naming the key and the file.
- a preset that neither inherits its group's root (``ghouta_2018``, ``historical_2018``) nor
  sets every field of its layer: the fields it leaves out silently take the Python
  defaults of ``sim.params``, not the root's values. Refused, naming the fields and the
  file. The two root presets set every field of their layer themselves.
- an empty mapping (``factions={}`` on the command line, ``key: {}`` in an inheriting file):
  merging ``{}`` changes nothing. On the command line it replaces the mapping
  (:func:`apply_empty_mappings`), so that ``town_controller_overrides={}`` means none and
  ``factions={}`` is refused by the model's own check; in a file that inherits it is refused.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from omegaconf import DictConfig, OmegaConf

from sim.params import ConfigError, SimConfig

ROOT_PRESETS = {"scenario": "ghouta_2018", "logistics": "historical_2018"}
"""The preset of each group that every other preset of the group inherits (or replaces)."""

LOGISTICS_KEYS = ("crossings", "bus_fleet", "reception", "food", "medevac")
"""Top-level keys of the logistics layer; every other field of SimConfig is the scenario's."""

RUN_SETTINGS = ("seed", "people_per_agent", "check_invariants")
"""Fields of a run, not of a preset layer: the root config and the command line set them."""


def layer_fields(group: str) -> list[str]:
    """Dotted names of the fields a preset of ``group`` must set if it inherits nothing.

    Nested sections count field by field; lists and mappings count as one field each.
    """
    in_logistics = group == "logistics"
    return [
        name
        for name in _leaves(SimConfig)
        if (name.split(".")[0] in LOGISTICS_KEYS) == in_logistics and name not in RUN_SETTINGS
    ]


def _leaves(cls: type, prefix: str = "") -> Iterator[str]:
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _leaves(hints[f.name], f"{prefix}{f.name}.")
        else:
            yield f"{prefix}{f.name}"


def _field_type(path: str) -> Any:
    """The annotation of dotted field ``path`` of SimConfig, or None if there is none."""
    tp: Any = SimConfig
    for part in path.split("."):
        if not dataclasses.is_dataclass(tp):
            return None
        hints = typing.get_type_hints(tp)
        if part not in hints:
            return None
        tp = hints[part]
    return tp


def _is_mapping_field(path: str) -> bool:
    return typing.get_origin(_field_type(path)) is dict


def _has(data: Mapping[str, Any], path: str) -> bool:
    for part in path.split("."):
        if not isinstance(data, Mapping) or part not in data:
            return False
        data = data[part]
    return True


def _find(group: str, name: str, config_dirs: Sequence[Path]) -> Path | None:
    for folder in config_dirs:
        path = Path(folder) / group / f"{name}.yaml"
        if path.is_file():
            return path
    return None


def _load(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top, got {type(data).__name__}")
    return data


def _parents(data: Mapping[str, Any], path: Path) -> list[str]:
    """Presets of the same group named in the file's ``defaults`` list."""
    parents = []
    for entry in data.get("defaults", []):  # Hydra's optional key: absent = inherits nothing
        if isinstance(entry, str) and entry != "_self_":
            parents.append(entry)
        elif entry != "_self_":
            raise ConfigError(
                f"{path}: defaults entry {entry!r}: a preset inherits only presets of its group"
            )
    return parents


def check_preset(group: str, name: str, config_dirs: Sequence[Path]) -> None:
    """Refuse preset ``group/name`` (and its parents) if Hydra would silently drop a value.

    ``config_dirs`` are the folders searched for ``<group>/<name>.yaml``, first match wins
    (as Hydra's search path). A preset not found as a file (e.g. stored in Python) is not
    checked.
    """
    chain: list[tuple[Path, dict[str, Any]]] = []
    pending, seen = [name], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        path = _find(group, current, config_dirs)
        if path is None:
            continue
        data = _load(path)
        chain.append((path, data))
        pending.extend(_parents(data, path))
    inherits_root = ROOT_PRESETS[group] in seen and name != ROOT_PRESETS[group]
    for path, data in chain:
        if group == "scenario":
            for key in LOGISTICS_KEYS:
                if key in data:
                    raise ConfigError(
                        f"{key}: set in scenario file {path}, where the logistics preset "
                        "overrides it; set it in a logistics preset (configs/logistics/) or "
                        "on the command line"
                    )
        if _parents(data, path):  # {} merged over an inherited mapping changes nothing
            for key in _mapping_paths(data):
                if _is_mapping_field(key) and not data_at(data, key):
                    raise ConfigError(
                        f"{key}: an empty mapping in {path} does not empty the inherited one "
                        "(Hydra merges mappings); give it on the command line as "
                        f"{key}={{}} to empty it"
                    )
    if chain and not inherits_root:
        missing = [f for f in layer_fields(group) if not any(_has(d, f) for _, d in chain)]
        if missing:
            raise ConfigError(
                f"{missing[0]}: not set by {group} preset {chain[0][0]}, which does not "
                f"inherit {ROOT_PRESETS[group]} (add `defaults: [{ROOT_PRESETS[group]}]` or "
                f"set every field; unset: {', '.join(missing)})"
            )


def data_at(data: Mapping[str, Any], path: str) -> Any:
    """The value at dotted ``path`` of nested mappings (the path must exist)."""
    for part in path.split("."):
        data = data[part]
    return data


def _mapping_paths(data: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in data.items():
        if key == "defaults" and not prefix:
            continue
        if isinstance(value, Mapping):
            yield f"{prefix}{key}"
            yield from _mapping_paths(value, f"{prefix}{key}.")


def check_presets(choices: Mapping[str, str], config_sources: Sequence[Mapping[str, str]]) -> None:
    """:func:`check_preset` for the scenario and logistics chosen (Hydra's runtime choices),
    searching the file folders of Hydra's config sources in order."""
    folders = [Path(s["path"]) for s in config_sources if s["schema"] == "file"]
    for group in ROOT_PRESETS:
        if group in choices and choices[group] is not None:
            check_preset(group, choices[group], folders)


def apply_empty_mappings(cfg: DictConfig, overrides: Sequence[str]) -> None:
    """Make a command-line ``key={}`` empty mapping field ``key`` (Hydra merges it: no-op).

    ``{}`` for a section (``grid={}``) is refused: it would change nothing.
    """
    for override in overrides:
        key, sep, value = override.partition("=")
        if not sep or value.strip() != "{}" or key.startswith(("hydra.", "~")):
            continue
        key = key.lstrip("+")
        tp = _field_type(key)
        if typing.get_origin(tp) is dict:
            OmegaConf.update(cfg, key, {}, merge=False)
        elif tp is not None and dataclasses.is_dataclass(tp):
            raise ConfigError(f"{key}: `{key}={{}}` changes nothing; set its fields instead")
