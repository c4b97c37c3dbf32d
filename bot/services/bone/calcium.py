"""Calcium and vitamin D: targets, calcium form and food, split doses, meal-time reminders.

The service behind /bone's calcium set-up. Targets, dose splitting, the wording of each
prompt and the conflict rule all come from `bot.domain.calcium`, which cites its sources: on
an oral bisphosphonate's dosing day a calcium prompt too close to the dose moves to when the
label allows it, and the reminder says why.

Each reminder time is a medication of role `MedicationRole.SUPPLEMENT` (product key: the
supplement's kind, daily at its meal time, `dose_mg` its amount), so its days are dose
events opened, sent, answered and recorded by the dose path (`bot.services.doses`, the dose
batcher), which works out each day's time when it falls due: a changed bisphosphonate
schedule or time zone moves the prompt without other bookkeeping. This module sets the
reminders up and shows them: /bone's set-up, /today's lines and /history's tally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import require_patient
from bot.db.models import (
    CalciumPlan,
    DoseEvent,
    DoseStatus,
    Medication,
    MedicationRole,
    Patient,
)
from bot.domain.calcium import (
    CalciumForm,
    DailyTargets,
    SupplementKind,
    SupplementPrompt,
    prompt_time,
    propose_calcium_doses,
    targets,
)
from bot.domain.calcium_spacing import too_close
from bot.domain.dose_times import Frequency, local_today
from bot.ports import JobKind, ReminderPlanner
from bot.services.dose_timing import bisphosphonates_of, calcium_prompts_of
from bot.services.doses import plan_next_dose

DIET_CHOICES = (0, 300, 600, 900)  # mg of calcium a day from food, by buttons


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
    vitamin_d_at: time | None = None  # vitamin D's own reminder (None: none)


async def _plan_of(session: AsyncSession, patient: Patient, now: datetime) -> CalciumPlan:
    plan = await session.scalar(select(CalciumPlan).where(CalciumPlan.patient_id == patient.id))
    if plan is None:
        plan = CalciumPlan(patient_id=patient.id, updated_at=now)
        session.add(plan)
        await session.flush()
    return plan


async def _prompts(
    session: AsyncSession, patient_id: int, kind: SupplementKind = SupplementKind.CALCIUM
) -> list[Medication]:
    """The patient's reminders in force of one supplement (calcium by default), by time."""
    rows = await session.scalars(
        select(Medication)
        .where(
            Medication.patient_id == patient_id,
            Medication.role == MedicationRole.SUPPLEMENT,
            Medication.product_key == kind,
            Medication.active.is_(True),
        )
        .order_by(Medication.time_of_day, Medication.id)
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
    vitamin_d = await _prompts(session, patient.id, SupplementKind.VITAMIN_D)
    return CalciumView(
        goal,
        CalciumForm(plan.calcium_form) if plan.calcium_form else None,
        plan.diet_calcium_mg,
        proposal,
        tuple((p.time_of_day, p.dose_mg) for p in prompts if p.time_of_day is not None),
        vitamin_d[0].time_of_day if vitamin_d else None,
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
    if any(too_close(at, chosen[:index]) for index, at in enumerate(chosen)):
        raise InvalidSetting("times")  # two doses this close are absorbed as one
    old = await _prompts(session, patient.id)
    for prompt in old:
        prompt.active, prompt.ended_at = False, now
    new = [
        Medication(
            patient_id=patient.id,
            role=MedicationRole.SUPPLEMENT,
            product_key=SupplementKind.CALCIUM,
            frequency=Frequency.DAILY,
            time_of_day=at,
            dose_mg=dose,
            started_at=now,
        )
        for at, dose in zip(chosen, view.proposal, strict=True)
    ]
    session.add_all(new)
    await session.commit()
    for prompt in old:
        planner.cancel(JobKind.DOSE, prompt.id)
    for prompt in new:
        await plan_next_dose(session, planner, prompt, patient, now)
    return await _view(session, patient, plan)


async def set_vitamin_d(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    at: time | None,
    now: datetime,
) -> CalciumView:
    """Give vitamin D its own daily reminder at `at` (None: none, e.g. it is in the calcium
    tablet). Like calcium, it keeps clear of an oral bisphosphonate's fasting window."""
    patient = await require_patient(session, telegram_user_id)
    plan = await _plan_of(session, patient, now)
    old = await _prompts(session, patient.id, SupplementKind.VITAMIN_D)
    for prompt in old:
        prompt.active, prompt.ended_at = False, now
    new = (
        Medication(
            patient_id=patient.id,
            role=MedicationRole.SUPPLEMENT,
            product_key=SupplementKind.VITAMIN_D,
            frequency=Frequency.DAILY,
            time_of_day=at,
            started_at=now,
        )
        if at is not None
        else None
    )
    if new is not None:
        session.add(new)
    await session.commit()
    for prompt in old:
        planner.cancel(JobKind.DOSE, prompt.id)
    if new is not None:
        await plan_next_dose(session, planner, new, patient, now)
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
        planner.cancel(JobKind.DOSE, prompt.id)


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


def _rule(prompt: Medication) -> SupplementPrompt:
    """The domain's view of a reminder: its kind and the time the patient asked for."""
    assert prompt.time_of_day is not None  # supplements are always daily at a time
    return SupplementPrompt(SupplementKind(prompt.product_key), prompt.time_of_day)


async def supplements_today(
    session: AsyncSession, patient: Patient, now: datetime
) -> list[TodaySupplement]:
    """List today's calcium reminders, recorded or still to come, at today's real times."""
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    prompts = await _prompts(session, patient.id)
    if not prompts:
        return []
    recorded = {
        event.medication_id: event
        for event in await session.scalars(
            select(DoseEvent).where(
                DoseEvent.medication_id.in_([p.id for p in prompts]),
                DoseEvent.local_date == today,
            )
        )
    }
    bisphosphonate = (await bisphosphonates_of(session, [patient.id], now)).get(patient.id)
    day = (await calcium_prompts_of(session, [patient.id])).get(patient.id, [])
    found = []
    for prompt in prompts:
        event = recorded.get(prompt.id)
        if event is not None:
            answered = event.answered_at.astimezone(zone) if event.answered_at else None
            moved = event.moved_reason is not None
            due = event.due_at.astimezone(zone)
            found.append(TodaySupplement(due, prompt.dose_mg, event.status, moved, answered))
            continue
        own = next((rule for key, rule in day if key == prompt.id), _rule(prompt))
        companions = [rule for key, rule in day if key != prompt.id]
        planned = prompt_time(own, today, zone, bisphosphonate, companions)
        if planned.due_at >= prompt.started_at:
            due = planned.due_at.astimezone(zone)
            moved = planned.reason is not None
            found.append(TodaySupplement(due, prompt.dose_mg, "upcoming", moved, None))
    return sorted(found, key=lambda item: item.due_local)


async def supplement_tally(
    session: AsyncSession, patient: Patient, now: datetime, days: int = 30
) -> SupplementTally | None:
    """Count calcium reminders over the last `days` days (None when there were none)."""
    today = local_today(ZoneInfo(patient.timezone), now)
    rows = await session.execute(
        select(DoseEvent.status, func.count())
        .join(Medication, Medication.id == DoseEvent.medication_id)
        .where(
            DoseEvent.patient_id == patient.id,
            Medication.role == MedicationRole.SUPPLEMENT,
            DoseEvent.local_date > today - timedelta(days=days),
        )
        .group_by(DoseEvent.status)
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
    patient = await session.get(Patient, patient_id)
    if patient is None:
        return
    for prompt in await _prompts(session, patient_id):
        await plan_next_dose(session, planner, prompt, patient, now)
