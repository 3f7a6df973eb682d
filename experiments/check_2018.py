"""The default scenario against the record of 2018, at full scale, on seeds the calibration
did not use:

    python -m experiments.check_2018 [--seeds 10 11 12 13 14] [--out multirun/check_2018]
        [hydra overrides for every run]

Runs the seeds through ``run.py -m`` (the configured launcher; resumable like any sweep) and
writes ``check_2018.md`` into the sweep folder: per seed and on average, left the enclave and
bussed north by 2 Apr (day 43) and civilians killed at the run's last hour against OCHA and
SOHR, whether the picture of the 26 March news report holds
(:mod:`experiments.news_26_march`), the days when the first 5,000 and 50,000 had left, each
faction's deal day, the day the last pocket ended, and the pockets after the first split.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import news_26_march
from sim import outcomes as o
from sim.outputs import atomic_write_text

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
RANGES = {  # issue 9's "must show": the record +-10% (deaths: the sources' range)
    "left the enclave by day 43": (117_000, 149_600),
    "bussed north by day 43": (44_473, 54_355),
    "civilians killed (run end)": (1_400, 2_000),
}


def run_seeds(seeds: list[int], out: Path, overrides: list[str]) -> None:
    command = [
        sys.executable,
        str(ROOT / "run.py"),
        "-m",
        f"seed={','.join(str(s) for s in seeds)}",
        "output.plots=false",
        f"hydra.sweep.dir={out}",
        *overrides,
    ]
    subprocess.run(command, cwd=ROOT, check=True)


def first_day(series: pd.Series, threshold: float, days: pd.Series) -> int | None:
    hit = np.flatnonzero(series.to_numpy() >= threshold)
    return int(days.iloc[hit[0]]) if hit.size else None


def seed_row(folder: Path) -> dict[str, object]:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    ts = pd.read_csv(folder / "timeseries.csv")
    events = pd.read_csv(folder / "events.csv", keep_default_na=False)
    day_43 = ts.iloc[min(43 * 24 + 23, len(ts) - 1)]
    left, day = ts[o.LEFT_ENCLAVE_CUM.name], ts[o.DAY.name]
    splits = events[events["kind"] == "pocket_split"]
    ends = events[events["kind"] == "pocket_ended"]
    story = news_26_march.check(events, ts)
    return {
        "seed": summary["seed"],
        "left the enclave by day 43": int(day_43[o.LEFT_ENCLAVE_CUM.name]),
        "bussed north by day 43": int(day_43[o.BUSSED_NORTH_CUM.name]),
        "civilians killed (run end)": int(ts[o.KILLED_CUM.name].iloc[-1]),
        "26 March picture holds": all(story.values()),
        "26 March parts": ", ".join(k for k, ok in story.items() if not ok) or "all",
        "day 5,000 had left": first_day(left, 5_000, day),
        "day 50,000 had left": first_day(left, 50_000, day),
        **{f"deal day {k}": v["day_agreed"] for k, v in summary["deals"].items()},
        "day the last pocket ended": int(ends["day"].max()) if len(ends) else None,
        "first split": splits["detail"].iloc[0] if len(splits) else "",
    }


def report(rows: pd.DataFrame) -> str:
    lines = ["# The default scenario against 2018 (full scale)", ""]
    lines += ["| measure | mean | per seed | range to meet | met |", "|---|---|---|---|---|"]
    for measure, (low, high) in RANGES.items():
        mean = rows[measure].mean()
        per_seed = ", ".join(f"{v:,}" for v in rows[measure])
        met = "yes" if low <= mean <= high else "no"
        lines.append(f"| {measure} | {mean:,.0f} | {per_seed} | {low:,}-{high:,} | {met} |")
    holds = int(rows["26 March picture holds"].sum())
    lines += ["", f"26 March picture holds in {holds} of {len(rows)} seeds (needed: 4 of 5).", ""]
    per_seed = rows.set_index("seed").T.to_string()
    lines += ["## Per seed", "", "```", per_seed, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[10, 11, 12, 13, 14])
    parser.add_argument("--out", type=Path, default=ROOT / "multirun" / "check_2018")
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    run_seeds(args.seeds, args.out, args.overrides)
    folders = [p.parent for p in sorted(args.out.glob("*/summary.json"))]
    rows = pd.DataFrame([seed_row(f) for f in folders])
    rows = rows[rows["seed"].isin(args.seeds)].sort_values("seed")
    text = report(rows)
    atomic_write_text(args.out / "check_2018.md", text)
    print(text)
    return rows


if __name__ == "__main__":
    main()
