"""Run folders: names from the overrides (short, safe, unique), single runs that never share a
folder, a refused config's folder, what counts as a complete run, and atomic writes that fsync
and clean up after killed writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from configs.folders import MAX_NAME_BYTES, folder_name, run_suffix, sweep_name
from sim.outputs import STALE_TMP_S, atomic_write_text, is_complete
from tests.conftest import SMALL

ROOT = Path(__file__).resolve().parents[1]
TWO_DAYS = (*(o for o in SMALL if not o.startswith("days=")), "days=2")
EXCLUDED = ("output.force", "output.plots", "output.progress_bar", "experiment")


def test_folder_names_are_the_overrides_when_short_and_safe():
    assert folder_name("") == "default", "expected 'default' without overrides"
    name = "bus_fleet.buses=30,seed=3"
    assert folder_name(name) == name, "expected a short, safe name unchanged"


def test_long_or_unsafe_names_are_cut_under_the_limit_and_stay_unique():
    long_a = ",".join(f"factions.f{k}.cohesion=0.{k}" for k in range(40)) + ",seed=1"
    long_b = long_a[:-1] + "2"
    a, b = folder_name(long_a), folder_name(long_b)
    assert len(a.encode()) <= MAX_NAME_BYTES < 255, f"expected at most {MAX_NAME_BYTES} bytes"
    assert a != b, "expected names that differ only past the cut to stay distinct (hash)"
    assert a.startswith("factions.f0.cohesion=0.0,"), f"expected a readable start, got {a}"
    path = folder_name("sample.file=/tmp/x/design.csv")
    assert "/" not in path and path.startswith("sample.file=_tmp_x_design.csv_"), path
    assert folder_name("a/b") != folder_name("a_b"), "expected a cleaned name to keep a hash"
    assert not folder_name(".hidden=1").startswith("."), "expected no hidden folder"


def test_sweep_names_come_from_the_command_whatever_its_order():
    one = sweep_name(["seed=0,1", "+experiment=cohesion_sweep", "days=30"], EXCLUDED)
    two = sweep_name(
        ["days=30", "output.force=true", "+experiment=cohesion_sweep", "seed=0,1"], EXCLUDED
    )
    assert one == two == "cohesion_sweep,days=30,seed=0,1", f"got {one!r} and {two!r}"
    assert sweep_name(["+experiment=cohesion_sweep"], EXCLUDED) == "cohesion_sweep"
    assert sweep_name(["days=35", "days=12"], EXCLUDED) == "days=12", "expected the last days"
    assert sweep_name([], EXCLUDED) == "default", "expected 'default' without overrides"


def test_run_suffixes_differ_within_one_process():
    suffixes = {run_suffix() for _ in range(20)}
    assert len(suffixes) > 1, "expected a random part, not only the pid"
    assert all(s.startswith(f"{os.getpid()}-") for s in suffixes), f"got {suffixes}"


@pytest.mark.slow
def test_runs_started_together_get_their_own_folders_and_a_refused_config_says_why(tmp_path):
    def start(*overrides: str) -> subprocess.Popen:
        command = [sys.executable, str(ROOT / "run.py"), *TWO_DAYS, *overrides]
        return subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True,
                                stderr=subprocess.STDOUT)  # fmt: skip

    runs = [start("output.plots=false"), start("output.plots=false"), start("seed=-1")]
    logs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 2], f"expected 0, 0 and 2:\n{logs}"
    same = (
        tmp_path
        / "outputs/ghouta_2018/historical_2018"
        / folder_name(
            "days=2,faction_dynamics.min_pocket_cells=6,grid.cell_size_m=200,people_per_agent=20"
        )
    )
    folders = sorted(same.iterdir())
    assert len(folders) == 2, f"expected two folders for two identical runs, got {folders}"
    for folder in folders:
        assert (folder / "summary.json").exists(), f"expected a complete run in {folder}"
        assert folder.name.count("_") == 2, f"expected <date>_<time>_<pid>-<hex>: {folder.name}"
    (refused,) = (tmp_path / "outputs/ghouta_2018/historical_2018").glob("*seed=-1/*")
    assert (refused / "error.txt").read_text().startswith("invalid config: seed: must be >= 0")
    assert not (refused / "summary.json").exists(), "expected no summary for a refused config"


def test_a_run_is_complete_only_with_a_whole_summary_of_its_config_and_no_newer_error(
    tmp_path,
):
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"config_key": "abc"}))
    assert is_complete(tmp_path, "abc"), "expected a summary of this config complete"
    assert not is_complete(tmp_path, "other"), "expected a summary of another config stale"
    summary.write_text('{"config_key": "ab')
    assert not is_complete(tmp_path, "abc"), "expected a truncated summary incomplete"
    summary.write_text(json.dumps({"config_key": "abc"}))
    (tmp_path / "error.txt").write_text("RuntimeError: later\n")
    assert not is_complete(tmp_path, "abc"), "expected an error newer than the summary to win"


def test_atomic_writes_remove_leftovers_of_killed_writes_only(tmp_path):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()  # its pid is now free
    dead = tmp_path / f".out.txt.{finished.pid}.abcd1234.tmp"
    old = tmp_path / ".out.txt.xyz12345.tmp"  # no pid (older naming), untouched for long
    fresh = tmp_path / f".out.txt.{os.getppid()}.efgh5678.tmp"  # a live writer's
    other = tmp_path / f".other.txt.{finished.pid}.abcd1234.tmp"  # another target's
    for path in (dead, old, fresh, other):
        path.write_text("partial")
    long_ago = time.time() - 2 * STALE_TMP_S
    os.utime(old, (long_ago, long_ago))
    atomic_write_text(tmp_path / "out.txt", "hello")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([fresh.name, other.name, "out.txt"]), f"got {left}"
    assert (tmp_path / "out.txt").read_text() == "hello", "expected the new file in place"


def test_clearing_a_run_folder_knows_every_file_a_run_writes(tmp_path):
    # A failed rerun must leave no old result behind: every file write_run makes is listed.
    from sim.outputs import RUN_FILES, SUMMARY_FILE, write_run
    from tests.conftest import run_model, strip_map, tiny_config

    write_run(run_model(tiny_config(days=2), strip_map(3, 10)), tmp_path)
    written = {p.name for p in tmp_path.iterdir()}
    unknown = written - {*RUN_FILES, SUMMARY_FILE}
    assert not unknown, f"expected RUN_FILES to list every output, missing {sorted(unknown)}"
