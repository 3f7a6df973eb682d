"""What every figure shares: date ticks, titles, the 5-95% band and empty panels.

One convention for the run figures (:mod:`sim.plots`) and the experiments' figures
(``experiments/sweep_report.py``, ``experiments/compare_scenarios.py``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from sim.clock import HOURS_PER_DAY

DATE_TICKS_AT_MOST = 9
"""Major date ticks on an axis: one every day, or every few days so that no more show."""

DATE_FORMAT = "%d %b"
"""A major tick's label: ``25 Feb``."""

HOURS_TICKED = (6, 12, 18)
"""Minor ticks of an axis that spans a few days (major ticks at midnight)."""

BAND_QUANTILES = (0.05, 0.95)
"""The band drawn around a mean across runs: the 5th to the 95th percentile, everywhere."""

BAND_WORDS = "5-95% band"
"""How titles name :data:`BAND_QUANTILES`."""

TITLE_WIDTH_CHARS = 110
"""Titles longer than this wrap onto further lines."""


def date_axis(
    ax: Axes,
    start: pd.Timestamp,
    end: pd.Timestamp,
    at_most: int = DATE_TICKS_AT_MOST,
    minor: bool = True,
) -> None:
    """Readable date ticks from ``start`` to ``end`` on any run length: one major tick a day
    at midnight, or every ``n`` days (counted from ``start``) so that at most ``at_most``
    show (fewer on narrow panels); each labelled once (``25 Feb``), never the same date
    twice. Spans of a few days get minor ticks at :data:`HOURS_TICKED`. The axis spans
    ``start`` to ``end``, or one day from ``start`` if ``end`` is not later (a run's single
    point: an empty span would make matplotlib widen it by years and tick every hour of them).
    ``minor=False``: no minor ticks (see :func:`date_axes`)."""
    end = max(pd.Timestamp(end), pd.Timestamp(start) + pd.Timedelta(days=1))
    first = pd.Timestamp(start).normalize()
    days = max(1, math.ceil((pd.Timestamp(end) - first) / pd.Timedelta(days=1)))
    every = max(1, math.ceil((days + 1) / at_most))
    ticks = pd.date_range(first, periods=days // every + 1, freq=f"{every}D")
    ax.xaxis.set_major_locator(_fixed_dates(ticks))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(DATE_FORMAT))
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp(end))
    # Minor ticks at fixed dates, not matplotlib's rrule locators: the same ticks, without
    # stepping through every day of the span each time an axis is drawn or measured.
    if not minor:
        ax.xaxis.set_minor_locator(NullLocator())
    elif every == 1 and days < at_most:
        hours = pd.date_range(first, periods=days * HOURS_PER_DAY, freq="h")
        ax.xaxis.set_minor_locator(_fixed_dates(hours[hours.hour.isin(HOURS_TICKED)]))
    else:
        ax.xaxis.set_minor_locator(_fixed_dates(pd.date_range(first, periods=days + 1, freq="D")))


def _fixed_dates(dates: pd.DatetimeIndex) -> FixedLocator:
    """Ticks at ``dates`` and nowhere else."""
    return FixedLocator(mdates.date2num(dates.to_pydatetime()))


def date_axes(
    column: Sequence[Axes],
    start: pd.Timestamp,
    end: pd.Timestamp,
    at_most: int = DATE_TICKS_AT_MOST,
) -> None:
    """:func:`date_axis` on a column of panels over the same dates, top to bottom: each
    panel gets the major ticks; only the bottom one labels them and has the minor ticks.

    matplotlib keeps an object for every tick of every panel and updates each one at every
    draw: the daily minor ticks of the logistics dashboard's eight panels took about 40% of
    its time. The panels must not share their x axis (a shared axis has one set of ticks for
    all)."""
    for ax in column:
        shared = ax.get_shared_x_axes().get_siblings(ax)
        if any(other in column and other is not ax for other in shared):
            raise ValueError("date_axes: the panels of a column must not share their x axis")
    *upper, bottom = column
    for ax in upper:
        date_axis(ax, start, end, at_most, minor=False)
        ax.tick_params(axis="x", labelbottom=False)
    date_axis(bottom, start, end, at_most)


def run_title(what: str, scenario: str, logistics: str = "", overrides: Sequence[str] = ()) -> str:
    """``<what>: <scenario>, <logistics> logistics`` then the run's overrides (wrapped at
    :data:`TITLE_WIDTH_CHARS`); ``overrides`` are ``key=value`` strings as typed, less those
    of :data:`NOT_LISTED`."""
    text = f"{what}: {run_label(scenario, logistics, overrides)}"
    return "\n".join(textwrap.wrap(text, TITLE_WIDTH_CHARS, break_on_hyphens=False))


def run_label(scenario: str, logistics: str = "", overrides: Sequence[str] = ()) -> str:
    """``<scenario>, <logistics> logistics (<overrides>)`` on one line: what ran, less the
    overrides of :data:`NOT_LISTED`."""
    head = scenario + (f", {logistics} logistics" if logistics else "")
    rest = [o for o in overrides if not o.lstrip("+~").startswith(NOT_LISTED)]
    return head + (f" ({', '.join(rest)})" if rest else "")


NOT_LISTED = ("scenario=", "logistics=", "output.", "hydra.")
"""Overrides :func:`run_title` leaves out: named in its head already, or how to report (not
what ran)."""


def mean_and_band(values: pd.core.groupby.SeriesGroupBy) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Mean, 5th and 95th percentile (:data:`BAND_QUANTILES`) of each group: the curves
    across runs that the experiments' figures draw."""
    low, high = BAND_QUANTILES
    return values.mean(), values.quantile(low), values.quantile(high)


def draw_band(
    ax: Axes, values: pd.core.groupby.SeriesGroupBy, label: str, scale: float = 1.0
) -> None:
    """The mean of ``values`` (grouped by the x axis) as a line, its 5-95% band shaded in
    the line's colour; everything divided by ``scale``."""
    mean, low, high = mean_and_band(values)
    (line,) = ax.plot(mean.index, mean.to_numpy() / scale, label=label)
    ax.fill_between(
        mean.index,
        low.to_numpy() / scale,
        high.to_numpy() / scale,
        color=line.get_color(),
        alpha=0.2,
        linewidth=0,
    )


def counts_axis(ax: Axes, empty_text: str = "none in any run") -> None:
    """A panel of counts starts at 0; one where every value is 0 says so, scaled 0-1 (not
    matplotlib's ±0.04 around a flat line)."""
    values = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    values = [v[np.isfinite(v)] for v in values]
    if not any(v.size and v.max() > 0 for v in values):
        ax.set_ylim(0, 1)
        ax.text(
            0.5, 0.5, empty_text, transform=ax.transAxes, ha="center", va="center", color="grey"
        )
    else:
        highest = max(float(v.max()) for v in values if v.size)
        ax.set_ylim(0, max(ax.get_ylim()[1], 1.05 * highest))  # a flat top line stays seen


def save_tight_png(fig: Figure, path: Path, dpi: float) -> None:
    """``fig.tight_layout()``, then write ``fig`` to ``path`` as a PNG at ``dpi``.

    ``tight_layout`` leaves a placeholder layout engine on the figure, and ``savefig`` draws
    a figure that has a layout engine a whole extra time (without rendering) before drawing
    it for real. The placeholder lays nothing out, so it is taken off first (``None``: the
    default of matplotlib's settings, no engine): the same pixels, one pass over every
    artist fewer (about a fifth of the time of a figure with many panels and date ticks)."""
    fig.tight_layout()
    fig.set_layout_engine(None)
    fig.savefig(path, format="png", dpi=dpi)
