"""Stamped disks give the cells that a whole-map distance transform puts within the radius."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from sim.disk_cover import DiskCover


def _within_by_whole_map_transform(
    marked: np.ndarray, shape: tuple[int, int], cell_size_m: float, radius_m: float
) -> np.ndarray:
    if not marked.any():
        return np.zeros(marked.size, dtype=bool)
    grid = ~marked.reshape(shape)
    distance = ndimage.distance_transform_edt(grid, sampling=cell_size_m)
    return (distance <= radius_m).ravel()


def test_stamped_cover_equals_the_distance_transform_as_marks_come_and_go():
    rng = np.random.default_rng(1)
    cases = [
        (100.0, 1500.0),  # the default scenario's cell size and reaches
        (200.0, 1500.0),
        (200.0, 500.0),
        (100.0, 500.0),
        (33.3, 500.0),
        (150.0, 1000.0),
        (66.7, 700.0),
        (50.0, 0.0),
        (120.0, 1e9),  # reaches past the grid
    ]
    stamped_cases = 0
    for cell_size_m, radius_m in cases:
        shape = (int(rng.integers(5, 40)), int(rng.integers(5, 40)))
        cover = DiskCover(*shape, cell_size_m, radius_m)
        stamped_cases += cover.stamps
        marked = np.zeros(shape[0] * shape[1], dtype=bool)
        for hour in range(40):
            flip = rng.random(marked.size) < (0.2 if hour % 10 == 0 else 0.01)
            marked = marked ^ flip
            if hour == 25:
                marked[:] = False
            got = cover.update(marked)
            expected = _within_by_whole_map_transform(marked, shape, cell_size_m, radius_m)
            assert np.array_equal(got, expected), (
                f"expected the cover of {int(marked.sum())} marked cells to equal the distance "
                f"transform's at cell size {cell_size_m} m, radius {radius_m} m, hour {hour} "
                f"(stamped: {cover.stamps})"
            )
    assert stamped_cases >= 6, f"expected most cases to stamp disks, {stamped_cases} did"
