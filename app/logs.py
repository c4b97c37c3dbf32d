"""Logging set-up that keeps secrets out of every log and health data out of production's.

At the recommended level (INFO) no record holds a message text, an answer or a medicine:
the bot's own log calls name ids and outcomes only. DEBUG adds python-telegram-bot's
records of every update and Bot API call, so health data with them: not for production,
and the bot says so when it starts at DEBUG. Secrets never reach a log at any level: the
token, the webhook secret and anything shaped like an invitation code are redacted from
every record (message, arguments and traceback) by the filter on the handler.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.invite_codes import CODE_LENGTH

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
# An invitation code (22 base64url characters) standing alone: in a deep link
# (`?start=...`, or percent-encoded after `%3D`), in `/start ...`, in button data
# (`iv:a:...`). Longer runs (file ids, hashes) are not codes and are left alone.
_CODE_CHARS = "A-Za-z0-9_-"
INVITATION_CODE = re.compile(
    rf"(?:(?<![{_CODE_CHARS}])|(?<=%[0-9A-Fa-f]{{2}}))[{_CODE_CHARS}]{{{CODE_LENGTH}}}"
    rf"(?![{_CODE_CHARS}])"
)
DEBUG_WARNING = (
    "LOG_LEVEL=DEBUG logs every update and Bot API call, message texts and health data "
    "included: not for production (secrets are still redacted)"
)


class RedactSecrets(logging.Filter):
    """Replace the token, other secrets and invitation codes wherever they appear in a log
    record: its message, its traceback and its stack (defence in depth)."""

    def __init__(self, token: str, *secrets: str) -> None:
        super().__init__()
        self._secrets = [(token, "<token>"), *((s, "<secret>") for s in secrets)]
        self._secrets = [(secret, mark) for secret, mark in self._secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self._redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        # Exception texts can carry secrets too (a URL in a transport error). Formatters
        # reuse a record's exc_text once set, so a redacted one replaces the traceback.
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _redact(self, text: str) -> str:
        for secret, mark in self._secrets:
            text = text.replace(secret, mark)
        return INVITATION_CODE.sub("<code>", text)


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


def configure_logging(level: str, token: str, *secrets: str) -> None:
    """Log to stderr at `level`, secrets redacted, chatty transport loggers held at WARNING."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(LimitRepeats())
        handler.addFilter(RedactSecrets(token, *secrets))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
    if logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger(__name__).warning(DEBUG_WARNING)
