"""Sweeps through ``run.py -m``: parallel jobs, failed jobs and the exit code, resuming, the
folders' names, and the aggregate tables listing exactly the sweep's jobs, truthfully.

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

from experiments.aggregate import aggregate
from tests.conftest import SMALL

ROOT = Path(__file__).resolve().parents[1]
DAYS = 6
FAST = (*SMALL, f"days={DAYS}")

pytestmark = pytest.mark.slow


def run_sweep(
    sweep_dir: Path | None, *overrides: str, cwd: Path = ROOT, launcher: str = "basic"
) -> tuple[int, str]:
    """``python run.py -m <FAST> <overrides>`` (into ``sweep_dir`` if given): (exit code, log).

    Hydra's ``basic`` launcher (jobs in turn, in this process) unless ``launcher="local"``
    (the default of ``run.py``: parallel worker processes, slower to start).
    """
    where = [f"hydra.sweep.dir='{sweep_dir}'"] if sweep_dir is not None else []
    command = [sys.executable, str(ROOT / "run.py"), "-m", f"hydra/launcher={launcher}"]
    done = subprocess.run(
        [*command, *FAST, *overrides, *where],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout + done.stderr


def sweep(
    sweep_dir: Path | None, *overrides: str, cwd: Path = ROOT, launcher: str = "basic"
) -> str:
    """A sweep expected to succeed; returns its log."""
    code, log = run_sweep(sweep_dir, *overrides, cwd=cwd, launcher=launcher)
    assert code == 0, f"expected the sweep to finish with exit code 0, got {code}:\n{log}"
    return log


def job(sweep_dir: Path, seed: int) -> Path:
    """The job folder of ``seed`` (the one whose overrides set it)."""
    (overrides,) = (
        path
        for path in sweep_dir.glob("*/.hydra/overrides.yaml")
        if f"- seed={seed}\n" in path.read_text()
    )
    return overrides.parent.parent


def statuses(sweep_dir: Path) -> dict[int, str]:
    runs = pd.read_csv(sweep_dir / "runs.csv")
    return dict(zip(runs["seed"], runs["status"], strict=True))


def test_a_failed_job_fails_the_sweep_naming_it_and_leaves_the_others_intact(tmp_path):
    code, log = run_sweep(tmp_path, "seed=0,-1,2")  # seed -1 is refused inside its job
    assert code == 1, f"expected exit code 1 for a sweep with a failed job, got {code}:\n{log}"
    assert "1 of 3 jobs did not complete" in log, f"expected the count of failures:\n{log}"
    assert "seed=-1: failed (invalid config: seed: must be >= 0" in log, (
        f"expected the failed job named with the first line of its error.txt:\n{log}"
    )
    assert "sweep: 100%" in log and "3/3" in log, f"expected a progress bar to 3/3 runs:\n{log}"
    assert job(tmp_path, -1).name.startswith(f"days={DAYS},"), "expected folders named by overrides"
    assert (job(tmp_path, -1) / "error.txt").read_text().startswith("invalid config: seed"), (
        "expected the failed job to say why in error.txt"
    )
    assert not (job(tmp_path, -1) / "summary.json").exists(), "expected no summary for a failure"
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert statuses(tmp_path) == {0: "complete", -1: "failed", 2: "complete"}, f"got {runs}"
    error = runs.loc[runs["seed"] == -1, "error"].item()
    assert error.startswith("invalid config: seed"), f"expected the error in runs.csv: {error}"
    curves = pd.read_csv(tmp_path / "curves.csv")
    assert sorted(curves["seed"].unique()) == [0, 2], "expected the curves of seeds 0 and 2"
    assert len(curves) == 2 * DAYS, f"expected {DAYS} days per run, got {len(curves)} rows"
    assert (tmp_path / "sweep_curves.png").exists(), "expected the sweep's figure"


def test_the_same_command_resumes_in_the_same_folder_and_a_smaller_sweep_lists_its_jobs(
    tmp_path,
):
    # No hydra.sweep.dir: named from the command, in the main process and in each worker.
    sweep(None, "seed=0,1", cwd=tmp_path, launcher="local")
    (sweep_dir,) = (tmp_path / "multirun").iterdir()
    assert sweep_dir.name.startswith(f"days={DAYS},") and sweep_dir.name.endswith("seed=0,1"), (
        f"expected the sweep folder named from its overrides, got {sweep_dir.name}"
    )
    summaries = [job(sweep_dir, seed) / "summary.json" for seed in (0, 1)]
    written = [path.stat().st_mtime_ns for path in summaries]
    log = sweep(None, "seed=0,1", cwd=tmp_path)
    assert log.count("already complete") == 2, f"expected both jobs skipped:\n{log}"
    assert len(list((tmp_path / "multirun").iterdir())) == 1, "expected the same sweep folder"
    assert [p.stat().st_mtime_ns for p in summaries] == written, "expected runs untouched"
    assert statuses(sweep_dir) == {0: "complete", 1: "complete"}, "expected two complete"

    log = sweep(sweep_dir, "seed=1", "output.force=true")
    assert "already complete" not in log, f"expected output.force=true to rerun:\n{log}"
    assert statuses(sweep_dir) == {1: "complete"}, "expected runs.csv to list this sweep's job"
    assert len(pd.read_csv(sweep_dir / "curves.csv")) == DAYS, "expected the curves of one run"


def test_a_truncated_summary_reruns_and_a_newer_error_is_not_complete(tmp_path):
    sweep(tmp_path, "seed=0")
    summary = job(tmp_path, 0) / "summary.json"
    summary.write_text(summary.read_text()[:100])  # a write cut short
    log = sweep(tmp_path, "seed=0")
    assert "already complete" not in log, f"expected the truncated run to rerun:\n{log}"
    assert "config_key" in json.loads(summary.read_text()), "expected a whole summary again"
    assert statuses(tmp_path) == {0: "complete"}, "expected the rerun complete"

    (job(tmp_path, 0) / "error.txt").write_text("RuntimeError: a later attempt failed\n")
    aggregate(tmp_path)
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert runs["status"].tolist() == ["failed"], f"expected a newer error to win: {runs}"
    assert runs["error"].tolist() == ["RuntimeError: a later attempt failed"], "expected why"

    summary.write_text(summary.read_text().replace('"config_key": "', '"config_key": "x'))
    (job(tmp_path, 0) / "error.txt").unlink()
    aggregate(tmp_path)
    assert statuses(tmp_path) == {0: "stale"}, "expected a summary of another config stale"


def test_a_rerun_that_fails_removes_the_old_results(tmp_path):
    design = tmp_path / "design.csv"
    design.write_text("sample,bus_fleet.buses\n0,50\n")
    overrides = (f"sample.file={design}", "sample.index=0", "seed=0")
    sweep(tmp_path, *overrides)
    design.write_text("sample,bus_fleet.buses\n0,-5\n")  # same job, now refused
    code, log = run_sweep(tmp_path, *overrides)
    assert code == 1, f"expected exit code 1 once the job fails, got {code}:\n{log}"
    folder = job(tmp_path, 0)
    left = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert left == ["error.txt", "run.log"], f"expected only the error and log left, got {left}"
    assert "bus_fleet.buses" in (folder / "error.txt").read_text(), "expected the field named"
    assert statuses(tmp_path) == {0: "failed"}, "expected the job reported failed"


def test_the_joblib_launcher_runs_jobs_in_parallel(tmp_path):
    # Runs of 35 days (a few seconds each), not FAST's few days: since the speed work a run of
    # a few days ends in well under a second, before the second worker has even started.
    sweep(tmp_path, "seed=0,1,2,3", "days=35", "hydra.launcher.n_jobs=2", launcher="local")
    infos = [json.loads((job(tmp_path, k) / "run_info.json").read_text()) for k in range(4)]
    assert len({info["pid"] for info in infos}) >= 2, "expected jobs in two worker processes"
    spans = sorted((info["started_unix_s"], info["finished_unix_s"]) for info in infos)
    overlaps = any(b_start < a_end for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert overlaps, f"expected two runs to overlap in time, got {spans}"


def test_a_report_that_cannot_be_written_fails_the_sweep(tmp_path):
    (tmp_path / "runs.csv").mkdir()  # the table cannot be renamed into place
    code, log = run_sweep(tmp_path, "seed=0")
    assert code == 1, f"expected exit code 1 when the report fails, got {code}:\n{log}"
    assert "the report could not be written" in log, f"expected the reason named:\n{log}"


def test_a_sweep_draws_only_evacuation_curves_unless_the_command_line_asks(tmp_path):
    sweep(tmp_path / "default", "seed=0", "days=2")
    folder = job(tmp_path / "default", 0)
    written = {path.name for path in folder.iterdir()}
    left_out = {"factions.png", "logistics.png", "map.png", "timeline.png", "siege.gif"}
    assert "evacuation_curves.png" in written and not left_out & written, (
        f"expected a sweep's run to draw its evacuation curves alone, got {sorted(written)}"
    )
    overrides = (folder / ".hydra" / "overrides.yaml").read_text().lower()
    for option in ("output.animation=false", "output.dashboards=false"):
        assert f"- {option}\n" in overrides, (
            f"expected the job's overrides to say what was left out ({option})"
        )
    for word in ("animation", "dashboards"):
        assert word not in folder.name, f"expected {word} kept out of the folder name: {folder}"
    sweep(tmp_path / "asked", "seed=0", "days=2", "output.animation=true", "output.dashboards=true")
    asked = job(tmp_path / "asked", 0)
    for name in ("siege.gif", "map.png", "logistics.png"):
        assert (asked / name).is_file(), f"expected {name} when the command line asks"
