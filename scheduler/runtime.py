"""The running bot's services, for persistent jobs that can only carry primitive ids.

A job stored in the database is a function reference plus ids; when it fires it finds the
live bot, sessions and planner here. One bot application runs per process.
"""

from __future__ import annotations

import asyncio

from bot.state import Services
from scheduler.delivery import Courier

_current: Services | None = None
_courier: Courier | None = None
_job_slots: asyncio.Semaphore | None = None

# Jobs that may run at once: a peak minute fires thousands together, and each needs a
# database connection; beyond the pool size they would only queue for one (or time out).
CONCURRENT_JOBS = 10


def install(services: Services, courier: Courier) -> None:
    """Make the services and the outbound path visible to jobs (application start)."""
    global _current, _courier, _job_slots
    _current, _courier, _job_slots = services, courier, asyncio.Semaphore(CONCURRENT_JOBS)


def uninstall() -> None:
    """Forget the services (application stop), so a stale bot is never used."""
    global _current, _courier, _job_slots
    _current, _courier, _job_slots = None, None, None


def courier() -> Courier:
    """Return the running outbound path (shared, so pacing covers every job)."""
    if _courier is None:
        raise RuntimeError("no bot application is running in this process")
    return _courier


def current() -> Services:
    """Return the running services; a job firing after shutdown is a bug worth seeing."""
    if _current is None:
        raise RuntimeError("no bot application is running in this process")
    return _current


def job_slots() -> asyncio.Semaphore:
    """Return the semaphore every job holds while it works."""
    if _job_slots is None:
        raise RuntimeError("no bot application is running in this process")
    return _job_slots
