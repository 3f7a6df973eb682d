"""Hydra entry point: ``python run.py [overrides]``, or ``python run.py -m seed=0,1,2``.

Composes the config, validates it into ``sim.params.SimConfig`` (refusing bad input before
anything runs), runs the model with a progress bar and writes the run folder, named by
``configs/config.yaml`` (``configs/folders.py``).

A run that fails writes ``error.txt`` into its folder (first line: why) and no
``summary.json``; a refused config or data table (``sim/tables.py``) exits with code 2. In a
multirun (a sweep) every job stands alone: a job whose folder already holds a finished run
of the same config (:func:`sim.outputs.is_complete`) is skipped unless
``output.force=true``; any other attempt first removes the folder's previous results; a job
that fails lets the others go on, and the sweep then exits non-zero naming it
(``experiments/sweep_report.py``). Sweeps run in parallel with the joblib launcher
(``configs/config.yaml``).

Before the model is built, the presets are checked (``configs/presets.py``) and the run's
memory and disk estimated (``sim/resources.py``, budget ``limits.memory_budget_gib``): a run
that cannot fit, or a folder that cannot be written, is refused like a bad config. A folder
that cannot be written at all is refused even earlier, before Hydra writes its own files
into it (``configs/output_folder.py``, a Hydra callback).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig
from tqdm import tqdm

from configs.schema import apply_sample, check_composition, config_from_hydra, register
from sim.model import SiegeModel
from sim.outputs import (
    ERROR_FILE,
    JOB_DONE_FILE,
    atomic_write_text,
    clear_run,
    config_key,
    is_complete,
    summary_text,
    write_run,
)
from sim.params import ConfigError
from sim.resources import check_run
from sim.tables import DataError

log = logging.getLogger("run")
register()


@hydra.main(version_base="1.3", config_path="configs", config_name="config")
def main(cfg: DictConfig) -> None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hydra_config = HydraConfig.get()
    out_dir = Path(hydra_config.runtime.output_dir)
    in_sweep = hydra_config.mode == RunMode.MULTIRUN
    try:
        run(cfg, out_dir, in_sweep)
    except ConfigError as err:
        log.error("invalid config: %s", err)
        write_error(out_dir, f"invalid config: {err}\n")
        if not in_sweep:
            sys.exit(2)
    except DataError as err:
        log.error("%s", err)
        write_error(out_dir, f"{err}\n")
        if not in_sweep:
            sys.exit(2)
    except Exception as err:
        write_error(out_dir, f"{type(err).__name__}: {err}\n\n{traceback.format_exc()}")
        if not in_sweep:
            raise
        log.exception("run failed; the other runs of the sweep go on")
    finally:
        if in_sweep:  # the sweep's progress bar counts these
            (out_dir / JOB_DONE_FILE).touch()


def write_error(out_dir: Path, text: str) -> None:
    """Leave only ``error.txt`` (first line: why) where the failed run would have written
    (if it can: the folder may be the problem)."""
    try:
        clear_run(out_dir)
        atomic_write_text(out_dir / ERROR_FILE, text)
    except OSError as err:
        log.error("could not write %s: %s", out_dir / ERROR_FILE, err)


def run(cfg: DictConfig, out_dir: Path, in_sweep: bool) -> None:
    """Validate, run and write one run folder (or skip it if it is already complete)."""
    hydra_config = HydraConfig.get()
    runtime = hydra_config.runtime
    check_composition(cfg, hydra_config.overrides.task, runtime.choices, runtime.config_sources)
    apply_sample(cfg)
    config, output = config_from_hydra(cfg)
    key = config_key(config)
    if in_sweep and not output["force"] and is_complete(out_dir, key):
        log.info("already complete (config %s): skipped; output.force=true reruns it", key)
        return
    estimate = check_run(config, out_dir, cfg.limits.memory_budget_gib)
    log.info("estimated peak memory %s", estimate.describe())
    clear_run(out_dir)  # a killed or failed attempt must not leave the old results behind
    model = SiegeModel(config)
    started = time.time()
    show_bar = output["progress_bar"] and not in_sweep  # parallel bars would garble
    with tqdm(total=config.n_steps, unit="h", disable=not show_bar) as bar:
        while model.running:
            model.step()
            bar.update()
    finished = time.time()
    summary = write_run(
        model,
        out_dir,
        plots=output["plots"],
        dashboards=output["dashboards"],
        animation=output["animation"],
        logistics=HydraConfig.get().runtime.choices["logistics"],
        overrides=tuple(HydraConfig.get().overrides.task),
    )
    info = {"pid": os.getpid(), "started_unix_s": started, "finished_unix_s": finished}
    atomic_write_text(out_dir / "run_info.json", json.dumps(info, indent=2) + "\n")
    log.info("%s", summary_text(summary))
    log.info("simulated in %.1f s; outputs in %s", finished - started, out_dir)


if __name__ == "__main__":
    main()
