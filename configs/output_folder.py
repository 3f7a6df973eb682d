"""Hydra callback: refuse a run or sweep whose output folder cannot be written, before Hydra
writes into it.

Hydra writes ``.hydra/*.yaml`` and opens ``run.log`` in the run's folder (a sweep's
``multirun.yaml`` in the sweep's) before ``run.py`` starts, so ``run.py``'s own check
(:func:`sim.resources.check_output_folder`, which also estimates the disk space) comes too late
for a folder that cannot be written at all: Hydra would end in a traceback. This check runs
first (``hydra.callbacks.output_folder`` in ``configs/config.yaml``) and ends the command with
the folder named and exit code 2, like any refused config, before anything is simulated.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.params import ConfigError
from sim.resources import check_output_folder

REFUSED_EXIT_CODE = 2
"""The exit code of a refused config (``run.py``)."""


def check_folder(config: DictConfig, key: str) -> None:
    """Exit with code 2 and the reason if the folder at ``key`` (resolved) cannot be written."""
    HydraConfig.instance().set_config(config)  # for ${hydra:...} in the folder's name
    folder = Path(str(OmegaConf.select(config, key))).absolute()
    try:
        check_output_folder(folder, needed_bytes=0)  # run.py estimates the space needed
    except ConfigError as err:
        print(f"invalid config: {err}", file=sys.stderr)
        raise SystemExit(REFUSED_EXIT_CODE) from None


class OutputFolderCheck(Callback):
    """Checks ``hydra.run.dir`` (a run) or ``hydra.sweep.dir`` (a sweep) before Hydra uses it."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        check_folder(config, "hydra.run.dir")

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        check_folder(config, "hydra.sweep.dir")
