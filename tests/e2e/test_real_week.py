"""One simulated week of a real patient, through the chat: she snoozes, takes a dose late,
forgets one, corrects a wrong answer, pauses a day and reports a red flag. At the end her
record, her export and the messages she and her caregiver got match what happened.

The bot runs on a DrivenClock from a Monday in March: the week is jumps of the clock,
each job run when its moment comes (`run_job`), never a wait.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.db.models import DoseStatus
from simulator import BotApiSimulator, RateLimits
from tests.e2e.helpers import (
    Person,
    bot_running,
    dose_events,
    medication_of,
    planner_of,
    register,
    run_job,
    settled_events,
)
from tests.e2e.test_caregivers import link
from tests.e2e.test_checkin_redflags import report_chest_pain
from tests.e2e.test_data import export_by_buttons, wait_documents
from tests.fakes.clock import DrivenClock
from ui import texts

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2031, 3, 3, 6, 0, tzinfo=LONDON)
ALENDRONATE = "alendronate-70-weekly-tablet"
ANASTROZOLE = "anastrozole-1-daily-tablet"


@pytest.fixture
async def simulator() -> AsyncIterator[BotApiSimulator]:
    """The simulator, with room for people who tap through flows in a few seconds."""
    async with BotApiSimulator(
        rate_limits=RateLimits(per_chat_burst=100, global_burst=100)
    ) as sim:
        yield sim


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock moment of the week in London (day 0 is Monday)."""
    return datetime.combine(MONDAY.date() + timedelta(days=day), time(hour, minute), LONDON)


async def test_a_real_week_ends_with_a_record_that_matches_it(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    clock = DrivenClock(MONDAY)
    alice, carol = Person(simulator, 1001, "Alice"), Person(simulator, 1003, "Carol")
    async with bot_running(settings, clock) as app:
        await register(alice, ai_time="09:00", day="Monday", bone_time="07:00")
        await link(alice, carol)
        alendronate = await medication_of(app, alice.id, ALENDRONATE)
        anastrozole = await medication_of(app, alice.id, ANASTROZOLE)

        # Monday 07:00: the weekly tablet. Later, for an hour; back at 08:00, not "late".
        clock.jump_to(at(0, 7))
        await run_job(app, f"dose:{alendronate.id}")
        reminder = await alice.expect_buttons(texts.TAKEN)
        alice.press(texts.SNOOZE, reminder)
        alice.press("⏰ In 1 hour", await alice.expect_buttons("⏰ In 1 hour"))
        await alice.expect("I'll remind you again at 08:00")
        [monday_tablet] = await settled_events(app, alendronate.id, DoseStatus.SENT)
        clock.jump_to(at(0, 8))
        await run_job(app, f"snooze:{monday_tablet.id}")
        again = await alice.expect_buttons(texts.TAKEN)
        assert "late" not in again["text"].lower()
        # She forgets it; at the once-more question she says so: the label's make-up, Tuesday.
        clock.jump_to(at(0, 10))
        await run_job(app, f"recheck:{monday_tablet.id}")
        alice.press(texts.MISSED_IT, await alice.expect_buttons(texts.MISSED_IT))
        missed = await alice.expect("noted as missed")
        assert f"I'll remind you on {texts.day_label(at(1, 7).date())} at 07:00" in missed["text"]

        # Monday 09:00: anastrozole, taken on time, said two hours later.
        clock.jump_to(at(0, 9))
        await run_job(app, f"dose:{anastrozole.id}")
        await alice.expect_buttons(texts.TAKEN)
        [monday_ai] = await settled_events(app, anastrozole.id, DoseStatus.SENT)
        clock.jump_to(at(0, 11, 5))
        await run_job(app, f"recheck:{monday_ai.id}")
        alice.press(texts.TOOK_IT, await alice.expect_buttons(texts.TOOK_IT))
        when = await alice.expect("When did you take")
        alice.press("At 09:00 (when it was due)", when)
        await alice.expect("taken at 09:00")

        # Tuesday 07:00: the make-up tablet, taken.
        clock.jump_to(at(1, 7))
        await run_job(app, f"makeup:{monday_tablet.id}")
        makeup = await alice.expect("the one you missed on")
        alice.press(texts.TAKEN, makeup)
        await alice.expect("taken at 07:00")

        # Tuesday 09:00: anastrozole "Taken" by mistake, corrected to not taken.
        clock.jump_to(at(1, 9))
        await run_job(app, f"dose:{anastrozole.id}")
        alice.press(texts.TAKEN, await alice.expect_buttons(texts.TAKEN))
        answered = await alice.expect_buttons(texts.CHANGE)
        alice.press(texts.CHANGE, answered)
        alice.press(texts.NOT_TAKEN, await alice.expect_buttons(texts.NOT_TAKEN))
        await alice.expect("noted as missed")

        # Wednesday: a day out, reminders paused for today; Carol is told.
        clock.jump_to(at(2, 6))
        alice.say("/pause")
        alice.press(texts.PAUSE_ALL, await alice.expect("Which reminders shall I pause?"))
        alice.press("Today only", await alice.expect("Until when?"))
        await alice.expect("⏸ Paused:")
        await carol.expect("has paused some reminders")
        said = len(simulator.bot_messages(alice.id))
        clock.jump_to(at(2, 9))
        await run_job(app, f"dose:{anastrozole.id}")
        assert len(simulator.bot_messages(alice.id)) == said  # nothing on a paused day

        # Thursday: the weekly check-in, chest pain. Advice at once; Carol alerted; the
        # tablet on hold.
        clock.jump_to(at(3, 8))
        await report_chest_pain(alice)
        await alice.expect("Please stop taking the bone medicine you take by mouth")
        for job_id in sorted(planner_of(app).planned_ids()):  # their moment is now
            if job_id.startswith("alert:"):
                await run_job(app, job_id)
        await carol.expect("chest pain")

        # The next Monday: the tablet's reminder asks about the care team, she says not yet.
        clock.jump_to(at(7, 7))
        await run_job(app, f"dose:{alendronate.id}")
        held = await alice.expect_buttons(texts.CARE_TEAM_SAID_GO_ON)
        assert "is on hold" in held["text"]
        alice.press(texts.NOT_YET_SKIP, held)
        await alice.expect("skipped")

        # The record, as the export shows it.
        await export_by_buttons(alice, None, "csv")
        files = await wait_documents(simulator, alice.id, 5)
        [doses_csv] = [data for name, data in files.items() if "dose-events" in name]
        rows = list(csv.DictReader(io.StringIO(doses_csv.decode("utf-8-sig"))))
        by_day = {(row["product_key"], row["local_date"]): row for row in rows}

        tablet_monday = by_day[(ALENDRONATE, str(at(0, 7).date()))]
        assert (tablet_monday["status"], tablet_monday["snoozes"]) == ("missed", "1")
        assert tablet_monday["late"] == "false"
        tablet_makeup = by_day[(ALENDRONATE, str(at(1, 7).date()))]
        assert tablet_makeup["status"] == "taken"
        assert tablet_makeup["makeup_for_event_id"] == tablet_monday["dose_event_id"]
        tablet_held = by_day[(ALENDRONATE, str(at(7, 7).date()))]
        assert (tablet_held["status"], tablet_held["skip_reason"]) == (
            "skipped",
            "care_team_pause",
        )

        ai_monday = by_day[(ANASTROZOLE, str(at(0, 9).date()))]
        assert ai_monday["status"] == "taken"
        assert ai_monday["taken_at"].startswith(f"{at(0, 9).date()}T09:00")
        assert ai_monday["answered_at"].startswith(f"{at(0, 11).date()}T11:05")
        ai_tuesday = by_day[(ANASTROZOLE, str(at(1, 9).date()))]
        assert ai_tuesday["status"] == "missed"
        assert "patient: taken at" in ai_tuesday["answer_changes"]
        assert ai_tuesday["answer_changes"].endswith("-> missed")
        assert (ANASTROZOLE, str(at(2, 9).date())) not in by_day  # paused: no row at all
        assert all(row["late"] == "false" for row in rows)

        # Carol: the pause and the red flag, and no missed-dose alert for the paused day.
        carols = [m.get("text") or "" for m in simulator.bot_messages(carol.id)]
        assert not any("hasn't confirmed" in text for text in carols)
        events = await dose_events(app, anastrozole.id)
        assert {e.local_date for e in events} == {at(0, 9).date(), at(1, 9).date()}
