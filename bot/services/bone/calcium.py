"""Calcium and vitamin D: targets, calcium form and food, split doses, meal-time reminders.

The service behind /bone's calcium set-up and the persistent `supplement:{prompt id}` job.
Targets, dose splitting, the wording of each prompt and the conflict rule all come from
`bot.domain.calcium`, which cites its sources: on an oral bisphosphonate's dosing day a calcium
prompt too close to the dose moves to when the label allows it, and the reminder says why.

Reminders work like doses: a day's event is committed before its message is sent and marked
sent after; Taken and Later answer it; unanswered and missed days count in adherence. A
prompt's job works out each day's time when it fires, so a changed bisphosphonate schedule
or time zone moves the prompt without any other bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by, require_patient
from bot.db.models import (
    OPEN_DOSE_STATUSES,
    CalciumPlan,
    DoseStatus,
    Medication,
    MedicationRole,
    Patient,
    SupplementEvent,
    SupplementPrompt,
)
from bot.domain.calcium import (
    BisphosphonateDose,
    CalciumForm,
    DailyTargets,
    PlannedPrompt,
    SupplementKind,
    plan_supplement_times,
    propose_calcium_doses,
    targets,
)
from bot.domain.calcium import (
    SupplementPrompt as PromptRule,
)
from bot.domain.catalog import get_product
from bot.domain.dose_times import local_today
from bot.domain.errors import AlreadyAnswered, NotYourRecord
from bot.ports import JobKind, ReminderPlanner
from bot.services.doses import LATE_AFTER, schedule_of

DIET_CHOICES = (0, 300, 600, 900)  # mg of calcium a day from food, by buttons
_SEARCH_DAYS = 400  # after a long outage the first unrecorded day may be far back


class InvalidSetting(ValueError):
    """A target, form or time that cannot be used (a typo, or forged data)."""


# --------------------------------------------------------------------------- set-up


@dataclass(frozen=True)
class CalciumView:
    """The patient's calcium and vitamin D set-up as /bone shows it."""

    targets: DailyTargets
    form: CalciumForm | None
    diet_mg: int | None
    proposal: tuple[int, ...]  # the suggested split doses (mg), for the food given
    times: tuple[tuple[time, int | None], ...]  # the reminders in force: time, dose


async def _plan_of(session: AsyncSession, patient: Patient, now: datetime) -> CalciumPlan:
    plan = await session.scalar(select(CalciumPlan).where(CalciumPlan.patient_id == patient.id))
    if plan is None:
        plan = CalciumPlan(patient_id=patient.id, updated_at=now)
        session.add(plan)
        await session.flush()
    return plan


async def _prompts(session: AsyncSession, patient_id: int) -> list[SupplementPrompt]:
    rows = await session.scalars(
        select(SupplementPrompt)
        .where(SupplementPrompt.patient_id == patient_id, SupplementPrompt.active.is_(True))
        .order_by(SupplementPrompt.time_of_day, SupplementPrompt.id)
    )
    return list(rows)


def _targets(plan: CalciumPlan) -> DailyTargets:
    return targets(plan.calcium_target_mg, plan.vitamin_d_target_iu)


async def _view(session: AsyncSession, patient: Patient, plan: CalciumPlan) -> CalciumView:
    goal = _targets(plan)
    proposal = (
        tuple(propose_calcium_doses(goal.calcium_mg, plan.diet_calcium_mg))
        if plan.diet_calcium_mg is not None
        else ()
    )
    prompts = await _prompts(session, patient.id)
    return CalciumView(
        goal,
        CalciumForm(plan.calcium_form) if plan.calcium_form else None,
        plan.diet_calcium_mg,
        proposal,
        tuple((p.time_of_day, p.dose_mg) for p in prompts),
    )


async def calcium_view(session: AsyncSession, telegram_user_id: int, now: datetime) -> CalciumView:
    """Return the acting patient's calcium set-up (creating the row on first use)."""
    patient = await require_patient(session, telegram_user_id)
    plan = await _plan_of(session, patient, now)
    await session.commit()
    return await _view(session, patient, plan)


async def set_form(
    session: AsyncSession, telegram_user_id: int, form: str, now: datetime
) -> CalciumView:
    """Store which calcium the patient takes (carbonate needs food; citrate does not)."""
    try:
        chosen = CalciumForm(form)
    except ValueError as error:
        raise InvalidSetting(form) from error
    patient = await require_patient(session, telegram_user_id)
    plan = await _plan_of(session, patient, now)
    plan.calcium_form, plan.updated_at = chosen, now
    await session.commit()
    return await _view(session, patient, plan)


async def set_diet(
    session: AsyncSession, telegram_user_id: int, diet_mg: int, now: datetime
) -> CalciumView:
    """Store about how much calcium the patient's food gives a day."""
    if diet_mg not in DIET_CHOICES:
        raise InvalidSetting(str(diet_mg))
    patient = await require_patient(session, telegram_user_id)
    plan = await _plan_of(session, patient, now)
    plan.diet_calcium_mg, plan.updated_at = diet_mg, now
    await session.commit()
    return await _view(session, patient, plan)


def check_targets(calcium_mg: int | None, vitamin_d_iu: int | None) -> None:
    """Raise InvalidSetting unless the numbers could be a care team's daily targets."""
    try:
        targets(calcium_mg, vitamin_d_iu)
    except ValueError as error:
        raise InvalidSetting(f"{calcium_mg}/{vitamin_d_iu}") from error


async def set_targets(
    session: AsyncSession,
    telegram_user_id: int,
    *,
    calcium_mg: int | None,
    vitamin_d_iu: int | None,
    now: datetime,
) -> CalciumView:
    """Store the care team's daily numbers (None: the statement's default for that one)."""
    check_targets(calcium_mg, vitamin_d_iu)
    patient = await require_patient(session, telegram_user_id)
    plan = await _plan_of(session, patient, now)
    plan.calcium_target_mg, plan.vitamin_d_target_iu = calcium_mg, vitamin_d_iu
    plan.updated_at = now
    await session.commit()
    return await _view(session, patient, plan)


async def set_times(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    times: list[time],
    now: datetime,
) -> CalciumView:
    """Replace the calcium reminders with one per chosen meal time, with the split doses."""
    patient = await require_patient(session, telegram_user_id)
    plan = await _plan_of(session, patient, now)
    view = await _view(session, patient, plan)
    chosen = sorted(set(times))
    if plan.calcium_form is None or len(chosen) != len(view.proposal):
        raise InvalidSetting("times")
    old = await _prompts(session, patient.id)
    for prompt in old:
        prompt.active, prompt.ended_at = False, now
    new = [
        SupplementPrompt(
            patient_id=patient.id,
            kind=SupplementKind.CALCIUM,
            time_of_day=at,
            dose_mg=dose,
            started_at=now,
        )
        for at, dose in zip(chosen, view.proposal, strict=True)
    ]
    session.add_all(new)
    await session.commit()
    for prompt in old:
        planner.cancel(JobKind.SUPPLEMENT, prompt.id)
    for prompt in new:
        await plan_next_supplement(session, planner, prompt.id, now)
    return await _view(session, patient, plan)


async def turn_off(
    session: AsyncSession, planner: ReminderPlanner, telegram_user_id: int, now: datetime
) -> None:
    """Stop every calcium reminder (the set-up is kept)."""
    patient = await require_patient(session, telegram_user_id)
    old = await _prompts(session, patient.id)
    for prompt in old:
        prompt.active, prompt.ended_at = False, now
    await session.commit()
    for prompt in old:
        planner.cancel(JobKind.SUPPLEMENT, prompt.id)


# --------------------------------------------------------------------------- timing


async def _bisphosphonate(session: AsyncSession, patient_id: int) -> BisphosphonateDose | None:
    """Return the patient's oral bisphosphonate and its schedule, if they take one."""
    rows = await session.scalars(
        select(Medication).where(
            Medication.patient_id == patient_id,
            Medication.active.is_(True),
            Medication.role == MedicationRole.BONE_AGENT,
        )
    )
    for medication in rows:
        schedule = schedule_of(medication)
        if schedule is not None and get_product(medication.product_key).is_oral_bisphosphonate:
            return BisphosphonateDose(medication.product_key, schedule)
    return None


@dataclass(frozen=True)
class _Timing:
    """What a prompt's times depend on: the patient's zone, all prompts, the bisphosphonate."""

    zone: ZoneInfo
    rules: list[PromptRule]
    index: int
    bisphosphonate: BisphosphonateDose | None

    def on(self, day: date) -> PlannedPrompt:
        """Return when the prompt fires on a local day, moved clear of the dose if need be."""
        planned = plan_supplement_times(day, self.zone, self.rules, self.bisphosphonate)
        return planned[self.index]


def _rule(prompt: SupplementPrompt, form: str | None) -> PromptRule:
    calcium = prompt.kind == SupplementKind.CALCIUM
    return PromptRule(
        SupplementKind(prompt.kind),
        prompt.time_of_day,
        CalciumForm(form) if calcium and form else None,
    )


async def _timing(
    session: AsyncSession, prompt: SupplementPrompt, patient: Patient
) -> tuple[_Timing, str | None]:
    plan = await session.scalar(select(CalciumPlan).where(CalciumPlan.patient_id == patient.id))
    form = plan.calcium_form if plan else None
    prompts = await _prompts(session, patient.id)
    index = next((i for i, p in enumerate(prompts) if p.id == prompt.id), None)
    if index is None:  # an ended prompt: time it on its own
        prompts, index = [prompt], 0
    rules = [_rule(p, form) for p in prompts]
    bisphosphonate = await _bisphosphonate(session, patient.id)
    return _Timing(ZoneInfo(patient.timezone), rules, index, bisphosphonate), form


async def _first_day(session: AsyncSession, prompt: SupplementPrompt, zone: ZoneInfo) -> date:
    """Return the first local day without an event (the prompt's first day if none yet)."""
    last = await session.scalar(
        select(func.max(SupplementEvent.local_date)).where(SupplementEvent.prompt_id == prompt.id)
    )
    if last is None:
        return prompt.started_at.astimezone(zone).date()
    day = last if isinstance(last, date) else date.fromisoformat(str(last))
    return day + timedelta(days=1)


async def plan_next_supplement(
    session: AsyncSession, planner: ReminderPlanner, prompt_id: int, now: datetime
) -> datetime | None:
    """Plan a prompt's job at its next time (now, if a day's prompt is already due)."""
    loaded = (
        await session.execute(
            select(SupplementPrompt, Patient)
            .join(Patient, Patient.id == SupplementPrompt.patient_id)
            .where(SupplementPrompt.id == prompt_id)
        )
    ).first()
    if loaded is None or not loaded[0].active or loaded[1].unreachable_since is not None:
        planner.cancel(JobKind.SUPPLEMENT, prompt_id)
        return None
    prompt, patient = loaded
    timing, _ = await _timing(session, prompt, patient)
    run_at = await _next_at(session, prompt, timing, None)
    if run_at is None:
        planner.cancel(JobKind.SUPPLEMENT, prompt.id)
        return None
    run_at = max(run_at, now)  # a day already due (after downtime) runs at once
    planner.plan(JobKind.SUPPLEMENT, prompt.id, run_at)
    return run_at


# --------------------------------------------------------------------------- the job


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


@dataclass(frozen=True)
class SupplementBatch:
    """What a supplement job found: reminders to send now, and its next run."""

    due: list[DueSupplement]
    next_at: datetime | None


async def open_due_supplements(
    session: AsyncSession, prompt_id: int, now: datetime, grace: timedelta
) -> SupplementBatch:
    """Record every day's prompt due by now (missed beyond grace); return those to send."""
    loaded = (
        await session.execute(
            select(SupplementPrompt, Patient)
            .join(Patient, Patient.id == SupplementPrompt.patient_id)
            .where(SupplementPrompt.id == prompt_id)
        )
    ).first()
    if loaded is None or not loaded[0].active or loaded[1].unreachable_since is not None:
        return SupplementBatch([], None)
    prompt, patient = loaded
    timing, form = await _timing(session, prompt, patient)
    today = local_today(timing.zone, now)
    day = await _first_day(session, prompt, timing.zone)
    added = False
    while day <= today:
        planned = timing.on(day)
        if planned.fires_at <= now and planned.fires_at >= prompt.started_at:
            status = DoseStatus.MISSED if now - planned.fires_at > grace else DoseStatus.PENDING
            session.add(
                SupplementEvent(
                    prompt_id=prompt.id,
                    patient_id=patient.id,
                    local_date=day,
                    due_at=planned.fires_at,
                    moved_reason=planned.reason,
                    status=status,
                )
            )
            added = True
        day += timedelta(days=1)
    if added:
        try:
            await session.commit()
        except IntegrityError:  # a second run recorded the same day first
            await session.rollback()
    pending = await session.scalars(
        select(SupplementEvent)
        .where(
            SupplementEvent.prompt_id == prompt.id,
            SupplementEvent.status == DoseStatus.PENDING,
        )
        .order_by(SupplementEvent.due_at)
    )
    due = [
        DueSupplement(
            event.id,
            patient.chat_id,
            SupplementKind(prompt.kind),
            CalciumForm(form) if form else None,
            prompt.dose_mg,
            event.due_at.astimezone(timing.zone),
            event.moved_reason,
            late=now - event.due_at > LATE_AFTER,
        )
        for event in pending
    ]
    return SupplementBatch(due, await _next_at(session, prompt, timing, now))


async def _next_at(
    session: AsyncSession, prompt: SupplementPrompt, timing: _Timing, after: datetime | None
) -> datetime | None:
    """Return the first time, on a day not yet recorded, when the prompt fires (after `after`).

    Days before the prompt existed are skipped; with `after` None an overdue day counts.
    """
    day = await _first_day(session, prompt, timing.zone)
    for _ in range(_SEARCH_DAYS):
        planned = timing.on(day)
        if planned.fires_at >= prompt.started_at and (after is None or planned.fires_at > after):
            return planned.fires_at
        day += timedelta(days=1)
    return None


async def mark_supplement_sent(
    session: AsyncSession, event_id: int, message_id: int, now: datetime
) -> None:
    """Record that a supplement reminder reached Telegram (after the send)."""
    event = await session.get(SupplementEvent, event_id)
    if event is not None:
        if event.status == DoseStatus.PENDING:
            event.status = DoseStatus.SENT
        event.sent_at = event.sent_at or now
        event.message_id = message_id
        await session.commit()


@dataclass(frozen=True)
class SupplementAnswer:
    """The outcome of a Taken or Later press, for the reply."""

    kind: SupplementKind
    dose_mg: int | None
    status: DoseStatus
    answered_local: datetime | None
    snoozed_until_local: datetime | None


async def _answer(session: AsyncSession, event: SupplementEvent) -> SupplementAnswer:
    prompt = await session.get(SupplementPrompt, event.prompt_id)
    patient = await session.get(Patient, event.patient_id)
    if prompt is None or patient is None:
        raise NotYourRecord
    zone = ZoneInfo(patient.timezone)
    return SupplementAnswer(
        SupplementKind(prompt.kind),
        prompt.dose_mg,
        DoseStatus(event.status),
        event.answered_at.astimezone(zone) if event.answered_at else None,
        event.snoozed_until.astimezone(zone) if event.snoozed_until else None,
    )


async def _open_event(
    session: AsyncSession, telegram_user_id: int, event_id: int
) -> SupplementEvent:
    event = await owned_by(session, SupplementEvent, event_id, telegram_user_id)
    if event.status not in OPEN_DOSE_STATUSES:
        raise AlreadyAnswered(event.status)
    return event


async def take_supplement(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
) -> SupplementAnswer:
    """Record a supplement as taken (only the acting patient's own, only while open)."""
    event = await _open_event(session, telegram_user_id, event_id)
    event.status, event.answered_at, event.snoozed_until = DoseStatus.TAKEN, now, None
    await session.commit()
    planner.cancel(JobKind.SUPPLEMENT_SNOOZE, event.id)
    return await _answer(session, event)


async def snooze_supplement(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    event_id: int,
    now: datetime,
    minutes: int,
) -> SupplementAnswer:
    """Put a supplement reminder off for a short while; it comes back as a new message."""
    event = await _open_event(session, telegram_user_id, event_id)
    event.snoozed_until = now + timedelta(minutes=minutes)
    await session.commit()
    planner.plan(JobKind.SUPPLEMENT_SNOOZE, event.id, event.snoozed_until)
    return await _answer(session, event)


async def describe_supplement(
    session: AsyncSession, telegram_user_id: int, event_id: int
) -> SupplementAnswer:
    """Return how an already answered reminder stands (a second press)."""
    event = await owned_by(session, SupplementEvent, event_id, telegram_user_id)
    return await _answer(session, event)


async def snoozed_supplement(
    session: AsyncSession, event_id: int, now: datetime
) -> DueSupplement | None:
    """Return the reminder to send again when a Later ends, if still unanswered."""
    event = await session.get(SupplementEvent, event_id)
    if event is None or event.status not in OPEN_DOSE_STATUSES or event.snoozed_until is None:
        return None
    prompt = await session.get(SupplementPrompt, event.prompt_id)
    patient = await session.get(Patient, event.patient_id)
    if prompt is None or patient is None:
        return None
    event.snoozed_until = None
    await session.commit()
    _, form = await _timing(session, prompt, patient)
    zone = ZoneInfo(patient.timezone)
    return DueSupplement(
        event.id,
        patient.chat_id,
        SupplementKind(prompt.kind),
        CalciumForm(form) if form else None,
        prompt.dose_mg,
        event.due_at.astimezone(zone),
        event.moved_reason,
        late=False,
    )


# --------------------------------------------------------------------------- overviews


@dataclass(frozen=True)
class TodaySupplement:
    """One of today's supplement reminders for /today."""

    due_local: datetime
    dose_mg: int | None
    status: str  # a DoseStatus, or "upcoming"
    moved: bool
    answered_local: datetime | None


@dataclass(frozen=True)
class SupplementTally:
    """Calcium reminders over a period, for /history."""

    due: int
    taken: int
    missed: int
    unanswered: int

    @property
    def percent_taken(self) -> int:
        """Share of due reminders confirmed taken."""
        return round(100 * self.taken / self.due) if self.due else 0


async def supplements_today(
    session: AsyncSession, patient: Patient, now: datetime
) -> list[TodaySupplement]:
    """List today's calcium reminders, recorded or still to come, at today's real times."""
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    found = []
    for prompt in await _prompts(session, patient.id):
        event = await session.scalar(
            select(SupplementEvent).where(
                SupplementEvent.prompt_id == prompt.id, SupplementEvent.local_date == today
            )
        )
        if event is not None:
            answered = event.answered_at.astimezone(zone) if event.answered_at else None
            moved = event.moved_reason is not None
            due = event.due_at.astimezone(zone)
            found.append(TodaySupplement(due, prompt.dose_mg, event.status, moved, answered))
            continue
        timing, _ = await _timing(session, prompt, patient)
        planned = timing.on(today)
        if planned.fires_at >= prompt.started_at:
            due = planned.fires_at.astimezone(zone)
            found.append(TodaySupplement(due, prompt.dose_mg, "upcoming", planned.moved, None))
    return sorted(found, key=lambda item: item.due_local)


async def supplement_tally(
    session: AsyncSession, patient: Patient, now: datetime, days: int = 30
) -> SupplementTally | None:
    """Count calcium reminders over the last `days` days (None when there were none)."""
    today = local_today(ZoneInfo(patient.timezone), now)
    rows = await session.execute(
        select(SupplementEvent.status, func.count())
        .where(
            SupplementEvent.patient_id == patient.id,
            SupplementEvent.local_date > today - timedelta(days=days),
        )
        .group_by(SupplementEvent.status)
    )
    counts = {status: count for status, count in rows}
    if not counts:
        return None
    return SupplementTally(
        due=sum(counts.values()),
        taken=counts.get(DoseStatus.TAKEN, 0),
        missed=counts.get(DoseStatus.MISSED, 0),
        unanswered=counts.get(DoseStatus.SENT, 0) + counts.get(DoseStatus.PENDING, 0),
    )


async def replan_all(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> None:
    """Re-plan every calcium reminder of a patient (a new zone or bisphosphonate schedule)."""
    for prompt in await _prompts(session, patient_id):
        await plan_next_supplement(session, planner, prompt.id, now)


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-create missing supplement jobs, and Later jobs of open reminders (start-up)."""
    planned = 0
    prompt_ids = await session.scalars(
        select(SupplementPrompt.id).where(SupplementPrompt.active.is_(True))
    )
    for prompt_id in list(prompt_ids):
        if f"supplement:{prompt_id}" in existing:
            continue
        if await plan_next_supplement(session, planner, prompt_id, now):
            planned += 1
    snoozed = await session.scalars(
        select(SupplementEvent).where(
            SupplementEvent.status.in_(OPEN_DOSE_STATUSES),
            SupplementEvent.snoozed_until.is_not(None),
        )
    )
    for event in snoozed:
        if f"supsnooze:{event.id}" not in existing and event.snoozed_until is not None:
            planner.plan(JobKind.SUPPLEMENT_SNOOZE, event.id, max(event.snoozed_until, now))
            planned += 1
    return planned
