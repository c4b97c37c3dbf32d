"""Demo time: a bot clock that can jump ahead, and a scheduler kept in step with it.

Reminders are due hours or days away, so the demo moves the bot's notion of "now" instead
of waiting. The bot runs on a `DemoClock` (real time plus an offset that only grows), so every
time the services compute (a dose's due time, a snooze's end, the next dose) is demo time,
and so is every run time stored in the scheduler.

APScheduler itself fires on the wall clock, which lags demo time by the offset. The
`Timekeeper` closes that gap: whenever a job is due by the demo clock but not yet by the wall
clock it makes the job due now, so a 15-minute snooze after a jump still comes back in 15
minutes. "Run next" jumps the clock to the soonest job's time, which makes that job (and any
other due at the same moment) run at once; the next plans follow on from there. Without a
jump the offset is zero and the Timekeeper never has anything to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.clock import Clock, utc_now
from scheduler.planner import ApschedulerPlanner

log = logging.getLogger(__name__)

# How long "run next" waits for the job to finish before answering anyway.
RUN_TIMEOUT_SECONDS = 15.0


class DemoClock:
    """The bot's "now" in the demo: the real time plus an offset that only moves forward."""

    def __init__(self, real: Clock = utc_now) -> None:
        self.real = real
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return self.real() + self.offset

    def jump_to(self, when: datetime) -> None:
        """Move demo time forward to `when` (never backwards: that would replay reminders)."""
        self.offset = max(self.offset, when - self.real())


@dataclass(frozen=True)
class RanJob:
    """A job that "run next" made run, with the demo time it was planned for."""

    job_id: str
    planned_for: datetime


class Timekeeper:
    """Keeps the bot's scheduler in step with the demo clock and runs the next job on demand."""

    def __init__(self, clock: DemoClock, planner: ApschedulerPlanner) -> None:
        self.clock = clock
        self.planner = planner
        self._listeners: list[Callable[[], None]] = []
        self._finished: dict[str, asyncio.Event] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._unwatch: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def upcoming(self, limit: int = 20) -> list[tuple[str, datetime]]:
        """Return the soonest (job id, demo time) pairs."""
        return self.planner.next_jobs(limit)

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` whenever the schedule or the demo time changes; returns the undo."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def jump_to(self, when: datetime) -> None:
        """Move demo time forward to `when`; jobs due by then run at once."""
        self.clock.jump_to(when)
        log.info("demo time moved to %s", self.clock().isoformat())
        self._changed()

    async def run_next(self) -> RanJob | None:
        """Jump demo time to the soonest job, run it, and return once it has finished."""
        upcoming = self.upcoming(1)
        if not upcoming:
            return None
        job_id, planned_for = upcoming[0]
        finished = self._finished.setdefault(job_id, asyncio.Event())
        try:
            self.jump_to(planned_for)
            self.planner.run_now(job_id)
            async with asyncio.timeout(RUN_TIMEOUT_SECONDS):
                await finished.wait()
        except TimeoutError:
            log.warning("demo: %s did not finish within %ss", job_id, RUN_TIMEOUT_SECONDS)
        finally:
            self._finished.pop(job_id, None)
        return RanJob(job_id, planned_for)

    # --- keeping the scheduler in step ---------------------------------------------------------

    def start(self) -> None:
        """Begin following the scheduler (call inside the running event loop)."""
        self._loop = asyncio.get_running_loop()
        self._unwatch = self.planner.watch(self._on_job_event)
        self._task = asyncio.create_task(self._follow(), name="demo-timekeeper")

    async def stop(self) -> None:
        """Stop following the scheduler (before the bot shuts it down)."""
        self._stopping = True
        self._wake.set()
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def _on_job_event(self, job_id: str | None, finished: bool) -> None:
        """Scheduler listener: may be called from another thread, so hop onto the loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._handle_job_event, job_id, finished)

    def _handle_job_event(self, job_id: str | None, finished: bool) -> None:
        if finished and job_id is not None and job_id in self._finished:
            self._finished[job_id].set()
        self._changed()

    def _changed(self) -> None:
        self._wake.set()
        for listener in list(self._listeners):
            listener()

    async def _follow(self) -> None:
        """Make jobs due by demo time run now; sleep until the next one or a change.

        The sleep is a wake-up timer, not `asyncio.timeout`: on Python 3.11 a cancel that
        lands as a timeout expires can surface as TimeoutError, and suppressing that would
        swallow the cancel and keep this loop alive after stop().
        """
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            seconds = self._release_due_jobs()
            timer = loop.call_later(seconds, self._wake.set) if seconds is not None else None
            try:
                await self._wake.wait()
            finally:
                if timer is not None:
                    timer.cancel()

    def _release_due_jobs(self) -> float | None:
        """Run jobs due by demo time but not by the wall clock; return seconds to the next."""
        now, wall = self.clock(), self.clock.real()
        for job_id, at in self.planner.next_jobs(limit=1000):
            if at > now:
                return (at - now).total_seconds()
            if at > wall:  # the scheduler would wait for the wall clock: make it due now
                self.planner.run_now(job_id)
        return None
