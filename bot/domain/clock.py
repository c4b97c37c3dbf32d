"""The one source of "now", injectable so tests drive time instead of sleeping."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current aware UTC time."""
    return datetime.now(UTC)
