"""A sweep's tables and figures: aggregate the runs, then plot the curves with bands.

    python -m experiments.sweep_report multirun/cohesion_sweep [--metric final.killed_cum]

Runs automatically at the end of every multirun (``SweepReport``, a Hydra callback set in
``configs/config.yaml``; it also shows a progress bar of finished runs while the sweep goes),
then ends ``python run.py -m`` with exit code 1, naming each job and why, if a job did not
complete or the report could not be written.
Writes into the sweep folder, besides ``runs.csv`` and ``curves.csv``
(:mod:`experiments.aggregate`):

- ``sweep_curves.png``: small multiples, one panel per route; one line per value of the
  first swept parameter (seeds excluded): the mean across seeds, with a 5-95% band.
- ``sweep_heatmap.png`` when two parameters were swept: the mean of ``--metric`` over them.
"""

from __future__ import annotations

import argparse
import logging
import threading
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from hydra.experimental.callback import Callback
from omegaconf import DictConfig
from tqdm import tqdm

from experiments.aggregate import aggregate, sweep_overrides
from sim import outcomes as o
from sim.figure_axes import BAND_WORDS, counts_axis, date_axis, draw_band
from sim.outputs import JOB_DONE_FILE, atomic_write

log = logging.getLogger(__name__)

PANELS = (
    (o.LEFT_ENCLAVE_CUM.name, "left the enclave"),
    (o.LEFT_VIA_CROSSING_CUM.name, "left via crossings"),
    (o.LEFT_VIA_FRONT_CUM.name, "left across the front"),
    (o.STAYED_UNDER_GOVERNMENT_CUM.name, "stayed (ground changed hands)"),
    (o.BUSSED_NORTH_CUM.name, "bussed north (fighters included)"),
    (o.REMAINING.name, "still inside the enclave"),
    (o.KILLED_CUM.name, "civilians killed"),
)
DEFAULT_METRIC = f"final.{o.LEFT_ENCLAVE_CUM.name}"
NOT_PARAMETERS = ("job", "status", "error", "seed", "sample.file", "sample.index")
"""Inputs that vary between runs without being a parameter to compare (seeds, design rows)."""


def swept_parameters(runs: pd.DataFrame, curves: pd.DataFrame) -> list[str]:
    """Input columns (in sweep order) that take more than one value, seeds excluded.

    ``curves.csv`` holds ``job``, then the inputs, then ``day``: the inputs sit between.
    """
    inputs = list(curves.columns[1 : list(curves.columns).index(o.DAY.name)])
    return [c for c in inputs if c not in NOT_PARAMETERS and runs[c].nunique(dropna=True) > 1]


def plot_curves(curves: pd.DataFrame, parameter: str | None, path: Path, title: str) -> None:
    """Mean and 5-95% band across seeds of each route's curve, per value of ``parameter``
    (:func:`sim.figure_axes.draw_band`, the one band convention of every figure)."""
    curves = curves.assign(**{o.DATE.name: pd.to_datetime(curves[o.DATE.name])})
    groups: list[tuple[Any, pd.DataFrame]] = (
        list(curves.groupby(parameter, sort=True)) if parameter else [("all runs", curves)]
    )
    rows = -(-len(PANELS) // 2)  # two panels a row; an odd last panel leaves one cell empty
    fig, axes = plt.subplots(rows, 2, figsize=(12, 3.3 * rows), sharex=True)
    for ax in axes.ravel()[len(PANELS) :]:
        ax.set_visible(False)
        axes[-2, 1].xaxis.set_tick_params(labelbottom=True)  # now the last of its column
        axes[-2, 1].set_xlabel("date (2018)")
    start, end = curves[o.DATE.name].min(), curves[o.DATE.name].max()
    for ax, (column, label) in zip(axes.ravel()[: len(PANELS)], PANELS, strict=True):
        scale, unit = (1, "people") if column == o.KILLED_CUM.name else (1000, "thousand people")
        for value, group in groups:
            name = f"{parameter} = {value}" if parameter else str(value)
            draw_band(ax, group.groupby(o.DATE.name)[column], name, scale)
        ax.set_title(label)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        counts_axis(ax)
    date_axis(axes[-1, 0], start, end, at_most=SWEEP_DATE_TICKS)
    n_seeds = curves.groupby(parameter)["job"].nunique().min() if parameter else None
    seeds = f"{n_seeds} runs per value" if n_seeds else f"{curves['job'].nunique()} runs"
    fig.suptitle(f"{title}\nmean and {BAND_WORDS} across seeds ({seeds})")
    axes[0, 0].legend(loc="upper left", title="swept parameter")
    axes[-1, 0].set_xlabel("date (2018)")
    axes[-1, 1].set_xlabel("date (2018)")
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=100))
    plt.close(fig)


SWEEP_DATE_TICKS = 7
"""Date ticks at most on the sweep figure's half-width panels."""


def sweep_title(runs: pd.DataFrame, parameters: list[str], sweep_name: str) -> str:
    """What the sweep compared, in which scenario, and its folder: ``Sweep of
    faction_dynamics.cohesion_scale in ghouta_2018 (folder cohesion_sweep)``."""
    swept = " and ".join(parameters) if parameters else "seeds only"
    scenarios = sorted(runs.loc[runs["status"] == "complete", "scenario"].dropna().unique())
    where = f" in {', '.join(map(str, scenarios))}" if scenarios else ""
    return f"Sweep of {swept}{where} (folder {sweep_name})"


def plot_heatmap(runs: pd.DataFrame, x: str, y: str, metric: str, path: Path) -> None:
    """The mean of ``metric`` across seeds over two swept parameters."""
    complete = runs[runs["status"] == "complete"]
    table = complete.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")
    fig, ax = plt.subplots(figsize=(7, 5.5))
    image = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(table.shape[1]), [str(v) for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [str(v) for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
        ax.text(j, i, f"{value:,.0f}", ha="center", va="center", color="white", fontsize=8)
    fig.colorbar(image, ax=ax, label=f"{metric} (mean across seeds)")
    ax.set_title(f"{metric}\nover {x} and {y}", fontsize=10)
    fig.tight_layout()
    atomic_write(path, lambda p: fig.savefig(p, format="png", dpi=100))
    plt.close(fig)


def report(
    sweep_dir: Path,
    metric: str = DEFAULT_METRIC,
    overrides: list[tuple[str, ...]] | None = None,
) -> list[Path]:
    """Aggregate the sweep and draw its figures; returns the files written (runs.csv first).

    ``overrides``: the jobs' overrides (default: from the sweep's ``multirun.yaml``).
    """
    sweep_dir = Path(sweep_dir)
    runs_path, curves_path = aggregate(sweep_dir, overrides=overrides)
    runs = pd.read_csv(runs_path)
    curves = pd.read_csv(curves_path)
    written = [runs_path, curves_path]
    if curves.empty:
        log.warning("no complete run in %s: no figures", sweep_dir)
        return written
    parameters = swept_parameters(runs, curves)
    path = sweep_dir / "sweep_curves.png"
    title = sweep_title(runs, parameters, sweep_dir.name)
    plot_curves(curves, parameters[0] if parameters else None, path, title)
    written.append(path)
    if len(parameters) >= 2:
        if metric not in runs.columns:
            raise KeyError(f"metric {metric!r} is not a column of {runs_path}")
        path = sweep_dir / "sweep_heatmap.png"
        plot_heatmap(runs, parameters[0], parameters[1], metric, path)
        written.append(path)
    log.info("sweep report: %s", ", ".join(p.name for p in written))
    return written


def incomplete_jobs(runs_path: Path) -> list[str]:
    """One line per job of ``runs.csv`` that did not complete: folder, status and why."""
    runs = pd.read_csv(runs_path, usecols=["job", "status", "error"], keep_default_na=False)
    bad = runs[runs["status"] != "complete"]
    return [f"{r.job}: {r.status}{f' ({r.error})' if r.error else ''}" for r in bad.itertuples()]


class SweepFailed(SystemExit):
    """Ends ``python run.py -m`` with exit code 1 and this message (Hydra turns a callback's
    ordinary exception into a warning, and the sweep would exit 0)."""


class SweepProgress:
    """A progress bar of finished jobs (complete, skipped or failed) of a running sweep.

    Jobs may run in other processes or on other machines, so it polls their folders for the
    end marker that ``run.py`` touches (:data:`sim.outputs.JOB_DONE_FILE`).
    """

    def __init__(self, sweep_dir: Path, total: int, poll_s: float = 1.0) -> None:
        self.sweep_dir = sweep_dir
        self.started = time.time()
        self.poll_s = poll_s
        self.bar = tqdm(total=total, unit="run", desc="sweep")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _count(self) -> int:
        markers = self.sweep_dir.glob(f"*/{JOB_DONE_FILE}")
        return sum(1 for m in markers if m.stat().st_mtime >= self.started - 1.0)

    def _poll(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.bar.update(self._count() - self.bar.n)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.bar.update(self._count() - self.bar.n)
        self.bar.close()


class SweepReport(Callback):
    """Hydra callback: a progress bar while the sweep runs, then its report."""

    def __init__(self) -> None:
        self.progress: SweepProgress | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Launchers pickle the callbacks to their workers; the bar stays in this process.
        return {"progress": None}

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        total = len(sweep_overrides(config))
        self.progress = SweepProgress(Path(config.hydra.sweep.dir), total)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self.progress is not None:
            self.progress.close()
        sweep_dir = Path(config.hydra.sweep.dir)
        jobs = sweep_overrides(config)
        try:
            runs_path = report(sweep_dir, overrides=jobs)[0]
        except Exception as err:
            log.exception("the sweep report could not be written")
            raise SweepFailed(
                f"sweep {sweep_dir}: the report could not be written: {type(err).__name__}: {err}"
            ) from err
        bad = incomplete_jobs(runs_path)
        if bad:
            for line in bad:
                log.error("job %s", line)
            raise SweepFailed(
                f"sweep {sweep_dir}: {len(bad)} of {len(jobs)} jobs did not complete "
                f"(see {runs_path.name}):\n  "
                + "\n  ".join(bad)
                + "\nFix the cause, then run the same command again: complete jobs are skipped."
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--metric", default=DEFAULT_METRIC, help="runs.csv column for the heatmap")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    bad = incomplete_jobs(report(args.sweep_dir, args.metric)[0])
    if bad:
        raise SystemExit(f"{len(bad)} jobs did not complete:\n  " + "\n  ".join(bad))


if __name__ == "__main__":
    main()
