"""Sweep aggregation of runs whose summaries differ in schema (e.g. logistics presets with
different crossings) or whose jobs override different keys, and the atomic writes every output
goes through."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
from omegaconf import OmegaConf

from configs.schema import config_from_hydra
from experiments.aggregate import CURVES, aggregate
from sim import outcomes as o
from sim.outputs import atomic_write_text, config_key
from tests.test_config import compose_raw


def fake_job(folder: Path, override: str, summary: dict) -> None:
    """A finished job folder as ``run.py`` leaves it: Hydra's records, a summary of its config."""
    cfg = compose_raw(override)
    (folder / ".hydra").mkdir(parents=True)
    OmegaConf.save(cfg, folder / ".hydra" / "config.yaml")
    (folder / ".hydra" / "overrides.yaml").write_text(f"- {override}\n")
    key = config_key(config_from_hydra(cfg)[0])
    (folder / "summary.json").write_text(json.dumps({"config_key": key} | summary))
    time = {o.DAY.name: [0], o.DATE.name: ["2018-02-18 23:00"], o.HOUR.name: [23]}
    curves = time | {c: [0] for c in CURVES}
    pd.DataFrame(curves).to_csv(folder / "timeseries.csv", index=False)


def test_runs_with_different_crossings_share_one_table_with_empty_cells(tmp_path):
    one = {"crossings": {"Wafideen": {"crossed": 5}}}
    two = {"crossings": {"Wafideen": {"crossed": 7}, "Hamouriyeh": {"crossed": 3}}}
    fake_job(tmp_path / "a", "logistics=historical_2018", one)
    fake_job(tmp_path / "b", "logistics=generous", two)
    jobs = [("logistics=historical_2018",), ("logistics=generous",)]
    runs_path, _ = aggregate(tmp_path, overrides=jobs)
    runs = pd.read_csv(runs_path)
    assert runs["status"].tolist() == ["complete", "complete"], f"got {runs['status']}"
    assert runs["crossings.Wafideen.crossed"].tolist() == [5, 7], "expected both runs' Wafideen"
    hamouriyeh = runs["crossings.Hamouriyeh.crossed"]
    assert hamouriyeh.isna().tolist() == [True, False] and hamouriyeh.iloc[1] == 3, (
        f"expected an empty cell for the run without Hamouriyeh and 3 for the other: {hamouriyeh}"
    )


def test_jobs_overriding_different_keys_and_jobs_never_run_are_listed_in_sweep_order(tmp_path):
    fake_job(tmp_path / "buses", "bus_fleet.buses=30", {})
    fake_job(tmp_path / "generous", "logistics=generous", {})
    fake_job(tmp_path / "older", "seed=7", {})  # another sweep's job: not listed
    jobs = [("logistics=generous",), ("seed=5",), ("bus_fleet.buses=30",)]
    runs_path, curves_path = aggregate(tmp_path, overrides=jobs)
    runs = pd.read_csv(runs_path, keep_default_na=False)
    assert runs["job"].tolist() == ["generous", "seed=5", "buses"], f"got {runs['job']}"
    assert runs["status"].tolist() == ["complete", "missing", "complete"], f"got {runs}"
    assert runs["logistics"].tolist() == ["generous", "", ""], "expected empty cells elsewhere"
    curves = pd.read_csv(curves_path, keep_default_na=False)
    assert curves["job"].tolist() == ["generous", "buses"], "expected the complete jobs' curves"
    assert curves["bus_fleet.buses"].tolist() == ["", "30"], f"got {curves['bus_fleet.buses']}"


def test_atomic_writes_get_the_usual_file_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "out.txt", "hello")
    finally:
        os.umask(mask)
    mode = stat.S_IMODE((tmp_path / "out.txt").stat().st_mode)
    assert mode == 0o644, f"expected rw-r--r-- under umask 022 (not mkstemp's 0600), got {mode:o}"
