"""The running bot's services, for persistent jobs that can only carry primitive ids.

A job stored in the database is a function reference plus ids; when it fires it finds the
live bot, sessions and planner here. One bot application runs per process.
"""

from __future__ import annotations

from bot.state import Services

_current: Services | None = None


def install(services: Services) -> None:
    """Make the services visible to jobs (application start)."""
    global _current
    _current = services


def uninstall() -> None:
    """Forget the services (application stop), so a stale bot is never used."""
    global _current
    _current = None


def current() -> Services:
    """Return the running services; a job firing after shutdown is a bug worth seeing."""
    if _current is None:
        raise RuntimeError("no bot application is running in this process")
    return _current
