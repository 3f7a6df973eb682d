"""Exit barriers and walk-outs across the front (docs/ODD.md 7.6c-d): exact tiny-map outcomes
and directions of effect."""

from __future__ import annotations

import numpy as np
import pytest

from sim import outcomes as o
from sim.exit_barriers import ExitBarriers
from sim.model import SiegeModel
from sim.params import ExitParams
from tests.conftest import holding_faction, run_model, strip_map, tiny_config, with_changes

SEEDS = range(4)


def walkout_config(
    *,
    throughput_per_km: float = 12.5,
    army_reach_m: float = 10_000.0,
    reach_m: float = 1000.0,
    hazard: float = 1000.0,
    coercion: float = 0.0,
    word_floor: float = 1.0,
    hours: int = 24,
    seed: int = 0,
):
    """A strip held by faction "a", no shelling, no captures; people may walk out across the
    front (where :func:`army_took` says the army advanced), not cross."""
    return tiny_config(
        seed=seed,
        days=max(1, hours // 24),
        factions={
            "a": {"name": "A", "fighters": 10, "cohesion": 0.5, "civilian_exit_coercion": coercion}
        },
        exits={
            "walkout_hazard_per_hour": hazard,
            "walkout_reach_m": reach_m,
            "walkout_army_reach_m": army_reach_m,
            "walkout_throughput_per_hour_per_km": throughput_per_km,
            "word_floor": word_floor,
            "word_half_saturation_share": 0.05,
        },
    )


def army_took(config, geo, cell: int) -> SiegeModel:
    """A model in which the army took (government) ``cell`` by force just before the start."""
    model = SiegeModel(config, geo)
    model.hand_over.taken_step[cell] = 0
    return model


def run_after_advance(config, geo, cell: int = 0) -> SiegeModel:
    model = army_took(config, geo, cell)
    model.run()
    return model


def walked_out(model: SiegeModel) -> list[int]:
    return model.recorder.timeseries()[o.LEFT_VIA_FRONT_CUM.name].tolist()


def test_walkouts_pass_the_front_at_its_throughput_with_fractions_carried():
    # 3 rebel cells of 100 m: cells 1 and 3 touch government ground, so 0.2 km of front is
    # near the army; 12.5/h/km x 0.2 km = 2.5 an hour: 2, 3, 2, 3 (the half carries over).
    # All 10 people live on cell 1, a place to walk out, and decide at once.
    model = run_after_advance(walkout_config(), strip_map(3, 10))
    got = walked_out(model)[:6]
    assert got == [2, 5, 7, 10, 10, 10], f"expected 2.5 an hour with carry-over, got {got}"


def test_restraint_slows_the_front_in_proportion():
    # Restraint 0.5 halves both the places (1.25 an hour) and, at an eager hazard, changes nothing
    # about who queues: 1, 2(+0.5), 3(+0.75)...: cumulative 1, 2, 3, 5, 6, 7, 8, 10.
    model = run_after_advance(walkout_config(coercion=0.5), strip_map(3, 10))
    got = walked_out(model)[:8]
    assert got == [1, 2, 3, 5, 6, 7, 8, 10], f"expected 1.25 an hour, got {got}"


def test_a_walkout_needs_the_army_next_to_the_area():
    # 30 cells (3 km): the army took the east end's government cell; people live at the west
    # end, 2.9 km away from that stretch of front.
    near = run_after_advance(walkout_config(throughput_per_km=1000), strip_map(30, 10), cell=31)
    far = run_after_advance(
        walkout_config(throughput_per_km=1000, army_reach_m=500.0), strip_map(30, 10), cell=31
    )
    assert walked_out(near)[-1] == 10, "expected all 10 to walk out with the army in reach"
    assert walked_out(far)[-1] == 0, "expected nobody to walk out with the army 2.9 km away"


def test_a_quiet_front_is_no_place_to_walk_out():
    # The same strip with nothing taken by force: a siege line, however close.
    quiet = run_model(walkout_config(throughput_per_km=1000), strip_map(3, 10))
    assert walked_out(quiet)[-1] == 0, "expected no walk-outs where the army did not advance"


def test_the_place_closes_once_the_advance_is_old():
    # Taken at step 0 and a place for 5 hours: 2.5 an hour pass in hours 0-5 (2, 3, 2, 3, 2, 3 =
    # 15 of 20), then nobody; the 5 still queued go home.
    config = walkout_config()
    config = with_changes(config, {"exits": {"walkout_recent_capture_hours": 5.0}})
    model = run_after_advance(config, strip_map(3, 20))
    got = walked_out(model)
    assert got[5] == 15 and got[-1] == 15, f"expected 15 out by hour 5 and no more, got {got[:8]}"


def _walkouts_with_cohesion_share(share: float, seed: int) -> int:
    model = army_took(
        walkout_config(hazard=0.02, coercion=0.8, throughput_per_km=1e6, seed=seed),
        strip_map(3, 2000),
        0,
    )
    faction = model.factions[0]
    faction.cohesion = faction.cohesion_initial * share  # as after losses and infighting
    model.run()
    return walked_out(model)[-1]


def test_restraint_erodes_as_a_faction_loses_cohesion():
    for seed in SEEDS:
        intact = _walkouts_with_cohesion_share(1.0, seed)
        broken = _walkouts_with_cohesion_share(0.25, seed)
        assert broken > 1.5 * intact, (
            f"seed {seed}: expected far more walk-outs once cohesion fell to a quarter "
            f"(restraint 0.8 -> 0.2), got {broken} vs {intact}"
        )


def test_the_hold_breaks_next_to_the_army_and_nowhere_else():
    # Faction 1 at full strength holds with its coercion, 0.8. Cells: government (0), its
    # cell far from the army (0.8), near the army with half the hold left (0.4), and near the
    # army under a ceasefire (1: people there have made their deal choice).
    faction = holding_faction(0.8)
    barriers = ExitBarriers(ExitParams(restraint_near_army_share=0.5), initial_people=100)
    restraint = barriers.restraint_at_cell(
        [faction],
        controller=np.array([0, 1, 1, 1]),
        ceasefire=np.array([False, False, False, True]),
        near_army=np.array([True, False, True, True]),
    ).tolist()
    assert restraint == pytest.approx([0.0, 0.8, 0.4, 1.0]), (
        f"expected 0, 0.8 far from the army, 0.4 next to it, 1 under a ceasefire, got {restraint}"
    )


def test_the_front_opens_as_the_hold_breaks_next_to_the_army():
    # Coercion 0.5 at full strength; next to the army a half of it holds: restraint 0.25,
    # places 12.5/h/km x 0.2 km x 0.75 = 1.875 an hour: 1, 2, 2, 2, 2 and the last 1
    # (fractions carried), where the whole hold (test above) gives 1.25 an hour.
    config = with_changes(
        walkout_config(coercion=0.5), {"exits": {"restraint_near_army_share": 0.5}}
    )
    got = walked_out(run_after_advance(config, strip_map(3, 10)))[:6]
    assert got == [1, 3, 5, 7, 9, 10], f"expected 1.875 an hour, got {got}"


def _walkouts_with_hold_near_army(share: float, seed: int) -> int:
    config = walkout_config(hazard=0.02, coercion=0.8, throughput_per_km=1e6, seed=seed)
    config = with_changes(config, {"exits": {"restraint_near_army_share": share}})
    return walked_out(run_after_advance(config, strip_map(3, 2000)))[-1]


def test_more_walk_out_where_the_hold_breaks_next_to_the_army():
    for seed in SEEDS:
        held = _walkouts_with_hold_near_army(1.0, seed)
        broken = _walkouts_with_hold_near_army(0.25, seed)
        assert broken > 1.5 * held, (
            f"seed {seed}: expected far more walk-outs with a quarter of the hold left next to "
            f"the army (restraint 0.8 -> 0.2), got {broken} vs {held}"
        )


def _hourly_walkouts(word_floor: float, seed: int) -> np.ndarray:
    model = run_after_advance(
        walkout_config(hazard=0.01, throughput_per_km=1e6, word_floor=word_floor, seed=seed),
        strip_map(3, 3000),
    )
    return np.diff(walked_out(model), prepend=0)


def test_departures_start_slowly_then_surge_as_others_get_through():
    for seed in SEEDS:
        learning = _hourly_walkouts(0.05, seed)
        steady = _hourly_walkouts(1.0, seed)
        assert learning[:6].sum() < learning[12:18].sum(), (
            f"seed {seed}: with news of safe passage, expected departures to rise from the first "
            f"6 hours to hours 12-17, got {learning[:6].sum()} then {learning[12:18].sum()}"
        )
        assert steady[:6].sum() > steady[12:18].sum(), (
            f"seed {seed}: without it, expected departures to fall as people leave, got "
            f"{steady[:6].sum()} then {steady[12:18].sum()}"
        )
        assert learning[:6].sum() < 0.2 * steady[:6].sum(), (
            f"seed {seed}: expected a slow start, got {learning[:6].sum()} vs "
            f"{steady[:6].sum()} in the first 6 hours"
        )
