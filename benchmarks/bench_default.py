"""Wall time of the default scenario at full scale (393,000 agents, 55 days, one core).

    python benchmarks/bench_default.py [--repeats 3] [hydra overrides ...]

Times model construction and the 1,320 hourly steps separately (outputs are not written),
and prints the hottest functions of one run with cProfile when --profile is given. The first
run's set-up in a process also holds numba's one-time start-up (``sim/compiled.py``, about
0.5 s here; compiling the kernels, once per machine, takes longer): compare run 0 with the
others.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from configs.schema import compose_config
from sim.model import SiegeModel


def time_one(overrides: list[str]) -> tuple[float, float]:
    config = compose_config(*overrides)
    started = time.perf_counter()
    model = SiegeModel(config)
    built = time.perf_counter()
    model.run()
    return built - started, time.perf_counter() - built


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; overrides {args.overrides}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        time_one(args.overrides)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    times, cpu = [], []
    for _ in range(args.repeats):
        cpu_started = time.process_time()
        times.append(time_one(args.overrides))
        cpu.append(time.process_time() - cpu_started)
    for i, (build_s, run_s) in enumerate(times):
        print(f"run {i}: set-up {build_s:.2f} s, steps {run_s:.2f} s, CPU {cpu[i]:.2f} s")
    total = [b + r for b, r in times]
    print(f"total wall time: median {statistics.median(total):.1f} s, min {min(total):.1f} s")
    # On a shared machine the CPU time of this process is the steadier measure.
    print(f"CPU time: median {statistics.median(cpu):.1f} s, min {min(cpu):.1f} s")


if __name__ == "__main__":
    main()
