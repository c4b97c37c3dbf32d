"""The dose service on a real database: a regimen registered, its due dose opened at the
clock's time, answered, and every follow-up the planner is asked for, timed from the clock."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DoseEvent, DoseStatus, Patient
from bot.domain.errors import AlreadyAnswered, NotYourRecord
from bot.ports import JobKind
from bot.services import dose_answers, dose_startup, doses
from bot.services.dose_answers import SkipReason
from bot.services.doses import SentReminder
from bot.services.regimen import resume_patient
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import (
    ALENDRONATE_WEEKLY,
    ANASTROZOLE,
    LONDON,
    medication,
    next_wall_time,
    register,
)

ALICE, BOB = 1001, 1002
MONDAY = 0
GRACE = timedelta(hours=4)
RECHECK_AFTER = timedelta(minutes=120)


async def _alice(session: AsyncSession, planner: RecordingPlanner, clock: FixedClock) -> Patient:
    return await register(
        session,
        planner,
        ALICE,
        now=clock(),
        ai=ANASTROZOLE,
        ai_time=time(9, 0),
        bone=ALENDRONATE_WEEKLY,
        bone_weekday=MONDAY,
        bone_time=time(7, 0),
    )


async def _open_sent_dose(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock, product_key: str
) -> DoseEvent:
    """Register Alice, move the clock to the medicine's next dose, open it and send it."""
    patient = await _alice(session, planner, clock)
    med = await medication(session, patient, product_key)
    clock.jump_to(planner.run_at(JobKind.DOSE, med.id))
    batch = (await doses.open_due_batch(session, [med.id], clock(), GRACE))[med.id]
    [due] = batch.doses
    await doses.mark_all_sent(session, [SentReminder(due.event_id, 500, due.late)], clock())
    event = await session.get(DoseEvent, due.event_id)
    assert event is not None
    return event


async def test_registering_plans_each_medicine_at_its_next_wall_clock_time(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await _alice(session, planner, clock)
    ai = await medication(session, patient, ANASTROZOLE)
    bone = await medication(session, patient, ALENDRONATE_WEEKLY)

    assert planner.run_at(JobKind.DOSE, ai.id) == next_wall_time(clock(), LONDON, time(9))
    assert planner.run_at(JobKind.DOSE, bone.id) == next_wall_time(
        clock(), LONDON, time(7), weekday=MONDAY
    )
    assert set(planner.planned(JobKind.DOSE)) == {f"dose:{ai.id}", f"dose:{bone.id}"}


async def test_the_due_dose_opens_at_the_clocks_time_and_the_next_is_a_day_later(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await _alice(session, planner, clock)
    ai = await medication(session, patient, ANASTROZOLE)
    nothing_yet = await doses.open_due_batch(session, [ai.id], clock(), GRACE)
    assert nothing_yet[ai.id].doses == []

    due_at = clock.jump_to(planner.run_at(JobKind.DOSE, ai.id))
    batch = (await doses.open_due_batch(session, [ai.id], clock(), GRACE))[ai.id]

    [due] = batch.doses
    assert due.due_local == due_at.astimezone(ZoneInfo(LONDON))
    assert due.due_local.time() == time(9)
    assert due.chat_id == ALICE
    assert not due.late
    assert batch.next_due_at == next_wall_time(due_at, LONDON, time(9))
    # Opening again in the same minute records nothing twice: the same pending dose.
    again = (await doses.open_due_batch(session, [ai.id], clock(), GRACE))[ai.id]
    assert [d.event_id for d in again.doses] == [due.event_id]


async def test_taking_a_bisphosphonate_plans_the_end_of_its_window_from_the_clock(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    event = await _open_sent_dose(session, planner, clock, ALENDRONATE_WEEKLY)
    pressed_at = clock.advance(timedelta(minutes=3))

    answer = await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=event.id, now=pressed_at
    )

    assert answer.status is DoseStatus.TAKEN
    # Alendronate: 30 minutes fasting and upright after the dose (its label).
    assert planner.run_at(JobKind.WINDOW, event.id) == pressed_at + timedelta(minutes=30)
    assert answer.window_ends_local == (pressed_at + timedelta(minutes=30)).astimezone(
        ZoneInfo(LONDON)
    )
    assert {f"snooze:{event.id}", f"recheck:{event.id}"} <= set(planner.cancelled())


async def test_taking_a_medicine_without_a_window_plans_nothing_more(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    event = await _open_sent_dose(session, planner, clock, ANASTROZOLE)
    planner.forget_calls()

    await dose_answers.take_dose(
        session, planner, telegram_user_id=ALICE, event_id=event.id, now=clock()
    )

    assert planner.planned(JobKind.WINDOW) == {}
    assert [call.action for call in planner.calls] == ["cancel", "cancel"]
    await session.refresh(event)
    assert (event.status, event.answered_at) == (DoseStatus.TAKEN, clock())


async def test_later_plans_the_reminder_again_after_the_snooze_and_then_sends_it(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    event = await _open_sent_dose(session, planner, clock, ANASTROZOLE)
    pressed_at = clock.advance(timedelta(minutes=1))

    answer = await dose_answers.snooze_dose(
        session, planner, telegram_user_id=ALICE, event_id=event.id, now=pressed_at, minutes=15
    )

    back_at = pressed_at + timedelta(minutes=15)
    assert planner.run_at(JobKind.SNOOZE, event.id) == back_at
    assert answer.snoozed_until_local == back_at.astimezone(ZoneInfo(LONDON))
    # While snoozed, the once-more question waits for the snooze.
    assert await doses.recheck_reminder(session, event.id, back_at - timedelta(minutes=1)) is None
    resent = await doses.snoozed_reminder(session, event.id, clock.jump_to(back_at))
    assert resent is not None
    assert resent.event_id == event.id
    assert resent.due_local.time() == time(9)
    # The snooze is spent: a second run of the same job sends nothing.
    assert await doses.snoozed_reminder(session, event.id, clock()) is None


async def test_skip_records_the_reason_and_a_second_answer_is_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    event = await _open_sent_dose(session, planner, clock, ANASTROZOLE)

    answer = await dose_answers.skip_dose(
        session,
        planner,
        telegram_user_id=ALICE,
        event_id=event.id,
        reason=SkipReason.SIDE_EFFECTS,
        now=clock(),
    )

    assert (answer.status, answer.skip_reason) == (DoseStatus.SKIPPED, "side_effects")
    assert {f"snooze:{event.id}", f"recheck:{event.id}"} <= set(planner.cancelled())
    with pytest.raises(AlreadyAnswered):
        await dose_answers.take_dose(
            session, planner, telegram_user_id=ALICE, event_id=event.id, now=clock()
        )
    with pytest.raises(NotYourRecord):  # a forged reason is refused like a forged id
        await dose_answers.skip_dose(
            session, planner, telegram_user_id=ALICE, event_id=event.id, reason="x", now=clock()
        )


async def test_another_person_cannot_answer_alices_dose(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    event = await _open_sent_dose(session, planner, clock, ANASTROZOLE)
    await register(session, planner, BOB, now=clock())
    planner.forget_calls()

    for press in (dose_answers.take_dose, dose_answers.miss_dose):
        with pytest.raises(NotYourRecord):
            await press(session, planner, telegram_user_id=BOB, event_id=event.id, now=clock())
    with pytest.raises(NotYourRecord):
        await dose_answers.describe_answer(session, BOB, event.id)

    await session.refresh(event)
    assert event.status == DoseStatus.SENT
    assert planner.calls == []


async def test_a_restart_rebuilds_the_next_dose_and_the_recheck_from_the_tables(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    event = await _open_sent_dose(session, planner, clock, ANASTROZOLE)
    sent_at = clock()
    restarted_at = clock.advance(timedelta(minutes=10))
    fresh = RecordingPlanner()  # the in-memory jobs were lost with the process

    planned = await dose_startup.reconcile(
        session, fresh, restarted_at, RECHECK_AFTER, existing=set()
    )

    ai = event.medication_id
    assert fresh.run_at(JobKind.DOSE, ai) == next_wall_time(restarted_at, LONDON, time(9))
    assert fresh.run_at(JobKind.RECHECK, event.id) == sent_at + RECHECK_AFTER
    assert planned == len(fresh.jobs)
    # Jobs that still exist are left alone.
    again = RecordingPlanner()
    assert (
        await dose_startup.reconcile(
            session, again, restarted_at, RECHECK_AFTER, fresh.planned_ids()
        )
        == 0
    )


async def test_a_snoozed_dose_is_resent_at_its_snooze_after_a_restart(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    event = await _open_sent_dose(session, planner, clock, ANASTROZOLE)
    await dose_answers.snooze_dose(
        session, planner, telegram_user_id=ALICE, event_id=event.id, now=clock(), minutes=30
    )
    back_at = clock() + timedelta(minutes=30)
    fresh = RecordingPlanner()

    await dose_startup.reconcile(
        session, fresh, clock.advance(timedelta(minutes=5)), RECHECK_AFTER, existing=set()
    )

    assert fresh.run_at(JobKind.SNOOZE, event.id) == back_at
    assert fresh.planned(JobKind.RECHECK) == {}  # the snooze plans its own recheck


async def test_doses_past_the_grace_period_are_recorded_missed_and_not_sent(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await _alice(session, planner, clock)
    ai = await medication(session, patient, ANASTROZOLE)
    first_due = planner.run_at(JobKind.DOSE, ai.id)
    # Down for two days: three doses fell due; only the last is within grace.
    back_at = clock.jump_to(first_due + timedelta(days=2, hours=1))

    batch = (await doses.open_due_batch(session, [ai.id], back_at, GRACE))[ai.id]

    [due] = batch.doses
    assert due.due_local == (first_due + timedelta(days=2)).astimezone(ZoneInfo(LONDON))
    statuses = await session.scalars(
        select(DoseEvent.status).where(DoseEvent.medication_id == ai.id).order_by(DoseEvent.due_at)
    )
    assert list(statuses) == [DoseStatus.MISSED, DoseStatus.MISSED, DoseStatus.PENDING]
    assert batch.next_due_at == next_wall_time(back_at, LONDON, time(9))


async def test_a_patient_who_blocked_the_bot_gets_no_dose_job_until_they_return(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await _alice(session, planner, clock)
    ai = await medication(session, patient, ANASTROZOLE)
    await doses.mark_unreachable(session, ALICE, clock())

    assert await doses.plan_next_dose(session, planner, ai, patient, clock()) is None
    assert f"dose:{ai.id}" not in planner.jobs

    back = clock.advance(timedelta(days=1))
    await resume_patient(session, planner, patient, back)
    # Doses were not recorded while away, so the overdue one is planned at once.
    assert planner.run_at(JobKind.DOSE, ai.id) == back
