"""A calibration's report, written (atomically) into its folder after every batch.

- ``report.md``: the best candidate (parameters with units and bounds, loss), trials done and
  failed (with why), seeds, free parameters against targets used, time taken, the targets table.
- ``trials.csv``: every trial: number, state, loss, parameters, batch, error, times.
- ``best.yaml``: the best candidate's values as the runs used them, nested to paste into a
  scenario file, and as command-line overrides in its header.
- ``best_targets.csv``: each target with its range, the best candidate's mean over the seeds
  (and min, max), the relative difference, whether it counts in the loss, and its error.
- ``calibration_curves.png``: left the enclave, bussed north, to government shelters and
  killed over time in the best candidate's runs, with the targets and their ranges.

The calibration folder: ``study.journal`` (Optuna), then ``batches/<trials>/``, each a sweep
folder (``design.csv``, ``runs.csv``, one ``trial_<n>_seed_<s>`` run folder per candidate and
seed), with ``evaluations.csv`` (each trial's loss or error) and ``targets_trial_<n>.csv``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import optuna
import pandas as pd
import yaml
from optuna.trial import FrozenTrial, TrialState

from sim import outcomes as o
from sim.figure_axes import date_axis
from sim.outputs import atomic_write, atomic_write_csv, atomic_write_text
from sim.tables import CalibrationTarget
from sim.validation import WORDS

if TYPE_CHECKING:
    from experiments.calibrate import CalibrationProblem

log = logging.getLogger(__name__)

BATCHES = "batches"
EVALUATIONS_FILE = "evaluations.csv"
BATCH_ATTR = "batch"
"""Trial user attribute: the name of the batch folder holding the trial's runs."""

CURVES = (
    (o.LEFT_ENCLAVE_CUM.name, "left the enclave"),
    (o.BUSSED_NORTH_CUM.name, "bussed north (fighters included)"),
    (o.TO_GOVERNMENT_SHELTERS_CUM.name, "to government shelters"),
    (o.KILLED_CUM.name, "civilians killed"),
)


def batch_folder(folder: Path, name: str) -> Path:
    return folder / BATCHES / name


def job_folder(batch: Path, trial: int, seed: int) -> Path:
    """The run folder of one candidate and seed in its batch folder."""
    return batch / f"trial_{trial}_seed_{seed}"


def errors(folder: Path) -> dict[int, str]:
    """Why each failed trial failed, from the batches' ``evaluations.csv``."""
    found: dict[int, str] = {}
    for path in sorted((folder / BATCHES).glob(f"*/{EVALUATIONS_FILE}")):
        table = pd.read_csv(path, keep_default_na=False)
        found.update({int(r.trial): str(r.error) for r in table.itertuples() if r.error})
    return found


def trials_table(folder: Path, study: optuna.Study, problem: CalibrationProblem) -> pd.DataFrame:
    """One row per trial: number, state, loss, parameters, batch, error, times."""
    why = errors(folder)
    rows = []
    for t in study.get_trials(deepcopy=False):
        started, completed = t.datetime_start, t.datetime_complete
        rows.append(
            {"trial": t.number, "state": t.state.name.lower(), "loss": t.value}
            | {p.key: t.params.get(p.key, np.nan) for p in problem.parameters}
            | {
                "batch": t.user_attrs.get(BATCH_ATTR, ""),
                "error": why.get(t.number, ""),
                "started": started.isoformat(timespec="seconds") if started else "",
                "completed": completed.isoformat(timespec="seconds") if completed else "",
            }
        )
    columns = ["trial", "state", "loss", *(p.key for p in problem.parameters)]
    return pd.DataFrame(rows, columns=[*columns, "batch", "error", "started", "completed"])


def best_trial(study: optuna.Study) -> FrozenTrial | None:
    """The complete trial of least loss (the first, on ties), or None."""
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    return min(complete, key=lambda t: (t.value, t.number)) if complete else None


def run_value(config: dict[str, Any], key: str) -> Any:
    """The value at dotted ``key`` of a run's ``config.yaml`` (list items by index)."""
    node: Any = config
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def best_values(
    folder: Path, trial: FrozenTrial, problem: CalibrationProblem
) -> dict[str, float | int]:
    """The best candidate's values as its first run read them (its ``config.yaml``)."""
    batch = batch_folder(folder, trial.user_attrs[BATCH_ATTR])
    run = job_folder(batch, trial.number, problem.seeds[0])
    config = yaml.safe_load((run / "config.yaml").read_text(encoding="utf-8"))
    return {p.key: run_value(config, p.key) for p in problem.parameters}


def scenario_yaml(values: dict[str, float | int], header: Sequence[str]) -> str:
    """``values`` nested by their dotted keys (YAML, as in a scenario file), under a header of
    comments. Keys through a list item (``crossings.0...``) cannot be nested: they are in the
    header's command line only, and a comment says so."""
    nested: dict[str, Any] = {}
    through_lists = []
    for key, value in values.items():
        parts = key.split(".")
        if any(part.isdigit() for part in parts):
            through_lists.append(key)
            continue
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    lines = [f"# {line}" for line in header]
    if through_lists:
        lines.append(
            "# Items of lists (set them in the list's entry, or on the command line): "
            + ", ".join(through_lists)
        )
    body = yaml.safe_dump(nested, sort_keys=False) if nested else ""
    return "\n".join(lines) + "\n" + body


def plot_curves(
    runs: Sequence[Path], seeds: Sequence[int], table: pd.DataFrame, path: Path, title: str
) -> None:
    """Each seed's end-of-day curves and their mean, with the targets (points; bars: range;
    hollow: not in the loss)."""
    date, hour = o.DATE.name, o.HOUR.name
    columns = [name for name, _ in CURVES]
    series = []
    for run in runs:
        ts = pd.read_csv(run / "timeseries.csv", usecols=[date, hour, *columns])
        daily = ts[ts[hour] == 23].assign(**{date: lambda d: pd.to_datetime(d[date])})
        series.append(daily.set_index(date)[columns])
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    for ax, (column, title_of_panel) in zip(axes.ravel(), CURVES, strict=True):
        scale, unit = (1, "people") if column == o.KILLED_CUM.name else (1000, "thousand people")
        for seed, daily in zip(seeds, series, strict=True):
            label = f"seed {seed}"
            ax.plot(daily.index, daily[column] / scale, linewidth=0.8, alpha=0.5, label=label)
        mean = pd.concat([d[column] for d in series], axis=1).mean(axis=1)
        ax.plot(mean.index, mean / scale, color="black", linewidth=1.8, label="mean")
        for r in table[table["outcome"] == column].itertuples():
            when = pd.Timestamp(r.date) + pd.Timedelta(hours=23)  # the end of its day
            ax.errorbar(
                [when],
                [r.target / scale],
                yerr=[[(r.target - r.low) / scale], [(r.high - r.target) / scale]],
                fmt="o",
                color="crimson",
                markerfacecolor="crimson" if r.used_in_loss else "white",
                capsize=4,
                label="target" + ("" if r.used_in_loss else " (not in the loss)"),
            )
        ax.set_title(title_of_panel)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        unique = dict(zip(labels, handles, strict=True))
        ax.legend(unique.values(), unique.keys(), fontsize=7, loc="upper left")
    dates = pd.concat([d.index.to_series() for d in series])
    for ax in axes[-1]:
        date_axis(ax, dates.min(), dates.max(), at_most=7)
        ax.set_xlabel("date (2018)")
    fig.suptitle(title)
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=100))
    plt.close(fig)


def run_seconds(folder: Path) -> list[float]:
    """Simulation time of every finished run of the calibration (``run_info.json``)."""
    seconds = []
    for path in (folder / BATCHES).glob("*/trial_*/run_info.json"):
        info = json.loads(path.read_text(encoding="utf-8"))
        seconds.append(info["finished_unix_s"] - info["started_unix_s"])
    return seconds


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.4g}"


def markdown(
    folder: Path,
    problem: CalibrationProblem,
    trials: pd.DataFrame,
    best: FrozenTrial | None,
    values: dict[str, float | int],
    table: pd.DataFrame | None,
    n_targets_used: int,
    elapsed_s: float,
    problem_path: Path | None,
    targets_path: Path | None,
    cli_overrides: Sequence[str],
) -> str:
    states = trials["state"].value_counts()
    count = {s: int(states[s]) if s in states else 0 for s in ("complete", "fail", "running")}
    seconds = run_seconds(folder)
    n_free = len(problem.parameters)
    lines = [
        f"# Calibration: {problem_path.stem if problem_path else folder.name}",
        "",
        f"- problem: `{problem_path}`" if problem_path else "- problem: (given in code)",
        f"- targets: `{targets_path or 'sim/data/ghouta/calibration_targets.csv (packaged)'}`",
        f"- overrides of every run: `{' '.join([*problem.overrides, *cli_overrides]) or 'none'}`",
        f"- seeds (common random numbers: every candidate runs on these): {list(problem.seeds)}",
        f"- trials: {len(trials)} of {problem.trials} ({count['complete']} complete, "
        f"{count['fail']} failed, {count['running']} interrupted); batches of {problem.batch}; "
        f"TPE sampler, seed {problem.sampler_seed}, {problem.startup_trials} random first",
        f"- free parameters: {n_free}; targets in the loss: {n_targets_used}"
        + (
            " (fewer targets than free parameters: the fit cannot pin every parameter)"
            if n_targets_used < n_free
            else ""
        ),
        f"- loss: mean over the targets of the squared {problem.loss.error} error "
        + (
            "of each run, averaged over the seeds (bias and spread; the error column is its "
            "root mean square)"
            if problem.loss.per_run
            else "of the mean over seeds"
        )
        + " (experiments/loss.py); targets after the run's end "
        + ("included (final value)" if problem.loss.include_targets_after_run_end else "left out"),
        f"- time: {elapsed_s / 60:.1f} min in this invocation; {len(seconds)} runs"
        + (f", {np.mean(seconds):.1f} s simulated per run on average" if seconds else ""),
        "",
    ]
    if best is None:
        lines += ["No complete trial yet.", ""]
    else:
        lines += [
            f"## Best candidate: trial {best.number}, loss {best.value:.4g}",
            "",
            "| parameter | value | unit | bounds | default |",
            "|---|---|---|---|---|",
        ]
        for p in problem.parameters:
            q = p.parameter
            scale = ", log scale" if p.log else ""
            default = "" if q.value is None else f"{q.value:g}"
            lines.append(
                f"| `{q.key}` | {values[q.key]:.6g} | {q.unit or '-'} | "
                f"{q.low:g} to {q.high:g}{scale} | {default} |"
            )
        lines += ["", "`best.yaml` holds these values, ready to paste into a scenario.", ""]
    if table is not None:
        lines += [
            "## Targets (best candidate: mean over the seeds)",
            "",
            "| date (day) | quantity | target (range) | model mean (min-max) | difference | "
            "in the loss | error |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in table.itertuples():
            when = f"{r.date} ({r.day})" + (", after the run" if r.compared_at == "run end" else "")
            error = f"{r.error:+.3f}" if r.used_in_loss else "-"
            lines.append(
                f"| {when} | {WORDS[r.quantity]} | {_number(r.target)} "
                f"({_number(r.low)}-{_number(r.high)}) | {_number(r.model_mean)} "
                f"({_number(r.model_min)}-{_number(r.model_max)}) | "
                f"{r.relative_difference:+.0%} | {'yes' if r.used_in_loss else 'no'} | {error} |"
            )
        lines.append("")
    failed = trials[trials["state"] == "fail"]
    if len(failed):
        lines += ["## Failed trials (excluded from the search)", ""]
        lines += [f"- trial {r.trial}: {r.error or 'interrupted'}" for r in failed.itertuples()]
        lines.append("")
    lines += [
        "## Files",
        "",
        "`trials.csv` (every trial), `best.yaml`, `best_targets.csv`, `calibration_curves.png`,",
        "`study.journal` (the Optuna study: rerun the same command to resume), `batches/` (runs).",
        "",
    ]
    return "\n".join(lines)


def write_report(
    folder: Path,
    problem: CalibrationProblem,
    study: optuna.Study,
    targets: Sequence[CalibrationTarget],
    used: Sequence[bool],
    elapsed_s: float,
    problem_path: Path | None = None,
    targets_path: Path | None = None,
    cli_overrides: Sequence[str] = (),
) -> None:
    """Write every report file of the calibration in ``folder`` (see the module docstring)."""
    trials = trials_table(folder, study, problem)
    atomic_write_csv(folder / "trials.csv", trials)
    best = best_trial(study)
    values: dict[str, float | int] = {}
    table = None
    if best is not None:
        batch = batch_folder(folder, best.user_attrs[BATCH_ATTR])
        values = best_values(folder, best, problem)
        table = pd.read_csv(batch / f"targets_trial_{best.number}.csv")
        atomic_write_csv(folder / "best_targets.csv", table)
        command = " ".join(f"{key}={value!r}" for key, value in values.items())
        overrides = [*problem.overrides, *cli_overrides]
        header = [
            f"Best candidate of the calibration in {folder}: trial {best.number}, "
            f"loss {best.value:.4g}, seeds {list(problem.seeds)}.",
            f"Its runs had the overrides: {' '.join(overrides) or 'none'}",
            f"On the command line: python run.py {command}",
        ]
        atomic_write_text(folder / "best.yaml", scenario_yaml(values, header))
        runs = [job_folder(batch, best.number, seed) for seed in problem.seeds]
        plot_curves(
            runs,
            problem.seeds,
            table,
            folder / "calibration_curves.png",
            f"Best candidate (trial {best.number}, loss {best.value:.3g}): "
            f"{len(runs)} seed(s), mean in black; targets in red",
        )
    text = markdown(
        folder,
        problem,
        trials,
        best,
        values,
        table,
        n_targets_used=sum(used),
        elapsed_s=elapsed_s,
        problem_path=problem_path,
        targets_path=targets_path,
        cli_overrides=cli_overrides,
    )
    atomic_write_text(folder / "report.md", text)
    log.info("calibration report: %s", folder / "report.md")
