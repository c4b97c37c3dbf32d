"""The life of a due dose: opened when due, sent, answered, asked about again, planned next.

Delivery is at-least-once by construction: a dose row is committed before its reminder is
sent and marked sent after, so a crash can only repeat a message that was in flight.

Medicines and supplements (calcium, vitamin D: `MedicationRole.SUPPLEMENT`) share this one
lifecycle. What differs is kept to a strategy and two reminder types: a supplement's day
falls due at its time moved clear of an oral bisphosphonate on the dosing day
(`SupplementTiming`, rules in `bot.domain.calcium`), its reminder is a `DueSupplement`
(its own wording; Taken and Later only), and it is not asked about again nor watched by
caregivers, as before supplements were dose events.

Beside this module: when doses fall due (`dose_timing`), the patient's answers
(`dose_answers`) and the start-up rebuild (`dose_startup`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    OPEN_DOSE_STATUSES,
    DoseEvent,
    DoseStatus,
    Medication,
    MedicationRole,
    Patient,
    UTCDateTime,
)
from bot.domain.calcium import (
    CalciumForm,
    SupplementKind,
    SupplementPrompt,
)
from bot.domain.catalog import Product, get_product
from bot.domain.errors import NotYourRecord
from bot.ports import JobKind, NotLeader, ReminderPlanner
from bot.services.care_alerts import anyone_receives, missed_check_at, missed_check_time
from bot.services.dose_timing import (
    Cursor,
    Timing,
    bisphosphonates_of,
    calcium_forms,
    calcium_prompts_of,
    cursor_of,
    is_supplement,
    timing_of,
)
from bot.services.leadership import confirm_term

log = logging.getLogger(__name__)

# A reminder sent more than this after its time is labelled late (downtime, outage).
LATE_AFTER = timedelta(minutes=5)
# The answers after which a dose can be made up ("No, I missed it", skipped as forgotten).
MADE_UP_STATUSES = (DoseStatus.MISSED, DoseStatus.SKIPPED)


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
    # A make-up dose: the local day of the missed dose it makes up for.
    makeup_for_day: date | None = None
    # On hold since the bot told the patient to stop this medicine and call (a red flag):
    # the reminder asks whether the care team said to go on, instead of "take it".
    held_since: datetime | None = None

    @property
    def asks_if_eaten(self) -> bool:
        """Tell whether the reminder asks first if the patient has eaten or drunk anything
        but plain water: it goes out late (the bot's delay), and the label says to take the
        tablet before the day's first food or drink."""
        return self.late and self.held_since is None and self.product.taken_fasting


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


async def plan_next_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    medication: Medication,
    patient: Patient,
    now: datetime,
) -> datetime | None:
    """Plan the medication's dose job at its next due time (now, if doses are overdue)."""
    bisphosphonate = None
    calcium: list[tuple[int, SupplementPrompt]] = []
    if is_supplement(medication):
        bisphosphonate = (await bisphosphonates_of(session, [patient.id], now)).get(patient.id)
    if bisphosphonate is not None:
        calcium = (await calcium_prompts_of(session, [patient.id])).get(patient.id, [])
    timing = timing_of(medication, ZoneInfo(patient.timezone), bisphosphonate, calcium)
    unsent = await _unsent(session, [medication.id])
    return _plan(planner, medication, patient, timing, medication.id in unsent, now)


async def _unsent(session: AsyncSession, medication_ids: list[int]) -> set[int]:
    """The medications with a dose recorded but not yet sent (it goes out at once)."""
    rows = await session.scalars(
        select(DoseEvent.medication_id)
        .where(DoseEvent.medication_id.in_(medication_ids), DoseEvent.status == DoseStatus.PENDING)
        .distinct()
    )
    return set(rows)


def _plan(
    planner: ReminderPlanner,
    medication: Medication,
    patient: Patient,
    timing: Timing | None,
    unsent: bool,
    now: datetime,
) -> datetime | None:
    """Plan one dose job from what is loaded: its timing, and whether a dose waits unsent."""
    if timing is None or not medication.active or patient.unreachable_since is not None:
        planner.cancel(JobKind.DOSE, medication.id)
        return None
    cursor = cursor_of(medication)
    upcoming = timing.next_after(cursor, cursor.at)
    run_at = now if unsent or upcoming <= now else upcoming
    planner.plan(JobKind.DOSE, medication.id, run_at)
    return run_at


async def plan_supplements_of(
    session: AsyncSession, planner: ReminderPlanner, patient: Patient, now: datetime
) -> None:
    """Plan a patient's calcium and vitamin D again: their oral bisphosphonate was taken,
    or put off, at another moment than planned, and supplements keep clear of the real one.
    What they share is loaded once: the bisphosphonate, the calcium times, the unsent."""
    supplements = list(
        await session.scalars(
            select(Medication).where(
                Medication.patient_id == patient.id,
                Medication.active.is_(True),
                Medication.role == MedicationRole.SUPPLEMENT,
            )
        )
    )
    if not supplements:
        return
    bisphosphonate = (await bisphosphonates_of(session, [patient.id], now)).get(patient.id)
    calcium = (
        (await calcium_prompts_of(session, [patient.id])).get(patient.id, [])
        if bisphosphonate is not None
        else []
    )
    unsent = await _unsent(session, [medication.id for medication in supplements])
    zone = ZoneInfo(patient.timezone)
    for medication in supplements:
        timing = timing_of(medication, zone, bisphosphonate, calcium)
        _plan(planner, medication, patient, timing, medication.id in unsent, now)


@dataclass(frozen=True)
class DueBatch:
    """What a dose job found: reminders to send now, and when the next dose falls due."""

    doses: list[Reminder]
    next_due_at: datetime | None  # None when the medicine or patient is paused or gone


async def open_due_batch(
    session: AsyncSession,
    medication_ids: list[int],
    now: datetime,
    grace: timedelta,
    *,
    epoch: int | None = None,
) -> dict[int, DueBatch]:
    """Record every dose due by `now` of these medications; return those to send (late
    ones within grace), by medication. A medication paused or gone maps to an empty batch.

    A peak minute opens hundreds of medications at once, so the round trips are per
    batch, not per medication: the rows, one insert, the pending doses, one commit.

    With `epoch` (several processes share the database) each transaction confirms that
    leader term before it commits, and NotLeader is raised, with nothing recorded, once
    another process's term has begun.
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
    bisphosphonates = await bisphosphonates_of(session, taking, now)
    forms = await calcium_forms(session, taking)
    calcium = await calcium_prompts_of(session, bisphosphonates)
    plans: dict[int, _Opening] = {}
    for medication, patient, watched in loaded:
        zone = ZoneInfo(patient.timezone)
        timing = timing_of(
            medication, zone, bisphosphonates.get(patient.id), calcium.get(patient.id, ())
        )
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
            await _claim(session, epoch)
        except IntegrityError:  # another process recorded some of the same days first
            await session.rollback()
            await _advance_cursors(session, plans, epoch)

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
    if expired or epoch is not None:  # the reminders read are claimed under the term too
        await _claim(session, epoch)
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
        self.held_since = medication.hold_since
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
        held = self.held_since is not None
        return DueDose(
            event.id,
            self.chat_id,
            self.product,
            due_local,
            late=late,
            caregiver_check_at=None
            if held
            else missed_check_time(event.due_at, self.alert_minutes, self.watched),
            held_since=self.held_since,
        )

    def next_due_at(self, now: datetime) -> datetime:
        """When the dose after those recorded falls due."""
        return self.timing.next_after(self.cursor, now)


async def _claim(session: AsyncSession, epoch: int | None) -> None:
    """Commit what was opened, confirming the leader term first when there is one."""
    if epoch is not None:
        try:
            await confirm_term(session, epoch)
        except NotLeader:
            await session.rollback()
            raise
    await session.commit()


async def _advance_cursors(
    session: AsyncSession, plans: dict[int, _Opening], epoch: int | None
) -> None:
    """After a conflict (another process recorded these days), move the cursors on only."""
    for opening in plans.values():
        if opening.due:
            await session.execute(
                update(Medication)
                .where(Medication.id == opening.medication_id)
                .values(recorded_until=opening.cursor.at)
            )
    await _claim(session, epoch)


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
            reminded_at=bindparam("reminded", type_=UTCDateTime()),
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
                "reminded": now,
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


async def owners_of(session: AsyncSession, event: DoseEvent) -> tuple[Patient, Medication]:
    """Load the patient and medication of a dose (foreign keys guarantee both exist)."""
    patient = await session.get(Patient, event.patient_id)
    medication = await session.get(Medication, event.medication_id)
    if patient is None or medication is None:
        raise NotYourRecord
    return patient, medication


async def reminder_for(
    session: AsyncSession, event: DoseEvent, now: datetime, meant_for: datetime | None = None
) -> Reminder:
    """The reminder of a dose as it would be sent now. Late means later than it was meant
    to go out (`meant_for`: its due time, or the end of the patient's Later), which only
    the bot's own delay can cause."""
    patient, medication = await owners_of(session, event)
    zone = ZoneInfo(patient.timezone)
    due_local = event.due_at.astimezone(zone)
    late = now - (meant_for or event.due_at) > LATE_AFTER
    if is_supplement(medication):
        form = (await calcium_forms(session, [patient.id])).get(patient.id)
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
    missed = (
        await session.get(DoseEvent, event.makeup_for_event_id)
        if event.makeup_for_event_id is not None
        else None
    )
    return DueDose(
        event.id,
        patient.chat_id,
        get_product(medication.product_key),
        due_local,
        late=late,
        caregiver_check_at=None
        if medication.hold_since
        else await missed_check_at(session, event.id),
        makeup_for_day=missed.local_date if missed else None,
        held_since=medication.hold_since,
    )


async def open_make_up(
    session: AsyncSession, missed_event_id: int, now: datetime
) -> Reminder | None:
    """Record the make-up dose of a missed one as due now and return its reminder (None:
    already made, the missed dose was corrected, or the medicine or patient is paused).

    A dose row of its own, so its answer, recheck and caregiver check follow the usual
    path; `makeup_for_event_id` ties it to the dose it makes up for.
    """
    missed = await session.get(DoseEvent, missed_event_id)
    if missed is None or missed.makeup_at is None or missed.status not in MADE_UP_STATUSES:
        return None
    made = await session.scalar(
        select(DoseEvent.id).where(DoseEvent.makeup_for_event_id == missed.id)
    )
    patient, medication = await owners_of(session, missed)
    if made is not None or not medication.active or patient.unreachable_since is not None:
        return None
    zone = ZoneInfo(patient.timezone)
    makeup = DoseEvent(
        medication_id=medication.id,
        patient_id=patient.id,
        local_date=missed.makeup_at.astimezone(zone).date(),
        due_at=missed.makeup_at,
        status=DoseStatus.PENDING,
        makeup_for_event_id=missed.id,
    )
    session.add(makeup)
    try:
        await session.commit()
    except IntegrityError:  # a dose of that medicine is already on that day: never two
        await session.rollback()
        log.info("make-up of dose %s skipped: its day already has a dose", missed_event_id)
        return None
    return await reminder_for(session, makeup, now)


async def _medicine_reminder(
    session: AsyncSession, event: DoseEvent, now: datetime
) -> DueDose | None:
    """A medicine's reminder again (None for a supplement: never asked about again)."""
    reminder = await reminder_for(session, event, now)
    return reminder if isinstance(reminder, DueDose) else None


async def snoozed_reminder(session: AsyncSession, event_id: int, now: datetime) -> Reminder | None:
    """Return the reminder to send again when a snooze ends, if still unanswered."""
    event = await session.get(DoseEvent, event_id)
    if event is None or event.status not in OPEN_DOSE_STATUSES or event.snoozed_until is None:
        return None
    meant_for, event.snoozed_until = event.snoozed_until, None
    await session.commit()
    return await reminder_for(session, event, now, meant_for)


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
