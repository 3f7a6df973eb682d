"""Hydra entry point: ``python run.py [overrides]``, or ``python run.py -m seed=0,1,2``.

Composes the config, validates it into ``sim.params.SimConfig`` (refusing bad input before
anything runs), runs the model with a progress bar and writes the run folder.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig
from tqdm import tqdm

from configs.schema import config_from_hydra, register
from sim.model import SiegeModel
from sim.outputs import summary_text, write_run
from sim.params import ConfigError

log = logging.getLogger("run")
logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
register()


@hydra.main(version_base="1.3", config_path="configs", config_name="config")
def main(cfg: DictConfig) -> None:
    try:
        config, output = config_from_hydra(cfg)
        model = SiegeModel(config)
    except ConfigError as err:
        log.error("invalid config: %s", err)
        sys.exit(2)
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    started = time.perf_counter()
    with tqdm(total=config.n_steps, unit="h", disable=not output["progress_bar"]) as bar:
        while model.running:
            model.step()
            bar.update()
    elapsed = time.perf_counter() - started
    summary = write_run(model, out_dir, plots=output["plots"])
    log.info("%s", summary_text(summary))
    log.info("simulated in %.1f s; outputs in %s", elapsed, out_dir)


if __name__ == "__main__":
    main()
