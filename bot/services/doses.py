"""The life of a due dose: opened when due, sent, answered, asked about again, planned next.

Delivery is at-least-once by construction: a dose row is committed before its reminder is
sent and marked sent after, so a crash can only repeat a message that was in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by
from bot.db.models import (
    OPEN_DOSE_STATUSES,
    CheckinSchedule,
    DoseEvent,
    DoseStatus,
    Medication,
    Patient,
    UTCDateTime,
)
from bot.domain.catalog import Product, get_product
from bot.domain.dose_times import (
    DoseSchedule,
    Frequency,
    next_occurrence,
    occurrences_between,
)
from bot.domain.errors import AlreadyAnswered, NotYourRecord
from bot.ports import JobKind, ReminderPlanner
from bot.services.care_alerts import anyone_receives, missed_check_at, missed_check_time

# A reminder sent more than this after its time is labelled late (downtime, outage).
LATE_AFTER = timedelta(minutes=5)


class SkipReason:
    """Reasons a patient can give for skipping a dose (stored as these codes)."""

    FORGOT = "forgot"
    SIDE_EFFECTS = "side_effects"
    CARE_TEAM_PAUSE = "care_team_pause"
    OTHER = "other"
    ALL = (FORGOT, SIDE_EFFECTS, CARE_TEAM_PAUSE, OTHER)


@dataclass(frozen=True)
class DueDose:
    """Everything needed to render one reminder; carries no ORM state."""

    event_id: int
    chat_id: int
    product: Product
    due_local: datetime
    late: bool
    # When an unconfirmed dose alerts linked caregivers (None: nobody to alert).
    caregiver_check_at: datetime | None = None


def schedule_of(medication: Medication) -> DoseSchedule | None:
    """Return the dose schedule of a self-taken medicine (None for clinic-given ones)."""
    if medication.frequency is None or medication.time_of_day is None:
        return None
    return DoseSchedule(
        Frequency(medication.frequency),
        medication.time_of_day,
        weekday=medication.weekday,
        day_of_month=medication.day_of_month,
    )


def cursor_of(medication: Medication) -> datetime:
    """Return the instant after which doses of this medication are not yet recorded."""
    return medication.recorded_until or medication.started_at


def as_aware(value: datetime | str) -> datetime:
    """Normalise a timestamp from an aggregate (SQLite's MAX() hands back text)."""
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def plan_next_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    medication: Medication,
    patient: Patient,
    now: datetime,
) -> datetime | None:
    """Plan the medication's dose job at its next due time (now, if doses are overdue)."""
    schedule = schedule_of(medication)
    if schedule is None or not medication.active or patient.unreachable_since is not None:
        planner.cancel(JobKind.DOSE, medication.id)
        return None
    unsent = await session.scalar(
        select(func.count())
        .select_from(DoseEvent)
        .where(DoseEvent.medication_id == medication.id, DoseEvent.status == DoseStatus.PENDING)
    )
    upcoming = next_occurrence(schedule, ZoneInfo(patient.timezone), cursor_of(medication))
    run_at = now if unsent or upcoming.due_at <= now else upcoming.due_at
    planner.plan(JobKind.DOSE, medication.id, run_at)
    return run_at


@dataclass(frozen=True)
class DueBatch:
    """What a dose job found: reminders to send now, and when the next dose falls due."""

    doses: list[DueDose]
    next_due_at: datetime | None  # None when the medicine or patient is paused or gone


async def open_due_batch(
    session: AsyncSession, medication_ids: list[int], now: datetime, grace: timedelta
) -> dict[int, DueBatch]:
    """Record every dose due by `now` of these medications; return those to send (late
    ones within grace), by medication. A medication paused or gone maps to an empty batch.

    A peak minute opens hundreds of medications at once, so the round trips are per
    batch, not per medication: the rows, one insert, the pending doses, one commit.
    """
    loaded = await session.execute(
        select(Medication, Patient, anyone_receives(Patient.id, "missed_dose_alerts"))
        .join(Patient, Patient.id == Medication.patient_id)
        .where(Medication.id.in_(medication_ids))
    )
    plans: dict[int, _Opening] = {}
    for medication, patient, watched in loaded:
        schedule = schedule_of(medication)
        if not medication.active or schedule is None or patient.unreachable_since is not None:
            continue
        plans[medication.id] = _Opening(medication, patient, schedule, bool(watched), now)
    replaced = await _days_of_replaced(session, list(plans.values()))
    for medication_id, opening in plans.items():
        opening.record(session, replaced.get(medication_id, set()), now, grace)
    if any(opening.occurrences for opening in plans.values()):
        try:
            await session.commit()
        except IntegrityError:  # another process recorded some of the same days first
            await session.rollback()
            await _advance_cursors(session, plans)

    pending = await session.scalars(
        select(DoseEvent)
        .where(DoseEvent.medication_id.in_(plans), DoseEvent.status == DoseStatus.PENDING)
        .order_by(DoseEvent.due_at)
    )
    due: dict[int, list[DueDose]] = {medication_id: [] for medication_id in plans}
    expired = False
    for event in pending:
        if now - event.due_at > grace:
            event.status, expired = DoseStatus.MISSED, True
            continue
        due[event.medication_id].append(plans[event.medication_id].reminder(event, now))
    if expired:
        await session.commit()
    opened = {medication_id: DueBatch([], None) for medication_id in medication_ids}
    for medication_id, opening in plans.items():
        opened[medication_id] = DueBatch(due[medication_id], opening.next_due_at(now))
    return opened


class _Opening:
    """One medication being opened: its occurrences since the cursor, as plain values.

    Plain values because a rollback expires the rows and async sessions cannot reload.
    """

    def __init__(
        self,
        medication: Medication,
        patient: Patient,
        schedule: DoseSchedule,
        watched: bool,
        now: datetime,
    ) -> None:
        self.medication = medication
        self.medication_id, self.patient_id = medication.id, patient.id
        self.chat_id = patient.chat_id
        self.product_key = medication.product_key
        self.product = get_product(medication.product_key)
        self.alert_minutes = patient.missed_dose_alert_minutes
        self.watched = watched
        self.schedule = schedule
        self.zone = ZoneInfo(patient.timezone)
        self.cursor = cursor_of(medication)
        self.first_day = medication.started_at.astimezone(self.zone).date()
        self.occurrences = occurrences_between(schedule, self.zone, self.cursor, now)

    def record(
        self, session: AsyncSession, replaced: set[date], now: datetime, grace: timedelta
    ) -> None:
        """Add a dose row per occurrence (missed if past grace) and move the cursor on."""
        for occurrence in self.occurrences:
            if occurrence.local_date in replaced:
                continue  # the same medicine, replaced today by an edit, already had this day
            late = now - occurrence.due_at > grace
            session.add(
                DoseEvent(
                    medication_id=self.medication_id,
                    patient_id=self.patient_id,
                    local_date=occurrence.local_date,
                    due_at=occurrence.due_at,
                    status=DoseStatus.MISSED if late else DoseStatus.PENDING,
                )
            )
        if self.occurrences:
            self.cursor = self.occurrences[-1].due_at
            self.medication.recorded_until = self.cursor

    def reminder(self, event: DoseEvent, now: datetime) -> DueDose:
        """The reminder of one pending dose of this medication."""
        return DueDose(
            event.id,
            self.chat_id,
            self.product,
            event.due_at.astimezone(self.zone),
            late=now - event.due_at > LATE_AFTER,
            caregiver_check_at=missed_check_time(event.due_at, self.alert_minutes, self.watched),
        )

    def next_due_at(self, now: datetime) -> datetime:
        """When the dose after those recorded falls due."""
        return next_occurrence(self.schedule, self.zone, max(self.cursor, now)).due_at


async def _advance_cursors(session: AsyncSession, plans: dict[int, _Opening]) -> None:
    """After a conflict (another process recorded these days), move the cursors on only."""
    for opening in plans.values():
        if opening.occurrences:
            await session.execute(
                update(Medication)
                .where(Medication.id == opening.medication_id)
                .values(recorded_until=opening.cursor)
            )
    await session.commit()


async def _days_of_replaced(
    session: AsyncSession, openings: list[_Opening]
) -> dict[int, set[date]]:
    """Days already recorded under an earlier row of the same medicine (an edit today), by
    medication id.

    Only a medicine's first day can overlap its predecessor, so only medications opening
    their first day are asked about, all in one query.
    """
    first_days = {
        opening.medication_id: opening.first_day
        for opening in openings
        if opening.occurrences and opening.occurrences[0].local_date <= opening.first_day
    }
    if not first_days:
        return {}
    asking = [o for o in openings if o.medication_id in first_days]
    rows = await session.execute(
        select(DoseEvent.patient_id, Medication.product_key, DoseEvent.local_date, Medication.id)
        .join(Medication, Medication.id == DoseEvent.medication_id)
        .where(
            DoseEvent.patient_id.in_({o.patient_id for o in asking}),
            DoseEvent.local_date.in_(set(first_days.values())),
        )
    )
    recorded = list(rows)
    return {
        opening.medication_id: {
            day
            for patient_id, product_key, day, medication_id in recorded
            if patient_id == opening.patient_id
            and product_key == opening.product_key
            and medication_id != opening.medication_id
            and day == opening.first_day
        }
        for opening in asking
    }


@dataclass(frozen=True)
class SentReminder:
    """A reminder Telegram accepted, to record."""

    event_id: int
    message_id: int
    late: bool


async def mark_all_sent(session: AsyncSession, sent: list[SentReminder], now: datetime) -> None:
    """Record reminders that reached Telegram: one UPDATE executed for all of them.

    A dose answered meanwhile keeps its answer; the first send time is kept.
    """
    if not sent:
        return
    # Declarative types __table__ as any FromClause; a class mapped to a table has a Table.
    table = cast(Table, DoseEvent.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("event_id"))
        .values(
            status=case(
                (table.c.status == DoseStatus.PENDING, DoseStatus.SENT),
                else_=table.c.status,
            ),
            sent_at=func.coalesce(table.c.sent_at, bindparam("now", type_=UTCDateTime())),
            late=table.c.late | bindparam("was_late"),
            message_id=bindparam("sent_message_id"),
        )
    )
    await session.execute(
        statement,
        [
            {
                "event_id": item.event_id,
                "sent_message_id": item.message_id,
                "was_late": item.late,
                "now": now,
            }
            for item in sent
        ],
    )
    await session.commit()


async def mark_unreachable(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """Pause a patient who blocked the bot; /start clears it."""
    patient = await session.scalar(select(Patient).where(Patient.chat_id == chat_id))
    if patient is not None and patient.unreachable_since is None:
        patient.unreachable_since = now
        await session.commit()


async def _own_event(session: AsyncSession, telegram_user_id: int, event_id: int) -> DoseEvent:
    """Load a dose only if it belongs to the acting user: callback data can be forged."""
    return await owned_by(session, DoseEvent, event_id, telegram_user_id)


async def _open_event(session: AsyncSession, telegram_user_id: int, event_id: int) -> DoseEvent:
    event = await _own_event(session, telegram_user_id, event_id)
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


async def _owners(session: AsyncSession, event: DoseEvent) -> tuple[Patient, Medication]:
    """Load the patient and medication of a dose (foreign keys guarantee both exist)."""
    patient = await session.get(Patient, event.patient_id)
    medication = await session.get(Medication, event.medication_id)
    if patient is None or medication is None:
        raise NotYourRecord
    return patient, medication


async def _answer(session: AsyncSession, event: DoseEvent) -> Answer:
    patient, medication = await _owners(session, event)
    zone = ZoneInfo(patient.timezone)

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value else None

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
) -> Answer:
    """Record a dose as taken and plan the end-of-window message for bisphosphonates."""
    event = await _open_event(session, telegram_user_id, event_id)
    medication = await session.get(Medication, event.medication_id)
    assert medication is not None
    minutes = get_product(medication.product_key).after_window_minutes
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
) -> Answer:
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
) -> Answer:
    """Record a deliberate skip with the patient's reason."""
    if reason not in SkipReason.ALL:
        raise NotYourRecord  # forged callback data: treat like any other bad reference
    event = await _open_event(session, telegram_user_id, event_id)
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
) -> Answer:
    """Record the patient's word that a dose was missed."""
    event = await _open_event(session, telegram_user_id, event_id)
    event.status, event.answered_at = DoseStatus.MISSED, now
    await session.commit()
    _drop_follow_ups(planner, event.id)
    return await _answer(session, event)


async def describe_answer(session: AsyncSession, telegram_user_id: int, event_id: int) -> Answer:
    """Return how an already answered dose stands (for a second press of a button)."""
    return await _answer(session, await _own_event(session, telegram_user_id, event_id))


async def _reminder_for(session: AsyncSession, event: DoseEvent, now: datetime) -> DueDose:
    patient, medication = await _owners(session, event)
    zone = ZoneInfo(patient.timezone)
    return DueDose(
        event.id,
        patient.chat_id,
        get_product(medication.product_key),
        event.due_at.astimezone(zone),
        late=now - event.due_at > LATE_AFTER,
        caregiver_check_at=await missed_check_at(session, event.id),
    )


async def snoozed_reminder(session: AsyncSession, event_id: int, now: datetime) -> DueDose | None:
    """Return the reminder to send again when a snooze ends, if still unanswered."""
    event = await session.get(DoseEvent, event_id)
    if event is None or event.status not in OPEN_DOSE_STATUSES or event.snoozed_until is None:
        return None
    event.snoozed_until = None
    await session.commit()
    return await _reminder_for(session, event, now)


async def recheck_reminder(session: AsyncSession, event_id: int, now: datetime) -> DueDose | None:
    """Return the dose to ask about once more, if still unconfirmed and not snoozed."""
    event = await session.get(DoseEvent, event_id)
    if event is None or event.status != DoseStatus.SENT or event.rechecked_at is not None:
        return None
    if event.snoozed_until is not None and event.snoozed_until > now:
        return None  # the snooze job will plan a new recheck
    return await _reminder_for(session, event, now)


async def mark_rechecked(session: AsyncSession, event_id: int, now: datetime) -> None:
    """Record that the once-more question went out (it is asked only once)."""
    event = await session.get(DoseEvent, event_id)
    if event is not None:
        event.rechecked_at = now
        await session.commit()


async def window_notice(session: AsyncSession, event_id: int) -> DueDose | None:
    """Return the dose whose after-window message is due, if not yet sent."""
    event = await session.get(DoseEvent, event_id)
    if event is None or event.status != DoseStatus.TAKEN or event.window_notice_sent_at:
        return None
    return await _reminder_for(session, event, event.window_ends_at or event.due_at)


async def mark_window_notice_sent(session: AsyncSession, event_id: int, now: datetime) -> None:
    """Record the after-window message, so a restart does not repeat it."""
    event = await session.get(DoseEvent, event_id)
    if event is not None:
        event.window_notice_sent_at = now
        await session.commit()


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
    open_events = await session.scalars(
        select(DoseEvent).where(
            DoseEvent.status == DoseStatus.SENT, DoseEvent.due_at > now - timedelta(days=1)
        )
    )
    for event in open_events:
        if event.snoozed_until is not None and f"snooze:{event.id}" not in existing:
            planner.plan(JobKind.SNOOZE, event.id, max(event.snoozed_until, now))
            planned += 1
        elif (
            event.rechecked_at is None
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
        )
    )
    for event in windows:
        if event.window_ends_at is not None and f"window:{event.id}" not in existing:
            planner.plan(JobKind.WINDOW, event.id, max(event.window_ends_at, now))
            planned += 1
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
    this is most of the start-up.
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
            Medication.frequency,
            Medication.time_of_day,
            Medication.weekday,
            Medication.day_of_month,
            func.coalesce(Medication.recorded_until, Medication.started_at),
            Patient.timezone,
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
    for medication_id, frequency, at, weekday, day, cursor, zone_name in rows:
        if f"dose:{medication_id}" in existing:
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
    return planned


def checkin_schedule_of(row: CheckinSchedule) -> DoseSchedule:
    """Return the weekly check-in prompt's schedule (weekly, like a weekly dose)."""
    return DoseSchedule(Frequency.WEEKLY, row.time_of_day, weekday=row.weekday)


async def plan_next_checkin(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> datetime | None:
    """Plan the patient's weekly check-in prompt at its next local time (None: turned off).

    Planned for unreachable patients too: the job then sends nothing and plans the next
    week, so the prompt comes back by itself once the patient unblocks the bot.
    """
    loaded = (
        await session.execute(
            select(CheckinSchedule, Patient)
            .join(Patient, Patient.id == CheckinSchedule.patient_id)
            .where(CheckinSchedule.patient_id == patient_id)
        )
    ).first()
    if loaded is None:
        return None
    row, patient = loaded
    run_at = next_occurrence(checkin_schedule_of(row), ZoneInfo(patient.timezone), now).due_at
    planner.plan(JobKind.CHECKIN, patient_id, run_at)
    return run_at


async def check_open_dose(session: AsyncSession, telegram_user_id: int, event_id: int) -> None:
    """Raise unless the dose is the acting user's own and still open (before showing menus)."""
    await _open_event(session, telegram_user_id, event_id)
