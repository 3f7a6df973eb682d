"""Sweep aggregation of runs whose summaries differ in schema (e.g. logistics presets with
different crossings), and the atomic writes every output goes through."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd

from experiments.aggregate import CURVES, aggregate
from sim import outcomes as o
from sim.outputs import atomic_write_text


def fake_job(folder: Path, override: str, summary: dict) -> None:
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "overrides.yaml").write_text(f"- {override}\n")
    (folder / "summary.json").write_text(json.dumps(summary))
    time = {o.DAY.name: [0], o.DATE.name: ["2018-02-18 23:00"], o.HOUR.name: [23]}
    curves = time | {c: [0] for c in CURVES}
    pd.DataFrame(curves).to_csv(folder / "timeseries.csv", index=False)


def test_runs_with_different_crossings_share_one_table_with_empty_cells(tmp_path):
    one = {"crossings": {"Wafideen": {"crossed": 5}}}
    two = {"crossings": {"Wafideen": {"crossed": 7}, "Hamouriyeh": {"crossed": 3}}}
    fake_job(tmp_path / "0", "logistics=historical_2018", one)
    fake_job(tmp_path / "1", "logistics=generous", two)
    runs_path, _ = aggregate(tmp_path)
    runs = pd.read_csv(runs_path)
    assert runs["crossings.Wafideen.crossed"].tolist() == [5, 7], "expected both runs' Wafideen"
    hamouriyeh = runs["crossings.Hamouriyeh.crossed"]
    assert hamouriyeh.isna().tolist() == [True, False] and hamouriyeh.iloc[1] == 3, (
        f"expected an empty cell for the run without Hamouriyeh and 3 for the other: {hamouriyeh}"
    )


def test_atomic_writes_get_the_usual_file_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "out.txt", "hello")
    finally:
        os.umask(mask)
    mode = stat.S_IMODE((tmp_path / "out.txt").stat().st_mode)
    assert mode == 0o644, f"expected rw-r--r-- under umask 022 (not mkstemp's 0600), got {mode:o}"
