"""Lab results on a real database (`bot.services.bone.markers`): recorded as printed and in
the test's own unit, one result of a test a day, each correction and deletion kept, the
exports' snapshot reading them, and nobody else's result ever read or changed."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.marker_changes import history
from bot.db.models import BoneMarkerChange, BoneMarkerResult, RecordAction
from bot.domain.bone_markers import Marker, parse_reading
from bot.domain.errors import DateTaken, NotRegistered, NotYourRecord
from bot.domain.text_input import InvalidDateText
from bot.exports.loader import load_snapshot
from bot.services.bone import markers
from bot.services.erasure import erase_person
from tests.fakes.clock import FixedClock
from tests.fakes.planner import RecordingPlanner
from tests.services.people import LONDON, register

ALICE, BOB = 1001, 1002
ZONE = ZoneInfo(LONDON)


def _today(clock: FixedClock) -> date:
    return clock().astimezone(ZONE).date()


async def _record(
    session: AsyncSession, clock: FixedClock, user: int, marker: Marker, text: str, day: date
) -> markers.Saved:
    return await markers.record_result(
        session,
        telegram_user_id=user,
        reading=parse_reading(marker, text),
        measured_on=day,
        now=clock(),
    )


async def _changes(session: AsyncSession) -> list[BoneMarkerChange]:
    rows = await session.scalars(select(BoneMarkerChange).order_by(BoneMarkerChange.id))
    return list(rows)


async def test_a_result_is_kept_as_printed_and_in_its_own_unit(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    day = _today(clock) - timedelta(days=3)
    saved = await _record(session, clock, ALICE, Marker.VITAMIN_D, "72 nmol/L", day)

    row = await session.scalar(select(BoneMarkerResult))
    assert row is not None
    assert (row.marker, row.measured_on, row.value, row.unit) == ("vitamin_d", day, 28.85, "ng/mL")
    assert (row.typed_value, row.typed_unit) == ("72", "nmol/L")
    assert saved.entry is not None
    assert saved.entry.reading.as_printed == "72 nmol/L"
    assert [entry.result_id for entry in saved.view.latest()] == [row.id]


async def test_the_same_tests_result_typed_again_for_the_day_replaces_it_and_is_kept(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    day = _today(clock) - timedelta(days=3)
    first = await _record(session, clock, ALICE, Marker.CTX, "35 pg/mL", day)
    await _record(session, clock, ALICE, Marker.CTX, "350 pg/mL", day)
    await _record(session, clock, ALICE, Marker.P1NP, "45 µg/L", day)  # another test: its own

    assert await session.scalar(select(func.count()).select_from(BoneMarkerResult)) == 2
    [change] = await _changes(session)
    assert first.entry is not None
    assert (change.record_id, change.old_printed, change.new_printed) == (
        first.entry.result_id,
        "35 pg/mL",
        "350 pg/mL",
    )
    assert (change.old_value, change.new_value) == (0.035, 0.35)


async def test_dates_in_the_future_or_too_far_back_are_refused(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    today = _today(clock)
    for day in (today + timedelta(days=1), today.replace(year=today.year - 21)):
        with pytest.raises(InvalidDateText):
            await _record(session, clock, ALICE, Marker.CTX, "0.3 ng/mL", day)
    with pytest.raises(NotRegistered):
        await _record(session, clock, BOB, Marker.CTX, "0.3 ng/mL", today)


async def test_a_correction_keeps_the_change_and_refuses_another_results_day(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    today = _today(clock)
    saved = await _record(session, clock, ALICE, Marker.CTX, "0.035 ng/mL", today)
    await _record(session, clock, ALICE, Marker.CTX, "0.4 ng/mL", today - timedelta(days=30))
    assert saved.entry is not None
    result_id = saved.entry.result_id

    same = await markers.correct_result(
        session,
        telegram_user_id=ALICE,
        result_id=result_id,
        reading=parse_reading(Marker.CTX, "0.035 ng/mL"),
        now=clock(),
    )
    assert not same.changed
    corrected = await markers.correct_result(
        session,
        telegram_user_id=ALICE,
        result_id=result_id,
        reading=parse_reading(Marker.CTX, "350 pg/mL"),
        now=clock(),
    )
    assert corrected.entry is not None
    assert corrected.entry.reading.value == 0.35
    with pytest.raises(DateTaken):
        await markers.correct_result(
            session,
            telegram_user_id=ALICE,
            result_id=result_id,
            measured_on=today - timedelta(days=30),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):  # another test's reading onto this result
        await markers.correct_result(
            session,
            telegram_user_id=ALICE,
            result_id=result_id,
            reading=parse_reading(Marker.P1NP, "45 µg/L"),
            now=clock(),
        )
    entry = await markers.own_result(session, ALICE, result_id, clock())
    [change] = entry.changes
    assert (change.old_printed, change.new_printed) == ("0.035 ng/mL", "350 pg/mL")
    assert change.changed_on == today


async def test_a_deleted_results_id_given_again_starts_a_history_of_its_own(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    patient = await register(session, planner, ALICE, now=clock())
    day = _today(clock) - timedelta(days=10)
    saved = await _record(session, clock, ALICE, Marker.NTX, "40 nmol/mmol", day)
    assert saved.entry is not None
    result_id = saved.entry.result_id
    await markers.delete_result(session, telegram_user_id=ALICE, result_id=result_id, now=clock())
    clock.advance(timedelta(minutes=5))
    session.add(
        BoneMarkerResult(
            id=result_id,
            patient_id=patient.id,
            marker="ctx",
            measured_on=day,
            value=0.3,
            unit="ng/mL",
            typed_value="0.3",
            typed_unit="ng/mL",
            recorded_at=clock(),
        )
    )
    await session.commit()

    assert (await markers.own_result(session, ALICE, result_id, clock())).changes == ()
    live, deleted = await history(session, patient.id)
    assert live == {}
    [[gone]] = deleted
    assert (gone.action, gone.old_printed) == (RecordAction.DELETED, "40 nmol BCE/mmol creatinine")

    snapshot = await load_snapshot(session, patient.id, clock() - timedelta(days=30), clock())
    assert [(row.marker, row.value) for row in snapshot.markers] == [("ctx", 0.3)]
    [removed] = snapshot.deleted_markers
    assert (removed.marker, removed.typed_value, removed.unit) == (
        "ntx",
        "40",
        "nmol BCE/mmol creatinine",
    )


async def test_another_patients_result_is_never_read_or_changed(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    await register(session, planner, BOB, now=clock())
    saved = await _record(session, clock, ALICE, Marker.BSAP, "12 µg/L", _today(clock))
    assert saved.entry is not None
    alices = saved.entry.result_id

    with pytest.raises(NotYourRecord):
        await markers.own_result(session, BOB, alices, clock())
    with pytest.raises(NotYourRecord):
        await markers.correct_result(
            session,
            telegram_user_id=BOB,
            result_id=alices,
            reading=parse_reading(Marker.BSAP, "1 µg/L"),
            now=clock(),
        )
    with pytest.raises(NotYourRecord):
        await markers.delete_result(session, telegram_user_id=BOB, result_id=alices, now=clock())
    with pytest.raises(NotYourRecord):
        markers.marker_at(5)  # a forged test index

    assert await _changes(session) == []
    assert (await markers.markers_view(session, BOB, clock())).results == ()
    [entry] = (await markers.markers_view(session, ALICE, clock())).results
    assert entry.reading.as_printed == "12 µg/L"


async def test_erasure_removes_the_results_and_their_history_with_the_patient(
    session: AsyncSession, planner: RecordingPlanner, clock: FixedClock
) -> None:
    await register(session, planner, ALICE, now=clock())
    await register(session, planner, BOB, now=clock())
    day = _today(clock)
    for user in (ALICE, BOB):
        saved = await _record(session, clock, user, Marker.CTX, "0.3 ng/mL", day)
        assert saved.entry is not None
        await markers.delete_result(
            session, telegram_user_id=user, result_id=saved.entry.result_id, now=clock()
        )
        await _record(session, clock, user, Marker.CTX, "0.4 ng/mL", day)

    await erase_person(session, planner, ALICE)

    assert len(await _changes(session)) == 1
    assert await session.scalar(select(func.count()).select_from(BoneMarkerResult)) == 1
