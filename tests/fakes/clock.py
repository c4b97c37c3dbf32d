"""A bot clock the test sets: real seconds pass, days are jumped."""

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
