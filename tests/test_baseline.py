"""Regression baseline: the reduced default run must not change unless on purpose."""

from __future__ import annotations

import json

from tests.refresh_baseline import BASELINE, fingerprint

HOW = "if the change is intended, run `python -m tests.refresh_baseline` and commit the file"


def test_small_default_run_matches_the_baseline(small_default_run):
    expected = json.loads(BASELINE.read_text())
    got = fingerprint(small_default_run)
    for column, series in expected["daily"].items():
        assert got["daily"][column] == series, f"daily {column} changed; {HOW}"
    assert got["events"] == expected["events"], f"the event log changed; {HOW}"
