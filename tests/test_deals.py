"""Negotiation, deals, buses and corridors on tiny maps, where who leaves when is exact."""

from __future__ import annotations

import numpy as np

from sim import outcomes as o
from sim.buses import BusFleet
from sim.civilians import CivilianState, ExitRoute
from sim.deals import Deal
from sim.geography import Geography
from sim.model import SiegeModel
from sim.params import BusFleetParams
from tests.conftest import run_model, strip_map, tiny_config, with_changes
from tests.test_factions import two_faction_map
from tests.test_tiny_maps import assault_config, pocket_map

# Talks are offered at once (pocket share 1, morale 0.4 < 0.5); the first ultimatum, an hour
# later, is accepted for certain (resolve 0.8 is far below even odds at 1); fighters'
# families (one household of one person per fighter) take the bus, everyone else stays.
CERTAIN_DEAL = {
    "talks_max_pocket_share": 1.0,
    "negotiation_morale_threshold": 0.5,
    "negotiation_cohesion_threshold": 0.0,
    "talks_round_days": 1 / 24,
    "ultimatum_even_odds_resolve": 1.0,
    "ultimatum_resolve_steepness": 1000.0,
    "first_bus_delay_hours": 2,
    "fighter_households_per_fighter": 1.0,
    "bus_logit": -50.0,
    "bus_affiliation_logit": 100.0,
    "shelter_logit": -50.0,
    "fear_logit": 0.0,
}
NEVER_ACCEPTED = {"ultimatum_even_odds_resolve": 0.0, "ultimatum_resolve_steepness": 1000.0}
"""Every ultimatum is refused (acceptance chance about 1e-304)."""
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
    resolve = (
        "resolve 0.50 (cohesion 0.50, strength 0.00, food 29.0 days, 0 deals completed before)"
    )
    assert rows == [
        (0, "talks_started", f"pocket of 3 cells; morale 0.40; {resolve}"),
        (1, "ultimatum", f"accepted (chance of accepting 1.00; {resolve})"),
        (
            1,
            "deal_agreed",
            "3 cells; fighters 10; civilians: 20 stay, 0 to shelters, 10 for the buses",
        ),
        (
            3,
            "bus_convoy",
            "2 buses: 8 fighters, 0 civilians; first convoy: the next buses go once it has "
            "arrived north (step 4)",
        ),
        (6, "bus_convoy", "2 buses: 2 fighters, 6 civilians"),
        (9, "bus_convoy", "1 bus: 0 fighters, 4 civilians"),
        (
            9,
            "deal_completed",
            "5 bus trips: 10 fighters, 10 civilians north; 0 through the corridor to "
            "shelters; 0 patients evacuated",
        ),
        (9, "pocket_ended", "deal; 3 cells"),
        (9, "town_captured", "from A"),
    ], f"unexpected event log: {rows}"
    assert model.factions[0].fighters == 0, "expected every fighter gone north"


def test_a_deals_first_convoy_goes_alone_and_the_rest_once_it_has_arrived_north():
    # 20 passengers (10 fighters + 10 families), a fleet of 10 buses of 4 seats back 4 hours
    # after leaving (so north 2 hours after). Buses are due from hour 3. A first convoy of at
    # most 1 bus: 4 fighters at 3; nothing at 4; the 16 others at 5, when it has arrived.
    # Of at most 10: all 20 at 3.
    fleet = {"buses": 10, "seats_per_bus": 4, "round_trip_hours": 4}

    def bussed_by_hour(first_convoy_buses: int) -> tuple[list[int], list[int]]:
        config = deal_config({"first_convoy_buses": first_convoy_buses})
        model = run_model(with_changes(config, {"bus_fleet": fleet}), strip_map(3, 30))
        ts = model.recorder.timeseries()
        return (
            ts[o.BUSSED_NORTH_FIGHTERS_CUM.name].tolist()[:7],
            ts[o.BUSSED_NORTH_CIVILIANS_CUM.name].tolist()[:7],
        )

    fighters, civilians = bussed_by_hour(1)
    assert fighters == [0, 0, 0, 4, 4, 10, 10], f"fighters bussed by hour: {fighters}"
    assert civilians == [0, 0, 0, 0, 0, 10, 10], f"civilians bussed by hour: {civilians}"
    fighters, civilians = bussed_by_hour(10)
    assert fighters == [0, 0, 0, 10, 10, 10, 10], f"fighters bussed by hour: {fighters}"
    assert civilians == [0, 0, 0, 10, 10, 10, 10], f"civilians bussed by hour: {civilians}"


CORRIDOR = {
    "shelter_logit": 50.0,
    "fighter_households_per_fighter": 0.0,
    "corridor_throughput_per_hour": 4,
    "corridor_open_hour": 3,
    "corridor_close_hour": 6,
}
"""Everyone chooses the shelters; the corridor passes 4 an hour, 03:00-05:59."""


def test_shelter_goers_pass_the_corridor_k_an_open_hour_and_the_deal_waits_for_them():
    # 23 people choose the shelters at the agreement (hour 1) and wait; the corridor passes
    # 4 an open hour: 4, 8, 12 at 03:00-05:00 on day 0, then 16, 20, 23 on day 1 (hours
    # 27-29). The 10 fighters are gone by hour 6, but the deal completes only when the
    # corridor is done: hand-over at hour 29.
    model = run_model(deal_config(CORRIDOR, days=2), strip_map(3, 23))
    ts = model.recorder.timeseries()
    corridor = ts[o.LEFT_VIA_DEAL_CORRIDOR_CUM.name].tolist()
    assert corridor[:7] == [0, 0, 0, 4, 8, 12, 12], f"expected 4 an open hour: {corridor[:7]}"
    assert corridor[26] == 12, f"expected nobody through overnight: {corridor[26]}"
    assert corridor[27:31] == [16, 20, 23, 23], f"expected 16, 20, 23 on day 1: {corridor[27:31]}"
    waiting = ts[o.AWAITING_CORRIDOR.name].tolist()
    assert waiting[:7] == [0, 23, 23, 19, 15, 11, 11], f"people waiting: {waiting[:7]}"
    assert ts[o.BUSSED_NORTH_FIGHTERS_CUM.name].iloc[6] == 10, (
        "expected the fighters gone by hour 6"
    )
    ceasefire = ts[o.CEASEFIRE_CELLS.name].tolist()
    assert ceasefire[28] == 3 and ceasefire[29] == 0, f"expected the hand-over at 29: {ceasefire}"
    completed = [r.step for r in model.events.table().itertuples() if r.kind == "deal_completed"]
    assert completed == [29], f"expected the deal completed at hour 29, got {completed}"
    assert ts[o.STAYED_UNDER_GOVERNMENT_CUM.name].iloc[-1] == 0, (
        "expected nobody left behind to be captured"
    )


def test_patients_on_a_deal_are_evacuated_daily_until_it_completes():
    # 8 patients among the 30 on the deal's cell; the deal is agreed at hour 1 and completes
    # when the last fighters leave at hour 33 (buses from hour 30). 3 a day at 02:00: 3 at
    # hour 2, 6 at hour 26; the 2 still waiting pass under government at the hand-over.
    config = deal_config(
        {"first_bus_delay_hours": 29},
        days=2,
        medevac={"initial_patients": 8, "patients_per_day_under_deal": 3, "hour_under_deal": 2},
    )
    model = run_model(config, strip_map(3, 30))
    ts = model.recorder.timeseries()
    evacuated = ts[o.MEDEVAC_EVACUATED_CUM.name].tolist()
    assert evacuated[:3] == [0, 0, 3], f"expected 3 at hour 2: {evacuated[:3]}"
    assert evacuated[25:27] == [3, 6], f"expected 3 more at hour 26: {evacuated[25:27]}"
    assert evacuated[-1] == 6, f"expected no evacuation after the deal: {evacuated[-1]}"
    assert ts[o.LEFT_VIA_MEDEVAC_CUM.name].iloc[-1] == 6, "expected 6 people to leave by medevac"
    assert model.medevac.left_otherwise == 2, "expected 2 patients handed over with the cells"


def test_no_agreement_no_medical_evacuation():
    config = deal_config(
        NEVER_ACCEPTED,
        days=2,
        medevac={"initial_patients": 8, "patients_per_day_under_deal": 3, "hour_under_deal": 2},
    )
    model = run_model(config, strip_map(3, 30))
    assert model.medevac.evacuated == 0, "expected no evacuation without a deal or a window"


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


def town_and_fields_map() -> Geography:
    """One row: "west" (a government cell), an urban cell (the town "home") and two farmland
    cells of faction a, a government cell. People live in the town."""
    controller = np.array([[0, 1, 1, 1, 0]])
    people = np.array([[0, 30, 0, 0, 0]])
    urban = np.array([[False, True, False, False, False]])
    return Geography.from_grids(
        controller,
        people,
        faction_keys=("a",),
        urban=urban,
        places_rc={"west": (0, 0), "gate": (0, 4)},
        towns_rc={"home": (0, 1)},
    )


def test_a_refused_ultimatum_brings_a_renewed_assault_under_the_next_deadline():
    # Rounds of 6 hours, renewed assaults of 3 hours: talks at 0, ultimatum refused at 6, the
    # next deadline (12) runs from the refusal, with the assault in its first 3 hours; refused
    # again at 12 and at 18.
    config = deal_config(
        {**NEVER_ACCEPTED, "talks_round_days": 0.25, "renewed_assault_days": 0.125}, days=2
    )
    model = SiegeModel(config, town_and_fields_map())
    cells = np.array([1, 2, 3])
    pressure = []  # on the town and the two fields, as the ground war of each hour sees it
    for t in range(24):
        model.step()
        pressure.append(model.deals.pressure_at_cell(t + 1, model.factions)[cells].tolist())
    talks, assault = [0.0, 0.5, 0.5], [0.0, 2.0, 2.0]  # the town is spared throughout
    expected = [talks] * 6 + ([assault] * 2 + [talks] * 4) * 3
    assert pressure == expected, f"expected talks, assault after each refusal: {pressure}"
    events = model.events.table()
    got = [(r.step, r.kind) for r in events.itertuples() if r.kind != "crossing_closed"]
    assert got == [
        (0, "talks_started"),
        *(
            (step, kind)
            for step in (6, 12, 18)
            for kind in ("ultimatum", "deal_refused", "renewed_assault")
        ),
    ], f"expected three refused ultimatums 6 hours apart, got {got}"
    assert "deal_agreed" not in model.events.kinds(), "expected no deal when never accepted"


STORMING = {
    "government": {
        "assault_groups": [
            {"name": "g", "fighters": 100000, "start": "west", "objectives": ["home"]}
        ],
        "capture_rate_per_hour": 1000.0,
        "reach_m": 100.0,
    },
    "timeline": {"bombardment_start_day": 99, "ground_offensive_start_day": 1},
}


def town_falls_at(deals: dict) -> int | None:
    """Step at which the town falls to an overwhelming group that reaches only the town; the
    offensive starts at hour 24, talks (if any) at hour 0."""
    model = run_model(deal_config(deals, days=2, **STORMING), town_and_fields_map())
    fell = [r.step for r in model.events.table().itertuples() if r.kind == "town_captured"]
    return fell[0] if fell else None


def test_talks_on_the_terms_put_the_first_ultimatum_off_by_exactly_that_long():
    # Talks open at hour 0 and a round lasts an hour: the certain deal comes with the first
    # ultimatum, at hour 1; with 0.25 days on the terms first, at hour 6 + 1 = 7.
    def agreed_at(deals: dict) -> list[int]:
        events = run_model(deal_config(deals), strip_map(3, 30)).events.table()
        return [r.step for r in events.itertuples() if r.kind in ("ultimatum", "deal_agreed")]

    assert agreed_at({}) == [1, 1], "expected the ultimatum and the deal at hour 1 without talks"
    opening = agreed_at({"talks_opening_days": 0.25})
    assert opening == [7, 7], f"expected the ultimatum and deal at hour 7, got {opening}"


def test_towns_are_not_stormed_during_talks_not_even_in_a_renewed_assault():
    assert town_falls_at({"talks_max_pocket_share": 0.0}) == 24, "expected no talks: falls at 24"
    long_talks = {**NEVER_ACCEPTED, "talks_round_days": 10.0}
    assert town_falls_at(long_talks) is None, "expected the town not stormed during talks"
    # The first ultimatum, at hour 24, is refused: the renewed assault presses the fields, and
    # the town still stands (it fell at hour 25 when renewed assaults stormed towns too).
    one_day = {**NEVER_ACCEPTED, "talks_round_days": 1.0, "renewed_assault_days": 1.0}
    assert town_falls_at(one_day) is None, "expected the town spared in the renewed assault"


def deal_day(
    seed: int, cohesion: float, food_stock_days: float, full_strength_fighters: int = 10
) -> float:
    """Day of the agreement (99 if none in 40 days) of a faction of 10 fighters in talks from
    hour 0 with an ultimatum every day, nothing else going on: resolve only reflects cohesion,
    food and its strength (full by default)."""
    config = tiny_config(
        seed=seed,
        days=40,
        factions={"a": {"name": "A", "fighters": 10, "cohesion": cohesion, "morale_initial": 0.4}},
        deals={
            "talks_max_pocket_share": 1.0,
            "negotiation_morale_threshold": 0.5,
            "talks_round_days": 1.0,
            "renewed_assault_days": 0.0,
            "resolve_full_strength_fighters": full_strength_fighters,
        },
        food={"initial_stock_days": food_stock_days},
    )
    model = run_model(config, strip_map(3, 30))
    return min((d.agreed_step / 24 for d in model.deals.deals), default=99.0)


SEEDS = range(6)


def test_more_food_means_a_longer_hold_out():
    hungry = np.array([deal_day(s, cohesion=0.5, food_stock_days=0.0) for s in SEEDS])
    fed = np.array([deal_day(s, cohesion=0.5, food_stock_days=30.0) for s in SEEDS])
    assert (fed >= hungry).all(), f"expected no seed to agree sooner when fed: {hungry} {fed}"
    assert fed.mean() > hungry.mean() + 2, f"expected a later deal when fed: {hungry} -> {fed}"


def test_more_cohesion_means_a_longer_hold_out():
    divided = np.array([deal_day(s, cohesion=0.2, food_stock_days=0.0) for s in SEEDS])
    cohesive = np.array([deal_day(s, cohesion=0.9, food_stock_days=0.0) for s in SEEDS])
    assert (cohesive >= divided).all(), f"expected no seed sooner: {divided} {cohesive}"
    assert cohesive.mean() > divided.mean() + 1, f"expected later deals: {divided} -> {cohesive}"


def test_a_small_faction_accepts_sooner_than_one_at_full_strength():
    # The same 10 fighters, counted as a full-strength faction or as a tenth of one.
    strong = np.array([deal_day(s, 0.5, 10.0, full_strength_fighters=10) for s in SEEDS])
    weak = np.array([deal_day(s, 0.5, 10.0, full_strength_fighters=100) for s in SEEDS])
    assert (strong >= weak).all(), f"expected no seed sooner at full strength: {weak} {strong}"
    assert strong.mean() > weak.mean() + 1, f"expected later deals when strong: {weak} -> {strong}"


def test_deals_completed_before_lower_resolve_and_pending_ones_do_not():
    model = SiegeModel(deal_config(), strip_map(3, 30))
    a = model.factions[0]
    alone = model.deals.resolve(a).value

    def deal(completed_step: int | None) -> Deal:
        return Deal(
            faction=a,
            agreed_step=0,
            cells=np.array([1]),
            place="district",
            first_bus_step=0,
            fighters_waiting={},
            choices=np.zeros(3, dtype=np.int64),
            fighters_bussed=5,
            completed_step=completed_step,
        )

    model.deals.deals.append(deal(completed_step=None))
    pending = model.deals.resolve(a).value
    assert pending == alone, f"expected an open deal to set no precedent: {alone} -> {pending}"
    model.deals.deals.append(deal(completed_step=3))
    after = model.deals.resolve(a).value
    assert after == alone * 0.85, f"expected resolve x 0.85 after a completed deal: {after}"


def test_a_faction_in_talks_does_not_surrender():
    # The split of hour 0 brings talks; at morale 0.1 both halves would otherwise surrender
    # in that hour (tests/test_tiny_maps.py).
    config = with_changes(
        assault_config(morale=0.1), {"deals": {"talks_max_pocket_share": 1.0, **NEVER_ACCEPTED}}
    )
    model = run_model(config, pocket_map())
    kinds = model.events.kinds()
    assert "talks_started" in kinds, f"expected talks after the split: {kinds}"
    assert "surrender" not in kinds, f"expected no surrender while in talks: {kinds}"


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
            "talks_round_days": 0.25,
        },
    )
    model = run_model(config, two_faction_map())
    kinds = model.events.kinds()
    assert "deal_agreed" not in kinds, "expected b's presence to block every deal"
    assert "deal_refused" in kinds, "expected the ultimatums to be refused"
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
    # Talks from hour 0, the first ultimatum due at hour 24: the hour the offensive of
    # day 1 takes the only cell.
    config = deal_config(
        {**NEVER_ACCEPTED, "talks_round_days": 1.0},
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


def split_map(cut_col: int) -> tuple[Geography, dict]:
    """Row 1, columns 1-5: faction a's strip (5 cells), with government rows around; an
    overwhelming group above column ``cut_col`` reaches only that cell and cuts the strip."""
    controller = np.zeros((3, 7), dtype=int)
    controller[1, 1:6] = 1
    people = np.where(controller == 1, 2, 0)
    geo = Geography.from_grids(
        controller, people, faction_keys=("a",), places_rc={"above": (0, cut_col)}
    )
    war = {
        "government": {
            "assault_groups": [{"name": "g", "fighters": 100000, "start": "above"}],
            "capture_rate_per_hour": 1000.0,
            "reach_m": 100.0,
        },
        "timeline": {"bombardment_start_day": 99, "ground_offensive_start_day": 0},
    }
    return geo, war


def talks_opened_after_cut(cut_col: int) -> bool:
    geo, war = split_map(cut_col)
    # Morale and cohesion never count as weak here: only a split opens talks.
    only_a_split = {"talks_split_pocket_share": 0.3, "negotiation_morale_threshold": 0.0}
    config = deal_config({**NEVER_ACCEPTED, **only_a_split}, **war)
    model = SiegeModel(config, geo)
    model.step()
    assert "pocket_split" in model.events.kinds(), "expected the cut to split the strip"
    return "talks_started" in model.events.kinds()


def test_talks_open_at_a_split_into_real_pockets_not_at_a_fragment_cut_off():
    # Cutting column 3 leaves pockets of 2 and 2 cells, each at least 0.3 x 5: a split.
    assert talks_opened_after_cut(3), "expected talks once two pockets of 2 cells exist"
    # Cutting column 2 leaves 1 and 3 cells: the single cell is a fragment, not a split.
    assert not talks_opened_after_cut(2), "expected no talks when only a fragment is cut off"


def hold_out_day(seed: int, relation: str) -> float:
    """Day of A's agreement (99 if none in 40 days): A in talks from hour 0 with an ultimatum
    every day, the buses bound for ground held by B, and A ``relation`` to B (no clashes)."""
    config = tiny_config(
        seed=seed,
        days=40,
        factions={
            "a": {"name": "A", "fighters": 10, "cohesion": 0.5, "morale_initial": 0.4},
            "b": {"name": "B", "fighters": 10, "cohesion": 0.9, "morale_initial": 0.9},
        },
        relations=[{"a": "a", "b": "b", "relation": relation}],
        faction_dynamics={"min_pocket_cells": 0, "infighting_rate_per_day": 0.0},
        deals={
            "talks_max_pocket_share": 1.0,
            "negotiation_morale_threshold": 0.5,
            "talks_round_days": 1.0,
            "renewed_assault_days": 0.0,
            "resolve_full_strength_fighters": 10,
            "destination_held_by": ["b"],
        },
        food={"initial_stock_days": 10.0},
    )
    model = run_model(config, two_faction_map())
    return min(
        (d.agreed_step / 24 for d in model.deals.deals if d.faction.key == "a"), default=99.0
    )


def test_a_faction_hostile_to_the_destination_holds_out_longer():
    neutral = np.array([hold_out_day(s, "neutral") for s in SEEDS])
    hostile = np.array([hold_out_day(s, "hostile") for s in SEEDS])
    assert (hostile >= neutral).all(), f"expected no seed sooner when hostile: {neutral} {hostile}"
    assert hostile.mean() > neutral.mean() + 2, f"expected later deals: {neutral} -> {hostile}"


def test_only_factions_hostile_to_a_destination_holder_are_held_back():
    config = tiny_config(
        factions={k: {"name": k.upper(), "fighters": 10, "cohesion": 0.5} for k in "abc"},
        relations=[
            {"a": "a", "b": "b", "relation": "hostile"},
            {"a": "c", "b": "b", "relation": "allied"},
            {"a": "a", "b": "c", "relation": "hostile"},
        ],
        deals={"destination_held_by": ["b"], "hostile_destination_acceptance_multiplier": 0.25},
    )
    controller = np.array([[0, 0, 0, 0, 0], [0, 1, 2, 3, 0], [0, 0, 0, 0, 0]])
    geo = Geography.from_grids(
        controller, np.where(controller > 0, 2, 0), faction_keys=("a", "b", "c")
    )
    broker = SiegeModel(config, geo).deals
    assert broker.hostile_to_destination == {"a"}, (
        f"expected only A (hostile to B, which holds the destination): "
        f"{broker.hostile_to_destination}"
    )
    free = broker.acceptance_probability(0.5, excluded_alongside=False)
    held = broker.acceptance_probability(0.5, excluded_alongside=False, hostile_destination=True)
    assert held == free * 0.25, f"expected the chance x 0.25 when hostile: {free} -> {held}"


def test_a_factions_food_is_that_of_its_main_pocket_not_of_every_pocket_it_touches():
    # Faction "a" holds a town pocket (cells 1-2: 20 residents of district "town", 200
    # person-days of food) and a farmland pocket cut off from it (cell 4: 10 residents of
    # district "farm", no food). Its resolve counts the food where its people are: 200 / 20
    # = 10 days; the whole enclave's average would be 200 / 30 = 6.7 days.
    controller = np.array([[0, 1, 1, 0, 1, 0]])
    people = np.array([[0, 20, 0, 0, 10, 0]])
    district = np.array([[-1, 0, 0, -1, 1, -1]])
    geo = Geography.from_grids(
        controller,
        people,
        faction_keys=("a",),
        district=district,
        district_names=("town", "farm"),
        towns_rc={"home": (0, 1)},
    )
    model = SiegeModel(deal_config(), geo)
    model.food.stock_person_days = np.array([200.0, 0.0])
    food_days = model.deals.resolve(model.factions[0]).food_days
    assert food_days == 10.0, f"expected the town pocket's 10 days of food, got {food_days}"
