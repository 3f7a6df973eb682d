"""Run the default scenario and its counterfactuals over a few seeds; overlay their curves.

    python -m experiments.compare_scenarios --seeds 3 --jobs 2

Writes ``runs.csv`` (tidy: scenario, seed, then the daily series), ``summaries.csv`` and
``scenario_comparison.png`` (mean across seeds, 5-95% band across seeds) into
``outputs/compare_scenarios/<date>_<time>/`` unless ``--out`` says otherwise.
"""

from __future__ import annotations

import argparse
import logging
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from configs.schema import compose_config
from sim import outcomes as o
from sim.figure_axes import BAND_WORDS, counts_axis, date_axis, draw_band
from sim.model import SiegeModel
from sim.outputs import atomic_write, atomic_write_csv, summarise

log = logging.getLogger(__name__)

SCENARIOS = ("ghouta_2018", "no_pauses", "cohesive_rebels")
PANELS = (
    (o.LEFT_ENCLAVE_CUM.name, "left the enclave (thousands)", 1000),
    (o.LEFT_VIA_CROSSING_CUM.name, "left via crossings (thousands)", 1000),
    (o.STAYED_UNDER_GOVERNMENT_CUM.name, "stayed, ground changed hands (thousands)", 1000),
    (o.BUSSED_NORTH_CUM.name, "bussed north, fighters included (thousands)", 1000),
    (o.REMAINING.name, "still inside (thousands)", 1000),
    (o.KILLED_CUM.name, "civilians killed", 1),
)


def run_one(scenario: str, seed: int, overrides: tuple[str, ...]) -> tuple[pd.DataFrame, dict]:
    """One run's end-of-hour series (every 6 hours) and its summary."""
    model = SiegeModel(compose_config(f"scenario={scenario}", f"seed={seed}", *overrides))
    model.run()
    ts = model.recorder.timeseries()
    ts = ts[ts[o.HOUR.name] % 6 == 5]
    columns = [o.STEP.name, o.DAY.name, o.DATE.name, *(p[0] for p in PANELS)]
    tidy = ts[columns].assign(scenario=scenario, seed=seed)
    return tidy, {"scenario": scenario, "seed": seed, **_flat(summarise(model))}


def _flat(summary: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in summary.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def plot(runs: pd.DataFrame, path: Path) -> None:
    """Each scenario's mean across seeds with the 5-95% band of every figure
    (:func:`sim.figure_axes.draw_band`)."""
    runs = runs.assign(**{o.DATE.name: pd.to_datetime(runs[o.DATE.name])})
    fig, axes = plt.subplots(len(PANELS), 1, figsize=(10, 13), sharex=True)
    for ax, (column, label, scale) in zip(axes, PANELS, strict=True):
        for scenario, group in runs.groupby("scenario", sort=False):
            draw_band(ax, group.groupby(o.DATE.name)[column], f"scenario = {scenario}", scale)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        counts_axis(ax)
    n_seeds = runs["seed"].nunique()
    axes[0].set_title(f"Scenarios compared: mean of {n_seeds} seeds, {BAND_WORDS} across seeds")
    axes[0].legend(loc="upper left")
    date_axis(axes[-1], runs[o.DATE.name].min(), runs[o.DATE.name].max())
    axes[-1].set_xlabel("date (2018)")
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=100))
    plt.close(fig)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default 2)")
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    parser.add_argument(
        "overrides", nargs="*", help="Hydra overrides applied to every run, e.g. days=30"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    out = args.out or Path("outputs/compare_scenarios") / time.strftime("%Y-%m-%d_%H-%M-%S")
    jobs = [(s, seed, tuple(args.overrides)) for s in args.scenarios for seed in range(args.seeds)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, *zip(*jobs, strict=True)))
    log.info("%d runs in %.0f s", len(jobs), time.perf_counter() - started)
    runs = pd.concat([r[0] for r in results], ignore_index=True)
    summaries = pd.DataFrame([r[1] for r in results])
    atomic_write_csv(out / "runs.csv", runs)
    atomic_write_csv(out / "summaries.csv", summaries)
    plot(runs, out / "scenario_comparison.png")
    log.info("wrote %s", out)
    return out


if __name__ == "__main__":
    main()
