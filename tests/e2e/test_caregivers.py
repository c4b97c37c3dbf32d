"""Caregivers end to end: invite, accept, confirm, alerts, quiet hours, unlink, forged access.

A patient (Alice), a caregiver (Carol) and a second patient (Bob) play the flows through the
simulator against the real bot and database. Time is driven explicitly: the unconfirmed-dose
check is planned for its real time (checked), then made due now with the planner.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from telegram.ext import Application

from bot.config import Settings
from bot.db.models import CareAlert, CareLink, CodeAttempt, DoseEvent, Invite, LinkStatus, Patient
from bot.domain import invite_codes
from bot.ports import JobKind
from scheduler.planner import ApschedulerPlanner
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Person,
    bot_running,
    eventually,
    make_due_in,
    medication_of,
    planner_of,
    register,
    run_job,
    services_of,
)
from tests.e2e.test_checkins import answer_questions, finish
from ui import texts

ALENDRONATE = "alendronate-70-weekly-tablet"


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for test people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


async def invite(patient: Person, button: str = texts.INVITE_CAREGIVER) -> str:
    """Have the patient create an invitation by tapping; return the code from its link."""
    patient.say("/caregiver")
    menu = await patient.expect("linked")
    patient.press(button, menu)
    message = await patient.expect("Send this link")
    match = re.search(r"\?start=([A-Za-z0-9_-]{22})\n", message["text"])
    assert match is not None, message["text"]
    assert f"/start {match[1]}" in message["text"]
    return match[1]


async def link(patient: Person, member: Person, button: str = texts.INVITE_CAREGIVER) -> None:
    """Invite, accept and confirm: the whole consent dance."""
    code = await invite(patient, button)
    member.say(f"/start {code}")
    intro = await member.expect("Do you accept?")
    member.press(texts.INVITE_ACCEPT, intro)
    await member.expect(texts.INVITE_ACCEPTED)
    request = await patient.expect(f"{member.name} accepted your invitation")
    patient.press(texts.LINK_CONFIRM_YES, request)
    await patient.expect(f"Done: {member.name} is linked")
    await member.expect(f"{patient.name} confirmed")


async def links_of(app: Application, patient_user_id: int) -> list[CareLink]:
    async with services_of(app).sessions() as session:
        return list(
            await session.scalars(
                select(CareLink)
                .join(Patient, Patient.id == CareLink.patient_id)
                .where(Patient.telegram_user_id == patient_user_id)
                .order_by(CareLink.id)
            )
        )


async def alerts_of(app: Application) -> list[CareAlert]:
    async with services_of(app).sessions() as session:
        return list(await session.scalars(select(CareAlert).order_by(CareAlert.id)))


async def reminder_event(app: Application, medication_id: int) -> DoseEvent:
    """Wait for the reminder of a medication to be recorded as sent; return its event."""

    async def sent() -> DoseEvent | None:
        async with services_of(app).sessions() as session:
            return await session.scalar(
                select(DoseEvent).where(
                    DoseEvent.medication_id == medication_id, DoseEvent.sent_at.is_not(None)
                )
            )

    return await eventually(sent, what="a sent reminder")


async def test_a_red_flag_alerts_the_linked_caregiver_who_acknowledges_it(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    carol = Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/caregiver")
        menu = await alice.expect("Nobody is linked to you yet")
        assert alice.buttons(menu) == [
            texts.INVITE_CAREGIVER,
            texts.INVITE_CLINICIAN,
            texts.ALERT_SETTINGS,
        ]
        code = await invite(alice)
        async with services_of(app).sessions() as session:
            [stored] = list(await session.scalars(select(Invite)))
        assert stored.code_hash == invite_codes.code_hash(code)
        stored_values = [getattr(stored, column.key) for column in Invite.__table__.c]
        assert not any(code in str(value) for value in stored_values)  # only the hash

        # Carol (not a patient) opens the link, accepts; Alice confirms; both are told.
        carol.say(f"/start {code}")
        intro = await carol.expect("invited you to be their caregiver")
        carol.press(texts.INVITE_ACCEPT, intro)
        await carol.expect(texts.INVITE_ACCEPTED)
        request = await alice.expect("Carol accepted your invitation to be your caregiver")
        [pending] = await links_of(app, alice.id)
        assert pending.status == LinkStatus.PENDING
        alice.press(texts.LINK_CONFIRM_YES, request)
        await alice.expect("Done: Carol is linked as your caregiver")
        await carol.expect("Alice confirmed: you are now their caregiver")

        # The code was single-use.
        bob.say(f"/start {code}")
        await bob.expect(texts.INVALID_CODE)

        # A check-in with a red flag alerts Carol at once; the patient is told she was told.
        alice.say("/symptoms")
        await answer_questions(alice, {"FATIGUE": ["Severe", "A little bit"]})
        await finish(alice)
        await alice.expect(texts.CARE_TEAM_TOLD)
        alert = await carol.expect("Alice's symptom check-in shows tiredness")
        assert "care team soon" in alert["text"]
        assert carol.buttons(alert) == [texts.ALERT_SEEN]
        carol.press(texts.ALERT_SEEN, alert)
        await carol.expect("You marked this as seen")
        await alice.expect("Carol has seen your check-in report")
        [stored_alert] = await alerts_of(app)
        assert stored_alert.acknowledged_at is not None
        assert stored_alert.flag_code == "severe:fatigue"

        # Carol sees whom she helps.
        carol.say("/caring")
        caring = await carol.expect("You help:")
        assert "👤 Alice" in caring["text"]


async def remove(patient: Person, member: Person, role: str) -> None:
    """The patient removes a linked person from the /caregiver menu; both are told."""
    patient.say("/caregiver")
    patient.press(f"{member.name} ({role})", await patient.expect(f"{member.name}, {role}"))
    patient.press(f"Remove {member.name}", await patient.expect("Tap to switch what they get"))
    patient.press(texts.REMOVE_YES, await patient.expect(f"Remove {member.name}?"))
    await patient.expect(f"{member.name} was removed")
    await member.expect(f"{patient.name} removed you")


async def test_alert_buttons_of_people_the_patient_removed_do_nothing(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    """Before: after Alice removed Carol and Dave, their "I've seen this" buttons still
    marked her alerts seen and told her so (14 of 14 in the probe)."""
    alice = Person(simulator, 1001, "Alice")
    carol, dave = Person(simulator, 1003, "Carol"), Person(simulator, 1004, "Dave")
    async with bot_running(settings) as app:
        await register(alice)
        await link(alice, carol)
        await link(alice, dave, texts.INVITE_CLINICIAN)
        alice.say("/symptoms")
        await answer_questions(alice, {"FATIGUE": ["Severe", "A little bit"]})
        await finish(alice)
        alerts = {
            carol.id: await carol.expect("Alice's symptom check-in shows tiredness"),
            dave.id: await dave.expect("Check-in: tiredness"),
        }
        await remove(alice, carol, "caregiver")
        await remove(alice, dave, "care-team member")

        for person, button in ((carol, texts.ALERT_SEEN), (dave, texts.ALERT_MARK_SEEN)):
            query = person.press(button, alerts[person.id])
            assert await person.toast(query) == texts.NOT_LINKED_ANY_MORE
        alice.say("/help")
        await alice.expect("What I can do")
        assert all(alert.acknowledged_at is None for alert in await alerts_of(app))
        assert not any(
            "has seen" in (m.get("text") or "") for m in simulator.bot_messages(alice.id)
        )


async def test_an_unconfirmed_dose_alerts_after_the_delay_and_unlinking_stops_alerts(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        await link(alice, carol)
        # No quiet hours, so the alert time does not depend on when the test runs.
        alice.say("/caregiver")
        alice.press(texts.ALERT_SETTINGS, await alice.expect("linked to you"))
        view = await alice.expect("after 1 hour")
        alice.press("No quiet hours", view)
        await alice.expect("Quiet hours: none")

        medication = await medication_of(app, alice.id, ALENDRONATE)
        await make_due_in(app, medication.id, 1)
        await alice.expect("Time for your", timeout=10)
        event = await reminder_event(app, medication.id)
        planner = planner_of(app)
        jobs = dict(planner.next_jobs(50))
        assert jobs[f"missed:{event.id}"] == event.due_at + timedelta(hours=1)

        # An hour later (driven: the job is made due now), Carol hears of it.
        assert planner.run_now(f"missed:{event.id}")
        missed = await carol.expect("Alice hasn't confirmed their alendronate", timeout=10)
        assert carol.buttons(missed) == [texts.ALERT_CHECKED, texts.ALERT_MUTE]
        [alert] = await alerts_of(app)
        assert (alert.kind, alert.dose_event_id) == ("missed_dose", event.id)

        # Alice removes Carol; Carol is told, and the next dose plans no alert at all.
        alice.say("/caregiver")
        alice.press("Carol (caregiver)", await alice.expect("Carol, caregiver"))
        alice.press("Remove Carol", await alice.expect("Tap to switch what they get"))
        alice.press(texts.REMOVE_YES, await alice.expect("Remove Carol?"))
        await alice.expect("Carol was removed")
        await carol.expect("Alice removed you as their caregiver")
        anastrozole = await medication_of(app, alice.id, "anastrozole-1-daily-tablet")
        await make_due_in(app, anastrozole.id, 1)
        await alice.expect("Time for your anastrozole", timeout=10)
        second = await reminder_event(app, anastrozole.id)
        assert f"missed:{second.id}" not in planner.planned_ids()
        # Even a check planned before the unlink sends nothing now.
        planner.plan(JobKind.MISSED, second.id, services_of(app).clock())
        await run_job(app, f"missed:{second.id}")
        assert len(await alerts_of(app)) == 1
        assert all(
            "hasn't confirmed their anastrozole" not in (m.get("text") or "")
            for m in simulator.bot_messages(carol.id)
        )


async def test_a_dose_taken_in_time_alerts_nobody_and_quiet_hours_hold_alerts(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        await link(alice, carol)
        planner = planner_of(app)
        medication = await medication_of(app, alice.id, ALENDRONATE)
        await make_due_in(app, medication.id, 1)
        reminder = await alice.expect("Time for your", timeout=10)
        event = await reminder_event(app, medication.id)
        alice.press(texts.TAKEN, reminder)
        await alice.expect("taken at")
        await run_job(app, f"missed:{event.id}")
        assert await alerts_of(app) == []

        # Quiet hours that cover "now" hold the alert until they end.
        anastrozole = await medication_of(app, alice.id, "anastrozole-1-daily-tablet")
        now_local = services_of(app).clock().astimezone(ZoneInfo("Europe/London"))
        start = (now_local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
        end = (now_local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
        async with services_of(app).sessions() as session:
            await session.execute(
                update(Patient)
                .where(Patient.telegram_user_id == alice.id)
                .values(quiet_hours_start=start, quiet_hours_end=end)
            )
            await session.commit()
        await make_due_in(app, anastrozole.id, 1)
        await alice.expect("Time for your anastrozole", timeout=10)
        second = await reminder_event(app, anastrozole.id)
        await run_job(app, f"missed:{second.id}")
        [alert] = await alerts_of(app)
        held = await _job_time(planner, f"alert:{alert.id}")
        assert held is not None
        assert held.astimezone(now_local.tzinfo).time() == time(end.hour, end.minute)
        assert alert.sent_at is None  # read after the job ran: held, not sent
        assert not any(
            "hasn't confirmed" in (m.get("text") or "") for m in simulator.bot_messages(carol.id)
        )


async def _job_time(planner: ApschedulerPlanner, job_id: str) -> datetime | None:
    return dict(planner.next_jobs(100)).get(job_id)


async def test_forged_presses_reach_no_one_elses_links_or_alerts(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    carol = Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        await register(bob)
        await link(alice, carol)
        [carol_link] = await links_of(app, alice.id)
        alice.say("/symptoms")
        await answer_questions(alice, {"FATIGUE": ["Severe", "A little bit"]})
        await finish(alice)
        await carol.expect("symptom check-in shows")
        [alert] = await alerts_of(app)

        bob.say("/help")
        bob_message = await bob.expect("What I can do")
        for data in (
            f"cg:m:{carol_link.id}",
            f"cg:x:{carol_link.id}",
            f"cg:X:{carol_link.id}",
            f"cg:t:{carol_link.id}:sl",
            f"lk:y:{carol_link.id}",
            f"lk:n:{carol_link.id}",
            f"cr:l:{carol_link.id}",
            f"cr:L:{carol_link.id}",
            f"al:{alert.id}",
        ):
            query = bob.press_data(bob_message["message_id"], data)
            assert await bob.toast(query) == texts.NOT_LINKED_ANY_MORE, data
        for data in ("cg:t:1", "cg:m:1:sl", "iv:a:short", "al:99999999999", "cg:q:z", "lk:y"):
            query = bob.press_data(bob_message["message_id"], data)
            assert await bob.toast(query) == texts.NOT_YOURS, data
        # Carol, the member, cannot change Alice's permissions either.
        query = carol.press_data(bob_message["message_id"], f"cg:t:{carol_link.id}:sl")
        assert await carol.toast(query) == texts.NOT_LINKED_ANY_MORE

        [still] = await links_of(app, alice.id)
        assert still.status == LinkStatus.ACTIVE
        assert (still.sees_symptom_log, still.missed_dose_alerts) == (False, True)
        [unacknowledged] = await alerts_of(app)
        assert unacknowledged.acknowledged_at is None
        assert not any(
            "has seen" in (m.get("text") or "") for m in simulator.bot_messages(alice.id)
        )


async def test_wrong_codes_are_rate_limited_and_expired_or_own_codes_refused(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, mallory = Person(simulator, 1001, "Alice"), Person(simulator, 1666, "Mallory")
    async with bot_running(settings) as app:
        await register(alice)
        code = await invite(alice)
        alice.say(f"/start {code}")
        await alice.expect(texts.OWN_CODE)

        for attempt in range(invite_codes.MAX_FAILED_ATTEMPTS):
            mallory.say(f"/start {'A' * 21}{attempt}")
            await mallory.expect(texts.INVALID_CODE)
        mallory.say(f"/start {code}")  # the right code, but too late
        await mallory.expect(texts.TOO_MANY_ATTEMPTS)
        assert await links_of(app, alice.id) == []
        async with services_of(app).sessions() as session:
            assert len(list(await session.scalars(select(CodeAttempt)))) == 5
        # Erasing her data does not start her count again (before: 20 lookups past it).
        mallory.say("/privacy")
        assert texts.PRIVACY_CODES in (await mallory.expect("Your privacy"))["text"]
        mallory.say("/deletemydata")
        mallory.press(texts.DELETE_YES, await mallory.expect("Erase everything?"))
        await mallory.expect("everything I held about you is erased")
        for _ in range(3):
            mallory.say(f"/start {code}")
            await mallory.expect(texts.TOO_MANY_ATTEMPTS)
        async with services_of(app).sessions() as session:
            kept = list(await session.scalars(select(CodeAttempt)))
        assert len(kept) == 5
        assert all(str(mallory.id) not in attempt.user_key for attempt in kept)

        # An expired code opens nothing (it counts as a failed attempt too).
        second = await invite(alice)
        async with services_of(app).sessions() as session:
            await session.execute(
                update(Invite).values(expires_at=services_of(app).clock() - timedelta(seconds=1))
            )
            await session.commit()
        bob = Person(simulator, 1002, "Bob")
        bob.say(f"/start {second}")
        await bob.expect(texts.INVALID_CODE)


async def test_one_person_can_be_a_patient_and_care_for_two_and_leave_one(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    carol = Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        await register(bob)
        await register(carol)
        await link(alice, carol)
        await link(bob, carol, texts.INVITE_CLINICIAN)
        carol.say("/caring")
        caring = await carol.expect("You help:")
        assert "👤 Alice" in caring["text"]
        assert "On the care team of Bob: /patients shows them." in caring["text"]
        carol.press("Leave Bob", caring)
        carol.press(texts.LEAVE_YES, await carol.expect("Leave Bob?"))
        await carol.expect("You won't get messages about Bob")
        await bob.expect("Carol is no longer linked to you")
        [ended] = await links_of(app, bob.id)
        assert ended.status == LinkStatus.ENDED
        # Clinicians get the symptom log by default, not every dose.
        assert (ended.sees_symptom_log, ended.missed_dose_alerts) == (True, False)
        # Carol is still a patient with her own plan, and still Alice's caregiver.
        carol.say("/today")
        await carol.expect("Today")
        [active] = await links_of(app, alice.id)
        assert active.status == LinkStatus.ACTIVE


async def test_symptom_history_chart_for_the_patient_and_only_an_allowed_caregiver(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        alice.say("/symptoms history")
        await alice.expect(texts.HISTORY_NO_CHECKINS)
        for fatigue in (["Severe", "A little bit"], ["Mild"]):
            alice.say("/symptoms")
            await answer_questions(alice, {"FATIGUE": fatigue})
            await finish(alice)
        alice.say("/symptoms history")
        chart = await simulator.wait_for_message(alice.id, lambda m: "photo" in m)
        assert chart["caption"] == texts.HISTORY_CAPTION
        biggest = max(chart["photo"], key=lambda size: size["width"])
        png = simulator.file_content(biggest["file_id"])
        assert png.startswith(b"\x89PNG")
        assert len(png) > 10_000
        assert biggest["width"] >= 600
        assert biggest["height"] >= 400

        # Carol, linked as a caregiver, has no symptom log until Alice allows it.
        await link(alice, carol)
        [carol_link] = await links_of(app, alice.id)
        carol.say("/caring")
        caring = await carol.expect("You help:")
        assert carol.buttons(caring) == ["Leave Alice"]
        query = carol.press_data(caring["message_id"], f"cr:h:{carol_link.id}")
        assert await carol.toast(query) == texts.NOT_LINKED_ANY_MORE
        alice.say("/caregiver")
        alice.press("Carol (caregiver)", await alice.expect("Carol, caregiver"))
        detail = await alice.expect("Tap to switch what they get")
        alice.press("⬜ Can see my symptom log", detail)
        await alice.expect("Tap to switch")
        carol.say("/caring")
        caring = await carol.expect("You help:")
        carol.press("📈 Alice's symptoms", caring)
        shared = await simulator.wait_for_message(carol.id, lambda m: "photo" in m)
        assert shared["caption"] == texts.HISTORY_CAPTION


async def test_the_weekly_summary_goes_only_to_caregivers_who_get_it(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings) as app:
        await register(alice)
        await link(alice, carol)
        planner = planner_of(app)
        async with services_of(app).sessions() as session:
            patient_id = await session.scalar(select(Patient.id))
        job = f"summary:{patient_id}"
        assert job not in planner.planned_ids()  # off by default

        alice.say("/caregiver")
        alice.press("Carol (caregiver)", await alice.expect("Carol, caregiver"))
        alice.press("⬜ Weekly summary", await alice.expect("Tap to switch"))
        await alice.expect("Tap to switch")
        run_at = await eventually(lambda: _job_time(planner, job), what="the summary job")
        local = run_at.astimezone(ZoneInfo("Europe/London"))
        assert (local.weekday(), local.hour, local.minute) == (6, 18, 0)

        assert planner.run_now(job)
        summary = await carol.expect("Alice's week:", timeout=10)
        assert "No doses were due this week." in summary["text"]  # registered just now
        next_run = await eventually(lambda: _job_time(planner, job), what="next week's job")
        assert next_run > services_of(app).clock()

        # Switched off: the planned job fires, sends nothing and does not come back.
        alice.say("/caregiver")
        alice.press("Carol (caregiver)", await alice.expect("Carol, caregiver"))
        alice.press("✅ Weekly summary", await alice.expect("Tap to switch"))
        await alice.expect("Tap to switch")
        await run_job(app, job)
        assert job not in planner.planned_ids()
        weekly = [
            m for m in simulator.bot_messages(carol.id) if "'s week" in (m.get("text") or "")
        ]
        assert len(weekly) == 1
