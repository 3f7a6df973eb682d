"""Sweeps through ``run.py -m``: parallel jobs, a failed job, re-runs, the aggregate tables.

Each test launches Hydra in a subprocess, exactly as a user would, on the reduced Ghouta.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SMALL

ROOT = Path(__file__).resolve().parents[1]
FAST = (*SMALL, "days=12", "hydra.sweep.subdir=${hydra.job.num}")

pytestmark = pytest.mark.slow


def sweep(sweep_dir: Path, *overrides: str) -> str:
    """Run ``python run.py -m <overrides>`` into ``sweep_dir``; returns its log output."""
    done = subprocess.run(
        [sys.executable, "run.py", "-m", *FAST, *overrides, f"hydra.sweep.dir={sweep_dir}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"expected the sweep to finish:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_a_failed_job_leaves_the_other_runs_and_the_aggregate_intact(tmp_path):
    log = sweep(tmp_path, "seed=0,-1,2")  # seed -1 is refused by validation inside its job
    assert "sweep: 100%" in log and "3/3" in log, f"expected a progress bar to 3/3 runs:\n{log}"
    assert (tmp_path / "1" / "error.txt").read_text().startswith("invalid config: seed"), (
        "expected the failed job to say why in error.txt"
    )
    assert not (tmp_path / "1" / "summary.json").exists(), "expected no summary for a failure"
    for job in ("0", "2"):
        assert (tmp_path / job / "summary.json").exists(), f"expected job {job} complete"
    runs = pd.read_csv(tmp_path / "runs.csv")
    statuses = dict(zip(runs["job"].astype(str), runs["status"], strict=True))
    assert statuses == {"0": "complete", "1": "failed", "2": "complete"}, f"got {statuses}"
    curves = pd.read_csv(tmp_path / "curves.csv")
    assert sorted(curves["job"].astype(str).unique()) == ["0", "2"], "expected curves of 0, 2"
    assert len(curves) == 2 * 12, f"expected 12 days per complete run, got {len(curves)} rows"
    assert (tmp_path / "sweep_curves.png").exists(), "expected the sweep's figure"


def test_rerunning_a_finished_sweep_runs_nothing_new(tmp_path):
    sweep(tmp_path, "seed=0,1")
    written = {job: (tmp_path / job / "summary.json").stat().st_mtime_ns for job in ("0", "1")}
    log = sweep(tmp_path, "seed=0,1")
    assert log.count("already complete") == 2, f"expected both jobs skipped:\n{log}"
    again = {job: (tmp_path / job / "summary.json").stat().st_mtime_ns for job in ("0", "1")}
    assert again == written, "expected the finished runs' files untouched"
    log = sweep(tmp_path, "seed=0,1", "output.force=true")
    assert "already complete" not in log, "expected output.force=true to rerun every job"


def test_the_joblib_launcher_runs_jobs_in_parallel(tmp_path):
    sweep(tmp_path, "seed=0,1,2,3", "hydra.launcher.n_jobs=2")
    infos = [json.loads((tmp_path / str(k) / "run_info.json").read_text()) for k in range(4)]
    assert len({info["pid"] for info in infos}) >= 2, "expected jobs in two worker processes"
    spans = sorted((info["started_unix_s"], info["finished_unix_s"]) for info in infos)
    overlaps = any(b_start < a_end for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert overlaps, f"expected two runs to overlap in time, got {spans}"
