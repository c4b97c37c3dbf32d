"""A patient's answer to a dose reminder: Taken, Later, Skip, Missed, or a second press.

Every answer loads the dose through its owner (callback data can be forged) and refuses a
dose already answered; the follow-ups it makes moot (the snoozed resend, the once-more
question) are cancelled, and a bisphosphonate taken plans its end-of-window message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by
from bot.db.models import (
    OPEN_DOSE_STATUSES,
    DoseAnswerChange,
    DoseEvent,
    DoseStatus,
    Medication,
    Patient,
)
from bot.domain.answer_times import (
    CHANGEABLE_STATUSES,
    LONGEST_SNOOZE_MINUTES,
    accepts_taken_time,
    asks_when_taken,
    can_still_change,
    taken_time_choices,
    typed_moment,
    window_end,
)
from bot.domain.calcium import SupplementKind
from bot.domain.catalog import Product, get_product
from bot.domain.errors import AlreadyAnswered, NotAnsweredYet, NotYourRecord, TooLateToChange
from bot.domain.makeup import make_up_for
from bot.ports import JobKind, ReminderPlanner
from bot.services import doses
from bot.services.dose_timing import is_supplement, schedule_of

CHANGED_BY_PATIENT = "patient"  # the role that changed an answer (only the patient can)


class SkipReason:
    """Reasons a patient can give for skipping a dose (stored as these codes)."""

    FORGOT = "forgot"
    SIDE_EFFECTS = "side_effects"
    CARE_TEAM_PAUSE = "care_team_pause"
    OTHER = "other"
    # A late reminder of a tablet taken fasting: "Yes, I've eaten or drunk something".
    ATE_FIRST = "ate_first"
    ASKED = (FORGOT, SIDE_EFFECTS, CARE_TEAM_PAUSE, OTHER)  # the Skip button's menu
    ALL = (*ASKED, ATE_FIRST)
    # The dose is not taken that day, so the label's missed-dose rule and its make-up follow.
    MADE_UP = (FORGOT, ATE_FIRST)


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
    # Taken: when (what the patient said, else the press), and whether the label's window
    # had already ended by the time they told the bot.
    taken_local: datetime | None = None
    window_over: bool = False
    # Missed (or forgotten): when the make-up dose is due, if the label gives one.
    makeup_local: datetime | None = None


@dataclass(frozen=True)
class WhenTaken:
    """Taken was pressed long after the reminder: ask when, offering these moments."""

    event_id: int
    product: Product
    due_local: datetime
    choices_local: list[datetime]


@dataclass(frozen=True)
class SupplementAnswer:
    """The outcome of a Taken or Later press under a supplement reminder, for the reply."""

    kind: SupplementKind
    dose_mg: int | None
    status: DoseStatus
    answered_local: datetime | None
    snoozed_until_local: datetime | None


async def _answer(session: AsyncSession, event: DoseEvent) -> Answer | SupplementAnswer:
    patient, medication = await doses.owners_of(session, event)
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
    taken = event.status == DoseStatus.TAKEN
    taken_local = local(event.taken_at or event.answered_at) if taken else None
    window_over = (
        event.window_ends_at is not None
        and event.answered_at is not None
        and event.window_ends_at <= event.answered_at
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
        taken_local=taken_local,
        window_over=window_over,
        makeup_local=local(event.makeup_at),
    )


def _choices(event: DoseEvent, zone: ZoneInfo, now: datetime) -> list[datetime]:
    """The take times offered for a dose, in the patient's zone."""
    return [moment.astimezone(zone) for moment in taken_time_choices(event.due_at, now)]


async def when_taken_question(
    session: AsyncSession, telegram_user_id: int, event_id: int, now: datetime
) -> WhenTaken | None:
    """Return the question to ask before recording Taken, or None to record it as now.

    Only medicines ask: their fasting and upright window runs from the real time.
    """
    event = await _open_event(session, telegram_user_id, event_id)
    patient, medication = await doses.owners_of(session, event)
    return _when_taken(event, patient, medication, now)


def _when_taken(
    event: DoseEvent, patient: Patient, medication: Medication, now: datetime
) -> WhenTaken | None:
    if is_supplement(medication) or not asks_when_taken(event.reminded_at, event.due_at, now):
        return None
    zone = ZoneInfo(patient.timezone)
    return WhenTaken(
        event.id,
        get_product(medication.product_key),
        event.due_at.astimezone(zone),
        _choices(event, zone, now),
    )


async def take_or_ask(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
) -> WhenTaken | Answer | SupplementAnswer:
    """Taken pressed: record it as now, or, long after the reminder, ask when it was taken.

    One load of the dose and its owners for both (the press is the busiest there is).
    """
    event = await _open_event(session, telegram_user_id, event_id)
    patient, medication = await doses.owners_of(session, event)
    question = _when_taken(event, patient, medication, now)
    if question is not None:
        return question
    return await _take(session, planner, event, patient, medication, now, None)


async def take_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
    taken_at: datetime | None = None,
) -> Answer | SupplementAnswer:
    """Record a dose as taken, now or at the moment the patient names (see `_take`)."""
    event = await _open_event(session, telegram_user_id, event_id)
    patient, medication = await doses.owners_of(session, event)
    return await _take(session, planner, event, patient, medication, now, taken_at)


async def _take(
    session: AsyncSession,
    planner: ReminderPlanner,
    event: DoseEvent,
    patient: Patient,
    medication: Medication,
    now: datetime,
    taken_at: datetime | None,
) -> Answer | SupplementAnswer:
    """Record a dose taken, and plan what follows from that moment: the end-of-window
    message (if the window has not ended yet) and, for an oral bisphosphonate, the day's
    calcium and vitamin D clear of it."""
    taken = now if taken_at is None else taken_at
    if not accepts_taken_time(taken, event.due_at, now):
        raise NotYourRecord  # a moment no button offers: forged data
    product = None if is_supplement(medication) else get_product(medication.product_key)
    minutes = (product.after_window_minutes or 0) if product else 0
    event.status, event.answered_at, event.taken_at = DoseStatus.TAKEN, now, taken
    event.window_ends_at = window_end(taken, minutes)
    await session.commit()
    _drop_follow_ups(planner, event.id)
    if event.window_ends_at is not None and event.window_ends_at > now:
        planner.plan(JobKind.WINDOW, event.id, event.window_ends_at)
    if product is not None and product.is_oral_bisphosphonate:
        await doses.plan_supplements_of(session, planner, patient, now)
    return await _answer(session, event)


def _is_oral_bisphosphonate(medication: Medication) -> bool:
    """Tell whether the day's supplements are timed around this medicine."""
    return (
        not is_supplement(medication)
        and get_product(medication.product_key).is_oral_bisphosphonate
    )


async def take_at_time_of_day(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    at: time,
    now: datetime,
) -> Answer | SupplementAnswer:
    """Record a dose taken at a typed time of day: its latest occurrence by now, in the
    patient's zone (refused, like any time, when it cannot be this dose's)."""
    event = await _own_event(session, telegram_user_id, event_id)
    patient, _ = await doses.owners_of(session, event)
    moment = typed_moment(at, ZoneInfo(patient.timezone), now)
    return await take_dose(
        session,
        planner,
        telegram_user_id=telegram_user_id,
        event_id=event_id,
        now=now,
        taken_at=moment,
    )


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
    """Put a reminder off for the time the patient chose; it comes back as a new message.

    Counted as a snooze, never as late: the patient chose the delay. An oral
    bisphosphonate put off moves the day's calcium and vitamin D after it too.
    """
    if not 0 < minutes <= LONGEST_SNOOZE_MINUTES:
        raise NotYourRecord  # no button offers it: forged data
    event = await _open_event(session, telegram_user_id, event_id)
    patient, medication = await doses.owners_of(session, event)
    event.snoozed_until = now + timedelta(minutes=minutes)
    event.snoozes += 1
    await session.commit()
    planner.plan(JobKind.SNOOZE, event.id, event.snoozed_until)
    if _is_oral_bisphosphonate(medication):
        await doses.plan_supplements_of(session, planner, patient, now)
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
    """Record a deliberate skip with the patient's reason; forgotten, or not taken because
    the patient had eaten first (a late reminder), it is made up as the label says."""
    if reason not in SkipReason.ALL:
        raise NotYourRecord  # forged callback data: treat like any other bad reference
    event = await _open_event(session, telegram_user_id, event_id, medicines_only=True)
    if reason == SkipReason.ATE_FIRST:
        _, medication = await doses.owners_of(session, event)
        if not get_product(medication.product_key).taken_fasting:
            raise NotYourRecord  # only a tablet taken fasting asks: forged data
    event.status, event.answered_at, event.skip_reason = DoseStatus.SKIPPED, now, reason
    if reason in SkipReason.MADE_UP:
        await _plan_make_up(session, event, now)
    await session.commit()
    _drop_follow_ups(planner, event.id)
    _plan_make_up_job(planner, event)
    return await _answer(session, event)


async def miss_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
) -> Answer | SupplementAnswer:
    """Record the patient's word that a dose was missed, and its make-up where the label
    gives one (weekly and monthly oral bisphosphonates: the morning after)."""
    event = await _open_event(session, telegram_user_id, event_id, medicines_only=True)
    event.status, event.answered_at = DoseStatus.MISSED, now
    await _plan_make_up(session, event, now)
    await session.commit()
    _drop_follow_ups(planner, event.id)
    _plan_make_up_job(planner, event)
    return await _answer(session, event)


async def _plan_make_up(session: AsyncSession, event: DoseEvent, now: datetime) -> None:
    """Set when the missed dose is made up, by the label's rule (a make-up is never made
    up again: its own miss waits for the usual day)."""
    if event.makeup_for_event_id is not None:
        return
    patient, medication = await doses.owners_of(session, event)
    schedule = schedule_of(medication)
    if schedule is None:
        return
    found = make_up_for(
        get_product(medication.product_key), schedule, ZoneInfo(patient.timezone), now
    )
    event.makeup_at = found.due_at if found else None


def _plan_make_up_job(planner: ReminderPlanner, event: DoseEvent) -> None:
    if event.makeup_at is not None:
        planner.plan(JobKind.MAKEUP, event.id, event.makeup_at)


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


async def open_reminder(
    session: AsyncSession, telegram_user_id: int, event_id: int, now: datetime
) -> doses.Reminder:
    """Return the reminder of the acting user's own open dose, to show it again (Back)."""
    event = await _open_event(session, telegram_user_id, event_id)
    return await doses.reminder_for(session, event, now, meant_for=now)


async def check_open_dose(session: AsyncSession, telegram_user_id: int, event_id: int) -> None:
    """Raise unless the dose is the acting user's own medicine, still open (before menus)."""
    await _open_event(session, telegram_user_id, event_id, medicines_only=True)


@dataclass(frozen=True)
class ChangeOptions:
    """What an answered dose can be changed to: taken at one of these moments, or not taken."""

    event_id: int
    product: Product
    status: DoseStatus
    due_local: datetime
    choices_local: list[datetime]


async def _changeable(
    session: AsyncSession, telegram_user_id: int, event_id: int, now: datetime
) -> DoseEvent:
    """Load the acting user's own answered medicine dose, if still open to correction."""
    event = await _own_event(session, telegram_user_id, event_id)
    medication = await session.get(Medication, event.medication_id)
    if medication is None or is_supplement(medication):
        raise NotYourRecord  # a supplement has no Change button: forged data
    if event.status not in CHANGEABLE_STATUSES:
        raise NotAnsweredYet
    if not can_still_change(event.answered_at, now):
        raise TooLateToChange
    return event


async def change_options(
    session: AsyncSession, telegram_user_id: int, event_id: int, now: datetime
) -> ChangeOptions:
    """Return what an answered dose can be changed to (the Change button's menu)."""
    event = await _changeable(session, telegram_user_id, event_id, now)
    patient, medication = await doses.owners_of(session, event)
    zone = ZoneInfo(patient.timezone)
    return ChangeOptions(
        event.id,
        get_product(medication.product_key),
        DoseStatus(event.status),
        event.due_at.astimezone(zone),
        _choices(event, zone, now),
    )


async def change_answer(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
    taken_at: datetime | None,
) -> Answer | SupplementAnswer:
    """Correct an answer: taken at `taken_at`, or (None) not taken after all.

    The change is kept (`DoseAnswerChange`: who, when, from what to what), and what
    followed from the old answer follows the new one: the fasting window and its
    message, the day's calcium, and the make-up dose of a missed tablet.
    """
    event = await _changeable(session, telegram_user_id, event_id, now)
    if taken_at is not None and not accepts_taken_time(taken_at, event.due_at, now):
        raise NotYourRecord  # a moment no button offers: forged data
    new_status = DoseStatus.TAKEN if taken_at is not None else DoseStatus.MISSED
    session.add(
        DoseAnswerChange(
            dose_event_id=event.id,
            patient_id=event.patient_id,
            changed_at=now,
            changed_by=CHANGED_BY_PATIENT,
            old_status=event.status,
            new_status=new_status,
            old_taken_at=event.taken_at,
            new_taken_at=taken_at,
        )
    )
    patient, medication = await doses.owners_of(session, event)
    product = get_product(medication.product_key)
    event.status, event.skip_reason = new_status, None
    event.taken_at = taken_at
    event.window_ends_at = (
        window_end(taken_at, product.after_window_minutes or 0) if taken_at else None
    )
    event.makeup_at = None
    if new_status is DoseStatus.MISSED:
        await _plan_make_up(session, event, now)
    await session.commit()
    planner.cancel(JobKind.WINDOW, event.id)
    planner.cancel(JobKind.MAKEUP, event.id)
    if event.window_ends_at is not None and event.window_ends_at > now:
        planner.plan(JobKind.WINDOW, event.id, event.window_ends_at)
    _plan_make_up_job(planner, event)
    if product.is_oral_bisphosphonate:
        await doses.plan_supplements_of(session, planner, patient, now)
    return await _answer(session, event)
