"""What the demo page shows as "scheduled next": job ids in words a visitor understands."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import BoneHealthProfile, DoseEvent, Medication, Patient
from bot.services.dose_timing import reminder_name

# What each kind of job does, for a medicine's sentence name.
JOB_WORDS = {
    "dose": "reminder to take {medicine}",
    "snooze": "reminder again after Later: {medicine}",
    "recheck": "ask once more about {medicine}",
    "window": "say the wait after {medicine} is over",
}
DXA_WORDS = "bone density scan reminder"


@dataclass(frozen=True)
class PlannedJob:
    """One scheduled job as the page lists it."""

    job_id: str
    what: str  # e.g. "Alice: reminder to take anastrozole 1 mg"
    at: datetime  # demo time
    zone: str  # the patient's time zone, to show the time as they would see it
    chat_id: int | None

    def to_json(self) -> dict[str, Any]:
        """Render for the page."""
        return {
            "id": self.job_id,
            "what": self.what,
            "at": self.at.isoformat(),
            "zone": self.zone,
            "chat_id": self.chat_id,
        }


async def describe_jobs(
    sessions: async_sessionmaker[AsyncSession],
    jobs: Iterable[tuple[str, datetime]],
    name_of: Callable[[int], str],
) -> list[PlannedJob]:
    """Describe (job id, time) pairs from the rows they name; unknown ids are kept as is."""
    described = []
    async with sessions() as session:
        for job_id, at in jobs:
            described.append(await _describe(session, job_id, at, name_of))
    return described


async def _describe(
    session: AsyncSession, job_id: str, at: datetime, name_of: Callable[[int], str]
) -> PlannedJob:
    kind, _, raw_id = job_id.partition(":")
    if kind == "dxa" and raw_id.isdigit():
        profile = await session.get(BoneHealthProfile, int(raw_id))
        owner = await session.get(Patient, profile.patient_id) if profile else None
        if owner is not None:
            what = f"{name_of(owner.chat_id)}: {DXA_WORDS}"
            return PlannedJob(job_id, what, at, owner.timezone, owner.chat_id)
    medication: Medication | None = None
    if kind in JOB_WORDS and raw_id.isdigit():
        if kind == "dose":
            medication = await session.get(Medication, int(raw_id))
        else:
            event = await session.get(DoseEvent, int(raw_id))
            medication = await session.get(Medication, event.medication_id) if event else None
    patient = await session.get(Patient, medication.patient_id) if medication else None
    if medication is None or patient is None:
        return PlannedJob(job_id, job_id, at, "UTC", None)
    medicine = reminder_name(medication)
    what = f"{name_of(patient.chat_id)}: {JOB_WORDS[kind].format(medicine=medicine)}"
    return PlannedJob(job_id, what, at, patient.timezone, patient.chat_id)


async def zone_of(sessions: async_sessionmaker[AsyncSession], telegram_user_id: int) -> str | None:
    """Return a registered person's time zone (None before they register)."""
    async with sessions() as session:
        return await session.scalar(
            select(Patient.timezone).where(Patient.telegram_user_id == telegram_user_id)
        )
