"""When the patient says things happened: how long Later puts a dose off, and when it was
really taken.

Pure rules, so the buttons that offer the choices and the services that accept them agree
(callback data can be forged: a service only records a time these rules accept).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Later is chosen at the reminder. The first choice is the configured default
# (`SNOOZE_MINUTES`); an hour and three hours cover "after breakfast" and "after the school
# run" without typing.
LONGER_SNOOZES_MINUTES = (60, 180)
LONGEST_SNOOZE_MINUTES = 12 * 60

# A Taken pressed this long after the latest reminder is about an earlier moment: ask when.
ASK_WHEN_AFTER = timedelta(minutes=30)
# How long before its due time a dose may be said to be taken (someone up early took it
# before the reminder came). Earlier than this is another day's dose.
EARLIEST_BEFORE_DUE = timedelta(hours=3)
# Choices closer than this to one already offered are left out (no two buttons alike).
_DISTINCT = timedelta(minutes=10)


# An answer can be corrected by the patient for this long after it was given (the issue
# asks for at least a day; two cover "yesterday's" answer noticed the next evening).
CHANGE_WINDOW = timedelta(hours=48)
# The answers that can be corrected (values of `DoseStatus`; open doses have their buttons).
CHANGEABLE_STATUSES = ("taken", "skipped", "missed")


def can_still_change(answered_at: datetime | None, now: datetime) -> bool:
    """Tell whether an answer given at `answered_at` can still be changed by the patient."""
    return answered_at is not None and now - answered_at <= CHANGE_WINDOW


def snooze_choices(default_minutes: int) -> tuple[int, ...]:
    """Return the Later lengths offered, in minutes, shortest first."""
    return tuple(sorted({default_minutes, *LONGER_SNOOZES_MINUTES}))


def accepts_snooze(minutes: int, default_minutes: int) -> bool:
    """Tell whether a Later length is one the bot offers (anything else is forged)."""
    return minutes in snooze_choices(default_minutes)


def asks_when_taken(reminded_at: datetime | None, due_at: datetime, now: datetime) -> bool:
    """Tell whether a Taken press should ask when it was taken instead of assuming now.

    Pressed soon after the reminder it means now: one tap. Long after (the once-more
    question, a reminder answered hours later) "now" would be wrong, and the fasting and
    upright window would be counted from the wrong time.
    """
    return now - (reminded_at or due_at) > ASK_WHEN_AFTER


def earliest_taken(due_at: datetime) -> datetime:
    """Return the earliest moment a dose can be said to have been taken."""
    return due_at - EARLIEST_BEFORE_DUE


def accepts_taken_time(taken_at: datetime, due_at: datetime, now: datetime) -> bool:
    """Tell whether a stated take time is possible: not in the future, not another day's."""
    return earliest_taken(due_at) <= taken_at <= now


def taken_time_choices(due_at: datetime, now: datetime) -> list[datetime]:
    """Return the moments offered as buttons, latest first: now, the due time (what most
    people mean by "I took it at the usual time"), and an hour and two hours ago where not
    close to those (and after the due time: before it, the patient says so by typing)."""
    offered = [now]
    for candidate in (due_at, now - timedelta(hours=1), now - timedelta(hours=2)):
        if not accepts_taken_time(candidate, due_at, now) or candidate < due_at:
            continue
        if all(abs(candidate - other) >= _DISTINCT for other in offered):
            offered.append(candidate)
    return sorted(offered, reverse=True)


def as_minute_stamp(moment: datetime) -> int:
    """A moment as whole minutes since the epoch: short enough for callback data."""
    return int(moment.timestamp() // 60)


def from_minute_stamp(stamp: int) -> datetime:
    """The moment a minute stamp names (UTC)."""
    return datetime.fromtimestamp(stamp * 60, tz=UTC)


def window_end(taken_at: datetime, window_minutes: int) -> datetime | None:
    """Return when the label's fasting and upright window ends (None: no window)."""
    return taken_at + timedelta(minutes=window_minutes) if window_minutes else None


def typed_moment(at: time, zone: ZoneInfo, now: datetime) -> datetime:
    """The moment a typed time of day means: its latest occurrence at or before now in the
    patient's zone ("23:30" typed at 00:10 is last night's)."""
    local_now = now.astimezone(zone)
    moment = datetime.combine(local_now.date(), at, zone)
    if moment > local_now:
        moment = datetime.combine(local_now.date() - timedelta(days=1), at, zone)
    return moment.astimezone(UTC)
