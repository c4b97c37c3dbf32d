"""The outbound path under Telegram's limits and faults: paced, nothing lost, no floods."""

from __future__ import annotations

import time

from app.flood_control import FloodLimiter
from bot.config import Settings
from bot.db.models import DoseStatus
from simulator import BotApiSimulator, FaultConfig, RateLimits
from tests.e2e.helpers import (
    bot_running,
    delivered_reminders,
    dose_events,
    eventually,
    medication_of,
    seed_patients,
)


def flood_errors(sim: BotApiSimulator) -> int:
    """How many 429 replies the simulator gave the bot."""
    return sum(1 for call in sim.calls("sendMessage") if call.error_code == 429)


async def test_a_burst_is_paced_to_the_limit_without_flood_errors(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    simulator.rate_limits = RateLimits(global_per_second=30, per_chat_per_second=1)
    async with bot_running(settings) as app:
        patients = await seed_patients(app, simulator, 75, due_in_seconds=2)
        started = time.monotonic()

        async def all_delivered() -> bool:
            return all(n == 1 for n in delivered_reminders(simulator, patients).values())

        await eventually(all_delivered, timeout=20, what="75 reminders")
        elapsed = time.monotonic() - started
    assert flood_errors(simulator) == 0
    # 75 messages at 30 a second take at least 2.5 s after the first; well under 2x that.
    assert 2.0 < elapsed < 2 + 75 / 30 * 2


async def test_injected_faults_lose_nothing(
    simulator: BotApiSimulator, settings: Settings
) -> None:
    simulator.rate_limits = RateLimits(enabled=False)
    simulator.faults.configure(
        FaultConfig(
            error_rate=0.2,
            delay_rate=0.1,
            delay_seconds=0.3,
            drop_rate=0.1,
            methods=("sendMessage",),
            seed=7,
        )
    )
    async with bot_running(settings) as app:
        patients = await seed_patients(app, simulator, 30, due_in_seconds=1)

        async def all_delivered() -> bool:
            return all(n >= 1 for n in delivered_reminders(simulator, patients).values())

        await eventually(all_delivered, timeout=30, what="30 reminders despite faults")
        faulted = [c for c in simulator.calls("sendMessage") if c.fault]
        assert faulted, "the simulator injected no fault"

        async def all_marked_sent() -> bool:
            for user_id in patients:
                medication = await medication_of(app, user_id, "anastrozole-1-daily-tablet")
                events = await dose_events(app, medication.id)
                if [e.status for e in events] != [DoseStatus.SENT]:
                    return False
            return True

        await eventually(all_marked_sent, timeout=10, what="every dose recorded as sent")
    # Without lost replies, retries cannot duplicate: each patient got exactly one.
    assert set(delivered_reminders(simulator, patients).values()) == {1}


async def test_pacer_spaces_sends_evenly_and_holds_each_chat_to_its_rate() -> None:
    pacer = FloodLimiter(100.0, 1, 2.0, 1).unprompted()
    started = time.monotonic()
    for chat in range(20):  # 20 chats: only the overall rate applies
        await pacer.wait_turn(chat)
    overall = time.monotonic() - started
    for _ in range(3):  # one chat three times: its own rate applies
        await pacer.wait_turn(7)
    single_chat = time.monotonic() - started - overall
    assert 0.18 <= overall < 0.5  # 19 intervals of 10 ms after the first send
    assert 0.95 <= single_chat < 1.5  # chat 7 sent in the burst, then 2 more at 2 a second


async def test_flood_reply_pauses_every_send() -> None:
    pacer = FloodLimiter(1000.0, 1000, 1000.0, 1000).unprompted()
    pacer.pause(0.3)
    started = time.monotonic()
    await pacer.wait_turn(1)
    assert time.monotonic() - started >= 0.29
