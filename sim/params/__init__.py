"""Validated, immutable model parameters.

Every parameter of a run lives in one tree of frozen dataclasses rooted at
:class:`SimConfig`. Each class checks its own fields in ``__post_init__`` and raises
:class:`ConfigError` naming the field, so a bad value is refused before the run.
:func:`build` turns a plain nested mapping (what Hydra/OmegaConf produces) into the tree,
refusing unknown or missing keys by their dotted path. Checks against the data (town,
faction and place names) are in :func:`check_names`, which needs the tables. The main fields
are declared with :func:`declared` (unit, plausible bounds, meaning) where they are defined;
``sim.declared`` reads the declarations of a concrete config.

One module per concern, next to its rules, grouped by the part of ``sim/`` that uses it:

- ``core``: :class:`ConfigError`, the check helpers and :func:`declared`;
- ``geography`` (grid, population), ``civilians`` (civilians, exits), ``factions``
  (factions, their dynamics, relations), ``deals``, ``government`` (shelling, assault
  groups), ``logistics`` (buses, reception, food, medical evacuation) and ``timeline``
  (crossings, pauses, convoys, notes): one frozen dataclass per section of the config;
- ``config``: :class:`SimConfig` and every check across sections (its ``__post_init__``
  and :func:`check_names`), all in one place;
- ``build``: the strict loader :func:`build` and :func:`to_dict`.

Import from ``sim.params`` itself; the modules are where to read and edit.

Why not pydantic: it could state most one-line checks as field constraints (``ge``, ``le``)
and strict, extra-forbidding models, but it would not remove the rest. Hydra 1.3 takes
structured configs only as dataclasses or attrs classes (OmegaConf declined pydantic
models, omry/omegaconf#420), so ``configs/schema.py`` would still mirror these classes; the
cross-field and name checks would stay hand-written, as validators; and every refusal would
need translating from pydantic's error list into the ``dotted.path: message`` form that
users, ``tests/test_refusals.py`` and the property tests rely on. That is a dependency and a
translation layer to replace about 40 lines of helpers and a 70-line loader that already
refuse unknown keys, missing keys and wrong types by their dotted path.

This package never imports Hydra: ``configs/schema.py`` derives the Hydra schema from it.
"""

from __future__ import annotations

from sim.params.build import build, to_dict
from sim.params.civilians import CivilianParams, ExitParams
from sim.params.config import SimConfig, check_names
from sim.params.core import DECLARATION, ConfigError, Declaration, declared
from sim.params.deals import DealParams
from sim.params.factions import (
    RELATIONS,
    FactionDynamicsParams,
    FactionParams,
    RelationParams,
)
from sim.params.geography import GridParams, PopulationParams
from sim.params.government import AssaultGroupParams, GovernmentParams, ShellingUnitParams
from sim.params.logistics import (
    BusFleetParams,
    FoodParams,
    MedevacParams,
    MedevacWindowParams,
    ReceptionParams,
    ShelterSiteParams,
)
from sim.params.timeline import (
    ConvoyParams,
    CrossingParams,
    NoteParams,
    PauseParams,
    TimelineParams,
    WindowParams,
)

__all__ = [
    "DECLARATION",
    "RELATIONS",
    "AssaultGroupParams",
    "BusFleetParams",
    "CivilianParams",
    "ConfigError",
    "ConvoyParams",
    "CrossingParams",
    "DealParams",
    "Declaration",
    "ExitParams",
    "FactionDynamicsParams",
    "FactionParams",
    "FoodParams",
    "GovernmentParams",
    "GridParams",
    "MedevacParams",
    "MedevacWindowParams",
    "NoteParams",
    "PauseParams",
    "PopulationParams",
    "ReceptionParams",
    "RelationParams",
    "ShellingUnitParams",
    "ShelterSiteParams",
    "SimConfig",
    "TimelineParams",
    "WindowParams",
    "build",
    "check_names",
    "declared",
    "to_dict",
]
