"""Typed and tapped dates: unambiguous shapes only, within the allowed range."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.text_input import (
    InvalidDateText,
    compact,
    from_compact,
    month_days,
    parse_date,
    recent_months,
)

EARLIEST, TODAY = date(2021, 1, 1), date(2026, 5, 20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-14", date(2026, 5, 14)),
        ("14 May 2026", date(2026, 5, 14)),
        ("14th may 2026", date(2026, 5, 14)),
        ("May 14, 2026", date(2026, 5, 14)),
        ("  14  Sept  2025 ", date(2025, 9, 14)),
        ("14 may", date(2026, 5, 14)),  # no year: the latest one not after today
        ("21 May", date(2025, 5, 21)),
        ("1 jan 2021", date(2021, 1, 1)),
    ],
)
def test_reads_unambiguous_dates(text: str, expected: date) -> None:
    assert parse_date(text, earliest=EARLIEST, latest=TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "05/06/2026",
        "14.05.2026",
        "31 April 2026",
        "29 Feb 2025",
        "21 May 2026",
        "31 Dec 2020",
        "14 Mayo 2026",
        "2026-13-01",
        "x" * 60,
    ],
)
def test_refuses_ambiguous_impossible_or_out_of_range_dates(text: str) -> None:
    with pytest.raises(InvalidDateText):
        parse_date(text, earliest=EARLIEST, latest=TODAY)


def test_month_and_day_helpers() -> None:
    assert recent_months(TODAY, 3) == [date(2026, 5, 1), date(2026, 4, 1), date(2026, 3, 1)]
    assert month_days(date(2026, 5, 1), earliest=EARLIEST, latest=TODAY)[-1] == TODAY
    assert len(month_days(date(2024, 2, 1), earliest=EARLIEST, latest=TODAY)) == 29
    assert from_compact(compact(TODAY)) == TODAY
    for bad in ("2026051", "20260230", "abcdefgh"):
        with pytest.raises(InvalidDateText):
            from_compact(bad)
