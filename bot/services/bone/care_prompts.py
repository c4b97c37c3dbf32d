"""Dental check-up reminders and the weekly exercise nudge: the service behind their jobs.

Dental checks apply while the patient takes a medicine with the jaw-bone warning
(`bot.domain.care_reminders.needs_dental_checks`: bisphosphonates and denosumab). With no check-up
on record the first reminder is due at once; when such a medicine is added to a plan that
had none, that reminder is the before-you-start one. After each reminder or recorded
check-up the next is due DENTAL_INTERVAL_MONTHS later. Every message's wording, with the
reason, comes from `bot.domain.care_reminders`, which cites its sources.

The exercise nudge is optional and weekly, on the patient's day and time (`exercise:{id}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by, require_patient
from bot.db.models import CarePrompts, Medication, MedicationRole, Patient
from bot.domain.bone_health import add_months
from bot.domain.care_reminders import (
    DENTAL_INTERVAL_MONTHS,
    EXERCISE_PROMPT,
    dental_check_message,
    needs_dental_checks,
)
from bot.domain.dose_times import DoseSchedule, Frequency, local_today, next_occurrence
from bot.domain.errors import NotYourRecord
from bot.domain.text_input import InvalidDateText
from bot.ports import JobKind, ReminderPlanner
from bot.services.bone.clinic_agents import at_reminder_time

EARLIEST_CHECK_MONTHS = 60  # an older check-up is a typing error (and long overdue anyway)


async def _bone_agent(session: AsyncSession, patient_id: int) -> Medication | None:
    """Return the active bone agent that carries the jaw-bone warning, if any."""
    rows = await session.scalars(
        select(Medication).where(
            Medication.patient_id == patient_id,
            Medication.active.is_(True),
            Medication.role == MedicationRole.BONE_AGENT,
        )
    )
    return next((m for m in rows if needs_dental_checks(m.product_key)), None)


async def _prompts_of(session: AsyncSession, patient: Patient, now: datetime) -> CarePrompts:
    """Return the patient's row, creating it the first time it is needed."""
    row = await session.scalar(select(CarePrompts).where(CarePrompts.patient_id == patient.id))
    if row is None:
        row = CarePrompts(patient_id=patient.id, updated_at=now)
        session.add(row)
        await session.flush()
    return row


def _dental_run_at(due_on: date, zone: ZoneInfo, now: datetime) -> datetime:
    """Return when a dental reminder goes out: 10:00 on its day, or the next 10:00 to come."""
    at = at_reminder_time(due_on, zone)
    if at > now:
        return at
    today = local_today(zone, now)
    at = at_reminder_time(today, zone)
    return at if at > now else at_reminder_time(today + timedelta(days=1), zone)


def _plan_dental(
    planner: ReminderPlanner, row: CarePrompts, zone: ZoneInfo, now: datetime
) -> None:
    if row.dental_due_on is None:
        planner.cancel(JobKind.DENTAL, row.id)
    else:
        planner.plan(JobKind.DENTAL, row.id, _dental_run_at(row.dental_due_on, zone, now))


async def sync_dental(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> None:
    """Start, keep or stop dental reminders to match the medicines in force (regimen saved).

    The exercise nudge and the dental reminder are planned again too, so a new time zone
    moves them with the clock.
    """
    patient = await session.get(Patient, patient_id)
    if patient is None:
        return
    zone = ZoneInfo(patient.timezone)
    agent = await _bone_agent(session, patient_id)
    row = await session.scalar(select(CarePrompts).where(CarePrompts.patient_id == patient_id))
    if agent is None:
        if row is not None:
            _plan_exercise(planner, row, zone, now)  # a new time zone moves the weekly nudge
        if row is not None and row.dental_due_on is not None:
            row.dental_due_on, row.dental_before_start, row.updated_at = None, False, now
            await session.commit()
            planner.cancel(JobKind.DENTAL, row.id)
        return
    row = row or await _prompts_of(session, patient, now)
    _plan_exercise(planner, row, zone, now)  # a new time zone moves the weekly nudge
    if row.dental_due_on is None:
        today = local_today(zone, now)
        last = row.last_dental_check_on
        row.dental_due_on = today if last is None else max(add_months(last, 6), today)
        # Added to a plan that existed before this change: a real start of the medicine.
        row.dental_before_start = last is None and agent.started_at > patient.created_at
        row.dental_reminded_on, row.updated_at = None, now
    await session.commit()
    _plan_dental(planner, row, zone, now)


@dataclass(frozen=True)
class CareView:
    """Dental check-ups and the exercise nudge as /bone shows them."""

    prompts_id: int
    today: date
    needs_dental: bool
    last_dental_check_on: date | None
    dental_due_on: date | None
    exercise_weekday: int | None
    exercise_time: time | None
    dental_product_key: str | None = None  # the medicine the check-ups are for


def _view(row: CarePrompts, today: date, agent: Medication | None) -> CareView:
    return CareView(
        row.id,
        today,
        agent is not None,
        row.last_dental_check_on,
        row.dental_due_on,
        row.exercise_weekday,
        row.exercise_time,
        agent.product_key if agent is not None else None,
    )


async def care_view(session: AsyncSession, patient: Patient, now: datetime) -> CareView:
    """Return the patient's dental and exercise settings (creating the row)."""
    row = await _prompts_of(session, patient, now)
    await session.commit()
    today = local_today(ZoneInfo(patient.timezone), now)
    return _view(row, today, await _bone_agent(session, patient.id))


async def own_care_view(
    session: AsyncSession, telegram_user_id: int, prompts_id: int, now: datetime
) -> CareView:
    """Return a row's view only for its own patient (before a date picker)."""
    row = await owned_by(session, CarePrompts, prompts_id, telegram_user_id)
    patient = await session.get(Patient, row.patient_id)
    if patient is None:
        raise NotYourRecord
    today = local_today(ZoneInfo(patient.timezone), now)
    return _view(row, today, await _bone_agent(session, patient.id))


def check_date_range(today: date) -> tuple[date, date]:
    """Return the dates a dental check-up can be recorded on."""
    return add_months(today, -EARLIEST_CHECK_MONTHS), today


async def record_dental_check(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    prompts_id: int,
    checked_on: date,
    now: datetime,
) -> CareView:
    """Record the date of a dental check-up; the next is due DENTAL_INTERVAL_MONTHS later."""
    row = await owned_by(session, CarePrompts, prompts_id, telegram_user_id)
    patient = await session.get(Patient, row.patient_id)
    if patient is None:
        raise NotYourRecord
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    earliest, latest = check_date_range(today)
    if not earliest <= checked_on <= latest:
        raise InvalidDateText(checked_on.isoformat())
    agent = await _bone_agent(session, patient.id)
    needs = agent is not None
    if row.last_dental_check_on is None or checked_on > row.last_dental_check_on:
        row.last_dental_check_on = checked_on
    next_on = add_months(row.last_dental_check_on, DENTAL_INTERVAL_MONTHS)
    row.dental_due_on = max(next_on, today) if needs else None
    row.dental_before_start, row.dental_reminded_on, row.updated_at = False, None, now
    await session.commit()
    _plan_dental(planner, row, zone, now)
    return _view(row, today, agent)


@dataclass(frozen=True)
class DentalRun:
    """A dental reminder to send now, or None fields when nothing is due."""

    prompts_id: int
    chat_id: int
    reachable: bool
    day: date
    message: str | None


async def dental_run(session: AsyncSession, prompts_id: int, now: datetime) -> DentalRun | None:
    """Return today's dental reminder (with the reason), if one is due; None: stop."""
    row = await session.get(CarePrompts, prompts_id)
    patient = await session.get(Patient, row.patient_id) if row else None
    if row is None or patient is None or row.dental_due_on is None:
        return None
    agent = await _bone_agent(session, patient.id)
    if agent is None:
        return None
    today = local_today(ZoneInfo(patient.timezone), now)
    due = row.dental_due_on <= today and row.dental_reminded_on != today
    message = None
    if due:
        starting = row.dental_before_start
        message = dental_check_message(agent.product_key, starting=starting).text
    return DentalRun(row.id, patient.chat_id, patient.unreachable_since is None, today, message)


async def dental_reminded(
    session: AsyncSession, prompts_id: int, day: date, now: datetime
) -> datetime | None:
    """Record the reminder (after sending); return when the next one, an interval later,
    is due (None: no more dental reminders for this row)."""
    row = await session.get(CarePrompts, prompts_id)
    patient = await session.get(Patient, row.patient_id) if row else None
    if row is None or patient is None or row.dental_due_on is None:
        return None
    row.dental_reminded_on, row.dental_before_start = day, False
    row.dental_due_on = add_months(max(row.dental_due_on, day), DENTAL_INTERVAL_MONTHS)
    row.updated_at = now
    await session.commit()
    return _dental_run_at(row.dental_due_on, ZoneInfo(patient.timezone), now)


# --------------------------------------------------------------------------- exercise


def _exercise_schedule(row: CarePrompts) -> DoseSchedule | None:
    if row.exercise_weekday is None or row.exercise_time is None:
        return None
    return DoseSchedule(Frequency.WEEKLY, row.exercise_time, weekday=row.exercise_weekday)


def _plan_exercise(
    planner: ReminderPlanner, row: CarePrompts, zone: ZoneInfo, now: datetime
) -> datetime | None:
    schedule = _exercise_schedule(row)
    if schedule is None:
        planner.cancel(JobKind.EXERCISE, row.id)
        return None
    run_at = next_occurrence(schedule, zone, now).due_at
    planner.plan(JobKind.EXERCISE, row.id, run_at)
    return run_at


async def set_exercise(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    weekday: int | None,
    at: time | None,
    now: datetime,
) -> datetime | None:
    """Turn the weekly nudge on (a weekday and time) or off (None); return the next one."""
    if weekday is not None and not 0 <= weekday <= 6:
        raise NotYourRecord  # forged data
    patient = await require_patient(session, telegram_user_id)
    row = await _prompts_of(session, patient, now)
    row.exercise_weekday = weekday if at is not None else None
    row.exercise_time = at if weekday is not None else None
    row.updated_at = now
    await session.commit()
    zone = ZoneInfo(patient.timezone)
    run_at = _plan_exercise(planner, row, zone, now)
    return run_at.astimezone(zone) if run_at else None


@dataclass(frozen=True)
class ExerciseRun:
    """The weekly nudge to send, and when the next one is."""

    chat_id: int
    reachable: bool
    message: str
    next_at: datetime


async def exercise_run(
    session: AsyncSession, prompts_id: int, now: datetime
) -> ExerciseRun | None:
    """Return this week's exercise nudge and the next week's time (None: turned off)."""
    row = await session.get(CarePrompts, prompts_id)
    patient = await session.get(Patient, row.patient_id) if row else None
    schedule = _exercise_schedule(row) if row else None
    if row is None or patient is None or schedule is None:
        return None
    zone = ZoneInfo(patient.timezone)
    following = next_occurrence(schedule, zone, now + timedelta(minutes=1)).due_at
    reachable = patient.unreachable_since is None
    return ExerciseRun(patient.chat_id, reachable, EXERCISE_PROMPT.text, following)


# --------------------------------------------------------------------------- start-up


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-create missing dental and exercise jobs from the table (start-up)."""
    planned = 0
    rows = await session.execute(
        select(CarePrompts, Patient)
        .join(Patient, Patient.id == CarePrompts.patient_id)
        .where(CarePrompts.dental_due_on.is_not(None) | CarePrompts.exercise_weekday.is_not(None))
    )
    for row, patient in rows:
        zone = ZoneInfo(patient.timezone)
        if row.dental_due_on is not None and f"dental:{row.id}" not in existing:
            _plan_dental(planner, row, zone, now)
            planned += 1
        wanted = row.exercise_weekday is not None and f"exercise:{row.id}" not in existing
        if wanted and _plan_exercise(planner, row, zone, now) is not None:
            planned += 1
    return planned
