"""Logging set-up that keeps secrets and health data out of the logs."""

from __future__ import annotations

import logging

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


def configure_logging(level: str, token: str) -> None:
    """Log to stderr at `level`, with chatty transport loggers held at WARNING."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(token))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
