"""Dose jobs that fire together are opened, sent and recorded together.

Each medication keeps its own `dose:{id}` job (so a job can be planned, moved, run or
dropped on its own), but at a peak minute thousands fire in the same second. Each job
hands its medication to the batcher and waits; the batcher takes everything handed in
during one turn of the event loop (up to BATCH_SIZE), opens the doses with a few queries,
sends the reminders concurrently through the paced courier, records them with one UPDATE
and plans each medication's next job. Per reminder that is a fraction of a round trip,
instead of four.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.db.database import retrying
from bot.ports import JobKind, NotLeader
from bot.services import doses as reminders
from bot.services.context import Services
from bot.services.doses import DueDose, Reminder, SentReminder
from scheduler import runtime
from scheduler.delivery import Outcome as DeliveryOutcome
from ui.keyboards.doses import reminder_message

log = logging.getLogger(__name__)

BATCH_SIZE = 500
SENDS_AT_ONCE = 100  # requests in flight; the pacer still spaces them to the limits
RETRY_DELAY = timedelta(minutes=1)

Opener = Callable[[list[int]], Awaitable[None]]


class DoseBatcher:
    """Collects medication ids handed in by dose jobs and opens them in batches."""

    def __init__(self, open_batch: Opener) -> None:
        self._open_batch = open_batch
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []
        self._draining: asyncio.Task[None] | None = None

    async def run(self, medication_id: int) -> None:
        """Open this medication with whatever else is due now; return when it is done."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((medication_id, done))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.create_task(self._drain(), name="dose-batches")
        await done

    async def _drain(self) -> None:
        async with runtime.job_slots():
            try:
                while self._waiting:
                    await asyncio.sleep(0)  # let the jobs fired in this turn hand theirs in
                    batch = self._waiting[:BATCH_SIZE]
                    del self._waiting[:BATCH_SIZE]
                    try:
                        await self._open_batch(sorted({m for m, _ in batch}))
                    except Exception as error:  # each waiting job reports it as its own
                        for _, done in batch:
                            if not done.done():
                                done.set_exception(error)
                    else:
                        for _, done in batch:
                            if not done.done():
                                done.set_result(None)
            finally:  # cancelled (shutdown, or leadership lost): the jobs waiting end too;
                # their doses are rebuilt from the tables by the next leader
                for _, done in self._waiting:
                    if not done.done():
                        done.set_result(None)
                self._waiting.clear()


async def open_and_send(medication_ids: list[int]) -> None:
    """Open the due doses of these medications, send them, record them, plan what's next."""
    services = runtime.current()
    grace = timedelta(minutes=services.settings.late_grace_minutes)

    async def open_batch() -> dict[int, reminders.DueBatch]:
        async with services.sessions() as session:
            return await reminders.open_due_batch(
                session, medication_ids, services.clock(), grace, epoch=services.fence.epoch
            )

    try:
        opened = await retrying(open_batch, "opening due doses")
    except NotLeader:  # another process's term began: it rebuilds these jobs itself
        log.warning("due doses not opened: another process leads now")
        services.fence.revoke()
        return
    recorder = _Recorder(services)
    sends = asyncio.Semaphore(SENDS_AT_ONCE)
    try:
        outcomes = await asyncio.gather(
            *(_send_all(services, batch.doses, sends, recorder) for batch in opened.values())
        )
    finally:
        await recorder.flushed()
    now = services.clock()
    planner = services.planner
    for (medication_id, batch), outcome in zip(opened.items(), outcomes, strict=True):
        if outcome.unreachable_chat is not None:
            async with services.sessions() as session:
                await reminders.mark_unreachable(session, outcome.unreachable_chat, now)
            planner.cancel(JobKind.DOSE, medication_id)
        elif outcome.deferred:
            planner.plan(JobKind.DOSE, medication_id, now + RETRY_DELAY)
        elif batch.next_due_at is None:
            planner.cancel(JobKind.DOSE, medication_id)
        else:
            planner.plan(JobKind.DOSE, medication_id, batch.next_due_at)
    if recorder.count:
        log.info("%d dose reminders sent", recorder.count)


class _Recorder:
    """Records sent reminders as soon as it can, merging those sent during the last write.

    So a killed process repeats only reminders sent in the last moments (in flight, or
    waiting for one short write), as one reminder at a time would.
    """

    def __init__(self, services: Services) -> None:
        self._services = services
        self._waiting: list[SentReminder] = []
        self._writing: asyncio.Task[None] | None = None
        self.count = 0

    def add(self, sent: SentReminder) -> None:
        """Queue one sent reminder for recording."""
        self._waiting.append(sent)
        self.count += 1
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write())

    async def _write(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            await retrying(functools.partial(self._mark, batch), "recording sent reminders")

    async def _mark(self, batch: list[SentReminder]) -> None:
        # Not fenced: these reminders did reach Telegram. Recording that (a pending dose
        # becomes sent) is true whoever leads now, and spares the next leader a duplicate.
        async with self._services.sessions() as session:
            await reminders.mark_all_sent(session, batch, self._services.clock())

    async def flushed(self) -> None:
        """Wait until everything queued is recorded."""
        while self._writing is not None and not self._writing.done():
            await self._writing


@dataclass
class Outcome:
    """What became of one medication's reminders."""

    deferred: bool = False
    unreachable_chat: int | None = None


async def send_and_record(services: Services, doses: list[Reminder]) -> Outcome:
    """Send reminders outside a batch (a snooze ending), recorded before returning."""
    recorder = _Recorder(services)
    try:
        return await _send_all(services, doses, asyncio.Semaphore(1), recorder)
    finally:
        await recorder.flushed()


async def _send_all(
    services: Services, doses: list[Reminder], sends: asyncio.Semaphore, recorder: _Recorder
) -> Outcome:
    """Send one medication's due reminders in order; stop at the first that must wait."""
    outcome = Outcome()
    settings, planner = services.settings, services.planner
    recheck = timedelta(minutes=settings.recheck_after_minutes)
    for dose in doses:
        text, markup = reminder_message(dose)
        async with sends:
            delivery = await runtime.courier().deliver(dose.chat_id, text, markup)
        if delivery.outcome is DeliveryOutcome.DEFERRED:
            outcome.deferred = True
            break
        if delivery.outcome is DeliveryOutcome.UNREACHABLE:
            outcome.unreachable_chat = dose.chat_id
            break
        if delivery.message_id is None:  # refused by Telegram (logged): the next one may pass
            continue
        recorder.add(SentReminder(dose.event_id, delivery.message_id, dose.late))
        if not isinstance(dose, DueDose) or dose.held_since is not None:
            continue  # a supplement, or a medicine on hold: not asked about again, not watched
        now = services.clock()
        if dose.caregiver_check_at is not None:
            planner.plan(JobKind.MISSED, dose.event_id, max(dose.caregiver_check_at, now))
        planner.plan(JobKind.RECHECK, dose.event_id, now + recheck)
    return outcome
