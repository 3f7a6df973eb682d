"""Turn a sweep's folder into two tidy tables, one run at a time (memory stays flat).

    python -m experiments.aggregate multirun/cohesion_sweep [--out DIR]

A sweep folder holds ``multirun.yaml`` (the sweep's config, written by Hydra when the sweep
starts) and one job folder per run (``.hydra/overrides.yaml`` in each). The jobs are those of
the sweep that last ran there (its overrides expanded as Hydra's basic sweeper does), not every
folder found: a job folder is the one whose overrides are the job's. Writes into the sweep
folder (or ``--out``):

- ``runs.csv``: one row per job, in job order: ``job`` (its folder), ``status``, ``error``
  (first line of ``error.txt``), the inputs (one column per overridden key, values as given;
  jobs may override different keys), then the run's summary metrics (``summary.json``
  flattened: totals by route, days to 25/50/75% left, deal days, ...). ``status`` is
  ``complete`` (:func:`sim.outputs.is_complete` for the job's own config), ``failed``
  (``error.txt``), ``stale`` (a summary of another config, or unreadable) or ``missing``
  (never ran, or stopped before writing anything).
- ``curves.csv``: long table, one row per job and day (end of day): ``job``, the inputs, then
  ``day``, ``date`` and the evacuation curves of :data:`CURVES`.

Nothing is held for more than one run: rows are appended to the open files as each job is
read (unlike Mesa's ``batch_run``, which keeps every run in memory).
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import DictConfig, OmegaConf

from configs.schema import apply_sample, config_from_hydra
from sim import outcomes as o
from sim.outputs import (
    ERROR_FILE,
    SUMMARY_FILE,
    atomic_path,
    config_key,
    is_complete,
)
from sim.params import ConfigError

log = logging.getLogger(__name__)

CURVES = tuple(
    outcome.name
    for outcome in (
        o.REMAINING,
        o.LEFT_ENCLAVE_CUM,
        o.LEFT_VIA_CROSSING_CUM,
        o.LEFT_VIA_FRONT_CUM,
        o.LEFT_VIA_DEAL_CORRIDOR_CUM,
        o.BUSSED_NORTH_CUM,
        o.BUSSED_NORTH_FIGHTERS_CUM,
        o.STAYED_UNDER_GOVERNMENT_CUM,
        o.KILLED_CUM,
        o.REBEL_CELLS,
    )
)
"""Timeseries columns kept per day in ``curves.csv``."""

IGNORED_OVERRIDES = ("+experiment", "experiment", "hydra.")
"""Override keys that are not model inputs (prefixes)."""

STATUSES = ("complete", "failed", "stale", "missing")

SWEEP_CONFIG = "multirun.yaml"
"""Written by Hydra into the sweep folder when a sweep starts: its overrides."""


@dataclass(frozen=True)
class Job:
    """One job of a sweep: its overrides, and the folder it ran in (None if it never ran)."""

    overrides: tuple[str, ...]
    folder: Path | None

    @property
    def name(self) -> str:
        return self.folder.name if self.folder is not None else " ".join(self.overrides)

    @property
    def inputs(self) -> dict[str, str]:
        inputs = {}
        for item in self.overrides:
            key, _, value = item.partition("=")
            if not key.startswith(IGNORED_OVERRIDES):
                inputs[key.lstrip("+~")] = value
        return inputs

    def outcome(self) -> tuple[str, str]:
        """``(status, error)``: one of :data:`STATUSES`, and the first line of ``error.txt``."""
        if self.folder is None:
            return "missing", ""
        error = self.folder / ERROR_FILE
        if error.exists() and not (self.folder / SUMMARY_FILE).exists():
            return "failed", _first_line(error)
        try:
            key = job_config_key(self.folder)
        except ConfigError as err:
            return "failed", f"invalid config: {err}"
        if is_complete(self.folder, key):
            return "complete", ""
        if error.exists():
            return "failed", _first_line(error)
        return ("stale", "") if (self.folder / SUMMARY_FILE).exists() else ("missing", "")


def _first_line(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return lines[0] if lines else ""


def job_config_key(folder: Path) -> str:
    """The ``config_key`` of the config the job's latest attempt ran (``.hydra/config.yaml``,
    which Hydra writes at every attempt, with its design row applied as ``run.py`` does)."""
    cfg = OmegaConf.load(folder / ".hydra" / "config.yaml")
    apply_sample(cfg)
    config, _ = config_from_hydra(cfg)
    return config_key(config)


def sweep_overrides(sweep_config: DictConfig) -> list[tuple[str, ...]]:
    """Each job's overrides, in job order, as Hydra's basic sweeper expands the sweep.

    The preset's ``hydra.sweeper.params`` first, then the command line (a key given there
    replaces the preset's).
    """
    params = sweep_config.hydra.sweeper.params or {}
    arguments = [f"{key}={value}" for key, value in params.items()]
    arguments += list(sweep_config.hydra.overrides.task)
    parsed = OverridesParser.create().parse_overrides(arguments)
    (batch,) = BasicSweeper.split_arguments(parsed, max_batch_size=None)
    return [tuple(job) for job in batch]


def find_jobs(sweep_dir: Path, overrides: list[tuple[str, ...]] | None = None) -> list[Job]:
    """The sweep's jobs, each with the folder (under ``sweep_dir``) that holds its overrides.

    ``overrides``: the jobs' overrides (:func:`sweep_overrides`); by default those of the
    sweep's ``multirun.yaml``. Where two folders hold the same overrides (job folders named
    by number, from an older sweep), the one that ran last is taken.
    """
    sweep_dir = Path(sweep_dir)
    if overrides is None:
        overrides = sweep_overrides(OmegaConf.load(sweep_dir / SWEEP_CONFIG))
    folders: dict[tuple[str, ...], Path] = {}
    found = sorted(sweep_dir.rglob("overrides.yaml"), key=lambda p: p.stat().st_mtime_ns)
    for path in found:
        if path.parent.name == ".hydra":
            items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
            folders[tuple(sorted(items))] = path.parent.parent
    return [Job(job, folders.get(tuple(sorted(job)))) for job in overrides]


def flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}``; lists of records become JSON text."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            out[f"{prefix}{key}"] = json.dumps(value)
        else:
            out[f"{prefix}{key}"] = value
    return out


def daily_curves(folder: Path) -> pd.DataFrame:
    """End-of-day rows of a run's evacuation curves."""
    day, date, hour = o.DAY.name, o.DATE.name, o.HOUR.name
    ts = pd.read_csv(folder / "timeseries.csv", usecols=[day, date, hour, *CURVES])
    return ts[ts[hour] == 23].drop(columns=hour)


def iter_rows(
    jobs: list[Job], outcomes: list[tuple[str, str]]
) -> Iterator[tuple[dict[str, Any], pd.DataFrame | None]]:
    """(runs.csv row, daily curves or None) for each job and its (status, error), one at a time."""
    for job, (status, error) in zip(jobs, outcomes, strict=True):
        row: dict[str, Any] = {"job": job.name, "status": status, "error": error, **job.inputs}
        curves = None
        if status == "complete":
            summary = json.loads((job.folder / SUMMARY_FILE).read_text(encoding="utf-8"))
            row.update(flatten(summary))
            curves = daily_curves(job.folder)
        yield row, curves


def aggregate(
    sweep_dir: Path,
    out_dir: Path | None = None,
    overrides: list[tuple[str, ...]] | None = None,
) -> tuple[Path, Path]:
    """Write ``runs.csv`` and ``curves.csv`` for the sweep's jobs; returns their paths.

    ``overrides``: the jobs' overrides (:func:`sweep_overrides`); by default those of the
    sweep's ``multirun.yaml``.
    """
    sweep_dir = Path(sweep_dir)
    out_dir = Path(out_dir) if out_dir is not None else sweep_dir
    jobs = find_jobs(sweep_dir, overrides)
    if not jobs:
        raise ValueError(f"the sweep in {sweep_dir} has no jobs")
    outcomes = [job.outcome() for job in jobs]
    input_keys = list(dict.fromkeys(key for job in jobs for key in job.inputs))
    runs_path, curves_path = out_dir / "runs.csv", out_dir / "curves.csv"
    fields = ["job", "status", "error", *input_keys]
    complete = [
        job for job, outcome in zip(jobs, outcomes, strict=True) if outcome[0] == "complete"
    ]
    fields += [key for key in _summary_keys(complete) if key not in fields]
    curve_columns = ["job", *input_keys, o.DAY.name, o.DATE.name, *CURVES]
    counts = dict.fromkeys(STATUSES, 0)
    with (
        atomic_path(runs_path) as runs_tmp,
        atomic_path(curves_path) as curves_tmp,
        runs_tmp.open("w", newline="", encoding="utf-8") as runs_file,
        curves_tmp.open("w", newline="", encoding="utf-8") as curves_file,
    ):
        # A row with a key outside ``fields`` raises (DictWriter's default), never dropped.
        runs_writer = csv.DictWriter(runs_file, fieldnames=fields, restval="")
        runs_writer.writeheader()
        curves_file.write(",".join(curve_columns) + "\n")
        for row, curves in iter_rows(jobs, outcomes):
            counts[row["status"]] += 1
            runs_writer.writerow(row)
            if curves is not None:
                # A job that does not override a key gets an empty cell, as in runs.csv.
                inputs = dict.fromkeys(input_keys, "") | {k: row[k] for k in input_keys if k in row}
                job_columns = {"job": row["job"]} | inputs
                curves = curves.assign(**job_columns)[curve_columns]
                curves.to_csv(curves_file, header=False, index=False)
    log.info(
        "%d jobs: %s -> %s, %s",
        len(jobs),
        ", ".join(f"{n} {status}" for status, n in counts.items()),
        runs_path,
        curves_path,
    )
    return runs_path, curves_path


def _summary_keys(jobs: list[Job]) -> list[str]:
    """The union of the (complete) jobs' flattened summary keys, in order of first appearance.

    Runs of one sweep can differ in schema (a logistics preset with two crossings, or other
    reception sites); a run lacking a key gets an empty cell. Only the key lists are kept.
    """
    keys: dict[str, None] = {}
    for job in jobs:
        summary = json.loads((job.folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        keys.update(dict.fromkeys(flatten(summary)))
    return list(keys)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="default: the sweep folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    aggregate(args.sweep_dir, args.out)


if __name__ == "__main__":
    main()
