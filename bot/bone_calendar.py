"""The bone calendar as a whole: what /today and /history add, and the start-up reconcile.

Each part (clinic-given agents, and the other bone-health dates) keeps its own service and
job; this module is the one place that knows them all, so the application calls one
reconcile and the overview handlers one function.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import clinic_schedule
from bot.clinic_schedule import AgentView
from bot.models import Patient
from bot.planner import ReminderPlanner


async def agents_of(session: AsyncSession, patient: Patient, now: datetime) -> list[AgentView]:
    """Return the patient's clinic agents, for /today and /history."""
    return await clinic_schedule.agent_views(session, patient, now)


async def reconcile(session: AsyncSession, planner: ReminderPlanner, now: datetime) -> int:
    """Re-create every missing bone-calendar job from the tables (start-up)."""
    return await clinic_schedule.reconcile(session, planner, now)
