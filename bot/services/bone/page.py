"""The bone calendar as a whole: /bone's page, what /today and /history add, start-up.

Each part (clinic-given agents, bone density scans, dental check-ups and the exercise
nudge) keeps its own service and job; this module is the one place that knows them all,
so the regimen service, the application and each handler call one function here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import require_patient
from bot.db.models import BoneHealthProfile, Patient
from bot.domain.care_reminders import dental_check_message
from bot.domain.catalog import AdviceTopic, Product
from bot.domain.clinic_agents import agent_advice
from bot.exports.ics import AppointmentKind, agent_kind
from bot.ports import ReminderPlanner
from bot.services.bone import calcium as calcium_schedule
from bot.services.bone import care_prompts, clinic_agents, markers, pill_counts, reviews
from bot.services.bone import dxa as dxa_schedule
from bot.services.bone.calcium import CalciumView, SupplementTally, TodaySupplement
from bot.services.bone.care_prompts import CareView
from bot.services.bone.clinic_agents import AgentView
from bot.services.bone.dxa import DxaView
from bot.services.bone.markers import MarkersView


@dataclass(frozen=True)
class BonePage:
    """Everything /bone shows for one patient."""

    agents: list[AgentView]
    dxa: DxaView
    care: CareView
    calcium: CalciumView
    markers: MarkersView
    # The aromatase inhibitor's planned length (None: no aromatase inhibitor in force).
    ai_plan: reviews.AromataseInhibitorPlan | None = None


@dataclass(frozen=True)
class BoneDay:
    """What the bone calendar adds to /today and /history."""

    agents: list[AgentView]
    dxa: DxaView | None  # None until the patient first opens /bone
    supplements: list[TodaySupplement]  # today's calcium reminders
    supplement_tally: SupplementTally | None  # the last 30 days' calcium reminders
    markers: MarkersView | None = None  # lab results on record (None: none asked for)


async def bone_page(session: AsyncSession, telegram_user_id: int, now: datetime) -> BonePage:
    """Return the acting patient's bone calendar, or raise NotRegistered."""
    patient = await require_patient(session, telegram_user_id)
    agents = await clinic_agents.agent_views(session, patient, now)
    dxa = await dxa_schedule.view_of(session, patient, now)
    care = await care_prompts.care_view(session, patient, now)
    calcium = await calcium_schedule.calcium_view(session, telegram_user_id, now)
    ai_plan = await reviews.ai_plan(session, telegram_user_id, now)
    lab = await markers.view_of(session, patient, now)
    return BonePage(agents, dxa, care, calcium, lab, ai_plan)


async def bone_day(session: AsyncSession, patient: Patient, now: datetime) -> BoneDay:
    """Return the clinic doses and scans for /today and /history (nothing is created)."""
    agents = await clinic_agents.agent_views(session, patient, now)
    has_profile = await session.scalar(
        select(BoneHealthProfile.id).where(BoneHealthProfile.patient_id == patient.id)
    )
    dxa = await dxa_schedule.view_of(session, patient, now) if has_profile else None
    supplements = await calcium_schedule.supplements_today(session, patient, now)
    tally = await calcium_schedule.supplement_tally(session, patient, now)
    results = await markers.view_of(session, patient, now)
    return BoneDay(agents, dxa, supplements, tally, results)


@dataclass(frozen=True)
class CalendarEntry:
    """One upcoming date for the patient's calendar file; the wording is added by texts."""

    kind: AppointmentKind
    due_on: date
    uid_seed: str  # stable per patient and record, so re-imports update the same event
    product: Product | None = None  # the clinic agent, for its name
    booked: bool = False  # a DXA scan with a booked date (else: due around then)
    note: str = ""  # label-sourced advice for the day, from the domain modules


async def calendar_entries(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> list[CalendarEntry]:
    """Return the acting patient's upcoming clinic doses, DXA scan and dental check-up."""
    page = await bone_page(session, telegram_user_id, now)
    patient_seed = f"bone-profile-{page.dxa.profile_id}"
    entries = []
    for agent in page.agents:
        if agent.due_on is None or agent.due_on < agent.today:
            continue
        advice = " ".join(
            text for text, _ in agent_advice(agent.product.key, AdviceTopic.BEFORE_DOSE)
        )
        entries.append(
            CalendarEntry(
                agent_kind(agent.product),
                agent.due_on,
                f"{patient_seed}:agent-{agent.plan_id}:{agent.due_on.isoformat()}",
                product=agent.product,
                note=advice,
            )
        )
    dxa = page.dxa
    if dxa.next_on is not None and dxa.next_on >= dxa.today:
        entries.append(
            CalendarEntry(
                AppointmentKind.DXA_SCAN,
                dxa.next_on,
                f"{patient_seed}:dxa:{dxa.next_on.isoformat()}",
                booked=dxa.next_is_booked,
            )
        )
    care = page.care
    agent_key = care.dental_product_key
    if care.dental_due_on is not None and agent_key is not None:
        entries.append(
            CalendarEntry(
                AppointmentKind.DENTAL_CHECK,
                max(care.dental_due_on, care.today),
                f"{patient_seed}:dental:{care.dental_due_on.isoformat()}",
                note=dental_check_message(agent_key).text,
            )
        )
    return entries


async def sync(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> None:
    """Follow a saved regimen: clinic agents, dental, DXA, calcium times and pill counts."""
    await clinic_agents.sync_plans(session, planner, patient_id, now)
    await care_prompts.sync_dental(session, planner, patient_id, now)
    await dxa_schedule.replan(session, planner, patient_id, now)
    await calcium_schedule.replan_all(session, planner, patient_id, now)
    await pill_counts.follow_regimen(session, planner, patient_id, now)
    await reviews.sync_reviews(session, planner, patient_id, now)


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-create every missing bone-calendar job from the tables (start-up)."""
    planned = await clinic_agents.reconcile(session, planner, now, existing)
    planned += await dxa_schedule.reconcile(session, planner, now, existing)
    planned += await care_prompts.reconcile(session, planner, now, existing)
    planned += await pill_counts.reconcile(session, planner, now, existing)
    planned += await reviews.reconcile(session, planner, now, existing)
    return planned
