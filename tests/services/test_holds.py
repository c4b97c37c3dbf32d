"""Holds on the dose service: a medicine on hold is reminded with the hold (no caregiver
check), only its own patient lifts it, and lifting it gives the ordinary reminder back."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.errors import NotYourRecord
from bot.ports import JobKind
from bot.services import doses, holds
from bot.services.doses import DueDose
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ALENDRONATE_WEEKLY, ANASTROZOLE, medication, register

ALICE, BOB = 1001, 1002
GRACE = timedelta(hours=4)


async def test_only_the_oral_bisphosphonate_is_held_and_its_reminder_says_so(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(
        session,
        planner,
        ALICE,
        now=clock(),
        bone=ALENDRONATE_WEEKLY,
        bone_weekday=0,
        bone_time=time(7, 0),
    )
    held_ids = await holds.hold_oral_bisphosphonates(session, patient.id, "upper_gi", clock())
    await session.commit()
    alendronate = await medication(session, patient, ALENDRONATE_WEEKLY)
    anastrozole = await medication(session, patient, ANASTROZOLE)
    assert held_ids == [alendronate.id]
    assert anastrozole.hold_since is None
    # Held twice (the flag again next week): the first moment stands.
    assert await holds.hold_oral_bisphosphonates(session, patient.id, "upper_gi", clock()) == []

    due_at = planner.run_at(JobKind.DOSE, alendronate.id)
    [due] = (await doses.open_due_batch(session, [alendronate.id], clock.jump_to(due_at), GRACE))[
        alendronate.id
    ].doses
    assert isinstance(due, DueDose)
    assert due.held_since is not None
    assert due.caregiver_check_at is None
    assert await holds.held_medicines(session, [patient.id]) == {
        patient.id: ["alendronate 70 mg (Fosamax)"]
    }

    await register(session, planner, BOB, now=clock())
    with pytest.raises(NotYourRecord):
        await holds.go_on(
            session, planner, telegram_user_id=BOB, event_id=due.event_id, now=clock()
        )
    again = await holds.go_on(
        session, planner, telegram_user_id=ALICE, event_id=due.event_id, now=clock()
    )
    assert isinstance(again, DueDose)
    assert again.held_since is None
    assert await holds.held_medicines(session, [patient.id]) == {}
