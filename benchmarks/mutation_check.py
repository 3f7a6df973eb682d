"""Mutation check: do the tests catch plausible one-line bugs in ``sim/`` without the baseline?

    python benchmarks/mutation_check.py [--out benchmarks/results/mutation_check.md]
                                        [--only NAME ...] [--timeout 300] [--list]

Each mutation in ``MUTATIONS`` replaces one exact snippet of one file of ``sim/`` (it must
occur exactly once there, or the check refuses to run, so the list cannot rot silently). In
turn, each is applied to a fresh temporary copy of the repository (the working tree is never
edited), and a fast subset of the suite (``TEST_FILES``, without ``tests/test_baseline.py`` and
without the slow multi-seed effect tests in ``SLOW_TESTS``) is run there with
``pytest -x -n 0``. A mutation is *caught* when pytest reports a failed or erroring test; a
crash while importing the tests also counts as caught but is reported apart; a run that
exceeds ``--timeout`` counts as not caught. The unmutated copy must pass the subset first.
Writes a Markdown report with each mutation, caught or not, by which test, and the score.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "results" / "mutation_check.md"

TEST_FILES = (
    "tests/test_exact.py",
    "tests/test_tiny_maps.py",
    "tests/test_crossings.py",
    "tests/test_exits.py",
    "tests/test_ground_war.py",
    "tests/test_factions.py",
    "tests/test_food.py",
    "tests/test_deals.py",
    "tests/test_logistics.py",
)
"""The fast subset, cheapest and most exact first (``-x`` stops at the first failure)."""

SLOW_TESTS = (
    "tests/test_logistics.py::test_fewer_shelter_places_mean_more_overcrowding_over_three_seeds",
    "tests/test_food.py::test_denied_convoys_mean_more_hunger_and_more_people_leaving_over_three_seeds",
    "tests/test_logistics.py::test_generous_logistics_let_more_people_out_through_crossings_than_restricted",
)
"""Multi-seed effect tests of 15-55 s each, left out to keep the check near a minute a run."""

IGNORED_WHEN_COPYING = (
    ".git",
    "outputs",
    "multirun",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    "*.egg-info",
    "build",
    ".venv",
    "results",
)


@dataclass(frozen=True)
class Mutation:
    """One plausible bug: ``original`` (exactly once in ``file``) becomes ``replacement``."""

    name: str
    file: str
    original: str
    replacement: str
    description: str


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "overflow_split_equally",
        "sim/reception.py",
        "quota = apportion(int(overflow.sum()), self.capacity.astype(np.float64))",
        "quota = apportion(int(overflow.sum()), np.ones(self.capacity.size))",
        "reception overflow shared equally over the sites instead of by capacity",
    ),
    Mutation(
        "terrain_defence_ignored",
        "sim/government.py",
        "defence = defence * np.where(self.geo.urban[front], p.urban_defence_multiplier, 1.0)",
        "defence = defence * np.where(self.geo.urban[front], 1.0, 1.0)",
        "urban_defence_multiplier ignored: towns fall as easily as farmland",
    ),
    Mutation(
        "home_district_off_by_one",
        "sim/civilians.py",
        "self.home_district = geo.district[self.home_cell].astype(np.int32)",
        "self.home_district = (geo.district[self.home_cell] + 1).astype(np.int32)",
        "district index off by one (1-based ids): people counted and fed in the next district",
    ),
    Mutation(
        "main_district_off_by_one",
        "sim/geography.py",
        "return self.district_names[int(np.bincount(districts, weights=weights).argmax())]",
        "return self.district_names[int(np.bincount(districts, weights=weights).argmax()) - 1]",
        "district index off by one when naming a place: events name the wrong district",
    ),
    Mutation(
        "bus_count_rounded_down",
        "sim/buses.py",
        "n_buses = min(free.size, -(-passengers // self.seats_per_bus))",
        "n_buses = min(free.size, passengers // self.seats_per_bus)",
        "buses needed rounded down: the last part-full bus is never sent",
    ),
    Mutation(
        "fighters_board_after_civilians",
        "sim/deals.py",
        "boarding = min(n, seats - fighters_boarding)",
        "boarding = max(0, min(n, seats - waiting.size - fighters_boarding))",
        "civilians waiting take the seats first and fighters board after them",
    ),
    Mutation(
        "corridor_opens_an_hour_late",
        "sim/deals.py",
        "corridor_open = p.corridor_open_hour <= t % 24 < p.corridor_close_hour",
        "corridor_open = p.corridor_open_hour < t % 24 < p.corridor_close_hour",
        "deal corridor's open-hour comparison < instead of <=: shut in its first open hour",
    ),
    Mutation(
        "crossing_throughput_doubled",
        "sim/crossings.py",
        "places = self._carry[k].take(self.throughput_per_hour[k])",
        "places = self._carry[k].take(2 * self.throughput_per_hour[k])",
        "a crossing passes twice its throughput per hour",
    ),
    Mutation(
        "crossing_daily_closure_ignored",
        "sim/crossings.py",
        "self.is_open = self.scheduled_open[t] & ~self.shut_today",
        "self.is_open = self.scheduled_open[t]",
        "a crossing shut for the day still opens on schedule",
    ),
    Mutation(
        "restraint_exponent_dropped",
        "sim/exit_barriers.py",
        "hold = 1.0 - (1.0 - strength) ** self.params.restraint_erosion_exponent",
        "hold = strength",
        "restraint in proportion to strength: restraint_erosion_exponent ignored",
    ),
    Mutation(
        "walkout_without_recent_capture",
        "sim/walkouts.py",
        "recent = taken_step >= t - self.params.walkout_recent_capture_hours",
        "recent = taken_step >= 0",
        "any ground ever taken opens a walk-out place (no 'recent capture' window)",
    ),
    Mutation(
        "shelter_protection_inverted",
        "sim/civilians.py",
        "lethality_per_strike * (1.0 - shelter_protection),",
        "lethality_per_strike * shelter_protection,",
        "shelter protection inverted: full protection kills as much as none",
    ),
    Mutation(
        "strike_lethality_squared",
        "sim/civilians.py",
        "p_killed = 1.0 - (1.0 - lethality) ** strikes_on_struck[hit]",
        "p_killed = lethality * strikes_on_struck[hit] ** 2",
        "strikes' lethality squared instead of compounded over strikes",
    ),
    Mutation(
        "precedent_counts_pending_deals",
        "sim/deals.py",
        "if d.completed_step is not None and d.fighters_bussed + d.civilians_bussed > 0",
        "if d.fighters_bussed + d.civilians_bussed > 0",
        "precedent multiplier applied for deals still under way, not only completed ones",
    ),
    Mutation(
        "convoy_unloaded_share_inverted",
        "sim/food.py",
        "unloaded = (convoy.trucks - convoy.trucks_not_unloaded) / convoy.trucks",
        "unloaded = convoy.trucks_not_unloaded / convoy.trucks",
        "a convoy delivers the food of the trucks that did NOT unload",
    ),
    Mutation(
        "food_eaten_beyond_stock",
        "sim/food.py",
        "eaten = np.minimum(self.stock_person_days, people_inside)",
        "eaten = np.maximum(self.stock_person_days, people_inside)",
        "rations not capped by the stock (min/max swapped)",
    ),
    Mutation(
        "screening_an_hour_long",
        "sim/reception.py",
        "screened = screening[civ.exit_step[screening] + self.params.screening_hours <= step]",
        "screened = screening[civ.exit_step[screening] + self.params.screening_hours < step]",
        "screening ends an hour late (< instead of <=)",
    ),
    Mutation(
        "defence_ignores_cohesion",
        "sim/factions.py",
        "return self.fighters / max(front_cells, 1) * self.cohesion",
        "return self.fighters / max(front_cells, 1)",
        "a faction's front defence no longer weakened by its cohesion",
    ),
    Mutation(
        "hunger_adjusts_a_day_each_hour",
        "sim/food.py",
        "return -math.expm1(-self.params.hunger_adjustment_per_day / 24.0)",
        "return -math.expm1(-self.params.hunger_adjustment_per_day)",
        "hunger moves by a day's share of the gap every hour (per-day rate not divided by 24)",
    ),
    Mutation(
        "capture_lethality_ignored",
        "sim/government.py",
        "return people[per_person.random(people.size) < self.params.capture_civilian_lethality]",
        "return people[per_person.random(people.size) < 0.0]",
        "nobody dies when their cell is taken (capture_civilian_lethality ignored)",
    ),
)


class MutationListError(Exception):
    """A mutation's snippet is missing or ambiguous in the current source."""


def check_mutations(mutations: tuple[Mutation, ...], repo: Path) -> None:
    """Each original snippet occurs exactly once in its file and differs from its replacement;
    names are unique. Raises ``MutationListError`` listing every problem."""
    problems = []
    names = [m.name for m in mutations]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{name}: the name is used more than once")
    for m in mutations:
        path = repo / m.file
        if not path.is_file():
            problems.append(f"{m.name}: {m.file} does not exist")
            continue
        count = path.read_text().count(m.original)
        if count != 1:
            what = "is missing from" if count == 0 else f"occurs {count} times in"
            problems.append(f"{m.name}: the snippet {m.original!r} {what} {m.file}")
        if m.original == m.replacement:
            problems.append(f"{m.name}: the replacement equals the original")
    if problems:
        raise MutationListError(
            "the mutation list no longer matches sim/ (update MUTATIONS in "
            "benchmarks/mutation_check.py):\n  " + "\n  ".join(problems)
        )


@dataclass
class Outcome:
    mutation: Mutation | None
    verdict: str
    """"passed" (not caught), "caught", "crash at import", "timeout"."""
    caught_by: str
    seconds: float
    detail: str

    @property
    def caught(self) -> bool:
        return self.verdict in ("caught", "crash at import")


def copy_repo(repo: Path, into: Path) -> Path:
    dest = into / "repo"
    shutil.copytree(repo, dest, ignore=shutil.ignore_patterns(*IGNORED_WHEN_COPYING))
    return dest


def pytest_command() -> list[str]:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:cacheprovider"]
    for test in SLOW_TESTS:
        command += ["--deselect", test]
    return [*command, *TEST_FILES]


FAILED_LINE = re.compile(r"^(FAILED|ERROR) (\S+)", re.MULTILINE)


def run_suite(copy: Path, mutation: Mutation | None, timeout_s: float) -> Outcome:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)  # the copy's own sim/ and tests/ come first from its cwd
    started = time.perf_counter()
    try:
        done = subprocess.run(
            pytest_command(),
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return Outcome(mutation, "timeout", "", time.perf_counter() - started, "")
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    last = output.strip().splitlines()[-1] if output.strip() else ""
    hits = FAILED_LINE.findall(output)
    failing = ", ".join(dict.fromkeys(t for _, t in hits))
    if done.returncode == 0:
        return Outcome(mutation, "passed", "", seconds, last)
    if done.returncode == 1:  # tests failed (or errored in their fixtures)
        return Outcome(mutation, "caught", failing or "(see pytest's output)", seconds, last)
    # 2: errors collecting (importing) test modules; 3: internal error; 4: conftest not
    # importable; 5: no tests collected
    where = failing or f"(pytest exit {done.returncode}: {last})"
    return Outcome(mutation, "crash at import", where, seconds, last)


def check_one(mutation: Mutation | None, timeout_s: float) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="mutation_check_") as tmp:
        copy = copy_repo(REPO, Path(tmp))
        if mutation is not None:
            path = copy / mutation.file
            path.write_text(path.read_text().replace(mutation.original, mutation.replacement, 1))
        return run_suite(copy, mutation, timeout_s)


def sim_imported_from_copy() -> bool:
    """Python started in a copy imports the copy's ``sim`` (not an installed one)."""
    with tempfile.TemporaryDirectory(prefix="mutation_check_") as tmp:
        copy = copy_repo(REPO, Path(tmp))
        done = subprocess.run(
            [sys.executable, "-c", "import sim; print(sim.__file__)"],
            cwd=copy,
            capture_output=True,
            text=True,
            check=True,
        )
        return Path(done.stdout.strip()).resolve().is_relative_to(copy.resolve())


def report(outcomes: list[Outcome], baseline: Outcome, command: str, total_s: float) -> str:
    caught = sum(o.caught for o in outcomes)
    at_import = sum(o.verdict == "crash at import" for o in outcomes)
    n = len(outcomes)
    lines = [
        "# Mutation check",
        "",
        f"**Score: {caught} of {n} mutations caught ({100 * caught / n:.0f}%)**"
        f"{f', {at_import} of them by a crash at import' if at_import else ''}; "
        "the baseline tests left out.",
        "",
        f"Command: `{command}` ({total_s / 60:.1f} min in all on a shared 2-core machine; the "
        f"unmutated copy passed the subset in {baseline.seconds:.0f} s: {baseline.detail}).",
        "",
        "Each mutation is applied alone to a temporary copy of the repository, and this subset "
        "of the suite is run there (stopping at the first failure):",
        "",
        f"    python {' '.join(pytest_command()[1:])}",
        "",
        "| # | mutation | file | plausible mistake | verdict | caught by | s |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, o in enumerate(outcomes, start=1):
        m = o.mutation
        assert m is not None
        by = o.caught_by.replace("tests/", "").replace("|", "\\|") or "-"
        verdict = {"passed": "**survived**", "timeout": "**timeout**"}.get(o.verdict, o.verdict)
        lines.append(
            f"| {k} | `{m.name}` | `{m.file}` | {m.description} | {verdict} | {by} "
            f"| {o.seconds:.0f} |"
        )
    lines += ["", "## The mutations", ""]
    for k, o in enumerate(outcomes, start=1):
        m = o.mutation
        assert m is not None
        lines += [
            f"{k}. `{m.name}` ({m.file}): {m.description}",
            f"   - original: `{m.original}`",
            f"   - mutated:  `{m.replacement}`",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown report")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these mutations")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per mutation")
    parser.add_argument("--list", action="store_true", help="check and list the mutations")
    args = parser.parse_args()

    try:
        check_mutations(MUTATIONS, REPO)
    except MutationListError as error:
        print(f"mutation_check: {error}", file=sys.stderr)
        return 2
    chosen = MUTATIONS
    if args.only:
        unknown = sorted(set(args.only) - {m.name for m in MUTATIONS})
        if unknown:
            print(f"mutation_check: unknown mutation(s): {', '.join(unknown)}", file=sys.stderr)
            return 2
        chosen = tuple(m for m in MUTATIONS if m.name in args.only)
    if args.list:
        for m in chosen:
            print(f"{m.name:34} {m.file:22} {m.description}")
        return 0

    started = time.perf_counter()
    if not sim_imported_from_copy():
        print("mutation_check: a copy of the repo does not import its own sim/", file=sys.stderr)
        return 2
    baseline = check_one(None, args.timeout)
    print(f"unmutated copy: {baseline.verdict} in {baseline.seconds:.0f} s ({baseline.detail})")
    if baseline.verdict != "passed":
        print(
            f"mutation_check: the unmutated copy does not pass the subset ({baseline.verdict}: "
            f"{baseline.caught_by or baseline.detail}); fix that first",
            file=sys.stderr,
        )
        return 1
    outcomes = []
    for k, m in enumerate(chosen, start=1):
        outcome = check_one(m, args.timeout)
        outcomes.append(outcome)
        print(
            f"[{k}/{len(chosen)}] {m.name}: {outcome.verdict} in {outcome.seconds:.0f} s"
            f"{f' by {outcome.caught_by}' if outcome.caught_by else ''}",
            flush=True,
        )
    total_s = time.perf_counter() - started
    command = "python benchmarks/mutation_check.py " + " ".join(sys.argv[1:])
    text = report(outcomes, baseline, command.strip(), total_s)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(args.out.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(args.out)
    caught = sum(o.caught for o in outcomes)
    print(f"score: {caught}/{len(outcomes)} caught; report in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
