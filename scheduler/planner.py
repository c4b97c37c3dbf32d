"""APScheduler wiring: a persistent job store in the bot's own database (SQLite: beside it).

Every kind of job is declared once: its id prefix, owning table and store in
`bot.ports.KIND_RULES`, its function here in `JOB_FUNCTIONS`. Jobs name module-level
functions and carry only primitive ids, with explicit ids (`kind:row id`) and
`replace_existing=True`, so the store can be rebuilt from the tables at any start.

The jobs of the dose path (a dose, its snooze, its once-more question, the end of its
wait, the caregivers' check) live in a memory store instead: every reminder and every
press plans or drops one or two of them, and a write to the persistent store costs about
a millisecond of blocking database work each time. The tables hold everything they are
rebuilt from, and every start rebuilds them (`dose_startup.reconcile`, `care_alerts.reconcile`).
`misfire_grace_time=None` runs a job however late (after downtime the job itself decides
between "late" and "missed"), and `coalesce=True` runs a backlog once.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Final

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, SchedulerEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import or_, select

from bot.db.database import create_sync_engine, job_store_url
from bot.ports import KIND_RULES, RETIRED_PREFIXES, JobKind, kind_of
from scheduler import jobs

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}

PERSISTENT = "default"
IN_MEMORY = "memory"
# Job kinds kept in memory, rebuilt from the tables at every start (see the module's doc).
IN_MEMORY_KINDS = frozenset(kind for kind, rule in KIND_RULES.items() if rule.rebuilt_at_start)

# The function each kind of job runs. Persistent jobs store it by name
# (`scheduler.jobs:run_dose_job`), so these names must not change.
JOB_FUNCTIONS: Final[Mapping[JobKind, Callable[[int], Awaitable[None]]]] = {
    JobKind.DOSE: jobs.run_dose_job,
    JobKind.SNOOZE: jobs.run_snooze_job,
    JobKind.RECHECK: jobs.run_recheck_job,
    JobKind.WINDOW: jobs.run_window_job,
    JobKind.MAKEUP: jobs.run_makeup_job,
    JobKind.MISSED: jobs.run_missed_check_job,
    JobKind.CHECKIN: jobs.run_checkin_job,
    JobKind.SUMMARY: jobs.run_summary_job,
    JobKind.ALERT: jobs.run_alert_job,
    JobKind.AGENT: jobs.run_agent_job,
    JobKind.DXA: jobs.run_dxa_job,
    JobKind.DENTAL: jobs.run_dental_job,
    JobKind.REVIEW: jobs.run_review_job,
    JobKind.EXERCISE: jobs.run_exercise_job,
    JobKind.REFILL: jobs.run_refill_job,
    JobKind.ESCALATE: jobs.run_escalate_job,
}


def store_of(job_id: str) -> str:
    """Return the job store a job id belongs in, by its kind (the part before the colon)."""
    return IN_MEMORY if kind_of(job_id) in IN_MEMORY_KINDS else PERSISTENT


class CoalescingScheduler(AsyncIOScheduler):  # type: ignore[misc]  # APScheduler 3 is untyped
    """AsyncIOScheduler that wakes only when a new job needs it, and once per loop turn.

    The stock scheduler re-scans every job store (a synchronous query on the persistent
    one) each time any job is added: twice or three times per reminder at a peak minute.
    A job due no sooner than the timer already set needs no wake-up: the timer's scan
    will find it.
    """

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        self._wake_pending = False
        self._timer_at: float | None = None  # loop time the current timer fires at
        self._quiet = False

    def wakes_by(self, run_at: datetime) -> bool:
        """True if the timer already set fires no later than `run_at`."""
        if self._timer_at is None or self._eventloop is None:
            return False
        seconds_left = self._timer_at - self._eventloop.time()
        return run_at >= datetime.now(UTC) + timedelta(seconds=max(seconds_left, 0.0))

    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Add or change jobs without a wake-up (call on the loop, after `wakes_by`)."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def wakeup(self) -> None:
        """Ask for one scan of the job stores on the next loop turn (callable from threads)."""
        if self._quiet or self._wake_pending:
            return
        self._wake_pending = True
        self._eventloop.call_soon_threadsafe(self._scan)

    def _scan(self) -> None:
        self._wake_pending = False
        self._stop_timer()
        self._start_timer(self._process_jobs())

    def _start_timer(self, wait_seconds: float | None) -> None:
        super()._start_timer(wait_seconds)
        self._timer_at = None if wait_seconds is None else self._eventloop.time() + wait_seconds


def create_scheduler(database_url: str) -> CoalescingScheduler:
    """Build a scheduler whose jobs live in the bot's database (start it inside the loop)."""
    store = SQLAlchemyJobStore(
        engine=create_sync_engine(job_store_url(database_url), derived_data=True)
    )
    return CoalescingScheduler(
        jobstores={PERSISTENT: store, IN_MEMORY: MemoryJobStore()},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )


class ApschedulerPlanner:
    """The domain's ReminderPlanner, carried out by APScheduler date jobs."""

    def __init__(self, scheduler: CoalescingScheduler) -> None:
        self._scheduler = scheduler
        self._suspended = False

    def suspend(self) -> None:
        """Plan and cancel nothing until `resume` (this process stopped leading: the jobs
        still running must not write plans into a store the next leader owns)."""
        self._suspended = True

    def resume(self) -> None:
        """Plan and cancel again (this process leads again, its jobs rebuilt)."""
        self._suspended = False

    def _plan(
        self, job_id: str, func: Callable[[int], Awaitable[None]], run_at: datetime, arg: int
    ) -> None:
        if self._suspended:
            return
        scheduler = self._scheduler
        with scheduler.quietly() if scheduler.wakes_by(run_at) else contextlib.nullcontext():
            scheduler.add_job(
                func,
                trigger="date",
                run_date=run_at,
                args=[arg],
                id=job_id,
                jobstore=store_of(job_id),
                replace_existing=True,
                **JOB_DEFAULTS,
            )

    def _cancel(self, job_id: str) -> None:
        if self._suspended:
            return
        with contextlib.suppress(JobLookupError):
            self._scheduler.remove_job(job_id, jobstore=store_of(job_id))

    def plan(self, kind: JobKind, row_id: int, run_at: datetime) -> None:
        """Run the `kind` job of a row at `run_at` (replacing an earlier plan of it)."""
        self._plan(kind.job_id(row_id), JOB_FUNCTIONS[kind], run_at, row_id)

    def cancel(self, kind: JobKind, row_id: int) -> None:
        """Forget the `kind` job of a row, if there is one."""
        self._cancel(kind.job_id(row_id))

    def cancel_jobs(self, job_ids: list[str]) -> None:
        """Remove these jobs if they exist."""
        for job_id in job_ids:
            self._cancel(job_id)

    def planned_ids(self) -> set[str]:
        """Return the ids of every planned job, reading only that column (fast at start-up)."""
        store = self._scheduler._lookup_jobstore(PERSISTENT)
        with store.engine.connect() as connection:
            stored = set(connection.scalars(select(store.jobs_t.c.id)))
        return stored | {job.id for job in self._scheduler.get_jobs(jobstore=IN_MEMORY)}

    def forget_stored_memory_kinds(self) -> None:
        """Delete jobs an earlier version kept in the persistent store (start-up): dose-path
        jobs now kept in memory, and retired kinds (supplement reminders, now dose jobs)."""
        store = self._scheduler._lookup_jobstore(PERSISTENT)
        prefixes = [*(kind.value for kind in IN_MEMORY_KINDS), *RETIRED_PREFIXES]
        kinds = [store.jobs_t.c.id.startswith(f"{prefix}:") for prefix in prefixes]
        with store.engine.begin() as connection:
            connection.execute(store.jobs_t.delete().where(or_(*kinds)))

    def forget_memory_jobs(self) -> None:
        """Drop every job of the memory store (leading again after a while: another
        process may have led meanwhile, so the dose path is rebuilt as at a start)."""
        self._scheduler.remove_all_jobs(jobstore=IN_MEMORY)

    def next_jobs(self, limit: int = 10) -> list[tuple[str, datetime]]:
        """Return the soonest (job id, run time) pairs (for tests and the demo)."""
        planned = [
            (job.id, job.next_run_time)
            for job in self._scheduler.get_jobs()
            if job.next_run_time is not None
        ]
        return sorted(planned, key=lambda pair: pair[1])[:limit]

    def run_now(self, job_id: str) -> bool:
        """Make a planned job due at once (the demo's time controls); False if there is none."""
        try:
            self._scheduler.modify_job(
                job_id, jobstore=store_of(job_id), next_run_time=datetime.now(UTC)
            )
        except JobLookupError:
            return False
        return True

    def watch(self, listener: Callable[[str | None, bool], None]) -> Callable[[], None]:
        """Call listener(job_id, finished) on every scheduler event; returns the way to stop.

        `finished` is True once a run of the job has ended, so a caller can wait for it.
        """

        def forward(event: SchedulerEvent) -> None:
            finished = event.code in (EVENT_JOB_EXECUTED, EVENT_JOB_ERROR)
            listener(getattr(event, "job_id", None), finished)

        self._scheduler.add_listener(forward)
        return lambda: self._scheduler.remove_listener(forward)
