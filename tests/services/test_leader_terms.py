"""Leader terms fence the claim of due doses: a leader whose term is over records nothing."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DoseEvent, LeaderTerm, Medication
from bot.ports import NotLeader
from bot.services import doses
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import ANASTROZOLE, LONDON, medication, next_wall_time, register

ALICE = 1001
GRACE = timedelta(hours=4)


async def _events(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(DoseEvent)) or 0)


async def test_a_claim_under_an_ended_term_records_nothing(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    session.add(LeaderTerm(id=1, epoch=7))  # the migration's row; this term is current
    await session.commit()
    patient = await register(session, planner, ALICE, now=clock())
    ai = await medication(session, patient, ANASTROZOLE)
    ai_id, cursor = ai.id, ai.recorded_until  # a refused claim rolls back: rows expire
    clock.jump_to(next_wall_time(clock(), LONDON, time(9)))

    with pytest.raises(NotLeader):  # an old leader's claim
        await doses.open_due_batch(session, [ai_id], clock(), GRACE, epoch=6)
    assert await _events(session) == 0
    assert (
        await session.scalar(select(Medication.recorded_until).where(Medication.id == ai_id))
        == cursor
    )

    batch = (await doses.open_due_batch(session, [ai_id], clock(), GRACE, epoch=7))[ai_id]
    assert len(batch.doses) == 1

    # A successor's term begins: the pending reminder is its to send, not term 7's.
    await session.execute(update(LeaderTerm).values(epoch=8))
    await session.commit()
    with pytest.raises(NotLeader):
        await doses.open_due_batch(session, [ai_id], clock(), GRACE, epoch=7)
    again = (await doses.open_due_batch(session, [ai_id], clock(), GRACE, epoch=8))[ai_id]
    assert [d.event_id for d in again.doses] == [d.event_id for d in batch.doses]
    assert await _events(session) == 1
