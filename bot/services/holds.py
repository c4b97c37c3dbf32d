"""Holds: after the bot tells a patient to stop a medicine and call their care team (a
red flag whose advice says so, `redflags.HOLD_CODES`), that medicine's reminders stop
saying "take it" until the patient says the care team said to go on, or the regimen
changes (a new medication row has no hold).

Caregivers and the care team see the hold where they see the regimen; while held, a dose
is neither asked about again nor alerted as missed: not taking it is the advice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OPEN_DOSE_STATUSES, DoseEvent, Medication, MedicationRole
from bot.domain.catalog import get_product
from bot.domain.errors import AlreadyAnswered, NotYourRecord
from bot.ports import JobKind, ReminderPlanner
from bot.services import doses


async def hold_oral_bisphosphonates(
    session: AsyncSession, patient_id: int, reason: str, now: datetime
) -> list[int]:
    """Put the patient's oral bisphosphonates on hold (no commit: the caller's red-flag
    transaction keeps the hold exactly when it keeps the flag). Returns the ids held."""
    rows = await session.scalars(
        select(Medication).where(
            Medication.patient_id == patient_id,
            Medication.active.is_(True),
            Medication.role == MedicationRole.BONE_AGENT,
            Medication.hold_since.is_(None),
        )
    )
    held = [m for m in rows if get_product(m.product_key).is_oral_bisphosphonate]
    for medication in held:
        medication.hold_since, medication.hold_reason = now, reason
    return [m.id for m in held]


async def go_on(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
) -> doses.Reminder:
    """The patient says the care team said to go on: lift the hold of the dose's medicine
    and return its reminder, now an ordinary one (Taken, Later, Skip)."""
    event = await session.get(DoseEvent, event_id)
    if event is None:
        raise NotYourRecord
    patient, medication = await doses.owners_of(session, event)
    if patient.telegram_user_id != telegram_user_id:
        raise NotYourRecord  # callback data can be forged
    medication.hold_since, medication.hold_reason = None, None
    await session.commit()
    if event.status not in OPEN_DOSE_STATUSES:
        raise AlreadyAnswered(event.status)  # the hold is lifted; this dose stands as answered
    reminder = await doses.reminder_for(session, event, now, meant_for=now)
    if isinstance(reminder, doses.DueDose) and reminder.caregiver_check_at is not None:
        planner.plan(JobKind.MISSED, event.id, max(reminder.caregiver_check_at, now))
    return reminder


async def held_medicines(session: AsyncSession, patient_ids: list[int]) -> dict[int, list[str]]:
    """The medicines on hold of these patients, by patient (names), for their care team."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(Medication.patient_id, Medication.product_key).where(
            Medication.patient_id.in_(patient_ids),
            Medication.active.is_(True),
            Medication.hold_since.is_not(None),
        )
    )
    found: dict[int, list[str]] = {}
    for patient_id, key in rows:
        found.setdefault(patient_id, []).append(get_product(key).name)
    return found
