"""A non-editable install works outside the source tree (issue 10).

Builds the project into a fresh virtual environment (``--system-site-packages``, so that the
dependencies are not installed again; the build itself fetches setuptools as any
``pip install .`` does), then runs the console script ``ghouta-sim`` with ``days=2`` and
reduced overrides from an empty folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "run.py", "sim", "configs", "experiments")
"""What the wheel is built from, copied so that the build leaves nothing in the checkout."""

REDUCED = (
    "days=2",
    "population.total_people=5000",
    "grid.cell_size_m=400",
    "faction_dynamics.min_pocket_cells=3",
    "output.progress_bar=false",
    "output.plots=false",
)


def _run(command: list[str], cwd: Path, timeout_s: float = 120) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout_s
    )
    assert done.returncode == 0, (
        f"expected {' '.join(command)} to succeed; exit {done.returncode}\n"
        f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.mark.slow
def test_wheel_console_script_runs_from_another_folder(tmp_path: Path) -> None:
    source = tmp_path / "source"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    # Non-editable; --force-reinstall: the project may already be installed (editable)
    # in the system site-packages this environment sees.
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--force-reinstall",
            str(source),
        ],
        cwd=tmp_path,
        timeout_s=300,
    )
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            cwd=tmp_path,
        ).strip()
    )
    installed = sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info"))
    for generic in ("sim", "configs", "experiments", "run.py"):
        assert generic not in installed, (
            f"expected no top-level {generic!r} in site-packages (all under ghouta_siege_sim), "
            f"found {installed}"
        )
    assert (
        site / "ghouta_siege_sim" / "configs" / "logistics" / "historical_2018.yaml"
    ).exists(), "expected the logistics configs installed as package data"
    assert list((site / "ghouta_siege_sim" / "experiments" / "problems").glob("*.yaml")), (
        "expected experiments/problems/*.yaml installed as package data"
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run([str(bin_dir / "ghouta-sim"), *REDUCED], cwd=elsewhere)
    summaries = list((elsewhere / "outputs").glob("ghouta_2018/historical_2018/*/*/summary.json"))
    assert len(summaries) == 1, (
        f"expected one default-scenario run folder under {elsewhere / 'outputs'}, found {summaries}"
    )
    summary = json.loads(summaries[0].read_text(encoding="utf-8"))
    assert summary["days"] == 2, f"expected the override days=2 applied, got {summary['days']}"
    assert (summaries[0].parent / "timeseries.csv").exists(), "expected the run's tables"
    # The command ran the installed copy, not a checkout or another installed project.
    where = _run(
        [
            str(python),
            "-c",
            "import sys; from ghouta_siege_sim.configs import launcher; "
            "sys.path.insert(0, str(launcher.PROJECT_DIR)); import sim, configs; "
            "print(sim.__file__); print(configs.__file__)",
        ],
        cwd=elsewhere,
    )
    for line in where.split():
        assert Path(line).is_relative_to(site / "ghouta_siege_sim"), (
            f"expected the installed package's modules, got {line}"
        )
