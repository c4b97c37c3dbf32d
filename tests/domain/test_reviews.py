"""Treatment reviews: an oral bisphosphonate at 3 and 5 years, an aromatase inhibitor at the
end of its planned length; reminders to ask the care team, never to stop."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.reviews import (
    AROMATASE_INHIBITOR_YEARS,
    ReviewKind,
    next_review,
    review_dates,
    review_message,
)

BP, AI = ReviewKind.ORAL_BISPHOSPHONATE, ReviewKind.AROMATASE_INHIBITOR
START = date(2028, 2, 29)


def test_an_oral_bisphosphonate_is_reviewed_at_3_and_5_years() -> None:
    assert review_dates(BP, START) == (date(2031, 2, 28), date(2033, 2, 28))


def test_an_aromatase_inhibitor_is_reviewed_at_its_planned_end_only_when_one_is_set() -> None:
    assert AROMATASE_INHIBITOR_YEARS == (5, 7, 10)
    assert review_dates(AI, START) == ()
    assert review_dates(AI, START, 10) == (date(2038, 2, 28),)
    with pytest.raises(ValueError, match="not one of"):
        review_dates(AI, START, 6)


@pytest.mark.parametrize(
    ("sent_on", "today", "expected"),
    [
        (None, date(2029, 1, 1), date(2031, 2, 28)),  # the first, ahead
        (None, date(2031, 3, 1), date(2031, 2, 28)),  # due, not sent: send it now
        (date(2031, 2, 28), date(2031, 3, 1), date(2033, 2, 28)),  # sent: the next
        (None, date(2034, 1, 1), date(2033, 2, 28)),  # both due after a long gap: the newer
        (date(2033, 2, 28), date(2034, 1, 1), None),  # all sent
    ],
)
def test_the_next_review_is_the_newest_due_or_the_first_ahead(
    sent_on: date | None, today: date, expected: date | None
) -> None:
    assert next_review(BP, START, None, sent_on, today) == expected


def test_the_messages_ask_the_care_team_and_never_say_stop_now() -> None:
    bp = review_message(BP, "alendronate", START, date(2031, 2, 28))
    assert bp.years == 3
    assert "for about 3 years" in bp.message
    assert "Keep taking it until they tell you otherwise." in bp.message
    assert "Limitations of Use" in bp.source.section
    ai = review_message(AI, "anastrozole", START, date(2033, 2, 28))
    assert "planned for 5 years" in ai.message
    assert "Keep taking it until they tell you." in ai.message
    assert "10 years" in ai.source.section
