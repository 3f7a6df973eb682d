"""The check of the default scenario against 2018 (``experiments.check_2018``): one seed's row,
read from a run's outputs."""

from __future__ import annotations

from experiments.check_2018 import seed_row
from sim import outcomes as o
from sim.outputs import write_run

ROUTES = (
    "across the front by day 43",
    "through a crossing by day 43",
    "by a deal corridor by day 43",
)


def test_a_seed_row_reads_each_way_out_at_day_43_and_they_add_up(small_default_run, tmp_path):
    write_run(small_default_run, tmp_path, plots=False)
    row = seed_row(tmp_path)
    ts = small_default_run.recorder.timeseries()
    # The small run ends before day 43, so day 43's values are its last hour's.
    assert ts[o.DAY.name].iloc[-1] < 43, "expected the small run to end before day 43"
    day_43 = ts.iloc[-1]
    for measure, outcome in zip(
        ROUTES,
        (o.LEFT_VIA_FRONT_CUM, o.LEFT_VIA_CROSSING_CUM, o.LEFT_VIA_DEAL_CORRIDOR_CUM),
        strict=True,
    ):
        assert row[measure] == int(day_43[outcome.name]), (
            f"expected {measure} = {outcome.name} at the end of day 43, {int(day_43[outcome.name])}"
            f", got {row[measure]}"
        )
    ways = sum(row[m] for m in ROUTES) + row["bussed north by day 43"]
    ways += int(day_43[o.LEFT_VIA_MEDEVAC_CUM.name])
    assert ways == row["left the enclave by day 43"], (
        f"expected the ways out and the buses to add up to left the enclave, "
        f"{row['left the enclave by day 43']}, got {ways}"
    )
    assert row["left the enclave by day 43"] > 0, "expected someone to have left by day 43"
