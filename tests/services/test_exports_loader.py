"""Loading a snapshot from a real, migrated database: the period's rows, and only the patient's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fhirclient.models.bundle import Bundle
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.db.database import create_bot_engine, make_sessions, upgrade_database
from bot.db.models import (
    BoneHealthProfile,
    Checkin,
    CheckinAnswer,
    ClinicAgentDose,
    ClinicAgentPlan,
    DoseEvent,
    DoseStatus,
    DxaScan,
    Medication,
    Patient,
    RedFlagEpisode,
)
from bot.domain.errors import NotRegistered
from bot.exports.csv_files import write_csv_files
from bot.exports.fhir_bundle import build_fhir_bundle
from bot.exports.loader import load_snapshot
from bot.exports.pdf_report import render_pdf_report

ZONE = ZoneInfo("America/New_York")
START = datetime(2025, 1, 1, tzinfo=ZONE)
END = datetime(2025, 4, 1, tzinfo=ZONE)


def at(day: date, hour: int = 8) -> datetime:
    """Return a New York wall-clock time as aware UTC."""
    return datetime.combine(day, time(hour), tzinfo=ZONE).astimezone(UTC)


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker]:
    """Sessions on a freshly migrated database."""
    await asyncio.to_thread(upgrade_database, database_url)
    engine = create_bot_engine(database_url)
    try:
        yield make_sessions(engine)
    finally:
        await engine.dispose()


def _patient(number: int) -> Patient:
    return Patient(
        telegram_user_id=1000 + number,
        chat_id=1000 + number,
        timezone="America/New_York",
        consent_at=at(date(2024, 9, 1)),
        created_at=at(date(2024, 9, 1)),
    )


def _medication(patient: Patient, role: str, key: str, **fields: object) -> Medication:
    values: dict[str, object] = {"active": True, "started_at": at(date(2024, 9, 1)), **fields}
    return Medication(patient=patient, role=role, product_key=key, **values)


def _dose(medication: Medication, due: datetime, status: str, **fields: object) -> DoseEvent:
    return DoseEvent(
        medication=medication,
        patient_id=medication.patient.id,
        local_date=due.astimezone(ZONE).date(),
        due_at=due,
        status=status,
        **fields,
    )


async def _seed(sessions: async_sessionmaker) -> dict[str, int]:
    """Store one patient's quarter plus rows outside it and another patient's rows."""
    async with sessions() as session, session.begin():
        patient, other = _patient(1), _patient(2)
        session.add_all([patient, other])
        await session.flush()
        old = _medication(
            patient,
            "aromatase_inhibitor",
            "anastrozole-1-daily-tablet",
            frequency="daily",
            time_of_day=time(8),
            active=False,
            ended_at=at(date(2025, 1, 10), 12),
        )
        new = _medication(
            patient,
            "aromatase_inhibitor",
            "letrozole-2-5-daily-tablet",
            frequency="daily",
            time_of_day=time(8),
            started_at=at(date(2025, 1, 10), 12),
        )
        clinic = _medication(patient, "bone_agent", "denosumab-60-every-6-months-sc")
        ended_before = _medication(
            patient,
            "bone_agent",
            "alendronate-70-weekly-tablet",
            frequency="weekly",
            time_of_day=time(7),
            weekday=0,
            active=False,
            ended_at=at(date(2024, 12, 1)),
        )
        others = _medication(
            other, "aromatase_inhibitor", "exemestane-25-daily-tablet", frequency="daily"
        )
        session.add_all([old, new, clinic, ended_before, others])
        await session.flush()
        session.add_all(
            [
                _dose(old, at(date(2024, 12, 31)), DoseStatus.TAKEN),  # before the period
                _dose(old, START, DoseStatus.TAKEN, answered_at=START + timedelta(minutes=9)),
                _dose(
                    old,
                    at(date(2025, 1, 2)),
                    DoseStatus.SKIPPED,
                    skip_reason="side_effects",
                    sent_at=at(date(2025, 1, 2)) + timedelta(minutes=30),
                    late=True,
                ),
                _dose(new, at(date(2025, 3, 31)), DoseStatus.SENT),
                _dose(new, END, DoseStatus.PENDING),  # the end is excluded
                _dose(others, at(date(2025, 2, 1)), DoseStatus.TAKEN),
            ]
        )
        before = Checkin(
            patient_id=patient.id, started_at=at(date(2024, 12, 29), 18), product_keys="x"
        )
        checkin = Checkin(
            patient_id=patient.id,
            started_at=at(date(2025, 2, 2), 18),
            completed_at=at(date(2025, 2, 2), 19),
            product_keys="denosumab-60-every-6-months-sc,letrozole-2-5-daily-tablet",
            wants_to_stop=False,
            note="Knees worse on stairs",
        )
        theirs = Checkin(patient_id=other.id, started_at=at(date(2025, 2, 2)), product_keys="")
        session.add_all([before, checkin, theirs])
        await session.flush()
        answered = at(date(2025, 2, 2), 18)
        session.add_all(
            [
                # Stored out of order: the snapshot lists answers as they were given.
                CheckinAnswer(
                    checkin_id=checkin.id,
                    patient_id=patient.id,
                    item_code="joints",
                    attribute="severity",
                    score=3,
                    answered_at=answered + timedelta(seconds=20),
                ),
                CheckinAnswer(
                    checkin_id=checkin.id,
                    patient_id=patient.id,
                    item_code="joints",
                    attribute="frequency",
                    score=2,
                    answered_at=answered + timedelta(seconds=10),
                ),
                CheckinAnswer(
                    checkin_id=before.id,
                    patient_id=patient.id,
                    item_code="joints",
                    attribute="frequency",
                    score=0,
                    answered_at=at(date(2024, 12, 29), 18),
                ),
            ]
        )

        def episode(code: str, opened: date, closed: date | None) -> RedFlagEpisode:
            return RedFlagEpisode(
                patient_id=patient.id,
                checkin_id=checkin.id,
                flag_code=code,
                opened_at=at(opened, 19),
                closed_at=at(closed, 19) if closed else None,
                alerted_at=at(opened, 19),
            )

        session.add_all(
            [
                episode("fall", date(2024, 11, 3), date(2024, 11, 10)),  # over before start
                episode("jaw", date(2024, 12, 1), None),  # open since before the period
                episode("adherence", date(2025, 2, 2), date(2025, 2, 9)),
                episode("thigh", date(2025, 4, 6), None),  # after the period
                RedFlagEpisode(patient_id=other.id, flag_code="fall", opened_at=START),
            ]
        )
    return {
        "patient": patient.id,
        "old": old.id,
        "new": new.id,
        "clinic": clinic.id,
        "checkin": checkin.id,
    }


async def test_snapshot_holds_the_period_of_one_patient(sessions: async_sessionmaker) -> None:
    ids = await _seed(sessions)
    async with sessions() as session:
        snapshot = await load_snapshot(session, ids["patient"], START, END)

    assert snapshot.patient.patient_id == ids["patient"]
    assert snapshot.patient.timezone == "America/New_York"
    assert snapshot.patient.registered_at == at(date(2024, 9, 1))
    assert (snapshot.start, snapshot.end) == (START, END)

    # Medicines in force during the period; the one ended in December is left out.
    assert [m.medication_id for m in snapshot.medications] == [
        ids["old"],
        ids["new"],
        ids["clinic"],
    ]
    clinic = snapshot.medications[-1]
    assert (clinic.frequency, clinic.time_of_day, clinic.active) == (None, None, True)
    assert snapshot.medications[0].ended_at == at(date(2025, 1, 10), 12)

    # Doses due from the start (included) to the end (excluded), in due order.
    assert [(d.local_date, d.status) for d in snapshot.doses] == [
        (date(2025, 1, 1), "taken"),
        (date(2025, 1, 2), "skipped"),
        (date(2025, 3, 31), "sent"),
    ]
    skipped = snapshot.doses[1]
    assert skipped.product_key == "anastrozole-1-daily-tablet"
    assert (skipped.skip_reason, skipped.late) == ("side_effects", True)
    assert skipped.sent_at == at(date(2025, 1, 2)) + timedelta(minutes=30)
    assert snapshot.doses[0].answered_at == START + timedelta(minutes=9)
    assert all(d.due_at.tzinfo is not None for d in snapshot.doses)

    (checkin,) = snapshot.checkins
    assert checkin.checkin_id == ids["checkin"]
    assert checkin.product_keys == (
        "denosumab-60-every-6-months-sc",
        "letrozole-2-5-daily-tablet",
    )
    assert (checkin.wants_to_stop, checkin.note) == (False, "Knees worse on stairs")
    assert [(a.attribute, a.score) for a in checkin.answers] == [
        ("frequency", 2),
        ("severity", 3),
    ]

    # Episodes overlapping the period, including one open since before it.
    assert [flag.flag_code for flag in snapshot.red_flags] == ["jaw", "adherence"]
    assert snapshot.red_flags[0].closed_at is None

    # No tables yet for these.
    assert (snapshot.dxa, snapshot.clinic_agents, snapshot.appointments) == ((), (), ())


async def test_loaded_snapshot_exports_in_every_format(sessions: async_sessionmaker) -> None:
    ids = await _seed(sessions)
    async with sessions() as session:
        snapshot = await load_snapshot(session, ids["patient"], START, END)
    files = write_csv_files(snapshot)
    dose_csv = next(f for f in files if f.name.endswith("dose-events.csv")).data.decode()
    assert ",2025-01-02T08:00:00-05:00," in dose_csv  # the patient's zone, winter time
    assert ",2025-03-31T08:00:00-04:00," in dose_csv  # and summer time
    bundle = build_fhir_bundle(snapshot)
    Bundle(bundle, strict=True)
    statements = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "MedicationStatement"
    ]
    assert [s["dosage"][0]["text"] for s in statements] == [
        "daily at 08:00",
        "daily at 08:00",
        "given at the clinic every 6 months",
    ]
    assert render_pdf_report(snapshot).startswith(b"%PDF-")


async def test_an_empty_period_loads_empty(sessions: async_sessionmaker) -> None:
    ids = await _seed(sessions)
    async with sessions() as session:
        start = datetime(2023, 1, 1, tzinfo=UTC)
        snapshot = await load_snapshot(session, ids["patient"], start, start + timedelta(days=7))
    assert (snapshot.medications, snapshot.doses, snapshot.checkins) == ((), (), ())
    assert snapshot.red_flags == ()


async def test_unknown_patient_and_bad_periods_are_refused(sessions: async_sessionmaker) -> None:
    ids = await _seed(sessions)
    async with sessions() as session:
        with pytest.raises(NotRegistered):
            await load_snapshot(session, 999_999, START, END)
        with pytest.raises(ValueError, match="aware"):
            await load_snapshot(session, ids["patient"], datetime(2025, 1, 1), END)  # noqa: DTZ001
        with pytest.raises(ValueError, match="after"):
            await load_snapshot(session, ids["patient"], END, START)


async def test_bone_health_history_and_upcoming_appointments_load(
    sessions: async_sessionmaker,
) -> None:
    async with sessions() as session, session.begin():
        patient, other = _patient(1), _patient(2)
        session.add_all([patient, other])
        await session.flush()
        denosumab = _medication(patient, "bone_agent", "denosumab-60-every-6-months-sc")
        theirs = _medication(other, "bone_agent", "denosumab-60-every-6-months-sc")
        session.add_all([denosumab, theirs])
        await session.flush()
        now = at(date(2025, 3, 1))
        session.add_all(
            [
                DxaScan(
                    patient_id=patient.id,
                    scanned_on=date(2023, 5, 2),
                    lumbar_spine=-1.2,
                    total_hip=None,
                    femoral_neck=-1.6,
                    recorded_at=now,
                ),
                DxaScan(
                    patient_id=patient.id,
                    scanned_on=date(2025, 2, 3),
                    lumbar_spine=-1.9,
                    total_hip=-1.1,
                    femoral_neck=None,
                    recorded_at=now,
                ),
                DxaScan(
                    patient_id=patient.id,
                    scanned_on=date(2025, 6, 1),
                    lumbar_spine=-2.0,
                    total_hip=None,
                    femoral_neck=None,
                    recorded_at=now,
                ),  # after the end
                DxaScan(
                    patient_id=other.id,
                    scanned_on=date(2025, 2, 3),
                    lumbar_spine=0.5,
                    total_hip=None,
                    femoral_neck=None,
                    recorded_at=now,
                ),
                ClinicAgentDose(
                    patient_id=patient.id,
                    medication_id=denosumab.id,
                    given_on=date(2024, 9, 10),
                    recorded_at=now,
                ),
                ClinicAgentDose(
                    patient_id=other.id,
                    medication_id=theirs.id,
                    given_on=date(2024, 9, 11),
                    recorded_at=now,
                ),
                ClinicAgentPlan(
                    patient_id=patient.id,
                    medication_id=denosumab.id,
                    last_given_on=date(2024, 9, 10),
                    due_on=date(2025, 3, 10),
                    updated_at=now,
                ),
                BoneHealthProfile(
                    patient_id=patient.id, dxa_booked_on=date(2025, 3, 20), updated_at=now
                ),
            ]
        )
        patient_id = patient.id
    async with sessions() as session:
        snapshot = await load_snapshot(session, patient_id, START, END)
    assert [(row.scanned_on, row.lumbar_spine) for row in snapshot.dxa] == [
        (date(2023, 5, 2), -1.2),
        (date(2025, 2, 3), -1.9),
    ]
    assert [(row.product_key, row.given_on) for row in snapshot.clinic_agents] == [
        ("denosumab-60-every-6-months-sc", date(2024, 9, 10))
    ]
    assert [(row.kind, row.starts_at.date()) for row in snapshot.appointments] == [
        ("injection", date(2025, 3, 10)),
        ("dxa", date(2025, 3, 20)),
    ]
    bone_csv = next(f for f in write_csv_files(snapshot) if "bone-health" in f.name)
    assert bone_csv.data.decode("utf-8-sig").count("\r\n") == 1 + 3  # header, 2 scans, 1 dose
