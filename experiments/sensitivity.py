"""Global sensitivity (Sobol indices) of one run outcome to named parameters with bounds.

    python -m experiments.sensitivity experiments/problems/deals_and_logistics.yaml \\
        --n 32 [--out multirun/sobol_deals] [hydra overrides for every run, e.g. days=35]

1. **Design.** The problem file names the parameters by config key and the outcome (a column
   of ``runs.csv``, e.g. ``final.bussed_north_cum``). Each parameter is a
   :class:`sim.declared.Parameter`, varied uniformly between its bounds: those declared in
   ``sim/params/`` (``python run.py --help`` lists them), or narrower ones given in the file.
   A key with no declaration needs both bounds; bounds outside the declared range are refused.
   A scrambled Sobol sequence gives the matrices A and B (n rows each) and, for each parameter
   i, A with column i from B: n(d + 2) runs, written to ``design.csv``.
2. **Runs.** ``run.py -m`` runs them through the configured launcher (parallel here, or
   Slurm/Ray with ``hydra/launcher=...``), one job per row (``sample.file``/``sample.index``);
   finished jobs are skipped on a re-run, as in any sweep. If a run fails, no index is
   computed: the failed runs are listed with their errors (exit code 1).
3. **Indices.** ``scipy.stats.sobol_indices`` (Saltelli 2010 estimators) on the outcomes, with
   bootstrap confidence intervals; written to ``sobol_indices.csv`` and ``sobol_indices.png``
   (first-order and total indices with their intervals).
"""

from __future__ import annotations

import argparse
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from scipy.stats import qmc, sobol_indices

from configs.schema import compose_config
from experiments.aggregate import aggregate
from experiments.launch import launch_sweep
from experiments.sweep_report import incomplete_jobs
from sim.declared import Parameter, UndeclaredKeyError, parameter, value_at
from sim.outputs import atomic_write, atomic_write_csv
from sim.params import ConfigError, SimConfig

log = logging.getLogger(__name__)


def scale(p: Parameter, unit: np.ndarray) -> np.ndarray:
    """Map values in [0, 1) onto the bounds of ``p`` (rounded if it is an integer)."""
    values = p.low + unit * (p.high - p.low)
    return np.floor(values + 0.5).astype(np.int64) if p.integer else values


@dataclass(frozen=True)
class Problem:
    """What to vary, and which outcome to explain."""

    parameters: tuple[Parameter, ...]
    outcome: str
    """A column of ``runs.csv`` (a flattened ``summary.json`` key)."""

    def __post_init__(self) -> None:
        keys = [p.key for p in self.parameters]
        if len(keys) < 2:
            raise ConfigError("parameters: a sensitivity study needs at least two")
        if len(set(keys)) != len(keys):
            raise ConfigError(f"parameters: a name is listed twice in {keys}")


def load_problem(path: Path, config: SimConfig) -> Problem:
    """Read a problem file, resolving its keys in ``config`` (the runs' config).

    A parameter is a key (``- deals.fear_logit``) or a mapping with ``name`` and optionally
    ``low``, ``high`` (within the declared bounds) and ``integer``. Unknown keys of the file,
    keys not in the config, undeclared keys without both bounds and bounds outside the declared
    range are refused by name.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    unknown = set(data) - {"parameters", "outcome"}
    if unknown:
        raise ConfigError(f"{sorted(unknown)[0]}: unknown key in {path}")
    parameters = []
    for i, item in enumerate(data["parameters"]):
        item = {"name": item} if isinstance(item, str) else item
        extra = set(item) - {"name", "low", "high", "integer"}
        if extra:
            raise ConfigError(f"parameters[{i}].{sorted(extra)[0]}: unknown key in {path}")
        if "name" not in item:
            raise ConfigError(f"parameters[{i}].name: missing in {path}")
        parameters.append(problem_parameter(config, **item))
    return Problem(tuple(parameters), data["outcome"])


def problem_parameter(
    config: SimConfig,
    name: str,
    low: float | None = None,
    high: float | None = None,
    integer: bool | None = None,
) -> Parameter:
    """The declared parameter ``name`` within ``low``-``high``, or an undeclared key with both."""
    try:
        declared = parameter(config, name)  # refuses a key not in the config, by name
    except UndeclaredKeyError:
        value = value_at(config, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{name}: not a number ({value!r}), cannot be varied") from None
        if low is None or high is None:
            raise ConfigError(
                f"{name}: no declared bounds (sim/params/): give low and high in the problem file"
            ) from None
        integer = isinstance(value, int) if integer is None else integer
        return Parameter(name, low, high, integer=integer, value=value)
    if integer is not None and integer != declared.integer:
        raise ConfigError(f"{name}: integer: {integer} contradicts the declared {declared.integer}")
    return declared.narrowed(low, high)


def design(problem: Problem, n: int, seed: int) -> pd.DataFrame:
    """The A, B and AB_i rows (n each): columns ``sample``, ``block``, then the parameters.

    ``block`` is ``A``, ``B`` or the name of the parameter taken from B.
    """
    if n < 2 or n & (n - 1):
        raise ConfigError(f"n: must be a power of two >= 2 (Sobol balance), got {n}")
    d = len(problem.parameters)
    unit = qmc.Sobol(d=2 * d, scramble=True, seed=np.random.default_rng(seed)).random(n)
    a, b = unit[:, :d], unit[:, d:]
    blocks = [("A", a), ("B", b)]
    for i, p in enumerate(problem.parameters):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append((p.key, ab))
    frames = []
    for block, values in blocks:
        frame = pd.DataFrame({"block": block}, index=range(n))
        for i, p in enumerate(problem.parameters):
            frame[p.key] = scale(p, values[:, i])
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table.insert(0, "sample", np.arange(len(table)))
    return table


def indices(problem: Problem, design_table: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """First-order and total Sobol indices with 95% bootstrap intervals."""
    runs = runs[runs["status"] == "complete"]
    outcome = pd.Series(runs[problem.outcome].to_numpy(float), index=runs["sample.index"])
    missing = sorted(set(design_table["sample"]) - set(outcome.index))
    if missing:
        raise RuntimeError(f"{len(missing)} runs of the design are not complete: {missing[:10]}")
    by_block = {
        block: outcome.loc[rows["sample"]].to_numpy()
        for block, rows in design_table.groupby("block", sort=False)
    }
    n = len(by_block["A"])
    result = sobol_indices(
        func={
            "f_A": by_block["A"][None, :],
            "f_B": by_block["B"][None, :],
            "f_AB": np.stack([by_block[p.key][None, :] for p in problem.parameters]),
        },
        n=n,
    )
    interval = result.bootstrap(confidence_level=0.95, n_resamples=999)
    return pd.DataFrame(
        {
            "parameter": [p.key for p in problem.parameters],
            "first_order": result.first_order.ravel(),
            "first_order_low": interval.first_order.confidence_interval.low.ravel(),
            "first_order_high": interval.first_order.confidence_interval.high.ravel(),
            "total": result.total_order.ravel(),
            "total_low": interval.total_order.confidence_interval.low.ravel(),
            "total_high": interval.total_order.confidence_interval.high.ravel(),
        }
    )


def plot_indices(table: pd.DataFrame, outcome: str, n_runs: int, path: Path) -> None:
    """Bars of first-order and total indices per parameter, with 95% intervals."""
    x = np.arange(len(table))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for offset, column, label in ((-0.2, "first_order", "first-order"), (0.2, "total", "total")):
        value = table[column].to_numpy()
        low = np.nan_to_num(value - table[f"{column}_low"].to_numpy())
        high = np.nan_to_num(table[f"{column}_high"].to_numpy() - value)
        ax.bar(x + offset, value, width=0.4, label=label)
        ax.errorbar(x + offset, value, yerr=[low, high], fmt="none", color="black", capsize=3)
    ax.set_xticks(x, table["parameter"], rotation=15, ha="right")
    ax.set_ylabel("Sobol index (share of variance)")
    ax.set_title(f"Sensitivity of {outcome} ({n_runs} runs; bars: 95% bootstrap intervals)")
    ax.axhline(0, color="black", linewidth=0.5)
    ax.legend(title="index")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=100))
    plt.close(fig)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("problem", type=Path, help="YAML: parameters (keys, bounds), outcome")
    parser.add_argument("--n", type=int, default=32, help="base samples (power of two)")
    parser.add_argument("--seed", type=int, default=0, help="scrambling of the Sobol design")
    parser.add_argument("--out", type=Path, default=None, help="default: multirun/sobol_<name>")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run")
    args = parser.parse_intermixed_args(argv)  # overrides may follow the options
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model_overrides = [o for o in args.overrides if not o.lstrip("+~").startswith("hydra")]
    problem = load_problem(args.problem, compose_config(*model_overrides))
    out = (args.out or Path("multirun") / f"sobol_{args.problem.stem}").resolve()
    table = design(problem, args.n, args.seed)
    atomic_write_csv(out / "design.csv", table)
    log.info(
        "%d parameters, n = %d: %d runs into %s", len(problem.parameters), args.n, len(table), out
    )
    started = time.perf_counter()
    returncode = launch_sweep(
        out,
        [
            f"sample.file={out / 'design.csv'}",
            f"sample.index=range({len(table)})",
            "output.plots=false",
            *args.overrides,
            "hydra.sweep.subdir=sample_${sample.index}",
        ],
        "the sweep",
    )
    log.info("runs done in %.0f s", time.perf_counter() - started)
    runs_path, _ = aggregate(out)
    failed = incomplete_jobs(runs_path)
    if failed:
        raise SystemExit(
            f"Sobol indices not computed: {len(failed)} of {len(table)} runs of the design did "
            f"not complete, and the estimators need every run (n a power of two):\n  "
            + "\n  ".join(failed)
            + "\nFix the cause, then run the same command again: finished runs are skipped."
        )
    if returncode != 0:
        log.warning("the sweep exited with code %d, yet every run is complete", returncode)
    result = indices(problem, table, pd.read_csv(runs_path))
    atomic_write_csv(out / "sobol_indices.csv", result)
    plot_indices(result, problem.outcome, len(table), out / "sobol_indices.png")
    log.info("Sobol indices of %s:\n%s", problem.outcome, result.round(3).to_string(index=False))
    return out


if __name__ == "__main__":
    main()
