"""Time per step of each phase of ``SiegeModel.step``, at full scale (default 55 days).

    python benchmarks/bench_phases.py [hydra overrides ...]      e.g. days=20

The phase methods are wrapped from outside with ``time.perf_counter`` (nothing in ``sim/`` is
timed). Prints, per phase, the mean ms per step over all steps and over the steps that began
with someone still inside the enclave (the civilians' phase does nothing after that), and the
set-up time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from configs.schema import compose_config
from sim.model import SiegeModel

PHASES = (
    "_phase_events",
    "_phase_government",
    "_phase_factions",
    "_phase_civilians",
    "_phase_logistics",
    "_phase_record",
)


def timed_run(overrides: list[str]) -> tuple[float, float, dict[str, list[float]], list[bool]]:
    """Build and run one model; returns set-up s, run s, seconds per step of each phase, and
    whether each step began with someone inside."""
    config = compose_config(*overrides)
    started = time.perf_counter()
    model = SiegeModel(config)
    built = time.perf_counter()
    seconds: dict[str, list[float]] = {name: [] for name in PHASES}
    inhabited: list[bool] = []

    def wrap(name: str, method: Callable[..., object]) -> Callable[..., object]:
        def timed(*args: object) -> object:
            begun = time.perf_counter()
            result = method(*args)
            seconds[name].append(time.perf_counter() - begun)
            return result

        return timed

    for name in PHASES:
        setattr(model, name, wrap(name, getattr(model, name)))
    while model.running:
        inhabited.append(bool(model._anyone_inside))
        model.step()
    return built - started, time.perf_counter() - built, seconds, inhabited


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores; overrides {args.overrides}")
    cpu_started = time.process_time()
    setup_s, run_s, seconds, inhabited = timed_run(args.overrides)
    cpu_s = time.process_time() - cpu_started
    n_steps = len(seconds["_phase_record"])
    n_inhabited = sum(inhabited[:n_steps])
    print(
        f"set-up {setup_s:.2f} s; {n_steps} steps in {run_s:.2f} s ({n_inhabited} inhabited); "
        f"CPU {cpu_s:.2f} s in all"
    )
    print(f"{'phase':<12} {'ms/step':>9} {'ms/inhabited step':>18} {'s in all':>9}")
    for name in PHASES:
        per_step = seconds[name]
        total = sum(per_step)
        lived = sum(s for s, i in zip(per_step, inhabited, strict=False) if i)
        print(
            f"{name.removeprefix('_phase_'):<12} {1000 * total / n_steps:9.2f} "
            f"{1000 * lived / max(n_inhabited, 1):18.2f} {total:9.2f}"
        )
    phases_s = sum(sum(v) for v in seconds.values())
    print(f"{'all phases':<12} {1000 * phases_s / n_steps:9.2f} {'':>18} {phases_s:9.2f}")
    print(f"{'other':<12} {1000 * (run_s - phases_s) / n_steps:9.2f}   (Mesa's step wrapper)")


if __name__ == "__main__":
    main()
