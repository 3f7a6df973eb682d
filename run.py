"""Hydra entry point: ``python run.py [overrides]``, or ``python run.py -m seed=0,1,2``.

Composes the config, validates it into ``sim.params.SimConfig`` (refusing bad input before
anything runs), runs the model with a progress bar and writes the run folder.

In a multirun (a sweep) every job stands alone: a job whose folder already holds a finished
run of the same config (same ``config_key`` in its ``summary.json``) is skipped unless
``output.force=true``, and a job that fails writes ``error.txt`` into its folder and lets the
others go on. Sweeps run in parallel with the joblib launcher (``configs/config.yaml``).
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

from configs.schema import apply_sample, config_from_hydra, register
from sim.model import SiegeModel
from sim.outputs import (
    JOB_DONE_FILE,
    atomic_write_text,
    config_key,
    is_complete,
    summary_text,
    write_run,
)
from sim.params import ConfigError

log = logging.getLogger("run")
register()

ERROR_FILE = "error.txt"
"""Written into a sweep job's folder when the job fails; removed when it later succeeds."""


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
        if not in_sweep:
            sys.exit(2)
        atomic_write_text(out_dir / ERROR_FILE, f"invalid config: {err}\n")
    except Exception:
        if not in_sweep:
            raise
        log.exception("run failed; the other runs of the sweep go on")
        atomic_write_text(out_dir / ERROR_FILE, traceback.format_exc())
    finally:
        if in_sweep:  # the sweep's progress bar counts these
            (out_dir / JOB_DONE_FILE).touch()


def run(cfg: DictConfig, out_dir: Path, in_sweep: bool) -> None:
    """Validate, run and write one run folder (or skip it if it is already complete)."""
    apply_sample(cfg)
    config, output = config_from_hydra(cfg)
    key = config_key(config)
    if in_sweep and not output["force"] and is_complete(out_dir, key):
        log.info("already complete (config %s): skipped; output.force=true reruns it", key)
        return
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
        animation=output["animation"],
        logistics=HydraConfig.get().runtime.choices["logistics"],
    )
    info = {"pid": os.getpid(), "started_unix_s": started, "finished_unix_s": finished}
    atomic_write_text(out_dir / "run_info.json", json.dumps(info, indent=2) + "\n")
    (out_dir / ERROR_FILE).unlink(missing_ok=True)
    log.info("%s", summary_text(summary))
    log.info("simulated in %.1f s; outputs in %s", finished - started, out_dir)


if __name__ == "__main__":
    main()
