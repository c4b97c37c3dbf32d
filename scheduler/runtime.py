"""The running bot's services, for persistent jobs that can only carry primitive ids.

A job stored in the database is a function reference plus ids; when it fires it finds the
live bot, sessions and planner here. One bot application runs per process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from bot.services.context import Services
from scheduler.delivery import Courier


class DoseBatcher(Protocol):
    """Where dose jobs hand their medication (`scheduler.dose_batches.DoseBatcher`).

    Named here as a protocol so this module imports nothing above it: the batcher needs
    the job slots below, and the application hands it in at start.
    """

    async def run(self, medication_id: int) -> None:
        """Open and send this medication's due doses with the others due now."""


_current: Services | None = None
_courier: Courier | None = None
_job_slots: asyncio.Semaphore | None = None
_dose_batcher: DoseBatcher | None = None
_running_jobs: set[asyncio.Task[object]] = set()
_stopped_jobs: set[asyncio.Task[object]] = set()  # cancelled by stop_running_jobs

# Jobs that may run at once: a peak minute fires thousands together, and each needs a
# database connection; beyond the pool size they would only queue for one (or time out).
CONCURRENT_JOBS = 10


def install(services: Services, courier: Courier, batcher: DoseBatcher) -> None:
    """Make the services, the outbound path and the dose batcher visible to jobs (start)."""
    global _current, _courier, _job_slots, _dose_batcher
    _current, _courier, _job_slots = services, courier, asyncio.Semaphore(CONCURRENT_JOBS)
    _dose_batcher = batcher


def uninstall() -> None:
    """Forget the services (application stop), so a stale bot is never used."""
    global _current, _courier, _job_slots, _dose_batcher
    _current, _courier, _job_slots, _dose_batcher = None, None, None, None


def courier() -> Courier:
    """Return the running outbound path (shared, so pacing covers every job)."""
    if _courier is None:
        raise RuntimeError("no bot application is running in this process")
    return _courier


def dose_batcher() -> DoseBatcher:
    """Return the batcher the dose jobs of this process hand their medications to."""
    if _dose_batcher is None:
        raise RuntimeError("no bot application is running in this process")
    return _dose_batcher


def current() -> Services:
    """Return the running services; a job firing after shutdown is a bug worth seeing."""
    if _current is None:
        raise RuntimeError("no bot application is running in this process")
    return _current


@asynccontextmanager
async def job_slots() -> AsyncIterator[None]:
    """Hold one of the job slots while a job works, and let shutdown find the job."""
    if _job_slots is None:
        raise RuntimeError("no bot application is running in this process")
    async with tracked(), _job_slots:
        yield


@asynccontextmanager
async def tracked() -> AsyncIterator[None]:
    """Let shutdown find and cancel this job (one that waits for others, holding no slot)."""
    task = asyncio.current_task()
    if task is not None:
        _running_jobs.add(task)
    try:
        yield
    except asyncio.CancelledError:
        if task is None or task not in _stopped_jobs:
            raise
        # Stopped on purpose (shutdown, or leadership lost): the job ends quietly, and
        # what it left undone is rebuilt from the tables by the next leader.
        task.uncancel()
    finally:
        if task is not None:
            _running_jobs.discard(task)


async def stop_running_jobs(timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Cancel jobs still running and wait for them, while their database is still open.

    A job cancelled only after the engine is disposed would wait forever for its session
    to close. A stopped job is rebuilt from the tables at the next start.
    """
    tasks = [task for task in _running_jobs if not task.done()]
    _stopped_jobs.update(tasks)
    for task in tasks:
        task.cancel()
    try:
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
    finally:
        _stopped_jobs.difference_update(tasks)
