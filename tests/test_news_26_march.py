"""The 26 March 2018 picture, checked on hand-made tables (exact)."""

from __future__ import annotations

import pandas as pd

from experiments.news_26_march import LAST_STEP, check, holds
from sim import outcomes as o


def tables(rows: list[tuple[int, str, str, str]], jai_stage: str):
    events = pd.DataFrame(rows, columns=["step", "kind", "actor", "place"])
    ts = pd.DataFrame({o.STAGE.column("jaish_al_islam"): [jai_stage] * (LAST_STEP + 1)})
    return events, ts


AS_REPORTED = [
    (700, "deal_agreed", "Ahrar al-Sham", "Harasta"),
    (730, "bus_convoy", "Ahrar al-Sham", "Harasta"),
    (760, "deal_agreed", "Failaq al-Rahman", "Arbin"),
    (790, "bus_convoy", "Failaq al-Rahman", "Arbin"),
    (800, "talks_started", "Jaish al-Islam", "Douma"),
]


def test_the_picture_as_reported_holds():
    assert holds(*tables(AS_REPORTED, "talking")), "expected the reported picture to hold"


def test_each_departure_from_the_picture_is_caught():
    late_buses = [
        r if r[:2] != (790, "bus_convoy") else (LAST_STEP + 1, *r[1:]) for r in AS_REPORTED
    ]
    assert not check(*tables(late_buses, "talking"))["south_ended_by_a_deal_with_buses"], (
        "expected buses after day 36 not to count"
    )
    douma_deal = [*AS_REPORTED, (850, "deal_agreed", "Jaish al-Islam", "Douma")]
    assert not holds(*tables(douma_deal, "evacuating")), "expected a Douma deal to break it"
    assert not holds(*tables(AS_REPORTED, "fighting")), "expected Douma out of talks to break it"
    stormed = [*AS_REPORTED, (820, "town_captured", "government", "Douma")]
    assert not holds(*tables(stormed, "talking")), "expected Douma stormed to break it"
