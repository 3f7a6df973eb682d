"""How the default scenario scales: people, days, memory and a sweep on this machine.

    python benchmarks/bench_scaling.py [--sizes 100000 393000 1000000 2000000]
        [--window-days 6] [--days 55 110] [--days-people 393000] [--sweep-runs 2 4]
        [--out benchmarks/results/scaling.md]

- Time per hour against people: ``population.total_people=N days=W`` (default W = 6 days, in
  which everyone is still inside, so every hour is an inhabited hour); set-up timed apart.
- A long run against a short one: ``days=110`` against ``days=55`` at ``--days-people``.
- Peak resident memory: every run above is a child process that reports its own
  ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` when it has finished.
- A sweep of the default scenario on this machine: ``python run.py -m seed=0,...`` with the
  joblib launcher (``configs/hydra/launcher/local.yaml``, one job per core), timed for each
  of ``--sweep-runs``; 200 runs are extrapolated from the two largest (fixed cost + cost per
  additional run).

Each measurement starts a fresh Python, so the scripts can be re-run after any change to
``sim/`` and the tables compared. Runs are not written out except by the sweep (which writes
run folders into a temporary directory, removed afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.machine import describe_machine  # noqa: E402

SWEEP_RUNS_TARGET = 200
MIB = 2**20


@dataclass(frozen=True)
class Measured:
    """One model run in a child process."""

    overrides: tuple[str, ...]
    setup_s: float
    run_s: float
    run_cpu_s: float
    """Processor time of the run: less sensitive than wall time to other jobs on the machine."""
    hours: int
    people: int
    inside_at_end: int
    peak_rss_mib: float

    @property
    def ms_per_hour(self) -> float:
        return 1000.0 * self.run_s / self.hours

    @property
    def cpu_ms_per_hour(self) -> float:
        return 1000.0 * self.run_cpu_s / self.hours


def child(overrides: list[str]) -> None:
    """Build and run the model in this process, then print what was measured as JSON."""
    from configs.schema import compose_config
    from sim.model import SiegeModel

    config = compose_config(*overrides)
    started = time.perf_counter()
    model = SiegeModel(config)
    built = time.perf_counter()
    cpu_started = time.process_time()
    model.run()
    finished = time.perf_counter()
    run_cpu_s = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "setup_s": built - started,
                "run_s": finished - built,
                "run_cpu_s": run_cpu_s,
                "hours": int(model.params.n_steps),
                "people": int(model.civilians.n),
                "inside_at_end": int(model.civilians.in_enclave().sum()),
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )


def measure(overrides: list[str]) -> Measured:
    """One run in a fresh child process (so its peak memory is its own)."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", *overrides],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    values = json.loads(out.stdout.strip().splitlines()[-1])
    result = Measured(overrides=tuple(overrides), **values)
    print(
        f"{' '.join(overrides)}: set-up {result.setup_s:.2f} s, {result.hours} h in "
        f"{result.run_s:.2f} s ({result.ms_per_hour:.1f} ms/h wall, {result.cpu_ms_per_hour:.1f} "
        f"ms/h CPU), peak {result.peak_rss_mib:.0f} MiB",
        flush=True,
    )
    return result


def time_sweep(runs: int) -> tuple[str, float]:
    """Wall time of ``python run.py -m seed=0..runs-1`` (joblib launcher, one job per core)."""
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as folder:
        command = [
            sys.executable,
            "run.py",
            "-m",
            "seed=" + ",".join(str(s) for s in range(runs)),
            f"hydra.sweep.dir={folder}",
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True, text=True)
        wall_s = time.perf_counter() - started
    shown = "python run.py -m seed=" + ",".join(str(s) for s in range(runs))
    shown += " hydra.sweep.dir=<temporary folder>"
    print(f"{shown}: {wall_s:.1f} s", flush=True)
    return shown, wall_s


def report(
    args: argparse.Namespace,
    sizes: list[Measured],
    lengths: list[Measured],
    sweeps: list[tuple[int, str, float]],
    command: str,
) -> str:
    lines = [
        "# Scaling, memory and sweeps (issue 12)",
        "",
        f"    {command}",
        "",
        describe_machine(),
        "",
        f"## Time per hour against people (`days={args.window_days}`: every hour inhabited)",
        "",
        "Each row: `python benchmarks/bench_scaling.py --child population.total_people=N "
        f"days={args.window_days}` (one fresh process; set-up apart).",
        "",
        "| people | set-up (s) | hours | run (s, wall) | ms per hour (wall) "
        "| ms per hour (CPU) | inside at end | peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in sizes:
        lines.append(
            f"| {m.people:,} | {m.setup_s:.2f} | {m.hours} | {m.run_s:.2f} | {m.ms_per_hour:.1f} "
            f"| {m.cpu_ms_per_hour:.1f} | {m.inside_at_end:,} | {m.peak_rss_mib:,.0f} |"
        )
    if lengths:
        lines += [
            "",
            f"## A long run against a short one ({args.days_people:,} people)",
            "",
            "| days | set-up (s) | run (s, wall) | run (s, CPU) | ms per hour (wall) "
            "| inside at end | peak RSS (MiB) |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m in lengths:
            lines.append(
                f"| {m.hours // 24} | {m.setup_s:.2f} | {m.run_s:.2f} | {m.run_cpu_s:.2f} "
                f"| {m.ms_per_hour:.1f} | {m.inside_at_end:,} | {m.peak_rss_mib:,.0f} |"
            )
        if len(lengths) == 2:
            short, long = lengths
            extra_ms = 1000 * (long.run_cpu_s - short.run_cpu_s) / (long.hours - short.hours)
            lines += [
                "",
                f"{long.hours // 24} days take {long.run_cpu_s / short.run_cpu_s:.2f}x the CPU "
                f"time of {short.hours // 24}; each hour beyond hour {short.hours} costs "
                f"{extra_ms:.1f} ms of CPU against {short.cpu_ms_per_hour:.1f} ms on average "
                f"before it ({short.inside_at_end:,} people still inside at hour {short.hours}).",
            ]
    if sweeps:
        lines += [
            "",
            "## Sweep of the default scenario on this machine",
            "",
            "Joblib launcher (`configs/hydra/launcher/local.yaml`, one job per core), run "
            "folders, summaries and the sweep report written as in a real sweep.",
            "",
            "| runs | command | wall time (s) |",
            "|---:|---|---:|",
        ]
        for runs, shown, wall_s in sweeps:
            lines.append(f"| {runs} | `{shown}` | {wall_s:.1f} |")
        if len(sweeps) >= 2:
            (n0, _, t0), (n1, _, t1) = sweeps[-2], sweeps[-1]
            per_run = (t1 - t0) / (n1 - n0)
            fixed = t0 - per_run * n0
            estimate = fixed + per_run * SWEEP_RUNS_TARGET
            lines += [
                "",
                f"Extrapolated (not measured) from the {n0}- and {n1}-run sweeps: "
                f"{per_run:.1f} s per additional run on {os.cpu_count()} cores, "
                f"{fixed:.1f} s fixed; **{SWEEP_RUNS_TARGET} runs ~ {estimate / 60:.0f} min** "
                "(target <= 30 min).",
            ]
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=[100_000, 393_000, 1_000_000, 2_000_000]
    )
    parser.add_argument("--window-days", type=int, default=6)
    parser.add_argument("--days", type=int, nargs="*", default=[55, 110])
    parser.add_argument("--days-people", type=int, default=393_000)
    parser.add_argument("--sweep-runs", type=int, nargs="*", default=[2, 4])
    parser.add_argument("--out", type=Path, help="write the markdown report here")
    args = parser.parse_args()
    print(describe_machine(), flush=True)
    sizes = [
        measure([f"population.total_people={n}", f"days={args.window_days}"]) for n in args.sizes
    ]
    lengths = [
        measure([f"population.total_people={args.days_people}", f"days={d}"]) for d in args.days
    ]
    sweeps = [(runs, *time_sweep(runs)) for runs in args.sweep_runs]
    command = "python benchmarks/bench_scaling.py " + " ".join(sys.argv[1:])
    text = report(args, sizes, lengths, sweeps, command)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
