"""Writing a run's folder: tables, events, config, summary. Every file is written atomically."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from sim.civilians import DealChoice
from sim.model import SiegeModel
from sim.params import SimConfig, to_dict
from sim.recorder import SCHEMA_VERSION, slug

JOB_DONE_FILE = ".job_done"
"""Touched in a sweep job's folder when the job ends (complete, skipped or failed)."""

REPORT_DAYS = (43,)
"""Days whose totals go into the summary (43 = 2 Apr 2018, an OCHA calibration date)."""


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, renamed into place if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it into place."""
    with atomic_path(path) as tmp:
        write(tmp)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def atomic_write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda p: frame.to_csv(p, index=False))


def config_key(config: SimConfig) -> str:
    """A short hash of the whole validated config, seed included: the run's identity."""
    text = json.dumps(to_dict(config), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_complete(out_dir: Path, key: str) -> bool:
    """``out_dir`` holds a finished run of the config with this key (summary.json is last)."""
    summary = Path(out_dir) / "summary.json"
    if not summary.exists():
        return False
    return json.loads(summary.read_text(encoding="utf-8")).get("config_key") == key


def totals_at(ts: pd.DataFrame, step: int) -> dict[str, int]:
    row = ts.iloc[min(step, len(ts) - 1)]
    keys = (
        "remaining",
        "left_enclave_cum",
        "left_via_crossing_cum",
        "left_by_capture_cum",
        "left_via_deal_corridor_cum",
        "bussed_north_cum",
        "left_by_medevac_cum",
        "fighters_bussed_north_cum",
        "killed_cum",
        "killed_in_ground_fighting_cum",
    )
    return {key: int(row[key]) for key in keys}


def summarise(model: SiegeModel, ts: pd.DataFrame | None = None) -> dict[str, Any]:
    """Totals, key days, deals and each pocket's end: the numbers a reader wants first.

    ``ts`` is the run's time series if the caller already has it.
    """
    if ts is None:
        ts = model.recorder.timeseries()
    events = model.events.table()
    n = model.civilians.n
    left = ts["left_enclave_cum"].to_numpy()
    day_share_left = {}
    for share in (0.25, 0.5, 0.75):
        hit = (left >= share * n).nonzero()[0]
        day_share_left[f"{int(share * 100)}%"] = float(hit[0] / 24) if hit.size else None

    def first_day(kind: str, actor: str | None = None) -> int | None:
        rows = events[(events["kind"] == kind) & ((actor is None) | (events["actor"] == actor))]
        return int(rows["day"].iloc[0]) if len(rows) else None

    return {
        "schema_version": SCHEMA_VERSION,
        "config_key": config_key(model.config),
        "scenario": model.config.scenario_name,
        "seed": model.config.seed,
        "people": n,
        "households": model.civilians.n_households,
        "days": model.config.days,
        "final": totals_at(ts, len(ts) - 1),
        **{f"day_{d}": totals_at(ts, d * 24 + 23) for d in REPORT_DAYS if d < model.config.days},
        "day_share_left": day_share_left,
        "day_first_pocket_split": first_day("pocket_split"),
        "day_faction_defeated": {
            f.key: first_day("faction_defeated", f.name) for f in model.factions
        },
        "day_surrender": {f.key: first_day("surrender", f.name) for f in model.factions},
        "fighters_final": {f.key: f.fighters for f in model.factions},
        "deals": {
            f.key: _deal_summary(model, f.key, first_day("talks_started", f.name))
            for f in model.factions
        },
        "bus_trips": model.deals.fleet.trips,
        "bus_seat_use": (
            round(fleet.seats_filled / (fleet.trips * fleet.seats_per_bus), 3)
            if (fleet := model.deals.fleet).trips
            else None
        ),
        "crossings": {
            name: _crossing_summary(ts, name, model.recorder.waited_hours[: len(ts), k])
            for k, name in enumerate(model.crossings.names)
        },
        "reception": _reception_summary(ts, model),
        "medevac": {
            "peak_waiting": int(ts["medevac_waiting"].max()),
            "evacuated": model.medevac.evacuated,
            "died_waiting": model.medevac.died_waiting,
            "left_otherwise": model.medevac.left_otherwise,
            "still_waiting": model.medevac.waiting,
        },
        "food": {
            name: {
                "day_ran_out": None if day < 0 else int(day),
                "final_hunger": round(float(model.food.hunger[k]), 3),
            }
            for k, (name, day) in enumerate(
                zip(model.geo.district_names, model.food.day_ran_out, strict=True)
            )
        },
        "pocket_ends": [dataclasses.asdict(end) for end in model.hand_over.pocket_ends],
    }


def _reception_summary(ts: pd.DataFrame, model: SiegeModel) -> dict[str, Any]:
    """Peak occupancy and overcrowding (people per place) of the reception sites."""
    reception = model.reception
    summary: dict[str, Any] = {
        "capacity": int(reception.capacity.sum()),
        "released_by_sponsors": reception.released,
        "detained": reception.detained,
        "sites": {},
    }
    if not reception.site_names:
        return summary
    total = ts["overcrowding_all_sites"].to_numpy()
    summary["peak_overcrowding_all_sites"] = round(float(total.max()), 3)
    summary["day_peak_overcrowding_all_sites"] = int(ts["day"].iloc[int(total.argmax())])
    for name in reception.site_names:
        s = slug(name)
        people = ts[f"shelter_{s}"].to_numpy()
        summary["sites"][name] = {
            "capacity": int(reception.capacity[reception.site_names.index(name)]),
            "peak_people": int(people.max()),
            "peak_overcrowding": round(float(ts[f"overcrowding_{s}"].max()), 3),
            "day_peak": int(ts["day"].iloc[int(people.argmax())]),
        }
    return summary


def _crossing_summary(
    ts: pd.DataFrame, name: str, waited_hours: NDArray[np.int64]
) -> dict[str, Any]:
    """Peak queue (and its day), people crossed and their mean wait at one crossing;
    ``waited_hours`` is the hourly sum of the waits of those who crossed."""
    s = slug(name)
    queue = ts[f"queue_{s}"]
    crossed = int(ts[f"crossed_{s}"].sum())
    waited = int(waited_hours.sum())
    return {
        "crossed": crossed,
        "peak_queue": int(queue.max()),
        "day_peak_queue": int(ts["day"].iloc[int(queue.to_numpy().argmax())]),
        "mean_wait_hours": round(waited / crossed, 3) if crossed else None,
        "days_shut": int(ts.loc[ts[f"shut_{s}"], "day"].nunique()),
    }


DEAL_KEYS = (
    "day_talks_started",
    "day_agreed",
    "day_completed",
    "fighters_bussed",
    "civilians_bussed",
    "bus_trips",
    "chose_stay",
    "chose_shelters",
    "chose_bus",
)


def _deal_summary(model: SiegeModel, key: str, day_talks: int | None) -> dict[str, Any]:
    """The faction's deal; every value null (same keys) if it made none."""
    deal = next((d for d in model.deals.deals if d.faction.key == key), None)
    if deal is None:
        return dict.fromkeys(DEAL_KEYS) | {"day_talks_started": day_talks}
    return {
        "day_talks_started": day_talks,
        "day_agreed": deal.agreed_step // 24,
        "day_completed": None if deal.completed_step is None else deal.completed_step // 24,
        "fighters_bussed": deal.fighters_bussed,
        "civilians_bussed": deal.civilians_bussed,
        "bus_trips": deal.trips,
        "chose_stay": int(deal.choices[DealChoice.STAY]),
        "chose_shelters": int(deal.choices[DealChoice.SHELTERS]),
        "chose_bus": int(deal.choices[DealChoice.BUS]),
    }


def write_run(model: SiegeModel, out_dir: Path, plots: bool = True) -> dict[str, Any]:
    """Write every output of a finished run into ``out_dir``; returns the summary."""
    out_dir = Path(out_dir)
    ts = model.recorder.timeseries()
    summary = summarise(model, ts)
    atomic_write_text(
        out_dir / "config.yaml", yaml.safe_dump(to_dict(model.config), sort_keys=False)
    )
    atomic_write_csv(out_dir / "timeseries.csv", ts)
    districts = model.recorder.districts()
    atomic_write_csv(out_dir / "districts.csv", districts)
    atomic_write_csv(out_dir / "events.csv", model.events.table())
    if plots:
        from sim.plots import plot_evacuation_curves, plot_factions, plot_logistics

        name = model.config.scenario_name
        atomic_write(
            out_dir / "evacuation_curves.png", lambda p: plot_evacuation_curves(ts, p, name)
        )
        keys = [f.key for f in model.factions]
        atomic_write(out_dir / "factions.png", lambda p: plot_factions(ts, keys, p, name))
        atomic_write(
            out_dir / "logistics.png",
            lambda p: plot_logistics(
                ts, districts, model.crossings.names, model.reception.site_names, p, name
            ),
        )
    # summary.json last: its presence marks a complete run folder.
    atomic_write_text(out_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
    return summary


def summary_text(summary: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    f = summary["final"]
    lines = [
        f"scenario {summary['scenario']} seed {summary['seed']}: "
        f"{summary['people']:,} people, {summary['days']} days",
        f"  left via crossings {f['left_via_crossing_cum']:,}; "
        f"via deal corridors {f['left_via_deal_corridor_cum']:,}; "
        f"by capture {f['left_by_capture_cum']:,}; "
        f"bussed north {f['bussed_north_cum']:,} civilians "
        f"+ {f['fighters_bussed_north_cum']:,} fighters; killed {f['killed_cum']:,} "
        f"({f['killed_in_ground_fighting_cum']:,} in ground fighting); "
        f"still inside {f['remaining']:,}",
    ]
    for key, value in summary.items():
        if key.startswith("day_") and isinstance(value, dict) and "remaining" in value:
            lines.append(
                f"  {key}: left {value['left_enclave_cum']:,}, killed {value['killed_cum']:,}"
            )
    for name, c in summary["crossings"].items():
        lines.append(
            f"  crossing {name}: {c['crossed']:,} crossed, peak queue {c['peak_queue']:,} "
            f"(day {c['day_peak_queue']}), mean wait {c['mean_wait_hours']} h"
        )
    reception = summary["reception"]
    if reception["sites"]:
        lines.append(
            f"  reception sites: peak {reception['peak_overcrowding_all_sites']} people per "
            f"place (day {reception['day_peak_overcrowding_all_sites']}); "
            f"{reception['released_by_sponsors']:,} sponsored out"
        )
    medevac = summary["medevac"]
    lines.append(
        f"  medical list: peak {medevac['peak_waiting']:,} waiting, {medevac['evacuated']:,} "
        f"evacuated, {medevac['died_waiting']:,} died waiting"
    )
    lines.append(f"  first pocket split on day {summary['day_first_pocket_split']}")
    for end in summary["pocket_ends"]:
        if end["cells"] >= 100:
            lines.append(f"  pocket {end['place']} ended on day {end['day']} by {end['cause']}")
    return "\n".join(lines)
