"""The classroom scale against full scale, at full size: the app's model (``app_parts``) run
to the end at 1:1 and at 1:10 on a few seeds; the main outcomes' means, their ratio, and the
simulated days per second (no drawing). Not part of the tests (minutes per seed).

    python benchmarks/bench_app_scale.py --seeds 3
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app_parts import CLASSROOM_PEOPLE_PER_AGENT, build_config
from sim import outcomes as o
from sim.model import SiegeModel

CURVES = (
    o.REMAINING,
    o.LEFT_ENCLAVE_CUM,
    o.LEFT_VIA_CROSSING_CUM,
    o.BUSSED_NORTH_CUM,
    o.STAYED_UNDER_GOVERNMENT_CUM,
    o.KILLED_CUM,
)


def run(people_per_agent: int, seed: int) -> tuple[list[float], float]:
    """The final value of each curve, and simulated days per second."""
    config, _ = build_config(people_per_agent=people_per_agent, seed=seed)
    model = SiegeModel(config)
    started = time.perf_counter()
    model.run()
    days_per_s = config.days / (time.perf_counter() - started)
    ts = model.recorder.timeseries()
    return [float(ts[c.name].iloc[-1]) for c in CURVES], days_per_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    means = {}
    for scale in (CLASSROOM_PEOPLE_PER_AGENT, 1):
        finals, speeds = [], []
        for seed in range(args.seeds):
            values, speed = run(scale, seed)
            finals.append(values)
            speeds.append(speed)
            print(f"1:{scale} seed {seed}: {speed:.2f} simulated days/s", flush=True)
        means[scale] = np.mean(finals, axis=0)
    print(f"{'outcome':32} {'1:1':>10} {'1:10 x10':>10} {'ratio':>6}")
    for curve, full, scaled in zip(
        CURVES, means[1], means[CLASSROOM_PEOPLE_PER_AGENT], strict=True
    ):
        ratio = scaled / full if full else float("nan")
        print(f"{curve.name:32} {full:10,.0f} {scaled:10,.0f} {ratio:6.2f}")


if __name__ == "__main__":
    main()
