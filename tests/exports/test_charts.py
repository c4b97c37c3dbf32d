"""Charts: real PNGs decoded back, the WHO bands, input checks and local-date x values."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from bot.domain.bone_health import NORMAL_FROM, OSTEOPOROSIS_AT_OR_BELOW, classify
from bot.exports.charts import (
    SCORE_LABELS,
    SERIES_COLOURS,
    SITE_COLOURS,
    SymptomSeries,
    TScorePoint,
    _bone_density_figure,
    _symptom_figure,
    bone_density_png,
    symptom_trend_png,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
NEW_YORK = ZoneInfo("America/New_York")
START = datetime(2027, 1, 4, 18, 30, tzinfo=UTC)


def weekly(label: str, scores: list[int], offset: int = 0) -> SymptomSeries:
    """Build a series answered once a week from START."""
    return SymptomSeries(
        label, [(START + timedelta(weeks=i, days=offset), s) for i, s in enumerate(scores)]
    )


SCANS = [
    TScorePoint(date(2023, 3, 1), -1.8, -1.2, -2.0),
    TScorePoint(date(2025, 3, 10), -2.3, -1.5, None),
    TScorePoint(date(2027, 4, 1), -2.7, -1.6, -2.6),
]


def decode(png: bytes) -> Image.Image:
    """Decode PNG bytes fully, so a truncated or corrupt file fails here."""
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image.convert("RGB")


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    """Return the distinct pixel colours of an image."""
    return {colour for _, colour in image.getcolors(maxcolors=image.width * image.height)}


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """Return a colour as 8-bit RGB, as Agg writes it into solid line and marker pixels."""
    red, green, blue = to_rgb(hex_colour)
    return round(red * 255), round(green * 255), round(blue * 255)


def dark_pixels(image: Image.Image) -> int:
    """Count near-black pixels: the text."""
    counts = image.getcolors(maxcolors=image.width * image.height)
    return sum(count for count, colour in counts if max(colour) < 80)


def texts(figure: Figure) -> set[str]:
    """Return every piece of text a rendered figure shows."""
    FigureCanvasAgg(figure).draw()
    return {text.get_text() for text in figure.findobj(Text) if text.get_text()}


def assert_readable_size(image: Image.Image) -> None:
    assert image.width >= 600
    assert image.height >= 400
    assert image.width <= 1000  # drawn for ~800 px; bigger would shrink the type on a phone


# -- symptom trend ------------------------------------------------------------------------


def test_trend_renders_every_series_in_its_own_colour() -> None:
    series = [
        weekly("Aching joints: severity", [0, 1, 3, 4, 2, 1]),
        weekly("Aching joints: interference", [1, 2, 2, 3, 1, 0]),
        weekly("Hot flashes: frequency", [4, 3, 2, 2, 1, 1], offset=1),
    ]
    image = decode(symptom_trend_png(series, title="Your weekly check-ins", zone=LONDON))

    assert_readable_size(image)
    found = colours(image)
    assert len(found) > 100  # antialiased lines, markers and text, not a blank canvas
    for colour in SERIES_COLOURS[:3]:
        assert rgb(colour) in found
    assert rgb(SERIES_COLOURS[3]) not in found


def test_trend_with_a_single_point_draws_its_marker() -> None:
    series = [SymptomSeries("Aching joints: severity", [(START, 2)])]
    image = decode(symptom_trend_png(series, title="Check-ins", zone=LONDON))

    assert_readable_size(image)
    assert rgb(SERIES_COLOURS[0]) in colours(image)


@pytest.mark.parametrize("series", [[], [SymptomSeries("Aching joints: severity", [])]])
def test_trend_without_answers_is_a_valid_png_saying_so(series: list[SymptomSeries]) -> None:
    image = decode(symptom_trend_png(series, title="Your weekly check-ins", zone=LONDON))

    assert_readable_size(image)
    assert dark_pixels(image) > 500
    assert rgb(SERIES_COLOURS[0]) not in colours(image)
    shown = texts(_symptom_figure(series, title="Your weekly check-ins", zone=LONDON))
    assert "No check-ins yet" in shown


def test_trend_y_axis_is_labelled_zero_to_four() -> None:
    figure = _symptom_figure([weekly("Nausea: severity", [0, 4])], title="t", zone=LONDON)
    (axes,) = figure.axes

    assert [label.get_text() for label in axes.get_yticklabels()] == list(SCORE_LABELS)
    assert list(axes.get_yticks()) == [0, 1, 2, 3, 4]
    low, high = axes.get_ylim()
    assert low < 0  # markers at 0 and 4 are not cut in half
    assert high > 4


@pytest.mark.parametrize(
    ("zone", "expected"),
    [(AUCKLAND, date(2027, 3, 2)), (NEW_YORK, date(2027, 3, 1)), (LONDON, date(2027, 3, 1))],
)
def test_trend_x_is_the_local_date_of_the_answer(zone: ZoneInfo, expected: date) -> None:
    answered = datetime(2027, 3, 1, 23, 30, tzinfo=UTC)
    figure = _symptom_figure([SymptomSeries("Nausea", [(answered, 1)])], title="t", zone=zone)
    (line,) = figure.axes[0].get_lines()

    assert list(line.get_xdata()) == [expected]


def test_trend_sorts_points_by_time() -> None:
    points = [(START + timedelta(weeks=2), 3), (START, 1), (START + timedelta(weeks=1), 2)]
    figure = _symptom_figure([SymptomSeries("Nausea", points)], title="t", zone=LONDON)
    (line,) = figure.axes[0].get_lines()

    assert list(line.get_ydata()) == [1, 2, 3]


def test_trend_shows_dollar_signs_literally() -> None:
    # Read as mathtext, r"$\frac$" is a parse error that would fail the render.
    label = r"Pain $\frac$ in dollars: severity"
    title = r"Costs $\frac$ and $6"
    png = symptom_trend_png([weekly(label, [1, 2])], title=title, zone=LONDON)

    assert_readable_size(decode(png))
    empty = symptom_trend_png([], title=title, zone=LONDON)
    assert_readable_size(decode(empty))


@pytest.mark.parametrize("score", [-1, 5, 10])
def test_scores_outside_zero_to_four_are_rejected(score: int) -> None:
    with pytest.raises(ValueError, match=r"outside 0\.\.4"):
        SymptomSeries("Nausea", [(START, 1), (START + timedelta(weeks=1), score)])


@pytest.mark.parametrize("score", [True, 2.0, "2", None])
def test_scores_that_are_not_ints_are_rejected(score: object) -> None:
    with pytest.raises(ValueError, match="must be an int"):
        SymptomSeries("Nausea", [(START, score)])  # type: ignore[list-item]


def test_naive_answer_times_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        SymptomSeries("Nausea", [(datetime(2027, 1, 4, 18, 30), 1)])  # noqa: DTZ001


def test_answer_dates_without_a_time_are_rejected() -> None:
    with pytest.raises(ValueError, match="aware datetime"):
        SymptomSeries("Nausea", [(date(2027, 1, 4), 1)])  # type: ignore[list-item]


def test_series_points_are_frozen_into_a_tuple() -> None:
    points = [(START, 1)]
    series = SymptomSeries("Nausea", points)
    points.append((START, 5))

    assert series.points == ((START, 1),)


# -- bone density -------------------------------------------------------------------------


def test_bone_density_draws_every_site_over_the_who_bands() -> None:
    image = decode(bone_density_png(SCANS))

    assert_readable_size(image)
    found = colours(image)
    assert len(found) > 100
    for colour in SITE_COLOURS:
        assert rgb(colour) in found
    band_pixels = {"#DDEFD9", "#FCEBC4", "#F7D2CC"}
    assert {rgb(colour) for colour in band_pixels} <= found


def test_bone_density_labels_the_bands_and_the_sites() -> None:
    shown = texts(_bone_density_figure(SCANS))

    assert {"Normal", "Osteoporosis", "Lumbar spine", "Total hip", "Femoral neck"} <= shown
    assert any("osteopenia" in text for text in shown)


def test_bone_density_bands_meet_at_the_who_thresholds() -> None:
    axes = _bone_density_figure(SCANS).axes[0]
    low, high = axes.get_ylim()
    bands = []
    for patch in axes.patches:
        # Vertices in the band's own (axes x, data y) coordinates, whatever the patch type.
        corners = patch.get_patch_transform().transform(patch.get_path().vertices)
        bands.append((min(corners[:, 1]), max(corners[:, 1])))

    assert sorted(bands) == [
        (low, OSTEOPOROSIS_AT_OR_BELOW),
        (OSTEOPOROSIS_AT_OR_BELOW, NORMAL_FROM),
        (NORMAL_FROM, high),
    ]
    lines_at = {tuple(line.get_ydata()) for line in axes.get_lines()}
    assert (NORMAL_FROM, NORMAL_FROM) in lines_at
    assert (OSTEOPOROSIS_AT_OR_BELOW, OSTEOPOROSIS_AT_OR_BELOW) in lines_at


def test_bone_density_y_range_is_at_least_minus_four_to_plus_two() -> None:
    low, high = _bone_density_figure(SCANS).axes[0].get_ylim()

    assert low <= -4.0
    assert high >= 2.0


def test_bone_density_y_range_expands_to_fit_the_data() -> None:
    scans = [TScorePoint(date(2024, 1, 1), -4.7, None, 2.6)]
    low, high = _bone_density_figure(scans).axes[0].get_ylim()

    assert low < -4.7
    assert high > 2.6


def test_bone_density_single_scan_draws_markers() -> None:
    scans = [TScorePoint(date(2025, 3, 10), -2.3, None, None)]
    image = decode(bone_density_png(scans))

    assert_readable_size(image)
    found = colours(image)
    assert rgb(SITE_COLOURS[0]) in found
    assert rgb(SITE_COLOURS[1]) not in found
    (line,) = _bone_density_figure(scans).axes[0].get_lines()[2:]  # after the two thresholds
    assert line.get_marker() != "None"


def test_bone_density_sorts_scans_and_skips_missing_sites() -> None:
    figure = _bone_density_figure(list(reversed(SCANS)))
    neck = next(line for line in figure.axes[0].get_lines() if line.get_label() == "Femoral neck")

    assert list(neck.get_xdata()) == [date(2023, 3, 1), date(2027, 4, 1)]
    assert list(neck.get_ydata()) == [-2.0, -2.6]


@pytest.mark.parametrize(
    "scans", [[], [TScorePoint(date(2025, 3, 10), None, None, None)]], ids=["none", "blank"]
)
def test_bone_density_without_scores_is_a_valid_png_saying_so(scans: list[TScorePoint]) -> None:
    image = decode(bone_density_png(scans))

    assert_readable_size(image)
    assert dark_pixels(image) > 500
    assert rgb(SITE_COLOURS[0]) not in colours(image)
    assert "No scans recorded yet" in texts(_bone_density_figure(scans))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "-1.5"])
def test_t_scores_that_are_not_finite_numbers_are_rejected(value: object) -> None:
    with pytest.raises(ValueError, match="finite number"):
        TScorePoint(date(2025, 3, 10), value, None, None)  # type: ignore[arg-type]


def test_t_scores_from_a_database_or_numpy_are_stored_as_floats() -> None:
    point = TScorePoint(date(2025, 3, 10), Decimal("-2.5"), numpy.float64(-1.2), -3)

    assert point.t_scores == (-2.5, -1.2, -3.0)
    assert all(type(value) is float for value in point.t_scores)
    assert classify(Decimal("-2.5")) == "osteoporosis"


def test_scan_dates_with_a_time_are_rejected() -> None:
    with pytest.raises(ValueError, match="must be a date"):
        TScorePoint(datetime(2025, 3, 10, tzinfo=UTC), -1.0, None, None)


# -- WHO category -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t_score", "category"),
    [
        (2.0, "normal"),
        (0, "normal"),
        (-1.0, "normal"),
        (-1.01, "osteopenia"),
        (-2.0, "osteopenia"),
        (-2.49, "osteopenia"),
        (-2.5, "osteoporosis"),
        (-3.8, "osteoporosis"),
    ],
)
def test_who_category_boundaries(t_score: float, category: str) -> None:
    assert classify(t_score) == category


def test_who_thresholds_are_the_1994_values() -> None:
    assert NORMAL_FROM == -1.0
    assert OSTEOPOROSIS_AT_OR_BELOW == -2.5


# -- threads ------------------------------------------------------------------------------


def test_charts_render_identically_from_worker_threads() -> None:
    series = [weekly("Aching joints: severity", [0, 1, 3, 4, 2, 1])]
    expected_trend = symptom_trend_png(series, title="Check-ins", zone=LONDON)
    expected_scans = bone_density_png(SCANS)

    with ThreadPoolExecutor(max_workers=4) as pool:
        trends = [
            pool.submit(symptom_trend_png, series, title="Check-ins", zone=LONDON)
            for _ in range(4)
        ]
        scans = [pool.submit(bone_density_png, SCANS) for _ in range(4)]
        assert all(future.result() == expected_trend for future in trends)
        assert all(future.result() == expected_scans for future in scans)
