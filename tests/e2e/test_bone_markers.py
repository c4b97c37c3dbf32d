"""Bone turnover markers and 25-OH vitamin D end to end, through the simulator: a result
entered from /bone by buttons (the test, the date, a unit) with the value typed as printed,
converted to the test's own unit, a slip questioned before it is saved, corrected and deleted
with its history kept, charted, and in every export; other people's results out of reach.

The bot's clock is driven (tests/fakes/clock.py) and starts in the future; nothing waits
for real time, and every expectation is computed from that clock.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fhirclient.models.bundle import Bundle
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import BoneMarkerChange, BoneMarkerResult, Patient
from bot.domain.bone_markers import Marker
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import Person, bot_running, register, services_of
from tests.e2e.test_bone_calendar import assert_real_chart
from tests.e2e.test_data import export_by_buttons, pdf_text, wait_documents
from tests.fakes.clock import DrivenClock
from ui import texts

LONDON = ZoneInfo("Europe/London")
START = datetime(2031, 3, 3, 11, 0, tzinfo=LONDON)  # a Monday in the future, late morning
TODAY = START.date()
CTX_BUTTON = texts.MARKER_BUTTONS[Marker.CTX]
VITAMIN_D_BUTTON = texts.MARKER_BUTTONS[Marker.VITAMIN_D]


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=200, global_burst=200)
    ) as sim:
        yield sim


async def results_of(app: Application, telegram_user_id: int) -> list[BoneMarkerResult]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(
            select(BoneMarkerResult)
            .join(Patient, Patient.id == BoneMarkerResult.patient_id)
            .where(Patient.telegram_user_id == telegram_user_id)
            .order_by(BoneMarkerResult.measured_on, BoneMarkerResult.id)
        )
        return list(rows)


async def changes_of(app: Application) -> list[BoneMarkerChange]:
    async with services_of(app).sessions() as session:
        rows = await session.scalars(select(BoneMarkerChange).order_by(BoneMarkerChange.id))
        return list(rows)


async def start_result(person: Person, test_button: str) -> None:
    """/bone, Add a test result, the test tapped."""
    person.say("/bone")
    person.press(texts.MARKER_ADD, await person.expect(texts.MARKERS_HEAD))
    asked = await person.expect(texts.ASK_MARKER)
    assert person.buttons(asked) == texts.marker_buttons()
    person.press(test_button, asked)


async def test_a_result_entered_by_buttons_converted_and_a_slip_questioned(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)

        await start_result(alice, CTX_BUTTON)
        picker = await alice.expect("When was the CTX sample taken?")
        assert alice.buttons(picker)[:2] == [texts.TODAY_BUTTON, texts.YESTERDAY_BUTTON]
        alice.press(texts.YESTERDAY_BUTTON, picker)
        yesterday = TODAY - timedelta(days=1)
        await alice.expect(f"CTX result of {texts.long_date(yesterday)}?")
        alice.say("350 ng/mL")  # pg/mL meant

        asked = await alice.expect("You typed 350 ng/mL for CTX.")
        assert "between about 0.01 and 3 ng/mL" in asked["text"]
        assert alice.buttons(asked) == ["Yes, 350 ng/mL", texts.CHECK_RETYPE]
        assert await results_of(app, alice.id) == []  # nothing saved while asked
        alice.press(texts.CHECK_RETYPE, asked)
        await alice.expect("CTX result of")
        alice.say("350 pg/mL")
        saved = await alice.expect("Saved: your CTX result of")
        assert f"{texts.long_date(yesterday)}, 350 pg/mL." in saved["text"]
        assert "In ng/mL, the unit I keep it in: 0.35." in saved["text"]
        [result] = await results_of(app, alice.id)
        assert (result.marker, result.measured_on, result.value, result.unit) == (
            "ctx",
            yesterday,
            0.35,
            "ng/mL",
        )
        assert (result.typed_value, result.typed_unit) == ("350", "pg/mL")
        chart = next(m for m in reversed(simulator.bot_messages(alice.id)) if "photo" in m)
        assert chart["caption"] == texts.MARKER_CHART_CAPTION
        assert_real_chart(simulator, chart)

        # The number alone, then its unit by a button; the date typed; a decimal comma.
        await start_result(alice, VITAMIN_D_BUTTON)
        await alice.expect("When was the 25-OH vitamin D sample taken?")
        alice.say("1 February 2031")
        await alice.expect("25-OH vitamin D result of Saturday 1 February 2031?")
        alice.say("72,5")
        asked = await alice.expect("Which unit does the report give after 72.5?")
        assert alice.buttons(asked) == ["ng/mL", "nmol/L"]
        alice.press("nmol/L", asked)
        saved = await alice.expect("Saved: your 25-OH vitamin D result of")
        assert "72.5 nmol/L" in saved["text"]
        assert "In ng/mL, the unit I keep it in: 29.05." in saved["text"]
        first, _ctx = await results_of(app, alice.id)
        assert (first.marker, first.value, first.typed_unit) == ("vitamin_d", 29.05, "nmol/L")

        # Confirmed as typed: saved as typed (the care team judges it, the bot does not).
        await start_result(alice, texts.MARKER_BUTTONS[Marker.P1NP])
        alice.press(texts.TODAY_BUTTON, await alice.expect("When was the P1NP sample taken?"))
        await alice.expect("P1NP result of")
        alice.say("abc")
        await alice.expect("Sorry, I couldn't read that.")
        alice.say("25 U/L")
        await alice.expect("Sorry, I can't use that unit for P1NP. I can take µg/L.")
        alice.say("4500 µg/L")
        asked = await alice.expect("You typed 4500 µg/L for P1NP.")
        alice.press("Yes, 4500 µg/L", asked)
        await alice.expect("Saved: your P1NP result of")
        assert [row.marker for row in await results_of(app, alice.id)] == [
            "vitamin_d",
            "ctx",
            "p1np",
        ]

        # A stale answer, with nothing asked, changes nothing.
        query = alice.press_data(asked["message_id"], "b:L:c")
        assert await alice.toast(query) == texts.BUTTON_EXPIRED
        assert len(await results_of(app, alice.id)) == 3

        # /bone shows the newest of each, neutrally, and charts them.
        alice.say("/bone")
        page = await alice.expect(texts.MARKERS_HEAD)
        assert "CTX: 350 pg/mL on" in page["text"]
        assert "25-OH vitamin D: 72.5 nmol/L on Saturday 1 February 2031" in page["text"]
        assert texts.MARKER_CORRECT in alice.buttons(page)

        # /history lists them too, as /bone does.
        alice.say("/history")
        history = await alice.expect(texts.MARKERS_HEAD)
        assert "P1NP: 4500 µg/L on" in history["text"]


async def test_a_result_corrected_and_deleted_with_its_history_in_every_export(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(START)
    alice = Person(simulator, 1001, "Alice")
    bob = Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        await register(alice, bone_family=None)
        await register(bob, bone_family=None)
        for button, day, value in (
            (CTX_BUTTON, "10 February 2031", "0,035 ng/mL"),
            (VITAMIN_D_BUTTON, "10 February 2031", "29 ng/mL"),
        ):
            await start_result(alice, button)
            await alice.expect("sample taken?")
            alice.say(day)
            await alice.expect("result of")
            alice.say(value)
            await alice.expect("Saved: your")
        ctx, vitamin_d = await results_of(app, alice.id)

        # Bob can neither open, delete nor retype Alice's results.
        for data in (f"b:L:o:{ctx.id}", f"b:L:y:{ctx.id}", f"b:L:v:{ctx.id}"):
            query = bob.press_data(1, data)
            assert await bob.toast(query) == texts.NOT_YOURS
        query = bob.press_data(1, f"b:l:o:{ctx.id}")  # the date picker of her result
        assert await bob.toast(query) == texts.NOT_YOURS
        assert len(await results_of(app, alice.id)) == 2

        # The value: a missed zero, corrected.
        alice.say("/bone")
        alice.press(texts.MARKER_CORRECT, await alice.expect(texts.MARKERS_HEAD))
        listed = await alice.expect(texts.RESULTS_HEAD)
        alice.press("CTX, Monday 10 February 2031: 0.035 ng/mL", listed)
        page = await alice.expect("🧪 Your CTX result of Monday 10 February 2031: 0.035 ng/mL")
        assert alice.buttons(page) == [
            texts.RESULT_CHANGE_DATE,
            texts.RESULT_CHANGE_VALUE,
            texts.RESULT_DELETE,
        ]
        alice.press(texts.RESULT_CHANGE_VALUE, page)
        await alice.expect("It is 0.035 ng/mL now.")
        alice.say("0.35 ng/mL")
        await alice.expect("Corrected: your CTX result of Monday 10 February 2031, 0.35 ng/mL.")
        # The date, by the picker.
        alice.say("/bone")
        alice.press(texts.MARKER_CORRECT, await alice.expect(texts.MARKERS_HEAD))
        alice.press("CTX", await alice.expect(texts.RESULTS_HEAD))
        alice.press(texts.RESULT_CHANGE_DATE, await alice.expect("Your CTX result of"))
        picker = await alice.expect("When was this CTX sample really taken?")
        alice.press(texts.YESTERDAY_BUTTON, picker)
        yesterday = TODAY - timedelta(days=1)
        await alice.expect(f"Corrected: your CTX result of {texts.long_date(yesterday)}")
        ctx_now = (await results_of(app, alice.id))[-1]
        assert (ctx_now.id, ctx_now.value, ctx_now.measured_on) == (ctx.id, 0.35, yesterday)

        # Vitamin D deleted, after asking.
        alice.say("/bone")
        alice.press(texts.MARKER_CORRECT, await alice.expect(texts.MARKERS_HEAD))
        alice.press("25-OH vitamin D", await alice.expect(texts.RESULTS_HEAD))
        alice.press(texts.RESULT_DELETE, await alice.expect("Your 25-OH vitamin D result of"))
        asked = await alice.expect("Delete your 25-OH vitamin D result of")
        alice.press(texts.KEEP_IT, asked)
        kept = await alice.expect(texts.RECORD_KEPT)
        alice.press(texts.RESULT_DELETE, kept)
        alice.press(texts.DELETE_IT, await alice.expect("Delete your 25-OH vitamin D result"))
        await alice.expect("Deleted: your 25-OH vitamin D result of Monday 10 February 2031.")
        assert [row.id for row in await results_of(app, alice.id)] == [ctx.id]
        changes = await changes_of(app)
        assert [(c.record_id, c.action, c.old_printed, c.new_printed) for c in changes] == [
            (ctx.id, "changed", "0.035 ng/mL", "0.35 ng/mL"),
            (ctx.id, "changed", "0.35 ng/mL", "0.35 ng/mL"),
            (vitamin_d.id, "deleted", "29 ng/mL", None),
        ]

        # The spreadsheet: the corrected result, and the deleted one with what it was.
        await export_by_buttons(alice, None, "csv")
        files = await wait_documents(simulator, alice.id, 6)
        [name] = [name for name in files if name.endswith("-bone-markers.csv")]
        rows = list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))
        assert [(r["record"], r["test_code"], r["value"], r["unit"]) for r in rows] == [
            ("marker_deleted", "vitamin_d", "", "ng/mL"),
            ("marker", "ctx", "0.35", "ng/mL"),
        ]
        assert "0.035 ng/mL -> 0.35 ng/mL" in rows[1]["changes"]
        assert "deleted (was 2031-02-10, 29 ng/mL)" in rows[0]["changes"]

        # FHIR: a laboratory Observation with the verified LOINC code, corrected.
        await export_by_buttons(alice, None, "fhir")
        files = await wait_documents(simulator, alice.id, 7)
        [name] = [name for name in files if name.endswith("-fhir.json")]
        bundle = json.loads(files[name])
        Bundle(bundle)  # valid R4
        observations = [
            entry["resource"]
            for entry in bundle["entry"]
            if entry["resource"]["resourceType"] == "Observation"
            and entry["resource"]["category"][0]["coding"][0]["code"] == "laboratory"
        ]
        by_status = {obs["status"]: obs for obs in observations}
        assert set(by_status) == {"corrected", "entered-in-error"}
        ctx_obs = by_status["corrected"]
        assert ctx_obs["code"]["coding"][0] == {"system": "http://loinc.org", "code": "41171-0"}
        assert ctx_obs["valueQuantity"] == {
            "value": 0.35,
            "unit": "ng/mL",
            "system": "http://unitsofmeasure.org",
            "code": "ng/mL",
        }
        assert ctx_obs["effectiveDateTime"] == yesterday.isoformat()
        gone = by_status["entered-in-error"]
        assert gone["code"]["coding"][0]["code"] == "62292-8"

        # The PDF: a section beside the scans, with the value as printed.
        await export_by_buttons(alice, None, "pdf")
        files = await wait_documents(simulator, alice.id, 8)
        [name] = [name for name in files if name.endswith("-report.pdf")]
        text, _pages = pdf_text(files[name])
        assert "Bone markers and vitamin D (lab results)" in text
        assert "0.35 ng/mL" in text
