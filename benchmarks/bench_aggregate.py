"""Peak memory and time of aggregating a sweep of many runs (memory must stay flat).

    python benchmarks/bench_aggregate.py [--runs 100 1000] [--keep DIR]

Makes one real reduced run (tests/conftest.py SMALL, 35 days), copies its folder into N
synthetic job folders (each with its own overrides), then aggregates them in a fresh
process and reports that process's peak resident memory (ru_maxrss) and wall time.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.outputs import write_run
from tests.conftest import run_model, small_config

AGGREGATE = (
    "import resource, sys; from experiments.aggregate import aggregate; aggregate(sys.argv[1]); "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)
"""Aggregate in a fresh process and print its own peak resident memory (KiB, Linux)."""


def make_sweep(template: Path, sweep: Path, n_runs: int) -> None:
    for k in range(n_runs):
        job = sweep / str(k)
        shutil.copytree(template, job, ignore=shutil.ignore_patterns("*.png"))
        hydra_dir = job / ".hydra"
        hydra_dir.mkdir()
        overrides = f"- seed={k % 10}\n- bus_fleet.buses={25 * (1 + k // 10)}\n"
        (hydra_dir / "overrides.yaml").write_text(overrides)


def measure(sweep: Path) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of aggregating ``sweep`` in a child process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", AGGREGATE, str(sweep)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    seconds = time.perf_counter() - started
    return int(done.stdout.split()[-1]) / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--keep", type=Path, default=None, help="keep the sweeps here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench_aggregate_"))
    template = base / "template"
    write_run(run_model(small_config()), template, plots=False)
    size_kib = sum(f.stat().st_size for f in template.rglob("*") if f.is_file()) // 1024
    print(f"one run folder: {size_kib} KiB")
    for n_runs in sorted(args.runs):
        sweep = base / f"sweep_{n_runs}"
        make_sweep(template, sweep, n_runs)
        peak_mib, seconds = measure(sweep)
        print(f"{n_runs:>5} runs: peak RSS {peak_mib:.0f} MiB, {seconds:.1f} s")
    if args.keep is None:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
