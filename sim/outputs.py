"""Writing a run's folder: tables, events, config, summary. Every file is written atomically."""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from sim import outcomes
from sim.civilians import DealChoice
from sim.clock import HOURS_PER_DAY
from sim.model import SiegeModel
from sim.outcomes import SCHEMA_VERSION, TOTALS
from sim.params import SimConfig, to_dict
from sim.tables import load_calibration_targets
from sim.validation import validate, validation_lines

JOB_DONE_FILE = ".job_done"
"""Touched in a sweep job's folder when the job ends (complete, skipped or failed)."""

ERROR_FILE = "error.txt"
"""Why a run failed (first line: the error; then the traceback, if any). A run folder holds
either this or ``summary.json``, never both (:func:`clear_run` before each attempt)."""

SUMMARY_FILE = "summary.json"
"""Written last: a folder whose summary parses and names its config is a complete run."""

RUN_FILES = (
    "config.yaml",
    "timeseries.csv",
    "districts.csv",
    "events.csv",
    "validation.csv",
    "evacuation_curves.png",
    "factions.png",
    "logistics.png",
    "map.png",
    "siege.gif",
    "timeline.png",
    "territory.npz",
    "run_info.json",
)
"""The other files of a run folder (:func:`write_run`, ``run.py``), removed with the summary."""

REPORT_DAYS = (43,)
"""Days whose totals go into the summary (43 = 2 Apr 2018, an OCHA calibration date)."""

STALE_TMP_S = 600.0
"""A temporary file of an atomic write untouched this long is a killed write's leftover."""


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary file beside ``path``, renamed into place if the block succeeds.

    The file (and then its folder) is fsynced before (after) the rename, so a crash leaves
    the old file or the new one, never a torn one. Leftover temporary files of the same
    target from killed writes are removed (:func:`remove_stale_tmp`).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        _fsync(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    remove_stale_tmp(path)


def remove_stale_tmp(path: Path) -> list[Path]:
    """Remove the temporary files ``.<name>.<pid>.*.tmp`` left beside ``path`` by killed writes.

    A file counts as left over if its writer (the pid in its name) no longer runs on this
    machine, or if nobody has touched it for :data:`STALE_TMP_S`; a concurrent writer's fresh
    file is kept. Returns the files removed.
    """
    removed = []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2 :].split(".", 1)[0]
        try:
            age_s = time.time() - tmp.stat().st_mtime
        except FileNotFoundError:  # its writer just renamed or removed it
            continue
        if age_s > STALE_TMP_S or (pid.isdigit() and not _pid_alive(int(pid))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open folders)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def read_summary(out_dir: Path) -> dict[str, Any] | None:
    """The folder's ``summary.json``, or None if it is absent, truncated or not a summary."""
    try:
        summary = json.loads((Path(out_dir) / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return summary if isinstance(summary, dict) and "config_key" in summary else None


def is_complete(out_dir: Path, key: str) -> bool:
    """``out_dir`` holds a finished run of the config with this key.

    Its ``summary.json`` parses and names ``key``, and no ``error.txt`` at least as new stands
    beside it (left by a later attempt that failed).
    """
    out_dir = Path(out_dir)
    summary = read_summary(out_dir)
    if summary is None or summary["config_key"] != key:
        return False
    try:
        error_ns = (out_dir / ERROR_FILE).stat().st_mtime_ns
    except FileNotFoundError:
        return True
    return error_ns < (out_dir / SUMMARY_FILE).stat().st_mtime_ns


def clear_run(out_dir: Path) -> None:
    """Remove a previous attempt's results and error (summary first), before a new attempt.

    A rerun that then fails leaves only its own ``error.txt``: no report can show old values.
    """
    out_dir = Path(out_dir)
    (out_dir / SUMMARY_FILE).unlink(missing_ok=True)
    for name in (*RUN_FILES, ERROR_FILE):
        (out_dir / name).unlink(missing_ok=True)


def totals_at(ts: pd.DataFrame, step: int) -> dict[str, int]:
    """The :data:`sim.outcomes.TOTALS` columns at ``step`` (the last step if past the end)."""
    row = ts.iloc[min(step, len(ts) - 1)]
    return {o.name: int(row[o.name]) for o in TOTALS}


def summarise(model: SiegeModel, ts: pd.DataFrame | None = None) -> dict[str, Any]:
    """Totals, key days, deals and each pocket's end: the numbers a reader wants first.

    ``ts`` is the run's time series if the caller already has it.
    """
    if ts is None:
        ts = model.recorder.timeseries()
    events = model.events.table()
    per_agent = model.config.people_per_agent
    n = model.civilians.n * per_agent
    left = ts[outcomes.LEFT_ENCLAVE_CUM.name].to_numpy()
    day_share_left = {}
    for share in (0.25, 0.5, 0.75):
        hit = (left >= share * n).nonzero()[0]
        day_share_left[f"{int(share * 100)}%"] = float(hit[0] / HOURS_PER_DAY) if hit.size else None

    def first_day(kind: str, actor: str | None = None) -> int | None:
        rows = events[(events["kind"] == kind) & ((actor is None) | (events["actor"] == actor))]
        return int(rows["day"].iloc[0]) if len(rows) else None

    return {
        "schema_version": SCHEMA_VERSION,
        "config_key": config_key(model.config),
        "scenario": model.config.scenario_name,
        "seed": model.config.seed,
        "people": n,
        "people_per_agent": per_agent,
        "agents": model.civilians.n,
        "households": model.civilians.n_households * per_agent,
        "days": model.config.days,
        "final": totals_at(ts, len(ts) - 1),
        **{
            f"day_{d}": totals_at(ts, d * HOURS_PER_DAY + HOURS_PER_DAY - 1)
            for d in REPORT_DAYS
            if d < model.config.days
        },
        "day_share_left": day_share_left,
        "day_first_pocket_split": first_day("pocket_split"),
        "day_faction_defeated": {
            f.key: first_day("faction_defeated", f.name) for f in model.factions
        },
        "day_surrender": {f.key: first_day("surrender", f.name) for f in model.factions},
        "fighters_final": {f.key: f.fighters * per_agent for f in model.factions},
        "deals": {
            f.key: _deal_summary(model, f.key, first_day("talks_started", f.name), per_agent)
            for f in model.factions
        },
        "bus_trips": model.deals.fleet.trips * per_agent,
        "bus_seat_use": (
            round(fleet.seats_filled / (fleet.trips * fleet.seats_per_bus), 3)
            if (fleet := model.deals.fleet).trips
            else None
        ),
        "crossings": {
            name: _crossing_summary(
                ts, name, model.recorder.recorded("waited_hours")[:, k] * per_agent
            )
            for k, name in enumerate(model.crossings.names)
        },
        "reception": _reception_summary(ts, model),
        "medevac": {
            "peak_waiting": int(ts[outcomes.MEDEVAC_WAITING.name].max()),
            "evacuated": model.medevac.evacuated * per_agent,
            "died_waiting": model.medevac.died_waiting * per_agent,
            "left_otherwise": model.medevac.left_otherwise * per_agent,
            "still_waiting": model.medevac.waiting * per_agent,
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
        "validation": validate(ts, load_calibration_targets(), model.start).to_dict("records"),
    }


def _reception_summary(ts: pd.DataFrame, model: SiegeModel) -> dict[str, Any]:
    """Peak occupancy and overcrowding (people per place) of the reception sites."""
    reception = model.reception
    per_agent = model.config.people_per_agent
    summary: dict[str, Any] = {
        "capacity": int(reception.capacity.sum()) * per_agent,
        "released_by_sponsors": reception.released * per_agent,
        "detained": reception.detained * per_agent,
        "sites": {},
    }
    if not reception.site_names:
        return summary
    day = ts[outcomes.DAY.name]
    total = ts[outcomes.OVERCROWDING_ALL_SITES.name].to_numpy()
    summary["peak_overcrowding_all_sites"] = round(float(total.max()), 3)
    summary["day_peak_overcrowding_all_sites"] = int(day.iloc[int(total.argmax())])
    for name in reception.site_names:
        people = ts[outcomes.SHELTER.column(name)].to_numpy()
        summary["sites"][name] = {
            "capacity": int(reception.capacity[reception.site_names.index(name)]) * per_agent,
            "peak_people": int(people.max()),
            "peak_overcrowding": round(float(ts[outcomes.OVERCROWDING.column(name)].max()), 3),
            "day_peak": int(day.iloc[int(people.argmax())]),
        }
    return summary


def _crossing_summary(
    ts: pd.DataFrame, name: str, waited_hours: NDArray[np.int64]
) -> dict[str, Any]:
    """Peak queue (and its day), people crossed and their mean wait at one crossing;
    ``waited_hours`` is the hourly sum of the waits of those who crossed (in real people)."""
    queue = ts[outcomes.QUEUE.column(name)]
    crossed = int(ts[outcomes.CROSSED.column(name)].sum())
    waited = int(waited_hours.sum())
    day = outcomes.DAY.name
    return {
        "crossed": crossed,
        "peak_queue": int(queue.max()),
        "day_peak_queue": int(ts[day].iloc[int(queue.to_numpy().argmax())]),
        "mean_wait_hours": round(waited / crossed, 3) if crossed else None,
        "days_shut": int(ts.loc[ts[outcomes.SHUT.column(name)], day].nunique()),
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


def _deal_summary(
    model: SiegeModel, key: str, day_talks: int | None, per_agent: int
) -> dict[str, Any]:
    """The faction's deal, counts in real people; every value null (same keys) if it made
    none."""
    deal = next((d for d in model.deals.deals if d.faction.key == key), None)
    if deal is None:
        return dict.fromkeys(DEAL_KEYS) | {"day_talks_started": day_talks}
    return {
        "day_talks_started": day_talks,
        "day_agreed": deal.agreed_step // 24,
        "day_completed": None if deal.completed_step is None else deal.completed_step // 24,
        "fighters_bussed": deal.fighters_bussed * per_agent,
        "civilians_bussed": deal.civilians_bussed * per_agent,
        "bus_trips": deal.trips * per_agent,
        "chose_stay": int(deal.choices[DealChoice.STAY]) * per_agent,
        "chose_shelters": int(deal.choices[DealChoice.SHELTERS]) * per_agent,
        "chose_bus": int(deal.choices[DealChoice.BUS]) * per_agent,
    }


def write_run(
    model: SiegeModel,
    out_dir: Path,
    plots: bool = True,
    animation: bool = True,
    logistics: str = "",
    overrides: Sequence[str] = (),
    dashboards: bool = True,
) -> dict[str, Any]:
    """Write every output of a finished run into ``out_dir``; returns the summary.

    ``plots``: ``evacuation_curves.png``, and with ``dashboards`` the other figures
    (``factions.png``, ``logistics.png``, ``map.png``, ``timeline.png``);
    ``animation``: also ``siege.gif`` (with ``plots``); ``logistics``: the logistics
    config's name, and ``overrides`` the run's command-line overrides (``key=value``), for
    figure titles."""
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
    atomic_write_csv(out_dir / "validation.csv", pd.DataFrame(summary["validation"]))
    if plots:
        _write_figures(model, out_dir, ts, districts, logistics, overrides, dashboards)
    from sim.spatial_outputs import write_spatial_outputs

    write_spatial_outputs(
        model, out_dir, ts, plots and dashboards, plots and animation, logistics, overrides
    )
    # summary.json last: its presence marks a complete run folder.
    atomic_write_text(out_dir / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
    return summary


def _write_figures(
    model: SiegeModel,
    out_dir: Path,
    ts: pd.DataFrame,
    districts: pd.DataFrame,
    logistics: str,
    overrides: Sequence[str],
    dashboards: bool,
) -> None:
    """``evacuation_curves.png``, and with ``dashboards`` ``factions.png`` and
    ``logistics.png``."""
    from sim.fighter_losses import FactionLabel
    from sim.figure_axes import run_title
    from sim.plots import plot_evacuation_curves, plot_factions, plot_logistics

    def title(what: str) -> str:
        return run_title(what, model.config.scenario_name, logistics, overrides)

    events = model.events.table()
    per_agent = model.config.people_per_agent
    factions = [FactionLabel(f.key, f.name, f.fighters_initial * per_agent) for f in model.factions]
    atomic_write(
        out_dir / "evacuation_curves.png",
        lambda p: plot_evacuation_curves(ts, events, p, title("Evacuation curves")),
    )
    if not dashboards:
        return
    atomic_write(
        out_dir / "factions.png",
        lambda p: plot_factions(ts, events, factions, per_agent, p, title("Factions")),
    )
    atomic_write(
        out_dir / "logistics.png",
        lambda p: plot_logistics(
            ts,
            districts,
            model.crossings.names,
            model.reception.site_names,
            p,
            title("Humanitarian logistics"),
        ),
    )


def summary_text(summary: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    o = outcomes
    f = summary["final"]
    lines = [
        f"scenario {summary['scenario']} seed {summary['seed']}: "
        f"{summary['people']:,} people, {summary['days']} days",
        f"  left the enclave {f[o.LEFT_ENCLAVE_CUM.name]:,}: via crossings "
        f"{f[o.LEFT_VIA_CROSSING_CUM.name]:,}, across the front {f[o.LEFT_VIA_FRONT_CUM.name]:,}, "
        f"via deal corridors {f[o.LEFT_VIA_DEAL_CORRIDOR_CUM.name]:,}, medical evacuation "
        f"{f[o.LEFT_VIA_MEDEVAC_CUM.name]:,}, bussed north {f[o.BUSSED_NORTH_CUM.name]:,} "
        f"({f[o.BUSSED_NORTH_CIVILIANS_CUM.name]:,} civilians + "
        f"{f[o.BUSSED_NORTH_FIGHTERS_CUM.name]:,} fighters)",
        f"  stayed while their ground changed hands {f[o.STAYED_UNDER_GOVERNMENT_CUM.name]:,}; "
        f"killed {f[o.KILLED_CUM.name]:,} ({f[o.KILLED_IN_GROUND_FIGHTING_CUM.name]:,} in ground "
        f"fighting); still inside {f[o.REMAINING.name]:,}",
    ]
    if summary["people_per_agent"] != 1:
        lines[0] += f" (one agent for {summary['people_per_agent']} people; numbers are people)"
    lines.append("  against the record (validation.csv):")
    lines += [f"    {line}" for line in validation_lines(pd.DataFrame(summary["validation"]))]
    for name, c in summary["crossings"].items():
        lines.append(
            f"  crossing {name}: {c['crossed']:,} crossed, peak queue {c['peak_queue']:,} "
            f"(day {c['day_peak_queue']}), "
            + (
                "no one waited"
                if c["mean_wait_hours"] is None
                else f"mean wait {c['mean_wait_hours']} h"
            )
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
    split = summary["day_first_pocket_split"]
    lines.append("  no pocket split" if split is None else f"  first pocket split on day {split}")
    for end in summary["pocket_ends"]:
        if end["cells"] >= 100:
            lines.append(f"  pocket {end['place']} ended on day {end['day']} by {end['cause']}")
    return "\n".join(lines)
