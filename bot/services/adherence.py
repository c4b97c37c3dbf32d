"""Today's doses and the last days' adherence, computed from the dose record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import REGIMEN_ROLES, DoseEvent, DoseStatus, Medication, Patient
from bot.domain.answer_times import CHANGE_WINDOW, CHANGEABLE_STATUSES
from bot.domain.catalog import Product, get_product
from bot.domain.dose_times import dose_dates, local_today, next_occurrence, occurrence_on
from bot.services.dose_timing import (
    bisphosphonates_of,
    calcium_prompts_of,
    cursor_of,
    reminder_name,
    schedule_of,
    timing_of,
)
from bot.services.regimen import active_medications

UPCOMING = "upcoming"  # a dose later today that has no record yet


@dataclass(frozen=True)
class TodayDose:
    """One dose of today, with what has become of it so far."""

    product: Product
    due_local: datetime
    status: str
    answered_local: datetime | None


@dataclass(frozen=True)
class Adherence:
    """Counts for one medicine over a period."""

    product: Product
    due: int
    taken: int
    skipped: int
    missed: int
    unanswered: int
    made_up: int = 0  # missed doses whose make-up (the label's morning after) was taken

    @property
    def percent_taken(self) -> int:
        """Share of due doses confirmed taken, rounded to a whole percent."""
        return round(100 * self.taken / self.due) if self.due else 0


async def _events_on(
    session: AsyncSession, patient_id: int, first: date, last: date
) -> list[tuple[DoseEvent, str]]:
    rows = await session.execute(
        select(DoseEvent, Medication.product_key)
        .join(Medication, Medication.id == DoseEvent.medication_id)
        .where(
            DoseEvent.patient_id == patient_id,
            DoseEvent.local_date >= first,
            DoseEvent.local_date <= last,
            Medication.role.in_(REGIMEN_ROLES),  # supplements have a tally of their own
        )
        .order_by(DoseEvent.due_at)
    )
    return [(event, key) for event, key in rows]


async def doses_today(session: AsyncSession, patient: Patient, now: datetime) -> list[TodayDose]:
    """List today's doses in the patient's zone, recorded or still to come."""
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    recorded = {
        (key, event.local_date): event
        for event, key in await _events_on(session, patient.id, today, today)
    }
    doses: list[TodayDose] = [
        TodayDose(
            get_product(key),
            event.due_at.astimezone(zone),
            event.status,
            _taken_or_answered(event, zone),
        )
        for (key, _), event in recorded.items()
        if event.makeup_for_event_id is not None  # a make-up day is not on the schedule
    ]
    for medication in await active_medications(session, patient.id):
        schedule = schedule_of(medication)
        if schedule is None:
            continue
        for day in dose_dates(schedule, today, today):
            event = recorded.get((medication.product_key, day))
            due = occurrence_on(schedule, day, zone).due_at
            doses.append(
                TodayDose(
                    get_product(medication.product_key),
                    (event.due_at if event else due).astimezone(zone),
                    event.status if event else UPCOMING,
                    _taken_or_answered(event, zone),
                )
            )
    return sorted(doses, key=lambda dose: dose.due_local)


async def adherence(
    session: AsyncSession, patient: Patient, now: datetime, days: int = 30
) -> list[Adherence]:
    """Count taken, skipped, missed and unanswered doses per medicine over `days` days."""
    today = local_today(ZoneInfo(patient.timezone), now)
    counts: dict[str, Counter[str]] = {}
    for event, key in await _events_on(session, patient.id, today - timedelta(days - 1), today):
        tally = counts.setdefault(key, Counter())
        if event.makeup_for_event_id is None:
            tally[event.status] += 1
        elif event.status == DoseStatus.TAKEN:  # a make-up is not a dose due of its own
            tally[_MADE_UP] += 1
    return [
        Adherence(
            get_product(key),
            due=sum(n for status, n in tally.items() if status != _MADE_UP),
            taken=tally[DoseStatus.TAKEN],
            skipped=tally[DoseStatus.SKIPPED],
            missed=tally[DoseStatus.MISSED],
            unanswered=tally[DoseStatus.SENT] + tally[DoseStatus.PENDING],
            made_up=tally[_MADE_UP],
        )
        for key, tally in counts.items()
    ]


_MADE_UP = "made up"  # tallied beside the statuses


@dataclass(frozen=True)
class NextDose:
    """The next dose reminder to come: what, and when in the patient's zone."""

    name: str
    due_local: datetime


async def next_dose(session: AsyncSession, patient: Patient, now: datetime) -> NextDose | None:
    """Return the next reminder to come, of any medicine with reminders (calcium included),
    past a pause; None when nothing is reminded."""
    zone = ZoneInfo(patient.timezone)
    rows = await session.scalars(
        select(Medication).where(Medication.patient_id == patient.id, Medication.active.is_(True))
    )
    bisphosphonate = (await bisphosphonates_of(session, [patient.id], now)).get(patient.id)
    calcium = (
        (await calcium_prompts_of(session, [patient.id])).get(patient.id, [])
        if bisphosphonate is not None
        else []
    )
    found: list[NextDose] = []
    for medication in list(rows):
        timing = timing_of(medication, zone, bisphosphonate, calcium)
        if timing is None:
            continue
        at = timing.next_after(cursor_of(medication), now)
        found.append(NextDose(reminder_name(medication), at.astimezone(zone)))
    return min(found, key=lambda dose: dose.due_local, default=None)


async def next_reminder(session: AsyncSession, patient: Patient, now: datetime) -> datetime | None:
    """Return when the next dose reminder is due, in the patient's zone."""
    zone = ZoneInfo(patient.timezone)
    upcoming = [
        next_occurrence(schedule, zone, now).due_at
        for medication in await active_medications(session, patient.id)
        if (schedule := schedule_of(medication)) is not None
    ]
    return min(upcoming).astimezone(zone) if upcoming else None


def _taken_or_answered(event: DoseEvent | None, zone: ZoneInfo) -> datetime | None:
    """When a dose was taken (as the patient said), else answered: what /today shows."""
    if event is None:
        return None
    moment = event.taken_at or event.answered_at
    return moment.astimezone(zone) if moment else None


@dataclass(frozen=True)
class ChangeableDose:
    """An answered dose the patient can still correct (for two days: `CHANGE_WINDOW`)."""

    event_id: int
    product: Product
    due_local: datetime
    status: str


async def changeable_doses(
    session: AsyncSession, patient: Patient, now: datetime
) -> list[ChangeableDose]:
    """List the patient's answered medicine doses still open to correction, newest first."""
    zone = ZoneInfo(patient.timezone)
    rows = await session.execute(
        select(DoseEvent, Medication.product_key)
        .join(Medication, Medication.id == DoseEvent.medication_id)
        .where(
            DoseEvent.patient_id == patient.id,
            DoseEvent.status.in_(CHANGEABLE_STATUSES),
            DoseEvent.answered_at >= now - CHANGE_WINDOW,
            Medication.role.in_(REGIMEN_ROLES),
        )
        .order_by(DoseEvent.due_at.desc())
    )
    return [
        ChangeableDose(event.id, get_product(key), event.due_at.astimezone(zone), event.status)
        for event, key in rows
    ]
