"""The line every benchmark report starts with: versions, machine, BLAS settings and load."""

from __future__ import annotations

import os
import platform

import mesa
import numpy as np
import scipy


def describe_machine() -> str:
    """Python, numpy, scipy and Mesa versions; the CPU architecture and cores; any BLAS/OpenMP
    environment variables; and the load average (timings on a shared machine are inflated)."""
    blas = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP", "MKL"))}
    return (
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Mesa {mesa.__version__}; {platform.machine()}, {os.cpu_count()} cores; "
        f"BLAS environment {blas or 'unset'}; load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine)"
    )
