"""Pausing reminders on the dose service: paused days get no reminder and no record (not
missed), the reminders come back the day after, resuming early starts from now, and the
people who get missed-dose alerts are named to be told."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DoseEvent, Medication
from bot.domain.errors import NotYourRecord
from bot.ports import JobKind
from bot.services import doses, pauses
from bot.services.pauses import InvalidPause
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ANASTROZOLE, LONDON, medication, register
from tests.services.test_care_links import _linked

ALICE, BOB = 1001, 1002
CAROL = 2001  # Alice's caregiver
ZONE = ZoneInfo(LONDON)
GRACE = timedelta(hours=4)


def _local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZONE).astimezone(UTC)


async def test_paused_days_get_no_reminder_and_no_record_then_reminders_come_back(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock(), ai_time=time(9, 0))
    anastrozole = await medication(session, patient, ANASTROZOLE)
    today = clock().astimezone(ZONE).date()
    until = today + timedelta(days=3)

    view = await pauses.pause(
        session, planner, telegram_user_id=ALICE, medication_id=None, until=until, now=clock()
    )

    assert [m.paused_until for m in view.paused] == [until]
    resumes_at = _local(until + timedelta(days=1), time(9, 0))
    assert planner.run_at(JobKind.DOSE, anastrozole.id) == resumes_at
    # Even if the job ran on a paused morning (a stale plan): nothing due, nothing recorded.
    paused_morning = _local(today + timedelta(days=1), time(9, 0))
    batch = (await doses.open_due_batch(session, [anastrozole.id], paused_morning, GRACE))[
        anastrozole.id
    ]
    assert batch.doses == []
    assert batch.next_due_at == resumes_at
    # The morning after the pause: the reminder, and only that day's.
    batch = (
        await doses.open_due_batch(session, [anastrozole.id], clock.jump_to(resumes_at), GRACE)
    )[anastrozole.id]
    assert [d.due_local.date() for d in batch.doses] == [until + timedelta(days=1)]
    recorded = list(await session.scalars(select(DoseEvent.local_date)))
    assert all(day > until for day in recorded)


async def test_resuming_early_starts_from_now_and_leaves_paused_days_unrecorded(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock(), ai_time=time(9, 0))
    anastrozole = await medication(session, patient, ANASTROZOLE)
    today = clock().astimezone(ZONE).date()
    await pauses.pause(
        session,
        planner,
        telegram_user_id=ALICE,
        medication_id=anastrozole.id,
        until=today + timedelta(days=10),
        now=clock(),
    )
    # Home early, two days later at 08:00.
    clock.jump_to(_local(today + timedelta(days=2), time(8, 0)))

    view = await pauses.resume(session, planner, telegram_user_id=ALICE, now=clock())

    assert view.paused == ()
    assert planner.run_at(JobKind.DOSE, anastrozole.id) == _local(
        today + timedelta(days=2), time(9, 0)
    )
    batch = (await doses.open_due_batch(session, [anastrozole.id], clock(), GRACE))[anastrozole.id]
    assert batch.doses == []  # nothing comes back from the paused days
    assert list(await session.scalars(select(DoseEvent))) == []


async def test_linked_people_with_missed_dose_alerts_are_named_to_be_told(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    await _linked(session, clock)
    today = clock().astimezone(ZONE).date()

    view = await pauses.pause(
        session, planner, telegram_user_id=ALICE, medication_id=None, until=today, now=clock()
    )

    assert [notice.chat_id for notice in view.notices] == [CAROL]


async def test_pauses_in_the_past_too_long_or_of_others_are_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    bob = await register(session, planner, BOB, now=clock())
    bobs = await medication(session, bob, ANASTROZOLE)
    today = clock().astimezone(ZONE).date()
    for until in (today - timedelta(days=1), today + timedelta(days=91)):
        with pytest.raises(InvalidPause):
            await pauses.pause(
                session,
                planner,
                telegram_user_id=ALICE,
                medication_id=None,
                until=until,
                now=clock(),
            )
    with pytest.raises(NotYourRecord):
        await pauses.pause(
            session,
            planner,
            telegram_user_id=ALICE,
            medication_id=bobs.id,
            until=today,
            now=clock(),
        )
    untouched = await session.get(Medication, bobs.id)
    assert untouched is not None
    assert untouched.paused_until is None
