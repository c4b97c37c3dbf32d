"""Treatment reviews: an oral bisphosphonate at 3 and 5 years, an aromatase inhibitor at the
end of its planned length (rules and wording in `bot.domain.reviews`).

One row per patient and kind, made when the regimen is saved with such a medicine, counted
from the first day the bot knew of it (or, for the aromatase inhibitor, from when the
patient says they started). One persistent `review:{row id}` job runs at REMINDER_TIME on
the next review day, sends its one message and plans the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import require_patient
from bot.db.models import Medication, MedicationRole, Patient, TreatmentReview
from bot.domain.bone_health import add_months
from bot.domain.catalog import DrugClass, drug_display_name, get_product
from bot.domain.dose_times import local_today
from bot.domain.errors import NotYourRecord
from bot.domain.reviews import (
    AROMATASE_INHIBITOR_YEARS,
    STARTED_YEARS_AGO,
    ReviewKind,
    next_review,
    review_message,
)
from bot.ports import JobKind, ReminderPlanner
from bot.services.bone.clinic_agents import at_reminder_time
from bot.services.dose_timing import as_aware


def _kind_of(medication: Medication) -> ReviewKind | None:
    product = get_product(medication.product_key)
    if product.drug_class is DrugClass.AROMATASE_INHIBITOR:
        return ReviewKind.AROMATASE_INHIBITOR
    if medication.role == MedicationRole.BONE_AGENT and product.is_oral_bisphosphonate:
        return ReviewKind.ORAL_BISPHOSPHONATE
    return None


async def _medicines(session: AsyncSession, patient_id: int) -> dict[ReviewKind, Medication]:
    """The patient's medicines in force that have a review, by kind."""
    rows = await session.scalars(
        select(Medication).where(
            Medication.patient_id == patient_id,
            Medication.active.is_(True),
            Medication.role != MedicationRole.SUPPLEMENT,
        )
    )
    found: dict[ReviewKind, Medication] = {}
    for medication in rows:
        kind = _kind_of(medication)
        if kind is not None:
            found.setdefault(kind, medication)
    return found


def _matches(kind: ReviewKind, product_key: str) -> bool:
    product = get_product(product_key)
    if kind is ReviewKind.AROMATASE_INHIBITOR:
        return product.drug_class is DrugClass.AROMATASE_INHIBITOR
    return product.is_oral_bisphosphonate


async def _first_known(
    session: AsyncSession, patient_id: int, kind: ReviewKind, zone: ZoneInfo
) -> date:
    """The first day the bot knew of this kind of medicine (a changed time or product of
    the same kind keeps the day: an oral bisphosphonate's years add up)."""
    rows = await session.execute(
        select(Medication.product_key, Medication.started_at).where(
            Medication.patient_id == patient_id
        )
    )
    starts = [as_aware(started) for key, started in rows if _matches(kind, key)]
    return min(starts).astimezone(zone).date()


def _replan(
    planner: ReminderPlanner, row: TreatmentReview, zone: ZoneInfo, now: datetime
) -> datetime | None:
    today = local_today(zone, now)
    day = next_review(ReviewKind(row.kind), row.started_on, row.planned_years, row.sent_on, today)
    if day is None:
        planner.cancel(JobKind.REVIEW, row.id)
        return None
    # 10:00 on the day; a review already due (downtime, a start told as years ago) at once.
    at = at_reminder_time(max(day, today), zone)
    planner.plan(JobKind.REVIEW, row.id, max(at, now) if day < today else at)
    return at


async def sync_reviews(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> None:
    """Follow a saved regimen: a review row for each kind of medicine in force (made once),
    none for a kind stopped; every review re-planned (a new time zone moves 10:00)."""
    patient = await session.get(Patient, patient_id)
    if patient is None:
        return
    zone = ZoneInfo(patient.timezone)
    taking = await _medicines(session, patient_id)
    rows = {
        ReviewKind(row.kind): row
        for row in await session.scalars(
            select(TreatmentReview).where(TreatmentReview.patient_id == patient_id)
        )
    }
    for kind in taking:
        if kind not in rows:
            started = await _first_known(session, patient_id, kind, zone)
            rows[kind] = TreatmentReview(
                patient_id=patient_id, kind=kind, started_on=started, updated_at=now
            )
            session.add(rows[kind])
    await session.commit()
    for kind, row in rows.items():
        if kind in taking:
            _replan(planner, row, zone, now)
        else:
            planner.cancel(JobKind.REVIEW, row.id)


# --------------------------------------------------------------------------- the planned length


@dataclass(frozen=True)
class AromataseInhibitorPlan:
    """The aromatase inhibitor's planned length as /bone shows it."""

    review_id: int
    drug: str
    started_on: date
    planned_years: int | None
    ends_on: date | None


def _plan_view(row: TreatmentReview, drug: str) -> AromataseInhibitorPlan:
    ends = add_months(row.started_on, 12 * row.planned_years) if row.planned_years else None
    return AromataseInhibitorPlan(row.id, drug, row.started_on, row.planned_years, ends)


async def _own_ai_plan(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> tuple[TreatmentReview, Patient, str]:
    patient = await require_patient(session, telegram_user_id)
    taking = await _medicines(session, patient.id)
    medication = taking.get(ReviewKind.AROMATASE_INHIBITOR)
    row = await session.scalar(
        select(TreatmentReview).where(
            TreatmentReview.patient_id == patient.id,
            TreatmentReview.kind == ReviewKind.AROMATASE_INHIBITOR,
        )
    )
    if medication is None or row is None:
        raise NotYourRecord  # no aromatase inhibitor in force: an old button
    drug = drug_display_name(get_product(medication.product_key).drug).lower()
    return row, patient, drug


async def ai_plan(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> AromataseInhibitorPlan | None:
    """Return the acting patient's aromatase inhibitor plan (None: none in force)."""
    try:
        row, _, drug = await _own_ai_plan(session, telegram_user_id, now)
    except NotYourRecord:
        return None
    return _plan_view(row, drug)


async def set_ai_plan(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    planned_years: int | None,
    started_years_ago: int | None,
    now: datetime,
) -> AromataseInhibitorPlan:
    """Store the planned length (None: not sure) and when it started (years ago, None: keep);
    the review is planned at the end. Values no button offers are refused."""
    if planned_years is not None and planned_years not in AROMATASE_INHIBITOR_YEARS:
        raise NotYourRecord
    if started_years_ago is not None and started_years_ago not in STARTED_YEARS_AGO:
        raise NotYourRecord
    row, patient, drug = await _own_ai_plan(session, telegram_user_id, now)
    zone = ZoneInfo(patient.timezone)
    row.planned_years, row.sent_on, row.updated_at = planned_years, None, now
    if started_years_ago is not None:
        row.started_on = add_months(local_today(zone, now), -12 * started_years_ago)
    await session.commit()
    _replan(planner, row, zone, now)
    return _plan_view(row, drug)


# --------------------------------------------------------------------------- the job


@dataclass(frozen=True)
class ReviewRun:
    """What a review job found on its day: the message to send, if one is due."""

    review_id: int
    chat_id: int
    reachable: bool
    day: date
    due_on: date | None
    message: str | None


async def review_run(session: AsyncSession, review_id: int, now: datetime) -> ReviewRun | None:
    """Find today's review message (None: the row or its medicine is gone)."""
    row = await session.get(TreatmentReview, review_id)
    patient = await session.get(Patient, row.patient_id) if row else None
    if row is None or patient is None:
        return None
    medication = (await _medicines(session, patient.id)).get(ReviewKind(row.kind))
    if medication is None:
        return None
    zone = ZoneInfo(patient.timezone)
    today = local_today(zone, now)
    kind = ReviewKind(row.kind)
    day = next_review(kind, row.started_on, row.planned_years, row.sent_on, today)
    message = None
    if day is not None and day <= today:
        drug = drug_display_name(get_product(medication.product_key).drug).lower()
        message = review_message(kind, drug, row.started_on, day).message
    reachable = patient.unreachable_since is None
    return ReviewRun(row.id, patient.chat_id, reachable, today, day, message)


async def review_sent(
    session: AsyncSession, review_id: int, run: ReviewRun, now: datetime
) -> datetime | None:
    """Record the review sent (after sending) and return when the next one is due."""
    row = await session.get(TreatmentReview, review_id)
    patient = await session.get(Patient, row.patient_id) if row else None
    if row is None or patient is None:
        return None
    if run.message is not None and run.due_on is not None:
        row.sent_on, row.updated_at = run.due_on, now
        await session.commit()
    zone = ZoneInfo(patient.timezone)
    day = next_review(
        ReviewKind(row.kind), row.started_on, row.planned_years, row.sent_on, run.day
    )
    return at_reminder_time(max(day, run.day + timedelta(days=1)), zone) if day else None


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-create missing review jobs from the table (start-up)."""
    planned = 0
    rows = await session.execute(
        select(TreatmentReview, Patient).join(Patient, Patient.id == TreatmentReview.patient_id)
    )
    for row, patient in rows:
        if f"review:{row.id}" not in existing and _replan(
            planner, row, ZoneInfo(patient.timezone), now
        ):
            planned += 1
    return planned
