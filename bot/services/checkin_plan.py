"""When a patient's weekly check-in prompt comes: planned from its schedule row.

Its own module because registration, the regimen editor, the check-in service and the
start-up rebuild all plan it, and it needs nothing of theirs.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CheckinSchedule, Patient
from bot.domain.dose_times import DoseSchedule, Frequency, next_occurrence
from bot.ports import JobKind, ReminderPlanner


def checkin_schedule_of(row: CheckinSchedule) -> DoseSchedule:
    """Return the weekly check-in prompt's schedule (weekly, like a weekly dose)."""
    return DoseSchedule(Frequency.WEEKLY, row.time_of_day, weekday=row.weekday)


async def plan_next_checkin(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> datetime | None:
    """Plan the patient's weekly check-in prompt at its next local time (None: turned off).

    Planned for unreachable patients too: the job then sends nothing and plans the next
    week, so the prompt comes back by itself once the patient unblocks the bot.
    """
    loaded = (
        await session.execute(
            select(CheckinSchedule, Patient)
            .join(Patient, Patient.id == CheckinSchedule.patient_id)
            .where(CheckinSchedule.patient_id == patient_id)
        )
    ).first()
    if loaded is None:
        return None
    row, patient = loaded
    run_at = next_occurrence(checkin_schedule_of(row), ZoneInfo(patient.timezone), now).due_at
    planner.plan(JobKind.CHECKIN, patient_id, run_at)
    return run_at
