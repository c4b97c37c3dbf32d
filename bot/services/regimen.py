"""Saving and reading a patient's regimen: the service behind registration and /regimen."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

# Re-exported: callers import them here.
from bot.db.access import find_patient as find_patient
from bot.db.access import require_patient as require_patient
from bot.db.models import (
    REGIMEN_ROLES,
    CareAlert,
    CareLink,
    LinkStatus,
    Medication,
    MedicationRole,
    Patient,
)
from bot.domain.catalog import get_product
from bot.domain.clinic_agents import stops_rebound_agent
from bot.domain.errors import NotYourRecord
from bot.domain.private_chats import private_chat_of
from bot.domain.regimen_draft import CLINIC, NONE, RegimenDraft
from bot.ports import JobKind, ReminderPlanner
from bot.services.bone.page import sync as sync_bone_calendar
from bot.services.care_alerts import add_stopped_agent_alerts, dispatch
from bot.services.checkin_plan import plan_next_checkin
from bot.services.doses import plan_next_dose


@dataclass(frozen=True)
class MedicationPlan:
    """What one regimen slot should hold; compared with the stored row to spot changes."""

    product_key: str
    frequency: str | None
    time_of_day: time | None
    weekday: int | None
    day_of_month: int | None


def _plans_from(draft: RegimenDraft) -> dict[MedicationRole, MedicationPlan]:
    plans: dict[MedicationRole, MedicationPlan] = {}
    ai, ai_schedule = draft.ai(), draft.ai_schedule()
    if ai is not None and ai_schedule is not None:
        plans[MedicationRole.AROMATASE_INHIBITOR] = MedicationPlan(
            ai.key, ai_schedule.frequency, ai_schedule.time_of_day, None, None
        )
    bone = draft.bone()
    if bone is not None:
        schedule = draft.bone_schedule()
        plans[MedicationRole.BONE_AGENT] = MedicationPlan(
            bone.key,
            schedule.frequency if schedule else None,
            schedule.time_of_day if schedule else None,
            schedule.weekday if schedule else None,
            schedule.day_of_month if schedule else None,
        )
    return plans


def _plan_of(medication: Medication) -> MedicationPlan:
    return MedicationPlan(
        medication.product_key,
        medication.frequency,
        medication.time_of_day,
        medication.weekday,
        medication.day_of_month,
    )


async def active_medications(session: AsyncSession, patient_id: int) -> list[Medication]:
    """Return the regimen's medicines in force, aromatase inhibitor first (no supplements:
    /bone sets those up, and a regimen edit leaves them be)."""
    rows = await session.scalars(
        select(Medication)
        .where(
            Medication.patient_id == patient_id,
            Medication.active.is_(True),
            Medication.role.in_(REGIMEN_ROLES),
        )
        .order_by(Medication.role, Medication.id)
    )
    return list(rows)


async def save_regimen(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    chat_id: int,
    draft: RegimenDraft,
    now: datetime,
) -> Patient:
    """Store a confirmed regimen, replacing changed medications, and plan their reminders.

    `chat_id` must be the person's private chat (NotAPrivateChat otherwise): reminders go
    there.
    """
    if draft.timezone is None or not draft.consent:
        raise ValueError("draft is not complete")
    chat_id = private_chat_of(telegram_user_id, chat_id)
    patient = await find_patient(session, telegram_user_id)
    if patient is None:
        patient = Patient(
            telegram_user_id=telegram_user_id,
            chat_id=chat_id,
            timezone=draft.timezone,
            consent_at=now,
            created_at=now,
        )
        session.add(patient)
        await session.flush()
    patient.chat_id = chat_id
    patient.timezone = draft.timezone

    wanted = _plans_from(draft)
    ended: list[int] = []
    current = {MedicationRole(m.role): m for m in await active_medications(session, patient.id)}
    # Stopping or switching away from denosumab is never silent: the linked care team is told
    # in the same transaction (PROLIA PI 5, multiple vertebral fractures after stopping).
    old_bone, new_bone = (
        current.get(MedicationRole.BONE_AGENT),
        wanted.get(MedicationRole.BONE_AGENT),
    )
    stopped_key = old_bone.product_key if old_bone is not None else None
    alerts: list[CareAlert] = []
    if stops_rebound_agent(stopped_key, new_bone.product_key if new_bone else None):
        assert stopped_key is not None  # checked by stops_rebound_agent
        alerts = await add_stopped_agent_alerts(session, patient.id, stopped_key, now)
    for role in REGIMEN_ROLES:
        old, plan = current.get(role), wanted.get(role)
        paused_until = None
        if old is not None and (plan is None or _plan_of(old) != plan):
            old.active, old.ended_at = False, now
            ended.append(old.id)
            # A pause goes on with the same medicine at a new time (a new product ends it).
            if plan is not None and plan.product_key == old.product_key:
                paused_until = old.paused_until
            old = None
        if old is None and plan is not None:
            session.add(
                Medication(
                    patient_id=patient.id,
                    role=role,
                    product_key=plan.product_key,
                    frequency=plan.frequency,
                    time_of_day=plan.time_of_day,
                    weekday=plan.weekday,
                    day_of_month=plan.day_of_month,
                    started_at=now,
                    paused_until=paused_until,
                )
            )
    await session.commit()
    dispatch(planner, [alert.id for alert in alerts], now)

    for medication_id in ended:
        planner.cancel(JobKind.DOSE, medication_id)
    # Every medication is re-planned: a new time zone moves all of them (and the check-in).
    for medication in await active_medications(session, patient.id):
        await plan_next_dose(session, planner, medication, patient, now)
    await plan_next_checkin(session, planner, patient.id, now)
    await sync_bone_calendar(session, planner, patient.id, now)
    return patient


async def load_draft(session: AsyncSession, telegram_user_id: int) -> RegimenDraft:
    """Rebuild a complete draft from the stored regimen, so one part can be changed."""
    patient = await require_patient(session, telegram_user_id)
    draft = RegimenDraft(
        consent=True, timezone=patient.timezone, ai_product=NONE, bone_family=NONE
    )
    for medication in await active_medications(session, patient.id):
        if medication.role == MedicationRole.AROMATASE_INHIBITOR:
            draft = replace(
                draft, ai_product=medication.product_key, ai_time=medication.time_of_day
            )
            continue
        product = get_product(medication.product_key)
        draft = replace(
            draft,
            bone_family=CLINIC if product.is_clinic_given else product.drug,
            bone_product=medication.product_key,
            stored_bone=medication.product_key,
            bone_weekday=medication.weekday,
            bone_day_of_month=medication.day_of_month,
            bone_time=medication.time_of_day,
        )
    return draft


async def resume_patient(
    session: AsyncSession, planner: ReminderPlanner, patient: Patient, now: datetime
) -> None:
    """Resume reminders of a patient who had blocked the bot and came back with /start."""
    if patient.unreachable_since is None:
        return
    patient.unreachable_since = None
    await session.commit()
    for medication in await active_medications(session, patient.id):
        await plan_next_dose(session, planner, medication, patient, now)


async def blocked_or_back(
    session: AsyncSession, planner: ReminderPlanner, chat_id: int, blocked: bool, now: datetime
) -> bool:
    """Telegram says a person blocked the bot (`blocked`) or unblocked it: pause or resume
    a patient's reminders at once, not at the next failed send or /start. Returns whether
    a patient's reminders came back on (the person is told so)."""
    patient = await session.scalar(select(Patient).where(Patient.chat_id == chat_id))
    if patient is None:
        return False
    if blocked:
        if patient.unreachable_since is None:
            patient.unreachable_since = now
            await session.commit()
        return False
    back = patient.unreachable_since is not None
    await resume_patient(session, planner, patient, now)
    return back


async def regimen_rows(
    session: AsyncSession, patient: Patient
) -> list[tuple[str, str | None, time | None, int | None, int | None]]:
    """Return the regimen as (product, frequency, time, weekday, day of month) rows."""
    return [
        (m.product_key, m.frequency, m.time_of_day, m.weekday, m.day_of_month)
        for m in await active_medications(session, patient.id)
    ]


async def change_time(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    role: MedicationRole,
    at: time,
    now: datetime,
) -> Patient:
    """Move one medicine's reminder to another time of day, as a regimen change (the old
    row ends, a new one starts: the record keeps when each time was in force)."""
    patient = await require_patient(session, telegram_user_id)
    draft = await load_draft(session, telegram_user_id)
    if role is MedicationRole.AROMATASE_INHIBITOR and draft.ai_time is not None:
        draft = replace(draft, ai_time=at)
    elif role is MedicationRole.BONE_AGENT and draft.bone_time is not None:
        draft = replace(draft, bone_time=at)
    else:
        raise NotYourRecord  # no such timed medicine: forged or stale button
    return await save_regimen(
        session,
        planner,
        telegram_user_id=telegram_user_id,
        chat_id=patient.chat_id,
        draft=draft,
        now=now,
    )


async def timed_medicines(session: AsyncSession, patient: Patient) -> list[tuple[str, str, time]]:
    """Return the regimen's medicines with a reminder time, as (role, product key, time)."""
    return [
        (m.role, m.product_key, m.time_of_day)
        for m in await active_medications(session, patient.id)
        if m.time_of_day is not None
    ]


async def is_newcomer(session: AsyncSession, telegram_user_id: int) -> bool:
    """Tell whether someone is new to the bot: not a patient, and not linked to one (as a
    caregiver or clinician, pending or active)."""
    if await find_patient(session, telegram_user_id) is not None:
        return False
    linked = await session.scalar(
        select(CareLink.id)
        .where(
            CareLink.member_telegram_user_id == telegram_user_id,
            CareLink.status != LinkStatus.ENDED,
        )
        .limit(1)
    )
    return linked is None
