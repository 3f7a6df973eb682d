"""Maps of a run from its territory record: ``map.png`` (key dates) and ``siege.gif`` (daily).

Every cell is coloured by who holds it: each faction its own hue, government ground grey
(darker grey where the enclave was at the start, so the ground taken shows). Within a
faction's ground, lightness shows the people inside on the cell (pale: nobody; dark: the
most crowded, on a log scale fixed for the whole run). Rebel-held cells touching government
ground (the model's front line, ``Territory.front``) are drawn dark: they outline each pocket.
Drawn with matplotlib's non-interactive Agg backend.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

from sim import outcomes as o
from sim.territory_record import TerritoryRecord

FACTION_COLOURS = (
    "tab:green",
    "tab:orange",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:olive",
    "tab:cyan",
    "tab:blue",
)
"""Faction ``k`` (code ``k + 1``) gets colour ``k`` (cycling)."""
GOVERNMENT_RGB = np.array(to_rgb("#c4c4c4"))
"""Government ground that was part of the enclave at the start."""
OUTSIDE_RGB = np.array(to_rgb("#ececec"))
"""Government ground outside the enclave from the start."""
FRONT_RGB = np.array(to_rgb("#2b0a0a"))
CROSSING_COLOUR = "tab:blue"
MAX_PANELS = 8
SHADE_LEVELS = 64
"""Steps of the people-per-cell lightness ramp."""
TOWN_LABELS = 12
"""Towns named on each map panel: the most populous at the start (all get a dot)."""

TOTALS = (
    (o.REMAINING.name, "inside the enclave"),
    (o.LEFT_ENCLAVE_CUM.name, "left the enclave"),
    (o.LEFT_VIA_CROSSING_CUM.name, "  via crossings"),
    (o.LEFT_VIA_FRONT_CUM.name, "  across the front"),
    (o.LEFT_VIA_DEAL_CORRIDOR_CUM.name, "  via deal corridors"),
    (o.LEFT_VIA_MEDEVAC_CUM.name, "  medical evacuation"),
    (o.BUSSED_NORTH_CUM.name, "  bussed north"),
    (o.STAYED_UNDER_GOVERNMENT_CUM.name, "stayed (ground changed hands)"),
    (o.KILLED_CUM.name, "killed"),
)
"""Running totals shown on the animation: time-series column and label."""


def faction_colour(code: int) -> str:
    """Colour of the faction with controller code ``code`` (1, 2, ...)."""
    return FACTION_COLOURS[(code - 1) % len(FACTION_COLOURS)]


# --------------------------------------------------------------------------- rendering
class Renderer:
    """Turns a snapshot into an RGB image (rows x cols x 3) with fixed colours and scale."""

    def __init__(self, record: TerritoryRecord) -> None:
        self.record = record
        n_codes = len(record.controller_names)
        base = np.array([GOVERNMENT_RGB] + [to_rgb(faction_colour(c)) for c in range(1, n_codes)])
        # Colour table: code x shade level. Lightness ramp per code: nobody on the cell ->
        # pale tint, then the faction's colour, most crowded -> dark. Two more codes: ground
        # outside the enclave from the start, and the front line.
        level = np.linspace(0.0, 1.0, SHADE_LEVELS)[None, :, None]
        pale, full, dark = (1.0 - 0.28 * (1.0 - base))[:, None], base[:, None], 0.42 * base[:, None]
        lut = (
            pale
            + (full - pale) * np.minimum(level, 0.5) * 2
            + (dark - full) * np.maximum(level - 0.5, 0.0) * 2
        )
        lut[0] = GOVERNMENT_RGB
        extra = np.broadcast_to(np.array([OUTSIDE_RGB, FRONT_RGB])[:, None], (2, SHADE_LEVELS, 3))
        self._lut = (np.concatenate([lut, extra]) * 255).round().astype(np.uint8)
        self._outside_code, self._front_code = n_codes, n_codes + 1
        initial = record.people[0][record.people[0] > 0]
        self.people_scale = float(np.percentile(initial, 99.5)) if initial.size else 1.0
        """People on a cell drawn darkest (the initial 99.5th percentile)."""
        self.rows, self.cols = _crop(record)
        """The part of the grid drawn: the enclave, crossings and bases, with a margin."""
        self.outside = ~record.enclave[self.rows, self.cols]
        self.shape = self.outside.shape

    def shade(self, people: NDArray[np.integer]) -> NDArray[np.float64]:
        """0 (nobody) .. 1 (``people_scale`` or more), on a log scale."""
        return np.clip(np.log1p(people) / math.log1p(max(self.people_scale, 1.0)), 0.0, 1.0)

    def rgb(self, k: int) -> NDArray[np.uint8]:
        """Snapshot ``k`` of the drawn part of the grid as RGB (rows x cols x 3)."""
        controller = self.record.controller[k, self.rows, self.cols]
        level = self.shade(self.record.people[k, self.rows, self.cols]) * (SHADE_LEVELS - 1)
        code = controller.astype(np.intp)
        code[(controller == 0) & self.outside] = self._outside_code
        code[front_cells(controller)] = self._front_code
        return self._lut[code, level.round().astype(np.intp)]

    def ramp_rgb(self, n: int = 64) -> NDArray[np.float64]:
        """The lightness ramp in a neutral hue, for the people-per-cell key."""
        s = np.linspace(0.0, 1.0, n)
        grey = np.array(to_rgb("#7a7a7a"))
        pale, dark = 1.0 - 0.28 * (1.0 - grey), 0.42 * grey
        lower = pale + (grey - pale) * (np.minimum(s, 0.5) * 2)[:, None]
        return (lower + (dark - grey) * (np.maximum(s - 0.5, 0.0) * 2)[:, None])[None]

    @property
    def extent_km(self) -> tuple[float, float, float, float]:
        x, y = self.record.x_m[self.cols], self.record.y_m[self.rows]
        half = self.record.cell_size_m / 2
        return (
            (x[0] - half) / 1000,
            (x[-1] + half) / 1000,
            (y[-1] - half) / 1000,
            (y[0] + half) / 1000,
        )


def _crop(record: TerritoryRecord, margin_cells: int = 3) -> tuple[slice, slice]:
    """Rows and columns holding the enclave, the crossings and the bases, plus a margin."""
    rows, cols = np.nonzero(record.enclave)
    x = np.concatenate([record.crossing_x_m, record.base_x_m])
    y = np.concatenate([record.crossing_y_m, record.base_y_m])
    size = record.cell_size_m
    cols = np.concatenate([cols, np.floor((x - record.x_m[0]) / size + 0.5).astype(int)])
    rows = np.concatenate([rows, np.floor((record.y_m[0] - y) / size + 0.5).astype(int)])
    if rows.size == 0:
        return slice(None), slice(None)
    n_rows, n_cols = record.enclave.shape
    return (
        slice(max(0, rows.min() - margin_cells), min(n_rows, rows.max() + margin_cells + 1)),
        slice(max(0, cols.min() - margin_cells), min(n_cols, cols.max() + margin_cells + 1)),
    )


def front_cells(controller: NDArray[np.integer]) -> NDArray[np.bool_]:
    """Rebel-held cells touching a government-held cell (8-connected), as in the model."""
    government = controller == 0
    return ndimage.binary_dilation(government, structure=np.ones((3, 3), bool)) & ~government


def pocket_count(controller: NDArray[np.integer]) -> int:
    return int(ndimage.label(controller != 0, structure=np.ones((3, 3), bool))[1])


def _decorate(ax: Axes, record: TerritoryRecord, renderer: Renderer, labels: int) -> None:
    """Towns (dots, the ``labels`` most populous named), crossings and bases."""
    ax.set_xticks([])
    ax.set_yticks([])
    x_min, x_max, y_min, y_max = renderer.extent_km
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    x_town = record.x_m[record.town_col] / 1000
    y_town = record.y_m[record.town_row] / 1000
    ax.plot(x_town, y_town, "o", ms=1.8, color="black", zorder=3)
    by_district = np.bincount(
        record.district[record.enclave], weights=record.people[0][record.enclave]
    )
    district_of_town = record.district[record.town_row, record.town_col]
    town_people = by_district[district_of_town] if by_district.size else np.zeros(x_town.size)
    outline = [pe.withStroke(linewidth=1.6, foreground="white")]
    for i in np.argsort(-town_people, kind="stable")[:labels]:
        east = x_town[i] > x_min + 0.8 * (x_max - x_min)  # label to the left, inside the map
        ax.annotate(
            str(record.town_names[i]),
            (x_town[i], y_town[i]),
            xytext=(-2 if east else 2, 2),
            textcoords="offset points",
            ha="right" if east else "left",
            fontsize=5.5,
            path_effects=outline,
            zorder=4,
        )
    for name, x, y in zip(
        record.crossing_names, record.crossing_x_m, record.crossing_y_m, strict=True
    ):
        ax.plot(x / 1000, y / 1000, "^", ms=6, mfc=CROSSING_COLOUR, mec="black", mew=0.6, zorder=5)
        ax.annotate(
            str(name),
            (x / 1000, y / 1000),
            xytext=(4, -7),
            textcoords="offset points",
            fontsize=5.5,
            color=CROSSING_COLOUR,
            path_effects=outline,
            zorder=5,
        )
    ax.plot(record.base_x_m / 1000, record.base_y_m / 1000, "s", ms=4, mfc="black", mec="white")
    length_km = 5 if x_max - x_min > 12 else 1
    y_bar = y_min + 0.04 * (y_max - y_min)
    x_bar = x_min + 0.04 * (x_max - x_min)
    ax.plot([x_bar, x_bar + length_km], [y_bar, y_bar], color="black", lw=1.5, zorder=5)
    ax.text(x_bar, y_bar + 0.015 * (y_max - y_min), f"{length_km} km", fontsize=5.5)


def _legend_handles(record: TerritoryRecord) -> list:
    names = [str(n) for n in record.controller_names]
    handles: list = [
        Patch(facecolor=faction_colour(code), edgecolor="none", label=names[code])
        for code in range(1, len(names))
    ]
    handles += [
        Patch(facecolor=GOVERNMENT_RGB, edgecolor="none", label="government (taken since start)"),
        Patch(facecolor=OUTSIDE_RGB, edgecolor="0.7", label="government (outside enclave)"),
        Patch(facecolor=FRONT_RGB, edgecolor="none", label="front line (outlines each pocket)"),
        Line2D([], [], ls="", marker="o", ms=3, color="black", label="town"),
        Line2D([], [], ls="", marker="^", ms=6, mfc=CROSSING_COLOUR, mec="black", label="crossing"),
    ]
    if record.base_names.size:
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="s",
                ms=5,
                mfc="black",
                mec="white",
                label=f"government base: {', '.join(str(b) for b in record.base_names)}",
            )
        )
    return handles


def _people_key(fig: plt.Figure, rect: list[float], renderer: Renderer, fontsize: float) -> None:
    """A bar showing the lightness scale in people per cell."""
    key = fig.add_axes(rect)
    key.imshow(renderer.ramp_rgb(), aspect="auto", extent=(0, 1, 0, 1))
    ticks = [p for p in (0, 1, 10, 100, 1000, 10000) if p <= renderer.people_scale]
    key.set_xticks([float(renderer.shade(np.array(p))) for p in ticks])
    key.set_xticklabels([f"{p:,}" for p in ticks], fontsize=fontsize)
    key.set_yticks([])
    key.set_title("people inside per cell (darker: more)", fontsize=fontsize)


# --------------------------------------------------------------------------- key dates
def key_snapshots(
    record: TerritoryRecord, events: pd.DataFrame, max_panels: int = MAX_PANELS
) -> list[tuple[int, str]]:
    """Snapshots to draw and what happened on their day, chosen from the run's events.

    The start and the end always; then the day the ground offensive began and the first
    pocket split; then each deal agreed; then further pocket splits, evenly spread, up to
    ``max_panels``. A chosen day's label lists every one of these events of that day.
    """
    last = record.n_snapshots - 1
    labels: dict[int, list[str]] = defaultdict(list)
    tiers: list[list[int]] = [[0, last], [], [], []]
    labels[0].append("start")
    split_seen = False
    for row in events.itertuples():
        k = min(int(row.day) + 1, last)
        if row.kind == "ground_offensive_begins":
            tiers[1].append(k)
            labels[k].append("ground offensive begins")
        elif row.kind == "pocket_split":
            tiers[3 if split_seen else 1].append(k)
            split_seen = True
            labels[k].append("pocket split")
        elif row.kind == "deal_agreed":
            tiers[2].append(k)
            labels[k].append(f"deal: {row.actor}")
    labels[last].append("end")
    chosen: list[int] = []
    for tier in tiers:
        todo = [k for k in dict.fromkeys(tier) if k not in chosen]
        room = max_panels - len(chosen)
        if len(todo) > room:
            todo = [todo[i] for i in np.linspace(0, len(todo) - 1, room).round().astype(int)]
        chosen.extend(todo)
    return [(k, _label(labels[k])) for k in sorted(set(chosen))]


def _label(items: list[str]) -> str:
    """``["pocket split", "pocket split", "deal: A"]`` -> ``"pocket split x2; deal: A"``."""
    counts = dict.fromkeys(items, 0)
    for item in items:
        counts[item] += 1
    return "; ".join(f"{item} x{n}" if n > 1 else item for item, n in counts.items())


def _date_text(record: TerritoryRecord, k: int) -> str:
    date = pd.Timestamp(record.date[k]).strftime("%d %b %Y")
    when = "start" if record.step[k] < 0 else "end of day"
    return f"{date} (day {int(record.day[k])}, {when})"


# --------------------------------------------------------------------------- map.png
def plot_map(record: TerritoryRecord, events: pd.DataFrame, path: Path, title: str) -> None:
    """Small multiples of the map at the run's key dates (:func:`key_snapshots`)."""
    renderer = Renderer(record)
    panels = key_snapshots(record, events)
    n_cols = min(4, len(panels))
    n_rows = math.ceil(len(panels) / n_cols)
    x_min, x_max, y_min, y_max = renderer.extent_km
    panel_w, title_h, legend_h, suptitle_h = 3.9, 0.5, 0.95, 0.55
    axes_h = panel_w * (y_max - y_min) / (x_max - x_min)
    fig_h = suptitle_h + n_rows * (axes_h + title_h) + legend_h
    fig = plt.figure(figsize=(panel_w * n_cols, fig_h))
    grid = fig.add_gridspec(
        n_rows,
        n_cols,
        left=0.01,
        right=0.99,
        top=1 - (suptitle_h + title_h) / fig_h,
        bottom=legend_h / fig_h,
        wspace=0.03,
        hspace=title_h / axes_h,
    )
    for i, (k, label) in enumerate(panels):
        ax = fig.add_subplot(grid[i // n_cols, i % n_cols])
        ax.imshow(renderer.rgb(k), extent=renderer.extent_km, interpolation="nearest")
        _decorate(ax, record, renderer, TOWN_LABELS)
        ax.set_title(f"{_date_text(record, k)}\n{label}", fontsize=7.5)
        inside = int(record.people[k].sum())
        pockets = pocket_count(record.controller[k])
        ax.text(
            0.98,
            0.98,
            f"{inside:,} inside\n{pockets} pocket{'s' if pockets != 1 else ''}",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=6.5,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5},
        )
    fig.suptitle(
        f"Who holds the ground, and where people are: {title}",
        fontsize=11,
        y=1 - 0.3 / fig_h,
        va="center",
    )
    fig.legend(
        handles=_legend_handles(record),
        loc="lower left",
        bbox_to_anchor=(0.01, 0.0),
        ncol=4,
        fontsize=7,
        frameon=False,
    )
    height = fig.get_figheight()
    _people_key(fig, [0.78, 0.45 / height, 0.2, 0.18 / height], renderer, 6.5)
    fig.savefig(path, dpi=110, format="png")
    plt.close(fig)


# --------------------------------------------------------------------------- siege.gif
GIF_SIZE_IN = (7.6, 4.4)
GIF_DPI = 80
GIF_MAP_RECT = (0.01, 0.02, 0.58, 0.86)
"""Figure-fraction rectangle of the map in each animation frame."""
GIF_FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
"""DejaVu fonts shipped with matplotlib, for the texts that change from frame to frame."""


def animate_siege(
    record: TerritoryRecord, ts: pd.DataFrame, path: Path, title: str, fps: float = 4.0
) -> int:
    """One frame per snapshot (start, then each day's end): the map, the date and running
    totals from the time series. Returns the number of frames.

    Built for speed: matplotlib draws what never changes once (title, legend, key; then the
    towns, crossings, base and scale bar on a transparent layer); each frame is composed in
    numpy (the map's cells scaled to their pixels, the layer laid over them) and its two
    texts written with Pillow. All frames share one palette. A GIF whatever ``path``'s
    suffix (atomic writes use a temporary name).
    """
    renderer = Renderer(record)
    totals = _daily_totals(record, ts)
    background, overlay, (top, left, height, width) = _static_layers(record, renderer, title)
    size_px = background.shape[1], background.shape[0]
    font_px = round(9 * GIF_DPI / 72)
    date_font = ImageFont.truetype(str(GIF_FONT / "DejaVuSans.ttf"), font_px)
    totals_font = ImageFont.truetype(str(GIF_FONT / "DejaVuSansMono.ttf"), font_px - 2)
    totals_xy = (0.61 * size_px[0], 0.14 * size_px[1])
    labels = Image.fromarray(background)
    ImageDraw.Draw(labels).multiline_text(
        totals_xy, "\n".join(label for _, label in TOTALS), font=totals_font, fill=(0, 0, 0)
    )
    background = np.asarray(labels)
    numbers_xy = (totals_xy[0] + totals_font.getlength("x" * 30), totals_xy[1])
    # The decorations' layer touches few pixels: lay it over those only.
    box = (slice(top, top + height), slice(left, left + width))
    alpha = overlay[box][..., 3] / 255.0
    drawn = np.nonzero(alpha > 0)
    over = overlay[box][..., :3][drawn] * alpha[drawn][:, None]
    keep = 1.0 - alpha[drawn][:, None]
    n_rows, n_cols = renderer.shape
    row_of_pixel = ((np.arange(height) + 0.5) * n_rows / height).astype(np.intp)
    col_of_pixel = ((np.arange(width) + 0.5) * n_cols / width).astype(np.intp)
    cell_of_pixel = row_of_pixel[:, None] * n_cols + col_of_pixel[None, :]
    frames = []
    for k in range(record.n_snapshots):
        frame = background.copy()
        pixels = renderer.rgb(k).reshape(-1, 3)[cell_of_pixel]
        pixels[drawn] = (pixels[drawn] * keep + over).round()
        frame[box] = pixels
        image = Image.fromarray(frame)
        draw = ImageDraw.Draw(image)
        pockets = pocket_count(record.controller[k])
        draw.text(
            (0.01 * size_px[0], 0.09 * size_px[1]),
            f"{_date_text(record, k)}: {pockets} pocket{'s' if pockets != 1 else ''}",
            font=date_font,
            fill=(0, 0, 0),
            anchor="lm",
        )
        draw.multiline_text(
            numbers_xy,
            "\n".join(f"{totals[k][column]:>9,}" for column, _ in TOTALS),
            font=totals_font,
            fill=(0, 0, 0),
        )
        frames.append(image)
    sample = np.concatenate([np.asarray(f) for f in frames[:: max(1, len(frames) // 6)]])
    palette = Image.fromarray(sample).quantize(256, method=Image.Quantize.FASTOCTREE)
    indexed = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
    indexed[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=indexed[1:],
        duration=round(1000 / fps),
        loop=0,
    )
    return len(frames)


def _static_layers(
    record: TerritoryRecord, renderer: Renderer, title: str
) -> tuple[NDArray[np.uint8], NDArray[np.float64], tuple[int, int, int, int]]:
    """An animation frame's unchanging background (RGB, map left blank), the map's
    decorations on a transparent layer (RGBA) and the map's pixel box (top, left, height,
    width)."""
    fig = plt.figure(figsize=GIF_SIZE_IN, dpi=GIF_DPI)
    fig.text(0.01, 0.955, title, fontsize=9, weight="bold", va="center")
    fig.legend(
        handles=_legend_handles(record),
        loc="lower left",
        bbox_to_anchor=(0.6, 0.15),
        fontsize=6,
        frameon=False,
        handlelength=1.2,
    )
    _people_key(fig, [0.62, 0.07, 0.34, 0.035], renderer, 6)
    fig.canvas.draw()
    background = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)

    fig = plt.figure(figsize=GIF_SIZE_IN, dpi=GIF_DPI)
    fig.patch.set_alpha(0.0)
    ax = fig.add_axes(GIF_MAP_RECT)
    ax.patch.set_alpha(0.0)
    ax.set_aspect("equal")
    _decorate(ax, record, renderer, TOWN_LABELS)
    fig.canvas.draw()
    overlay = np.asarray(fig.canvas.buffer_rgba()).astype(np.float64)
    box = ax.get_window_extent()
    plt.close(fig)
    height_px = background.shape[0]
    top, left = round(height_px - box.y1), round(box.x0)
    return background, overlay, (top, left, round(box.y1) - round(box.y0), round(box.x1) - left)


def _daily_totals(record: TerritoryRecord, ts: pd.DataFrame) -> list[dict[str, int]]:
    """The :data:`TOTALS` at each snapshot: the time series at its step; nothing has moved
    yet in the initial state."""
    out = []
    for step in record.step:
        if step < 0:
            row = dict.fromkeys((c for c, _ in TOTALS), 0)
            row["remaining"] = int(record.people[0].sum())
        else:
            at = ts.iloc[int(step)]
            row = {column: int(at[column]) for column, _ in TOTALS}
        out.append(row)
    return out
