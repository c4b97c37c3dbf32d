"""A patient's answer to a dose reminder: Taken, Later, Skip, Missed, or a second press.

Every answer loads the dose through its owner (callback data can be forged) and refuses a
dose already answered; the follow-ups it makes moot (the snoozed resend, the once-more
question) are cancelled, and a bisphosphonate taken plans its end-of-window message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by
from bot.db.models import OPEN_DOSE_STATUSES, DoseEvent, DoseStatus, Medication, Patient
from bot.domain.calcium import SupplementKind
from bot.domain.catalog import Product, get_product
from bot.domain.errors import AlreadyAnswered, NotYourRecord
from bot.ports import JobKind, ReminderPlanner
from bot.services.dose_timing import is_supplement


class SkipReason:
    """Reasons a patient can give for skipping a dose (stored as these codes)."""

    FORGOT = "forgot"
    SIDE_EFFECTS = "side_effects"
    CARE_TEAM_PAUSE = "care_team_pause"
    OTHER = "other"
    ALL = (FORGOT, SIDE_EFFECTS, CARE_TEAM_PAUSE, OTHER)


async def _own_event(session: AsyncSession, telegram_user_id: int, event_id: int) -> DoseEvent:
    """Load a dose only if it belongs to the acting user: callback data can be forged."""
    return await owned_by(session, DoseEvent, event_id, telegram_user_id)


async def _open_event(
    session: AsyncSession, telegram_user_id: int, event_id: int, *, medicines_only: bool = False
) -> DoseEvent:
    event = await _own_event(session, telegram_user_id, event_id)
    if medicines_only:
        medication = await session.get(Medication, event.medication_id)
        if medication is None or is_supplement(medication):
            raise NotYourRecord  # a supplement has only Taken and Later: forged data
    if event.status not in OPEN_DOSE_STATUSES:
        raise AlreadyAnswered(event.status)
    return event


@dataclass(frozen=True)
class Answer:
    """The outcome of a button press, for the reply."""

    product: Product
    status: DoseStatus
    zone: ZoneInfo
    due_local: datetime
    answered_local: datetime
    window_ends_local: datetime | None = None
    snoozed_until_local: datetime | None = None
    skip_reason: str | None = None


@dataclass(frozen=True)
class SupplementAnswer:
    """The outcome of a Taken or Later press under a supplement reminder, for the reply."""

    kind: SupplementKind
    dose_mg: int | None
    status: DoseStatus
    answered_local: datetime | None
    snoozed_until_local: datetime | None


async def owners_of(session: AsyncSession, event: DoseEvent) -> tuple[Patient, Medication]:
    """Load the patient and medication of a dose (foreign keys guarantee both exist)."""
    patient = await session.get(Patient, event.patient_id)
    medication = await session.get(Medication, event.medication_id)
    if patient is None or medication is None:
        raise NotYourRecord
    return patient, medication


async def _answer(session: AsyncSession, event: DoseEvent) -> Answer | SupplementAnswer:
    patient, medication = await owners_of(session, event)
    zone = ZoneInfo(patient.timezone)

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value else None

    if is_supplement(medication):
        return SupplementAnswer(
            SupplementKind(medication.product_key),
            medication.dose_mg,
            DoseStatus(event.status),
            local(event.answered_at),
            local(event.snoozed_until),
        )
    return Answer(
        product=get_product(medication.product_key),
        status=DoseStatus(event.status),
        zone=zone,
        due_local=event.due_at.astimezone(zone),
        answered_local=(event.answered_at or event.due_at).astimezone(zone),
        window_ends_local=local(event.window_ends_at),
        snoozed_until_local=local(event.snoozed_until),
        skip_reason=event.skip_reason,
    )


async def take_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
) -> Answer | SupplementAnswer:
    """Record a dose as taken and plan the end-of-window message for bisphosphonates."""
    event = await _open_event(session, telegram_user_id, event_id)
    medication = await session.get(Medication, event.medication_id)
    assert medication is not None
    minutes = (
        0
        if is_supplement(medication)
        else get_product(medication.product_key).after_window_minutes
    )
    event.status, event.answered_at = DoseStatus.TAKEN, now
    event.window_ends_at = now + timedelta(minutes=minutes) if minutes else None
    await session.commit()
    _drop_follow_ups(planner, event.id)
    if event.window_ends_at is not None:
        planner.plan(JobKind.WINDOW, event.id, event.window_ends_at)
    return await _answer(session, event)


def _drop_follow_ups(planner: ReminderPlanner, event_id: int) -> None:
    """An answered dose needs neither its snoozed resend nor its once-more question."""
    planner.cancel(JobKind.SNOOZE, event_id)
    planner.cancel(JobKind.RECHECK, event_id)


async def snooze_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
    minutes: int,
) -> Answer | SupplementAnswer:
    """Put a reminder off for a short while; it comes back as a new message."""
    event = await _open_event(session, telegram_user_id, event_id)
    event.snoozed_until = now + timedelta(minutes=minutes)
    await session.commit()
    planner.plan(JobKind.SNOOZE, event.id, event.snoozed_until)
    return await _answer(session, event)


async def skip_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    reason: str,
    now: datetime,
) -> Answer | SupplementAnswer:
    """Record a deliberate skip with the patient's reason."""
    if reason not in SkipReason.ALL:
        raise NotYourRecord  # forged callback data: treat like any other bad reference
    event = await _open_event(session, telegram_user_id, event_id, medicines_only=True)
    event.status, event.answered_at, event.skip_reason = DoseStatus.SKIPPED, now, reason
    await session.commit()
    _drop_follow_ups(planner, event.id)
    return await _answer(session, event)


async def miss_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
) -> Answer | SupplementAnswer:
    """Record the patient's word that a dose was missed."""
    event = await _open_event(session, telegram_user_id, event_id, medicines_only=True)
    event.status, event.answered_at = DoseStatus.MISSED, now
    await session.commit()
    _drop_follow_ups(planner, event.id)
    return await _answer(session, event)


async def describe_answer(
    session: AsyncSession, telegram_user_id: int, event_id: int
) -> Answer | SupplementAnswer:
    """Return how an already answered dose stands (for a second press of a button)."""
    return await _answer(session, await _own_event(session, telegram_user_id, event_id))


async def legacy_supplement_event(session: AsyncSession, legacy_id: int) -> int | None:
    """Return the dose event a supplement event of before revision 0011 became, if any."""
    return await session.scalar(
        select(DoseEvent.id).where(DoseEvent.legacy_supplement_event_id == legacy_id)
    )


async def legacy_supplement_medication(session: AsyncSession, legacy_id: int) -> int | None:
    """Return the medication a supplement prompt of before revision 0011 became, if any."""
    return await session.scalar(
        select(Medication.id).where(Medication.legacy_supplement_prompt_id == legacy_id)
    )


async def check_open_dose(session: AsyncSession, telegram_user_id: int, event_id: int) -> None:
    """Raise unless the dose is the acting user's own medicine, still open (before menus)."""
    await _open_event(session, telegram_user_id, event_id, medicines_only=True)
