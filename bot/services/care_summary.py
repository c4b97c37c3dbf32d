"""The optional weekly adherence summary a patient can let a caregiver receive.

One job per patient (`summary:{patient_id}`), Sundays at 18:00 in the patient's zone; it
sends the last seven days' counts per medicine to every active link with the summary on, and
plans next week only while someone still wants it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CareLink, LinkStatus, Patient
from bot.domain.dose_times import DoseSchedule, Frequency, next_occurrence
from bot.ports import JobKind, ReminderPlanner
from bot.services.adherence import Adherence, adherence
from bot.services.care_alerts import active_links, anyone_receives

SUMMARY_DAYS = 7
SUMMARY_SCHEDULE = DoseSchedule(Frequency.WEEKLY, time(18, 0), weekday=6)  # Sunday 18:00


@dataclass(frozen=True)
class Summary:
    """One summary to send: to whom, about whom, and the counts."""

    chat_id: int
    patient_name: str
    rates: tuple[Adherence, ...]


async def _wanted(session: AsyncSession, patient_id: int) -> bool:
    return bool(await session.scalar(select(anyone_receives(patient_id, "weekly_summary"))))


async def plan_weekly_summary(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> datetime | None:
    """Plan the patient's next summary if anyone receives it (None: nobody does)."""
    patient = await session.get(Patient, patient_id)
    if patient is None or not await _wanted(session, patient_id):
        return None
    run_at = next_occurrence(SUMMARY_SCHEDULE, ZoneInfo(patient.timezone), now).due_at
    planner.plan(JobKind.SUMMARY, patient_id, run_at)
    return run_at


async def weekly_summaries(session: AsyncSession, patient_id: int, now: datetime) -> list[Summary]:
    """Return the summaries due now, one per linked person who receives them."""
    patient = await session.get(Patient, patient_id)
    if patient is None:
        return []
    links = await active_links(session, patient_id, "weekly_summary")
    if not links:
        return []
    rates = tuple(await adherence(session, patient, now, SUMMARY_DAYS))
    return [Summary(link.member_chat_id, link.patient_name, rates) for link in links]


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Plan the summary of every patient someone receives it for (start-up)."""
    patient_ids = await session.scalars(
        select(CareLink.patient_id)
        .where(CareLink.status == LinkStatus.ACTIVE, CareLink.weekly_summary.is_(True))
        .distinct()
    )
    planned = 0
    for patient_id in list(patient_ids):
        if f"summary:{patient_id}" not in existing and await plan_weekly_summary(
            session, planner, patient_id, now
        ):
            planned += 1
    return planned
