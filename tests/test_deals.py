"""Negotiation, deals and buses on tiny maps, where who boards and how many trips are exact."""

from __future__ import annotations

import numpy as np

from sim import outcomes as o
from sim.buses import BusFleet
from sim.civilians import CivilianState, ExitRoute
from sim.params import BusFleetParams
from tests.conftest import run_model, strip_map, tiny_config
from tests.test_factions import two_faction_map

# Terms are offered at once (pocket share 1, morale 0.4 < 0.5) and accepted at the first
# answer; fighters' families (one household of one person per fighter) take the bus,
# everyone else stays.
CERTAIN_DEAL = {
    "talks_max_pocket_share": 1.0,
    "negotiation_morale_threshold": 0.5,
    "negotiation_cohesion_threshold": 0.0,
    "acceptance_rate_per_day": 1e9,
    "first_bus_delay_hours": 2,
    "fighter_households_per_fighter": 1.0,
    "bus_logit": -50.0,
    "bus_affiliation_logit": 100.0,
    "shelter_logit": -50.0,
    "fear_logit": 0.0,
}
SMALL_FLEET = {"buses": 2, "seats_per_bus": 4, "round_trip_hours": 3}


def deal_config(deals: dict | None = None, days: int = 1, **sections: dict):
    return tiny_config(
        days=days,
        factions={"a": {"name": "A", "fighters": 10, "cohesion": 0.5, "morale_initial": 0.4}},
        deals={**CERTAIN_DEAL, **(deals or {})},
        bus_fleet=SMALL_FLEET,
        **sections,
    )


def test_a_deal_buses_fighters_then_families_in_exact_trips():
    # 30 people on the first cell, 10 of them fighters' families: 10 fighters + 10 civilians
    # = 20 passengers = 5 bus trips of 4 seats. Talks at hour 0, agreement at hour 1, buses
    # from hour 3; 2 buses back every 3 hours: 8 fighters at 3, 2 + 6 civilians at 6, 4 at 9.
    model = run_model(deal_config(), strip_map(3, 30))
    ts = model.recorder.timeseries()
    civ = model.civilians

    bussed = civ.state == CivilianState.BUSSED_NORTH
    assert bussed.sum() == 10, f"expected the 10 fighters' relatives bussed, got {bussed.sum()}"
    assert np.array_equal(bussed, civ.affiliation == 1), "expected exactly the families on buses"
    stayed = civ.exit_route == ExitRoute.STAYED
    assert stayed.sum() == 20, f"expected 20 to stay and pass under government, got {stayed.sum()}"

    fighters = ts[o.BUSSED_NORTH_FIGHTERS_CUM.name].tolist()[:10]
    assert fighters == [0, 0, 0, 8, 8, 8, 10, 10, 10, 10], f"fighters bussed by hour: {fighters}"
    civilians = ts[o.BUSSED_NORTH_CIVILIANS_CUM.name].tolist()[:10]
    assert civilians == [0, 0, 0, 0, 0, 0, 6, 6, 6, 10], f"civilians bussed by hour: {civilians}"
    waiting = ts[o.AWAITING_BUS.name].tolist()[:10]
    assert waiting == [0, 10, 10, 10, 10, 10, 4, 4, 4, 0], f"people awaiting a bus: {waiting}"
    on_road = ts[o.BUSES_ON_ROAD.name].tolist()[:13]
    assert on_road == [0, 0, 0, 2, 2, 2, 2, 2, 2, 1, 1, 1, 0], f"buses on the road: {on_road}"
    stage = ts[o.STAGE.column("a")].tolist()[:11]
    expected_stage = ["talking"] + ["evacuating"] * 8 + ["ended"] * 2
    assert stage == expected_stage, f"expected talks, ceasefire, then the end; got {stage}"
    assert ts[o.STAYED_UNDER_GOVERNMENT_CUM.name].iloc[9] == 20, "expected the hand-over at hour 9"

    events = model.events.table()
    rows = [(r.step, r.kind, r.detail) for r in events.itertuples() if r.kind != "crossing_closed"]
    assert rows == [
        (0, "talks_started", "morale 0.40, cohesion 0.50"),
        (
            1,
            "deal_agreed",
            "3 cells; fighters 10; civilians: 20 stay, 0 to shelters, 10 for the buses",
        ),
        (3, "bus_convoy", "2 buses: 8 fighters, 0 civilians"),
        (6, "bus_convoy", "2 buses: 2 fighters, 6 civilians"),
        (9, "bus_convoy", "1 bus: 0 fighters, 4 civilians"),
        (9, "deal_completed", "5 bus trips: 10 fighters, 10 civilians north"),
        (9, "pocket_ended", "deal; 3 cells"),
        (9, "town_captured", "from A"),
    ], f"unexpected event log: {rows}"
    assert model.factions[0].fighters == 0, "expected every fighter gone north"


def test_shelter_goers_leave_through_the_ceasefire_lines_at_once():
    model = run_model(
        deal_config({"shelter_logit": 50.0, "bus_affiliation_logit": 0.0}), strip_map(3, 30)
    )
    ts = model.recorder.timeseries()
    corridor = ts[o.LEFT_VIA_DEAL_CORRIDOR_CUM.name].tolist()[:3]
    assert corridor == [0, 30, 30], f"expected all 30 to leave for shelters at hour 1: {corridor}"
    assert ts[o.BUSSED_NORTH_CIVILIANS_CUM.name].iloc[-1] == 0, "expected no civilian on the buses"
    assert ts[o.BUSSED_NORTH_FIGHTERS_CUM.name].iloc[-1] == 10, "expected the 10 fighters bussed"


def test_a_ceasefire_stops_the_shelling_of_the_deal_cells():
    shelling = {"shelling_units": [{"name": "guns", "strikes_per_day": 2400.0}]}
    timeline = {"bombardment_start_day": 0, "ground_offensive_start_day": 99}
    model = run_model(
        deal_config({"first_bus_delay_hours": 100}, government=shelling, timeline=timeline),
        strip_map(3, 30),
    )
    # Shelling (phase 2) comes before the answer to terms (phase 3): hours 0 and 1 are shelled.
    strikes = model.recorder.timeseries()[o.STRIKES.name].to_numpy()
    assert (strikes[:2] > 0).all(), f"expected strikes until the deal: {strikes[:2]}"
    assert (strikes[2:] == 0).all(), f"expected no strikes under the ceasefire: {strikes[2:]}"


def test_unanswered_terms_lapse_into_refusal_and_are_offered_again_later():
    model = run_model(
        deal_config(
            {"acceptance_rate_per_day": 0.0, "talks_max_days": 0.25, "talks_retry_days": 0.25}
        ),
        strip_map(3, 30),
    )
    events = model.events.table()
    talks = events[events["kind"].isin(["talks_started", "deal_refused"])]
    got = list(zip(talks["step"], talks["kind"], strict=True))
    expected = [
        (0, "talks_started"),
        (6, "deal_refused"),
        (12, "talks_started"),
        (18, "deal_refused"),
    ]
    assert got == expected, f"expected 6-hour talks, refusals and a 6-hour wait, got {got}"
    assert "deal_agreed" not in model.events.kinds(), "expected no deal at acceptance rate 0"


EXCLUDED_B = {
    "a": {"name": "A", "fighters": 100, "cohesion": 0.5, "morale_initial": 0.4},
    "b": {"name": "B", "fighters": 40, "cohesion": 0.5, "excluded_from_ceasefire": True},
}


def test_a_faction_excluded_from_ceasefires_can_block_a_deal():
    config = tiny_config(
        factions=EXCLUDED_B,
        deals={
            **CERTAIN_DEAL,
            "excluded_presence_acceptance_multiplier": 0.0,
            "talks_max_days": 0.25,
        },
    )
    model = run_model(config, two_faction_map())
    kinds = model.events.kinds()
    assert "deal_agreed" not in kinds, "expected b's presence to block every deal"
    assert "deal_refused" in kinds, "expected the talks to lapse into refusal"
    talks = model.events.table().query("kind == 'talks_started'")
    assert set(talks["actor"]) == {"A"}, "expected terms offered only to A, never to excluded B"


def test_an_excluded_faction_alongside_joins_the_deal_and_its_fighters_board():
    config = tiny_config(factions=EXCLUDED_B, deals=CERTAIN_DEAL, bus_fleet=SMALL_FLEET)
    model = run_model(config, two_faction_map())
    agreed = model.events.table().query("kind == 'deal_agreed'")
    assert agreed["detail"].iloc[0].startswith("6 cells; fighters 100 + B 40;"), (
        f"expected B's touching cells and all 40 fighters in A's deal: {agreed['detail'].iloc[0]}"
    )
    ts = model.recorder.timeseries()
    assert ts[o.CEASEFIRE_CELLS.name].iloc[1] == 6, "expected a ceasefire on all six cells"


def test_the_fleet_sends_only_the_buses_needed_and_counts_them_back():
    fleet = BusFleet(BusFleetParams(buses=3, seats_per_bus=10, round_trip_hours=5))
    assert fleet.dispatch(0, 25) == [10, 10, 5], "expected three buses, the last one part-full"
    assert fleet.dispatch(1, 25) == [], "expected no free bus until the round trip is over"
    assert fleet.on_road(4) == 3 and fleet.on_road(5) == 0, "expected buses back at hour 5"
    assert fleet.dispatch(5, 8) == [8], "expected one bus for 8 people"
    assert fleet.trips == 4, f"expected 4 trips, got {fleet.trips}"


def test_a_faction_overrun_while_talking_is_defeated_not_dealt_with():
    # Talks from hour 0, unanswered until they lapse at hour 24: the hour the offensive of
    # day 1 takes the only cell.
    config = deal_config(
        {"acceptance_rate_per_day": 0.0, "talks_max_days": 1.0},
        days=2,
        government={
            "assault_groups": [
                {"name": "g", "fighters": 100000, "start": "gate", "objectives": ["home"]}
            ],
            "capture_rate_per_hour": 1000.0,
            "reach_m": 100.0,
        },
        timeline={"bombardment_start_day": 99, "ground_offensive_start_day": 1},
    )
    model = run_model(config, strip_map(1, 5))
    events = model.events.table()
    got = [(r.step, r.kind) for r in events.itertuples() if r.kind != "crossing_closed"]
    assert (0, "talks_started") in got, f"expected talks from hour 0: {got}"
    assert (24, "faction_defeated") in got, f"expected the faction defeated at hour 24: {got}"
    assert "deal_agreed" not in model.events.kinds(), "expected no deal for a faction overrun"
