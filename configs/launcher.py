"""The installed command, ``ghouta-sim [overrides]``: ``python run.py`` from any folder.

The wheel installs the project under one package, ``ghouta_siege_sim`` (``sim``,
``configs``, ``experiments`` and ``run.py`` inside it), so that it puts no generic top-level
name (``sim``, ``configs``, ``run``) into site-packages. The code imports them as top-level
names, as in a source checkout: this command puts their folder first on ``sys.path`` for its
own process, then runs ``run.main`` (same overrides, same config, same outputs, written under
the current folder).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
"""The folder holding ``run.py``, ``sim/``, ``configs/`` and ``experiments/``."""


def main() -> None:
    """Run ``run.main`` (Hydra reads the overrides from ``sys.argv``)."""
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    importlib.import_module("run").main()


if __name__ == "__main__":
    main()
