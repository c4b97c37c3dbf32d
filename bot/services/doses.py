"""The life of a due dose: opened when due, sent, answered, asked about again, planned next.

Delivery is at-least-once by construction: a dose row is committed before its reminder is
sent and marked sent after, so a crash can only repeat a message that was in flight.

Medicines and supplements (calcium, vitamin D: `MedicationRole.SUPPLEMENT`) share this one
lifecycle. What differs is kept to a strategy and two reminder types: a supplement's day
falls due at its time moved clear of an oral bisphosphonate on the dosing day
(`SupplementTiming`, rules in `bot.domain.calcium`), its reminder is a `DueSupplement`
(its own wording; Taken and Later only), and it is not asked about again nor watched by
caregivers, as before supplements were dose events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice, takewhile
from typing import NamedTuple, Protocol, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by
from bot.db.models import (
    OPEN_DOSE_STATUSES,
    CalciumPlan,
    CheckinSchedule,
    DoseEvent,
    DoseStatus,
    Medication,
    MedicationRole,
    Patient,
    UTCDateTime,
)
from bot.domain.calcium import (
    BisphosphonateDose,
    CalciumForm,
    SupplementKind,
    SupplementPrompt,
    unrecorded_prompt_times,
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


@dataclass(frozen=True)
class DueSupplement:
    """Everything needed to render one supplement reminder; carries no ORM state."""

    event_id: int
    chat_id: int
    kind: SupplementKind
    form: CalciumForm | None
    dose_mg: int | None
    due_local: datetime
    moved_reason: str | None
    late: bool


# A reminder the dose path sends: a medicine's, or a supplement's.
Reminder = DueDose | DueSupplement


class Due(NamedTuple):
    """One dose falling due: its local day, its instant, and why it moved (supplements)."""

    local_date: date
    due_at: datetime
    moved_reason: str | None = None


class Cursor(NamedTuple):
    """Where a medication's record stands: doses up to `at` are recorded."""

    at: datetime  # the due time of the last dose recorded, or the medication's start
    recorded: bool  # False: nothing recorded yet, `at` is the start


class Timing(Protocol):
    """When a medication's doses fall due: the one thing the roles do differently."""

    def due_by(self, cursor: Cursor, now: datetime) -> list[Due]:
        """Return the doses after the cursor due at or before `now`, in order."""

    def next_after(self, cursor: Cursor, instant: datetime) -> datetime:
        """Return when the first dose after the cursor and after `instant` falls due."""


@dataclass(frozen=True)
class LabelTiming:
    """A medicine: due at its schedule's times, on the patient's local calendar."""

    schedule: DoseSchedule
    zone: ZoneInfo

    def due_by(self, cursor: Cursor, now: datetime) -> list[Due]:
        """Return the occurrences after the cursor up to now."""
        found = occurrences_between(self.schedule, self.zone, cursor.at, now)
        return [Due(occurrence.local_date, occurrence.due_at) for occurrence in found]

    def next_after(self, cursor: Cursor, instant: datetime) -> datetime:
        """Return the next occurrence after both the cursor and `instant`."""
        return next_occurrence(self.schedule, self.zone, max(cursor.at, instant)).due_at


_SEARCH_DAYS = 4000  # days looked through from the cursor (a long pause, a long outage)


@dataclass(frozen=True)
class SupplementTiming:
    """A supplement: daily at its time, moved clear of an oral bisphosphonate's window on
    the dosing day (worked out when the day comes, so a changed schedule moves it)."""

    prompt: SupplementPrompt
    zone: ZoneInfo
    bisphosphonate: BisphosphonateDose | None
    started_at: datetime

    def _times(self, cursor: Cursor) -> Iterable[Due]:
        recorded_until = cursor.at if cursor.recorded else None
        times = unrecorded_prompt_times(
            self.prompt,
            self.zone,
            self.bisphosphonate,
            recorded_until=recorded_until,
            started_at=self.started_at,
        )
        return (Due(*timed) for timed in islice(times, _SEARCH_DAYS))

    def due_by(self, cursor: Cursor, now: datetime) -> list[Due]:
        """Return the unrecorded days whose (moved) time has come."""
        return list(takewhile(lambda due: due.due_at <= now, self._times(cursor)))

    def next_after(self, cursor: Cursor, instant: datetime) -> datetime:
        """Return the first unrecorded day's (moved) time after `instant`."""
        later = (due.due_at for due in self._times(cursor) if due.due_at > instant)
        found = next(later, None)
        if found is None:
            raise ValueError(f"no supplement time within {_SEARCH_DAYS} days of {cursor.at}")
        return found


def timing_of(
    medication: Medication, zone: ZoneInfo, bisphosphonate: BisphosphonateDose | None
) -> Timing | None:
    """Return when a medication's doses fall due (None for clinic-given agents)."""
    schedule = schedule_of(medication)
    if schedule is None:
        return None
    if medication.role == MedicationRole.SUPPLEMENT:
        prompt = SupplementPrompt(SupplementKind(medication.product_key), schedule.time_of_day)
        return SupplementTiming(prompt, zone, bisphosphonate, medication.started_at)
    return LabelTiming(schedule, zone)


async def bisphosphonates_of(
    session: AsyncSession, patient_ids: Iterable[int]
) -> dict[int, BisphosphonateDose]:
    """Return each patient's oral bisphosphonate and its schedule, for those who take one."""
    wanted = set(patient_ids)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Medication)
        .where(
            Medication.patient_id.in_(wanted),
            Medication.active.is_(True),
            Medication.role == MedicationRole.BONE_AGENT,
        )
        .order_by(Medication.id)
    )
    found: dict[int, BisphosphonateDose] = {}
    for medication in rows:
        schedule = schedule_of(medication)
        if schedule is not None and get_product(medication.product_key).is_oral_bisphosphonate:
            found.setdefault(
                medication.patient_id, BisphosphonateDose(medication.product_key, schedule)
            )
    return found


async def _calcium_forms(
    session: AsyncSession, patient_ids: Iterable[int]
) -> dict[int, CalciumForm]:
    """Return the calcium each patient takes, for those who said (the reminder's wording)."""
    wanted = set(patient_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(CalciumPlan.patient_id, CalciumPlan.calcium_form).where(
            CalciumPlan.patient_id.in_(wanted), CalciumPlan.calcium_form.is_not(None)
        )
    )
    return {patient_id: CalciumForm(form) for patient_id, form in rows if form}


def is_supplement(medication: Medication) -> bool:
    """Tell a supplement reminder from a medicine of the regimen."""
    return medication.role == MedicationRole.SUPPLEMENT


def reminder_name(medication: Medication) -> str:
    """Name what a medication reminds of: the catalogue's name, or the supplement's."""
    if is_supplement(medication):
        return SupplementKind(medication.product_key).value.replace("_", " ")
    return get_product(medication.product_key).name


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


def cursor_of(medication: Medication) -> Cursor:
    """Return where this medication's record stands (doses after it are not yet recorded)."""
    if medication.recorded_until is None:
        return Cursor(medication.started_at, recorded=False)
    return Cursor(medication.recorded_until, recorded=True)


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
    bisphosphonate = None
    if is_supplement(medication):
        bisphosphonate = (await bisphosphonates_of(session, [patient.id])).get(patient.id)
    timing = timing_of(medication, ZoneInfo(patient.timezone), bisphosphonate)
    if timing is None or not medication.active or patient.unreachable_since is not None:
        planner.cancel(JobKind.DOSE, medication.id)
        return None
    unsent = await session.scalar(
        select(func.count())
        .select_from(DoseEvent)
        .where(DoseEvent.medication_id == medication.id, DoseEvent.status == DoseStatus.PENDING)
    )
    cursor = cursor_of(medication)
    upcoming = timing.next_after(cursor, cursor.at)
    run_at = now if unsent or upcoming <= now else upcoming
    planner.plan(JobKind.DOSE, medication.id, run_at)
    return run_at


@dataclass(frozen=True)
class DueBatch:
    """What a dose job found: reminders to send now, and when the next dose falls due."""

    doses: list[Reminder]
    next_due_at: datetime | None  # None when the medicine or patient is paused or gone


async def open_due_batch(
    session: AsyncSession, medication_ids: list[int], now: datetime, grace: timedelta
) -> dict[int, DueBatch]:
    """Record every dose due by `now` of these medications; return those to send (late
    ones within grace), by medication. A medication paused or gone maps to an empty batch.

    A peak minute opens hundreds of medications at once, so the round trips are per
    batch, not per medication: the rows, one insert, the pending doses, one commit.
    """
    loaded = list(
        await session.execute(
            select(Medication, Patient, anyone_receives(Patient.id, "missed_dose_alerts"))
            .join(Patient, Patient.id == Medication.patient_id)
            .where(Medication.id.in_(medication_ids))
        )
    )
    # Supplements need the patient's bisphosphonate (their times) and calcium (their words).
    taking = {medication.patient_id for medication, _, _ in loaded if is_supplement(medication)}
    bisphosphonates = await bisphosphonates_of(session, taking)
    forms = await _calcium_forms(session, taking)
    plans: dict[int, _Opening] = {}
    for medication, patient, watched in loaded:
        zone = ZoneInfo(patient.timezone)
        timing = timing_of(medication, zone, bisphosphonates.get(patient.id))
        if not medication.active or timing is None or patient.unreachable_since is not None:
            continue
        supplement = (
            _Supplement(
                SupplementKind(medication.product_key), forms.get(patient.id), medication.dose_mg
            )
            if is_supplement(medication)
            else None
        )
        plans[medication.id] = _Opening(
            medication, patient, zone, timing, supplement, bool(watched), now
        )
    replaced = await _days_of_replaced(session, list(plans.values()))
    for medication_id, opening in plans.items():
        opening.record(session, replaced.get(medication_id, set()), now, grace)
    if any(opening.due for opening in plans.values()):
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
    due: dict[int, list[Reminder]] = {medication_id: [] for medication_id in plans}
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


@dataclass(frozen=True)
class _Supplement:
    """What a supplement's reminder says besides its time: which, which calcium, how much."""

    kind: SupplementKind
    form: CalciumForm | None
    dose_mg: int | None


class _Opening:
    """One medication being opened: its doses due since the cursor, as plain values.

    Plain values because a rollback expires the rows and async sessions cannot reload.
    """

    def __init__(
        self,
        medication: Medication,
        patient: Patient,
        zone: ZoneInfo,
        timing: Timing,
        supplement: _Supplement | None,
        watched: bool,
        now: datetime,
    ) -> None:
        self.medication = medication
        self.medication_id, self.patient_id = medication.id, patient.id
        self.chat_id = patient.chat_id
        self.product_key = medication.product_key
        self.supplement = supplement
        self.product = None if supplement else get_product(medication.product_key)
        self.alert_minutes = patient.missed_dose_alert_minutes
        self.watched = watched
        self.timing = timing
        self.zone = zone
        self.cursor = cursor_of(medication)
        self.first_day = medication.started_at.astimezone(self.zone).date()
        self.due = timing.due_by(self.cursor, now)

    def record(
        self, session: AsyncSession, replaced: set[date], now: datetime, grace: timedelta
    ) -> None:
        """Add a dose row per due dose (missed if past grace) and move the cursor on."""
        for due in self.due:
            if due.local_date in replaced:
                continue  # the same medicine, replaced today by an edit, already had this day
            late = now - due.due_at > grace
            session.add(
                DoseEvent(
                    medication_id=self.medication_id,
                    patient_id=self.patient_id,
                    local_date=due.local_date,
                    due_at=due.due_at,
                    moved_reason=due.moved_reason,
                    status=DoseStatus.MISSED if late else DoseStatus.PENDING,
                )
            )
        if self.due:
            self.cursor = Cursor(self.due[-1].due_at, recorded=True)
            self.medication.recorded_until = self.cursor.at

    def reminder(self, event: DoseEvent, now: datetime) -> Reminder:
        """The reminder of one pending dose of this medication."""
        due_local = event.due_at.astimezone(self.zone)
        late = now - event.due_at > LATE_AFTER
        if self.supplement is not None:
            kind, form, dose_mg = (
                self.supplement.kind,
                self.supplement.form,
                self.supplement.dose_mg,
            )
            return DueSupplement(
                event.id, self.chat_id, kind, form, dose_mg, due_local, event.moved_reason, late
            )
        assert self.product is not None
        return DueDose(
            event.id,
            self.chat_id,
            self.product,
            due_local,
            late=late,
            caregiver_check_at=missed_check_time(event.due_at, self.alert_minutes, self.watched),
        )

    def next_due_at(self, now: datetime) -> datetime:
        """When the dose after those recorded falls due."""
        return self.timing.next_after(self.cursor, now)


async def _advance_cursors(session: AsyncSession, plans: dict[int, _Opening]) -> None:
    """After a conflict (another process recorded these days), move the cursors on only."""
    for opening in plans.values():
        if opening.due:
            await session.execute(
                update(Medication)
                .where(Medication.id == opening.medication_id)
                .values(recorded_until=opening.cursor.at)
            )
    await session.commit()


async def _days_of_replaced(
    session: AsyncSession, openings: list[_Opening]
) -> dict[int, set[date]]:
    """Days already recorded under an earlier row of the same medicine (an edit today), by
    medication id.

    Only a medicine's first day can overlap its predecessor, so only medications opening
    their first day are asked about, all in one query. Supplements are left out: a patient's
    calcium reminders at two meal times share their product key and are not each other's
    predecessors (a new set-up starts from the next time to come).
    """
    first_days = {
        opening.medication_id: opening.first_day
        for opening in openings
        if opening.supplement is None
        and opening.due
        and opening.due[0].local_date <= opening.first_day
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


async def _owners(session: AsyncSession, event: DoseEvent) -> tuple[Patient, Medication]:
    """Load the patient and medication of a dose (foreign keys guarantee both exist)."""
    patient = await session.get(Patient, event.patient_id)
    medication = await session.get(Medication, event.medication_id)
    if patient is None or medication is None:
        raise NotYourRecord
    return patient, medication


async def _answer(session: AsyncSession, event: DoseEvent) -> Answer | SupplementAnswer:
    patient, medication = await _owners(session, event)
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


async def _reminder_for(session: AsyncSession, event: DoseEvent, now: datetime) -> Reminder:
    patient, medication = await _owners(session, event)
    zone = ZoneInfo(patient.timezone)
    due_local, late = event.due_at.astimezone(zone), now - event.due_at > LATE_AFTER
    if is_supplement(medication):
        form = (await _calcium_forms(session, [patient.id])).get(patient.id)
        kind = SupplementKind(medication.product_key)
        return DueSupplement(
            event.id,
            patient.chat_id,
            kind,
            form,
            medication.dose_mg,
            due_local,
            event.moved_reason,
            late,
        )
    return DueDose(
        event.id,
        patient.chat_id,
        get_product(medication.product_key),
        due_local,
        late=late,
        caregiver_check_at=await missed_check_at(session, event.id),
    )


async def _medicine_reminder(
    session: AsyncSession, event: DoseEvent, now: datetime
) -> DueDose | None:
    """A medicine's reminder again (None for a supplement: never asked about again)."""
    reminder = await _reminder_for(session, event, now)
    return reminder if isinstance(reminder, DueDose) else None


async def snoozed_reminder(session: AsyncSession, event_id: int, now: datetime) -> Reminder | None:
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
    return await _medicine_reminder(session, event, now)


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
    return await _medicine_reminder(session, event, event.window_ends_at or event.due_at)


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
    this is most of the start-up. Supplements, whose times depend on the patient's
    bisphosphonate, are planned afterwards from their rows.
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
    for medication_id, role, frequency, at, weekday, day, cursor, zone_name in rows:
        if f"dose:{medication_id}" in existing:
            continue
        if role == MedicationRole.SUPPLEMENT:
            supplements.append(medication_id)
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
    """Raise unless the dose is the acting user's own medicine, still open (before menus)."""
    await _open_event(session, telegram_user_id, event_id, medicines_only=True)
