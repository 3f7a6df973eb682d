"""Sensitivity analysis: parameters with bounds, the Sobol design, and the indices."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from configs.schema import compose_config
from experiments.sensitivity import Parameter, Problem, design, indices, load_problem
from sim import outcomes as o
from sim.declared import parameter
from sim.params import ConfigError, SimConfig

ROOT = Path(__file__).resolve().parents[1]

PROBLEM = Problem(
    parameters=(
        Parameter("factions.hts.cohesion", 0.2, 0.8),
        Parameter("bus_fleet.buses", 10, 100, integer=True),
        Parameter("deals.fear_logit", 0.0, 4.0),
    ),
    outcome="final.bussed_north_cum",
)


@pytest.fixture(scope="module")
def default_config() -> SimConfig:
    return compose_config()


def problem_file(tmp_path: Path, *parameters: str) -> Path:
    path = tmp_path / "problem.yaml"
    path.write_text("outcome: x\nparameters:\n" + "".join(f"  - {p}\n" for p in parameters))
    return path


def test_parameters_refuse_bad_bounds_naming_the_parameter():
    with pytest.raises(ConfigError, match=r"^bus_fleet.buses: bounds"):
        Parameter("bus_fleet.buses", 100, 10)
    with pytest.raises(ConfigError, match=r"^parameters: a name is listed twice"):
        Problem((Parameter("a", 0, 1), Parameter("a", 0, 2)), "x")


def test_a_problem_file_with_an_unknown_key_is_refused(tmp_path, default_config):
    path = problem_file(tmp_path, "{name: a, low: 0, high: 1, hgih: 2}")
    with pytest.raises(ConfigError, match=r"^parameters\[0\].hgih: unknown key"):
        load_problem(path, default_config)


def test_the_problem_files_load_within_the_declared_bounds(default_config):
    for path in sorted((ROOT / "experiments" / "problems").glob("*.yaml")):
        if "outcome" not in yaml.safe_load(path.read_text(encoding="utf-8")):
            continue  # a calibration problem (tests/test_calibrate.py)
        problem = load_problem(path, default_config)
        for p in problem.parameters:
            declared = parameter(default_config, p.key)
            assert declared.low <= p.low < p.high <= declared.high, (
                f"expected {p.key} of {path.name} within the declared [{declared.low}, "
                f"{declared.high}], got [{p.low}, {p.high}]"
            )
            assert p.unit and p.meaning, f"expected {p.key} to carry its declaration"


def test_bounds_default_to_the_declared_ones_and_may_be_narrower(tmp_path, default_config):
    path = problem_file(
        tmp_path,
        "deals.fear_logit",
        "{name: bus_fleet.buses, low: 20}",
        "{name: factions.hts.cohesion, low: 0.3, high: 0.6}",
    )
    fear, buses, cohesion = load_problem(path, default_config).parameters
    assert (fear.low, fear.high, fear.unit) == (0.0, 5.0, "logit"), f"declared, got {fear}"
    assert (buses.low, buses.high, buses.integer) == (20, 500, True), f"got {buses}"
    assert (cohesion.low, cohesion.high) == (0.3, 0.6), f"expected narrower bounds: {cohesion}"


def test_bounds_outside_the_declared_range_are_refused_by_name(tmp_path, default_config):
    path = problem_file(tmp_path, "deals.fear_logit", "{name: bus_fleet.buses, low: 5, high: 50}")
    with pytest.raises(ConfigError, match=r"^bus_fleet.buses: bounds \[5, 50\] go outside"):
        load_problem(path, default_config)
    path = problem_file(tmp_path, "deals.fear_logit", "{name: bus_fleet.buses, integer: false}")
    with pytest.raises(ConfigError, match=r"^bus_fleet.buses: integer: False contradicts"):
        load_problem(path, default_config)


def test_an_undeclared_key_needs_bounds_and_an_unknown_key_is_refused(tmp_path, default_config):
    path = problem_file(tmp_path, "deals.fear_logit", "days")
    with pytest.raises(ConfigError, match=r"^days: no declared bounds .*give low and high"):
        load_problem(path, default_config)
    path = problem_file(tmp_path, "deals.fear_logit", "{name: days, low: 20}")
    with pytest.raises(ConfigError, match=r"^days: no declared bounds"):
        load_problem(path, default_config)
    path = problem_file(tmp_path, "deals.fear_logit", "{name: days, low: 20, high: 55}")
    days = load_problem(path, default_config).parameters[1]
    assert (days.low, days.high, days.integer, days.value) == (20, 55, True, 55), f"got {days}"
    path = problem_file(tmp_path, "deals.fear_logti", "days")
    with pytest.raises(ConfigError, match=r"^deals.fear_logti: not a config key; did you mean"):
        load_problem(path, default_config)
    path = problem_file(tmp_path, "deals.fear_logit", "{name: scenario_name, low: 0, high: 1}")
    with pytest.raises(ConfigError, match=r"^scenario_name: not a number"):
        load_problem(path, default_config)


def test_the_design_has_a_b_and_one_mixed_block_per_parameter_within_bounds():
    table = design(PROBLEM, n=8, seed=0)
    assert len(table) == 8 * (3 + 2), f"expected n(d + 2) = 40 rows, got {len(table)}"
    blocks = table.groupby("block", sort=False)
    a = blocks.get_group("A").reset_index(drop=True)
    b = blocks.get_group("B").reset_index(drop=True)
    for p in PROBLEM.parameters:
        values = table[p.key]
        assert values.between(p.low, p.high).all(), f"expected {p.key} within its bounds"
        mixed = blocks.get_group(p.key).reset_index(drop=True)
        others = [q.key for q in PROBLEM.parameters if q is not p]
        assert mixed[p.key].equals(b[p.key]), f"expected {p.key} taken from B"
        assert mixed[others].equals(a[others]), f"expected the rest of AB_{p.key} from A"
    assert (table["bus_fleet.buses"] == table["bus_fleet.buses"].round()).all(), "integers"


@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")
def test_indices_find_the_one_parameter_that_matters():
    # Bootstrap intervals of the two zero indices are degenerate (scipy warns; they are NaN).
    # Outcome = 1000 x HTS cohesion: all variance from the first parameter.
    table = design(PROBLEM, n=64, seed=1)
    runs = pd.DataFrame(
        {
            "status": "complete",
            "sample.index": table["sample"],
            f"final.{o.BUSSED_NORTH_CUM.name}": 1000 * table["factions.hts.cohesion"],
        }
    )
    result = indices(PROBLEM, table, runs).set_index("parameter")
    assert result.loc["factions.hts.cohesion", "first_order"] == pytest.approx(1.0, abs=0.05), (
        f"expected a first-order index near 1, got {result['first_order'].to_dict()}"
    )
    for name in ("bus_fleet.buses", "deals.fear_logit"):
        assert abs(result.loc[name, "total"]) < 0.01, f"expected {name} to explain nothing"
    low, high = result.loc["factions.hts.cohesion", ["total_low", "total_high"]]
    assert np.isfinite([low, high]).all() and low <= 1.0 <= high + 0.05, (
        f"expected a bootstrap interval around 1 for HTS cohesion, got [{low}, {high}]"
    )


def test_indices_refuse_an_incomplete_design():
    table = design(PROBLEM, n=4, seed=0)
    runs = pd.DataFrame(
        {
            "status": "complete",
            "sample.index": table["sample"][:-1],
            f"final.{o.BUSSED_NORTH_CUM.name}": 1,
        }
    )
    with pytest.raises(RuntimeError, match="1 runs of the design are not complete"):
        indices(PROBLEM, table, runs)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")
def test_a_small_study_runs_end_to_end_through_the_launcher(tmp_path):
    from experiments.sensitivity import main
    from tests.conftest import SMALL

    problem = tmp_path / "problem.yaml"
    problem.write_text(
        "outcome: final.killed_cum\n"
        "parameters:\n"
        "  - {name: government.lethality_per_strike, low: 0.001, high: 0.02}\n"
        "  - {name: bus_fleet.buses, low: 20, high: 400, integer: true}\n"
    )
    out = main([str(problem), "--n", "4", "--out", str(tmp_path / "study"), *SMALL, "days=5"])
    result = pd.read_csv(out / "sobol_indices.csv").set_index("parameter")
    assert len(pd.read_csv(out / "runs.csv")) == 4 * (2 + 2), "expected n(d + 2) = 16 runs"
    lethality = result.loc["government.lethality_per_strike", "total"]
    fleet = result.loc["bus_fleet.buses", "total"]
    assert lethality > fleet, f"expected deaths to hinge on lethality, not buses: {result}"
    assert (out / "sobol_indices.png").read_bytes()[:4] == b"\x89PNG", "expected the bar chart"


def test_a_design_row_sets_its_keys_and_an_unknown_key_is_refused_by_name(tmp_path):
    from configs.schema import apply_sample, config_from_hydra
    from tests.test_config import compose_raw

    good = tmp_path / "good.csv"
    good.write_text("sample,block,bus_fleet.buses,deals.fear_logit\n0,A,7,1.5\n1,B,9,2.5\n")
    cfg = compose_raw(f"sample.file={good}", "sample.index=1")
    apply_sample(cfg)
    config, _ = config_from_hydra(cfg)
    assert (config.bus_fleet.buses, config.deals.fear_logit) == (9, 2.5), "expected row 1"

    bad = tmp_path / "bad.csv"
    bad.write_text("sample,bus_fleet.bsues\n0,7\n")
    cfg = compose_raw(f"sample.file={bad}", "sample.index=0")
    with pytest.raises(ConfigError, match=r"^bus_fleet.bsues: not a config key"):
        apply_sample(cfg)


@pytest.mark.slow
def test_a_study_with_failed_runs_names_them_and_computes_no_index(tmp_path):
    from experiments.sensitivity import main
    from tests.conftest import SMALL

    problem = tmp_path / "problem.yaml"
    # grid.margin_m has no declared range, so the problem's own bounds stand; negative margins
    # are refused when a run's config is validated: some runs of the design fail.
    problem.write_text(
        "outcome: final.killed_cum\n"
        "parameters:\n"
        "  - {name: government.lethality_per_strike, low: 0.001, high: 0.02}\n"
        "  - {name: grid.margin_m, low: -2000, high: 2000}\n"
    )
    out = tmp_path / "study"
    with pytest.raises(SystemExit, match=r"^Sobol indices not computed: \d+ of 8 runs") as err:
        main([str(problem), "--n", "2", "--out", str(out), *SMALL, "days=1"])
    assert "sample_" in str(err.value) and "invalid config: grid.margin_m" in str(err.value), (
        f"expected each failed run named with its error: {err.value}"
    )
    assert not (out / "sobol_indices.csv").exists(), "expected no indices from a partial design"
