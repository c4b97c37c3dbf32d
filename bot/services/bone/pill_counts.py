"""Optional pill counts per medicine, and a reminder to ask for a refill in time.

The patient types how many tablets they have; every dose confirmed taken since then is
subtracted (`bot.domain.care_reminders.PillSupply`), so nothing else has to keep a running count.
The `refill:{count id}` job is planned for the dose after which about one dosing interval's
worth would be left (`refill_due`); when it fires it recounts from the dose record, reminds
once if a refill is due, or plans itself again if doses were skipped or missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by, require_patient
from bot.db.models import REGIMEN_ROLES, DoseEvent, DoseStatus, Medication, Patient, PillCount
from bot.domain.care_reminders import REFILL_AT_DOSES, PillSupply
from bot.domain.catalog import Product, get_product
from bot.domain.dose_times import next_occurrence
from bot.domain.errors import NotYourRecord
from bot.ports import JobKind, ReminderPlanner
from bot.services.dose_timing import schedule_of

MAX_TABLETS = 2000  # more in hand than this is a typing error
# The refill check runs a while after the dose that should bring the count down.
AFTER_DOSE = timedelta(hours=1)


class InvalidCount(ValueError):
    """A typed count that is not a whole number of tablets in range."""


def parse_count(text: str) -> int:
    """Read a typed number of tablets."""
    cleaned = text.strip().lower().removesuffix("tablets").removesuffix("pills").strip()
    if not cleaned.isdigit() or len(cleaned) > 4 or int(cleaned) > MAX_TABLETS:
        raise InvalidCount(text)
    return int(cleaned)


def countable(product: Product) -> bool:
    """Tell whether a medicine comes as tablets the patient can count at home."""
    return product.frequency is not None and "tablet" in product.form


@dataclass(frozen=True)
class CountView:
    """One self-taken medicine and its count (None: not counted)."""

    medication_id: int
    product: Product
    supply: PillSupply | None


async def _taken_since(session: AsyncSession, medication_id: int, since: datetime) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(DoseEvent)
        .where(
            DoseEvent.medication_id == medication_id,
            DoseEvent.status == DoseStatus.TAKEN,
            DoseEvent.answered_at > since,
        )
    )
    return int(count or 0)


async def _supply(session: AsyncSession, row: PillCount, medication: Medication) -> PillSupply:
    schedule = schedule_of(medication)
    if schedule is None:
        raise NotYourRecord
    counted = PillSupply(row.tablets, schedule.frequency, row.tablets_per_dose)
    return counted.after_doses(await _taken_since(session, medication.id, row.counted_at))


async def count_views(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> list[CountView]:
    """Return the acting patient's countable medicines with their counts now."""
    patient = await require_patient(session, telegram_user_id)
    medications = await session.scalars(
        select(Medication)
        .where(
            Medication.patient_id == patient.id,
            Medication.active.is_(True),
            Medication.role.in_(REGIMEN_ROLES),
        )
        .order_by(Medication.role, Medication.id)
    )
    views = []
    for medication in medications:
        product = get_product(medication.product_key)
        if not countable(product):
            continue
        row = await session.scalar(
            select(PillCount).where(PillCount.medication_id == medication.id)
        )
        supply = await _supply(session, row, medication) if row is not None else None
        views.append(CountView(medication.id, product, supply))
    return views


async def _own_medication(
    session: AsyncSession, telegram_user_id: int, medication_id: int
) -> tuple[Medication, Patient]:
    medication = await owned_by(session, Medication, medication_id, telegram_user_id)
    patient = await session.get(Patient, medication.patient_id)
    if patient is None or not medication.active or medication.role not in REGIMEN_ROLES:
        raise NotYourRecord
    if not countable(get_product(medication.product_key)):
        raise NotYourRecord
    return medication, patient


async def medicine_to_count(
    session: AsyncSession, telegram_user_id: int, medication_id: int
) -> Product:
    """Return the medicine to ask a count for (only the acting patient's own, in force)."""
    medication, _ = await _own_medication(session, telegram_user_id, medication_id)
    return get_product(medication.product_key)


async def _plan_refill(
    session: AsyncSession,
    planner: ReminderPlanner,
    row: PillCount,
    medication: Medication,
    patient: Patient,
    now: datetime,
) -> datetime | None:
    """Plan the refill check after the dose that brings the count to the refill point."""
    supply = await _supply(session, row, medication)
    schedule = schedule_of(medication)
    if row.refill_reminded_at is not None or schedule is None:
        planner.cancel(JobKind.REFILL, row.id)
        return None
    if supply.refill_due:
        planner.plan(JobKind.REFILL, row.id, now)
        return now
    threshold = REFILL_AT_DOSES[schedule.frequency]
    doses_until = supply.doses_left - threshold
    zone, after = ZoneInfo(patient.timezone), now
    for _ in range(max(doses_until, 1)):
        after = next_occurrence(schedule, zone, after).due_at
    run_at = after + AFTER_DOSE
    planner.plan(JobKind.REFILL, row.id, run_at)
    return run_at


async def set_count(
    session: AsyncSession,
    planner: ReminderPlanner,
    *,
    telegram_user_id: int,
    medication_id: int,
    tablets: int,
    now: datetime,
) -> CountView:
    """Record the tablets in hand now; the refill reminder is planned from it."""
    if not 0 <= tablets <= MAX_TABLETS:
        raise InvalidCount(str(tablets))
    medication, patient = await _own_medication(session, telegram_user_id, medication_id)
    row = await session.scalar(select(PillCount).where(PillCount.medication_id == medication.id))
    if row is None:
        row = PillCount(
            patient_id=patient.id, medication_id=medication.id, tablets=tablets, counted_at=now
        )
        session.add(row)
    row.tablets, row.counted_at, row.refill_reminded_at = tablets, now, None
    await session.commit()
    await _plan_refill(session, planner, row, medication, patient, now)
    product = get_product(medication.product_key)
    return CountView(medication.id, product, await _supply(session, row, medication))


async def stop_count(
    session: AsyncSession, planner: ReminderPlanner, telegram_user_id: int, medication_id: int
) -> Product:
    """Stop counting a medicine's tablets (and its refill reminder)."""
    medication, _ = await _own_medication(session, telegram_user_id, medication_id)
    row = await session.scalar(select(PillCount).where(PillCount.medication_id == medication.id))
    if row is not None:
        planner.cancel(JobKind.REFILL, row.id)
        await session.delete(row)
        await session.commit()
    return get_product(medication.product_key)


async def follow_regimen(
    session: AsyncSession, planner: ReminderPlanner, patient_id: int, now: datetime
) -> None:
    """Carry counts over when a regimen edit replaced a medicine's row (same product).

    `save_regimen` replaces a medication row on any change (a new time, say); the tablets in
    hand do not change, so the count moves to the new row with what is left now. A count
    whose product is no longer taken stops, with its refill check.
    """
    counts = await session.execute(
        select(PillCount, Medication)
        .join(Medication, Medication.id == PillCount.medication_id)
        .where(PillCount.patient_id == patient_id, Medication.active.is_(False))
    )
    stale = list(counts)
    if not stale:
        return
    patient = await session.get(Patient, patient_id)
    in_force = await session.scalars(
        select(Medication).where(Medication.patient_id == patient_id, Medication.active.is_(True))
    )
    active = {m.product_key: m for m in in_force}
    for row, old in stale:
        successor = active.get(old.product_key)
        if patient is None or successor is None or schedule_of(successor) is None:
            planner.cancel(JobKind.REFILL, row.id)
            await session.delete(row)
            continue
        left = await _supply(session, row, old)
        row.medication_id, row.tablets, row.counted_at = successor.id, left.tablets, now
        await session.flush()
        await _plan_refill(session, planner, row, successor, patient, now)
    await session.commit()


@dataclass(frozen=True)
class RefillRun:
    """A refill reminder to send, if one is due."""

    chat_id: int
    reachable: bool
    medication_id: int
    product: Product
    supply: PillSupply
    due: bool


async def refill_run(session: AsyncSession, count_id: int, now: datetime) -> RefillRun | None:
    """Recount from the dose record; None when the count or its medicine is gone."""
    row = await session.get(PillCount, count_id)
    medication = await session.get(Medication, row.medication_id) if row else None
    patient = await session.get(Patient, row.patient_id) if row else None
    if row is None or medication is None or patient is None or not medication.active:
        return None
    supply = await _supply(session, row, medication)
    due = supply.refill_due and row.refill_reminded_at is None
    return RefillRun(
        patient.chat_id,
        patient.unreachable_since is None,
        medication.id,
        get_product(medication.product_key),
        supply,
        due,
    )


async def refill_checked(
    session: AsyncSession, planner: ReminderPlanner, count_id: int, reminded: bool, now: datetime
) -> datetime | None:
    """Record a sent reminder (once per count), or plan the next check; return when that
    check runs (None: no more checks for this count)."""
    row = await session.get(PillCount, count_id)
    medication = await session.get(Medication, row.medication_id) if row else None
    patient = await session.get(Patient, row.patient_id) if row else None
    if row is None or medication is None or patient is None:
        return None
    if reminded:
        row.refill_reminded_at = now
        await session.commit()
        return None
    return await _plan_refill(
        session, planner, row, medication, patient, now + timedelta(minutes=1)
    )


async def reconcile(
    session: AsyncSession, planner: ReminderPlanner, now: datetime, existing: set[str]
) -> int:
    """Re-create missing refill checks of counts not yet reminded (start-up)."""
    planned = 0
    rows = await session.execute(
        select(PillCount, Medication, Patient)
        .join(Medication, Medication.id == PillCount.medication_id)
        .join(Patient, Patient.id == PillCount.patient_id)
        .where(PillCount.refill_reminded_at.is_(None), Medication.active.is_(True))
    )
    for row, medication, patient in rows:
        if f"refill:{row.id}" in existing:
            continue
        if await _plan_refill(session, planner, row, medication, patient, now):
            planned += 1
    return planned
