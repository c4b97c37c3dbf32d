"""Adherence on a real database: today's doses and the last days' counts, from doses opened
and answered at the fixed clock's times."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DoseStatus, Patient
from bot.ports import JobKind
from bot.services import adherence, dose_answers, doses
from bot.services.adherence import UPCOMING
from bot.services.dose_answers import SkipReason
from bot.services.doses import SentReminder
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ANASTROZOLE, LONDON, medication, next_wall_time, register

ALICE, BOB = 1001, 1002
GRACE = timedelta(hours=4)


async def _send_due(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock, *patients: Patient
) -> int:
    """Move the clock to the next 09:00 dose, open and send the patients' anastrozole;
    return the first patient's dose id."""
    clock.jump_to(next_wall_time(clock(), LONDON, time(9)))
    event_ids = []
    for patient in patients:
        ai = await medication(session, patient, ANASTROZOLE)
        batch = (await doses.open_due_batch(session, [ai.id], clock(), GRACE))[ai.id]
        [due] = batch.doses
        await doses.mark_all_sent(session, [SentReminder(due.event_id, 1, False)], clock())
        planner.plan(JobKind.DOSE, ai.id, batch.next_due_at or clock())
        event_ids.append(due.event_id)
    return event_ids[0]


async def test_four_days_of_answers_are_counted_per_medicine(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock())
    bob = await register(session, planner, BOB, now=clock())  # another patient's record
    taken = await _send_due(session, planner, clock, patient, bob)
    await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=taken, now=clock()
    )
    skipped = await _send_due(session, planner, clock, patient)
    await dose_answers.skip_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        event_id=skipped,
        reason=SkipReason.FORGOT,
        now=clock(),
    )
    missed = await _send_due(session, planner, clock, patient)
    await dose_answers.miss_dose(
        session, planner, telegram_user_id=ALICE, event_id=missed, now=clock()
    )
    await _send_due(session, planner, clock, patient, bob)  # today's, not answered yet

    [counts] = await adherence.adherence(session, patient, clock(), days=30)

    assert counts.product.key == ANASTROZOLE
    assert (counts.due, counts.taken, counts.skipped, counts.missed, counts.unanswered) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert counts.percent_taken == 25
    # A two-day period holds only yesterday's miss and today's open dose.
    [recent] = await adherence.adherence(session, patient, clock(), days=2)
    assert (recent.due, recent.missed, recent.unanswered) == (2, 1, 1)


async def test_today_lists_the_recorded_dose_and_the_ones_still_to_come(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(
        session,
        planner,
        ALICE,
        now=clock(),
        bone="alendronate-10-daily-tablet",
        bone_time=time(21, 0),
    )
    event_id = await _send_due(session, planner, clock, patient)
    await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=event_id, now=clock()
    )
    zone = ZoneInfo(LONDON)

    today = await adherence.doses_today(session, patient, clock())

    assert [(d.product.key, d.due_local.time(), d.status) for d in today] == [
        (ANASTROZOLE, time(9), DoseStatus.TAKEN),
        ("alendronate-10-daily-tablet", time(21), UPCOMING),
    ]
    assert today[0].answered_local == clock().astimezone(zone)
    assert today[1].answered_local is None
    assert {d.due_local.date() for d in today} == {clock().astimezone(zone).date()}
    assert await adherence.next_reminder(session, patient, clock()) == next_wall_time(
        clock(), LONDON, time(21)
    ).astimezone(zone)
