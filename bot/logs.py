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


class RedactToken(logging.Filter):
    """Replace the bot token wherever it appears in a log record (defence in depth)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self._token and self._token in record.getMessage():
            record.msg = record.getMessage().replace(self._token, "<token>")
            record.args = None
        return True


def configure_logging(level: str, token: str) -> None:
    """Log to stderr at `level`, with chatty transport loggers held at WARNING."""
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactToken(token))
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
