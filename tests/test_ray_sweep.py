"""A sweep through Hydra's Ray launcher on a private local Ray instance
(``hydra/launcher=ray_local``): the cluster path, with jobs pickled to Ray workers, not only
composed.

Without the ``ray`` extra (``pip install -e ".[ray]"``) the test is skipped with the reason,
unless ``REQUIRE_RAY=1`` (set by ``.ci/run``): then it fails.
"""

from __future__ import annotations

import importlib.util
import json
import os

import pandas as pd
import pytest

from tests.test_sweeps import DAYS, job, run_sweep, statuses

pytestmark = pytest.mark.slow

SEEDS = (0, 1)


def _missing() -> str | None:
    for module in ("ray", "hydra_plugins.hydra_ray_launcher"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # a parent package is missing
            found = False
        if not found:
            return f"{module} is not installed (python -m pip install -e '.[ray]')"
    return None


def require_ray() -> None:
    """Skip without Ray, or fail if ``REQUIRE_RAY=1``."""
    missing = _missing()
    if missing is None:
        return
    if os.environ.get("REQUIRE_RAY") == "1":
        pytest.fail(f"REQUIRE_RAY=1 but {missing}")
    pytest.skip(missing)


def test_a_two_job_sweep_runs_on_a_local_ray_instance(tmp_path):
    require_ray()
    seeds = ",".join(str(seed) for seed in SEEDS)
    code, log = run_sweep(tmp_path, f"seed={seeds}", "output.plots=false", launcher="ray_local")
    assert code == 0, f"expected the Ray sweep to exit with code 0, got {code}:\n{log}"
    assert "Ray Launcher is launching 2 jobs" in log, f"expected Hydra's Ray launcher:\n{log}"
    assert "Started a local Ray instance" in log, f"expected a local Ray instance:\n{log}"
    assert "(_run_job pid=" in log, f"expected the jobs' logs from Ray worker processes:\n{log}"
    for seed in SEEDS:
        summary = json.loads((job(tmp_path, seed) / "summary.json").read_text())
        assert summary["seed"] == seed, f"expected seed {seed}'s summary, got {summary['seed']}"
        assert summary["days"] == DAYS, f"expected {DAYS} days, got {summary['days']}"
    assert statuses(tmp_path) == dict.fromkeys(SEEDS, "complete"), (
        f"expected runs.csv to list both jobs complete:\n{pd.read_csv(tmp_path / 'runs.csv')}"
    )
    curves = pd.read_csv(tmp_path / "curves.csv")
    assert sorted(curves["seed"].unique()) == list(SEEDS), "expected the curves of both runs"
