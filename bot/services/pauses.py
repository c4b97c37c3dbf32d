"""Pausing reminders: a holiday, a hospital stay. Chosen medicines or all, until a day.

A paused day gets no reminder and no dose record, so it is not counted as missed and
raises no missed-dose alert; the dose timing skips it (`dose_timing.PausedTiming`).
People linked to the patient who get missed-dose alerts are told, so silence does not
worry them. Resuming early moves each medicine's record on to now: the paused days
before it stay paused, the doses still to come today come.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Medication, Patient
from bot.domain.dose_times import local_today
from bot.domain.errors import BonebotError, NotYourRecord
from bot.ports import ReminderPlanner
from bot.services.care_alerts import active_links
from bot.services.dose_timing import reminder_name, schedule_of
from bot.services.doses import plan_next_dose
from bot.services.regimen import require_patient

# How far ahead a pause may reach: longer than a long trip, short enough that a forgotten
# pause ends by itself (the patient can pause again).
LONGEST_PAUSE = timedelta(days=90)


class InvalidPause(BonebotError):
    """A pause that ends before today or too far ahead (or names no medicine of the user)."""


@dataclass(frozen=True)
class PausedMedicine:
    """One medicine's reminders and whether (and until when) they are paused."""

    medication_id: int
    name: str
    paused_until: date | None  # None: not paused


@dataclass(frozen=True)
class Notice:
    """A message to one linked person about the pause (sent by the handler after commit)."""

    chat_id: int
    patient_name: str


@dataclass(frozen=True)
class PauseView:
    """The patient's timed medicines, what is paused, and whom to tell about a change."""

    today: date
    medicines: tuple[PausedMedicine, ...]
    notices: tuple[Notice, ...] = ()

    @property
    def paused(self) -> tuple[PausedMedicine, ...]:
        """The medicines paused now (through today or later)."""
        return tuple(
            m
            for m in self.medicines
            if m.paused_until is not None and m.paused_until >= self.today
        )


def _timed(medications: list[Medication]) -> list[Medication]:
    """The medicines with reminders (clinic-given agents have none to pause)."""
    return [m for m in medications if schedule_of(m) is not None]


async def _reminded(session: AsyncSession, patient_id: int) -> list[Medication]:
    """Every medicine in force with reminders, calcium and vitamin D included."""
    rows = await session.scalars(
        select(Medication)
        .where(Medication.patient_id == patient_id, Medication.active.is_(True))
        .order_by(Medication.role, Medication.id)
    )
    return _timed(list(rows))


def _view(
    patient: Patient, medications: list[Medication], now: datetime, notices: tuple[Notice, ...]
) -> PauseView:
    today = local_today(ZoneInfo(patient.timezone), now)
    return PauseView(
        today,
        tuple(PausedMedicine(m.id, reminder_name(m), m.paused_until) for m in _timed(medications)),
        notices,
    )


async def pause_view(session: AsyncSession, telegram_user_id: int, now: datetime) -> PauseView:
    """Return the patient's timed medicines and their pauses (for /pause)."""
    patient = await require_patient(session, telegram_user_id)
    return _view(patient, await _reminded(session, patient.id), now, ())


async def _notices(session: AsyncSession, patient: Patient) -> tuple[Notice, ...]:
    """Everyone linked who gets missed-dose alerts: a pause means no alerts, say so."""
    links = await active_links(session, patient.id, "missed_dose_alerts")
    return tuple(Notice(link.member_chat_id, link.patient_name) for link in links)


async def pause(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    medication_id: int | None,
    until: date,
    now: datetime,
) -> PauseView:
    """Pause one medicine's reminders (or, with None, all of them) through `until`."""
    patient = await require_patient(session, telegram_user_id)
    today = local_today(ZoneInfo(patient.timezone), now)
    if not today <= until <= today + LONGEST_PAUSE:
        raise InvalidPause(str(until))
    medications = await _reminded(session, patient.id)
    chosen = [m for m in medications if medication_id is None or m.id == medication_id]
    if not chosen:
        raise NotYourRecord  # forged data: not one of the acting user's medicines
    for medication in chosen:
        medication.paused_until = until
    await session.commit()
    for medication in chosen:
        await plan_next_dose(session, planner, medication, patient, now)
    every = await _reminded(session, patient.id)
    return _view(patient, every, now, await _notices(session, patient))


async def resume(
    session: AsyncSession, planner: ReminderPlanner, *, telegram_user_id: int, now: datetime
) -> PauseView:
    """End every pause now: the record moves on to now, so paused days stay paused and the
    doses still to come today come."""
    patient = await require_patient(session, telegram_user_id)
    today = local_today(ZoneInfo(patient.timezone), now)
    medications = await _reminded(session, patient.id)
    paused = [m for m in medications if m.paused_until is not None and m.paused_until >= today]
    for medication in paused:
        medication.paused_until = None
        medication.recorded_until = max(medication.recorded_until or medication.started_at, now)
    await session.commit()
    for medication in paused:
        await plan_next_dose(session, planner, medication, patient, now)
    notices = await _notices(session, patient) if paused else ()
    return _view(patient, medications, now, notices)
