"""The care team's side in the chat (issue 18): a caregiver's day of the person they help,
grouped misses and the alert buttons; a clinician's tiered alerts with closure, labels and
response times; every view of the patient's data in the patient's audit log.

The bot's clock is driven from a fixed instant (a Tuesday in June 2031, 13:00 in London),
ahead of any real clock, so nothing planned fires by itself and nothing depends on when
the test runs; jobs are made due with the planner.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import AccessRecord, CareAlert, CareLink, DoseEvent, DoseStatus, Patient
from bot.ports import JobKind
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Person,
    bot_running,
    medication_of,
    planner_of,
    register,
    run_job,
    services_of,
)
from tests.e2e.test_caregivers import invite, link, remove
from tests.e2e.test_checkin_redflags import report_chest_pain
from tests.e2e.test_data import export_by_buttons, wait_documents
from tests.fakes.clock import DrivenClock
from ui import texts

TUESDAY = datetime(2031, 6, 10, 12, 0, tzinfo=UTC)  # 13:00 in London (BST)
LONDON = ZoneInfo("Europe/London")
ANASTROZOLE = "anastrozole-1-daily-tablet"
ALENDRONATE = "alendronate-70-weekly-tablet"


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


async def unconfirmed_dose(app: Application, user_id: int, product_key: str, day: date) -> int:
    """Record a reminder sent at 09:00 local on `day` and not answered; return its event id."""
    medication = await medication_of(app, user_id, product_key)
    due = datetime(day.year, day.month, day.day, 9, 0, tzinfo=LONDON).astimezone(UTC)
    async with services_of(app).sessions() as session:
        event = DoseEvent(
            medication_id=medication.id,
            patient_id=medication.patient_id,
            local_date=day,
            due_at=due,
            status=DoseStatus.SENT,
            sent_at=due,
            reminded_at=due,
        )
        session.add(event)
        await session.commit()
        return event.id


async def missed_check(app: Application, event_id: int) -> None:
    """The patient's delay after the dose has passed: run its caregiver check now."""
    services_of(app).planner.plan(JobKind.MISSED, event_id, services_of(app).clock())
    await run_job(app, f"missed:{event_id}")


async def deliver_alerts(app: Application) -> None:
    """Run the alert deliveries planned for "now" (the driven clock is ahead of the wall
    clock, so they would not fire by themselves)."""
    planned = [job for job in planner_of(app).planned_ids() if job.startswith("alert:")]
    for job_id in planned:
        await run_job(app, job_id)


async def alerts(app: Application) -> list[CareAlert]:
    async with services_of(app).sessions() as session:
        return list(await session.scalars(select(CareAlert).order_by(CareAlert.id)))


async def views_of(app: Application, user_id: int) -> list[AccessRecord]:
    async with services_of(app).sessions() as session:
        return list(
            await session.scalars(
                select(AccessRecord)
                .join(Patient, Patient.id == AccessRecord.patient_id)
                .where(Patient.telegram_user_id == user_id)
                .order_by(AccessRecord.id)
            )
        )


def missed_messages(person: Person) -> list[str]:
    return [
        m["text"]
        for m in person.sim.bot_messages(person.id)
        if "hasn't confirmed" in (m.get("text") or "")
    ]


async def test_a_caregiver_sees_the_day_and_gets_one_message_for_a_run_of_misses(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(TUESDAY)
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    bob = Person(simulator, 1002, "Bob")
    async with bot_running(settings, clock) as app:
        await register(alice)  # anastrozole daily at 09:00, alendronate on Mondays at 07:00
        # The invitation says who sends it.
        code = await invite(alice)
        carol.say(f"/start {code}")
        intro = await carol.expect("Do you accept?")
        assert intro["text"].startswith("Alice invited you to be their caregiver")
        carol.press(texts.INVITE_ACCEPT, intro)
        alice.press(texts.LINK_CONFIRM_YES, await alice.expect("Carol accepted"))
        await carol.expect("Alice confirmed: you are now their caregiver")

        # Today's anastrozole is still unconfirmed after the delay: Carol hears of it, with
        # her two buttons.
        first_event = await unconfirmed_dose(app, alice.id, ANASTROZOLE, date(2031, 6, 10))
        await missed_check(app, first_event)
        first = await carol.expect("Alice hasn't confirmed their anastrozole")
        assert "due at 09:00." in first["text"]
        assert "in a row" not in first["text"]
        assert carol.buttons(first) == [texts.ALERT_CHECKED, texts.ALERT_MUTE]

        # /caring: her day (the weekly alendronate is not due on a Tuesday), no appointment,
        # and no check-in: Alice does not share her symptom log with Carol.
        carol.say("/caring")
        day = await carol.expect("You help:")
        assert "👤 Alice" in day["text"]
        assert "• 09:00 Anastrozole" in day["text"]
        assert "❔ due, not confirmed yet" in day["text"]
        assert "Alendronate" not in day["text"]
        assert texts.CARING_NO_APPOINTMENT in day["text"]
        assert texts.CARING_CHECKIN_NOT_SHARED in day["text"]
        [seen] = await views_of(app, alice.id)
        assert (seen.actor_role, seen.actor_name, seen.what) == ("caregiver", "Carol", "caring")
        alice.say("/privacy")
        privacy = await alice.expect("Who looked at your records here:")
        assert (
            "Carol (caregiver) saw your day (doses, next appointment, check-in)"
            in (privacy["text"])
        )

        # "I've checked on them": noted once, the buttons go.
        carol.press(texts.ALERT_CHECKED, first)
        checked = await carol.expect("You checked on them")
        assert carol.buttons(checked) == []
        [alert] = await alerts(app)
        assert alert.acknowledged_at is not None

        # The next day she misses it again: one message says two days in a row, and
        # yesterday's is withdrawn, so Carol's chat holds one message for the run.
        clock.jump_to(TUESDAY + timedelta(days=1))
        second_event = await unconfirmed_dose(app, alice.id, ANASTROZOLE, date(2031, 6, 11))
        await missed_check(app, second_event)
        second = await carol.expect("(2 days in a row now)")
        assert missed_messages(carol) == [second["text"]]
        assert [a.streak for a in await alerts(app)] == [1, 2]

        # Mute this kind for today: a later dose alert today sends nothing; tomorrow's would.
        carol.press(texts.ALERT_MUTE, second)
        muted = await carol.expect("No more dose messages about them today")
        assert carol.buttons(muted) == []
        async with services_of(app).sessions() as session:
            [stored] = list(await session.scalars(select(CareLink)))
        assert stored.missed_muted_until == datetime(2031, 6, 11, 23, 0, tzinfo=UTC)
        other = await unconfirmed_dose(app, alice.id, ALENDRONATE, date(2031, 6, 11))
        await missed_check(app, other)
        assert all("alendronate" not in text for text in missed_messages(carol))

        # Forged and stale presses change nothing: someone else's, a clinician's step from
        # a caregiver, and after Alice removed Carol, her old buttons.
        alert_id = (await alerts(app))[1].id
        query = bob.press_data(second["message_id"], f"al:c:{alert_id}")
        assert await bob.toast(query) == texts.NOT_LINKED_ANY_MORE
        query = carol.press_data(second["message_id"], f"al:r:{alert_id}")
        assert await carol.toast(query) == texts.NOT_LINKED_ANY_MORE
        await remove(alice, carol, "caregiver")
        query = carol.press_data(first["message_id"], f"al:c:{(await alerts(app))[0].id}")
        assert await carol.toast(query) == texts.NOT_LINKED_ANY_MORE
        assert all(a.resolved_at is None for a in await alerts(app))
        assert (await alerts(app))[1].acknowledged_at is None


async def test_a_caregiver_sees_the_latest_check_in_only_when_shared(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(TUESDAY)
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings, clock) as app:
        await register(alice)
        await link(alice, carol)
        following = await report_chest_pain(alice)
        alice.press(texts.CHECKIN_STOP_FOR_NOW, following)
        await alice.expect("Stopped for now")
        await deliver_alerts(app)
        await carol.expect("Alice's symptom check-in shows chest pain")
        carol.say("/caring")
        assert texts.CARING_CHECKIN_NOT_SHARED in (await carol.expect("You help:"))["text"]

        # Alice shares her symptom log; the check-in she stopped is not complete yet.
        alice.say("/caregiver")
        alice.press("Carol (caregiver)", await alice.expect("Carol, caregiver"))
        alice.press("⬜ Can see my symptom log", await alice.expect("Tap to switch"))
        await alice.expect_buttons("✅ Can see my symptom log")
        carol.say("/caring")
        assert texts.CARING_NO_CHECKIN in (await carol.expect("You help:"))["text"]
        assert [v.what for v in await views_of(app, alice.id)] == ["caring", "caring"]


async def test_a_clinician_closes_a_tiered_alert_and_sees_the_response_times(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(TUESDAY)
    alice, doctor = Person(simulator, 1001, "Alice"), Person(simulator, 1004, "Dr Lee")
    async with bot_running(settings, clock) as app:
        await register(alice)
        await link(alice, doctor, texts.INVITE_CLINICIAN)
        welcome = doctor.sim.bot_messages(doctor.id)[-1]["text"]
        assert "/patients lists your patients" in welcome
        assert "/caring" not in welcome

        # The clinician's own label for her, by her number in /patients.
        doctor.say("/label 1 MRN 40017")
        await doctor.expect("Alice is now labelled “MRN 40017”.")
        doctor.say("/label 2 MRN 1")
        await doctor.expect("There is no patient 2 in your /patients list.")
        doctor.say("/patients")
        assert "👤 1. Alice (MRN 40017)" in (await doctor.expect("Your patients"))["text"]

        # Chest pain with an oral bisphosphonate: urgent, in the clinician's wording.
        following = await report_chest_pain(alice)
        alice.press(texts.CHECKIN_STOP_FOR_NOW, following)
        await alice.expect("Stopped for now")
        await deliver_alerts(app)
        alert = await doctor.expect("🔴 Urgent · Alice (MRN 40017)")
        assert "Check-in: chest pain, heartburn or trouble swallowing (a warning" in alert["text"]
        assert "check on them" not in alert["text"]
        assert doctor.buttons(alert) == [
            texts.ALERT_MARK_SEEN,
            texts.ALERT_CONTACTED,
            texts.ALERT_RESOLVED,
            texts.ALERT_NOTE,
        ]
        [stored] = await alerts(app)
        assert stored.tier == "urgent"
        assert stored.sent_at is not None
        sent = stored.sent_at

        # Seen ten minutes later (Alice hears of it), contacted at 30, resolved with a note
        # at 90.
        clock.jump_to(sent + timedelta(minutes=10))
        doctor.press(texts.ALERT_MARK_SEEN, alert)
        seen = await doctor.expect("👁 Seen")
        assert doctor.buttons(seen) == [
            texts.ALERT_CONTACTED,
            texts.ALERT_RESOLVED,
            texts.ALERT_NOTE,
        ]
        await alice.expect("Dr Lee has seen your check-in report")
        clock.jump_to(sent + timedelta(minutes=30))
        doctor.press(texts.ALERT_CONTACTED, seen)
        contacted = await doctor.expect(f"{texts.ALERT_MARK_SEEN}\n\n{texts.ALERT_CONTACTED}")
        assert doctor.buttons(contacted) == [texts.ALERT_RESOLVED, texts.ALERT_NOTE]
        clock.jump_to(sent + timedelta(minutes=90))
        doctor.press(texts.ALERT_NOTE, contacted)
        await doctor.expect(texts.ASK_NOTE)
        doctor.say("Called her; GP tomorrow")
        await doctor.expect(texts.NOTE_SAVED)
        closed = await doctor.expect("✅ Resolved: Called her; GP tomorrow")
        assert doctor.buttons(closed) == []

        [done] = await alerts(app)
        assert done.acknowledged_at is not None
        assert done.contacted_at is not None
        assert done.resolved_at is not None
        assert done.resolution_note == "Called her; GP tomorrow"
        assert timedelta(minutes=10) <= done.acknowledged_at - sent < timedelta(minutes=11)
        assert timedelta(minutes=90) <= done.resolved_at - sent < timedelta(minutes=91)

        # A second press of a finished step changes nothing; a caregiver's step is refused.
        query = doctor.press_data(closed["message_id"], f"al:r:{done.id}")
        assert await doctor.toast(query) == texts.ALERT_ALREADY
        query = doctor.press_data(closed["message_id"], f"al:m:{done.id}")
        assert await doctor.toast(query) == texts.NOT_LINKED_ANY_MORE
        [again] = await alerts(app)
        assert again.resolved_at == done.resolved_at
        assert again.resolution_note == done.resolution_note

        # The figures per tier.
        doctor.say("/responses")
        figures = await doctor.expect("Your red-flag alerts, last 90 days")
        assert (
            "🔴 Urgent: 1 alerts; acknowledged 1 (median 10 min); resolved 1 (median 1.5 h)"
            in figures["text"]
        )
        assert "🟢 Routine: 0 alerts" in figures["text"]
        assert [v.what for v in await views_of(app, alice.id)] == ["overview", "responses"]

        # The clinician's export carries the tier and the times, measured from the alert.
        await export_by_buttons(doctor, "Alice", "csv")
        files = await wait_documents(simulator, doctor.id, 5)
        [red_flags] = [data for name, data in files.items() if "red-flags" in name]
        [row] = list(csv.DictReader(io.StringIO(red_flags.decode("utf-8-sig"))))
        assert row["tier"] == "urgent"
        assert 10 <= float(row["minutes_to_acknowledge"]) < 11
        assert 90 <= float(row["minutes_to_resolve"]) < 91
        assert row["resolution_note"] == "Called her; GP tomorrow"
        assert row["patient_contacted_at"].startswith("2031-06-10T")


async def test_an_urgent_alert_nobody_acknowledges_goes_on_and_the_patient_is_told_whom_to_call(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(TUESDAY)
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    lee, kim = Person(simulator, 1004, "Dr Lee"), Person(simulator, 1005, "Dr Kim")
    async with bot_running(settings, clock) as app:
        await register(alice)
        await link(alice, carol)
        await link(alice, lee, texts.INVITE_CLINICIAN)
        await link(alice, kim, texts.INVITE_CLINICIAN)
        following = await report_chest_pain(alice)
        alice.press(texts.CHECKIN_STOP_FOR_NOW, following)
        await alice.expect("Stopped for now")
        await deliver_alerts(app)
        await lee.expect("🔴 Urgent · Alice")
        await kim.expect("🔴 Urgent · Alice")
        await carol.expect("Alice's symptom check-in shows chest pain")

        # Each clinician's urgent alert is checked half an hour after it went out; the
        # caregiver's is not (escalation is the care team's).
        by_person = {}
        for alert in await alerts(app):
            assert alert.sent_at is not None
            async with services_of(app).sessions() as session:
                member = await session.get(CareLink, alert.link_id)
            assert member is not None
            by_person[member.member_name] = alert
        jobs = dict(planner_of(app).next_jobs(50))
        for name in ("Dr Lee", "Dr Kim"):
            alert = by_person[name]
            assert alert.sent_at is not None
            assert jobs[f"escalate:{alert.id}"] == alert.sent_at + timedelta(minutes=30)
        assert f"escalate:{by_person['Carol'].id}" not in jobs

        # Nobody acknowledged it: Dr Lee's check passes it on to Dr Kim, and Alice is told
        # whom to call. Dr Kim's own check then finds it passed on already.
        clock.jump_to(TUESDAY + timedelta(minutes=31))
        await run_job(app, f"escalate:{by_person['Dr Lee'].id}")
        passed_on = await kim.expect("⏫ Passed on: nobody acknowledged this in 30 minutes.")
        assert "🔴 Urgent · Alice" in passed_on["text"]
        told = await alice.expect("Your care team hasn't seen your check-in report yet.")
        assert "Please call Dr Lee or Dr Kim now" in told["text"]
        await run_job(app, f"escalate:{by_person['Dr Kim'].id}")
        assert (
            sum("Passed on" in (m.get("text") or "") for m in simulator.bot_messages(kim.id)) == 1
        )
        assert not any(
            "Passed on" in (m.get("text") or "") for m in simulator.bot_messages(lee.id)
        )
        assert (
            sum("hasn't seen" in (m.get("text") or "") for m in simulator.bot_messages(alice.id))
            == 1
        )

        # The passed-on message works like the first: Dr Kim marks it seen.
        kim.press(texts.ALERT_MARK_SEEN, passed_on)
        await kim.expect("👁 Seen")
        await alice.expect("Dr Kim has seen your check-in report")
        assert all(a.escalated_at is not None for a in await alerts(app))
