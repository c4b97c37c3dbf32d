"""The label's make-up dose: the morning after, never two on one day, the 7-day rule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.catalog import get_product
from bot.domain.dose_times import DoseSchedule, Frequency
from bot.domain.makeup import MONTHLY_MIN_DAYS_TO_NEXT, has_make_up_rule, make_up_for

BERLIN = ZoneInfo("Europe/Berlin")
WEEKLY_ALENDRONATE = get_product("alendronate-70-weekly-tablet")
MONTHLY_IBANDRONATE = get_product("ibandronate-150-monthly-tablet")
MONDAY = date(2031, 6, 9)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def test_weekly_missed_is_made_up_the_morning_after_at_the_usual_time() -> None:
    schedule = DoseSchedule(Frequency.WEEKLY, time(7, 0), weekday=MONDAY.weekday())
    found = make_up_for(WEEKLY_ALENDRONATE, schedule, BERLIN, _at(MONDAY, 9, 15))
    assert found is not None
    assert found.local_date == MONDAY + timedelta(days=1)
    assert found.due_at == _at(MONDAY + timedelta(days=1), 7)


def test_remembered_the_evening_before_the_usual_day_no_make_up() -> None:
    # Remembered on Sunday: Monday morning is the usual dose; never two on one day.
    schedule = DoseSchedule(Frequency.WEEKLY, time(7, 0), weekday=MONDAY.weekday())
    sunday = MONDAY - timedelta(days=1)
    assert make_up_for(WEEKLY_ALENDRONATE, schedule, BERLIN, _at(sunday, 20)) is None


def test_monthly_is_made_up_only_when_the_next_dose_is_more_than_7_days_away() -> None:
    schedule = DoseSchedule(Frequency.MONTHLY, time(7, 30), day_of_month=9)
    soon = make_up_for(MONTHLY_IBANDRONATE, schedule, BERLIN, _at(MONDAY, 10))
    assert soon is not None
    assert soon.local_date == MONDAY + timedelta(days=1)
    # Remembered on the 1st of next month: the next dose (the 9th) is 7 days after the
    # make-up morning (the 2nd), so the label says skip it.
    first = date(2031, 7, 1)
    assert (date(2031, 7, 9) - (first + timedelta(days=1))).days == MONTHLY_MIN_DAYS_TO_NEXT
    assert make_up_for(MONTHLY_IBANDRONATE, schedule, BERLIN, _at(first, 10)) is None
    # On the 30th of June: the make-up on 1 July is 8 days before the 9th.
    assert make_up_for(MONTHLY_IBANDRONATE, schedule, BERLIN, _at(date(2031, 6, 30), 10))


def test_daily_tablets_and_the_aromatase_inhibitors_have_no_make_up_reminder() -> None:
    assert has_make_up_rule(WEEKLY_ALENDRONATE)
    assert has_make_up_rule(MONTHLY_IBANDRONATE)
    for key in (
        "alendronate-10-daily-tablet",
        "anastrozole-1-daily-tablet",
        "risedronate-75-monthly-two-days-tablet",
    ):
        product = get_product(key)
        assert not has_make_up_rule(product), key
