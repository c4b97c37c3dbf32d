"""The bone calendar as a whole: /bone's page, what /today and /history add, start-up.

Each part (clinic-given agents, bone density scans, dental check-ups and the exercise
nudge) keeps its own service and job; this module is the one place that knows them all,
so the regimen service, the application and each handler call one function here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import care_schedule, clinic_schedule, dxa_schedule
from bot.care_schedule import CareView
from bot.clinic_schedule import AgentView
from bot.dxa_schedule import DxaView
from bot.errors import NotRegistered
from bot.models import BoneHealthProfile, Patient
from bot.planner import ReminderPlanner


@dataclass(frozen=True)
class BonePage:
    """Everything /bone shows for one patient."""

    agents: list[AgentView]
    dxa: DxaView
    care: CareView


@dataclass(frozen=True)
class BoneDay:
    """What the bone calendar adds to /today and /history."""

    agents: list[AgentView]
    dxa: DxaView | None  # None until the patient first opens /bone


async def _patient(session: AsyncSession, telegram_user_id: int) -> Patient:
    patient = await session.scalar(
        select(Patient).where(Patient.telegram_user_id == telegram_user_id)
    )
    if patient is None:
        raise NotRegistered
    return patient


async def bone_page(session: AsyncSession, telegram_user_id: int, now: datetime) -> BonePage:
    """Return the acting patient's bone calendar, or raise NotRegistered."""
    patient = await _patient(session, telegram_user_id)
    agents = await clinic_schedule.agent_views(session, patient, now)
    dxa = await dxa_schedule.view_of(session, patient, now)
    return BonePage(agents, dxa, await care_schedule.care_view(session, patient, now))


async def bone_day(session: AsyncSession, patient: Patient, now: datetime) -> BoneDay:
    """Return the clinic doses and scans for /today and /history (nothing is created)."""
    agents = await clinic_schedule.agent_views(session, patient, now)
    has_profile = await session.scalar(
        select(BoneHealthProfile.id).where(BoneHealthProfile.patient_id == patient.id)
    )
    dxa = await dxa_schedule.view_of(session, patient, now) if has_profile else None
    return BoneDay(agents, dxa)


async def sync(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> None:
    """Follow a saved regimen: clinic agents get plans, dental reminders start or stop."""
    await clinic_schedule.sync_plans(session, planner, patient_id, now)
    await care_schedule.sync_dental(session, planner, patient_id, now)


async def reconcile(session: AsyncSession, planner: ReminderPlanner, now: datetime) -> int:
    """Re-create every missing bone-calendar job from the tables (start-up)."""
    planned = await clinic_schedule.reconcile(session, planner, now)
    planned += await dxa_schedule.reconcile(session, planner, now)
    planned += await care_schedule.reconcile(session, planner, now)
    return planned
