"""Run a design through ``python run.py -m`` and the configured Hydra launcher (joblib here,
Slurm or Ray on clusters), as sensitivity studies and calibration batches do."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from experiments.aggregate import SWEEP_CONFIG

ROOT = Path(__file__).resolve().parents[1]


def launch_sweep(sweep_dir: Path, overrides: list[str], what: str) -> int:
    """``python run.py -m <overrides> hydra.sweep.dir=<sweep_dir>`` from the project folder;
    returns its exit code (non-zero when a job failed).

    Raises SystemExit, naming ``what``, if the sweep did not start (a bad override): Hydra
    then wrote no new ``multirun.yaml`` into ``sweep_dir``, and no job is to blame.
    """
    started_unix_s = time.time()
    sweep = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "-m", *overrides, f"hydra.sweep.dir={sweep_dir}"],
        cwd=ROOT,
    )
    sweep_config = sweep_dir / SWEEP_CONFIG
    if sweep.returncode != 0 and (
        not sweep_config.exists() or sweep_config.stat().st_mtime < started_unix_s
    ):
        raise SystemExit(f"{what} did not start (exit code {sweep.returncode}): see above")
    return sweep.returncode
