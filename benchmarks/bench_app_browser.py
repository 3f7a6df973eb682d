"""The teaching app as a class sees it: ``solara run app.py`` (the classroom siege, 1:10) in
the system's headless Chromium. Times the start to the first render of the map and the curves,
then presses Play and times the whole campaign in the browser (drawing every
``app.HOURS_PER_CLICK`` hours). Not part of the tests (a minute or more).

    python benchmarks/bench_app_browser.py            # the default scenario at 1:10
    python benchmarks/bench_app_browser.py --limit-s 600
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app_parts import default_config  # noqa: E402
from sim.clock import HOURS_PER_DAY  # noqa: E402
from tests.test_app_browser import (  # noqa: E402
    CHROMIUM_ARGS,
    OUTCOME,
    _hours,
    _outcome,
    app_server,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-s", type=float, default=600.0, help="give up after this long")
    args = parser.parse_args()
    campaign_hours = default_config().days * HOURS_PER_DAY
    start = time.monotonic()
    with app_server(None) as url:
        server_up_s = time.monotonic() - start
        with sync_playwright() as p:
            chromium = shutil.which("chromium")
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.goto(url)
            page.wait_for_selector(f"td:text-is('{OUTCOME}')", timeout=120_000)
            page.locator("img").nth(1).wait_for(timeout=120_000)
            first_render_s = time.monotonic() - start
            print(f"server answering {server_up_s:.1f} s after start")
            print(f"start to first render (map and curves): {first_render_s:.1f} s")
            play_start = time.monotonic()
            page.get_by_role("button", name="▶", exact=True).click()  # SolaraViz's Play
            hours = 0
            while hours < campaign_hours and time.monotonic() - play_start < args.limit_s:
                page.wait_for_timeout(1000)
                hours = _hours(page)
            played_s = time.monotonic() - play_start
            days = hours / HOURS_PER_DAY
            print(
                f"played {hours} of {campaign_hours} hours ({days:.1f} days) in {played_s:.1f} s: "
                f"{days / played_s:.2f} simulated days per second in the browser; "
                f"{OUTCOME} {_outcome(page, OUTCOME):,}"
            )
            browser.close()


if __name__ == "__main__":
    main()
