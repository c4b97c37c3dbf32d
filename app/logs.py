"""Logging set-up that keeps secrets and health data out of the logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

# httpx logs every request URL at INFO, and Bot API URLs contain the token.
QUIET_LOGGERS = (
    "httpx",
    "httpcore",
    "apscheduler.executors",
    "aiosqlite",
    "alembic.runtime.plugins",
)
# Formats a traceback the way the default formatter would, to look inside it.
_TRACEBACKS = logging.Formatter()


class RedactToken(logging.Filter):
    """Replace the bot token wherever it appears in a log record (defence in depth)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._token:
            return True
        if self._token in record.getMessage():
            record.msg = self._redact(record.getMessage())
            record.args = None
        # Exception texts can carry the token too (a URL in a transport error). Formatters
        # reuse a record's exc_text once set, so a redacted one replaces the traceback.
        if record.exc_info and not record.exc_text:
            text = _TRACEBACKS.formatException(record.exc_info)
            if self._token in text:
                record.exc_text = text
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "<token>")


@dataclass
class _Repeats:
    since: float  # when this window began
    passed: int = 1
    held: int = 0


class LimitRepeats(logging.Filter):
    """Let a warning or error that keeps repeating through a few times a window, then hold
    it back, counting; the next one let through says how many were held.

    The same failure over and over (a poll that fails each time, a fault that hits every
    send) would otherwise fill the disk. Records count as the same when they come from the
    same logger at the same level with the same wording (before its arguments are filled
    in) and the same error type (a traceback's, or one named by `extra={"error_type": ...}`
    where no traceback is logged). INFO and below always pass.
    """

    def __init__(
        self,
        per_window: int = 5,
        window_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._per_window = per_window
        self._window = window_seconds
        self._clock = clock
        self._seen: dict[tuple[str, int, str, str], _Repeats] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        error = str(getattr(record, "error_type", ""))
        if record.exc_info and record.exc_info[0]:
            error = record.exc_info[0].__name__
        key = (record.name, record.levelno, str(record.msg), error)
        now = self._clock()
        seen = self._seen.get(key)
        if seen is None or now - seen.since >= self._window:
            if len(self._seen) > 10_000:  # forget quiet kinds: the map stays small
                self._seen = {k: v for k, v in self._seen.items() if now - v.since < self._window}
            self._seen[key] = _Repeats(now)
            if seen is not None and seen.held:
                record.msg = f"{record.msg} [{seen.held} more like this held back]"
            return True
        if seen.passed < self._per_window:
            seen.passed += 1
            return True
        seen.held += 1
        return False


def configure_logging(level: str, token: str) -> None:
    """Log to stderr at `level`, with chatty transport loggers held at WARNING and repeated
    warnings and errors rate-limited."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(LimitRepeats())
        handler.addFilter(RedactToken(token))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
