"""Run and sweep folder names: readable, unique, and safe as one path component.

Registered as OmegaConf resolvers by :func:`configs.schema.register`, used in
``configs/config.yaml``:

- ``${folder_name:${hydra.job.override_dirname}}``: a run's or a sweep job's overrides as a
  folder name (``default`` when there are none).
- ``${sweep_name:${hydra.overrides.task},${hydra.job.config.override_dirname.exclude_keys}}``:
  the sweep folder, from the sweep's command line, so that the same command resumes.
- ``${run_suffix:}``: ``<pid>-<4 random hex>``, so that two runs started in the same second
  never share a folder (from the operating system's randomness, never the model's).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Sequence

from omegaconf import OmegaConf

MAX_NAME_BYTES = 200
"""Longest folder name written (the file system's limit is 255 bytes); longer ones are cut."""

HASH_CHARS = 8
"""Hex digits of the hash that ends a cut or cleaned name (of the full text: names stay unique)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_.,=+\-()\[\]{}@%~^]")
"""Characters replaced in names: path separators, spaces, quotes, shell and Windows specials."""

PRESET_KEY = "experiment"
"""The override that picks a sweep preset (``+experiment=<name>``); its value names the sweep."""


def folder_name(text: str) -> str:
    """``text`` as one folder name: itself if short and safe, else cut and cleaned + a hash.

    Empty text gives ``default``. A name that had to change ends with ``_<hash of text>``, so
    two texts never share a name (``a/b`` and ``a_b`` differ).
    """
    text = str(text)
    if not text:
        return "default"
    safe = _UNSAFE.sub("_", text)
    if safe[0] == ".":  # no hidden folders, never "." or ".."
        safe = "_" + safe
    if safe == text and len(text.encode("utf-8")) <= MAX_NAME_BYTES:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]
    return f"{safe[: MAX_NAME_BYTES - HASH_CHARS - 1]}_{digest}"


def override_key(override: str) -> str:
    """The key or group of a command-line override: ``+experiment=x`` -> ``experiment``."""
    return override.partition("=")[0].lstrip("+~")


def sweep_name(overrides: Sequence[str], exclude_keys: Sequence[str]) -> str:
    """The sweep folder's name: the preset's name, then the other overrides sorted.

    ``+experiment=cohesion_sweep days=30`` -> ``cohesion_sweep,days=30``;
    ``seed=0,1,2 bus_fleet.buses=25`` -> ``bus_fleet.buses=25,seed=0,1,2``. Keys in
    ``exclude_keys`` (``output.*``: how to report, not what to run) are left out, so adding
    ``output.force=true`` reruns into the same folder. The name has ``=`` and ``,``: give it
    quoted to Hydra (``'hydra.sweep.dir="multirun/a=1,b=2"'``); the report needs no quotes.
    """
    by_key = {override_key(o): o for o in overrides}  # as in Hydra, a repeated key: the last
    presets = [o.partition("=")[2] for key, o in by_key.items() if key == PRESET_KEY]
    others = sorted(o for key, o in by_key.items() if key not in (PRESET_KEY, *exclude_keys))
    return folder_name(",".join([*presets, *others]))


def run_suffix() -> str:
    """``<pid>-<4 hex>``: tells apart runs started in the same second, here or elsewhere."""
    return f"{os.getpid()}-{secrets.token_hex(2)}"


def register_resolvers() -> None:
    """Register the resolvers above with OmegaConf (idempotent).

    ``sweep_name`` and ``run_suffix`` are cached: within one config they resolve once. Hydra
    copies a sweep's cache into each job's config (as for ``${now:...}``), so every job
    resolves ``hydra.sweep.dir`` to the sweep's folder even though its own
    ``hydra.overrides.task`` differs. ``folder_name`` is not cached: each job names its own.
    """
    OmegaConf.register_new_resolver("folder_name", folder_name, replace=True)
    OmegaConf.register_new_resolver("sweep_name", sweep_name, replace=True, use_cache=True)
    OmegaConf.register_new_resolver("run_suffix", run_suffix, replace=True, use_cache=True)
