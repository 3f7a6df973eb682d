"""The picture in the news report of 26 March 2018 (day 36), on which the project is based,
checked on a run's own tables at the end of that day:

- the Harasta pocket (Ahrar al-Sham) and the southern pocket (Failaq al-Rahman) have gone by
  deals: each faction agreed terms and bus convoys have left north;
- Douma is still held by Jaish al-Islam, in talks: no deal agreed, the faction's stage is
  ``talking`` and Douma's town centre has not been taken.

These are outcomes to compare with, never inputs.
"""

from __future__ import annotations

import pandas as pd

from sim import outcomes as o

DAY = 36
"""26 March 2018."""
LAST_STEP = DAY * 24 + 23
DEALT = {"harasta": "Ahrar al-Sham", "south": "Failaq al-Rahman"}
"""Pockets that had gone by deals, and the faction that held each."""
HOLDOUT_FACTION, HOLDOUT_KEY, HOLDOUT_TOWN = "Jaish al-Islam", "jaish_al_islam", "Douma"


def check(events: pd.DataFrame, timeseries: pd.DataFrame) -> dict[str, bool]:
    """Each part of the picture: True where the run agrees with the report."""
    by_then = events[events["step"] <= LAST_STEP]

    def did(kind: str, actor: str) -> bool:
        return bool(((by_then["kind"] == kind) & (by_then["actor"] == actor)).any())

    result = {
        f"{pocket}_ended_by_a_deal_with_buses": did("deal_agreed", f) and did("bus_convoy", f)
        for pocket, f in DEALT.items()
    }
    stage = timeseries[o.STAGE.column(HOLDOUT_KEY)].iloc[min(LAST_STEP, len(timeseries) - 1)]
    douma_taken = ((by_then["kind"] == "town_captured") & (by_then["place"] == HOLDOUT_TOWN)).any()
    result["douma_held_by_jaish_al_islam_in_talks"] = bool(
        not did("deal_agreed", HOLDOUT_FACTION) and stage == "talking" and not douma_taken
    )
    return result


def holds(events: pd.DataFrame, timeseries: pd.DataFrame) -> bool:
    """The whole picture holds."""
    return all(check(events, timeseries).values())
