"""Loading a patient's row of a one-per-patient table (a schedule, a profile) with the
patient, the way the timed jobs and their re-planning start."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base, Patient

R = TypeVar("R", bound=Base)


async def row_with_patient(
    session: AsyncSession, table: type[R], patient_id: int
) -> tuple[R, Patient] | None:
    """Return the patient's row of `table` (which has a unique `patient_id`) and the patient,
    or None when either is gone."""
    owner = table.__table__.c.patient_id
    loaded = (
        await session.execute(
            select(table, Patient).join(Patient, Patient.id == owner).where(owner == patient_id)
        )
    ).first()
    return None if loaded is None else (loaded[0], loaded[1])
