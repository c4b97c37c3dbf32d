"""When a medication's doses fall due: the one thing medicines and supplements do differently.

A medicine is due at its schedule's times (`LabelTiming`); a supplement (calcium, vitamin D)
daily at its time, moved clear of an oral bisphosphonate's window on the dosing day
(`SupplementTiming`, rules in `bot.domain.calcium`). The cursor says how far a medication's
record stands, so nothing here aggregates the dose history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice, takewhile
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import CalciumPlan, DoseEvent, DoseStatus, Medication, MedicationRole
from bot.domain.calcium import (
    BisphosphonateDose,
    CalciumForm,
    SupplementKind,
    SupplementPrompt,
    unrecorded_prompt_times,
)
from bot.domain.catalog import get_product
from bot.domain.dose_times import (
    DoseSchedule,
    Frequency,
    local_instant,
    next_occurrence,
    occurrences_between,
)


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
    # The patient's other calcium reminders: a moved dose keeps clear of them.
    companions: tuple[SupplementPrompt, ...] = ()

    def _times(self, cursor: Cursor) -> Iterable[Due]:
        recorded_until = cursor.at if cursor.recorded else None
        times = unrecorded_prompt_times(
            self.prompt,
            self.zone,
            self.bisphosphonate,
            recorded_until=recorded_until,
            started_at=self.started_at,
            companions=self.companions,
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


@dataclass(frozen=True)
class PausedTiming:
    """Any medication's timing during a pause the patient asked for: no dose falls on a
    paused day (through `until`, the patient's local day), so none is sent or counted."""

    inner: Timing
    until: date
    zone: ZoneInfo

    def due_by(self, cursor: Cursor, now: datetime) -> list[Due]:
        """Return the unpaused doses after the cursor due by now."""
        return [due for due in self.inner.due_by(cursor, now) if due.local_date > self.until]

    def next_after(self, cursor: Cursor, instant: datetime) -> datetime:
        """Return the first dose after `instant` on a day after the pause."""
        resumes = local_instant(self.until + timedelta(days=1), time(0), self.zone)
        return self.inner.next_after(cursor, max(instant, resumes - timedelta(microseconds=1)))


# A patient's calcium reminders in force, by medication id (`calcium_prompts_of`).
CalciumDay = Sequence[tuple[int, SupplementPrompt]]


def timing_of(
    medication: Medication,
    zone: ZoneInfo,
    bisphosphonate: BisphosphonateDose | None,
    calcium: CalciumDay = (),
) -> Timing | None:
    """Return when a medication's doses fall due (None for clinic-given agents).

    A supplement's `calcium` is the patient's calcium reminders (`calcium_prompts_of`):
    on a bisphosphonate's day a moved calcium dose keeps clear of the others.
    """
    schedule = schedule_of(medication)
    if schedule is None:
        return None
    timing: Timing
    if medication.role == MedicationRole.SUPPLEMENT:
        own = SupplementPrompt(SupplementKind(medication.product_key), schedule.time_of_day)
        prompt = next((p for key, p in calcium if key == medication.id), own)
        companions = tuple(p for key, p in calcium if key != medication.id)
        timing = SupplementTiming(prompt, zone, bisphosphonate, medication.started_at, companions)
    else:
        timing = LabelTiming(schedule, zone)
    if medication.paused_until is not None:
        return PausedTiming(timing, medication.paused_until, zone)
    return timing


# How far back a bisphosphonate's real take times are looked up: the days whose supplements
# may still be unrecorded (a day's calcium can fall due the next morning at the latest).
_TAKEN_LOOKBACK = timedelta(days=3)


async def bisphosphonates_of(
    session: AsyncSession, patient_ids: Iterable[int], now: datetime | None = None
) -> dict[int, BisphosphonateDose]:
    """Return each patient's oral bisphosphonate and its schedule, for those who take one.

    With `now`, each carries when its recent doses were really taken, or are now expected
    after a Later, so supplements keep clear of the real dose (one query for all).
    """
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
    chosen: dict[int, Medication] = {}
    for medication in rows:
        if (
            schedule_of(medication) is not None
            and get_product(medication.product_key).is_oral_bisphosphonate
        ):
            chosen.setdefault(medication.patient_id, medication)
    taken = await _real_dose_times(session, [m.id for m in chosen.values()], now)
    found: dict[int, BisphosphonateDose] = {}
    for patient_id, medication in chosen.items():
        schedule = schedule_of(medication)
        assert schedule is not None  # chosen only with a schedule
        found[patient_id] = BisphosphonateDose(
            medication.product_key, schedule, tuple(taken.get(medication.id, ()))
        )
    return found


async def _real_dose_times(
    session: AsyncSession, medication_ids: list[int], now: datetime | None
) -> dict[int, list[tuple[date, datetime]]]:
    """The recent days' real dose moments, by medication: taken at, or snoozed until."""
    if now is None or not medication_ids:
        return {}
    rows = await session.execute(
        select(
            DoseEvent.medication_id,
            DoseEvent.local_date,
            DoseEvent.status,
            DoseEvent.taken_at,
            DoseEvent.snoozed_until,
        ).where(
            DoseEvent.medication_id.in_(medication_ids),
            DoseEvent.due_at > now - _TAKEN_LOOKBACK,
            DoseEvent.status.in_((DoseStatus.TAKEN, DoseStatus.SENT)),
        )
    )
    found: dict[int, list[tuple[date, datetime]]] = {}
    for medication_id, day, status, taken_at, snoozed_until in rows:
        moment = taken_at if status == DoseStatus.TAKEN else snoozed_until
        if moment is not None:
            found.setdefault(medication_id, []).append((day, moment))
    return found


async def calcium_prompts_of(
    session: AsyncSession, patient_ids: Iterable[int]
) -> dict[int, list[tuple[int, SupplementPrompt]]]:
    """Return each patient's calcium reminders in force (time, form, amount), by medication.

    Only a bisphosphonate's dosing day moves calcium, so callers ask this for the patients
    who take one (`bisphosphonates_of`); it is one query for all of them.
    """
    wanted = set(patient_ids)
    if not wanted:
        return {}
    rows = await session.execute(
        select(
            Medication.id,
            Medication.patient_id,
            Medication.time_of_day,
            Medication.dose_mg,
            CalciumPlan.calcium_form,
        )
        .outerjoin(CalciumPlan, CalciumPlan.patient_id == Medication.patient_id)
        .where(
            Medication.patient_id.in_(wanted),
            Medication.role == MedicationRole.SUPPLEMENT,
            Medication.product_key == SupplementKind.CALCIUM,
            Medication.active.is_(True),
        )
        .order_by(Medication.patient_id, Medication.time_of_day, Medication.id)
    )
    found: dict[int, list[tuple[int, SupplementPrompt]]] = {}
    for medication_id, patient_id, at, dose_mg, form in rows:
        if at is None:  # a supplement always has its time; a damaged row is left out
            continue
        prompt = SupplementPrompt(
            SupplementKind.CALCIUM, at, CalciumForm(form) if form else None, dose_mg or None
        )
        found.setdefault(patient_id, []).append((medication_id, prompt))
    return found


async def calcium_forms(
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
