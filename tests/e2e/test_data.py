"""Clinicians and the patient's own data end to end: link, alert, export, audit, erase.

Files are read back as a clinic would: CSV parsed, PDF text extracted, FHIR parsed strictly
with R4 models (fhirclient) and its codes checked.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fhirclient.models.bundle import Bundle
from pypdf import PdfReader
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import Base, CareAlert, ExportRecord, Patient
from bot.exports import archive
from bot.ports import JobKind
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Message,
    Person,
    bot_running,
    eventually,
    medication_of,
    planner_of,
    register,
    services_of,
    settled_events,
)
from tests.e2e.test_caregivers import link, links_of
from tests.e2e.test_checkins import answer_questions, finish
from tests.e2e.test_supplements import supplements_of
from tests.exports.test_archive import files_named_in
from tests.fakes.clock import DrivenClock
from ui import texts

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


def documents(sim: BotApiSimulator, user_id: int) -> dict[str, bytes]:
    """Every document the bot sent a person, by file name."""
    return {
        m["document"]["file_name"]: sim.file_content(m["document"]["file_id"])
        for m in sim.bot_messages(user_id)
        if "document" in m
    }


async def wait_documents(sim: BotApiSimulator, user_id: int, count: int) -> dict[str, bytes]:
    async def enough() -> dict[str, bytes]:
        found = documents(sim, user_id)
        return found if len(found) >= count else {}

    return await eventually(enough, timeout=20, what=f"{count} documents")


async def export_by_buttons(person: Person, whose: str | None, fmt: str) -> Message:
    """Tap through /export: whose records (if asked), the last 30 days, a format."""
    person.say("/export")
    if whose is not None:
        person.press(whose, await person.expect(texts.EXPORT_WHOSE))
    person.press(texts.PERIOD_LABELS[30], await person.expect(texts.EXPORT_PERIOD))
    person.press(texts.FORMAT_LABELS[fmt], await person.expect(texts.EXPORT_FORMAT))
    return await person.expect("Done:", timeout=30)


def pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


async def test_a_linked_clinician_gets_red_flags_and_exports_every_format(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, doctor = Person(simulator, 1001, "Alice"), Person(simulator, 1004, "Dr Lee")
    carol, dave = Person(simulator, 1003, "Carol"), Person(simulator, 1005, "Dave")
    async with bot_running(settings) as app:
        await register(alice)
        await link(alice, doctor, texts.INVITE_CLINICIAN)
        await link(alice, carol)
        alice.say("/symptoms")
        await answer_questions(alice, {"FATIGUE": ["Severe", "A little bit"]})
        await finish(alice, note='=HYPERLINK("http://x")')
        alert = await doctor.expect("Check-in: tiredness that bothered them a lot")
        assert alert["text"].startswith("🟢 Routine · Alice")
        assert "check on them" not in alert["text"]
        assert "/caring" not in alert["text"]

        doctor.say("/patients")
        glance = await doctor.expect("Your patients")
        assert "👤 1. Alice" in glance["text"]
        assert "tiredness that bothered them a lot" in glance["text"]

        await export_by_buttons(doctor, "Alice", "all")
        files = await wait_documents(simulator, doctor.id, 4)
        names = sorted(files)
        assert any(name.endswith(".pdf") for name in names)
        assert any(name.endswith(".json") for name in names)
        csvs = {name: data for name, data in files.items() if name.endswith(".csv")}
        assert csvs, names

        # CSV: parses, every timestamp has an offset, and the formula note is neutralised.
        texts_by_name = {name: data.decode("utf-8-sig") for name, data in csvs.items()}
        rows = [row for text in texts_by_name.values() for row in csv.reader(io.StringIO(text))]
        assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
        assert any("HYPERLINK" in cell for row in rows for cell in row)

        # PDF: the report names the patient, the medicines and the red flag, on 1-2 pages.
        pdf = next(data for name, data in files.items() if name.endswith(".pdf"))
        text, pages = pdf_text(pdf)
        assert 1 <= pages <= 2
        assert "Anastrozole" in text or "anastrozole" in text
        assert "lendronate" in text

        # FHIR: a strict R4 parse, with the patient and check-in answers inside.
        bundle_json = json.loads(next(d for n, d in files.items() if n.endswith(".json")))
        bundle = Bundle(bundle_json, strict=True)
        kinds = {entry.resource.resource_type for entry in bundle.entry}
        assert {"Patient", "MedicationStatement", "QuestionnaireResponse"} <= kinds

        # The export is in Alice's audit log, by name and role.
        alice.say("/privacy")
        privacy = await alice.expect("Exports of your records:")
        assert "Dr Lee (care team), ALL" in privacy["text"]
        assert "Carol, caregiver" in privacy["text"]

        # A caregiver cannot export, and an unlinked person's forged presses get nothing.
        carol.say("/export")
        await carol.expect(texts.EXPORT_NOTHING)
        [doctor_link, carol_link] = await links_of(app, alice.id)
        for person, link_id in ((carol, carol_link.id), (dave, doctor_link.id)):
            person.say("/help")
            anchor = await person.expect("What I can do")
            for data in (f"x:p:{link_id}", f"x:r:{link_id}:30", f"x:f:{link_id}:30:all", "x:p:0"):
                query = person.press_data(anchor["message_id"], data)
                assert await person.toast(query) == texts.NOT_YOURS, data
            for data in ("x:f:1:31:all", "x:f:1:30:xls", "x:p:99999999999", "del:maybe"):
                query = person.press_data(anchor["message_id"], data)
                assert await person.toast(query) == texts.NOT_YOURS, data
            assert documents(simulator, person.id) == {}
        async with services_of(app).sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ExportRecord)) == 1


async def test_mydata_sends_everything_and_deletemydata_leaves_no_row_and_no_job(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    carol = Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(bob)
        planner = planner_of(app)
        bob_jobs = planner.planned_ids()
        await register(alice)
        await link(alice, carol)
        alice.say("/symptoms settings")
        alice.press("Monday", await alice.expect("On which day"))
        alice.press("18:00", await alice.expect("What time on Monday"))
        await alice.expect("Saved: I'll remind you of your check-in every Monday")
        assert len(planner.planned_ids()) > len(bob_jobs)

        alice.say("/mydata")
        [(name, data)] = (await wait_documents(simulator, alice.id, 1)).items()
        assert name.endswith("-mydata.zip")
        assert "records/checkin_schedules.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()

        alice.say("/deletemydata")
        confirm = await alice.expect("Erase everything?")
        alice.press(texts.DELETE_NO, confirm)
        await alice.expect(texts.DELETE_KEPT)
        alice.say("/deletemydata")
        alice.press(texts.DELETE_YES, await alice.expect("Erase everything?"))
        await alice.expect("everything I held about you is erased")
        await carol.expect("Alice erased their data")

        async with services_of(app).sessions() as session:
            [(bob_patient, bob_user)] = (
                await session.execute(select(Patient.id, Patient.telegram_user_id))
            ).all()
            assert bob_user == bob.id
            for table in Base.metadata.sorted_tables:
                if "patient_id" in table.c:
                    leftover = await session.scalar(
                        select(func.count())
                        .select_from(table)
                        .where(table.c.patient_id != bob_patient)
                    )
                    assert leftover == 0, table.name
        assert planner.planned_ids() == bob_jobs
        # Alice can start again as a new person.
        alice.say("/today")
        await alice.expect("Send /start to begin")


ALICE_NOTE = "Knees stiff in the mornings, café au lait helps"
BOB_NOTE = "Bob's own note for his care team"


async def test_mydata_is_one_zip_of_her_records_named_in_its_readme_and_none_of_bobs(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    start = datetime(2031, 3, 4, 10, 0, tzinfo=LONDON)  # a Tuesday morning
    clock = DrivenClock(start)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    carol = Person(simulator, 1003, "Carol")
    async with bot_running(settings, clock) as app:
        await register(bob, bone_family=None)
        bob.say("/symptoms")
        await answer_questions(bob)
        await finish(bob, note=BOB_NOTE)
        await register(alice, ai_time="12:00", bone_family=None)
        await link(alice, carol)

        # A calcium reminder, set up by buttons; then its dose and her anastrozole, taken.
        alice.say("/bone")
        alice.press(texts.CALCIUM_SETTINGS, await alice.expect(texts.CALCIUM_HEAD))
        alice.press(texts.CALCIUM_SET_UP, await alice.expect(texts.CALCIUM_OFF))
        alice.press(texts.FORM_CITRATE, await alice.expect(texts.ASK_FORM))
        alice.press(texts.DIET_LABELS[900], await alice.expect("calcium do you get from food"))
        alice.press("12:00", await alice.expect("Pick 1 time for your calcium"))
        await alice.expect("Saved: calcium 300 mg at 12:00.")
        anastrozole = await medication_of(app, alice.id, "anastrozole-1-daily-tablet")
        [calcium] = await supplements_of(app, alice.id)
        clock.jump_to(datetime.combine(start.date(), time(12, 0), LONDON))
        planner = planner_of(app)
        assert planner.run_now(f"dose:{anastrozole.id}")
        assert planner.run_now(f"dose:{calcium.id}")
        medicine = await alice.expect("Time for your anastrozole 1 mg")
        reminder = await alice.expect("Time for your calcium (300 mg)")
        alice.press(texts.TAKEN, medicine)
        alice.press(texts.TAKEN, reminder)
        await settled_events(app, anastrozole.id, "taken")
        await settled_events(app, calcium.id, "taken")

        # A check-in with a note, and a DXA scan typed from its report.
        alice.say("/symptoms")
        await answer_questions(alice)
        await finish(alice, note=ALICE_NOTE)
        alice.say("/bone")
        alice.press(texts.DXA_ADD, await alice.expect(texts.DXA_HEAD))
        await alice.expect(texts.ASK_SCAN_DATE)
        alice.say("10 March 2030")
        for value in ("-1.4", "-1.0", "-2.2"):
            await alice.expect("T-score?")
            alice.say(value)
        await alice.expect("Saved: your scan of Sunday 10 March 2030")

        alice.say("/mydata")
        sent = await simulator.wait_for_message(alice.id, lambda m: "document" in m, timeout=30)
        assert sent["caption"] == texts.MYDATA_CAPTION
        alice.say("/help")  # her updates are handled in order: after this, /mydata is done
        await alice.expect("What I can do")
        [(name, data)] = documents(simulator, alice.id).items()
        async with services_of(app).sessions() as session:
            her = await session.scalar(select(Patient).where(Patient.telegram_user_id == alice.id))
            assert her is not None
            [record] = list(await session.scalars(select(ExportRecord)))
        assert name == f"bonebot-patient-{her.id}-20310304-20310304-mydata.zip"
        assert (record.patient_id, record.actor_role, record.export_format) == (
            her.id,
            "patient",
            "archive",
        )

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {entry: archive.read(entry) for entry in archive.namelist()}
    readme = files.pop("README.txt").decode("utf-8")
    assert sorted(files_named_in(readme)) == sorted(files)
    assert "your local time in Europe/London" in readme

    def rows(path: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(files[path].decode("utf-8-sig"), newline="")))

    [me] = rows("records/patients.csv")
    assert (me["id"], me["telegram_user_id"], me["timezone"]) == (
        str(her.id),
        str(alice.id),
        "Europe/London",
    )
    doses = rows("records/dose_events.csv")
    assert {(row["medicine"], row["status"]) for row in doses} == {
        ("anastrozole 1 mg (Arimidex)", "taken"),
        ("calcium (or calcium with vitamin D)", "taken"),
    }
    assert {row["due_at"] for row in doses} == {"2031-03-04T12:00:00+00:00"}
    [supplement] = [row for row in rows("records/medications.csv") if row["role"] == "supplement"]
    assert (supplement["dose_mg"], supplement["time_of_day"]) == ("300", "12:00")
    [checkin] = rows("records/checkins.csv")
    assert checkin["note"] == ALICE_NOTE
    assert {row["checkin_id"] for row in rows("records/checkin_answers.csv")} == {checkin["id"]}
    [scan] = rows("records/dxa_scans.csv")
    assert (scan["scanned_on"], scan["lumbar_spine"], scan["femoral_neck"]) == (
        "2030-03-10",
        "-1.4",
        "-2.2",
    )
    [carol_link] = rows("records/care_links.csv")
    assert (carol_link["member_name"], carol_link["role"], carol_link["status"]) == (
        "Carol",
        "caregiver",
        "active",
    )
    # Her rows only: no other patient's number, note or account, nor Carol's account.
    for path in (p for p in files if p.startswith("records/")):
        for row in rows(path):
            assert row.get("patient_id", str(her.id)) == str(her.id), path
            assert str(carol.id) not in row.values(), path
            assert str(bob.id) not in row.values(), path
    everything = "".join(d.decode("utf-8-sig") for p, d in files.items() if p[-4:] != ".pdf")
    assert BOB_NOTE not in everything
    assert ALICE_NOTE in everything


async def test_mydata_too_large_to_send_says_so_sends_nothing_and_records_nothing(
    simulator: BotApiSimulator, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "ARCHIVE_LIMIT_BYTES", 10_000)  # as if years of records
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/mydata")
        refusal = await alice.expect("too large to send as one file", timeout=30)
        assert (
            "Nothing was sent. /export sends your records of a shorter period" in (refusal["text"])
        )
        assert documents(simulator, alice.id) == {}
        async with services_of(app).sessions() as session:
            assert await session.scalar(select(func.count()).select_from(ExportRecord)) == 0


async def test_the_command_line_export_writes_files_and_is_audited(
    simulator: BotApiSimulator, settings: Settings, tmp_path: Path
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice)
        async with services_of(app).sessions() as session:
            patient_id = await session.scalar(select(Patient.id))
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token.get_secret_value(),
        "DATABASE_URL": settings.database_url,
    }
    command = [sys.executable, "-m", "bot", "export", "--patient", str(patient_id)]
    result = await asyncio.to_thread(
        subprocess.run,
        [
            *command,
            "--format",
            "fhir",
            "--from",
            "2020-01-01",
            "--to",
            "2030-12-31",
            "--out",
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    [written] = [Path(line) for line in result.stdout.split()]
    Bundle(json.loads(written.read_bytes()), strict=True)
    assert oct(os.stat(written).st_mode & 0o777) == "0o600"  # the bot's user's alone
    missing = await asyncio.to_thread(
        subprocess.run,
        [*command[:-1], "999", "--from", "2020-01-01", "--to", "2030-12-31"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert missing.returncode == 1
    assert "there is no patient 999" in missing.stderr
    async with bot_running(settings) as app:
        async with services_of(app).sessions() as session:
            [record] = list(await session.scalars(select(ExportRecord)))
        assert (record.actor_role, record.export_format) == ("administrator", "fhir")
        alice.say("/privacy")
        privacy = await alice.expect("Exports of your records:")
        assert "clinic administrator, FHIR" in privacy["text"]


async def test_a_caregiver_who_erases_their_data_leaves_no_link_alert_or_alert_job(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        await link(alice, carol)
        alice.say("/symptoms")
        await answer_questions(alice, {"FATIGUE": ["Severe", "A little bit"]})
        await finish(alice)
        await carol.expect("symptom check-in shows")
        async with services_of(app).sessions() as session:
            [alert_id] = list(await session.scalars(select(CareAlert.id)))
        planner = planner_of(app)
        # An alert delivery still planned (as for one held or retried) when Carol leaves.
        planner.plan(JobKind.ALERT, alert_id, services_of(app).clock() + timedelta(hours=1))
        carol.say("/deletemydata")
        carol.press(texts.DELETE_YES, await carol.expect("Erase everything?"))
        await carol.expect("everything I held about you is erased")
        await alice.expect("Carol erased their data")
        assert f"alert:{alert_id}" not in planner.planned_ids()
        assert await links_of(app, alice.id) == []
        async with services_of(app).sessions() as session:
            assert list(await session.scalars(select(CareAlert.id))) == []
