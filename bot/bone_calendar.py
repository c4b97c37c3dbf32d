"""The bone calendar as a whole: /bone's page, what /today and /history add, start-up.

Each part (clinic-given agents, bone density scans, and the other bone-health dates) keeps
its own service and job; this module is the one place that knows them all, so the
application calls one reconcile and each handler one function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import clinic_schedule, dxa_schedule
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


@dataclass(frozen=True)
class BoneDay:
    """What the bone calendar adds to /today and /history."""

    agents: list[AgentView]
    dxa: DxaView | None  # None until the patient first opens /bone


async def bone_page(session: AsyncSession, telegram_user_id: int, now: datetime) -> BonePage:
    """Return the acting patient's bone calendar, or raise NotRegistered."""
    patient = await session.scalar(
        select(Patient).where(Patient.telegram_user_id == telegram_user_id)
    )
    if patient is None:
        raise NotRegistered
    agents = await clinic_schedule.agent_views(session, patient, now)
    return BonePage(agents, await dxa_schedule.view_of(session, patient, now))


async def bone_day(session: AsyncSession, patient: Patient, now: datetime) -> BoneDay:
    """Return the clinic doses and scans for /today and /history (nothing is created)."""
    agents = await clinic_schedule.agent_views(session, patient, now)
    has_profile = await session.scalar(
        select(BoneHealthProfile.id).where(BoneHealthProfile.patient_id == patient.id)
    )
    dxa = await dxa_schedule.view_of(session, patient, now) if has_profile else None
    return BoneDay(agents, dxa)


async def reconcile(session: AsyncSession, planner: ReminderPlanner, now: datetime) -> int:
    """Re-create every missing bone-calendar job from the tables (start-up)."""
    planned = await clinic_schedule.reconcile(session, planner, now)
    planned += await dxa_schedule.reconcile(session, planner, now)
    return planned
