"""The outcome catalogue (sim/outcomes.py) is the one list of output columns: every column a run
writes is declared there with a unit and a meaning, and the recorder takes values by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import outcomes as o
from sim.civilians import CivilianState
from sim.outputs import write_run
from sim.recorder import QUANTITIES, Recorder


def declared(catalogue: o.Catalogue, column: str) -> o.Outcome:
    """The outcome a column belongs to: its own name, or a family's ``<prefix>_<member>``."""
    if column in catalogue and catalogue[column].per is None:
        return catalogue[column]
    families = [x for x in catalogue if x.per is not None and column.startswith(f"{x.name}_")]
    assert families, f"expected {column!r} of {catalogue.file} to be declared in sim/outcomes.py"
    return max(families, key=lambda x: len(x.name))


@pytest.fixture(scope="module")
def tables(small_default_run, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """The reduced default run's timeseries.csv and districts.csv as written."""
    out = tmp_path_factory.mktemp("outcomes")
    write_run(small_default_run, out, plots=False)
    return {name: pd.read_csv(out / name) for name in ("timeseries.csv", "districts.csv")}


@pytest.mark.parametrize("catalogue", [o.TIMESERIES, o.DISTRICTS], ids=lambda c: c.file)
def test_every_column_written_is_declared_with_unit_and_meaning(tables, catalogue):
    columns = list(tables[catalogue.file].columns)
    for column in columns:
        outcome = declared(catalogue, column)
        assert isinstance(outcome.unit, o.Unit), f"expected a unit for {column}, got {outcome.unit}"
        assert outcome.meaning.endswith(".") and len(outcome.meaning.split()) >= 3, (
            f"expected a sentence saying what {column} means, got {outcome.meaning!r}"
        )
    singles = [x.name for x in catalogue if x.per is None]
    assert [c for c in columns if c in singles] == singles, (
        f"expected every declared non-family outcome of {catalogue.file}, in declared order"
    )


def test_the_columns_are_the_catalogue_expanded_for_the_run(tables, small_default_run):
    recorder = small_default_run.recorder
    expected = o.TIMESERIES.columns(recorder.members)
    assert list(tables["timeseries.csv"].columns) == expected, (
        "expected timeseries.csv's columns to be sim.outcomes.TIMESERIES for this run's members"
    )
    assert o.QUEUE.column("Wafideen") in expected, "expected a queue column for Wafideen"
    assert f"{o.FIGHTERS.name}_hts" in expected, "expected a fighters column for the HTS key"


def test_people_by_state_follow_civilian_states():
    assert [x.name for x in o.STATES] == [s.name.lower() for s in CivilianState], (
        "expected sim.outcomes.STATES in CivilianState order, one per state"
    )


def test_units_that_count_people_are_the_ones_a_population_scale_would_multiply():
    assert o.REMAINING.counts_people and o.CROSSED.counts_people, "expected people counted"
    assert not o.FIGHTERS.counts_people, "expected fighters (faction numbers) not to be people"
    assert not o.OVERCROWDING.counts_people, "expected a ratio not to be multiplied"
    assert all(x.counts_people for x in o.STATES), "expected people by state to count people"


def test_an_unknown_outcome_name_raises():
    with pytest.raises(KeyError, match=r"not an outcome of timeseries\.csv"):
        o.TIMESERIES["left_cum"]
    with pytest.raises(ValueError, match="not a family"):
        o.REMAINING.column("Douma")


def recorder() -> Recorder:
    return Recorder(2, ("a",), ("gate",), ("home",), {}, pd.Timestamp("2018-02-18"))


def test_record_names_a_missing_or_unknown_quantity():
    values = {q.name: 0 for q in QUANTITIES}
    with pytest.raises(TypeError, match=r"missing \['strikes'\], unknown \[\]"):
        recorder().record(0, **{k: v for k, v in values.items() if k != "strikes"})
    with pytest.raises(TypeError, match=r"missing \[\], unknown \['strikez'\]"):
        recorder().record(0, **values, strikez=1)
    rec = recorder()
    rec.record(0, **values | {"strikes": 7})
    assert rec.recorded("strikes").tolist() == [7], "expected the step's strikes stored by name"
    assert rec.timeseries()[o.STRIKES.name].tolist() == [7], "expected the column from it"
    assert np.isnan(rec.timeseries()[o.MEAN_WAIT_HOURS.column("gate")]).all(), (
        "expected no mean wait when nobody crossed"
    )
