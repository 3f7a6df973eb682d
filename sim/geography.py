"""The static map: a grid of cells with districts, land use, initial control and people.

Cells are stored flat (index ``row * n_cols + col``, row 0 in the north). Controller codes:
``GOVERNMENT = 0``, faction ``k`` (0-based in ``faction_keys``) is code ``k + 1``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
from numba import njit
from numpy.typing import NDArray
from scipy import ndimage
from scipy.spatial import cKDTree

from sim.params import ConfigError, GridParams, SimConfig
from sim.tables import GhoutaData

log = logging.getLogger(__name__)

GOVERNMENT = 0
GOVERNMENT_BASE_KIND = "government_position_inside_enclave"
"""places.csv kind of a government position surrounded by the enclave."""
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True, eq=False)
class Geography:
    """Everything about the map that does not change during a run."""

    n_rows: int
    n_cols: int
    cell_size_m: float
    x_m: NDArray[np.float64]
    y_m: NDArray[np.float64]
    enclave: NDArray[np.bool_]
    district: NDArray[np.int32]
    """Index into ``district_names``; -1 outside the enclave."""
    district_names: tuple[str, ...]
    urban: NDArray[np.bool_]
    controller: NDArray[np.int8]
    """Initial controller of each cell."""
    faction_keys: tuple[str, ...]
    people: NDArray[np.int64]
    """Initial residents of each cell."""
    town_xy_m: dict[str, tuple[float, float]]
    """District (town) centres, used as objectives and start points."""
    place_xy_m: dict[str, tuple[float, float]]
    """Crossings and other named places."""
    place_kinds: dict[str, str] = field(default_factory=dict)
    """Kind of each named place (places.csv ``kind``), where known."""
    lat0: float | None = None
    lon0: float | None = None
    """Origin of the projection (:func:`project`) of ``x_m``/``y_m``; None on hand-built maps."""

    @property
    def n_cells(self) -> int:
        return self.n_rows * self.n_cols

    @property
    def cell_area_km2(self) -> float:
        return self.cell_size_m**2 / 1e6

    def nearest_cell(self, x_m: float, y_m: float, mask: NDArray[np.bool_]) -> int:
        """Flat index of the cell in ``mask`` whose centre is nearest the point."""
        return self.nearest_of(x_m, y_m, np.flatnonzero(mask))

    def nearest_of(self, x_m: float, y_m: float, candidates: NDArray[np.intp]) -> int:
        """The cell of ``candidates`` (ascending flat indices) whose centre is nearest the
        point (the first such, on a tie)."""
        if candidates.size == 0:
            raise ValueError("no candidate cell")
        d2 = (self.x_m[candidates] - x_m) ** 2 + (self.y_m[candidates] - y_m) ** 2
        return int(candidates[np.argmin(d2)])

    def main_district(self, cells: NDArray[np.intp]) -> str:
        """The most populous district among ``cells`` (by initial residents), to name a place;
        "" for no cells."""
        if cells.size == 0:
            return ""
        weights = self.people[cells]
        districts = self.district[cells]
        if weights.sum() == 0:
            return self.district_names[int(np.bincount(districts).argmax())]
        return self.district_names[int(np.bincount(districts, weights=weights).argmax())]

    def point_xy_m(self, name: str) -> tuple[float, float]:
        """Coordinates of a named place, or else of a town (places take precedence)."""
        if name in self.place_xy_m:
            return self.place_xy_m[name]
        if name in self.town_xy_m:
            return self.town_xy_m[name]
        raise KeyError(f"{name!r} is neither a place nor a town of the map")

    def people_near(self, sigma_m: float) -> NDArray[np.float64]:
        """Initial residents around each cell: :attr:`people` smoothed by a Gaussian of
        standard deviation ``sigma_m`` (nothing beyond the map's edge), per cell."""
        grid = self.people.reshape(self.n_rows, self.n_cols).astype(np.float64)
        smooth = ndimage.gaussian_filter(grid, sigma_m / self.cell_size_m, mode="constant")
        return smooth.ravel()

    def cells_within(self, x_m: float, y_m: float, radius_m: float) -> NDArray[np.bool_]:
        """Mask of the cells whose centres are within ``radius_m`` of the point."""
        return (self.x_m - x_m) ** 2 + (self.y_m - y_m) ** 2 <= radius_m**2

    def nearest_within(
        self,
        x_m: float,
        y_m: float,
        radius_m: float,
        allowed: NDArray[np.bool_],
        target_x_m: float,
        target_y_m: float,
    ) -> int:
        """Of the ``allowed`` cells :meth:`cells_within` marks around the point, the one nearest
        the target (the first such, on a tie): ``nearest_of(target, flatnonzero(within &
        allowed))``, in one compiled pass over the rows and columns around the point only (cell
        centres lie on the grid: ``x_m`` by column, ``y_m`` by row)."""
        cell = _nearest_within(
            self.x_m,
            self.y_m,
            self.n_rows,
            self.n_cols,
            allowed,
            x_m,
            y_m,
            radius_m + self.cell_size_m,
            radius_m**2,
            target_x_m,
            target_y_m,
        )
        if cell < 0:
            raise ValueError("no candidate cell")
        return cell

    @classmethod
    def from_grids(
        cls,
        controller: NDArray[np.integer],
        people: NDArray[np.integer],
        faction_keys: tuple[str, ...],
        cell_size_m: float = 100.0,
        urban: NDArray[np.bool_] | None = None,
        district: NDArray[np.integer] | None = None,
        district_names: tuple[str, ...] = ("district",),
        places_rc: dict[str, tuple[int, int]] | None = None,
        towns_rc: dict[str, tuple[int, int]] | None = None,
    ) -> Geography:
        """A hand-built map from 2-D grids (for tests and teaching examples).

        The enclave is every cell not held by the government; ``places_rc`` and ``towns_rc``
        give named points as (row, col) of a cell centre.
        """
        controller = np.asarray(controller, dtype=np.int8)
        n_rows, n_cols = controller.shape
        rows, cols = np.indices((n_rows, n_cols))
        x_m = ((cols + 0.5) * cell_size_m).ravel().astype(np.float64)
        y_m = ((n_rows - rows - 0.5) * cell_size_m).ravel().astype(np.float64)
        enclave = (controller != GOVERNMENT).ravel()
        if district is None:
            district = np.where(enclave, 0, -1).reshape(n_rows, n_cols)

        def xy(rc: tuple[int, int]) -> tuple[float, float]:
            r, c = rc
            return ((c + 0.5) * cell_size_m, (n_rows - r - 0.5) * cell_size_m)

        return cls(
            n_rows=n_rows,
            n_cols=n_cols,
            cell_size_m=cell_size_m,
            x_m=x_m,
            y_m=y_m,
            enclave=enclave,
            district=np.asarray(district, dtype=np.int32).ravel(),
            district_names=district_names,
            urban=(np.zeros_like(enclave) if urban is None else np.asarray(urban).ravel()),
            controller=controller.ravel(),
            faction_keys=faction_keys,
            people=np.asarray(people, dtype=np.int64).ravel(),
            town_xy_m={name: xy(rc) for name, rc in (towns_rc or {}).items()},
            place_xy_m={name: xy(rc) for name, rc in (places_rc or {}).items()},
        )


def project(
    lat: NDArray[np.float64], lon: NDArray[np.float64], lat0: float, lon0: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Local equirectangular projection to metres east/north of (lat0, lon0).

    Over the ~20 km of the map the error against a conformal projection is below 0.1 %.
    """
    k = math.pi / 180 * EARTH_RADIUS_M
    return (lon - lon0) * k * math.cos(math.radians(lat0)), (lat - lat0) * k


def apportion(total: int, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """Split ``total`` people over ``weights`` in whole numbers (largest remainder method)."""
    weights = np.asarray(weights, dtype=np.float64)
    if total == 0 or weights.sum() <= 0:
        if total and weights.sum() <= 0:
            raise ValueError("cannot apportion people over zero weights")
        return np.zeros(weights.shape, dtype=np.int64)
    quotas = total * weights / weights.sum()
    counts = np.floor(quotas).astype(np.int64)
    short = total - int(counts.sum())
    if short:
        order = np.argsort(-(quotas - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


def resolve_controllers(config: SimConfig, data: GhoutaData) -> dict[str, str]:
    """Each town's controlling faction key: the override, else the faction named first."""
    key_of = {faction.name: key for key, faction in config.factions.items()}
    result = {}
    for town in data.towns:
        if town.name in config.town_controller_overrides:
            result[town.name] = config.town_controller_overrides[town.name]
            continue
        first = town.controller.split("+")[0].strip()
        if first not in key_of:
            raise ConfigError(
                f"town_controller_overrides.{town.name}: towns.csv gives controller "
                f"{town.controller!r}, which names no configured faction; add an override"
            )
        result[town.name] = key_of[first]
    return result


def town_populations(config: SimConfig, data: GhoutaData) -> dict[str, float]:
    """2004 census figure where known, else the configured estimate."""
    estimates = config.population.town_population_estimates
    result = {}
    for town in data.towns:
        if town.population_2004 is not None:
            result[town.name] = float(town.population_2004)
        elif town.name in estimates:
            result[town.name] = float(estimates[town.name])
        else:
            raise ConfigError(
                f"population.town_population_estimates.{town.name}: towns.csv has no 2004 "
                "figure for this town, so the config must estimate one"
            )
    return result


def _extent_m(
    grid: GridParams, data: GhoutaData
) -> tuple[float, float, NDArray[np.float64], NDArray[np.float64], tuple[float, ...]]:
    """Projection origin, town coordinates (m) and the map's x_min, x_max, y_min, y_max."""
    lat = np.array([t.lat for t in data.towns])
    lon = np.array([t.lon for t in data.towns])
    lat0, lon0 = float(lat.mean()), float(lon.mean())
    town_x, town_y = project(lat, lon, lat0, lon0)
    pad = grid.enclave_radius_m + grid.margin_m
    box = (town_x.min() - pad, town_x.max() + pad, town_y.min() - pad, town_y.max() + pad)
    return lat0, lon0, town_x, town_y, box


def grid_shape(grid: GridParams, data: GhoutaData) -> tuple[int, int]:
    """Rows and columns of the Ghouta map (cheap: for estimates before building it)."""
    x_min, x_max, y_min, y_max = _extent_m(grid, data)[4]
    cs = grid.cell_size_m
    return math.ceil((y_max - y_min) / cs), math.ceil((x_max - x_min) / cs)


def build_ghouta(config: SimConfig, data: GhoutaData) -> Geography:
    """Rasterise the enclave from the towns table; see docs/ODD.md (Initialisation)."""
    grid = config.grid
    cs = grid.cell_size_m
    lat0, lon0, town_x, town_y, (x_min, _, _, y_max) = _extent_m(grid, data)
    n_rows, n_cols = grid_shape(grid, data)
    rows, cols = np.indices((n_rows, n_cols))
    x_m = (x_min + (cols + 0.5) * cs).ravel()
    y_m = (y_max - (rows + 0.5) * cs).ravel()

    tree = cKDTree(np.column_stack([town_x, town_y]))
    dist_m, nearest = tree.query(np.column_stack([x_m, y_m]))
    near_town = (dist_m <= grid.enclave_radius_m).reshape(n_rows, n_cols)
    k = int(grid.enclave_closing_radius_m // cs)
    if k > 0:
        disk = np.hypot(*np.mgrid[-k : k + 1, -k : k + 1]) <= k
        near_town = ndimage.binary_closing(near_town, structure=disk)
    enclave = ndimage.binary_fill_holes(near_town).ravel()
    district = np.where(enclave, nearest, -1).astype(np.int32)

    populations = town_populations(config, data)
    town_pop = np.array([populations[t.name] for t in data.towns])
    urban_radius_m = np.maximum(
        grid.urban_radius_min_m, grid.urban_radius_m_per_sqrt_person * np.sqrt(town_pop)
    )
    urban = enclave & (dist_m <= urban_radius_m[nearest])

    faction_keys = tuple(config.factions)
    code = {name: k + 1 for k, name in enumerate(faction_keys)}
    town_code = np.array(
        [code[c] for c in resolve_controllers(config, data).values()], dtype=np.int8
    )
    controller = np.where(enclave, town_code[nearest], GOVERNMENT).astype(np.int8)

    place_xy = {}
    for place in data.places:
        px, py = project(np.array(place.lat), np.array(place.lon), lat0, lon0)
        place_xy[place.name] = (float(px), float(py))
        if place.kind == GOVERNMENT_BASE_KIND:
            base = (x_m - px) ** 2 + (y_m - py) ** 2 <= grid.government_base_radius_m**2
            controller[base] = GOVERNMENT

    people = _distribute_people(config, town_pop, district, urban, controller)
    geo = Geography(
        n_rows=n_rows,
        n_cols=n_cols,
        cell_size_m=cs,
        x_m=x_m,
        y_m=y_m,
        enclave=enclave,
        district=district,
        district_names=tuple(t.name for t in data.towns),
        urban=urban,
        controller=controller,
        faction_keys=faction_keys,
        people=people,
        town_xy_m={
            t.name: (float(x), float(y)) for t, x, y in zip(data.towns, town_x, town_y, strict=True)
        },
        place_xy_m=place_xy,
        place_kinds={place.name: place.kind for place in data.places},
        lat0=lat0,
        lon0=lon0,
    )
    log.info(
        "grid %d x %d cells of %.0f m; enclave %.1f km2 (%d cells, %d urban); %d people",
        n_rows,
        n_cols,
        cs,
        enclave.sum() * geo.cell_area_km2,
        enclave.sum(),
        urban.sum(),
        people.sum(),
    )
    return geo


def _distribute_people(
    config: SimConfig,
    town_pop: NDArray[np.float64],
    district: NDArray[np.int32],
    urban: NDArray[np.bool_],
    controller: NDArray[np.int8],
) -> NDArray[np.int64]:
    """Scale town figures to the enclave total, then spread each over its rebel-held cells."""
    per_town = apportion(config.population.total_people, town_pop)
    habitable = controller != GOVERNMENT
    weight = np.where(urban, config.population.urban_density_ratio, 1.0) * habitable
    people = np.zeros(district.shape, dtype=np.int64)
    for k, total in enumerate(per_town):
        cells = np.flatnonzero((district == k) & habitable)
        if total and cells.size == 0:
            raise ConfigError(f"grid: town #{k} has people but no rebel-held cell")
        people[cells] = apportion(int(total), weight[cells])
    return people


@njit(cache=True, nogil=True, boundscheck=False)
def _nearest_within(
    x_m: NDArray[np.float64],
    y_m: NDArray[np.float64],
    n_rows: int,
    n_cols: int,
    allowed: NDArray[np.bool_],
    x: float,
    y: float,
    margin_m: float,
    radius_m2: float,
    target_x: float,
    target_y: float,
) -> int:  # pragma: no cover - compiled (test_geography: against cells_within, nearest_of)
    """:meth:`Geography.nearest_within` (-1 if no cell qualifies): the same window, the same
    squared distances, cells in ascending order, the first least distance kept."""
    best, best_d2 = -1, np.inf
    for r in range(n_rows):
        if abs(y_m[r * n_cols] - y) > margin_m:
            continue
        for c in range(n_cols):
            if abs(x_m[c] - x) > margin_m:
                continue
            i = r * n_cols + c
            dx, dy = x_m[i] - x, y_m[i] - y
            if not (dx * dx + dy * dy <= radius_m2) or not allowed[i]:
                continue
            ex, ey = x_m[i] - target_x, y_m[i] - target_y
            d2 = ex * ex + ey * ey
            if d2 < best_d2:
                best, best_d2 = i, d2
    return best
