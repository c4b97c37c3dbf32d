"""The care team's interval for a clinic agent, and a planned course with its review."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.clinic_agents import (
    COURSE_YEARS,
    ReminderKind,
    course_ends_on,
    course_review,
    has_course_end,
    interval_choices,
    interval_of,
    next_due,
    reminder_dates,
)

ZOMETA = "zoledronic-acid-4-every-6-months-iv"
RECLAST = "zoledronic-acid-5-yearly-iv"
PROLIA = "denosumab-60-every-6-months-sc"
BONIVA_IV = "ibandronate-3-every-3-months-iv"


def test_the_choices_start_with_the_catalogues_interval() -> None:
    assert interval_choices(ZOMETA) == (6, 3, 12)
    assert interval_choices(RECLAST) == (12, 24)
    assert interval_choices(PROLIA) == (6,)
    assert interval_choices(BONIVA_IV) == (3,)


@pytest.mark.parametrize(
    ("key", "chosen", "due"),
    [
        (ZOMETA, None, date(2031, 2, 28)),  # 31 August + 6 months: the month's last day
        (ZOMETA, 3, date(2030, 11, 30)),
        (ZOMETA, 12, date(2031, 8, 31)),
        (ZOMETA, 24, date(2031, 2, 28)),  # not a choice for this product: its own interval
        (RECLAST, 24, date(2032, 8, 31)),
        (PROLIA, 3, date(2031, 2, 28)),  # denosumab is every 6 months whatever is stored
    ],
)
def test_the_next_dose_counts_at_the_interval_in_force(
    key: str, chosen: int | None, due: date
) -> None:
    assert next_due(key, date(2030, 8, 31), chosen) == due
    assert interval_of(key, chosen) in interval_choices(key)


def test_the_book_ahead_message_names_the_care_teams_interval() -> None:
    [book] = [
        r
        for r in reminder_dates(RECLAST, date(2032, 8, 31), 24)
        if r.kind is ReminderKind.BOOK_AHEAD
    ]
    assert "It is given once every 2 years." in book.message
    assert book.sources[0].document.startswith("The care team's plan")
    [usual] = [
        r for r in reminder_dates(RECLAST, date(2031, 8, 31)) if r.kind is ReminderKind.BOOK_AHEAD
    ]
    assert "It is given once a year." in usual.message


def test_a_course_ends_after_its_years_and_its_review_asks_the_care_team() -> None:
    assert COURSE_YEARS == (2, 3, 5)
    assert course_ends_on(date(2029, 2, 28), 3) == date(2032, 2, 28)
    with pytest.raises(ValueError, match="not one of"):
        course_ends_on(date(2029, 2, 28), 4)
    review = course_review(ZOMETA, date(2032, 2, 28), 3)
    assert review.kind is ReminderKind.COURSE_REVIEW
    assert "3-year course of zoledronic acid 4 mg (Zometa) ends about now" in review.message
    assert "ask your care team whether it goes on" in review.message
    assert "3 to 5 years" in review.sources[0].section


def test_only_bisphosphonates_given_at_the_clinic_have_a_planned_end() -> None:
    assert has_course_end(ZOMETA)
    assert has_course_end(RECLAST)
    assert has_course_end(BONIVA_IV)
    assert not has_course_end(PROLIA)  # stopping denosumab needs a follow-on plan
