"""The front kept up to date through captures equals the front found over the whole map."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from sim.model import SiegeModel
from sim.territory import EIGHT_CONNECTED
from tests.conftest import small_config


def test_front_kept_through_captures_equals_the_whole_map_front():
    territory = SiegeModel(small_config("days=1")).territory
    geo = territory.geo
    rng = np.random.default_rng(3)
    for capture in range(60):
        rebel_cells = np.flatnonzero(territory.rebel())
        if rebel_cells.size == 0:
            break
        territory.capture(rng.choice(rebel_cells, size=min(5, rebel_cells.size), replace=False))
        rebel = territory.rebel().reshape(geo.n_rows, geo.n_cols)
        touching = ndimage.binary_dilation(~rebel, structure=EIGHT_CONNECTED)
        expected = (rebel & touching).ravel()
        assert np.array_equal(territory.front(), expected), (
            f"expected the kept front to equal the whole map's after capture {capture}"
        )
