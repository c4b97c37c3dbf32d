"""The patient's audit log of views: every look by a caregiver or clinician at their data.

Exports have their own log (`bot.services.exports`); this one records the chat's views: a
caregiver's /caring day, a clinician's /patients overview and response figures, the symptom
chart. The line is written in the same session as the read and committed with it, so a view
nobody was shown leaves a line only if the reply then failed (kept: it was read).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AccessRecord, LinkRole
from bot.services.regimen import require_patient


class View(StrEnum):
    """What a linked person looked at (stored: never rename a value)."""

    CARING = "caring"  # /caring: today's doses, next appointment, latest check-in
    OVERVIEW = "overview"  # /patients: open red flags, adherence
    SYMPTOM_LOG = "symptom_log"  # the symptom chart
    RESPONSES = "responses"  # /responses: the alerts about them and their answer times


@dataclass(frozen=True)
class AccessEntry:
    """One view as the patient sees it in /privacy."""

    at: datetime
    actor_role: LinkRole
    actor_name: str
    what: View


def record_view(
    session: AsyncSession,
    *,
    patient_id: int,
    telegram_user_id: int,
    role: LinkRole,
    name: str,
    what: View,
    now: datetime,
) -> None:
    """Add a view's line to the patient's audit log (the caller commits)."""
    session.add(
        AccessRecord(
            patient_id=patient_id,
            actor_telegram_user_id=telegram_user_id,
            actor_role=role.value,
            actor_name=name,
            what=what.value,
            created_at=now,
        )
    )


async def access_log(
    session: AsyncSession, telegram_user_id: int, limit: int = 20
) -> list[AccessEntry]:
    """Return the latest views of the acting patient's data, newest first."""
    patient = await require_patient(session, telegram_user_id)
    rows = await session.scalars(
        select(AccessRecord)
        .where(AccessRecord.patient_id == patient.id)
        .order_by(AccessRecord.created_at.desc(), AccessRecord.id.desc())
        .limit(limit)
    )
    return [
        AccessEntry(row.created_at, LinkRole(row.actor_role), row.actor_name, View(row.what))
        for row in rows
    ]
