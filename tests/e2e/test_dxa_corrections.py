"""Corrections end to end, through the simulator: a mistyped T-score questioned before it is
saved, a scan's T-score corrected and a scan deleted from /bone (history kept, the CSV
export showing the corrected value), a zoledronic acid date corrected and deleted with the
next due date following, and other people's scans and doses out of reach.

The bot's clock is driven (tests/fakes/clock.py) and starts in the future; nothing waits
for real time, and every expectation is computed from that clock.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import (
    BoneHealthProfile,
    BoneRecordChange,
    BoneRecordKind,
    ClinicAgentDose,
    DxaScan,
    Patient,
    RecordAction,
)
from bot.domain.bone_health import add_months
from bot.domain.clinic_agents import next_due
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import Person, bot_running, planner_of, register, services_of
from tests.e2e.test_bone_calendar import doses_of, plan_of, planned_at, register_clinic, ten_am
from tests.e2e.test_data import export_by_buttons, wait_documents
from tests.fakes.clock import DrivenClock
from ui import texts

LONDON = ZoneInfo("Europe/London")
ZOLEDRONIC = "zoledronic-acid-4-every-6-months-iv"
# A Monday in the future, late morning in London.
START = datetime(2031, 3, 3, 11, 0, tzinfo=LONDON)
FIRST_SCAN, SECOND_SCAN = date(2030, 3, 10), date(2031, 2, 10)


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=200, global_burst=200)
    ) as sim:
        yield sim


async def scans_of(app: Application, telegram_user_id: int) -> list[DxaScan]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(DxaScan)
            .join(Patient, Patient.id == DxaScan.patient_id)
            .where(Patient.telegram_user_id == telegram_user_id)
            .order_by(DxaScan.scanned_on)
        )
        return list(rows)


async def changes_of(app: Application) -> list[BoneRecordChange]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(select(BoneRecordChange).order_by(BoneRecordChange.id))
        return list(rows)


async def add_scan(person: Person, day: str, *values: str) -> None:
    """/bone, Add a scan result, the date typed, then each site's T-score typed."""
    person.say("/bone")
    person.press(texts.DXA_ADD, await person.expect(texts.DXA_HEAD))
    await person.expect(texts.ASK_SCAN_DATE)
    person.say(day)
    for value in values:
        await person.expect("T-score?")
        person.say(value)


async def test_a_lost_minus_sign_is_questioned_and_no_its_minus_saves_the_negative(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)

        await add_scan(alice, "10 February 2031", "2.3", "-2.1", "-2.4")

        asked = await alice.expect("You typed +2.3 for the lumbar spine")
        assert asked["text"] == (
            "You typed +2.3 for the lumbar spine, while the other sites are below 0. "
            "Is that right?"
        )
        assert alice.buttons(asked) == ["Yes, +2.3", "No, it's -2.3", "Type it again"]
        assert await scans_of(app, alice.id) == []  # nothing saved while asked
        alice.press("No, it's -2.3", asked)
        saved = await alice.expect("Saved: your scan of Monday 10 February 2031")
        assert "lumbar spine -2.3, total hip -2.1, femoral neck -2.4" in saved["text"]
        [scan] = await scans_of(app, alice.id)
        assert (scan.lumbar_spine, scan.total_hip, scan.femoral_neck) == (-2.3, -2.1, -2.4)
        assert await changes_of(app) == []  # corrected before it was saved: nothing to keep

        # Out of range: typed again, then confirmed as it is.
        await add_scan(alice, "10 March 2030", "-1.2", "-5.6", "-1.4")
        asked = await alice.expect("You typed -5.6 for the total hip.")
        assert "nearly always between -5 and +5" in asked["text"]
        assert alice.buttons(asked) == ["Yes, -5.6", "Type it again"]
        alice.press("Type it again", asked)
        await alice.expect("Total hip T-score?")
        alice.say("-5.7")
        asked = await alice.expect("You typed -5.7 for the total hip.")
        alice.say("-5.8")  # typing while asked is typing it again
        asked = await alice.expect("You typed -5.8 for the total hip.")
        alice.press("Yes, -5.8", asked)
        await alice.expect("Saved: your scan of Sunday 10 March 2030")
        first, _latest = await scans_of(app, alice.id)
        assert first.total_hip == -5.8

        # A stale answer, with nothing asked, changes nothing.
        query = alice.press_data(asked["message_id"], "b:y:1:f")
        assert await alice.toast(query) == texts.BUTTON_EXPIRED
        assert (await scans_of(app, alice.id))[0].total_hip == -5.8


async def test_a_scan_corrected_and_another_deleted_from_bone_with_the_history_exported(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)
        await add_scan(alice, "10 March 2030", "-1.1", "-1.0", "-1.3")
        await alice.expect("Saved: your scan of Sunday 10 March 2030")
        # The wrong value confirmed by mistake: saved as typed.
        await add_scan(alice, "10 February 2031", "2.3", "-2.1", "-2.4")
        alice.press("Yes, +2.3", await alice.expect("You typed +2.3"))
        await alice.expect("Saved: your scan of Monday 10 February 2031")
        async with services_of(app).sessions() as session:
            profile = await session.scalar(select(BoneHealthProfile))
        assert profile is not None
        job = f"dxa:{profile.id}"
        await planned_at(app, job, ten_am(add_months(SECOND_SCAN, 12) - timedelta(days=28)))

        # /bone: the scans on record, newest first; the wrong one opened.
        alice.say("/bone")
        menu = await alice.expect(texts.DXA_HEAD)
        alice.press(texts.DXA_CORRECT, menu)
        listed = await alice.expect(texts.SCANS_HEAD)
        assert alice.buttons(listed) == [
            "Monday 10 February 2031: +2.3 / -2.1 / -2.4",
            "Sunday 10 March 2030: -1.1 / -1.0 / -1.3",
        ]
        alice.press("Monday 10 February 2031", listed)
        page = await alice.expect("🩻 Your scan of Monday 10 February 2031")
        assert "Lumbar spine: +2.3" in page["text"]
        assert alice.buttons(page) == [
            texts.SCAN_CHANGE_DATE,
            "✏️ Lumbar spine: +2.3",
            "✏️ Total hip: -2.1",
            "✏️ Femoral neck: -2.4",
            texts.SCAN_DELETE,
        ]
        alice.press("✏️ Lumbar spine: +2.3", page)
        await alice.expect("Lumbar spine T-score of your scan of Monday 10 February 2031?")
        alice.say("-2.3")
        corrected = await alice.expect("Corrected: your scan of Monday 10 February 2031")
        assert "lumbar spine -2.3, total hip -2.1, femoral neck -2.4" in corrected["text"]
        assert "Lowest T-score -2.4 (low bone mass, osteopenia, WHO)" in corrected["text"]
        assert [scan.lumbar_spine for scan in await scans_of(app, alice.id)] == [-1.1, -2.3]
        # The next scan still counts from 10 February 2031: its reminder stays.
        await planned_at(app, job, ten_am(add_months(SECOND_SCAN, 12) - timedelta(days=28)))

        # The older scan: the delete asks first; No keeps it, Yes deletes it.
        alice.say("/bone")
        alice.press(texts.DXA_CORRECT, await alice.expect(texts.DXA_HEAD))
        listed = await alice.expect(texts.SCANS_HEAD)
        alice.press("Sunday 10 March 2030", listed)
        page = await alice.expect("🩻 Your scan of Sunday 10 March 2030")
        alice.press(texts.SCAN_DELETE, page)
        confirm = await alice.expect("Delete your scan of Sunday 10 March 2030")
        assert "lumbar spine -1.1, total hip -1.0, femoral neck -1.3" in confirm["text"]
        alice.press(texts.KEEP_IT, confirm)
        kept = await alice.expect(texts.RECORD_KEPT)
        assert len(await scans_of(app, alice.id)) == 2
        alice.press(texts.SCAN_DELETE, kept)
        alice.press(texts.DELETE_IT, await alice.expect("Delete your scan of"))
        deleted = await alice.expect("Deleted: your scan of Sunday 10 March 2030")
        assert "Last scan Monday 10 February 2031" in deleted["text"]
        assert [scan.scanned_on for scan in await scans_of(app, alice.id)] == [SECOND_SCAN]

        # The corrected scan's page shows the change kept.
        alice.say("/bone")
        alice.press(texts.DXA_CORRECT, await alice.expect(texts.DXA_HEAD))
        alice.press("Monday 10 February 2031", await alice.expect(texts.SCANS_HEAD))
        page = await alice.expect("🩻 Your scan of Monday 10 February 2031")
        assert texts.SCAN_CHANGES_HEAD in page["text"]
        assert "Monday 3 March 2031: lumbar spine +2.3 → -2.3" in page["text"]

        # Every change is in the record: who, when, before and after.
        edit, gone = await changes_of(app)
        assert (edit.record, edit.action, edit.changed_by) == (
            BoneRecordKind.DXA,
            RecordAction.CHANGED,
            "patient",
        )
        assert (edit.old_lumbar_spine, edit.new_lumbar_spine) == (2.3, -2.3)
        assert (gone.action, gone.old_on, gone.old_lumbar_spine, gone.new_on) == (
            RecordAction.DELETED,
            FIRST_SCAN,
            -1.1,
            None,
        )

        # The CSV export: the corrected value, its change, and the deleted scan's row.
        await export_by_buttons(alice, None, "csv")
        files = await wait_documents(simulator, alice.id, 5)
        [bone] = [data for name, data in files.items() if name.endswith("bone-health.csv")]
        rows = list(csv.DictReader(io.StringIO(bone.decode("utf-8-sig"))))
        assert [(row["record"], row["date"]) for row in rows] == [
            ("dxa_deleted", "2030-03-10"),
            ("dxa", "2031-02-10"),
        ]
        deleted_row, scan_row = rows
        assert scan_row["lumbar_spine_t_score"] == "-2.3"
        assert scan_row["changes"].endswith("patient: lumbar_spine 2.3 -> -2.3")
        assert deleted_row["lumbar_spine_t_score"] == ""
        assert "patient: deleted (was date 2030-03-10, lumbar_spine -1.1" in deleted_row["changes"]


async def test_a_scan_date_corrected_moves_the_next_scan(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)
        await add_scan(alice, "10 February 2031", "-1.5", "-1.2", "-1.8")
        await alice.expect("Saved: your scan of Monday 10 February 2031")
        alice.say("/bone")
        alice.press(texts.DXA_CORRECT, await alice.expect(texts.DXA_HEAD))
        alice.press("Monday 10 February 2031", await alice.expect(texts.SCANS_HEAD))
        page = await alice.expect("🩻 Your scan of Monday 10 February 2031")
        alice.press(texts.SCAN_CHANGE_DATE, page)
        await alice.expect("When was this scan really done? It is on record as Monday 10")
        alice.say("12 March 2030")

        corrected = await alice.expect("Corrected: your scan of Tuesday 12 March 2030")
        assert "Next scan due around Wednesday 12 March 2031" in corrected["text"]
        [scan] = await scans_of(app, alice.id)
        assert scan.scanned_on == date(2030, 3, 12)
        async with services_of(app).sessions() as session:
            profile = await session.scalar(select(BoneHealthProfile))
        assert profile is not None
        # Due in nine days: the book-ahead reminder is caught up tomorrow at 10:00.
        await planned_at(app, f"dxa:{profile.id}", ten_am(START.date() + timedelta(days=1)))
        [change] = await changes_of(app)
        assert (change.old_on, change.new_on) == (SECOND_SCAN, date(2030, 3, 12))


async def test_a_zoledronic_acid_date_corrected_moves_the_next_due_date_and_deleted_waits(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Zoledronic acid 4 mg drip")
        await alice.expect("When was your last zoledronic acid 4 mg (Zometa) given?")
        typed, real = date(2030, 10, 1), date(2030, 10, 15)
        alice.say("1 October 2030")
        await alice.expect("Saved: your zoledronic acid 4 mg (Zometa) was given on")
        plan = await plan_of(app, alice.id)
        job = f"agent:{plan.id}"
        assert plan.due_on == next_due(ZOLEDRONIC, typed)

        alice.say("/bone")
        menu = await alice.expect(texts.BONE_TITLE)
        alice.press(texts.AGENT_CHANGE.format(drug="zoledronic acid"), menu)
        listed = await alice.expect("Your zoledronic acid 4 mg (Zometa) dates on record")
        assert alice.buttons(listed) == ["Tuesday 1 October 2030"]
        alice.press("Tuesday 1 October 2030", listed)
        page = await alice.expect(
            "💉 Your Zoledronic acid 4 mg (Zometa) given on Tuesday 1 October 2030"
        )
        assert alice.buttons(page) == [texts.DOSE_CHANGE_DATE, texts.DOSE_DELETE]
        alice.press(texts.DOSE_CHANGE_DATE, page)
        picker = await alice.expect(
            "On which day was your zoledronic acid 4 mg (Zometa) of Tuesday"
        )
        alice.press("October 2030", picker)
        alice.press("15", await alice.expect("Which day in October 2030?"))

        moved = await alice.expect(
            "Saved: your zoledronic acid 4 mg (Zometa) of Tuesday 1 October"
        )
        due = next_due(ZOLEDRONIC, real)
        assert "was given on Tuesday 15 October 2030" in moved["text"]
        assert f"Next one due {texts.long_date(due)}" in moved["text"]
        plan = await plan_of(app, alice.id)
        assert (plan.last_given_on, plan.due_on) == (real, due)
        await planned_at(app, job, ten_am(due - timedelta(days=28)))
        assert [dose.given_on for dose in await doses_of(app, plan)] == [real]

        # Deleted (after asking): no date on record, so nothing to remind about.
        alice.say("/bone")
        alice.press(
            texts.AGENT_CHANGE.format(drug="zoledronic acid"), await alice.expect(texts.BONE_TITLE)
        )
        alice.press("Tuesday 15 October 2030", await alice.expect("dates on record"))
        alice.press(
            texts.DOSE_DELETE, await alice.expect("💉 Your Zoledronic acid 4 mg (Zometa) given")
        )
        confirm = await alice.expect(
            "Delete your zoledronic acid 4 mg (Zometa) of Tuesday 15 October"
        )
        alice.press(texts.DELETE_IT, confirm)
        deleted = await alice.expect(
            "Deleted: your zoledronic acid 4 mg (Zometa) of Tuesday 15 October"
        )
        assert texts.DOSES_NONE_LEFT in deleted["text"]
        plan = await plan_of(app, alice.id)
        assert (plan.last_given_on, plan.due_on) == (None, None)
        assert job not in planner_of(app).planned_ids()
        moved_change, deleted_change = await changes_of(app)
        assert (moved_change.record, moved_change.old_on, moved_change.new_on) == (
            BoneRecordKind.CLINIC_AGENT,
            typed,
            real,
        )
        assert (deleted_change.action, deleted_change.old_on) == (RecordAction.DELETED, real)
        # /bone asks for the last date again.
        alice.say("/bone")
        menu = await alice.expect(texts.BONE_TITLE)
        assert texts.AGENT_TELL_LAST.format(drug="zoledronic acid") in alice.buttons(menu)


async def test_another_patients_scan_and_dose_cannot_be_read_or_changed(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        await register_clinic(alice, "Zoledronic acid 4 mg drip")
        await alice.expect("When was your last zoledronic acid 4 mg (Zometa) given?")
        alice.say("1 October 2030")
        await alice.expect("Saved: your zoledronic acid 4 mg (Zometa) was given on")
        await add_scan(alice, "10 February 2031", "-2.3", "-2.1", "-2.4")
        await alice.expect("Saved: your scan of Monday 10 February 2031")
        plan = await plan_of(app, alice.id)
        [dose] = await doses_of(app, plan)
        [scan] = await scans_of(app, alice.id)
        await register(bob)
        bob.say("/bone")
        await bob.expect(texts.DXA_HEAD)
        anchor = bob.sim.last_bot_message(bob.id)
        assert anchor is not None

        for data in (
            f"b:x:o:{scan.id}",
            f"b:x:t:{scan.id}:0",
            f"b:x:d:{scan.id}",
            f"b:x:y:{scan.id}",
            f"b:x:k:{scan.id}",
            f"b:l:s:{scan.id}",
            f"b:d:s:{scan.id}:20310201",
            f"b:g:l:{plan.id}",
            f"b:g:o:{dose.id}",
            f"b:g:d:{dose.id}",
            f"b:g:y:{dose.id}",
            f"b:l:e:{dose.id}",
            f"b:d:e:{dose.id}:20301002",
            "b:x:o:99999999999",  # beyond any row id
            "b:x:t:1:7",  # no such site
        ):
            query = bob.press_data(anchor["message_id"], data)
            assert await bob.toast(query) == texts.NOT_YOURS, data
        # Bob has no scans of his own to list.
        query = bob.press_data(anchor["message_id"], "b:p")
        assert await bob.toast(query) == texts.NO_SCANS

        assert [(s.scanned_on, s.lumbar_spine) for s in await scans_of(app, alice.id)] == [
            (SECOND_SCAN, -2.3)
        ]
        assert [d.given_on for d in await doses_of(app, plan)] == [date(2030, 10, 1)]
        assert await changes_of(app) == []
        async with services_of(app).sessions() as session:
            assert await session.scalar(select(ClinicAgentDose.id)) == dose.id
