"""Per-patient access: a row is handed out only to the Telegram user it belongs to.

Imports only the models, so every service can use it without an import cycle.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base, Patient
from bot.domain.errors import NotRegistered, NotYourRecord

Owned = TypeVar("Owned", bound=Base)


async def owned_by(
    session: AsyncSession, model: type[Owned], record_id: int, telegram_user_id: int
) -> Owned:
    """Load a patient's row by id only for that patient: ids in callback data can be forged."""
    table: Any = model  # every patient-owned model has `id` and `patient_id` columns
    row = await session.scalar(
        select(model)
        .join(Patient, Patient.id == table.patient_id)
        .where(table.id == record_id, Patient.telegram_user_id == telegram_user_id)
    )
    if row is None:
        raise NotYourRecord
    return row


async def find_patient(session: AsyncSession, telegram_user_id: int) -> Patient | None:
    """Return the patient registered by this Telegram user, if any."""
    return await session.scalar(
        select(Patient).where(Patient.telegram_user_id == telegram_user_id)
    )


async def require_patient(session: AsyncSession, telegram_user_id: int) -> Patient:
    """Return the acting user's own patient record, or raise NotRegistered."""
    patient = await find_patient(session, telegram_user_id)
    if patient is None:
        raise NotRegistered
    return patient
