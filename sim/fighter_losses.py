"""Each faction's fighter losses by cause, derived from a run's events and time series.

The model records each faction's fighters per hour, not why they fell. The events say it
for four causes (their details carry the counts, in agents: ``sim/conflict.py``,
``sim/deals.py``; a bus convoy's fighters are shared among the factions that lost fighters
in its hour). The rest of the loss, from the time series, was killed or
deserted in the fighting (``Faction.update``). Derived here, so that the recorded
tables stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from sim import outcomes as o

CAUSES = (
    "killed or deserted in the fighting",
    "killed in infighting",
    "surrendered",
    "left the field (no ground left)",
    "bussed north under a deal",
)
"""The causes, in the order figures stack them; the first is what the events leave over."""

_INFIGHTING = re.compile(r"fighters killed (.+) (\d+), (.+) (\d+); civilians \d+")
_SURRENDER = re.compile(r"\d+ cells; (\d+) fighters; morale [\d.]+")
_DEFEATED = re.compile(r"(\d+) fighters without ground left the field")
_CONVOY = re.compile(r"\d+ bus(?:es)?: (\d+) fighters, \d+ civilians(?:; first convoy: .+)?")


class FactionLabel(NamedTuple):
    """What the faction figures need of a faction."""

    key: str
    """Its key in the time series' columns (``fighters_<key>``)."""
    name: str
    """Its real name, as in the events and the legends (``Jaish al-Islam``)."""
    fighters_initial: int
    """Fighters at the start, in real fighters."""


def _count(pattern: re.Pattern[str], detail: str, kind: str) -> re.Match[str]:
    match = pattern.fullmatch(str(detail))
    if match is None:
        raise ValueError(f"{kind} event detail {detail!r} does not match {pattern.pattern!r}")
    return match


def losses_by_cause(
    ts: pd.DataFrame,
    events: pd.DataFrame,
    factions: Sequence[FactionLabel],
    people_per_agent: int = 1,
) -> pd.DataFrame:
    """Fighters each faction lost over the run, one row a faction (its name), one column a
    cause of :data:`CAUSES`, in real fighters (event counts are in agents of
    ``people_per_agent``)."""
    names = [f.name for f in factions]
    losses = pd.DataFrame(0, index=names, columns=list(CAUSES), dtype="int64")
    for row in events.itertuples():
        if row.kind == "infighting":
            m = _count(_INFIGHTING, row.detail, row.kind)
            for name, killed in ((m[1], m[2]), (m[3], m[4])):
                losses.loc[name, CAUSES[1]] += int(killed)
        elif row.kind == "surrender":
            losses.loc[row.actor, CAUSES[2]] += int(_count(_SURRENDER, row.detail, row.kind)[1])
        elif row.kind == "faction_defeated":
            losses.loc[row.actor, CAUSES[3]] += int(_count(_DEFEATED, row.detail, row.kind)[1])
    losses *= people_per_agent
    # A convoy under one faction's deal may carry the fighters of others in its pocket: the
    # fighters it boarded (its detail) are those the factions lost in its hour, evacuating
    # factions first (a ceasefire holds for them; others may also be fighting elsewhere).
    convoys = events[events["kind"] == "bus_convoy"]
    boarded_at: dict[int, int] = {}
    for row in convoys.itertuples():
        boarded = int(_count(_CONVOY, row.detail, row.kind)[1]) * people_per_agent
        boarded_at[int(row.step)] = boarded_at.get(int(row.step), 0) + boarded
    fighters = {f.key: ts[o.FIGHTERS.column(f.key)].to_numpy() for f in factions}
    stage = {f.key: ts[o.STAGE.column(f.key)].to_numpy() for f in factions}
    for step, boarded in sorted(boarded_at.items()):
        before = step - 1 if step > 0 else 0
        first = sorted(factions, key=lambda f: stage[f.key][before] != "evacuating")
        for f in first:
            drop = int(fighters[f.key][before] - fighters[f.key][step]) if step > 0 else 0
            share = min(max(drop, 0), boarded)
            losses.loc[f.name, CAUSES[4]] += share
            boarded -= share
    for f in factions:
        lost = f.fighters_initial - int(ts[o.FIGHTERS.column(f.key)].iloc[-1])
        explained = int(losses.loc[f.name, list(CAUSES[1:])].sum())
        if explained > lost:
            raise ValueError(
                f"{f.name}: the events count {explained} fighters lost, more than the "
                f"{lost} the time series lost"
            )
        losses.loc[f.name, CAUSES[0]] = lost - explained
    return losses
