"""Typed names and days: folded for comparison, near spellings offered, days read plainly."""

from __future__ import annotations

import pytest

from bot.domain.text_input import fold, near_spelling, parse_day_of_month, parse_weekday


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("  España! ", "espana"),
        ("SÃO PAULO", "sao paulo"),
        ("Côte d'Ivoire", "cote d ivoire"),
        ("new-york", "new york"),
        ("Zürich", "zurich"),
        ("Россия", "россия"),
        ("👋", ""),
    ],
)
def test_names_are_compared_without_case_accents_or_punctuation(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_a_near_spelling_is_found_only_when_close() -> None:
    names = ["fosamax", "femara", "germany", "australia"]
    assert near_spelling("fosomax", names) == "fosamax"
    assert near_spelling("femera", names) == "femara"
    assert near_spelling("germny", names) == "germany"
    assert near_spelling("hello", names) is None
    assert near_spelling("fem", names) is None  # too short to tell


@pytest.mark.parametrize(
    ("text", "weekday"),
    [("Monday", 0), ("mon", 0), ("TUES", 1), ("wednesday", 2), ("Thurs", 3), ("sundays", 6)],
)
def test_weekdays_are_read_by_name(text: str, weekday: int) -> None:
    assert parse_weekday(text) == weekday


@pytest.mark.parametrize("text", ["", "someday", "7", "mo"])
def test_other_words_are_no_weekday(text: str) -> None:
    assert parse_weekday(text) is None


@pytest.mark.parametrize(("text", "day"), [("15", 15), ("1st", 1), ("the 31st", 31), ("2nd", 2)])
def test_days_of_the_month_are_read_as_numbers(text: str, day: int) -> None:
    assert parse_day_of_month(text) == day


@pytest.mark.parametrize("text", ["0", "32", "fifteen", "15 May", "-1"])
def test_other_numbers_are_no_day_of_the_month(text: str) -> None:
    assert parse_day_of_month(text) is None
