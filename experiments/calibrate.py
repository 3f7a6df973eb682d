"""Calibration of named parameters to the calibration targets, with Optuna (ask and tell).

    python -m experiments.calibrate experiments/problems/ghouta_2018.yaml \\
        [--trials N] [--targets CSV] [--out DIR] [overrides, e.g. hydra/launcher=slurm]

1. **Problem.** A YAML file (strict keys): ``parameters`` (config keys, as in
   :mod:`experiments.sensitivity`: bounds default to the declared ones, narrower allowed;
   ``log: true`` samples on a log scale), ``seeds`` (every candidate runs on the same seeds:
   common random numbers, so two candidates differ by their parameters, not by luck),
   ``overrides`` (Hydra overrides for every run: scale, map, length), ``targets`` (a CSV like
   ``sim/data/ghouta/calibration_targets.csv``, the default; relative to the problem file;
   ``--targets`` replaces it), ``trials``, ``batch`` (candidates per launch), ``sampler_seed``,
   ``startup_trials`` (random candidates before TPE models the losses) and ``loss``
   (:class:`experiments.loss.LossSettings`).
2. **Search.** Optuna's TPE sampler, in ask-and-tell mode. Each batch: ask ``batch``
   candidates, write them to ``batches/<trials>/design.csv`` (one row per candidate), run
   every candidate x seed through ``python run.py -m`` and the configured Hydra launcher
   (parallel here, Slurm or Ray with ``hydra/launcher=...``), read each run's
   ``timeseries.csv``, compute the loss (:mod:`experiments.loss`) and tell it. A candidate
   with a run that did not complete (``runs.csv`` status) is told as failed, listed with its
   error, and the search goes on.
3. **Resume.** The study lives in ``study.journal`` (Optuna's JournalStorage) in the
   calibration folder (default ``multirun/calibrate_<problem>``). The same command again
   goes on where it stopped: an interrupted batch is finished (its complete runs skipped),
   then new candidates are asked until ``trials`` (``--trials`` raises it). The sampler is
   seeded with ``sampler_seed`` + the number of trials so far, so the candidates depend only
   on the problem and the study's history, not on where it was interrupted. A folder holding
   a study of another problem is refused.
4. **Report.** After each batch (:mod:`experiments.calibration_report`): ``report.md``,
   ``trials.csv``, ``best.yaml``, ``best_targets.csv`` and ``calibration_curves.png``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import yaml
from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException
from optuna.distributions import BaseDistribution, FloatDistribution, IntDistribution
from optuna.storages import JournalStorage
from optuna.storages.journal import JournalFileBackend
from optuna.trial import TrialState

from configs.schema import compose_config
from experiments.aggregate import aggregate
from experiments.calibration_report import (
    BATCH_ATTR,
    EVALUATIONS_FILE,
    batch_folder,
    job_folder,
    write_report,
)
from experiments.launch import launch_sweep
from experiments.loss import LossSettings, loss, target_table, used_targets
from experiments.sensitivity import problem_parameter
from sim.declared import Parameter
from sim.outputs import atomic_write_csv
from sim.params import ConfigError, SimConfig
from sim.tables import CalibrationTarget, load_calibration_targets
from sim.validation import outcome_of, validate

log = logging.getLogger(__name__)


PROBLEM_KEYS = (
    "parameters",
    "seeds",
    "overrides",
    "targets",
    "trials",
    "batch",
    "loss",
    "sampler_seed",
    "startup_trials",
)
REQUIRED_KEYS = ("parameters", "seeds", "trials", "batch")
PARAMETER_KEYS = ("name", "low", "high", "integer", "log")
RESERVED_OVERRIDES = ("seed", "sample.")
"""Keys the tool sets for each run: seeds come from ``seeds``, design rows from the search."""
NOT_MODEL_OVERRIDES = ("hydra", "output.")
"""Overrides that say where and how to run or report, not what: left out of the study's
identity (a search may move to a cluster half way)."""

ASKED = (TrialState.RUNNING, TrialState.COMPLETE, TrialState.FAIL, TrialState.PRUNED)
"""Trial states that count toward ``trials`` (not WAITING: enqueued, to be asked first)."""
STUDY_NAME = "calibration"
JOURNAL_FILE = "study.journal"


@dataclass(frozen=True)
class FreeParameter:
    """A parameter searched between its bounds, uniformly or on a log scale."""

    parameter: Parameter
    log: bool = False

    def __post_init__(self) -> None:
        if self.log and self.parameter.low <= 0:
            raise ConfigError(
                f"{self.key}: log: true needs a positive low bound, got {self.parameter.low}"
            )

    @property
    def key(self) -> str:
        return self.parameter.key

    def distribution(self) -> BaseDistribution:
        p = self.parameter
        if p.integer:
            return IntDistribution(int(p.low), int(p.high), log=self.log)
        return FloatDistribution(float(p.low), float(p.high), log=self.log)


@dataclass(frozen=True)
class CalibrationProblem:
    """What to search, on which runs, against which targets, and how long."""

    parameters: tuple[FreeParameter, ...]
    seeds: tuple[int, ...]
    overrides: tuple[str, ...]
    targets: Path | None
    """None: the packaged ``calibration_targets.csv``."""
    trials: int
    batch: int
    loss: LossSettings
    sampler_seed: int = 0
    startup_trials: int = 10

    def __post_init__(self) -> None:
        keys = [p.key for p in self.parameters]
        if not keys:
            raise ConfigError("parameters: name at least one")
        if len(set(keys)) != len(keys):
            raise ConfigError(f"parameters: a name is listed twice in {keys}")
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ConfigError(f"seeds: a non-empty list of distinct seeds, got {list(self.seeds)}")
        for name in ("trials", "batch", "startup_trials", "sampler_seed"):
            value = getattr(self, name)
            minimum = 0 if name in ("startup_trials", "sampler_seed") else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ConfigError(f"{name}: must be an integer >= {minimum}, got {value!r}")
        for seed in self.seeds:
            if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
                raise ConfigError(f"seeds: must be integers >= 0, got {seed!r}")

    def distributions(self) -> dict[str, BaseDistribution]:
        return {p.key: p.distribution() for p in self.parameters}


def override_key(override: str) -> str:
    """``+a.b=1`` -> ``a.b``; ``hydra/launcher=slurm`` -> ``hydra/launcher``."""
    return override.partition("=")[0].lstrip("+~")


def is_model_override(override: str) -> bool:
    """Whether an override changes what the runs compute (not where or how they report)."""
    return not override_key(override).startswith(NOT_MODEL_OVERRIDES)


def _check_overrides(overrides: list[Any], where: str, free: set[str]) -> tuple[str, ...]:
    for item in overrides:
        if not isinstance(item, str) or "=" not in item:
            raise ConfigError(f"{where}: each item is a Hydra override key=value, got {item!r}")
        key = override_key(item)
        if key == "seed" or key.startswith(RESERVED_OVERRIDES):
            raise ConfigError(
                f"{where}: {key} is set by the calibration for each run (seeds: the problem's "
                "seeds list)"
            )
        if key in free:
            raise ConfigError(f"{where}: {key} is a free parameter and cannot also be fixed")
    return tuple(overrides)


def load_problem(
    path: Path, cli_overrides: tuple[str, ...] = (), trials: int | None = None
) -> tuple[CalibrationProblem, SimConfig]:
    """Read a problem file; returns it with the config its runs start from.

    ``cli_overrides``: the command line's model overrides, applied after the file's.
    ``trials``: replaces the file's. Unknown keys, keys not in the config, bounds outside the
    declared range and overrides of keys the tool sets are refused by name.
    """
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a calibration problem is a mapping of {list(PROBLEM_KEYS)}")
    unknown = sorted(set(data) - set(PROBLEM_KEYS))
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown key in {path} (known: {list(PROBLEM_KEYS)})")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ConfigError(f"{missing[0]}: missing in {path}")
    items = data["parameters"]
    if not isinstance(items, list):
        raise ConfigError(f"parameters: a list of config keys or mappings in {path}")
    items = [{"name": item} if isinstance(item, str) else item for item in items]
    for i, item in enumerate(items):
        if not isinstance(item, dict) or "name" not in item:
            raise ConfigError(f"parameters[{i}].name: missing in {path}")
        extra = sorted(set(item) - set(PARAMETER_KEYS))
        if extra:
            raise ConfigError(f"parameters[{i}].{extra[0]}: unknown key in {path}")
    free = {item["name"] for item in items}
    overrides = data.get("overrides", [])
    if not isinstance(overrides, list):
        raise ConfigError(f"overrides: a list of Hydra overrides key=value in {path}")
    overrides = _check_overrides(overrides, "overrides", free)
    _check_overrides(list(cli_overrides), "command line", free)
    try:
        config = compose_config(*overrides, *cli_overrides)
    except (HydraException, OmegaConfBaseException) as err:
        raise ConfigError(f"overrides: {err} (in {path} or on the command line)") from None
    parameters = []
    for item in items:
        log_scale = item.pop("log", False)
        if not isinstance(log_scale, bool):
            raise ConfigError(f"{item['name']}: log: must be true or false in {path}")
        parameters.append(FreeParameter(problem_parameter(config, **item), log=log_scale))
    loss_data = data.get("loss", {})
    if not isinstance(loss_data, dict):
        raise ConfigError(f"loss: a mapping in {path}")
    loss_keys = [f.name for f in dataclasses.fields(LossSettings)]
    extra = sorted(set(loss_data) - set(loss_keys))
    if extra:
        raise ConfigError(f"loss.{extra[0]}: unknown key in {path} (known: {loss_keys})")
    targets = data.get("targets", None)
    if targets is not None and not isinstance(targets, str):
        raise ConfigError(f"targets: a path (relative to the problem file) in {path}")
    seeds = data["seeds"]
    if not isinstance(seeds, list):
        raise ConfigError(f"seeds: a list of integers in {path}")
    problem = CalibrationProblem(
        parameters=tuple(parameters),
        seeds=tuple(seeds),
        overrides=overrides,
        targets=(path.parent / targets).resolve() if targets is not None else None,
        trials=data["trials"] if trials is None else trials,
        batch=data["batch"],
        loss=LossSettings(**loss_data),
        **{key: data[key] for key in ("sampler_seed", "startup_trials") if key in data},
    )
    return problem, config


def identity(
    problem: CalibrationProblem,
    cli_overrides: tuple[str, ...],
    targets: tuple[CalibrationTarget, ...],
) -> dict[str, Any]:
    """What makes two invocations the same study (``trials`` and ``batch`` may change)."""
    return {
        "parameters": [
            {
                "name": p.key,
                "low": p.parameter.low,
                "high": p.parameter.high,
                "integer": p.parameter.integer,
                "log": p.log,
            }
            for p in problem.parameters
        ],
        "seeds": list(problem.seeds),
        "overrides": [*problem.overrides, *cli_overrides],
        "targets": [dataclasses.asdict(t) for t in targets],
        "loss": dataclasses.asdict(problem.loss),
        "sampler_seed": problem.sampler_seed,
        "startup_trials": problem.startup_trials,
    }


def open_study(folder: Path, problem_identity: dict[str, Any]) -> optuna.Study:
    """The study in ``folder`` (created if new); refused if it is another problem's."""
    folder.mkdir(parents=True, exist_ok=True)
    study = optuna.create_study(
        storage=storage(folder),
        study_name=STUDY_NAME,
        direction="minimize",
        load_if_exists=True,
    )
    wanted = json.loads(json.dumps(problem_identity))  # as the journal stores it (JSON)
    if "problem" not in study.user_attrs:
        study.set_user_attr("problem", wanted)
    elif (stored := study.user_attrs["problem"]) != wanted:
        differ = [key for key in wanted if key not in stored or stored[key] != wanted[key]]
        raise ConfigError(
            f"{folder}: holds a calibration of another problem ({', '.join(differ)} differ); "
            "give another --out, or remove the folder to start again"
        )
    return study


def storage(folder: Path) -> JournalStorage:
    return JournalStorage(JournalFileBackend(str(folder / JOURNAL_FILE)))


def seeded_study(folder: Path, problem: CalibrationProblem, n_trials: int) -> optuna.Study:
    """The study with a TPE sampler seeded by the problem and the trials so far."""
    sampler = optuna.samplers.TPESampler(
        seed=problem.sampler_seed + n_trials, n_startup_trials=problem.startup_trials
    )
    return optuna.load_study(study_name=STUDY_NAME, storage=storage(folder), sampler=sampler)


@dataclass(frozen=True)
class Evaluation:
    """One candidate's result: its loss and targets table, or why it failed."""

    trial: int
    loss: float | None
    error: str
    table: pd.DataFrame | None = None


def batch_name(numbers: list[int]) -> str:
    return f"trials_{min(numbers):04d}-{max(numbers):04d}"


def launch(batch: Path, numbers: list[int], seeds: tuple[int, ...], overrides: list[str]) -> None:
    """Run every candidate of ``design.csv`` x seed through ``run.py -m`` (the launcher).

    Complete runs of an earlier attempt are skipped, as in any sweep. A SystemExit if the
    sweep did not start (a bad override): no candidate is to blame.
    """
    launch_sweep(
        batch,
        [
            f"sample.file={batch / 'design.csv'}",
            f"sample.index={','.join(str(n) for n in numbers)}",
            f"seed={','.join(str(s) for s in seeds)}",
            "output.plots=false",
            *overrides,
            "hydra.sweep.subdir=trial_${sample.index}_seed_${seed}",
        ],
        f"the runs of {batch.name} (fix the cause and run the same command again to resume)",
    )


def evaluate(
    batch: Path,
    runs: pd.DataFrame,
    trial: int,
    seeds: tuple[int, ...],
    targets: tuple[CalibrationTarget, ...],
    used: list[bool],
    problem: CalibrationProblem,
    start: pd.Timestamp,
) -> Evaluation:
    """The loss of one candidate from its runs (rows of the batch's ``runs.csv``)."""
    rows = runs[runs["sample.index"] == str(trial)]
    jobs = {row.seed: row for row in rows.itertuples()}
    bad = []
    for seed in seeds:
        job = jobs.get(str(seed))
        if job is None:
            bad.append(f"seed {seed}: missing")
        elif job.status != "complete":
            bad.append(f"seed {seed}: {job.status}" + (f" ({job.error})" if job.error else ""))
    if bad:
        return Evaluation(trial, None, "; ".join(bad))
    columns = sorted({outcome_of(t.quantity).name for t in targets})
    try:
        validations = [
            validate(
                pd.read_csv(job_folder(batch, trial, s) / "timeseries.csv", usecols=columns),
                targets,
                start,
            )
            for s in seeds
        ]
    except (OSError, ValueError, KeyError) as err:
        return Evaluation(trial, None, f"timeseries.csv unreadable: {type(err).__name__}: {err}")
    table = target_table(validations, targets, used, problem.loss)
    value = loss(table)
    if not math.isfinite(value):
        return Evaluation(trial, None, f"loss is not finite ({value})", table)
    return Evaluation(trial, value, "", table)


def run_batch(
    folder: Path,
    study: optuna.Study,
    trials: dict[int, dict[str, Any]],
    problem: CalibrationProblem,
    launch_overrides: list[str],
    targets: tuple[CalibrationTarget, ...],
    used: list[bool],
    start: pd.Timestamp,
) -> list[Evaluation]:
    """Run, evaluate and tell one batch of candidates (trial number -> parameters)."""
    numbers = sorted(trials)
    batch = batch_folder(folder, batch_name(numbers))
    design = pd.DataFrame(
        [{"sample": n} | {p.key: trials[n][p.key] for p in problem.parameters} for n in numbers]
    )
    atomic_write_csv(batch / "design.csv", design)
    log.info(
        "trials %s: %d candidates x %d seeds into %s",
        ", ".join(map(str, numbers)),
        len(numbers),
        len(problem.seeds),
        batch,
    )
    launch(batch, numbers, problem.seeds, launch_overrides)
    runs_path, _ = aggregate(batch)
    runs = pd.read_csv(runs_path, keep_default_na=False, dtype=str)
    evaluations = [
        evaluate(batch, runs, n, problem.seeds, targets, used, problem, start) for n in numbers
    ]
    for e in evaluations:
        if e.table is not None:
            atomic_write_csv(batch / f"targets_trial_{e.trial}.csv", e.table)
    atomic_write_csv(
        batch / EVALUATIONS_FILE,
        pd.DataFrame(
            {
                "trial": [e.trial for e in evaluations],
                "state": ["complete" if e.loss is not None else "failed" for e in evaluations],
                "loss": [e.loss for e in evaluations],
                "error": [e.error for e in evaluations],
            }
        ),
    )
    for e in evaluations:
        if e.loss is None:
            log.warning("trial %d failed: %s", e.trial, e.error)
            study.tell(e.trial, state=TrialState.FAIL, skip_if_finished=True)
        else:
            study.tell(e.trial, e.loss, skip_if_finished=True)
    return evaluations


def pending_batches(study: optuna.Study) -> dict[str, dict[int, dict[str, Any]]]:
    """Trials asked but never told (an interrupted batch), by batch folder name.

    A trial asked without its batch recorded (stopped between the two) is told as failed.
    """
    batches: dict[str, dict[int, dict[str, Any]]] = {}
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if BATCH_ATTR not in trial.user_attrs:
            log.warning("trial %d was interrupted before its runs: told as failed", trial.number)
            study.tell(trial.number, state=TrialState.FAIL, skip_if_finished=True)
            continue
        batches.setdefault(trial.user_attrs[BATCH_ATTR], {})[trial.number] = trial.params
    return batches


def calibrate(
    problem: CalibrationProblem,
    config: SimConfig,
    folder: Path,
    cli_overrides: tuple[str, ...] = (),
    targets_path: Path | None = None,
    problem_path: Path | None = None,
) -> optuna.Study:
    """Run (or resume) the search until the study holds ``problem.trials`` trials."""
    started = time.perf_counter()
    targets = load_calibration_targets(targets_path or problem.targets)
    used = used_targets(targets, config.days, problem.loss)
    model_cli = tuple(o for o in cli_overrides if is_model_override(o))
    study = open_study(folder, identity(problem, model_cli, targets))
    start = pd.Timestamp(config.start_date)
    launch_overrides = [*problem.overrides, *cli_overrides]

    def report() -> None:
        write_report(
            folder,
            problem,
            study,
            targets,
            used,
            elapsed_s=time.perf_counter() - started,
            problem_path=problem_path,
            targets_path=targets_path or problem.targets,
            cli_overrides=cli_overrides,
        )

    ran = False
    for name, trials in pending_batches(study).items():
        log.info("resuming the interrupted batch %s", name)
        run_batch(folder, study, trials, problem, launch_overrides, targets, used, start)
        report()
        ran = True
    while (done := len(study.get_trials(deepcopy=False, states=ASKED))) < problem.trials:
        study = seeded_study(folder, problem, done)
        asked = {}
        for _ in range(min(problem.batch, problem.trials - done)):
            trial = study.ask(problem.distributions())
            asked[trial.number] = trial
        name = batch_name(list(asked))
        for trial in asked.values():
            trial.set_user_attr(BATCH_ATTR, name)
        params = {n: trial.params for n, trial in asked.items()}
        run_batch(folder, study, params, problem, launch_overrides, targets, used, start)
        report()
        ran = True
    if not ran:  # nothing left to run: the report again (e.g. after a change of this tool)
        report()
    return study


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("problem", type=Path, help="YAML: parameters, seeds, overrides, ...")
    parser.add_argument("--trials", type=int, default=None, help="replaces the problem's")
    parser.add_argument("--targets", type=Path, default=None, help="replaces the problem's")
    parser.add_argument("--out", type=Path, default=None, help="default: multirun/calibrate_<name>")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_intermixed_args(argv)  # overrides may follow the options
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cli_overrides = tuple(args.overrides)
    model_cli = tuple(o for o in cli_overrides if is_model_override(o))
    folder = (args.out or Path("multirun") / f"calibrate_{args.problem.stem}").resolve()
    targets = args.targets.resolve() if args.targets is not None else None
    try:
        problem, config = load_problem(args.problem, model_cli, trials=args.trials)
        study = calibrate(problem, config, folder, cli_overrides, targets, args.problem.resolve())
    except ConfigError as err:  # refused before any run (or a folder of another problem)
        log.error("calibration refused: %s", err)
        raise SystemExit(2) from err
    states = [t.state for t in study.get_trials(deepcopy=False)]
    log.info(
        "%d trials (%d complete, %d failed); report: %s",
        len(states),
        states.count(TrialState.COMPLETE),
        states.count(TrialState.FAIL),
        folder / "report.md",
    )
    return folder


if __name__ == "__main__":
    main()
