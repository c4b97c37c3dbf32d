"""Bot clocks a test sets: DrivenClock (real seconds pass, days are jumped) and FixedClock."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.clock import utc_now


class DrivenClock:
    """The bot's "now", moved by the test instead of waited for.

    Real seconds still pass (APScheduler fires on the wall clock, so a job planned a few
    seconds ahead still runs); a jump moves every later reading by the same offset.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0) if start is None else start - utc_now()

    def __call__(self) -> datetime:
        return utc_now() + self._offset

    def jump_to(self, when: datetime) -> None:
        """Move the clock to `when` (forward or back)."""
        self._offset = when - utc_now()


class FixedClock:
    """A bot clock that stands still until the test moves it: no real time passes.

    For service tests, which hand `clock()` to the services as `now`; expectations are
    computed from the same reading, so a test never depends on the day it runs.
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock reads aware UTC times")
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock on by `delta`; return the new reading."""
        self._now += delta
        return self._now

    def jump_to(self, when: datetime) -> datetime:
        """Set the clock to `when` (forward or back); return the new reading."""
        if when.tzinfo is None:
            raise ValueError("the clock reads aware UTC times")
        self._now = when
        return self._now
