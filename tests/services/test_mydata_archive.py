"""/mydata's archive from a real database: every table of the patient, her rows, nobody else's.

Two patients each with a row in every table the bot keeps about a patient, a caregiver
linked to the first, and the first also the caregiver of the second. The archive of the
first holds every one of her rows, file by file, and nothing of the second patient or of
the caregiver's own account.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AccessRecord,
    Base,
    BoneHealthProfile,
    BoneMarkerChange,
    BoneMarkerResult,
    BoneRecordChange,
    CalciumPlan,
    CareAlert,
    CareLink,
    CarePrompts,
    Checkin,
    CheckinAnswer,
    CheckinSchedule,
    ClinicAgentDose,
    ClinicAgentPlan,
    CodeAttempt,
    DoseAnswerChange,
    DoseEvent,
    DxaScan,
    ExportRecord,
    Invite,
    Medication,
    Patient,
    PillCount,
    RedFlagEpisode,
    TreatmentReview,
)
from bot.domain import invite_codes
from bot.domain.errors import ArchiveTooLarge, NotRegistered, NotYourRecord
from bot.exports import archive as archive_module
from bot.exports.record import LABEL_COLUMNS, OMITTED_COLUMNS, RECORD_TABLES
from bot.services import exports
from bot.services.exports import ExportFormat
from tests.exports.test_archive import files_named_in
from tests.services.conftest import START
from tests.services.people import SECRET

ZONE = "America/New_York"
ALICE, BOB = 1001, 1002
CAROL = 987_654_321  # Alice's caregiver: her Telegram account must not be in the archive
ALICE_NOTE = '=HYPERLINK("http://evil.example","click") knees hurt'
BOB_NOTE = "Bob's own note, nobody else's"


def ago(days: float) -> datetime:
    return START - timedelta(days=days)


async def seed(session: AsyncSession, telegram_user_id: int, note: str) -> Patient:
    """A patient with at least one row in every table of her record."""
    patient = Patient(
        telegram_user_id=telegram_user_id,
        chat_id=telegram_user_id,
        timezone=ZONE,
        consent_at=ago(200),
        created_at=ago(200),
    )
    session.add(patient)
    await session.flush()
    pid = patient.id
    ai = Medication(
        patient_id=pid,
        role="aromatase_inhibitor",
        product_key="anastrozole-1-daily-tablet",
        frequency="daily",
        time_of_day=time(9, 0),
        started_at=ago(200),
    )
    calcium = Medication(
        patient_id=pid,
        role="supplement",
        product_key="calcium",
        frequency="daily",
        time_of_day=time(12, 30),
        dose_mg=500,
        started_at=ago(100),
    )
    zoledronic = Medication(
        patient_id=pid,
        role="bone_agent",
        product_key="zoledronic-acid-4-every-6-months-iv",
        started_at=ago(200),
    )
    session.add_all([ai, calcium, zoledronic])
    await session.flush()
    taken = DoseEvent(
        medication_id=ai.id,
        patient_id=pid,
        local_date=date(2031, 6, 10),
        due_at=ago(1),
        status="taken",
        sent_at=ago(1),
        answered_at=ago(1),
        taken_at=ago(1),
    )
    supplement = DoseEvent(
        medication_id=calcium.id,
        patient_id=pid,
        local_date=date(2031, 6, 10),
        due_at=ago(0.9),
        status="taken",
        sent_at=ago(0.9),
        answered_at=ago(0.8),
        moved_reason="clear of the alendronate window",
    )
    session.add_all([taken, supplement])
    await session.flush()
    session.add(
        DoseAnswerChange(
            dose_event_id=taken.id,
            patient_id=pid,
            changed_at=ago(0.5),
            changed_by="patient",
            old_status="missed",
            new_status="taken",
            new_taken_at=ago(1),
        )
    )
    checkin = Checkin(
        patient_id=pid,
        started_at=ago(3),
        completed_at=ago(3),
        product_keys="anastrozole-1-daily-tablet",
        wants_to_stop=False,
        note=note,
    )
    session.add(checkin)
    await session.flush()
    session.add(
        CheckinAnswer(
            checkin_id=checkin.id,
            patient_id=pid,
            item_code="joints",
            attribute="severity",
            score=2,
            answered_at=ago(3),
        )
    )
    episode = RedFlagEpisode(
        patient_id=pid, checkin_id=checkin.id, flag_code="jaw", opened_at=ago(3)
    )
    session.add(episode)
    session.add(
        CheckinSchedule(patient_id=pid, weekday=0, time_of_day=time(18, 0), updated_at=ago(50))
    )
    session.add(
        Invite(
            patient_id=pid,
            role="caregiver",
            code_hash=f"{telegram_user_id:064d}",
            created_at=ago(20),
            expires_at=ago(19),
            used_at=ago(19.5),
        )
    )
    carol = CareLink(
        patient_id=pid,
        member_telegram_user_id=CAROL,
        member_chat_id=CAROL,
        role="caregiver",
        status="active",
        member_name="Carol",
        patient_name="Alice" if telegram_user_id == ALICE else "Bob",
        created_at=ago(20),
        confirmed_at=ago(19),
    )
    session.add(carol)
    await session.flush()
    session.add(
        CareAlert(
            patient_id=pid,
            link_id=carol.id,
            kind="red_flag",
            flag_code="jaw",
            episode_id=episode.id,
            created_at=ago(3),
            sent_at=ago(3),
            message_id=555,
        )
    )
    session.add(
        ExportRecord(
            patient_id=pid,
            actor_telegram_user_id=CAROL,
            actor_role="clinician",
            actor_name="Dr Lee",
            export_format="pdf",
            range_start=ago(30),
            range_end=ago(0),
            created_at=ago(2),
        )
    )
    session.add(
        AccessRecord(
            patient_id=pid,
            actor_telegram_user_id=CAROL,
            actor_role="clinician",
            actor_name="Dr Lee",
            what="overview",
            created_at=ago(2),
        )
    )
    session.add(
        ClinicAgentPlan(
            patient_id=pid,
            medication_id=zoledronic.id,
            last_given_on=date(2031, 1, 5),
            due_on=date(2031, 7, 5),
            updated_at=ago(150),
        )
    )
    session.add(
        ClinicAgentDose(
            patient_id=pid,
            medication_id=zoledronic.id,
            given_on=date(2031, 1, 5),
            recorded_at=ago(150),
        )
    )
    session.add(
        BoneHealthProfile(
            patient_id=pid,
            dxa_interval_months=24,
            age_years=67,
            family_hip_fracture=True,
            smoking=False,
            risk_answered_at=ago(10),
            updated_at=ago(10),
        )
    )
    scan = DxaScan(
        patient_id=pid,
        scanned_on=date(2031, 3, 1),
        lumbar_spine=-2.1,
        total_hip=-1.4,
        recorded_at=ago(90),
    )
    session.add(scan)
    await session.flush()
    session.add(  # the spine's lost minus, corrected
        BoneRecordChange(
            patient_id=pid,
            record="dxa",
            record_id=scan.id,
            action="changed",
            changed_at=ago(89),
            changed_by="patient",
            old_on=date(2031, 3, 1),
            new_on=date(2031, 3, 1),
            old_lumbar_spine=2.1,
            new_lumbar_spine=-2.1,
        )
    )
    result = BoneMarkerResult(  # typed in pg/mL, kept in ng/mL
        patient_id=pid,
        marker="ctx",
        measured_on=date(2031, 2, 20),
        value=0.35,
        unit="ng/mL",
        typed_value="350",
        typed_unit="pg/mL",
        recorded_at=ago(80),
    )
    session.add(result)
    await session.flush()
    session.add(  # a missed zero, corrected
        BoneMarkerChange(
            patient_id=pid,
            record_id=result.id,
            marker="ctx",
            action="changed",
            changed_at=ago(79),
            changed_by="patient",
            old_on=date(2031, 2, 20),
            new_on=date(2031, 2, 20),
            old_printed="35 pg/mL",
            new_printed="350 pg/mL",
            old_value=0.035,
            new_value=0.35,
        )
    )
    session.add(
        TreatmentReview(
            patient_id=pid,
            kind="aromatase_inhibitor",
            started_on=date(2029, 1, 5),
            planned_years=5,
            updated_at=ago(100),
        )
    )
    session.add(
        CarePrompts(
            patient_id=pid,
            last_dental_check_on=date(2031, 2, 1),
            dental_due_on=date(2031, 8, 1),
            exercise_weekday=2,
            exercise_time=time(10, 0),
            updated_at=ago(100),
        )
    )
    session.add(
        CalciumPlan(
            patient_id=pid, calcium_form="carbonate", diet_calcium_mg=700, updated_at=ago(100)
        )
    )
    session.add(
        PillCount(
            patient_id=pid, medication_id=ai.id, tablets=28, tablets_per_dose=1, counted_at=ago(5)
        )
    )
    session.add(
        CodeAttempt(
            user_key=invite_codes.attempt_key(SECRET, telegram_user_id), attempted_at=ago(0.01)
        )
    )
    await session.commit()
    return patient


@pytest.fixture
async def alice(session: AsyncSession) -> Patient:
    """Alice and Bob, each with a whole record; Alice also cares for Bob."""
    found = await seed(session, ALICE, ALICE_NOTE)
    bob = await seed(session, BOB, BOB_NOTE)
    session.add(
        CareLink(
            patient_id=bob.id,
            member_telegram_user_id=ALICE,
            member_chat_id=ALICE,
            role="caregiver",
            status="active",
            member_name="Alice",
            patient_name="Bob",
            created_at=ago(10),
        )
    )
    await session.commit()
    return found


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def rows_of(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


async def own_ids(session: AsyncSession, table_name: str, patient: Patient) -> list[int]:
    table = Base.metadata.tables[table_name]
    if table_name == "patients":
        where = table.c.id == patient.id
    elif "patient_id" in table.c:
        where = table.c.patient_id == patient.id
    else:
        where = table.c.user_key == invite_codes.attempt_key(SECRET, patient.telegram_user_id)
    return list(await session.scalars(select(table.c.id).where(where).order_by(table.c.id)))


async def test_the_archive_holds_every_row_of_every_table_of_hers_and_nothing_else(
    session: AsyncSession, alice: Patient
) -> None:
    expected = {name: await own_ids(session, name, alice) for name in RECORD_TABLES}
    made = await exports.own_archive(session, ALICE, START, attempt_secret=SECRET)
    assert made.mime == "application/zip"
    assert made.name.startswith(f"bonebot-patient-{alice.id}-")
    assert made.name.endswith("-mydata.zip")
    files = unzip(made.data)
    for name, description in RECORD_TABLES.items():
        data = files[f"records/{name}.csv"]
        rows = rows_of(data)
        assert expected[name], f"seed a row of {name} in this test"
        assert [int(row["id"]) for row in rows] == expected[name], name
        table = Base.metadata.tables[name]
        header = data.decode("utf-8-sig").split("\r\n", 1)[0].split(",")
        kept = [c.name for c in table.columns if (name, c.name) not in OMITTED_COLUMNS]
        assert header[: len(kept)] == kept, name
        assert set(header[len(kept) :]) <= set(LABEL_COLUMNS), name
        assert description
    # Every file is named in README.txt, and every one named there is in the archive.
    readme = files["README.txt"].decode("utf-8")
    assert set(files_named_in(readme)) == set(files) - {"README.txt"}
    assert "America/New_York" in readme

    text = "\n".join(
        data.decode("utf-8-sig") for name, data in files.items() if not name.endswith(".pdf")
    )
    assert str(CAROL) not in text  # the caregiver's Telegram account is hers, not Alice's
    assert BOB_NOTE not in text
    assert "Bob" not in text  # not even the link in which Alice is Bob's caregiver
    assert f"{ALICE:064d}" not in text  # an invitation code's hash

    # Calcium doses are there, with their medicine, times in her zone, text neutralised.
    doses = rows_of(files["records/dose_events.csv"])
    calcium = [row for row in doses if row["medicine"].startswith("calcium")]
    assert [row["moved_reason"] for row in calcium] == ["clear of the alendronate window"]
    assert calcium[0]["due_at"].endswith("-04:00")  # New York in June
    [medication] = [
        row for row in rows_of(files["records/medications.csv"]) if row["role"] == "supplement"
    ]
    assert (medication["dose_mg"], medication["time_of_day"]) == ("500", "12:30")
    [checkin] = rows_of(files["records/checkins.csv"])
    assert checkin["note"] == f"'{ALICE_NOTE}"
    [change] = rows_of(files["records/dose_answer_changes.csv"])
    assert (change["old_status"], change["new_status"]) == ("missed", "taken")
    [link] = rows_of(files["records/care_links.csv"])
    assert (link["member_name"], link["role"], link["status"]) == ("Carol", "caregiver", "active")
    [alert] = rows_of(files["records/care_alerts.csv"])
    assert alert["flag"].startswith("Jaw or mouth pain")
    [profile] = rows_of(files["records/bone_health_profiles.csv"])
    assert (profile["age_years"], profile["family_hip_fracture"]) == ("67", "true")
    [scan] = rows_of(files["records/dxa_scans.csv"])
    assert (scan["lumbar_spine"], scan["total_hip"], scan["femoral_neck"]) == ("-2.1", "-1.4", "")
    # The clinic files of /export are there too, as /export makes them (the regimen only).
    export_doses = next(d for n, d in files.items() if n.endswith("-dose-events.csv"))
    assert {row["product_key"] for row in rows_of(export_doses)} == {"anastrozole-1-daily-tablet"}
    assert any(name.endswith("-report.pdf") for name in files)
    assert any(name.endswith("-fhir.json") for name in files)


async def test_the_archive_is_audited_as_the_patients_own_after_it_is_made(
    session: AsyncSession, alice: Patient
) -> None:
    files = unzip((await exports.own_archive(session, ALICE, START, attempt_secret=SECRET)).data)
    # The archive's own line is written after the archive was made.
    assert len(rows_of(files["records/export_records.csv"])) == 1
    records = list(
        await session.scalars(
            select(ExportRecord)
            .where(ExportRecord.patient_id == alice.id)
            .order_by(ExportRecord.id)
        )
    )
    assert [(r.actor_role, r.export_format) for r in records] == [
        ("clinician", "pdf"),
        ("patient", "archive"),
    ]
    assert records[-1].actor_telegram_user_id == ALICE
    [line, _] = await exports.export_log(session, ALICE)
    assert line.export_format is ExportFormat.ARCHIVE


async def test_an_archive_too_large_to_send_is_refused_and_not_audited(
    session: AsyncSession, alice: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "ARCHIVE_LIMIT_BYTES", 1000)
    with pytest.raises(ArchiveTooLarge) as refused:
        await exports.own_archive(session, ALICE, START, attempt_secret=SECRET)
    assert refused.value.limit_bytes == 1000
    assert refused.value.size_bytes > 1000
    archived = await session.scalar(
        select(func.count())
        .select_from(ExportRecord)
        .where(ExportRecord.export_format == ExportFormat.ARCHIVE.value)
    )
    assert archived == 0


async def test_only_the_patient_themself_gets_the_archive(
    session: AsyncSession, alice: Patient
) -> None:
    with pytest.raises(NotRegistered):
        # A caregiver holds no record.
        await exports.own_archive(session, CAROL, START, attempt_secret=SECRET)
    request = await exports.own_request(session, ALICE, 0, START)
    clinician = exports.ExportRequest(
        alice.id, CAROL, exports.ActorRole.CLINICIAN, "Dr Lee", request.start, request.end
    )
    with pytest.raises(NotYourRecord):
        await exports.run_export(session, clinician, ExportFormat.ARCHIVE, START)
    with pytest.raises(NotYourRecord):
        await exports.run_export(session, request, ExportFormat.ARCHIVE, START)
    assert await session.scalar(select(func.count()).select_from(ExportRecord)) == 2  # seeded
