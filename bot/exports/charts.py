"""PNG charts of symptom check-ins and DXA T-scores, drawn for older eyes on a phone screen.

Pure rendering: no Telegram, no database; the only I/O is matplotlib reading its fonts (and
building its font cache the first time it is imported). Figures are made with
``matplotlib.figure.Figure`` on the Agg canvas, never pyplot, so nothing opens a window and no
global figure registry keeps them alive. Handlers call these functions through
``asyncio.to_thread``; matplotlib's shared text and font caches are not documented as
thread-safe, so renders are serialised by a lock (a chart takes well under a second).

Readability: ~800 px wide, large type, dark text on white, the Okabe-Ito colour-blind-safe
palette, and a distinct marker and line style per series so colour is never the only cue.

Bone density bands follow the WHO classification (WHO Study Group, "Assessment of fracture
risk and its application to screening for postmenopausal osteoporosis", WHO Technical Report
Series 843, 1994): normal T >= -1.0; low bone mass (osteopenia) -2.5 < T < -1.0;
osteoporosis T <= -2.5.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from numbers import Real
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from bot.domain.bone_health import NORMAL_FROM, OSTEOPOROSIS_AT_OR_BELOW

SCORE_MIN = 0
SCORE_MAX = 4
# One wording for every PRO-CTCAE scale (frequency, severity, interference), since a chart
# may mix them; the check-in itself shows the library's own labels.
SCORE_LABELS = ("0 none", "1 a little", "2 some", "3 a lot", "4 most")

# Okabe & Ito (2008) colour-blind-safe palette, minus yellow and sky blue (too pale on white).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00")
_MARKERS = ("o", "s", "^", "D", "v", "P")
_LINESTYLES = ("-", "--", "-.", ":", "-", "--")

# Lumbar spine, total hip, femoral neck: the sites a DXA report gives T-scores for.
SITE_LABELS = ("Lumbar spine", "Total hip", "Femoral neck")
SITE_COLOURS = SERIES_COLOURS[:3]

_BAND_COLOURS = {"normal": "#DDEFD9", "osteopenia": "#FCEBC4", "osteoporosis": "#F7D2CC"}
_BAND_LABELS = {
    "normal": "Normal",
    "osteopenia": "Low bone\nmass\n(osteopenia)",
    "osteoporosis": "Osteoporosis",
}

_WIDTH_IN = 8.0
_HEIGHT_IN = 6.0
_LEGEND_ROW_IN = 0.42
_DPI = 100  # 8 in x 100 dpi = 800 px wide
_TITLE_SIZE = 22
_LABEL_SIZE = 18
_TICK_SIZE = 17
_LEGEND_SIZE = 17
_BAND_SIZE = 16
_EMPTY_SIZE = 26
_TEXT_COLOUR = "#111111"
_GRID_COLOUR = "#BBBBBB"
_TITLE_WRAP = 44
_MIN_SPAN = timedelta(days=10)  # so a lone point sits in a week-scale axis, not an hourly one

_render_lock = threading.Lock()


@dataclass(frozen=True)
class SymptomSeries:
    """One symptom attribute's scores over time, for one line of the trend chart."""

    label: str  # e.g. "Aching joints: severity"
    points: Sequence[tuple[datetime, int]]  # (aware datetime of the answer, score 0..4)

    def __post_init__(self) -> None:
        """Reject points the chart could only draw misleadingly (wrong day or off the scale)."""
        points = tuple(self.points)
        for when, score in points:
            if not isinstance(when, datetime) or when.utcoffset() is None:
                raise ValueError(f"{self.label!r}: answer time must be an aware datetime")
            # bool is an int subclass; True must not pass as a score of 1.
            if isinstance(score, bool) or not isinstance(score, int):
                raise ValueError(f"{self.label!r}: score must be an int, not {score!r}")
            if not SCORE_MIN <= score <= SCORE_MAX:
                raise ValueError(f"{self.label!r}: score {score} is outside 0..4")
        object.__setattr__(self, "points", points)


@dataclass(frozen=True)
class TScorePoint:
    """The T-scores one DXA scan reported; a site the report left out is None."""

    scanned_on: date
    lumbar_spine: float | None
    total_hip: float | None
    femoral_neck: float | None

    def __post_init__(self) -> None:
        """Reject values that would silently vanish from or distort the chart."""
        if isinstance(self.scanned_on, datetime) or not isinstance(self.scanned_on, date):
            raise ValueError(f"scanned_on must be a date, not {self.scanned_on!r}")
        # Store plain floats: a Numeric column hands over Decimal, numpy hands over float64.
        for name in ("lumbar_spine", "total_hip", "femoral_neck"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _t_score(value))

    @property
    def t_scores(self) -> tuple[float | None, float | None, float | None]:
        """Return the three sites' T-scores in SITE_LABELS order."""
        return (self.lumbar_spine, self.total_hip, self.femoral_neck)


def symptom_trend_png(series: Sequence[SymptomSeries], *, title: str, zone: ZoneInfo) -> bytes:
    """Draw one line per symptom series over the patient's local dates, as PNG bytes."""
    with _render_lock, _disposing(_symptom_figure(series, title=title, zone=zone)) as figure:
        return _png(figure)


def bone_density_png(points: Sequence[TScorePoint]) -> bytes:
    """Draw T-scores per site over time on the shaded WHO bands, as PNG bytes.

    Bands per WHO 1994 (WHO Technical Report Series 843): normal T >= -1.0, low bone mass
    (osteopenia) -2.5 < T < -1.0, osteoporosis T <= -2.5.
    """
    with _render_lock, _disposing(_bone_density_figure(points)) as figure:
        return _png(figure)


def _symptom_figure(series: Sequence[SymptomSeries], *, title: str, zone: ZoneInfo) -> Figure:
    drawn = [one for one in series if one.points]
    if not drawn:
        return _empty_figure(title, "No check-ins yet")

    figure = _figure(legend_rows=len(drawn))
    axes = figure.add_subplot()
    _style_axes(axes, title)
    all_days: list[date] = []
    for index, one in enumerate(drawn):
        # x is the local calendar day the patient answered on, as the patient remembers it.
        ordered = [
            (when.astimezone(zone).date(), score)
            for when, score in sorted(one.points, key=lambda point: point[0])
        ]
        days = [day for day, _ in ordered]
        all_days.extend(days)
        style = index % len(SERIES_COLOURS)
        axes.plot(
            days,  # type: ignore[arg-type]  # matplotlib's stubs omit dates (a units type)
            [score for _, score in ordered],
            color=SERIES_COLOURS[style],
            marker=_MARKERS[style],
            linestyle=_LINESTYLES[style],
            linewidth=3,
            markersize=11,
            label=_plain(one.label),
        )
    axes.set_ylim(SCORE_MIN - 0.25, SCORE_MAX + 0.25)
    axes.set_yticks(range(SCORE_MIN, SCORE_MAX + 1), SCORE_LABELS)
    axes.grid(axis="y", color=_GRID_COLOUR, linewidth=1)
    _date_axis(axes, min(all_days), max(all_days), _MIN_SPAN)
    _legend(figure)
    return figure


def _bone_density_figure(points: Sequence[TScorePoint]) -> Figure:
    ordered = sorted(points, key=lambda point: point.scanned_on)
    sites = [
        (
            label,
            [(p.scanned_on, t_score) for p in ordered if (t_score := p.t_scores[i]) is not None],
        )
        for i, label in enumerate(SITE_LABELS)
    ]
    drawn = [(i, label, values) for i, (label, values) in enumerate(sites) if values]
    title = "Bone density (T-score)"
    if not drawn:
        return _empty_figure(title, "No scans recorded yet")

    figure = _figure(legend_rows=len(drawn))
    axes = figure.add_subplot()
    _style_axes(axes, title)
    scores = [score for _, _, values in drawn for _, score in values if score is not None]
    low = min(-4.0, math.floor(min(scores) * 2) / 2 - 0.5)
    high = max(2.0, math.ceil(max(scores) * 2) / 2 + 0.5)
    axes.set_ylim(low, high)

    bands = (
        ("normal", NORMAL_FROM, high),
        ("osteopenia", OSTEOPOROSIS_AT_OR_BELOW, NORMAL_FROM),
        ("osteoporosis", low, OSTEOPOROSIS_AT_OR_BELOW),
    )
    for name, bottom, top in bands:
        axes.axhspan(bottom, top, color=_BAND_COLOURS[name], zorder=0, linewidth=0)
    # Band names sit in the right margin, where no line or marker can cover them.
    names = axes.secondary_yaxis("right")
    names.set_yticks([(bottom + top) / 2 for _, bottom, top in bands])
    names.set_yticklabels([_BAND_LABELS[name] for name, _, _ in bands])
    names.tick_params(length=0, labelsize=_BAND_SIZE, colors=_TEXT_COLOUR)
    names.spines["right"].set_visible(False)
    for boundary in (NORMAL_FROM, OSTEOPOROSIS_AT_OR_BELOW):
        axes.axhline(boundary, color="#555555", linewidth=1.5, linestyle="--", zorder=1)

    for index, label, values in drawn:
        axes.plot(
            [day for day, _ in values],  # type: ignore[arg-type]  # as above: dates
            [score for _, score in values],
            color=SITE_COLOURS[index],
            marker=_MARKERS[index],
            linestyle=_LINESTYLES[index],
            linewidth=3,
            markersize=12,
            label=label,
            zorder=3,
        )
    axes.set_ylabel("T-score", fontsize=_LABEL_SIZE, color=_TEXT_COLOUR)
    days = [day for _, _, values in drawn for day, _ in values]
    # Scans are a year or two apart; a lone scan still gets a readable months-wide axis.
    _date_axis(axes, min(days), max(days), timedelta(days=240))
    _legend(figure)
    return figure


@dataclass(frozen=True)
class MarkerSeries:
    """One lab test's results over time, in the test's own unit (values above zero)."""

    label: str  # the test's name, as the caller words it
    unit: str
    points: tuple[tuple[date, float], ...]

    def __post_init__(self) -> None:
        """Reject values a chart would hide or distort."""
        for day, value in self.points:
            if isinstance(day, datetime) or not isinstance(day, date):
                raise ValueError(f"{self.label!r}: a result's date must be a date, not {day!r}")
            if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
                raise ValueError(f"{self.label!r}: a value must be a finite number")
        object.__setattr__(self, "points", tuple(sorted(self.points)))


def bone_markers_png(
    series: Sequence[MarkerSeries], *, span: tuple[date, date] | None = None
) -> bytes:
    """Draw each lab test in a panel of its own (its own unit), on one shared date axis.

    `span` widens the date axis (to the DXA chart's, so the two read side by side). Nothing
    is shaded or marked as high or low: the chart shows the values, the care team reads them.
    """
    with _render_lock, _disposing(_markers_figure(series, span)) as figure:
        return _png(figure)


def _markers_figure(series: Sequence[MarkerSeries], span: tuple[date, date] | None) -> Figure:
    drawn = [one for one in series if one.points]
    title = "Bone markers and vitamin D"
    if not drawn:
        return _empty_figure(title, "No results recorded yet")
    height = 1.2 + 2.4 * len(drawn)
    figure = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI, layout="constrained", facecolor="white")
    figure.suptitle(title, fontsize=_TITLE_SIZE, color=_TEXT_COLOUR, fontweight="bold")
    days = [day for one in drawn for day, _ in one.points]
    first, last = min(days), max(days)
    if span is not None:
        first, last = min(first, span[0]), max(last, span[1])
    panels = figure.subplots(len(drawn), 1, sharex=True, squeeze=False)
    for index, (one, row) in enumerate(zip(drawn, panels, strict=True)):
        axes: Axes = row[0]
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        axes.plot(
            [day for day, _ in one.points],  # type: ignore[arg-type]  # dates, as above
            [value for _, value in one.points],
            color=colour,
            marker=_MARKERS[index % len(_MARKERS)],
            linestyle=_LINESTYLES[index % len(_LINESTYLES)],
            linewidth=3,
            markersize=12,
        )
        values = [value for _, value in one.points]
        low, high = min(values), max(values)
        pad = (high - low) * 0.15 or abs(high) * 0.2 or 1.0
        axes.set_ylim(max(0.0, low - pad), high + pad)
        axes.set_title(
            _plain(f"{one.label} ({one.unit})"), fontsize=_LABEL_SIZE, color=_TEXT_COLOUR
        )
        axes.tick_params(labelsize=_TICK_SIZE, colors=_TEXT_COLOUR, length=6, width=1.5)
        axes.grid(axis="y", color=_GRID_COLOUR, linewidth=1)
        for spine in axes.spines.values():
            spine.set_color(_TEXT_COLOUR)
            spine.set_linewidth(1.5)
    _date_axis(panels[-1][0], first, last, timedelta(days=240))
    return figure


def _t_score(value: float | Decimal) -> float:
    if isinstance(value, bool) or not isinstance(value, Real | Decimal):
        raise ValueError(f"a T-score must be a finite number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a T-score must be a finite number, not {value!r}")
    return number


def _figure(*, legend_rows: int) -> Figure:
    height = _HEIGHT_IN + _LEGEND_ROW_IN * legend_rows
    return Figure(figsize=(_WIDTH_IN, height), dpi=_DPI, layout="constrained", facecolor="white")


def _style_axes(axes: Axes, title: str) -> None:
    axes.set_title(
        textwrap.fill(_plain(title), _TITLE_WRAP),
        fontsize=_TITLE_SIZE,
        color=_TEXT_COLOUR,
        fontweight="bold",
    )
    axes.tick_params(labelsize=_TICK_SIZE, colors=_TEXT_COLOUR, length=6, width=1.5)
    for spine in axes.spines.values():
        spine.set_color(_TEXT_COLOUR)
        spine.set_linewidth(1.5)


def _date_axis(axes: Axes, first: date, last: date, min_span: timedelta) -> None:
    # Few ticks: at 17 pt only about five dates fit across 800 px.
    # matplotlib.dates has no annotations yet, hence the two ignores.
    locator = AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    formatter = ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(formatter)
    axes.xaxis.get_offset_text().set_fontsize(_TICK_SIZE)
    span = last - first
    pad = max((min_span - span) / 2, span * 0.05, timedelta(days=1))
    axes.set_xlim(first - pad, last + pad)  # type: ignore[arg-type]  # dates, as in plot


def _legend(figure: Figure) -> None:
    figure.legend(
        loc="outside lower center",
        ncols=1,
        fontsize=_LEGEND_SIZE,
        frameon=False,
        labelcolor=_TEXT_COLOUR,
        handlelength=3,
    )


def _empty_figure(title: str, message: str) -> Figure:
    figure = _figure(legend_rows=0)
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(
        textwrap.fill(_plain(title), _TITLE_WRAP),
        fontsize=_TITLE_SIZE,
        color=_TEXT_COLOUR,
        fontweight="bold",
    )
    axes.text(
        0.5,
        0.5,
        message,
        transform=axes.transAxes,
        fontsize=_EMPTY_SIZE,
        color=_TEXT_COLOUR,
        horizontalalignment="center",
        verticalalignment="center",
    )
    return figure


def _plain(text: str) -> str:
    # An unescaped pair of "$" would switch matplotlib into mathtext.
    return text.replace("$", r"\$")


@contextmanager
def _disposing(figure: Figure) -> Iterator[Figure]:
    try:
        yield figure
    finally:
        # Drop every artist now rather than whenever the garbage collector gets to the cycle.
        figure.clear()


def _png(figure: Figure) -> bytes:
    canvas = FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # backend_agg has no annotations yet.
    canvas.print_png(buffer, metadata={"Software": None})  # type: ignore[no-untyped-call]
    return buffer.getvalue()
