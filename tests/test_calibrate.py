"""Calibration: the problem file, the loss, recovering a known parameter, resuming, failures."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from configs.schema import compose_config
from experiments import calibrate as cal
from experiments.calibration_report import scenario_yaml
from experiments.loss import LossSettings, loss, target_table, used_targets
from sim import outcomes as o
from sim.model import SiegeModel
from sim.params import ConfigError
from sim.tables import CalibrationTarget, load_calibration_targets
from sim.validation import validate

ROOT = Path(__file__).resolve().parents[1]

TINY = ("people_per_agent=200", "grid.cell_size_m=400", "days=6", "output.plots=false")
"""The Ghouta map at 1/200 on 400 m cells for 6 days: about half a second a run, and deaths
from day 0 on, proportional to the lethality of a strike."""

LETHALITY = "government.lethality_per_strike"

SEQUENTIAL = ("hydra.launcher.n_jobs=1",)
"""The tests' runs one after another in the sweep's process: tiny runs take less time than
starting parallel workers (and the machine is shared)."""


def write_problem(tmp_path: Path, text: str, name: str = "problem.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def write_targets(path: Path, rows: list[tuple[int, str, float, float, float]]) -> Path:
    lines = ["date,day,quantity,value,low,high,source,notes"]
    for day, quantity, value, low, high in rows:
        date = (pd.Timestamp("2018-02-18") + pd.Timedelta(days=day)).date()
        lines.append(f"{date},{day},{quantity},{value!r},{low!r},{high!r},test,made by the test")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


MINIMAL = "parameters: [{}]\nseeds: [0]\ntrials: 2\nbatch: 1\n"


# --- the problem file -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MINIMAL.format(LETHALITY) + "trails: 3\n", r"^trails: unknown key in .*problem.yaml"),
        (
            MINIMAL.format(f"{{name: {LETHALITY}, hgih: 1}}"),
            r"^parameters\[0\].hgih: unknown key in",
        ),
        (MINIMAL.format(LETHALITY) + "loss: {eror: log_ratio}\n", r"^loss.eror: unknown key in"),
        (
            MINIMAL.format(f"{{name: {LETHALITY}, low: 0.0001}}"),
            rf"^{LETHALITY}: bounds \[0.0001, 0.05\] go outside the declared range",
        ),
        (MINIMAL.format("population.mean_household_size"), r"^population.mean_household_size: no"),
        (MINIMAL.format("government.lethality_per_strke"), r"not a config key; did you mean"),
        (MINIMAL.format(LETHALITY) + "overrides: [seed=3]\n", r"^overrides: seed is set by"),
        (
            MINIMAL.format(LETHALITY) + f"overrides: [{LETHALITY}=0.1]\n",
            rf"^overrides: {LETHALITY} is a free parameter",
        ),
        (MINIMAL.format(LETHALITY) + "overrides: [dayz=3]\n", r"^overrides: .*dayz"),
        (MINIMAL.format(LETHALITY).replace("batch: 1", "batch: 0"), r"^batch: must be an integer"),
        (MINIMAL.format(LETHALITY).replace("[0]", "[0, 0]"), r"^seeds: a non-empty list of dis"),
        (MINIMAL.format(LETHALITY) + "loss: {error: squares}\n", r"^loss.error: must be one of"),
        (
            MINIMAL.format("{name: deals.fear_logit, log: true}"),
            r"^deals.fear_logit: log: true needs a positive low bound",
        ),
        ("parameters: [deals.fear_logit]\ntrials: 2\nbatch: 1\n", r"^seeds: missing in"),
    ],
)
def test_a_bad_problem_file_is_refused_by_name(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        cal.load_problem(write_problem(tmp_path, text))


def test_a_problem_takes_declared_bounds_narrower_ones_and_undeclared_keys_with_bounds(tmp_path):
    text = (
        "parameters:\n"
        f"  - {{name: {LETHALITY}, log: true}}\n"
        "  - {name: bus_fleet.buses, low: 20}\n"
        "  - {name: population.mean_household_size, low: 3, high: 7}\n"
        "seeds: [4, 5]\ntrials: 3\nbatch: 2\noverrides: [days=9]\ntargets: t.csv\n"
    )
    problem, config = cal.load_problem(write_problem(tmp_path, text), ("people_per_agent=10",))
    lethality, buses, household = problem.parameters
    assert (lethality.parameter.low, lethality.parameter.high, lethality.log) == (0.001, 0.05, True)
    assert lethality.parameter.unit == "probability", f"expected the declared unit: {lethality}"
    assert (buses.parameter.low, buses.parameter.high, buses.parameter.integer) == (20, 500, True)
    assert (household.parameter.low, household.parameter.high) == (3, 7), f"got {household}"
    assert problem.seeds == (4, 5) and problem.overrides == ("days=9",), f"got {problem}"
    assert problem.targets == tmp_path / "t.csv", "expected targets relative to the problem file"
    assert (config.days, config.people_per_agent) == (9, 10), "expected file + command line"
    assert problem.loss == LossSettings(), "expected the default loss"


def test_the_example_problems_load_within_declared_bounds_and_use_some_targets():
    for path in sorted((ROOT / "experiments" / "problems").glob("*.yaml")):
        if "seeds" not in path.read_text(encoding="utf-8"):
            continue  # a sensitivity problem
        problem, config = cal.load_problem(path)
        assert 4 <= len(problem.parameters) <= 6, f"expected a small free set in {path.name}"
        for p in problem.parameters:
            assert p.parameter.declared, f"expected {p.key} of {path.name} to be declared"
        used = used_targets(load_calibration_targets(), config.days, problem.loss)
        assert sum(used) >= len(problem.parameters), (
            f"expected at least as many targets as free parameters in {path.name}: {used}"
        )


# --- the loss ---------------------------------------------------------------------------------


def hourly(hours: int, **columns: dict[int, float]) -> pd.DataFrame:
    """A timeseries of ``hours`` rows; each column steps to the given value at the given hour."""
    names = (
        o.LEFT_ENCLAVE_CUM.name,
        o.TO_GOVERNMENT_SHELTERS_CUM.name,
        o.BUSSED_NORTH_CUM.name,
        o.KILLED_CUM.name,
    )
    ts = pd.DataFrame(0.0, index=range(hours), columns=list(names))
    for name, steps in columns.items():
        for hour, value in steps.items():
            ts.loc[hour:, name] = value
    return ts


TARGETS = (
    CalibrationTarget(0, "cumulative_left_enclave", 100.0, 90.0, 110.0, "test"),
    CalibrationTarget(1, "civilian_deaths_campaign_total", 10.0, 5.0, 15.0, "test"),
    CalibrationTarget(3, "cumulative_bussed_north", 50.0, 50.0, 50.0, "test"),  # after the run
)
START = pd.Timestamp("2018-02-18")


def two_seeds(killed_a: float = 0.0, killed_b: float = 10.0) -> list[pd.DataFrame]:
    """Two runs of two days: left 200 and 100 by the end of day 0, killed 0 and 10 by the end
    of day 1, 40 and 60 bussed north at the end (so the means are 150, 5 and 50)."""
    a = hourly(48, left_enclave_cum={20: 200}, killed_cum={40: killed_a}, bussed_north_cum={47: 40})
    b = hourly(48, left_enclave_cum={5: 100}, killed_cum={30: killed_b}, bussed_north_cum={47: 60})
    return [validate(ts, TARGETS, START) for ts in (a, b)]


def test_the_log_ratio_loss_on_a_hand_made_table():
    settings = LossSettings()
    used = used_targets(TARGETS, days=2, settings=settings)
    assert used == [True, True, False], f"expected the day-3 target left out: {used}"
    table = target_table(two_seeds(), TARGETS, used, settings)
    assert table["model_mean"].tolist() == [150.0, 5.0, 50.0], f"got {table['model_mean']}"
    assert table["model_min"].tolist() == [100.0, 0.0, 40.0], f"got {table['model_min']}"
    assert table["compared_at"].tolist() == ["day end", "day end", "run end"]
    expected = (math.log(1.5) ** 2 + math.log(0.5) ** 2) / 2
    assert loss(table) == pytest.approx(expected, rel=1e-12), f"expected {expected}"
    assert loss(table) == pytest.approx(0.3224275, abs=1e-7), "expected 0.3224275"

    every = LossSettings(include_targets_after_run_end=True)
    table = target_table(two_seeds(), TARGETS, used_targets(TARGETS, 2, every), every)
    assert table["error"].iloc[2] == 0.0, "expected the final value 50 on the target 50"
    assert loss(table) == pytest.approx(2 * expected / 3, rel=1e-12), "expected a third term 0"


def test_a_model_value_of_zero_costs_the_floor_not_infinity():
    settings = LossSettings(zero_floor_share=0.01)
    table = target_table(two_seeds(killed_b=0.0), TARGETS, [True, True, False], settings)
    assert table["error"].iloc[1] == pytest.approx(math.log(0.01)), f"got {table['error']}"
    expected = (math.log(1.5) ** 2 + math.log(0.01) ** 2) / 2
    assert loss(table) == pytest.approx(expected, rel=1e-12), f"expected {expected}"


def test_the_per_run_loss_counts_the_spread_between_seeds():
    # Left the enclave: runs 200 and 100 on the target 100, errors ln 2 and 0 (their mean,
    # 150, has ln 1.5); killed: runs 10 and 0 on the target 10, errors 0 and ln 0.01 (the
    # floor). Each target keeps the root mean square of its runs' errors.
    settings = LossSettings(per_run=True)
    table = target_table(two_seeds(), TARGETS, [True, True, False], settings)
    expected = [math.log(2) / math.sqrt(2), -math.log(0.01) / math.sqrt(2)]
    assert table["error"].iloc[:2].tolist() == pytest.approx(expected, rel=1e-12), (
        f"expected the runs' root mean square errors {expected}, got {table['error'].tolist()}"
    )
    per_run = loss(table)
    want = (math.log(2) ** 2 + math.log(0.01) ** 2) / 4
    assert per_run == pytest.approx(want, rel=1e-12), f"expected the mean square {want}"
    of_mean = loss(target_table(two_seeds(), TARGETS, [True, True, False], LossSettings()))
    assert per_run > of_mean, f"expected the spread to cost more: {per_run} vs {of_mean}"
    same = [validate(hourly(48, left_enclave_cum={20: 150}), TARGETS, START)] * 2
    for kind in (True, False):
        table = target_table(same, TARGETS, [True, False, False], LossSettings(per_run=kind))
        assert loss(table) == pytest.approx(math.log(1.5) ** 2, rel=1e-12), (
            f"expected runs that agree to cost the same either way (per_run={kind})"
        )


def test_the_scaled_difference_loss_on_a_hand_made_table():
    settings = LossSettings(error="scaled_difference", spread_floor_share=0.1)
    table = target_table(two_seeds(), TARGETS, [True, True, False], settings)
    # left: spread max(10, 10) -> (150 - 100) / 10 = 5; killed: max(5, 1) -> (5 - 10) / 5 = -1
    assert table["error"].iloc[:2].tolist() == [5.0, -1.0], f"got {table['error']}"
    assert loss(table) == 13.0, "expected (25 + 1) / 2"
    table = target_table(two_seeds(), TARGETS, [True, True, True], settings)
    assert loss(table) == pytest.approx(26 / 3), "expected the bussed target (spread 5) at 0"


def test_a_loss_with_no_target_within_the_run_is_refused():
    with pytest.raises(ConfigError, match=r"^loss.include_targets_after_run_end: no target"):
        used_targets(TARGETS[2:], days=2, settings=LossSettings())
    zero = (CalibrationTarget(0, "cumulative_bussed_north", 0.0, 0.0, 10.0, "test"),)
    with pytest.raises(ConfigError, match=r"log_ratio needs positive targets"):
        used_targets(zero, days=2, settings=LossSettings())


def test_best_yaml_nests_keys_as_in_a_scenario_file():
    text = scenario_yaml({"a.b": 1.5, "a.c": 2, "crossings.0.x": 3.0}, ["header"])
    assert text.startswith("# header\n"), f"expected the header first: {text}"
    assert "a:\n  b: 1.5\n  c: 2\n" in text, f"expected nested keys: {text}"
    assert "crossings.0.x" in text.split("a:")[0], "expected a list item named in a comment"


# --- searches through the launcher ------------------------------------------------------------


def deaths_by_day(overrides: tuple[str, ...], day: int) -> float:
    model = SiegeModel(compose_config(*overrides))
    model.run()
    return float(model.recorder.timeseries()[o.KILLED_CUM.name].iloc[day * 24 + 23])


def summary_times(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.glob("batches/*/trial_*/summary.json")}


@pytest.mark.slow
def test_a_search_recovers_a_known_lethality_and_a_rerun_resumes_it(tmp_path):
    # Synthetic targets: the model's own deaths by day 5 at a known lethality, mean of seeds 0
    # and 1. With the same seeds (common random numbers), the loss is 0 at the truth. Deaths
    # grow about in proportion to the lethality. 12 candidates (6 random, then 6 from TPE)
    # over a factor of 50 on a log scale: an even grid of 12 would come within +-18% of any
    # value, hence a tolerance of 25% (the search is seeded: the same candidates every time).
    truth, seeds, day = 0.01, (0, 1), 5
    at_truth = (*TINY, f"{LETHALITY}={truth}")
    value = sum(deaths_by_day((*at_truth, f"seed={s}"), day) for s in seeds) / len(seeds)
    targets = write_targets(
        tmp_path / "targets.csv", [(day, "civilian_deaths_campaign_total", value, value, value)]
    )
    problem = write_problem(
        tmp_path,
        f"parameters: [{{name: {LETHALITY}, log: true}}]\n"  # 0.001 to 0.05, a factor of 50
        f"seeds: {list(seeds)}\noverrides: {list(TINY)}\ntargets: {targets.name}\n"
        "trials: 6\nbatch: 6\nstartup_trials: 6\nsampler_seed: 0\n",
    )
    out = tmp_path / "calibration"
    cal.main([str(problem), "--out", str(out), *SEQUENTIAL])  # 6 random candidates
    first = pd.read_csv(out / "trials.csv")
    assert len(first) == 6 and (first["state"] == "complete").all(), f"got\n{first}"
    runs_before = summary_times(out)
    assert len(runs_before) == 6 * len(seeds), f"expected 12 runs, got {len(runs_before)}"

    cal.main([str(problem), "--out", str(out), "--trials", "12", *SEQUENTIAL])  # 6 from TPE
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 12, f"expected the study to grow to 12 trials, got {len(trials)}"
    pd.testing.assert_frame_equal(trials.iloc[:6], first, obj="the first 6 trials")
    runs_after = summary_times(out)
    assert {k: runs_after[k] for k in runs_before} == runs_before, "expected no run redone"
    assert len(runs_after) == 12 * len(seeds), "expected only the 6 new candidates to run"

    best = trials.loc[trials["loss"].idxmin()]
    recovered = float(best[LETHALITY])
    assert abs(math.log(recovered / truth)) < math.log(1.25), (
        f"expected the lethality within 25% of {truth}, got {recovered} (trials:\n{trials})"
    )
    assert best["loss"] < 0.02, f"expected a loss under 0.02 (deaths within ~15%), got {best}"
    table = pd.read_csv(out / "best_targets.csv")
    assert table["used_in_loss"].all() and abs(table["relative_difference"].iloc[0]) < 0.15
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"| `{LETHALITY}` | {recovered:.6g} | probability |" in report, report
    assert "12 of 12 (12 complete, 0 failed" in report, report
    assert (out / "calibration_curves.png").read_bytes()[:4] == b"\x89PNG", "expected the figure"
    assert f"lethality_per_strike: {recovered!r}" in (out / "best.yaml").read_text()


@pytest.mark.slow
def test_a_failed_candidate_is_reported_and_excluded_and_the_search_goes_on(tmp_path):
    # Household size is undeclared, so the file gives its bounds; below 1 the config is
    # refused (ConfigError in run.py): those candidates' runs fail.
    targets = write_targets(tmp_path / "t.csv", [(0, "civilian_deaths_campaign_total", 50, 0, 99)])
    problem = write_problem(
        tmp_path,
        "parameters: [{name: population.mean_household_size, low: 0.5, high: 6}]\n"
        f"seeds: [0]\noverrides: [{', '.join(TINY[:2])}, days=1]\ntargets: {targets.name}\n"
        "trials: 3\nbatch: 3\n",
    )
    loaded, _ = cal.load_problem(problem)
    out = tmp_path / "calibration"
    study = cal.open_study(out, cal.identity(loaded, (), load_calibration_targets(targets)))
    for size in (0.5, 3.0, 0.8):
        study.enqueue_trial({"population.mean_household_size": size})
    cal.main([str(problem), "--out", str(out), *SEQUENTIAL])
    trials = pd.read_csv(out / "trials.csv", keep_default_na=False)
    assert trials["state"].tolist() == ["fail", "complete", "fail"], f"got\n{trials}"
    assert trials["error"].iloc[0].startswith("seed 0: failed (invalid config: population."), (
        f"expected the run's error in trials.csv: {trials['error'].iloc[0]}"
    )
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "3 of 3 (1 complete, 2 failed" in report and "- trial 2: seed 0: failed" in report, (
        report
    )
    assert "## Best candidate: trial 1," in report, "expected the one complete trial as the best"


@pytest.mark.slow
def test_an_interrupted_batch_is_finished_on_resume_not_asked_again(tmp_path, monkeypatch):
    targets = write_targets(tmp_path / "t.csv", [(0, "civilian_deaths_campaign_total", 50, 0, 99)])
    problem = write_problem(
        tmp_path,
        f"parameters: [{LETHALITY}]\nseeds: [0]\n"
        f"overrides: [{', '.join(TINY[:2])}, days=1]\ntargets: {targets.name}\n"
        "trials: 2\nbatch: 2\n",
    )
    out = tmp_path / "calibration"

    def stopped(*args, **kwargs):
        raise SystemExit("stopped (as by a killed session)")

    launch = cal.launch
    monkeypatch.setattr(cal, "launch", stopped)
    with pytest.raises(SystemExit, match="stopped"):
        cal.main([str(problem), "--out", str(out), *SEQUENTIAL])
    monkeypatch.setattr(cal, "launch", launch)
    study = cal.open_study(
        out, cal.identity(cal.load_problem(problem)[0], (), load_calibration_targets(targets))
    )
    asked = {t.number: t.params for t in study.get_trials()}
    assert len(asked) == 2 and all(t.state.name == "RUNNING" for t in study.get_trials()), (
        f"expected two candidates asked, none told: {study.get_trials()}"
    )
    cal.main([str(problem), "--out", str(out), *SEQUENTIAL])
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 2 and (trials["state"] == "complete").all(), f"got\n{trials}"
    assert {r.trial: {LETHALITY: r[LETHALITY]} for _, r in trials.iterrows()} == asked, (
        "expected the interrupted candidates evaluated, not new ones"
    )


def test_a_rerun_with_another_problem_in_the_same_folder_is_refused(tmp_path):
    problem, _ = cal.load_problem(write_problem(tmp_path, MINIMAL.format(LETHALITY)))
    targets = load_calibration_targets()
    cal.open_study(tmp_path / "out", cal.identity(problem, (), targets))
    cal.open_study(tmp_path / "out", cal.identity(replace(problem, trials=9), (), targets))
    with pytest.raises(ConfigError, match=r"of another problem \(seeds differ\)"):
        cal.open_study(tmp_path / "out", cal.identity(replace(problem, seeds=(0, 1)), (), targets))
    with pytest.raises(ConfigError, match=r"another problem \(overrides differ\)"):
        cal.open_study(tmp_path / "out", cal.identity(problem, ("days=3",), targets))


def test_the_candidates_depend_only_on_the_problem_and_the_history(tmp_path):
    # Two studies told the same losses ask the same candidates (a seeded sampler per batch),
    # so a search interrupted between batches goes on as if it never stopped.
    problem, _ = cal.load_problem(write_problem(tmp_path, MINIMAL.format(LETHALITY)))
    targets = load_calibration_targets()
    asked = []
    for name in ("a", "b"):
        folder = tmp_path / name
        cal.open_study(folder, cal.identity(problem, (), targets))
        numbers = []
        for batch in range(3):
            study = cal.seeded_study(folder, problem, len(numbers))
            for _ in range(2):
                trial = study.ask(problem.distributions())
                numbers.append(trial.params[LETHALITY])
                study.tell(trial.number, abs(math.log(trial.params[LETHALITY] / 0.01)) + batch)
        asked.append(numbers)
    assert asked[0] == asked[1], f"expected the same candidates in both studies: {asked}"
    assert len(set(asked[0])) == 6, f"expected six different candidates: {asked[0]}"
