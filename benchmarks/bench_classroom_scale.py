"""The classroom scale (1:10) against full scale (1:1), curve by curve and day by day: each
seed is run at both scales (any run.py overrides), the main curves are read at the end of the
chosen days, and their means over seeds, the ratio 1:10 x10 / 1:1 and twice its standard error
(from the seed-to-seed spread at each scale) are printed as a Markdown table, with the deals'
choices (the share of people on a deal's ground who chose the buses). Runs are kept in a JSON
file, so an interrupted measurement resumes and a table can be printed again without rerunning.

    python benchmarks/bench_classroom_scale.py --seeds 12 --days 20 30 43 54 --out full.json
    python benchmarks/bench_classroom_scale.py --seeds 8 --days 15 20 30 44 --out small.json \\
        grid.cell_size_m=200 faction_dynamics.min_pocket_cells=6 days=45

Sequential (one run at a time): a 1:1 run of the default scenario takes 20-30 s here.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from configs.schema import compose_config
from sim import outcomes as o
from sim.model import SiegeModel

CURVES = (
    o.LEFT_ENCLAVE_CUM,
    o.BUSSED_NORTH_CUM,
    o.STAYED_UNDER_GOVERNMENT_CUM,
    o.KILLED_CUM,
    o.REMAINING,
    o.LEFT_VIA_CROSSING_CUM,
    o.LEFT_VIA_FRONT_CUM,
    o.LEFT_VIA_DEAL_CORRIDOR_CUM,
    o.LEFT_VIA_MEDEVAC_CUM,
)
SCALES = (1, 10)
_CHOICES = re.compile(r"civilians: (\d+) stay, (\d+) to shelters, (\d+) for the buses")


def run(people_per_agent: int, seed: int, overrides: list[str]) -> dict:
    """One run: each curve at the end of every day, the deals' choices, the seconds taken."""
    config = compose_config(*overrides, f"people_per_agent={people_per_agent}", f"seed={seed}")
    model = SiegeModel(config)
    started = time.perf_counter()
    model.run()
    seconds = time.perf_counter() - started
    ts = model.recorder.timeseries()
    at_day_end = ts.groupby(o.DAY.name).tail(1).set_index(o.DAY.name)
    deals = []
    for step, kind, actor, _, detail in model.events.rows:
        if kind == "deal_agreed":
            stay, shelters, bus = (int(x) for x in _CHOICES.search(detail).groups())
            deals.append(
                {"day": step // 24, "faction": actor, "bus_share": bus / (stay + shelters + bus)}
            )
    return {
        "seed": seed,
        "people_per_agent": people_per_agent,
        "seconds": seconds,
        "days": at_day_end.index.tolist(),
        "curves": {c.name: at_day_end[c.name].tolist() for c in CURVES},
        "deals": deals,
    }


def table(runs: list[dict], days: list[int]) -> str:
    """Means over the seeds run at both scales, their ratio and twice its standard error."""
    by = {(r["seed"], r["people_per_agent"]): r for r in runs}
    seeds = sorted({s for s, n in by if n == SCALES[0]} & {s for s, n in by if n == SCALES[1]})
    seconds = {n: np.mean([by[s, n]["seconds"] for s in seeds]) for n in SCALES}
    lines = [
        f"seeds {seeds}; seconds per run: 1:1 {seconds[1]:.1f}, 1:10 {seconds[10]:.1f}",
        "",
        "| day | curve | 1:1 mean | 1:10 x10 mean | ratio | 2 s.e. |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for day in days:
        for curve in CURVES:
            full, scaled = (
                np.array(
                    [by[s, n]["curves"][curve.name][by[s, n]["days"].index(day)] for s in seeds]
                )
                for n in SCALES
            )
            if full.mean() == 0:
                continue
            ratio = scaled.mean() / full.mean()
            spread = np.hypot(
                full.std(ddof=1) / full.mean(), scaled.std(ddof=1) / max(scaled.mean(), 1e-9)
            )
            se2 = 2 * ratio * spread / np.sqrt(len(seeds))
            lines.append(
                f"| {day} | {curve.name} | {full.mean():,.0f} | {scaled.mean():,.0f} | "
                f"{ratio:.2f} | {se2:.2f} |"
            )
    lines += ["", "| faction | deals at 1:1 | bus share 1:1 | deals at 1:10 | bus share 1:10 |"]
    lines.append("|---|---:|---:|---:|---:|")
    factions = sorted({d["faction"] for r in runs for d in r["deals"]})
    for faction in factions:
        cells = []
        for n in SCALES:
            shares = [
                d["bus_share"] for s in seeds for d in by[s, n]["deals"] if d["faction"] == faction
            ]
            cells += [str(len(shares)), f"{np.mean(shares):.3f}" if shares else "-"]
        lines.append(f"| {faction} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--days", type=int, nargs="+", default=[20, 30, 43])
    parser.add_argument("--out", type=Path, required=True, help="JSON file of runs (resumed)")
    parser.add_argument("--table-only", action="store_true", help="print the table, run nothing")
    parser.add_argument("overrides", nargs="*", help="run.py overrides, e.g. days=45")
    args = parser.parse_args()
    logging.getLogger("MESA").setLevel(logging.WARNING)
    runs = json.loads(args.out.read_text()) if args.out.exists() else []
    done = {(r["seed"], r["people_per_agent"]) for r in runs}
    for seed in [] if args.table_only else range(args.seeds):
        for scale in SCALES[::-1]:
            if (seed, scale) in done:
                continue
            runs.append(run(scale, seed, args.overrides))
            args.out.write_text(json.dumps(runs))
            print(f"seed {seed} 1:{scale}: {runs[-1]['seconds']:.1f} s", flush=True)
    print(table(runs, args.days))


if __name__ == "__main__":
    main()
