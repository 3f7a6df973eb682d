"""Turn a sweep's folder into two tidy tables, one run at a time (memory stays flat).

    python -m experiments.aggregate multirun/cohesion_sweep [--out DIR]

A sweep folder holds one job folder per run (``.hydra/overrides.yaml`` in each). Writes into
the sweep folder (or ``--out``):

- ``runs.csv``: one row per job: ``job``, ``status`` (complete / failed / missing), the swept
  inputs (one column per overridden key, values as given), then the run's summary metrics
  (``summary.json`` flattened: totals by route, days to 25/50/75% left, deal days, ...).
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

from sim import outcomes as o
from sim.outputs import atomic_path

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


@dataclass(frozen=True)
class Job:
    """One job folder of a sweep."""

    folder: Path
    inputs: dict[str, str]

    @property
    def status(self) -> str:
        if (self.folder / "summary.json").exists():
            return "complete"
        if (self.folder / "error.txt").exists():
            return "failed"
        return "missing"


def find_jobs(sweep_dir: Path) -> list[Job]:
    """Every job folder under ``sweep_dir``, in job-number order where names start with it."""
    jobs = []
    for overrides in sorted(Path(sweep_dir).glob("*/.hydra/overrides.yaml")):
        folder = overrides.parent.parent
        items = yaml.safe_load(overrides.read_text(encoding="utf-8")) or []
        inputs = {}
        for item in items:
            key, _, value = item.partition("=")
            if not key.startswith(IGNORED_OVERRIDES):
                inputs[key.lstrip("+~")] = value
        jobs.append(Job(folder, inputs))
    return sorted(jobs, key=lambda j: _job_number(j.folder.name))


def _job_number(name: str) -> tuple[int, str]:
    head = name.split("_", 1)[0]
    return (int(head), name) if head.isdigit() else (10**9, name)


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


def iter_rows(jobs: list[Job]) -> Iterator[tuple[dict[str, Any], pd.DataFrame | None]]:
    """(runs.csv row, daily curves or None) for each job, read one at a time."""
    for job in jobs:
        row: dict[str, Any] = {"job": job.folder.name, "status": job.status, **job.inputs}
        curves = None
        if job.status == "complete":
            summary = json.loads((job.folder / "summary.json").read_text(encoding="utf-8"))
            row.update(flatten(summary))
            curves = daily_curves(job.folder)
        yield row, curves


def aggregate(sweep_dir: Path, out_dir: Path | None = None) -> tuple[Path, Path]:
    """Write ``runs.csv`` and ``curves.csv`` for the sweep; returns their paths."""
    sweep_dir = Path(sweep_dir)
    out_dir = Path(out_dir) if out_dir is not None else sweep_dir
    jobs = find_jobs(sweep_dir)
    if not jobs:
        raise FileNotFoundError(f"no job folders (*/.hydra/overrides.yaml) under {sweep_dir}")
    input_keys = list(dict.fromkeys(key for job in jobs for key in job.inputs))
    runs_path, curves_path = out_dir / "runs.csv", out_dir / "curves.csv"
    fields = ["job", "status", *input_keys]
    fields += [key for key in _summary_keys(jobs) if key not in fields]
    curve_columns = ["job", *input_keys, o.DAY.name, o.DATE.name, *CURVES]
    counts = {"complete": 0, "failed": 0, "missing": 0}
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
        for row, curves in iter_rows(jobs):
            counts[row["status"]] += 1
            runs_writer.writerow(row)
            if curves is not None:
                job_columns = {"job": row["job"]} | {key: row[key] for key in input_keys}
                curves = curves.assign(**job_columns)[curve_columns]
                curves.to_csv(curves_file, header=False, index=False)
    log.info(
        "%d jobs: %d complete, %d failed, %d missing -> %s, %s",
        len(jobs),
        counts["complete"],
        counts["failed"],
        counts["missing"],
        runs_path,
        curves_path,
    )
    return runs_path, curves_path


def _summary_keys(jobs: list[Job]) -> list[str]:
    """The union of the complete jobs' flattened summary keys, in order of first appearance.

    Runs of one sweep can differ in schema (a logistics preset with two crossings, or other
    reception sites); a run lacking a key gets an empty cell. Only the key lists are kept.
    """
    keys: dict[str, None] = {}
    for job in jobs:
        if job.status == "complete":
            summary = json.loads((job.folder / "summary.json").read_text(encoding="utf-8"))
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
