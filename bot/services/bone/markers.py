"""Bone turnover markers and 25-OH vitamin D: results recorded, corrected and deleted.

The service behind /bone's lab results. A result is read and checked by
`bot.domain.bone_markers` (the number and unit as printed, the test's own unit, the typing
check); this module keeps it with its date, one result of a test a day, and keeps every
correction and deletion in `bone_marker_changes`. It plans no reminder: the care team decides
when a test is done and what a result means.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.access import owned_by, require_patient
from bot.db.marker_changes import history
from bot.db.models import BoneMarkerChange, BoneMarkerResult, Patient, RecordAction
from bot.db.record_changes import PATIENT
from bot.domain.bone_health import add_months
from bot.domain.bone_markers import MARKERS, RULES, Marker, Reading, unit_for
from bot.domain.dose_times import local_today
from bot.domain.errors import DateTaken, NotYourRecord
from bot.domain.text_input import InvalidDateText

EARLIEST_MONTHS = 240  # older reports are a typing error (and no longer useful)


def result_date_range(today: date) -> tuple[date, date]:
    """Return the dates a result can carry: the last 20 years, up to today."""
    return add_months(today, -EARLIEST_MONTHS), today


def marker_at(index: int) -> Marker:
    """Return the test a button's index names (NotYourRecord: a forged index)."""
    if not 0 <= index < len(MARKERS):
        raise NotYourRecord
    return MARKERS[index]


def reading_of(row: BoneMarkerResult) -> Reading:
    """Return a stored result as the reading the patient typed."""
    marker = Marker(row.marker)
    return Reading(marker, row.typed_value, unit_for(marker, row.typed_unit))


@dataclass(frozen=True)
class ResultChange:
    """One correction (or the deletion) of a result: when, and what it was before and after."""

    changed_at: datetime
    changed_on: date  # the patient's local day of the change
    changed_by: str
    old_on: date
    new_on: date | None  # None: deleted
    old_printed: str
    new_printed: str | None


@dataclass(frozen=True)
class ResultEntry:
    """One recorded result, with its id for buttons and its corrections (oldest first)."""

    result_id: int
    measured_on: date
    reading: Reading
    today: date
    changes: tuple[ResultChange, ...] = ()

    @property
    def marker(self) -> Marker:
        """Return the test."""
        return self.reading.marker


@dataclass(frozen=True)
class MarkersView:
    """The patient's lab results as /bone shows them; carries no ORM state."""

    today: date
    results: tuple[ResultEntry, ...] = field(default=())  # by date, oldest first

    def latest(self) -> list[ResultEntry]:
        """Return the newest result of each test on record, in button order."""
        newest: dict[Marker, ResultEntry] = {}
        for entry in self.results:
            newest[entry.marker] = entry
        return [newest[marker] for marker in MARKERS if marker in newest]

    def of(self, marker: Marker) -> list[ResultEntry]:
        """Return one test's results, oldest first."""
        return [entry for entry in self.results if entry.marker is marker]


async def _rows(session: AsyncSession, patient_id: int) -> list[BoneMarkerResult]:
    rows = await session.scalars(
        select(BoneMarkerResult)
        .where(BoneMarkerResult.patient_id == patient_id)
        .order_by(BoneMarkerResult.measured_on, BoneMarkerResult.id)
    )
    return list(rows)


def _entry(
    row: BoneMarkerResult, today: date, changes: Iterable[ResultChange] = ()
) -> ResultEntry:
    return ResultEntry(row.id, row.measured_on, reading_of(row), today, tuple(changes))


async def view_of(session: AsyncSession, patient: Patient, now: datetime) -> MarkersView:
    """Return a patient's results (for /bone, /history and the exports' callers)."""
    today = local_today(ZoneInfo(patient.timezone), now)
    return MarkersView(
        today, tuple(_entry(row, today) for row in await _rows(session, patient.id))
    )


async def markers_view(session: AsyncSession, telegram_user_id: int, now: datetime) -> MarkersView:
    """Return the acting patient's results (NotRegistered if they are not a patient)."""
    return await view_of(session, await require_patient(session, telegram_user_id), now)


def _printed(row: BoneMarkerResult) -> str:
    return f"{row.typed_value} {row.typed_unit}"


def _change(
    row: BoneMarkerResult, after: tuple[date, Reading] | None, now: datetime
) -> BoneMarkerChange:
    """Return the change of a result from its values now (before the change) to `after`;
    None is its deletion."""
    return BoneMarkerChange(
        patient_id=row.patient_id,
        record_id=row.id,
        marker=row.marker,
        action=RecordAction.DELETED if after is None else RecordAction.CHANGED,
        changed_at=now,
        changed_by=PATIENT,
        old_on=row.measured_on,
        new_on=None if after is None else after[0],
        old_printed=_printed(row),
        new_printed=None if after is None else after[1].as_printed,
        old_value=row.value,
        new_value=None if after is None else after[1].value,
    )


def _store(row: BoneMarkerResult, reading: Reading) -> None:
    row.value, row.unit = reading.value, RULES[reading.marker].unit.label
    row.typed_value, row.typed_unit = reading.number, reading.unit.label


def _check_date(day: date, zone: ZoneInfo, now: datetime) -> None:
    earliest, latest = result_date_range(local_today(zone, now))
    if not earliest <= day <= latest:
        raise InvalidDateText(day.isoformat())


@dataclass(frozen=True)
class Saved:
    """A result saved, corrected or deleted: the results as they now stand, and the one
    concerned (None: deleted); `changed` is False when nothing differed."""

    view: MarkersView
    entry: ResultEntry | None
    changed: bool = True


async def record_result(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    reading: Reading,
    measured_on: date,
    now: datetime,
) -> Saved:
    """Save a result (replacing the same test's result typed for the same day, the change
    kept); a date outside the last 20 years or after today is refused."""
    patient = await require_patient(session, telegram_user_id)
    zone = ZoneInfo(patient.timezone)
    _check_date(measured_on, zone, now)
    row = await session.scalar(
        select(BoneMarkerResult).where(
            BoneMarkerResult.patient_id == patient.id,
            BoneMarkerResult.marker == reading.marker,
            BoneMarkerResult.measured_on == measured_on,
        )
    )
    if row is None:
        row = BoneMarkerResult(
            patient_id=patient.id, marker=reading.marker, measured_on=measured_on, recorded_at=now
        )
        session.add(row)
    elif reading_of(row) != reading:  # typed again with another value: a change, kept
        session.add(_change(row, (measured_on, reading), now))
    _store(row, reading)
    row.recorded_at = now
    await session.commit()
    view = await view_of(session, patient, now)
    return Saved(view, _entry(row, view.today))


async def result_list(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> tuple[ResultEntry, ...]:
    """Return the acting patient's results, newest first (to pick one to correct)."""
    view = await markers_view(session, telegram_user_id, now)
    return tuple(sorted(view.results, key=lambda entry: entry.measured_on, reverse=True))


def _change_view(change: BoneMarkerChange, zone: ZoneInfo) -> ResultChange:
    return ResultChange(
        change.changed_at,
        change.changed_at.astimezone(zone).date(),
        change.changed_by,
        change.old_on,
        change.new_on if change.action != RecordAction.DELETED else None,
        change.old_printed,
        change.new_printed if change.action != RecordAction.DELETED else None,
    )


async def _own(
    session: AsyncSession, telegram_user_id: int, result_id: int
) -> tuple[BoneMarkerResult, Patient]:
    row = await owned_by(session, BoneMarkerResult, result_id, telegram_user_id)
    patient = await session.get(Patient, row.patient_id)
    if patient is None:
        raise NotYourRecord
    return row, patient


async def own_result(
    session: AsyncSession, telegram_user_id: int, result_id: int, now: datetime
) -> ResultEntry:
    """Return one of the acting patient's results with its corrections (forged ids refused)."""
    row, patient = await _own(session, telegram_user_id, result_id)
    live, _deleted = await history(session, patient.id, [row.id])
    zone = ZoneInfo(patient.timezone)
    changes = (_change_view(change, zone) for change in live.get(row.id, ()))
    return _entry(row, local_today(zone, now), changes)


async def correct_result(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    result_id: int,
    reading: Reading | None = None,
    measured_on: date | None = None,
    now: datetime,
) -> Saved:
    """Replace a result's value (a reading of the same test) or date, keeping the change.

    A date outside the range is refused (InvalidDateText), and so is the day of another
    result of the same test (DateTaken: one a day); another test's reading is NotYourRecord.
    """
    row, patient = await _own(session, telegram_user_id, result_id)
    zone = ZoneInfo(patient.timezone)
    new_reading = reading if reading is not None else reading_of(row)
    new_on = measured_on if measured_on is not None else row.measured_on
    if new_reading.marker != row.marker:
        raise NotYourRecord
    _check_date(new_on, zone, now)
    if new_reading == reading_of(row) and new_on == row.measured_on:
        view = await view_of(session, patient, now)
        return Saved(view, await own_result(session, telegram_user_id, result_id, now), False)
    if new_on != row.measured_on:
        other = await session.scalar(
            select(BoneMarkerResult.id).where(
                BoneMarkerResult.patient_id == patient.id,
                BoneMarkerResult.marker == row.marker,
                BoneMarkerResult.measured_on == new_on,
            )
        )
        if other is not None:
            raise DateTaken(new_on.isoformat())
    session.add(_change(row, (new_on, new_reading), now))
    row.measured_on = new_on
    _store(row, new_reading)
    await session.commit()
    view = await view_of(session, patient, now)
    return Saved(view, await own_result(session, telegram_user_id, result_id, now))


async def delete_result(
    session: AsyncSession, *, telegram_user_id: int, result_id: int, now: datetime
) -> Saved:
    """Delete a result (the deletion is kept with what it was)."""
    row, patient = await _own(session, telegram_user_id, result_id)
    session.add(_change(row, None, now))
    await session.delete(row)
    await session.commit()
    return Saved(await view_of(session, patient, now), None)
