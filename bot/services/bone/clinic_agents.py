"""Clinic-given bone agents on the patient's calendar: last given, next due, reminders, overdue.

The service behind /bone's clinic dose and the persistent `agent:{plan id}` job. The next due
date is always counted from the date the patient says the last dose was actually given
(`bot.domain.clinic_agents.next_due`), and every message comes from
`bot.domain.clinic_agents`, which cites the label or guideline it follows.

One job per plan runs at REMINDER_TIME on the patient's local day of the next reminder,
sends that day's one message (book ahead, day before, on the day, ask whether it was given,
the post-infusion check, or an overdue reminder), records the day as reminded, and plans the
next. A reminder missed during downtime is caught up at the next run while it still makes
sense (the newest one before the due date); overdue days are judged on the day the job runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import find_patient, owned_by
from bot.db.models import ClinicAgentDose, ClinicAgentPlan, Medication, Patient
from bot.db.record_changes import dose_change
from bot.domain.bone_health import add_months
from bot.domain.catalog import Product, get_product
from bot.domain.clinic_agents import (
    ReminderKind,
    course_ends_on,
    course_review,
    has_course_end,
    interval_choices,
    next_due,
    overdue_actions,
    post_dose_check,
    reminder_dates,
)
from bot.domain.dose_times import local_instant, local_today
from bot.domain.errors import DateTaken, NotYourRecord
from bot.domain.text_input import InvalidDateText
from bot.ports import JobKind, ReminderPlanner
from bot.services import care_alerts

# Project choice: late enough not to wake anyone, early enough to phone the clinic that day.
REMINDER_TIME = time(10, 0)
# A last dose further back than this is a typing error (the longest interval is a year).
EARLIEST_MONTHS = 60
# The post-infusion check is still worth sending a day late, not later.
POST_CHECK_GRACE = _GRACE = timedelta(days=1)
# How far ahead the next reminder is searched (a yearly infusion's book-ahead is ~11 months).
_SEARCH_DAYS = 400


class StepKind(StrEnum):
    """What the job sends on a day: one of the reminder kinds, or an overdue reminder."""

    BOOK_AHEAD = ReminderKind.BOOK_AHEAD.value
    DAY_BEFORE = ReminderKind.DAY_BEFORE.value
    ON_THE_DAY = ReminderKind.ON_THE_DAY.value
    ASK_GIVEN = ReminderKind.ASK_GIVEN.value
    COURSE_REVIEW = ReminderKind.COURSE_REVIEW.value
    POST_INFUSION_CHECK = ReminderKind.POST_INFUSION_CHECK.value
    OVERDUE = "overdue"


@dataclass(frozen=True)
class PlanState:
    """The dates a plan's reminders depend on (a plain copy of the row)."""

    last_given_on: date | None
    due_on: date | None
    reminded_on: date | None
    post_check_on: date | None
    alerted_due_on: date | None
    interval_months: int | None = None  # the care team's, when set
    course_years: int | None = None  # a planned course (None: no end set)
    course_ends_on: date | None = None
    review_reminded_on: date | None = None

    @property
    def course_over(self) -> bool:
        """Tell whether the next dose falls after the planned end of the course."""
        return (
            self.course_ends_on is not None
            and self.due_on is not None
            and self.due_on > self.course_ends_on
        )


@dataclass(frozen=True)
class Step:
    """One message for the patient on one day."""

    kind: StepKind
    message: str
    due_on: date | None  # the due date it is about (None for the post-infusion check)

    @property
    def asks_given(self) -> bool:
        """Tell whether the message carries the "was it given?" buttons."""
        return self.kind in (StepKind.ASK_GIVEN, StepKind.OVERDUE)


def _state(plan: ClinicAgentPlan) -> PlanState:
    ends_on = None
    if plan.course_years is not None and plan.course_started_on is not None:
        ends_on = course_ends_on(plan.course_started_on, plan.course_years)
    return PlanState(
        plan.last_given_on,
        plan.due_on,
        plan.reminded_on,
        plan.post_check_on,
        plan.alerted_due_on,
        plan.interval_months,
        plan.course_years,
        ends_on,
        plan.review_reminded_on,
    )


def step_on(product_key: str, state: PlanState, day: date) -> Step | None:
    """Return the message due on a local day, or None (already reminded that day, or nothing)."""
    if state.reminded_on is not None and state.reminded_on >= day:
        return None
    check_on, given_on = state.post_check_on, state.last_given_on
    if check_on is not None and given_on is not None and check_on <= day <= check_on + _GRACE:
        check = post_dose_check(product_key, given_on)
        if check is not None:
            return Step(StepKind.POST_INFUSION_CHECK, check.message, None)
    due = state.due_on
    if due is None:
        return None
    if state.course_over:  # the planned course has ended: one review, no dose reminders
        ends_on, years = state.course_ends_on, state.course_years
        assert ends_on is not None  # course_over says so
        assert years is not None
        if day >= ends_on and state.review_reminded_on is None:
            review = course_review(product_key, ends_on, years)
            return Step(StepKind.COURSE_REVIEW, review.message, due)
        return None
    if day >= due + timedelta(days=2):  # past the ask-afterwards day: overdue
        overdue = overdue_actions(product_key, due, day)
        if overdue.remind_today and overdue.message is not None:
            return Step(StepKind.OVERDUE, overdue.message, due)
        return None
    pending = [
        reminder
        for reminder in reminder_dates(product_key, due, state.interval_months)
        if reminder.kind is not ReminderKind.POST_INFUSION_CHECK
        and reminder.on <= day
        and (state.reminded_on is None or reminder.on > state.reminded_on)
    ]
    if not pending:
        return None
    newest = pending[-1]  # a reminder missed in downtime gives way to the newer one
    return Step(StepKind(newest.kind.value), newest.message, due)


def alert_due(product_key: str, state: PlanState, day: date) -> bool:
    """Tell whether linked people should be alerted about this due date on this day."""
    if state.due_on is None or state.alerted_due_on == state.due_on or state.course_over:
        return False
    return overdue_actions(product_key, state.due_on, day).alert_care_team


def next_run_day(product_key: str, state: PlanState, after: date) -> date | None:
    """Return the first local day after `after` with a message or an alert, if any."""
    for offset in range(1, _SEARCH_DAYS):
        day = after + timedelta(days=offset)
        if step_on(product_key, state, day) is not None or alert_due(product_key, state, day):
            return day
    return None


def at_reminder_time(day: date, zone: ZoneInfo) -> datetime:
    """Return the UTC instant of REMINDER_TIME on a local day."""
    return local_instant(day, REMINDER_TIME, zone)


def _first_run(
    product_key: str, state: PlanState, zone: ZoneInfo, now: datetime
) -> datetime | None:
    """Return when the job should next run: today at REMINDER_TIME if still ahead, else later."""
    today = local_today(zone, now)
    today_at = at_reminder_time(today, zone)
    if now < today_at and (
        step_on(product_key, state, today) is not None or alert_due(product_key, state, today)
    ):
        return today_at
    day = next_run_day(product_key, state, today)
    return at_reminder_time(day, zone) if day is not None else None


# --------------------------------------------------------------------------- views


@dataclass(frozen=True)
class AgentView:
    """A clinic agent as /bone shows it; carries no ORM state."""

    plan_id: int
    product: Product
    last_given_on: date | None
    due_on: date | None
    today: date
    overdue_message: str | None = None  # the label-sourced overdue reminder, when overdue

    @property
    def days_overdue(self) -> int:
        """Return how many days late the next dose is (0 when not late or not known)."""
        if self.due_on is None or self.due_on >= self.today:
            return 0
        return (self.today - self.due_on).days


def _view(plan: ClinicAgentPlan, medication: Medication, today: date) -> AgentView:
    overdue = None
    if plan.due_on is not None and plan.due_on < today:
        overdue = overdue_actions(medication.product_key, plan.due_on, today).message
    return AgentView(
        plan.id,
        get_product(medication.product_key),
        plan.last_given_on,
        plan.due_on,
        today,
        overdue,
    )


async def _active_clinic_rows(
    session: AsyncSession, patient_id: int
) -> list[tuple[ClinicAgentPlan, Medication]]:
    rows = await session.execute(
        select(ClinicAgentPlan, Medication)
        .join(Medication, Medication.id == ClinicAgentPlan.medication_id)
        .where(ClinicAgentPlan.patient_id == patient_id, Medication.active.is_(True))
        .order_by(ClinicAgentPlan.id)
    )
    return [(plan, medication) for plan, medication in rows]


async def sync_plans(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> list[int]:
    """Give every active clinic-given medicine a plan and (re)plan their jobs; return new ids.

    Called after the regimen is saved: a new clinic agent gets an empty plan (the patient is
    asked for the last date), and a new time zone moves every reminder with the clock.
    """
    patient = await session.get(Patient, patient_id)
    if patient is None:
        return []
    medications = await session.scalars(
        select(Medication).where(
            Medication.patient_id == patient_id,
            Medication.active.is_(True),
            Medication.frequency.is_(None),
        )
    )
    planned = {plan.medication_id for plan, _ in await _active_clinic_rows(session, patient_id)}
    created: list[ClinicAgentPlan] = []
    for medication in medications:
        if medication.id in planned or not get_product(medication.product_key).is_clinic_given:
            continue
        plan = ClinicAgentPlan(patient_id=patient_id, medication_id=medication.id, updated_at=now)
        session.add(plan)
        created.append(plan)
    if created:
        await session.commit()
    for plan, medication in await _active_clinic_rows(session, patient_id):
        _replan(planner, plan, medication.product_key, ZoneInfo(patient.timezone), now)
    return [plan.id for plan in created]


def _replan(
    planner: ReminderPlanner,
    plan: ClinicAgentPlan,
    product_key: str,
    zone: ZoneInfo,
    now: datetime,
) -> datetime | None:
    run_at = _first_run(product_key, _state(plan), zone, now)
    if run_at is None:
        planner.cancel(JobKind.AGENT, plan.id)
    else:
        planner.plan(JobKind.AGENT, plan.id, run_at)
    return run_at


async def agent_views(session: AsyncSession, patient: Patient, now: datetime) -> list[AgentView]:
    """Return the patient's clinic agents with their last and next dates."""
    today = local_today(ZoneInfo(patient.timezone), now)
    return [
        _view(plan, medication, today)
        for plan, medication in await _active_clinic_rows(session, patient.id)
    ]


async def first_unknown_plan(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> AgentView | None:
    """Return the acting patient's clinic agent whose last date is not known yet, if any."""
    patient = await find_patient(session, telegram_user_id)
    if patient is None:
        return None
    for view in await agent_views(session, patient, now):
        if view.last_given_on is None:
            return view
    return None


async def _own_plan(
    session: AsyncSession, telegram_user_id: int, plan_id: int
) -> tuple[ClinicAgentPlan, Medication, Patient]:
    """Load a plan only for its own patient, and only while its medicine is in force."""
    plan = await owned_by(session, ClinicAgentPlan, plan_id, telegram_user_id)
    medication = await session.get(Medication, plan.medication_id)
    patient = await session.get(Patient, plan.patient_id)
    if medication is None or patient is None or not medication.active:
        raise NotYourRecord  # a button from before the regimen changed
    return plan, medication, patient


async def plan_view(
    session: AsyncSession, telegram_user_id: int, plan_id: int, now: datetime
) -> AgentView:
    """Return one of the acting patient's own plans (before showing a date picker)."""
    plan, medication, patient = await _own_plan(session, telegram_user_id, plan_id)
    return _view(plan, medication, local_today(ZoneInfo(patient.timezone), now))


# --------------------------------------------------------------------------- the care team's plan


@dataclass(frozen=True)
class Schedule:
    """A clinic agent's schedule as the care team set it, for /bone's schedule page."""

    view: AgentView
    interval_months: int  # in force
    choices: tuple[int, ...]  # what a care team may set (one: nothing to choose)
    course_years: int | None
    course_ends_on: date | None
    course_applies: bool  # bisphosphonates only: denosumab has no planned end here


def _schedule(plan: ClinicAgentPlan, medication: Medication, today: date) -> Schedule:
    key, state = medication.product_key, _state(plan)
    choices = interval_choices(key)
    interval = plan.interval_months if plan.interval_months in choices else choices[0]
    return Schedule(
        _view(plan, medication, today),
        interval,
        choices,
        plan.course_years,
        state.course_ends_on,
        has_course_end(key),
    )


async def schedule_of(
    session: AsyncSession, telegram_user_id: int, plan_id: int, now: datetime
) -> Schedule:
    """Return one of the acting patient's own plans with its schedule."""
    plan, medication, patient = await _own_plan(session, telegram_user_id, plan_id)
    return _schedule(plan, medication, local_today(ZoneInfo(patient.timezone), now))


async def set_interval(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    plan_id: int,
    months: int,
    now: datetime,
) -> Schedule:
    """Store the care team's interval; the next due date is counted again from the last
    dose given, and its reminders start again (forged months are refused)."""
    plan, medication, patient = await _own_plan(session, telegram_user_id, plan_id)
    key = medication.product_key
    if months not in interval_choices(key):
        raise NotYourRecord  # no button offers it: forged data
    zone = ZoneInfo(patient.timezone)
    plan.interval_months, plan.updated_at = months, now
    if plan.last_given_on is not None:
        plan.due_on = next_due(key, plan.last_given_on, months)
        plan.reminded_on = None
    await session.commit()
    _replan(planner, plan, key, zone, now)
    return _schedule(plan, medication, local_today(zone, now))


async def set_course(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    plan_id: int,
    years: int | None,
    now: datetime,
) -> Schedule:
    """Store a planned course length (None: no end set), counted from the first dose on
    record (else the last date given, else today); "It goes on" after a review is None."""
    plan, medication, patient = await _own_plan(session, telegram_user_id, plan_id)
    key = medication.product_key
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    if years is not None:
        if not has_course_end(key):
            raise NotYourRecord  # denosumab offers no course end: forged data
        course_ends_on(today, years)  # raises ValueError for a length no button offers
        first = await session.scalar(
            select(func.min(ClinicAgentDose.given_on)).where(
                ClinicAgentDose.medication_id == medication.id
            )
        )
        plan.course_started_on = first or plan.last_given_on or today
    plan.course_years, plan.review_reminded_on, plan.updated_at = years, None, now
    await session.commit()
    _replan(planner, plan, key, zone, now)
    return _schedule(plan, medication, today)


def date_range(today: date) -> tuple[date, date]:
    """Return the earliest and latest dates a dose can be recorded as given on."""
    return add_months(today, -EARLIEST_MONTHS), today


@dataclass(frozen=True)
class Recorded:
    """The outcome of recording a date: the plan as it now stands, and whether it changed."""

    view: AgentView
    changed: bool


async def record_given(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    plan_id: int,
    given_on: date,
    now: datetime,
    correcting: bool = False,
) -> Recorded:
    """Record the date a dose was actually given; the next due date counts from it.

    A date on or before the last one on record is an answer already given (a second press
    on an old reminder) unless the patient is `correcting` the last date from /bone, which
    moves that dose (the change is kept, as for `correct_dose`). Pending reminders are
    dropped and the next cycle planned; infusions get the post-infusion check.
    """
    plan, medication, patient = await _own_plan(session, telegram_user_id, plan_id)
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    earliest, latest = date_range(today)
    if not earliest <= given_on <= latest:
        raise InvalidDateText(given_on.isoformat())
    key, last = medication.product_key, plan.last_given_on
    if last is not None and given_on <= last and not correcting:
        return Recorded(_view(plan, medication, today), changed=False)
    if correcting and last is not None:
        newest = await _dose_on(session, medication.id, last)
        if newest is not None:  # the last date, corrected from /bone: kept as a change
            await _move_or_merge(session, newest, given_on, now)
            await _follow_doses(session, plan, medication, today, now)
            await session.commit()
            _replan(planner, plan, key, zone, now)
            return Recorded(_view(plan, medication, today), changed=True)
    answered_due = plan.due_on if last is not None else None
    exists = await _dose_on(session, medication.id, given_on)
    if exists is None:
        session.add(
            ClinicAgentDose(
                patient_id=patient.id,
                medication_id=medication.id,
                given_on=given_on,
                due_on=answered_due,
                recorded_at=now,
            )
        )
    plan.last_given_on = given_on
    plan.due_on = next_due(key, given_on, plan.interval_months)
    plan.reminded_on = None
    check = post_dose_check(key, given_on)
    plan.post_check_on = check.on if check is not None and check.on >= today else None
    plan.updated_at = now
    try:
        await session.commit()
    except IntegrityError:  # the same press, handled twice at once
        await session.rollback()
        plan, medication, patient = await _own_plan(session, telegram_user_id, plan_id)
    _replan(planner, plan, key, zone, now)
    return Recorded(_view(plan, medication, today), changed=True)


async def _dose_on(
    session: AsyncSession, medication_id: int, given_on: date
) -> ClinicAgentDose | None:
    return await session.scalar(
        select(ClinicAgentDose).where(
            ClinicAgentDose.medication_id == medication_id, ClinicAgentDose.given_on == given_on
        )
    )


async def _move_or_merge(
    session: AsyncSession, dose: ClinicAgentDose, given_on: date, now: datetime
) -> None:
    """Move a dose to another day, keeping the change; onto a day already recorded, the two
    are one dose (the moved one is deleted, and that is kept too)."""
    if dose.given_on == given_on:
        return
    if await _dose_on(session, dose.medication_id, given_on) is not None:
        session.add(dose_change(dose, new_on=None, now=now))
        await session.delete(dose)
    else:
        session.add(dose_change(dose, new_on=given_on, now=now))
        dose.given_on = given_on
    await session.flush()


async def _follow_doses(
    session: AsyncSession,
    plan: ClinicAgentPlan,
    medication: Medication,
    today: date,
    now: datetime,
) -> None:
    """Count the plan from the latest dose that remains (a dose corrected or deleted): a new
    last date moves the next due date, and its reminders start again."""
    latest = await session.scalar(
        select(func.max(ClinicAgentDose.given_on)).where(
            ClinicAgentDose.medication_id == medication.id
        )
    )
    if latest == plan.last_given_on:
        return
    key = medication.product_key
    plan.last_given_on = latest
    plan.due_on = next_due(key, latest, plan.interval_months) if latest is not None else None
    plan.reminded_on = None
    check = post_dose_check(key, latest) if latest is not None else None
    plan.post_check_on = check.on if check is not None and check.on >= today else None
    plan.updated_at = now


# --------------------------------------------------------------------------- corrections


@dataclass(frozen=True)
class DoseEntry:
    """One clinic dose on record, with its id for buttons."""

    dose_id: int
    plan_id: int
    product: Product
    given_on: date
    today: date


@dataclass(frozen=True)
class DoseList:
    """A clinic agent's plan and its doses on record, newest first."""

    view: AgentView
    doses: tuple[DoseEntry, ...]


async def dose_list(
    session: AsyncSession, telegram_user_id: int, plan_id: int, now: datetime
) -> DoseList:
    """Return one of the acting patient's plans with its doses (to pick one to correct)."""
    plan, medication, patient = await _own_plan(session, telegram_user_id, plan_id)
    today = local_today(ZoneInfo(patient.timezone), now)
    rows = await session.scalars(
        select(ClinicAgentDose)
        .where(ClinicAgentDose.medication_id == medication.id)
        .order_by(ClinicAgentDose.given_on.desc())
    )
    product = get_product(medication.product_key)
    doses = tuple(DoseEntry(dose.id, plan.id, product, dose.given_on, today) for dose in rows)
    return DoseList(_view(plan, medication, today), doses)


async def _own_dose(
    session: AsyncSession, telegram_user_id: int, dose_id: int
) -> tuple[ClinicAgentDose, ClinicAgentPlan, Medication, Patient]:
    """Load a dose only for its own patient, and only while its medicine is in force."""
    dose = await owned_by(session, ClinicAgentDose, dose_id, telegram_user_id)
    plan = await session.scalar(
        select(ClinicAgentPlan).where(ClinicAgentPlan.medication_id == dose.medication_id)
    )
    if plan is None:
        raise NotYourRecord
    plan, medication, patient = await _own_plan(session, telegram_user_id, plan.id)
    return dose, plan, medication, patient


async def own_dose(
    session: AsyncSession, telegram_user_id: int, dose_id: int, now: datetime
) -> DoseEntry:
    """Return one of the acting patient's clinic doses (forged ids are refused)."""
    dose, plan, medication, patient = await _own_dose(session, telegram_user_id, dose_id)
    today = local_today(ZoneInfo(patient.timezone), now)
    return DoseEntry(dose.id, plan.id, get_product(medication.product_key), dose.given_on, today)


async def correct_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    dose_id: int,
    given_on: date,
    now: datetime,
) -> Recorded:
    """Move a recorded dose to the day it was really given, keep the change, and count the
    next due date from the latest dose (DateTaken: that day already holds one)."""
    dose, plan, medication, patient = await _own_dose(session, telegram_user_id, dose_id)
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    earliest, latest = date_range(today)
    if not earliest <= given_on <= latest:
        raise InvalidDateText(given_on.isoformat())
    if given_on == dose.given_on:
        return Recorded(_view(plan, medication, today), changed=False)
    if await _dose_on(session, medication.id, given_on) is not None:
        raise DateTaken(given_on.isoformat())
    await _move_or_merge(session, dose, given_on, now)
    await _follow_doses(session, plan, medication, today, now)
    try:
        await session.commit()
    except IntegrityError as clash:  # the same day recorded at the same moment
        await session.rollback()
        raise DateTaken(given_on.isoformat()) from clash
    _replan(planner, plan, medication.product_key, zone, now)
    return Recorded(_view(plan, medication, today), changed=True)


async def delete_dose(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    dose_id: int,
    now: datetime,
) -> Recorded:
    """Delete a recorded dose (the deletion is kept) and count the next due date from the
    latest that remains (none left: the plan waits for a date again)."""
    dose, plan, medication, patient = await _own_dose(session, telegram_user_id, dose_id)
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    session.add(dose_change(dose, new_on=None, now=now))
    await session.delete(dose)
    await session.flush()
    await _follow_doses(session, plan, medication, today, now)
    await session.commit()
    _replan(planner, plan, medication.product_key, zone, now)
    return Recorded(_view(plan, medication, today), changed=True)


# --------------------------------------------------------------------------- the job

# A plan with its medicine and patient: what the agent job and the start-up rebuild read.
_PLANS = (
    select(ClinicAgentPlan, Medication, Patient)
    .join(Medication, Medication.id == ClinicAgentPlan.medication_id)
    .join(Patient, Patient.id == ClinicAgentPlan.patient_id)
)


@dataclass(frozen=True)
class AgentRun:
    """What an agent job found on its day: the message to send and alerts created."""

    plan_id: int
    chat_id: int
    reachable: bool
    day: date
    step: Step | None
    alert_ids: list[int]


async def agent_run(session: AsyncSession, plan_id: int, now: datetime) -> AgentRun | None:
    """Find today's message for a plan, and create (commit) overdue alerts once per due date.

    None when the plan's medicine ended or the patient is gone: the job then stops.
    """
    loaded = (await session.execute(_PLANS.where(ClinicAgentPlan.id == plan_id))).first()
    if loaded is None:
        return None
    plan, medication, patient = loaded
    if not medication.active:
        return None
    key, state = medication.product_key, _state(plan)
    day = local_today(ZoneInfo(patient.timezone), now)
    alert_ids: list[int] = []
    if alert_due(key, state, day) and plan.due_on is not None:
        alerts = await care_alerts.add_overdue_agent_alerts(session, patient.id, plan.due_on, now)
        plan.alerted_due_on = plan.due_on
        await session.commit()
        alert_ids = [alert.id for alert in alerts]
    return AgentRun(
        plan.id,
        patient.chat_id,
        patient.unreachable_since is None,
        day,
        step_on(key, state, day),
        alert_ids,
    )


async def agent_reminded(
    session: AsyncSession, plan_id: int, day: date, step: Step | None, now: datetime
) -> datetime | None:
    """Record the day's message as sent (after sending) and return the next run, if any."""
    loaded = (await session.execute(_PLANS.where(ClinicAgentPlan.id == plan_id))).first()
    if loaded is None or not loaded[1].active:
        return None
    plan, medication, patient = loaded
    if step is not None and (step.due_on is None or step.due_on == plan.due_on):
        plan.reminded_on = day
        if step.kind is StepKind.POST_INFUSION_CHECK:
            plan.post_check_on = None
        if step.kind is StepKind.COURSE_REVIEW:
            plan.review_reminded_on = day
        await session.commit()
    state = _state(plan)
    if state.post_check_on is not None and state.post_check_on + POST_CHECK_GRACE < day:
        state = replace(state, post_check_on=None)
    following = next_run_day(medication.product_key, state, day)
    zone = ZoneInfo(patient.timezone)
    return at_reminder_time(following, zone) if following is not None else None


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-create missing agent jobs from the plans of medicines in force (start-up)."""
    planned = 0
    rows = await session.execute(_PLANS.where(Medication.active.is_(True)))
    for plan, medication, patient in rows:
        if f"agent:{plan.id}" in existing:
            continue
        if _replan(planner, plan, medication.product_key, ZoneInfo(patient.timezone), now):
            planned += 1
    return planned
