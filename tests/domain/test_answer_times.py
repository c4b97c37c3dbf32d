"""When the patient says things happened: Later's lengths and the take-time choices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from bot.domain.answer_times import (
    ASK_WHEN_AFTER,
    EARLIEST_BEFORE_DUE,
    accepts_snooze,
    accepts_taken_time,
    as_minute_stamp,
    asks_when_taken,
    from_minute_stamp,
    snooze_choices,
    taken_time_choices,
    window_end,
)

DUE = datetime(2031, 6, 11, 6, 0, tzinfo=UTC)


def test_later_offers_the_configured_length_then_an_hour_and_three() -> None:
    assert snooze_choices(15) == (15, 60, 180)
    assert snooze_choices(60) == (60, 180)  # no two buttons alike
    assert accepts_snooze(180, 15)
    assert not accepts_snooze(45, 15)


def test_taken_soon_after_the_reminder_means_now_and_long_after_asks() -> None:
    assert not asks_when_taken(DUE, DUE, DUE + ASK_WHEN_AFTER)
    assert asks_when_taken(DUE, DUE, DUE + ASK_WHEN_AFTER + timedelta(minutes=1))
    # A reminder sent again after Later counts from its own sending.
    resent = DUE + timedelta(hours=3)
    assert not asks_when_taken(resent, DUE, resent + timedelta(minutes=5))
    # Never sent (answered from the record): counted from the due time.
    assert asks_when_taken(None, DUE, DUE + timedelta(hours=1))


def test_the_choices_are_now_earlier_hours_and_the_due_time_never_alike() -> None:
    now = DUE + timedelta(hours=2, minutes=5)
    choices = taken_time_choices(DUE, now)
    # Two hours ago is five minutes from the due time: the due time is the one kept.
    assert choices == [now, now - timedelta(hours=1), DUE]
    gaps = [a - b for a, b in pairwise(choices)]
    assert all(gap >= timedelta(minutes=10) for gap in gaps)


def test_shortly_after_the_due_time_only_now_and_the_due_time_are_offered() -> None:
    now = DUE + timedelta(minutes=40)
    # An hour ago is before the reminder came: not offered (a typed time can say so).
    assert taken_time_choices(DUE, now) == [now, DUE]


def test_a_take_time_must_be_past_and_of_this_dose() -> None:
    now = DUE + timedelta(hours=1)
    assert accepts_taken_time(DUE, DUE, now)
    assert accepts_taken_time(DUE - EARLIEST_BEFORE_DUE, DUE, now)  # up early
    assert not accepts_taken_time(DUE - EARLIEST_BEFORE_DUE - timedelta(minutes=1), DUE, now)
    assert not accepts_taken_time(now + timedelta(minutes=1), DUE, now)


def test_a_moment_fits_callback_data_as_a_minute_stamp() -> None:
    moment = DUE + timedelta(minutes=7, seconds=42)
    stamp = as_minute_stamp(moment)
    assert len(str(stamp)) <= 10
    assert from_minute_stamp(stamp) == DUE + timedelta(minutes=7)


def test_the_window_runs_from_the_time_taken() -> None:
    assert window_end(DUE, 30) == DUE + timedelta(minutes=30)
    assert window_end(DUE, 0) is None
