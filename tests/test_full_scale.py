"""The default scenario at full scale: 393,000 agents, 55 days, every output written."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from sim import outcomes as o
from sim.outputs import write_run
from tests.conftest import compose_config, run_model

pytestmark = pytest.mark.slow


def test_default_scenario_runs_end_to_end_with_every_person_accounted_for(tmp_path):
    model = run_model(compose_config())  # checks conservation every step (check_invariants)
    assert model.civilians.n == 393_000, f"expected 393,000 agents, got {model.civilians.n}"
    summary = write_run(model, tmp_path)
    for name in ("timeseries.csv", "districts.csv", "events.csv", "summary.json", "config.yaml"):
        assert (tmp_path / name).stat().st_size > 0, f"expected a non-empty {name}"
    for figure in ("evacuation_curves.png", "factions.png", "logistics.png"):
        assert (tmp_path / figure).read_bytes()[:4] == b"\x89PNG", f"expected a PNG {figure}"
    assert json.loads((tmp_path / "summary.json").read_text()) == summary, "summary round-trips"

    ts = pd.read_csv(tmp_path / "timeseries.csv")
    assert len(ts) == 55 * 24, f"expected one row per hour of 55 days, got {len(ts)}"
    people = ts[[state.name for state in o.STATES]].sum(axis=1)
    assert (people == 393_000).all(), "expected 393,000 people in the states at every hour"
    assert summary["reception"]["peak_overcrowding_all_sites"] > 1, (
        "expected the 25,855 places to overflow, as they did in 2018"
    )
    final = summary["final"]
    assert final[o.LEFT_VIA_CROSSING_CUM.name] > 0, "expected people to use the Wafideen crossing"
    assert final[o.KILLED_CUM.name] > 0, "expected civilian deaths under bombardment"
    assert final[o.BUSSED_NORTH_CUM.name] > 0, "expected civilians bussed north under deals"
    assert summary["pocket_ends"], "expected every pocket's end in the summary"
    deals = [d for d in summary["deals"].values() if d["day_agreed"] is not None]
    assert deals, "expected at least one evacuation deal"
    steps = ts[o.BUSSED_NORTH_CUM.name].diff().fillna(0)
    assert (steps > 0).sum() < 0.2 * len(ts), "expected bussing in steps (convoys), not a flow"
    events = pd.read_csv(tmp_path / "events.csv")
    for kind in ("bombardment_begins", "ground_offensive_begins", "crossing_opened", "aid_convoy"):
        assert kind in set(events["kind"]), f"expected a {kind} event"
    districts = pd.read_csv(tmp_path / "districts.csv")
    assert districts[o.DISTRICT.name].nunique() == 23, "expected all 23 towns in districts.csv"
