"""Inputs that used to run silently wrong, or end in a traceback, are refused before the run
with the field named (issue 11): duplicate faction names, ``key={}`` overrides, logistics
keys in a scenario file, presets that fall back on Python defaults, start dates,
``sample.file``, resource limits and output folders; events after the run are logged."""

from __future__ import annotations

import ctypes
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from configs.presets import check_preset, layer_fields
from configs.schema import compose_config
from sim.events import log_outside_run
from sim.params import ConfigError
from sim.resources import GIB, check_memory, check_output_folder, estimate_memory
from tests.conftest import SMALL

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "configs"


def refusal(*overrides: str) -> str:
    """The message of the ConfigError composing ``overrides`` must raise."""
    with pytest.raises(ConfigError) as info:
        compose_config(*overrides)
    return str(info.value)


def assert_starts(message: str, field: str) -> None:
    assert message.startswith(f"{field}:"), f"expected the error to name {field!r}, got {message!r}"


def test_duplicate_faction_name_is_refused_naming_both_keys() -> None:
    message = refusal("factions.hts.name=Jaish al-Islam")
    assert_starts(message, "factions.hts.name")
    assert "factions.jaish_al_islam.name" in message, f"expected the other key named: {message!r}"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("factions={}", "factions"),
        # emptied, the towns that need an override or an estimate are named
        ("town_controller_overrides={}", None),
        ("population.town_population_estimates={}", None),
    ],
)
def test_empty_mapping_replaces_instead_of_merging(override: str, field: str | None) -> None:
    if field is not None:
        assert_starts(refusal(override), field)
        return
    key = override.partition("=")[0]
    config = compose_config(override)
    section, _, name = key.rpartition(".")
    value = getattr(getattr(config, section) if section else config, name)
    assert value == {}, f"expected {override} to empty {key}, got {value!r}"


def test_empty_section_override_is_refused() -> None:
    assert_starts(refusal("grid={}"), "grid")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_logistics_key_in_scenario_file_is_refused_naming_key_and_file(tmp_path: Path) -> None:
    path = write(
        tmp_path / "scenario" / "mine.yaml",
        "# @package _global_\ndefaults:\n  - ghouta_2018\nbus_fleet:\n  buses: 3\n",
    )
    with pytest.raises(ConfigError) as info:
        check_preset("scenario", "mine", [tmp_path, CONFIG_DIR])
    assert_starts(str(info.value), "bus_fleet")
    assert str(path) in str(info.value), f"expected the file named, got {info.value}"


def test_logistics_preset_without_root_must_set_every_field(tmp_path: Path) -> None:
    write(
        tmp_path / "logistics" / "bare.yaml",
        "crossings:\n  - {name: W, place: Wafideen crossing}\nbus_fleet: {buses: 5}\n",
    )
    with pytest.raises(ConfigError) as info:
        check_preset("logistics", "bare", [tmp_path, CONFIG_DIR])
    message = str(info.value)
    assert "historical_2018" in message, f"expected the root preset named, got {message!r}"
    for unset in (
        "food.initial_stock_days",
        "reception.screening_hours",
        "bus_fleet.seats_per_bus",
    ):
        assert unset in message, f"expected unset field {unset} listed, got {message!r}"
    assert "bus_fleet.buses," not in message, f"bus_fleet.buses is set, got {message!r}"


def test_shipped_presets_pass_and_the_roots_are_complete() -> None:
    for group in ("scenario", "logistics"):
        for path in sorted((CONFIG_DIR / group).glob("*.yaml")):
            check_preset(group, path.stem, [CONFIG_DIR])  # raises if not
    assert "food.initial_stock_days" in layer_fields("logistics"), "expected food in logistics"
    assert "grid.cell_size_m" in layer_fields("scenario"), "expected grid in the scenario layer"
    assert "seed" not in layer_fields("scenario"), "expected the seed to be a run setting"


def test_the_root_scenario_without_a_field_is_refused(tmp_path: Path) -> None:
    text = (CONFIG_DIR / "scenario" / "ghouta_2018.yaml").read_text()
    assert "\n  walking_speed_m_per_hour: " in text, "expected the root to set the walking speed"
    write(
        tmp_path / "scenario" / "ghouta_2018.yaml",
        "\n".join(
            line for line in text.splitlines() if not line.startswith("  walking_speed_m_per_hour:")
        ),
    )
    with pytest.raises(ConfigError) as info:
        check_preset("scenario", "ghouta_2018", [tmp_path, CONFIG_DIR])
    assert_starts(str(info.value), "civilians.walking_speed_m_per_hour")


def test_empty_mapping_in_an_inheriting_file_is_refused(tmp_path: Path) -> None:
    write(
        tmp_path / "scenario" / "no_overrides.yaml",
        "defaults:\n  - ghouta_2018\ntown_controller_overrides: {}\n",
    )
    with pytest.raises(ConfigError) as info:
        check_preset("scenario", "no_overrides", [tmp_path, CONFIG_DIR])
    assert_starts(str(info.value), "town_controller_overrides")


@pytest.mark.parametrize("date", ["notadate", "2018-02-30", "2018-2-1", ""])
def test_bad_start_date_is_refused(date: str) -> None:
    assert_starts(refusal(f"start_date='{date}'"), "start_date")


def test_missing_sample_file_is_refused(tmp_path: Path) -> None:
    assert_starts(refusal(f"sample.file={tmp_path / 'none.csv'}", "sample.index=0"), "sample.file")
    no_column = write(tmp_path / "design.csv", "row,days\n0,30\n")
    assert_starts(refusal(f"sample.file={no_column}", "sample.index=0"), "sample.file")


def test_events_after_the_run_are_logged_one_line_each(caplog: pytest.LogCaptureFixture) -> None:
    timeline = compose_config().timeline
    days = 5
    with caplog.at_level(logging.INFO, logger="sim.events"):
        lines = log_outside_run(timeline, days)
    late_convoys = [c for c in timeline.convoys if c.day >= days]
    late_notes = [n for n in timeline.notes if n.day >= days]
    assert late_convoys and late_notes, "expected the shipped timeline to reach beyond day 5"
    expected = len(late_convoys) + len(late_notes)
    assert len(lines) >= expected, f"expected >= {expected} lines, got {lines}"
    assert len(caplog.records) == len(lines), "expected one log record per line"
    assert log_outside_run(timeline, 10_000) == [], "expected nothing logged for a long run"


def test_memory_estimate_refuses_huge_runs_showing_the_estimate() -> None:
    default = compose_config()
    assert estimate_memory(default, 60_000).total < 8 * GIB, "expected the default to fit 8 GiB"
    for override in ("bus_fleet.buses=1000000000000", "population.total_people=2000000000"):
        with pytest.raises(ConfigError) as info:
            check_memory(compose_config(override), 60_000, 8.0)
        assert_starts(str(info.value), "limits.memory_budget_gib")
        assert "GiB" in str(info.value), f"expected the estimate shown, got {info.value}"
    with pytest.raises(ConfigError):
        check_memory(default, 10**10, 8.0)  # cells of a 1 m grid


def test_output_folder_not_writable_or_full_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = write(tmp_path / "a_file", "x")
    with pytest.raises(ConfigError) as info:
        check_output_folder(blocker / "run", 1000)
    assert "cannot be written" in str(info.value), f"expected why, got {info.value}"
    check_output_folder(tmp_path / "ok", 1000)  # writable, small: accepted

    class Usage:
        free = 10

    monkeypatch.setattr("sim.resources.shutil.disk_usage", lambda _: Usage)
    with pytest.raises(ConfigError) as info:
        check_output_folder(tmp_path / "ok", 1000)
    assert "free" in str(info.value), f"expected the free space shown, got {info.value}"


# Linux's numbers (linux/capability.h, linux/prctl.h).
CAP_DAC_OVERRIDE = 1
"""Lets root write whatever the permission bits say."""
CAP_FOWNER = 3
PR_CAPBSET_DROP = 24


def _without_root_override() -> None:
    """In the child, before ``exec``: as root, drop the capabilities that ignore permission
    bits from the bounding set, so that the new program, though root, obeys ``chmod``."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), f"prctl(PR_CAPBSET_DROP, {capability})")


def run_in_read_only(*args: str) -> subprocess.CompletedProcess:
    """Run ``args`` in a process for which a folder of mode 0o555 is truly read-only: an
    ordinary user's process, or as root one without the capabilities that bypass the bits."""
    as_root = os.geteuid() == 0
    return subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_without_root_override if as_root else None,
    )


@pytest.fixture
def read_only_folder(tmp_path: Path):
    """An existing, empty folder that the processes of :func:`run_in_read_only` cannot write."""
    if sys.platform != "linux":
        pytest.skip("read-only for root needs Linux's capabilities")
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    probe = run_in_read_only(sys.executable, "-c", f"open({str(folder / 'probe')!r}, 'w')")
    assert probe.returncode != 0 and "PermissionError" in probe.stderr, (
        f"expected {folder} to be read-only for the child process (test setup), but writing "
        f"into it gave exit code {probe.returncode}: {probe.stderr}"
    )
    yield folder
    folder.chmod(0o755)


@pytest.mark.parametrize(
    "command",
    [
        ("hydra.run.dir={folder}",),
        ("-m", "hydra/launcher=basic", "seed=0,1", "hydra.sweep.dir={folder}"),
    ],
    ids=["run", "sweep"],
)
def test_a_read_only_output_folder_is_refused_before_anything_runs(
    read_only_folder: Path, command: tuple[str, ...]
) -> None:
    arguments = [part.format(folder=read_only_folder) for part in command]
    done = run_in_read_only(sys.executable, str(ROOT / "run.py"), *arguments, *SMALL, "days=2")
    log = done.stdout + done.stderr
    assert done.returncode == 2, f"expected exit code 2 (refused), got {done.returncode}:\n{log}"
    expected = f"invalid config: output folder {read_only_folder}: cannot be written"
    assert expected in done.stderr, f"expected {expected!r} in the error:\n{log}"
    assert "Traceback" not in log, f"expected a message, not a traceback:\n{log}"
    assert "model ready" not in log, f"expected no model built:\n{log}"
    left = sorted(p.name for p in read_only_folder.iterdir())
    assert left == [], f"expected nothing written into the folder, found {left}"
