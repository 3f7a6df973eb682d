"""The teaching app in a real browser: ``solara run app.py`` on localhost, driven through
Playwright in the system's headless Chromium (``apt-get install chromium``).

Without Solara, Playwright or Chromium the test is skipped with the reason, unless
``REQUIRE_BROWSER=1`` (set by ``.ci/run``): then it fails.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL_SIEGE = (
    "population.total_people=40000 grid.cell_size_m=200 faction_dynamics.min_pocket_cells=6 days=20"
)
"""A small siege (GHOUTA_APP_OVERRIDES), so that a few clicks play two weeks in seconds."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER = [sys.executable, "-m", "solara", "run", "app.py", "--host", "127.0.0.1", "--production"]
OUTCOME = "left_enclave_cum"
CLICKS = 4
"""Clicks at the longest render interval: about 16 days, past the first days after the
corridor opens (day 9), when almost no one left in 2018 (nor in the default scenario)."""


def _missing() -> str | None:
    for module in ("solara", "playwright", "mesa.visualization"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            return f"{module} is not installed (python -m pip install -e '.[app,dev]')"
    if shutil.which("chromium") is None:
        return "no chromium on PATH (apt-get install chromium)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, server: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the app server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"the app server did not answer at {url} within {timeout_s} s")


def _hours(page) -> int:
    match = re.search(r"\((\d+) hours simulated\)", page.inner_text("body"))
    assert match, "expected the totals panel to say how many hours were simulated"
    return int(match.group(1))


def _outcome(page, name: str) -> int:
    return int(_cell(page, name).replace(",", ""))


def _cell(page, row: str) -> str:
    """The second cell of the totals panel's table row named ``row``."""
    return page.locator(f'tr:has(td:text-is("{row}")) td').nth(1).inner_text()


def _step(page, clicks: int) -> None:
    for _ in range(clicks):
        before = _hours(page)
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(
            f"() => !document.body.innerText.includes('({before} hours simulated)')",
            timeout=60_000,
        )
    page.wait_for_timeout(300)


def _slider(page, label: str):
    """The thumb of the slider whose label starts with ``label`` (Vuetify, keyboard-driven)."""
    return page.locator(f".v-input:has(label:text-matches('^{label}')) [role=slider]").first


@contextlib.contextmanager
def app_server(overrides: str | None) -> Iterator[str]:
    """``solara run app.py`` on a free localhost port (with ``overrides`` as
    GHOUTA_APP_OVERRIDES, or the full classroom siege with None); yields its URL once it answers."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "GHOUTA_APP_OVERRIDES"}
    if overrides is not None:
        env["GHOUTA_APP_OVERRIDES"] = overrides
    server = subprocess.Popen(
        [*SERVER, "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_server(url, server, timeout_s=60 if overrides else 120)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture
def app_url():
    missing = _missing()
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with app_server(SMALL_SIEGE) as url:
        yield url


def test_a_lever_moved_in_the_browser_changes_who_gets_out(app_url, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.goto(app_url)
            page.wait_for_selector(f"td:text-is('{OUTCOME}')", timeout=90_000)
            figures = page.locator("img")
            figures.nth(1).wait_for(timeout=60_000)
            assert figures.count() >= 2, "expected two figures: the map and the curves"
            assert "1 agent = 10 people" in page.inner_text("body"), (
                "expected the app to show the classroom scale"
            )
            # More hours per click (SolaraViz's Render Interval), then the model alone.
            _slider(page, "Render Interval").press("End")
            _step(page, CLICKS)
            hours = _hours(page)
            untouched = _outcome(page, OUTCOME)
            assert hours >= 24 * 10, f"expected over 10 days played, got {hours} hours"

            # The same hours with armed groups no longer holding civilians back.
            _slider(page, "Exit coercion").press("Home")
            page.get_by_role("button", name="Reset", exact=True).click()
            page.wait_for_function(
                "() => document.body.innerText.includes('(0 hours simulated)')", timeout=60_000
            )
            lever = _cell(page, "Exit coercion, all factions")
            assert lever == "0 share 0-1", (
                f"expected the lever table to show exit coercion 0 after Reset, got {lever!r}"
            )
            _step(page, CLICKS)
            assert _hours(page) == hours, f"expected the same {hours} hours as without the lever"
            moved = _outcome(page, OUTCOME)
            page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
        finally:
            browser.close()
    assert (tmp_path / "app.png").stat().st_size > 10_000, "expected a screenshot of the app"
    assert moved > untouched, (
        f"expected more people out of the enclave with exit coercion 0 than with the preset's "
        f"({OUTCOME}: {moved} vs {untouched} after {hours} hours)"
    )
