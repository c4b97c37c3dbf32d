"""Reminders survive restarts and downtime, pause for a blocked patient, follow travel."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text, update

from bot.config import Settings
from bot.db.database import create_sync_engine, job_store_url
from bot.db.models import DoseStatus, Medication, Patient
from bot.domain.dose_times import next_occurrence
from bot.ports import JobKind
from bot.services.dose_timing import schedule_of
from simulator import BotApiSimulator
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    eventually,
    make_due_in,
    medication_of,
    planner_of,
    register,
    services_of,
    settled_events,
)

ANASTROZOLE = "anastrozole-1-daily-tablet"


def reminders_sent(simulator: BotApiSimulator, chat_id: int, name: str) -> int:
    """Count sendMessage calls that delivered a reminder for `name` to the chat."""
    return sum(
        1
        for call in simulator.calls("sendMessage")
        if str(call.params.get("chat_id")) == str(chat_id)
        and f"your {name}" in str(call.params.get("text")).lower()
        and call.ok
    )


async def test_pending_reminder_is_delivered_once_by_the_next_process(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as first:
        await register(alice, bone_family=None)
        medication = await medication_of(first, alice.id, ANASTROZOLE)
        await make_due_in(first, medication.id, 3)
    # The first process is gone before the dose is due; the next start rebuilds its job.
    assert reminders_sent(simulator, alice.id, "anastrozole") == 0

    async with bot_running(settings) as second:
        await alice.expect("Time for your anastrozole 1 mg", timeout=10)
        [event] = await settled_events(second, medication.id, DoseStatus.SENT)

        # Running the dose job again (as a duplicate wake-up would) sends nothing more.
        services = services_of(second)
        services.planner.plan(JobKind.DOSE, medication.id, services.clock())

        async def moved_to_tomorrow() -> bool:
            planned = dict(planner_of(second).next_jobs(50)).get(f"dose:{medication.id}")
            return planned is not None and planned > event.due_at + timedelta(hours=23)

        await eventually(moved_to_tomorrow, what="the daily job moving on to tomorrow")
    async with bot_running(settings) as third:
        assert len(await dose_events(third, medication.id)) == 1
    assert reminders_sent(simulator, alice.id, "anastrozole") == 1


async def test_downtime_sends_late_within_grace_and_records_older_doses_missed(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice, bone_family=None)
        medication = await medication_of(app, alice.id, ANASTROZOLE)
        now = services_of(app).clock()
        due_local = (now - timedelta(hours=1)).astimezone(ZoneInfo("Europe/London"))
    # While the bot was down: registered two days ago, today's dose an hour overdue.
    async with bot_running(settings) as app, services_of(app).sessions() as session:
        await session.execute(
            update(Medication)
            .where(Medication.id == medication.id)
            .values(
                started_at=now - timedelta(days=2),
                time_of_day=due_local.time().replace(microsecond=0),
            )
        )
        await session.commit()
        # The stored job still points at the old time; drop it, as a lost job would be.
        planner_of(app).cancel(JobKind.DOSE, medication.id)
    # Restart: the start-up reconciliation rebuilds the job and finds the overdue dose.
    async with bot_running(settings) as app:
        late = await alice.expect("was due at", timeout=10)
        assert "Sorry this reminder is late" in late["text"]
        events = await eventually(
            lambda: _statuses(app, medication.id, expected=2), what="two recorded doses"
        )
        yesterday, today = events
        assert (yesterday.status, yesterday.sent_at) == (DoseStatus.MISSED, None)
        assert (today.status, today.late) == (DoseStatus.SENT, True)
    assert reminders_sent(simulator, alice.id, "anastrozole") == 1


async def _statuses(app, medication_id: int, expected: int):
    events = await dose_events(app, medication_id)
    settled = [e for e in events if e.status != DoseStatus.PENDING]
    return events if len(settled) == expected else None


async def test_blocked_patient_is_paused_and_start_resumes(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice, bone_family=None)
        medication = await medication_of(app, alice.id, ANASTROZOLE)
        simulator.block(alice.id)
        await make_due_in(app, medication.id, 1)

        async def paused() -> bool:
            async with services_of(app).sessions() as session:
                patient = await session.get(Patient, medication.patient_id)
                return patient is not None and patient.unreachable_since is not None

        await eventually(paused, timeout=10, what="the patient marked unreachable")
        await eventually(
            lambda: _job_gone(app, medication.id), timeout=10, what="the dose job dropped"
        )
        # Paused by Telegram's word before the dose came: nothing was tried, nothing lost.
        assert await dose_events(app, medication.id) == []

        simulator.unblock(alice.id)
        alice.say("/start")
        await alice.expect("Welcome back")
        await alice.expect("Time for your anastrozole 1 mg", timeout=10)
        await settled_events(app, medication.id, DoseStatus.SENT)


async def test_changing_time_zone_replans_at_the_new_local_time(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice, ai_time="09:00", bone_family=None, zone="London")
        medication = await medication_of(app, alice.id, ANASTROZOLE)
        alice.say("/regimen")
        await alice.expect("What would you like to change?")
        alice.press("Time zone")
        await alice.expect("Which time zone are you in?")
        alice.say("America/Denver")
        await alice.expect("Is this right?")
        alice.press("Yes, save it")
        await alice.expect("Saved")

        schedule = schedule_of(medication)
        assert schedule is not None
        expected = next_occurrence(
            schedule, ZoneInfo("America/Denver"), services_of(app).clock()
        ).due_at
        # Same medicine and time: the row is kept and its job moves to Denver's 09:00.
        same = await medication_of(app, alice.id, ANASTROZOLE)
        assert same.id == medication.id
        assert dict(planner_of(app).next_jobs(50))[f"dose:{medication.id}"] == expected
        assert expected.astimezone(ZoneInfo("America/Denver")).hour == 9


async def test_a_job_the_store_lost_is_recreated_at_start(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    alice = Person(simulator, 1001, "Alice")
    async with bot_running(settings) as app:
        await register(alice, bone_family=None)
        medication = await medication_of(app, alice.id, ANASTROZOLE)
        planned = dict(planner_of(app).next_jobs(50))[f"dose:{medication.id}"]
    # Dose jobs live in memory; the persistent store holds the rest. Lose all of it.
    engine = create_sync_engine(job_store_url(settings.database_url))
    try:
        with engine.begin() as connection:
            stored = set(connection.scalars(text("SELECT id FROM apscheduler_jobs")))
            connection.execute(text("DELETE FROM apscheduler_jobs"))
    finally:
        engine.dispose()
    assert f"dose:{medication.id}" not in stored
    async with bot_running(settings) as app:
        assert dict(planner_of(app).next_jobs(50))[f"dose:{medication.id}"] == planned


async def test_a_block_pauses_at_once_and_an_unblock_resumes_without_start(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    # Telegram's my_chat_member says it at once: no reminder is tried in vain meanwhile.
    alice, bob = Person(simulator, 1001, "Alice"), Person(simulator, 1002, "Bob")
    async with bot_running(settings) as app:
        await register(alice, bone_family=None)
        medication = await medication_of(app, alice.id, ANASTROZOLE)

        async def unreachable_since() -> datetime | None:
            async with services_of(app).sessions() as session:
                patient = await session.get(Patient, medication.patient_id)
                assert patient is not None
                return patient.unreachable_since

        simulator.block(alice.id)
        await eventually(unreachable_since, timeout=10, what="the patient marked unreachable")
        await make_due_in(app, medication.id, 1)
        await eventually(
            lambda: _job_gone(app, medication.id), timeout=10, what="the dose job dropped"
        )
        assert await dose_events(app, medication.id) == []  # nothing tried, nothing lost

        simulator.unblock(alice.id)
        await alice.expect("Welcome back. Your reminders are on again.")
        await alice.expect("Time for your anastrozole 1 mg", timeout=10)
        assert await unreachable_since() is None
        # Someone who never registered blocks and unblocks: nothing to pause, no message.
        simulator.block(bob.id)
        simulator.unblock(bob.id)
        alice.say("/today")
        await alice.expect("Anastrozole")
        assert [m for m in simulator.messages(bob.id) if m.get("from", {}).get("is_bot")] == []


async def _job_gone(app, medication_id: int) -> bool:
    return f"dose:{medication_id}" not in dict(planner_of(app).next_jobs(50))
