"""Start-up: every missing dose-path job re-created from the tables, which are the truth.

Kept apart from the lifecycle because it is the one place that reads every patient: at
100,000 patients its cost is most of the start-up, so it works from plain columns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    CheckinSchedule,
    DoseEvent,
    DoseStatus,
    Medication,
    MedicationRole,
    Patient,
)
from bot.domain.dose_times import DoseSchedule, Frequency, next_occurrence
from bot.ports import JobKind, ReminderPlanner
from bot.services.checkin_plan import plan_next_checkin
from bot.services.dose_timing import as_aware
from bot.services.doses import plan_next_dose


async def reconcile(
    session: AsyncSession,
    planner: ReminderPlanner,
    now: datetime,
    recheck_after: timedelta,
    existing: set[str],
) -> int:
    """Re-create every missing job from the database (start-up): the tables are the truth.

    A job that exists is left alone: if its time is stale (a crash between a change and
    its re-plan), it fires, finds nothing due by the tables, and re-plans itself.
    """
    planned = await _reconcile_doses(session, planner, now, existing)
    open_events = await session.execute(
        select(DoseEvent, Medication.role)
        .join(Medication, Medication.id == DoseEvent.medication_id)
        .where(DoseEvent.status == DoseStatus.SENT, DoseEvent.due_at > now - timedelta(days=1))
    )
    for event, role in open_events:
        if event.snoozed_until is not None and f"snooze:{event.id}" not in existing:
            planner.plan(JobKind.SNOOZE, event.id, max(event.snoozed_until, now))
            planned += 1
        elif (
            role != MedicationRole.SUPPLEMENT  # supplements are not asked about again
            and event.rechecked_at is None
            and event.sent_at is not None
            and f"recheck:{event.id}" not in existing
        ):
            planner.plan(JobKind.RECHECK, event.id, max(event.sent_at + recheck_after, now))
            planned += 1
    windows = await session.scalars(
        select(DoseEvent).where(
            DoseEvent.status == DoseStatus.TAKEN,
            DoseEvent.window_notice_sent_at.is_(None),
            DoseEvent.window_ends_at > now - timedelta(hours=1),
            # Taken "earlier, at ...": a window over before the patient said so has no notice.
            DoseEvent.window_ends_at > DoseEvent.answered_at,
        )
    )
    for event in windows:
        if event.window_ends_at is not None and f"window:{event.id}" not in existing:
            planner.plan(JobKind.WINDOW, event.id, max(event.window_ends_at, now))
            planned += 1
    planned += await _reconcile_make_ups(session, planner, now, existing)
    patient_ids = await session.scalars(select(CheckinSchedule.patient_id))
    for patient_id in list(patient_ids):
        if f"checkin:{patient_id}" in existing:
            continue
        if await plan_next_checkin(session, planner, patient_id, now):
            planned += 1
    return planned


async def _reconcile_doses(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Plan every self-taken medicine's next dose job from three columns per row.

    Plain columns, not ORM rows, and one query for the unsent doses: at 100,000 patients
    this is most of the start-up. Supplements, whose times depend on the patient's
    bisphosphonate, and paused medications are planned afterwards from their rows.
    """
    unsent = set(
        await session.scalars(
            select(DoseEvent.medication_id)
            .where(DoseEvent.status == DoseStatus.PENDING)
            .distinct()
        )
    )
    rows = await session.execute(
        select(
            Medication.id,
            Medication.role,
            Medication.frequency,
            Medication.time_of_day,
            Medication.weekday,
            Medication.day_of_month,
            func.coalesce(Medication.recorded_until, Medication.started_at),
            Patient.timezone,
            Medication.paused_until,
        )
        .join(Patient, Patient.id == Medication.patient_id)
        .where(
            Medication.active.is_(True),
            Medication.frequency.is_not(None),
            Medication.time_of_day.is_not(None),
            Patient.unreachable_since.is_(None),
        )
    )
    zones: dict[str, ZoneInfo] = {}
    planned = 0
    supplements: list[int] = []
    for medication_id, role, frequency, at, weekday, day, cursor, zone_name, paused in rows:
        if f"dose:{medication_id}" in existing:
            continue
        if role == MedicationRole.SUPPLEMENT or paused is not None:
            supplements.append(medication_id)  # planned from the row: its timing is not plain
            continue
        # The query keeps only medications with a frequency and a time of day.
        assert frequency is not None
        assert at is not None
        zone = zones.setdefault(zone_name, ZoneInfo(zone_name))
        schedule = DoseSchedule(Frequency(frequency), at, weekday=weekday, day_of_month=day)
        upcoming = next_occurrence(schedule, zone, as_aware(cursor)).due_at
        overdue = medication_id in unsent or upcoming <= now
        planner.plan(JobKind.DOSE, medication_id, now if overdue else upcoming)
        planned += 1
    if supplements:
        loaded = await session.execute(
            select(Medication, Patient)
            .join(Patient, Patient.id == Medication.patient_id)
            .where(Medication.id.in_(supplements))
        )
        for medication, patient in list(loaded):
            if await plan_next_dose(session, planner, medication, patient, now):
                planned += 1
    return planned


async def _reconcile_make_ups(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Plan every make-up dose still to come (or due while the bot was down, within a day)."""
    made = select(DoseEvent.makeup_for_event_id).where(DoseEvent.makeup_for_event_id.is_not(None))
    rows = await session.execute(
        select(DoseEvent.id, DoseEvent.makeup_at).where(
            DoseEvent.makeup_at.is_not(None),
            DoseEvent.makeup_at > now - timedelta(days=1),
            DoseEvent.id.not_in(made),
        )
    )
    planned = 0
    for event_id, makeup_at in rows:
        if makeup_at is not None and JobKind.MAKEUP.job_id(event_id) not in existing:
            planner.plan(JobKind.MAKEUP, event_id, max(makeup_at, now))
            planned += 1
    return planned
