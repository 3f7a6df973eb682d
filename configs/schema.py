"""The Hydra schema, derived from the frozen dataclasses in ``sim.params``.

OmegaConf turns a frozen dataclass into a read-only config, which Hydra cannot merge
scenario files and command-line overrides into. So the schema is a mutable mirror of each
``sim.params`` class, generated here rather than written twice: same fields, same types
(tuples become lists), same defaults. Hydra checks keys and types against it (struct mode);
``sim.params.build`` then validates values into the frozen classes.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from hydra import compose, initialize_config_dir
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf, open_dict
from omegaconf.errors import MissingMandatoryValue

import configs.help
from configs.folders import register_resolvers
from configs.presets import apply_empty_mappings, check_presets
from sim.params import ConfigError, SimConfig, build, to_dict

CONFIG_DIR = Path(__file__).resolve().parent

_MIRRORS: dict[type, type] = {}


def mirror(cls: type) -> type:
    """A mutable dataclass with the fields, types and defaults of frozen dataclass ``cls``."""
    if cls in _MIRRORS:
        return _MIRRORS[cls]
    hints = typing.get_type_hints(cls)
    fields = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default = _default_factory(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = _default_factory(f.default_factory())
        else:
            default = field(default=MISSING)
        fields.append((f.name, _mirror_type(hints[f.name]), default))
    _MIRRORS[cls] = _importable(dataclasses.make_dataclass(f"{cls.__name__}Schema", fields))
    return _MIRRORS[cls]


def _importable(cls: type) -> type:
    """Make a generated class a global of this module, so that it pickles by reference.

    Sweep workers (the joblib launcher) receive configs pickled; importing this module in
    the worker regenerates the same classes under the same names.
    """
    cls.__module__ = __name__
    cls.__qualname__ = cls.__name__
    globals()[cls.__name__] = cls
    return cls


def _mirror_type(tp: Any) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if dataclasses.is_dataclass(tp):
        return mirror(tp)
    if origin is tuple:
        return list[_mirror_type(args[0])]
    if origin is dict:
        return dict[args[0], _mirror_type(args[1])]
    return tp


def _default_factory(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return field(default_factory=lambda: mirror(type(value))(**_mirror_values(value)))
    if isinstance(value, tuple | list | dict):
        return field(default_factory=lambda: to_dict(value))
    return field(default=value)


def _mirror_values(value: Any) -> dict[str, Any]:
    return {
        f.name: (
            mirror(type(v))(**_mirror_values(v))
            if dataclasses.is_dataclass(v := getattr(value, f.name))
            else to_dict(v)
        )
        for f in dataclasses.fields(value)
    }


@dataclass
class OutputOptions:
    """How ``run.py`` reports a run; not part of the model."""

    progress_bar: bool = True
    """A progress bar while a single run goes (never inside a sweep)."""
    plots: bool = True
    """The run's figures: ``evacuation_curves.png`` and (with ``dashboards``) the others."""
    dashboards: bool = True
    """With ``plots``: also ``factions.png``, ``logistics.png``, ``map.png`` and
    ``timeline.png``, the dashboards of a single run. A sweep's jobs get
    ``output.dashboards=false`` (``hydra.sweeper.params`` in ``configs/config.yaml``) unless
    the command line sets it: a sweep's product is its tables, each run's evacuation curves
    and the sweep's report (without them a 20-run sweep of the default took 137 s on 2 cores
    instead of 187 s)."""
    animation: bool = True
    """With ``plots``: also ``siege.gif``, the map day by day (about a second). A sweep's jobs
    get ``output.animation=false`` (``hydra.sweeper.params`` in ``configs/config.yaml``) unless
    the command line sets it."""
    force: bool = False
    """In a sweep, rerun jobs whose folder already holds a finished run of the same config."""


@dataclass
class SampleOptions:
    """One row of a sample design (``experiments/sensitivity.py``) applied over the config.

    ``file`` is a CSV with a ``sample`` column, an optional ``block`` label and one column per
    config key; the job sets each key of row ``index`` before validation. Empty ``file``: no
    sample.
    """

    file: str = ""
    index: int = -1


@dataclass
class LimitOptions:
    """Resource limits checked before a run (``sim/resources.py``); not part of the model."""

    memory_budget_gib: float = 8.0
    """Refuse a run whose estimated peak memory exceeds this."""


RunConfig = _importable(
    dataclasses.make_dataclass(
        "RunConfig",
        [
            ("output", OutputOptions, field(default_factory=OutputOptions)),
            ("sample", SampleOptions, field(default_factory=SampleOptions)),
            ("limits", LimitOptions, field(default_factory=LimitOptions)),
        ],
        bases=(mirror(SimConfig),),
    )
)


def register() -> None:
    """Store the schema and the project's help (``configs/help.py``) for Hydra, and register
    the folder-name resolvers (``configs/folders.py``)."""
    ConfigStore.instance().store(name="run_config_schema", node=RunConfig)
    configs.help.register()
    register_resolvers()


def config_from_hydra(cfg: DictConfig) -> tuple[SimConfig, dict]:
    """The validated model config and the output options, from a composed Hydra config
    (``limits``: read by ``run.py`` from ``cfg``)."""
    try:
        raw = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    except MissingMandatoryValue as err:
        raise ConfigError(f"{err.full_key}: missing required value") from None
    output = raw.pop("output")
    raw.pop("limits")
    raw.pop("sample")  # applied by apply_sample, before this
    return build(SimConfig, raw), output


def check_composition(
    cfg: DictConfig,
    overrides: Sequence[str],
    choices: Mapping[str, Any],
    config_sources: Sequence[Mapping[str, str]],
) -> None:
    """What Hydra's merge would silently drop (``configs/presets.py``): empty the mappings
    given as ``key={}``, and refuse presets that lose values."""
    apply_empty_mappings(cfg, overrides)
    check_presets(choices, config_sources)


_ABSENT = object()


def apply_sample(cfg: DictConfig) -> None:
    """Set the config keys of row ``cfg.sample.index`` of ``cfg.sample.file`` (if any).

    An unknown key is refused (struct mode) with a ConfigError naming it.
    """
    if not cfg.sample.file:
        return
    path = Path(cfg.sample.file)
    if not path.is_file():
        raise ConfigError(f"sample.file: no such file {str(path)!r}")
    try:
        design = pd.read_csv(path)
    except (OSError, ValueError) as err:  # pandas parser and decoding errors are ValueErrors
        raise ConfigError(f"sample.file: {path} is not a readable CSV ({err})") from None
    if "sample" not in design.columns:
        raise ConfigError(f"sample.file: {path} has no 'sample' column")
    rows = design[design["sample"] == cfg.sample.index]
    if len(rows) != 1:
        raise ConfigError(
            f"sample.index: {cfg.sample.index} is not a sample of {cfg.sample.file} "
            f"(0..{len(design) - 1})"
        )
    for key, value in rows.iloc[0].drop(["sample", "block"], errors="ignore").items():
        if OmegaConf.select(cfg, key, default=_ABSENT) is _ABSENT:
            raise ConfigError(f"{key}: not a config key (column of {cfg.sample.file})")
        OmegaConf.update(cfg, key, value.item() if hasattr(value, "item") else value)


def compose_config(*overrides: str) -> SimConfig:
    """The validated config that ``python run.py <overrides>`` would run, without running it."""
    register()
    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        cfg = compose(config_name="config", overrides=list(overrides), return_hydra_config=True)
    runtime = cfg.hydra.runtime
    choices = OmegaConf.to_container(runtime.choices)
    sources = OmegaConf.to_container(runtime.config_sources)
    with open_dict(cfg):
        del cfg["hydra"]
    check_composition(cfg, overrides, choices, sources)
    apply_sample(cfg)
    return config_from_hydra(cfg)[0]
